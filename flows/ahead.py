"""The listing of raw/ a CLI command starts in a process of its own before it imports Prefect.

Importing Prefect, pandas and the flows takes the CLI ~2.5-3.5 s of one core, and listing a raw
zone of 100,000 files ~1 s more (a stat a file); on two cores the two can overlap. The command
forks a lister first thing (only the standard library is loaded then: no thread, no allocator
state to copy), which writes the listing to an Arrow IPC file and ends; the plan takes it (see
`ingest.prelist_raw_zone`) or, if the lister failed, lists raw/ itself and meets the error there.
Standard library only, until the fork.
"""
from __future__ import annotations

import os
import signal
import tempfile
import time
from dataclasses import dataclass
from datetime import date

from newsetl.flows.workers import exit_at_once


@dataclass(frozen=True)
class ListingAhead:
    """A lister process: its pid, the file it writes to (open, with no name: nothing is left behind
    whichever of the two processes is killed, and when), and when it started (the listing is at least
    this fresh)."""
    pid: int
    fd: int
    started: float

    def take(self):
        """The listing (a pyarrow Table), once the lister has ended; None if it failed for any reason."""
        try:
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            import pyarrow as pa

            # From the start: the lister shares this file's offset, which its write left at the end.
            written = os.fstat(self.fd).st_size
            return pa.ipc.open_file(pa.py_buffer(os.pread(self.fd, written, 0))).read_all()
        except (OSError, ChildProcessError, ValueError):
            return None
        finally:
            os.close(self.fd)


def list_raw_zone_ahead(raw: str | os.PathLike, start: date | None, end: date | None) -> ListingAhead | None:
    """Fork a process that lists raw/ as the run's plan would (rawzone.scan_for_run); None if it cannot start."""
    try:
        with tempfile.TemporaryFile(prefix="newsetl-listing-") as unnamed:  # O_TMPFILE on Linux: never named
            fd = os.dup(unnamed.fileno())
    except OSError:
        return None
    started = time.monotonic()
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        return None
    if pid == 0:
        _list_into(fd, raw, start, end)
    return ListingAhead(pid, fd, started)


def _list_into(fd: int, raw, start: date | None, end: date | None) -> None:
    """In the lister: Ctrl-C and SIGTERM as by default (not the command's handlers), list, write, end at once."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        import pyarrow as pa

        from newsetl.flows.rawzone import scan_for_run

        listing = scan_for_run(raw, start, end)
        with os.fdopen(fd, "wb") as out, pa.ipc.new_file(out, listing.schema) as writer:
            writer.write_table(listing)
        code = 0
    except BaseException:  # noqa: BLE001 - any failure: the plan lists raw/ itself and reports it there
        pass
    finally:
        exit_at_once(code)
