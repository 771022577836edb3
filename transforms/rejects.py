"""Reject reasons: why a raw file could not become an article.

A step that gives up on a document raises `Rejected`; the batch builder turns
it into a `rejects` row, so nothing is ever dropped silently.
"""
from __future__ import annotations

import time

# Machine codes of the `rejects.reason` column, with what each one means.
REASONS: dict[str, str] = {
    "empty": "the file has no bytes, or only white space",
    "binary": "the bytes are not text (NUL-heavy or a known binary signature)",
    "undecodable": "no supported encoding decodes the bytes to sensible text",
    "no_title": "no headline line could be found",
    "no_body": "a headline was found but no paragraph follows it",
    "too_large": "the file, or its decompressed content, exceeds the size cap",
    "unsupported_type": "the file name is not *.txt or *.txt.gz",
    "corrupt_gzip": "a *.txt.gz file that does not decompress",
    "unreadable": "the file could not be read (permissions, I/O error, vanished)",
    "link_outside_root": "a symbolic link pointing out of the raw root, which is never followed",
    "not_a_regular_file": "a FIFO, socket or device (or a link to one) in the raw zone, which is never opened",
    "too_slow": "cleaning the file used up its CPU-time budget (a flood of unclosed tags or other hostile text)",
}


class Rejected(Exception):
    """A document that cannot become an article: a reason code and one human sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reject reason {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class TimeBudget:
    """A per-file budget of CPU seconds, checked between cleaning steps: over it, `Rejected("too_slow")`.

    CPU time of the cleaning thread, not wall time, so whether a file is too slow depends on the
    file and not on how busy the machine is. Every step is linear in the text, so a check between
    steps bounds a file's cost to the budget plus one step. Reading the thread's CPU clock is a
    system call (~1.5 us); wall time never runs behind it, so the cheap wall clock is asked first.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        if seconds is not None:
            self._cpu_start = time.thread_time()
            self._wall_deadline = time.perf_counter() + seconds

    def check(self, step: str) -> None:
        """Raise `Rejected("too_slow")` naming `step` when the file has used more than its budget."""
        if self.seconds is None or time.perf_counter() < self._wall_deadline:
            return
        spent = time.thread_time() - self._cpu_start
        if spent > self.seconds:
            raise Rejected(
                "too_slow",
                f"Cleaning used {spent:.1f} s of CPU time by the end of step '{step}', over the budget of "
                f"{self.seconds:g} s per file; the text is probably hostile (floods of unclosed tags, entities "
                "or combining marks): inspect the file, or raise the budget if it is a genuine article.",
            )
