"""Shared fixtures: one Prefect test harness per session, temporary raw/ and warehouse/."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsetl.flows.runtime import configure_prefect_env

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "raw" / "2020-07-05" / "000_b7a10fd9200f5948.txt"


def pytest_configure(config):
    home = REPO / ".prefect" / "test-home"
    home.mkdir(parents=True, exist_ok=True)  # Prefect warns when it has to make a nested home itself
    configure_prefect_env(home=home)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the whole session (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    (folder / "2020-07-05").mkdir(parents=True)
    shutil.copy(SEED, folder / "2020-07-05" / SEED.name)
    return folder


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


def write_article(folder: Path, name: str, *, breadcrumb: str = "World - Reuters", title: str = "A headline",
                  paragraphs: tuple[str, ...] = ("First paragraph of the story.", "Second paragraph."),
                  encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write one raw article in the contract's layout."""
    folder.mkdir(parents=True, exist_ok=True)
    blocks = [breadcrumb, title, *paragraphs]
    text = (newline * 2).join(blocks) + newline
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path
