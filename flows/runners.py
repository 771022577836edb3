"""Where batches run.

On this machine the flow's tasks are threads (one per worker), and each hands its
batch to a small pool of worker processes that import only the batch code
(pandas, pyarrow, the cleaners; no Prefect): Python work then uses every core,
and a worker costs ~1.5 s and ~150 MB to start instead of the ~9 s and ~500 MB
of a Prefect process-pool worker. A plan of one batch, or `--workers 1`, runs in
the task's own thread. With a Dask scheduler address the tasks run on that
cluster's workers instead, each batch in the worker that received it.
"""
from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.util
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, TypeVar

from prefect.task_runners import ThreadPoolTaskRunner

from newsetl.flows.settings import SettingError, Settings
from newsetl.flows.workers import init_batch_worker, warm_up

T = TypeVar("T")
R = TypeVar("R")
# A pool left idle this long is shut down: `serve` keeps no idle workers between runs.
POOL_IDLE_SECONDS = 30.0


def worker_count(settings: Settings) -> int:
    return settings.workers or os.cpu_count() or 1


def batch_spread(settings: Settings) -> int:
    """What a run's batch count is rounded up to a multiple of: the local worker processes (1 on Dask,
    whose workers are not ours to count)."""
    return 1 if settings.dask_address else worker_count(settings)


def local_processes(settings: Settings, batches: int) -> int:
    """Worker processes for a local run of `batches` batches; 0 runs each batch in its task's thread."""
    if settings.dask_address:
        return 0
    processes = min(worker_count(settings), batches)
    return processes if processes > 1 else 0


def task_runner_for(settings: Settings):
    """The flow's task runner: threads that feed the local process pool, or Dask."""
    if settings.dask_address:
        return dask_task_runner(settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=worker_count(settings))


def dask_task_runner(address: str):
    """prefect-dask's runner connected to an existing scheduler; it never starts or stops the cluster."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise SettingError("--dask-address needs the Dask extra; install it with "
                           "pip install 'newsetl[dask]'.") from None
    return DaskTaskRunner(address=address)


def run_in_processes(function: Callable[[T], R], argument: T, *, processes: int,
                     run: str = "", part: int = 0, parts: int = 0) -> R:
    """`function(argument)` in this process's shared pool of `processes` workers, or here when 0.

    When `part` `parts` of `run` have all succeeded the pool is shut down at once, and waited for,
    so its workers' memory is given back before publishing begins, not after the idle timeout nor
    while the driver already reads the staged rows (the whole run's peak memory was that overlap)."""
    if processes <= 0:
        return function(argument)
    result = _POOL.run(function, argument, processes)
    if parts and _POOL.part_done(run, part, parts):
        _POOL.shutdown(wait=True)
    return result


def prestart_workers(processes: int) -> None:
    """Start this process's pool of `processes` workers now, and let each import the batch code and
    load the language model, without waiting: a command that knows it will have batches to run does
    this while its Prefect server boots. 0 or 1: nothing (such runs use no pool)."""
    if processes > 1:
        _POOL.prestart(processes)


class _SharedPool:
    """One process pool per driver process, shared by the flow's task threads, started on
    first use and shut down when idle or at exit. A broken pool (a worker killed, e.g. by
    the OOM killer) is replaced on the next use, so a task retry gets fresh workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._size = 0
        self._active = 0
        self._timer: threading.Timer | None = None
        self._done: dict[str, set[int]] = {}

    def part_done(self, run: str, part: int, parts: int) -> bool:
        """Record one finished part of a run; True when it was the run's last."""
        with self._lock:
            done = self._done.setdefault(run, set())
            done.add(part)
            if len(done) < parts:
                return False
            del self._done[run]
            return True

    def prestart(self, processes: int) -> None:
        with self._lock:
            executor = self._executor_locked(processes)
            for _ in range(processes):  # a spawn pool starts a worker per submitted job, up to its size
                executor.submit(warm_up)

    def run(self, function, argument, processes: int):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            executor = self._executor_locked(processes)
            self._active += 1
        try:
            return executor.submit(function, argument).result()
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:
                    self._executor = None
            raise
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0 and self._executor is not None:
                    self._timer = threading.Timer(POOL_IDLE_SECONDS, self._shutdown_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    def _executor_locked(self, processes: int) -> ProcessPoolExecutor:
        if self._executor is None or self._size != processes:
            self._shutdown_locked()
            # spawn: the driver has threads (Prefect's), so forking it is unsafe.
            self._executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=init_batch_worker)
            self._size = processes
        return self._executor

    def _shutdown_if_idle(self) -> None:
        with self._lock:
            if self._active == 0:
                self._shutdown_locked()

    def _shutdown_locked(self, wait: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    def shutdown(self, wait: bool = False) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._shutdown_locked(wait)


_POOL = _SharedPool()
atexit.register(_POOL.shutdown)


def stop_workers() -> None:
    """Stop the local batch workers now and wait for them (for a process about to end without its
    atexit handlers), then release what multiprocessing holds for them (its semaphores, which its
    resource tracker would otherwise report as leaked)."""
    _POOL.shutdown(wait=True)
    multiprocessing.util._exit_function()  # what multiprocessing's own atexit handler runs
    # Its resource tracker reads until this process's end of their pipe closes: close it and reap the
    # tracker now, so that nothing of the run outlives it (it has nothing left to clean up).
    from multiprocessing import resource_tracker

    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()
