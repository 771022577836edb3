"""Where batches run: worker processes on this machine (threads would share one
core for Python work), or a single thread when asked for one worker."""
from __future__ import annotations

import os

from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from flows.settings import Settings


def worker_count(settings: Settings) -> int:
    return settings.workers or os.cpu_count() or 1


def task_runner_for(settings: Settings):
    workers = worker_count(settings)
    if workers == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers)
