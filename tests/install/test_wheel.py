"""newsetl installs as one namespace: its wheel, in a fresh venv beside the package index's `flows`,
`schemas` and `transforms`, ingests a raw zone while those three import as themselves."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, write_article
from tests.flows.cli_process import cli_env

# The index's projects whose top-level names newsetl's folders used to take when installed.
CLASHING = ["flows==1.2.1", "schemas==0.7.1", "transforms==0.2.1"]


@pytest.fixture(autouse=True)
def _harness(prefect_harness):  # the ingest below reports to the session's Prefect API
    yield


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True,
                   capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_wheel_installs_one_namespace_beside_the_index_packages_of_the_same_names(tmp_path):
    source = tmp_path / "source"  # a copy: setuptools would reuse a build/ folder left in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("flows", "transforms", "schemas"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True, text=True, timeout=600)
    wheel = next((tmp_path / "dist").glob("newsetl-*.whl"))
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert tops == {"newsetl", wheel.name.split("-py3")[0] + ".dist-info"}, tops

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    _pip(python, "install", "--no-deps", str(wheel), *CLASHING)
    # newsetl's own dependencies come from this venv (no second download of Prefect and pandas);
    # PYTHONPATH adds no .pth, so this project's editable install stays out.
    env = cli_env(PYTHONPATH=sysconfig.get_paths()["purelib"])
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True, env=env).stdout.strip()

    # The index's `flows` imports under Python 3; its `schemas` and `transforms` are Python 2 code (a print
    # statement, sgmllib) that no Python 3 can import, so for those the test checks where the name resolves.
    probe = ("import importlib.util, json, flows, newsetl.flows.cli, newsetl.schemas, newsetl.transforms.document; "
             "print(json.dumps({name: importlib.util.find_spec(name).origin for name in "
             "['flows', 'schemas', 'transforms', 'newsetl.flows', 'newsetl.schemas', 'newsetl.transforms']}))")
    origins = json.loads(subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True,
                                        env=env, cwd=tmp_path).stdout)
    for name in ("flows", "schemas", "transforms"):
        assert origins[name] == os.path.join(site, name, "__init__.py"), origins  # the index's own package
        assert origins[f"newsetl.{name}"] == os.path.join(site, "newsetl", name, "__init__.py"), origins

    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    write_article(raw / "2020-07-05", "001_00000000000000f1.txt", title="Installed from the wheel")
    ingest = subprocess.run([str(venv / "bin" / "newsetl"), "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert "1 articles" in ingest.stdout
    assert list((warehouse / "articles").rglob("*.parquet"))
