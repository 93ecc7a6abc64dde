"""Tell the user what happened: problems in the editor-clickable format, and a summary."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from sitegen.errors import ContentError
from sitegen.i18n import DEFAULT_LANGUAGE, Message, _, ngettext, translate


class Reporter(Protocol):
    def problems(self, problems: list[ContentError]) -> None: ...

    def info(self, message: str) -> None: ...


class ConsoleReporter:
    """Problems to ``out`` (one block each), progress and summaries to ``err``, in ``lang``."""

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, lang: str = DEFAULT_LANGUAGE, quiet: bool = False
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.lang = lang
        self.quiet = quiet  # problems and errors only

    def problems(self, problems: list[ContentError]) -> None:
        for problem in problems:
            print(problem.format(self.lang), file=self.out)

    def info(self, message: str) -> None:
        if not self.quiet:
            print(translate(message, self.lang), file=self.err)

    def error(self, message: str) -> None:
        """Why the command failed: said even when quiet."""
        print(translate(message, self.lang), file=self.err)


class ListReporter:
    """Collects everything, for tests."""

    def __init__(self) -> None:
        self.reported: list[ContentError] = []
        self.messages: list[str] = []

    def problems(self, problems: list[ContentError]) -> None:
        self.reported.extend(problems)

    def info(self, message: str) -> None:
        self.messages.append(message)


def summarize(problems: list[ContentError]) -> Message:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if errors and warnings:
        return _(
            "{errors}, {warnings}",
            errors=ngettext("{count} error", "{count} errors", errors),
            warnings=ngettext("{count} warning", "{count} warnings", warnings),
        )
    if errors:
        return ngettext("{count} error", "{count} errors", errors)
    if warnings:
        return ngettext("{count} warning", "{count} warnings", warnings)
    return _("no problems")


class Stopwatch:
    """Per-stage counts and timings: told to the user when they watch a terminal, else kept quiet."""

    def __init__(self, reporter: Reporter, stream: TextIO | None = None) -> None:
        self.reporter = reporter
        stream = stream or sys.stderr
        self.loud = hasattr(stream, "isatty") and stream.isatty()
        self.start = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        if self.loud:
            self.reporter.info(f"  {what} ({now - self.last:.2f} s)")
        self.last = now
