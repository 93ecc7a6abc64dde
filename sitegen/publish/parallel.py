"""Render pages on every core: forked workers share the validated site instead of copying it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sitegen.plan.qr import QrCache
from sitegen.plan.routes import Output
from sitegen.publish.write import write_file
from sitegen.workers import forkable, pool

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


def render_into(outputs: Sequence[Output], render: Render, root: Path, codes: QrCache) -> None:
    """Render every output into ``root``: on several cores when there are many pages and fork exists."""
    global _job
    if not forkable(len(outputs), PARALLEL_FROM):
        for output in outputs:
            write_file(root, output.dest, render(output))
        return
    _job = (outputs, render, root, codes)
    try:
        with pool() as workers:
            for new_codes in workers.imap(_render_group, _groups(outputs)):
                codes.merge(new_codes)
    finally:
        _job = None
