"""Bound the work of turning Markdown into a page: find texts that would take too long or nest too deep.

Python-Markdown does some things in time that grows with the square of a paragraph: each `[` looks
for its `]` to the end of the paragraph, each `<` that opens an HTML tag for its `>` to the end of
the text, each line break or mark of formatting is put back into the whole paragraph, each
heading or line of dashes splits it again; and it nests lists and quotes by recursion. Every such
cost is counted here, in linear time, and a text whose estimated work exceeds a budget (about a
fifth of a second on a slow computer) is refused where its trouble starts, before it is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitegen.i18n import Message, _

MAX_CHARACTERS = 50_000
MAX_DEPTH = 16
# Estimated nanoseconds of rendering a text (as a page and as plain text), measured on a slow
# computer for each kind of work: per mark of formatting, per character a line break, a heading,
# a `[` or a `<` makes the parser go over again.
BUDGET = 400_000_000
MARK_NS, LINE_NS, SPLIT_NS, BRACKET_NS, TAG_NS = 70_000, 5, 100, 1250, 250

_NESTING = re.compile(r"[ \t]*((?:(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*|>[ \t]*)+)")
_MARKER = re.compile(r"[-+*]|\d{1,9}[.)]|>")
_SPLITTER = re.compile(r" {0,3}(?:#|([-*_=])(?:[ \t]*\1){2,}[ \t]*$|=+[ \t]*$|-+[ \t]*$)")
_BRACKETS = re.compile(r"\\.|\]\(|[\[\]]", re.DOTALL)
_TAG_START = re.compile(r"<[A-Za-z/]")
_MARKS = re.compile(
    r"\n|\*+|_+|`+|&|\\.|<|\[|\]\(|\d{3,}(?:[ -]\d{3,}){0,2}"  # line breaks, emphasis, code, links, numbers
    r"|^[ \t]*(?:[-+]|\d{1,9}[.)])[ \t]",  # list items
    re.MULTILINE,
)


@dataclass(frozen=True)
class Trouble:
    """Why a text cannot be rendered safely, and where (an offset in the text)."""

    offset: int
    message: Message
    hint: Message


def _blocks(text: str) -> list[tuple[int, int, list[str]]]:
    """The paragraphs of a text (runs of lines that are not blank): start, end and lines."""
    blocks: list[tuple[int, int, list[str]]] = []
    lines: list[str] = []
    start, offset = -1, 0
    for line in text.split("\n"):
        if line.strip():
            if start < 0:
                start, lines = offset, []
            lines.append(line)
        elif start >= 0:
            blocks.append((start, offset - 1, lines))
            start = -1
        offset += len(line) + 1
    if start >= 0:
        blocks.append((start, len(text), lines))
    return blocks


def _too_deep(text: str) -> tuple[int, int] | None:
    """The nesting of lists and quotes on the first line that nests too deep, and that line's offset."""
    offset = 0
    for line in text.split("\n"):
        match = _NESTING.match(line)
        if match:
            indent = len(line[: match.start(1)].expandtabs(4))
            depth = len(_MARKER.findall(match.group(1))) + indent // 2
            if depth > MAX_DEPTH:
                return depth, offset
        offset += len(line) + 1
    return None


def _bracket_scans(text: str, start: int, end: int) -> tuple[int, int, int]:
    """How far the `[` and `](` of a paragraph make the parser look: total, unmatched count, first unmatched."""
    total, unmatched, first = 0, 0, -1
    opened: list[int] = []
    for match in _BRACKETS.finditer(text, start, end):
        mark = match.group()
        if mark == "[":
            opened.append(match.start())
        elif mark[0] == "]":
            if opened:
                total += match.start() - opened.pop()
            if mark == "](":
                close = text.find(")", match.end(), end)
                total += (close if close >= 0 else end) - match.start()
                if close < 0:
                    unmatched += 1
                    first = match.start() if first < 0 else first
    for position in opened:
        total += end - position
    if opened:
        unmatched += len(opened)
        first = opened[0] if first < 0 else min(first, opened[0])
    return total, unmatched, first


def _tag_scans(text: str) -> tuple[int, int, int]:
    """How far the `<` that open HTML tags make the parser look: total, count never closed, first of those."""
    total, unclosed, first = 0, 0, -1
    for match in _TAG_START.finditer(text):
        line_end = text.find("\n", match.start())
        close = text.find(">", match.start(), line_end if line_end >= 0 else len(text))
        if close >= 0:
            total += close - match.start()
        else:
            total += len(text) - match.start()
            unclosed += 1
            first = match.start() if first < 0 else first
    return total, unclosed, first


def markdown_trouble(text: str) -> Trouble | None:
    """Why ``text`` would take too long to render or nest too deep, if it would; else None."""
    if len(text) > MAX_CHARACTERS:
        return Trouble(
            0,
            _(
                "the text is {length} characters long; at most {most} fit on one page",
                length=f"{len(text):,}",
                most=f"{MAX_CHARACTERS:,}",
            ),
            _("split it into several texts"),
        )
    deep = _too_deep(text)
    if deep is not None:
        depth, where = deep
        return Trouble(
            where,
            _(
                "the lists and quotes here are nested {depth} levels deep; at most {most} can be shown",
                depth=depth,
                most=MAX_DEPTH,
            ),
            _("nest them less deeply"),
        )
    return _too_slow(text)


def _too_slow(text: str) -> Trouble | None:
    brackets = unmatched = marks = 0
    first_bracket = -1
    busiest = (0, 0, 0, 0)  # cost, start, lines, marks of the paragraph that costs most
    paragraphs = 0
    for start, end, lines in _blocks(text):
        scanned, open_count, first = _bracket_scans(text, start, end)
        brackets += scanned
        unmatched += open_count
        if first >= 0 and first_bracket < 0:
            first_bracket = first
        found = len(_MARKS.findall(text, start, end))
        marks += found
        splitters = sum(1 for line in lines if _SPLITTER.match(line))
        cost = found * MARK_NS + ((len(lines) - 1) * LINE_NS + splitters * SPLIT_NS) * (end - start)
        paragraphs += cost
        if cost > busiest[0]:
            busiest = (cost, start, len(lines), found)
    tags, unclosed, first_tag = _tag_scans(text)
    costs = {"brackets": brackets * BRACKET_NS, "tags": tags * TAG_NS, "paragraphs": paragraphs}
    if sum(costs.values()) <= BUDGET:
        return None
    worst = max(costs, key=lambda kind: costs[kind])
    if worst == "brackets" and first_bracket >= 0:
        return Trouble(
            first_bracket,
            _(
                "the text has {count} `[` without a `]` (or `](` without a `)`): it would take too long "
                "to turn into a page",
                count=unmatched,
            ),
            _("write `\\[` for a bracket that starts no link, or finish the link: `[text](address)`"),
        )
    if worst == "tags" and first_tag >= 0:
        return Trouble(
            first_tag,
            _(
                "the text has {count} `<` that start an HTML tag never closed by `>`: it would take too long "
                "to turn into a page",
                count=unclosed,
            ),
            _("write `&lt;` for a `<` that starts no tag (HTML is not shown on the pages anyway)"),
        )
    cost, start, count, found = busiest
    if cost * 2 >= paragraphs:
        return Trouble(
            start,
            _(
                "the paragraph starting here is too long and busy to turn into a page in time "
                "({lines} lines, {marks} marks of formatting)",
                lines=count,
                marks=found,
            ),
            _(
                "split it into shorter paragraphs with empty lines between them, and put an empty line before "
                "and after each heading or line of dashes"
            ),
        )
    return Trouble(
        0,
        _(
            "the text has {marks} marks of formatting (line breaks, links, bold, list items …): "
            "too many to turn into a page in time",
            marks=marks,
        ),
        _("split it into several texts"),
    )
