"""What runs first in each local batch worker process.

Its own module, importing nothing but the standard library: a spawned worker imports the module
of its initializer, and `flows/runners.py` imports Prefect (~60 MB and ~1 s of CPU a worker that
never uses it).
"""
from __future__ import annotations

import importlib
import os
import signal
import threading
import time

ORPHAN_CHECK_SECONDS = 1.0


def init_batch_worker() -> None:
    """Batch workers leave Ctrl-C to the driver, which stops them: no traceback from each worker.
    And a worker whose driver is gone (killed, or ended at once by the CLI) stops within a second
    instead of finishing a batch nobody will publish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    driver = os.getppid()

    def exit_when_orphaned() -> None:
        while os.getppid() == driver:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=exit_when_orphaned, name="newsetl-orphan-check", daemon=True).start()


def warm_up() -> None:
    """What every batch needs first, done ahead: the batch code's imports and the language model,
    which loads on its first use (~1 s of CPU a worker in all)."""
    from newsetl.transforms.language import detect_language

    for module in ("newsetl.flows.batch", "newsetl.flows.neardup", "newsetl.transforms.articles"):
        importlib.import_module(module)

    detect_language("A sentence long enough for the language model to be asked about it.")
