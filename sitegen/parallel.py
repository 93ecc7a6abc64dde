"""Render pages on every core: forked workers share the validated site instead of copying it."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sitegen.qr import QrCache
from sitegen.routes import Output
from sitegen.write import write_file

# Below this many pages, starting workers costs more than it saves.
PARALLEL_FROM = 400

Render = Callable[[Output], bytes]

# The job of forked workers: set just before the pool forks, read by the workers, cleared after.
_job: tuple[Sequence[Output], Render, Path, QrCache] | None = None


def _render_group(group: tuple[int, int]) -> dict[str, tuple[int, bytes]]:
    """Render and write one run of pages; hand back the QR codes made on the way."""
    assert _job is not None
    outputs, render, root, codes = _job
    for index in range(*group):
        write_file(root, outputs[index].dest, render(outputs[index]))
    return codes.take_new()


def _groups(outputs: Sequence[Output]) -> list[tuple[int, int]]:
    """Runs of consecutive pages with the same sources (one neighborhood's pages stay together)."""
    groups, start = [], 0
    for index in range(1, len(outputs) + 1):
        if index == len(outputs) or outputs[index].sources[:1] != outputs[start].sources[:1] or index - start >= 200:
            groups.append((start, index))
            start = index
    return groups


def workers() -> int:
    """How many processes render: ``SITEGEN_JOBS`` if set (1 renders in this process), else every core."""
    asked = os.environ.get("SITEGEN_JOBS", "").strip()
    if asked.isdigit() and int(asked) > 0:
        return int(asked)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_into(outputs: Sequence[Output], render: Render, root: Path, codes: QrCache) -> None:
    """Render every output into ``root``: on several cores when there are many pages and fork exists."""
    global _job
    count = workers()
    # Forking a process that runs other threads (the preview server) can deadlock its children.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    small = len(outputs) < PARALLEL_FROM and not os.environ.get("SITEGEN_JOBS")
    if small or count < 2 or not forkable:
        for output in outputs:
            write_file(root, output.dest, render(output))
        return
    _job = (outputs, render, root, codes)
    try:
        context: Any = multiprocessing.get_context("fork")
        with context.Pool(count) as pool:
            for new_codes in pool.imap(_render_group, _groups(outputs)):
                codes.merge(new_codes)
    finally:
        _job = None
