"""The writer lock of a warehouse: one `ingest` or `backfill` at a time, for the whole run.

`warehouse/.lock` (outside every table folder) is held with `fcntl.flock`: the
kernel releases it when its process dies, however it dies, so a lock left by a
killed run is never mistaken for a live one and is simply taken over. The file
also records who holds it (pid, host, start, command) for the waiting run's
message and for `newsetl status`; it is emptied, never deleted, on release
(deleting a flocked file lets two processes lock two different files).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

log = logging.getLogger("newsetl.lock")

LOCK_FILE = ".lock"
# How often a waiting run tries the lock again.
POLL_SECONDS = 0.2


class LockTimeout(Exception):
    """Another run held the lock for the whole wait; the message is one sentence naming it."""


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    started_at: str
    command: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started_at} ({self.command})"


def lock_path(warehouse: str | Path) -> Path:
    return Path(warehouse) / LOCK_FILE


@contextmanager
def writer_lock(warehouse: str | Path, *, command: str, timeout: float) -> Iterator[LockHolder]:
    """Hold the warehouse's writer lock, waiting up to `timeout` seconds for it."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        left_behind = _acquire(fd, path, timeout)
        if left_behind is not None:
            log.warning("took over the warehouse lock left by a run that is gone: %s", left_behind.describe())
        holder = LockHolder(pid=os.getpid(), host=socket.gethostname(),
                            started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), command=command)
        _write(fd, json.dumps(holder.__dict__).encode())
        try:
            yield holder
        finally:
            _write(fd, b"")
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float) -> LockHolder | None:
    """Lock `fd`; return the holder recorded by a run that died holding it, if any."""
    deadline = time.monotonic() + max(timeout, 0.0)
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return _parse(os.pread(fd, 4096, 0))
        except BlockingIOError:
            holder = _parse(os.pread(fd, 4096, 0))
            if time.monotonic() >= deadline:
                who = holder.describe() if holder else "another process (it has not written its details yet)"
                raise LockTimeout(
                    f"the warehouse {path.parent} is locked by {who}; waited {timeout:g} s — "
                    "let that run finish, or pass --lock-timeout SECONDS to wait longer."
                ) from None
            if not waited:
                log.info("warehouse is locked by %s; waiting up to %g s",
                         holder.describe() if holder else "another process", timeout)
                waited = True
            time.sleep(POLL_SECONDS)


def read_lock(warehouse: str | Path) -> tuple[LockHolder | None, bool]:
    """Who the lock file names, and whether a live process holds the lock now (for `status`)."""
    path = lock_path(warehouse)
    if not path.exists():
        return None, False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None, False
    try:
        holder = _parse(os.pread(fd, 4096, 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return holder, True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return holder, False
    finally:
        os.close(fd)


def _write(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def _parse(data: bytes) -> LockHolder | None:
    try:
        fields = json.loads(data.decode())
        return LockHolder(pid=int(fields["pid"]), host=str(fields["host"]),
                          started_at=str(fields["started_at"]), command=str(fields["command"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
