"""rejects.py: reason codes, and the per-file CPU-time budget that turns a slow file into a `too_slow` reject."""
from __future__ import annotations

import time

import pytest

from newsetl.transforms.rejects import REASONS, Rejected, TimeBudget


def _spin(seconds: float) -> None:
    """Use `seconds` of CPU time."""
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        pass


def test_a_file_over_its_budget_is_a_too_slow_reject_naming_the_step():
    budget = TimeBudget(0.05)
    _spin(0.1)

    with pytest.raises(Rejected) as caught:
        budget.check("markup removal")

    assert caught.value.reason == "too_slow" and "too_slow" in REASONS
    assert "'markup removal'" in caught.value.detail and "0.05 s per file" in caught.value.detail


def test_a_file_under_its_budget_goes_on():
    budget = TimeBudget(5.0)
    _spin(0.01)

    budget.check("decoding")


def test_waiting_is_not_spending_the_budget():
    """CPU time counts, not wall time: a busy machine that delays a file does not make it too slow."""
    budget = TimeBudget(0.05)
    time.sleep(0.15)

    budget.check("decoding")


def test_no_budget_never_rejects():
    budget = TimeBudget(None)
    _spin(0.05)

    budget.check("decoding")
