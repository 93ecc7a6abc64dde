"""Render pages on every core: forked workers share the validated site instead of copying it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sitegen.i18n import Message, _
from sitegen.plan.qr import QrCache
from sitegen.plan.routes import Output
from sitegen.publish.write import write_file
from sitegen.workers import forkable, run_forked, working_on

# Below this many pages, starting workers costs more than it saves.
PARALLEL_FROM = 400

Render = Callable[[Output], bytes]


def _groups(outputs: Sequence[Output]) -> list[tuple[int, int]]:
    """Runs of consecutive pages with the same sources (one neighborhood's pages stay together)."""
    groups, start = [], 0
    for index in range(1, len(outputs) + 1):
        if index == len(outputs) or outputs[index].sources[:1] != outputs[start].sources[:1] or index - start >= 200:
            groups.append((start, index))
            start = index
    return groups


def render_into(outputs: Sequence[Output], render: Render, root: Path, codes: QrCache) -> None:
    """Render every output into ``root``: on several cores when there are many pages and fork exists.

    A worker that dies ends the build with an error naming the page it was rendering.
    """
    if not forkable(len(outputs), PARALLEL_FROM):
        for output in outputs:
            write_file(root, output.dest, render(output))
        return
    groups = _groups(outputs)

    def render_group(task: int) -> dict[str, tuple[int, str, str]]:
        """Render and write one run of pages; hand back the QR codes made on the way."""
        for index in range(*groups[task]):
            working_on(index)
            write_file(root, outputs[index].dest, render(outputs[index]))
        return codes.take_new()

    def rendering(index: int) -> Message:
        return _("rendering {page}", page=outputs[index].dest)

    run_forked(len(groups), render_group, lambda _task, new: codes.merge(new), rendering)
