"""The CLI's closing sentence (flows/lifeline.py: say_once) is a line of its own, whatever was written before it."""
from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from newsetl.flows.lifeline import say_once, track_stderr_lines
track_stderr_lines()
sys.stderr.write({before!r})
sys.stderr.flush()
say_once("newsetl ingest: failed: the Prefect API stopped answering.")
say_once("newsetl ingest: a second sentence is never said.")
"""


@pytest.mark.parametrize("before, expected", [
    # Prefect's API log worker, once the API is gone, writes an error message without a line break.
    ("--- Error logging to API ---\nAll connection attempts failed",
     "--- Error logging to API ---\nAll connection attempts failed\nnewsetl ingest: failed: the Prefect API stopped answering.\n"),
    ("a whole line\n", "a whole line\nnewsetl ingest: failed: the Prefect API stopped answering.\n"),
    ("", "newsetl ingest: failed: the Prefect API stopped answering.\n"),
])
def test_the_closing_sentence_starts_a_line_of_its_own(before, expected):
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(before=before)], capture_output=True, text=True,
                          timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stderr == expected
