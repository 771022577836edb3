"""What runs first in each local batch worker process.

Its own module, importing nothing but the standard library: a spawned worker imports the module
of its initializer, and `flows/runners.py` imports Prefect (~60 MB and ~1 s of CPU a worker that
never uses it).
"""
from __future__ import annotations

import atexit
import ctypes
import importlib
import os
import signal
import sys
import threading
import time

ORPHAN_CHECK_SECONDS = 1.0


def init_batch_worker() -> None:
    """Batch workers leave Ctrl-C to the driver, which stops them: no traceback from each worker.
    And a worker whose driver is gone (killed, or ended at once by the CLI) stops within a second
    instead of finishing a batch nobody will publish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()
    driver = os.getppid()

    def exit_when_orphaned() -> None:
        while os.getppid() == driver:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=exit_when_orphaned, name="newsetl-orphan-check", daemon=True).start()
    atexit.register(_end_at_once)


# glibc's malloc: blocks up to this size come from the heap instead of a mapping of their own, and the
# heap keeps up to this much freed memory at its top instead of handing it back to the kernel.
MMAP_THRESHOLD_BYTES = 32 << 20
TRIM_THRESHOLD_BYTES = 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def keep_freed_memory() -> None:
    """Let this process reuse the memory numpy and pandas free instead of faulting fresh pages in.

    A batch allocates and frees arrays of a few MB per step (a chunk's bytes, its word offsets and
    hashes); glibc maps each such block afresh and unmaps it on free, so every use pays the kernel
    for zeroed pages: 25 us of system time an article in the signature step alone (204,000 page
    faults for 30,000 articles; 4,400 with these settings). Both thresholds are set: either alone
    turns off glibc's own adaptation and made it worse. Costs ~20 MB of resident memory. Other C
    libraries (musl, macOS): nothing is done."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        pass


def warm_up() -> None:
    """What every batch needs first, done ahead: the batch code's imports and the language model,
    which loads on its first use (~1 s of CPU a worker in all)."""
    from newsetl.transforms.language import detect_language

    for module in ("newsetl.flows.batch", "newsetl.flows.neardup", "newsetl.transforms.articles"):
        importlib.import_module(module)

    detect_language("A sentence long enough for the language model to be asked about it.")


def _end_at_once() -> None:
    """A worker told to stop ends without the interpreter's teardown of pandas, pyarrow and the cleaners:
    0.3-0.5 s a pool, during which its ~200 MB a worker were still held while the driver began publishing.
    Nothing is left to write by then (a batch's staged files are closed before it returns its summary;
    multiprocessing's own exit handlers have run before the interpreter's atexit handlers)."""
    exit_at_once(0)


def exit_at_once(code: int) -> None:
    """End this process now, without the interpreter's teardown: the standard streams are flushed,
    nothing else runs (the caller has finished or stopped everything that writes)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream must not keep the process alive
            pass
    os._exit(code)
