"""How a run ends when it must not wait: Ctrl-C, or a Prefect API that stopped answering.

Prefect's client retries a vanished API for minutes (backoff up to a minute a call, and an
events worker that retries every event), and a Ctrl-C to the whole process group also kills
the temporary server the run reports to. Both would leave the CLI hanging. The run's data
needs no Prefect to stay whole (days swap in atomically, the manifest last), so the CLI may end
at once, outside a publish: it stops every process it started and exits with one sentence.
Only the CLI turns this on; flows run by tests or deployment workers keep Prefect's behaviour,
and fail before publishing when the API is gone (`check_api`).
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger("newsetl.flow")

# The API counts as gone after this long without an answer (and at least LOST_AFTER_FAILURES failed
# checks): long enough for a server busy on a loaded 2-core machine, short enough to end a run promptly.
LOST_AFTER_SECONDS = 15.0
LOST_AFTER_FAILURES = 3
CHECK_EVERY_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 5.0
# After Ctrl-C, the run gets this long to unwind by itself before it is ended.
INTERRUPT_GRACE_SECONDS = 3.0
# How long an exit waits for a publish in progress: days swap in one by one, seconds each.
PUBLISH_WAIT_SECONDS = 120.0
# Processes started by the run get this long to stop on SIGTERM before SIGKILL.
CHILD_STOP_SECONDS = 1.0


class ApiLost(Exception):
    """The Prefect API stopped answering; the message is one sentence."""


class _RunState:
    """What an early exit needs to know of the run in this process."""

    def __init__(self) -> None:
        self.publishing = threading.Lock()
        self.published = False
        self.api_lost: str | None = None
        self.on_api_lost: Callable[[str], None] | None = None  # set by the CLI only
        self.said = False


_STATE = _RunState()


@contextmanager
def publishing() -> Iterator[None]:
    """Mark a write to the warehouse: an early exit waits for it to end."""
    with _STATE.publishing:
        yield


def mark_published() -> None:
    """The run's days are in the warehouse: an early exit says so."""
    _STATE.published = True


def check_api() -> None:
    """Raise ApiLost when the watchdog has found the Prefect API gone."""
    if _STATE.api_lost:
        raise ApiLost(_STATE.api_lost)


@contextmanager
def watch_api(api_url: str | None) -> Iterator[None]:
    """Poll the API's /health while the run works (a daemon thread); see LOST_AFTER_SECONDS."""
    _STATE.api_lost, _STATE.published = None, False  # a new run in this process (tests, serve)
    if not api_url or not api_url.startswith(("http://", "https://")):
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_watch, args=(api_url.rstrip("/"), stop), name="newsetl-api-watchdog",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        # The CLI keeps watching until it exits: Prefect's end of the flow run can hang on a lost API too.
        if _STATE.on_api_lost is None:
            stop.set()


def _watch(api_url: str, stop: threading.Event) -> None:
    # The flow run was just created through this API, so it answered a moment ago: the clock starts now.
    last_answer, failures = time.monotonic(), 0
    while not stop.wait(CHECK_EVERY_SECONDS):
        if _answers(f"{api_url}/health"):
            last_answer, failures = time.monotonic(), 0
            continue
        failures += 1
        if failures >= LOST_AFTER_FAILURES and time.monotonic() - last_answer >= LOST_AFTER_SECONDS:
            _STATE.api_lost = (f"the Prefect API at {api_url} stopped answering for {LOST_AFTER_SECONDS:.0f} s "
                               "(its server was stopped or crashed)")
            logging.getLogger("prefect").setLevel(logging.CRITICAL)  # its retries would only repeat that
            if _STATE.on_api_lost is not None:
                _STATE.on_api_lost(_STATE.api_lost)
            return


def _answers(url: str) -> bool:
    """Whether a server answers at `url` at all: an HTTP error status (a proxy's 401, a 404) is an answer too."""
    try:
        with urllib.request.urlopen(url, timeout=CHECK_TIMEOUT_SECONDS):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:  # refused, reset, timed out, no route
        return False


def end_cli_runs_promptly(command: str) -> None:
    """For the CLI: Ctrl-C ends the run within INTERRUPT_GRACE_SECONDS (a second Ctrl-C at once), and a
    lost Prefect API ends it as soon as no publish is in progress; one sentence, every child stopped."""
    interrupted = threading.Event()

    def on_interrupt(signum, frame):
        sentence = f"newsetl {command}: interrupted; nothing half-done was published."
        if interrupted.is_set():
            exit_now(130, sentence)
        interrupted.set()
        timer = threading.Timer(INTERRUPT_GRACE_SECONDS, exit_now, (130, sentence))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    def on_api_lost(reason: str) -> None:
        if _STATE.publishing.acquire(timeout=PUBLISH_WAIT_SECONDS):
            what = ("the run's days were published and recorded in the runs table before that"
                    if _STATE.published else "nothing was published; the next run processes these files again")
            exit_now(1, f"newsetl {command}: failed: {reason}; {what}.")

    signal.signal(signal.SIGINT, on_interrupt)
    _STATE.on_api_lost = on_api_lost


def say_once(sentence: str) -> None:
    """Print the run's closing sentence to stderr, once, whichever path ends the run, on a line of its own."""
    if not _STATE.said:
        _STATE.said = True
        fresh_line = getattr(sys.stderr, "at_line_start", True)
        os.write(2, (("" if fresh_line else "\n") + sentence + "\n").encode("utf-8", "replace"))


class _LineTrackingStream:
    """A text stream that remembers whether what was last written to it ended a line."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.at_line_start = True

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        if text:
            self.at_line_start = text.endswith("\n")
        return written

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def track_stderr_lines() -> None:
    """For the CLI, before its loggers are set up: sys.stderr remembers whether its last write ended a line,
    so that `say_once` (a raw write, from any thread) starts the closing sentence on a line of its own.
    Prefect's API log worker, when the API is gone, writes "All connection attempts failed" without a line
    break (3.8.8 and 3.9): the sentence was glued to it."""
    if not isinstance(sys.stderr, _LineTrackingStream):
        sys.stderr = _LineTrackingStream(sys.stderr)


def exit_now(code: int, sentence: str) -> None:
    """Stop every process this one started, say the sentence, and exit without Prefect's teardown."""
    stop_descendants()
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed stdout must not keep the process alive
        pass
    say_once(sentence)
    os._exit(code)


def stop_descendants(grace: float = CHILD_STOP_SECONDS) -> None:
    """SIGTERM every process below this one (batch workers, a temporary Prefect server), then SIGKILL what
    stays, looking again until none is left: the run's other threads may start a worker meanwhile (a
    retried batch). multiprocessing's resource tracker goes last, by SIGKILL: killed while a worker
    lives, it is relaunched with a warning; left alone, it warns of the workers' 'leaked semaphores'."""
    deadline = time.monotonic() + grace
    sig = signal.SIGTERM
    while pids := {pid for pid in descendants(os.getpid()) if not _is_resource_tracker(pid)}:
        if time.monotonic() >= deadline:
            sig = signal.SIGKILL
        _kill(pids, sig)
        time.sleep(0.05)
    _kill(descendants(os.getpid()), signal.SIGKILL)


def _kill(pids: set[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _is_resource_tracker(pid: int) -> bool:
    try:
        return b"multiprocessing.resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def proc_stat(pid: int | str) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ... (None if gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def descendants(root: int) -> set[int]:
    """Every live process whose parent chain leads to `root` (empty where there is no /proc)."""
    if not os.path.isdir("/proc"):
        return set()
    parents = {}
    for name in os.listdir("/proc"):
        fields = proc_stat(name) if name.isdigit() else None
        if fields and fields[0] != "Z":
            parents[int(name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
