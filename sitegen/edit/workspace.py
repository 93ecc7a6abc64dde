"""Check and preview a draft before it is saved: a private copy of the content with the draft's files in it.

The check is `sitegen check`'s, on the copy; the preview is `sitegen serve`'s renderer building the
copy, so a worker sees the changed page as residents will.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import threading
from collections import Counter, OrderedDict
from pathlib import Path

from sitegen.build import CHINA_TIME, check
from sitegen.config import SiteConfig
from sitegen.errors import ContentError
from sitegen.preview.serve import Preview
from sitegen.report import ListReporter

Overlay = dict[str, str | None]
KEPT_DRAFTS = 64  # drafts whose preview can still be asked for


def today() -> dt.date:
    """The editor's today: from ``SOURCE_DATE_EPOCH`` if set (as builds take it), else the clock, in China's time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), CHINA_TIME).date()
    return dt.datetime.now(CHINA_TIME).date()


def _files(root: Path) -> dict[str, os.stat_result]:
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path.relative_to(root).as_posix()] = stat
    return found


class Workspace:
    """The private copy, kept like the content folder plus the draft being checked or previewed."""

    def __init__(self, config: SiteConfig) -> None:
        self.content = config.content_dir
        self.folder = Path(tempfile.mkdtemp(prefix="sitegen-edit-"))
        self.copy = self.folder / "content"
        self.copy.mkdir()
        self.config = dataclasses.replace(config, content_dir=self.copy, today=today())
        self.lock = threading.RLock()
        self.copied: dict[str, tuple[int, int]] = {}
        self.overlay: Overlay = {}
        self.drafts: OrderedDict[str, Overlay] = OrderedDict()
        self.shown: str | None = None  # the draft the preview was last built with
        self.checked: tuple[object, list[ContentError]] | None = None  # the last check of the content as it is
        self.preview = Preview(self.config, ListReporter())

    def _sync(self, overlay: Overlay) -> set[str]:
        """Make the copy the content folder with ``overlay``'s files; return the paths that changed."""
        changed: set[str] = set()
        real = _files(self.content)
        wanted = set(real) | {rel for rel, text in overlay.items() if text is not None}
        wanted -= {rel for rel, text in overlay.items() if text is None}
        for rel in sorted(set(self.copied) - wanted):
            (self.copy / rel).unlink(missing_ok=True)
            del self.copied[rel]
            changed.add(rel)
        for rel in sorted(wanted):
            target = self.copy / rel
            if rel in overlay:
                data = (overlay[rel] or "").encode("utf-8")
                if target.is_file() and target.read_bytes() == data and self.copied.get(rel) == (-1, len(data)):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self.copied[rel] = (-1, len(data))  # never taken for the real file's size and time
            else:
                stat = real[rel]
                mark = (stat.st_mtime_ns, stat.st_size)
                if self.copied.get(rel) == mark:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.content / rel, target)
                self.copied[rel] = mark
            changed.add(rel)
        self.overlay = dict(overlay)
        return {os.path.realpath(self.copy / rel) for rel in changed}

    def _dated(self) -> None:
        day = today()
        if day != self.config.today:
            self.config = dataclasses.replace(self.config, today=day)
            self.preview.config = dataclasses.replace(self.preview.config, today=day)

    def check(self, overlay: Overlay) -> list[ContentError]:
        """Every problem `sitegen check` finds in the content with ``overlay``'s files."""
        with self.lock:
            self._dated()
            self._sync(overlay)
            state = (repr(sorted((rel, mark) for rel, mark in self.copied.items())), self.config.today)
            if not overlay and self.checked and self.checked[0] == state:
                return list(self.checked[1])  # the content as it is, checked already
            problems = check(self.config, ListReporter()).problems
            if not overlay:
                self.checked = (state, problems)
            return problems

    def keep(self, token: str, overlay: Overlay) -> None:
        """Remember a draft, so that its preview can be asked for."""
        with self.lock:
            self.drafts[token] = overlay
            self.drafts.move_to_end(token)
            while len(self.drafts) > KEPT_DRAFTS:
                self.drafts.popitem(last=False)

    def page(self, token: str, dest: str) -> tuple[Path | None, list[str]]:
        """The file ``dest`` of the site built with the draft ``token`` ("live": none), or the build's problems."""
        with self.lock:
            overlay = {} if token == "live" else self.drafts.get(token)
            if overlay is None:
                return None, []
            self._dated()
            touched = self._sync(overlay)
            if touched or self.shown != token or not self.preview.built:
                self.preview.rebuild(touched if self.preview.built else None)
                self.shown = token
            if self.preview.problems:
                return None, list(self.preview.problems)
            self.preview.fresh(dest)
            path = self.preview.site / dest
            return (path if path.is_file() else None), []

    def close(self) -> None:
        self.preview.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def new_problems(before: list[ContentError], after: list[ContentError]) -> list[ContentError]:
    """The problems of ``after`` that ``before`` did not have (lines aside: they move when lines are added)."""

    def key(problem: ContentError) -> tuple[str, str, str, str, str]:
        return (problem.path, problem.severity, str(problem.message), str(problem.hint), problem.source_line.strip())

    known = Counter(key(p) for p in before)
    fresh = []
    for problem in after:
        if known[key(problem)]:
            known[key(problem)] -= 1
        else:
            fresh.append(problem)
    return fresh
