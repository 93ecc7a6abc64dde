"""Errors that sitegen reports to users, as opposed to bugs in sitegen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sitegen.i18n import DEFAULT_LANGUAGE, _, ngettext, translate

Severity = Literal["error", "warning"]

# Characters a terminal would act on instead of showing: controls, and the zero-width and bidi marks
# that reorder a line (a file name or a value quoted in a message may hold them).
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


class SitegenError(Exception):
    """A problem caused by the user's input or environment; printed without a traceback."""


@dataclass(frozen=True, order=True)
class ContentError:
    """One located problem in a content file.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    ``source_line`` is the text of the offending line, shown under the message.
    """

    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"
    hint: str = ""
    source_line: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Return the editor-clickable text: ``path:line:col: error: message`` and context, in ``lang``.

        ``error`` and ``warning`` stay English in every language: tools read them.
        """
        message = " ".join(
            translate(self.message, lang).split("\n")
        )  # one problem, one line, even for multi-line values
        message = _INVISIBLE.sub("\ufffd", message)
        lines = [f"{_INVISIBLE.sub(chr(0xFFFD), self.path)}:{self.line}:{self.column}: {self.severity}: {message}"]
        if self.source_line.strip():
            shown = _INVISIBLE.sub("\ufffd", self.source_line.replace("\t", "→")).rstrip()
            lines.append("    " + shown)
        if self.hint:
            lines.append("    " + _INVISIBLE.sub("\ufffd", translate(_("hint: {hint}", hint=self.hint), lang)))
        return "\n".join(lines)


class BuildAborted(SitegenError):
    """The content has errors, so nothing was written."""

    def __init__(self, problems: list[ContentError]) -> None:
        self.problems = problems
        count = sum(1 for p in problems if p.is_error)
        super().__init__(
            ngettext(
                "{count} error in the content; nothing was written",
                "{count} errors in the content; nothing was written",
                count,
            )
        )


def has_errors(problems: list[ContentError], strict: bool = False) -> bool:
    """Return whether the problems stop a build (warnings count when ``strict``)."""
    return any(p.is_error or strict for p in problems)
