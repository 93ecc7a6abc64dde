"""Run work on every core with forked workers that see this process as it is (nothing pickled but results)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def workers() -> int:
    """How many processes render: ``SITEGEN_JOBS`` if set (1 renders in this process), else every core."""
    asked = os.environ.get("SITEGEN_JOBS", "").strip()
    if asked.isdigit() and int(asked) > 0:
        return int(asked)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def forkable(items: int, least: int) -> bool:
    """Whether to fork workers for ``items`` pieces of work (not worth it below ``least``)."""
    # Forking a process that runs other threads (the preview server) can deadlock its children.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    small = items < least and not os.environ.get("SITEGEN_JOBS")
    return forkable and not small and workers() > 1


def pool() -> Any:
    """A pool of forked workers, one per core."""
    return multiprocessing.get_context("fork").Pool(workers(), initializer=_worker_signals)


def _worker_signals() -> None:
    """Let SIGTERM end a worker at once, as the pool expects when it ends them.

    A worker inherits this process's handlers, and the preview's SIGTERM handler is Python code: a
    SIGTERM that comes just as a worker starts to wait for its next task is noted, but Python runs the
    handler only after the wait, which never ends, and the pool waits for the worker for ever.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


# The function and items of fork_map: set just before the pool forks, read by the workers.
_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run_task(index: int) -> Any:
    assert _task is not None
    function, items = _task
    return function(items[index])


def fork_map(function: Callable[[Item], Result], items: Sequence[Item], least: int) -> list[Result]:
    """``[function(item) for item in items]``, on every core when there are at least ``least`` items.

    Forked workers see this process as it is (nothing is pickled but the results), so ``function``
    may be any callable, a closure or a bound method.
    """
    global _task
    if not forkable(len(items), least):
        return [function(item) for item in items]
    _task = (function, items)
    try:
        with pool() as running:
            return list(running.imap(_run_task, range(len(items)), chunksize=8))
    finally:
        _task = None
