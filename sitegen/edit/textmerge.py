"""Carry the changes between two dumps of a YAML file onto its original text, so that nothing else moves."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class _Hunk:
    """Lines ``start:end`` of the base dump, to be replaced by ``lines``."""

    start: int
    end: int
    lines: list[str]


def _is_aside(line: str) -> bool:
    """A blank line or a whole-line comment: text between values that belongs to no value."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _changes(base: list[str], changed: list[str]) -> list[_Hunk]:
    """What differs from ``base`` to ``changed``, with comments kept where they belong.

    ruamel.yaml keeps a comment with the value before it, so removing a value removes the comment
    that introduces the next section, and a value added at the end of a list lands after it. Both
    are put right here: a removal leaves the blank lines and comments it ended with, and an
    addition goes before the blank lines and the less indented comments that precede it.
    """
    hunks = []
    matcher = difflib.SequenceMatcher(None, base, changed, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        new = changed[j1:j2]
        if tag == "delete":
            while i2 > i1 and _is_aside(base[i2 - 1]):
                i2 -= 1
            if i2 > i1:
                hunks.append(_Hunk(i1, i2, []))
            continue
        if tag == "insert" and new and not _is_aside(new[0]):
            start, depth = i1, _indent(new[0])
            while (
                start > 0
                and _is_aside(base[start - 1])
                and (not base[start - 1].strip() or _indent(base[start - 1]) < depth)
            ):
                start -= 1
            hunks.append(_Hunk(start, i1, new + base[start:i1]))
            continue
        hunks.append(_Hunk(i1, i2, new))
    return hunks


def _anchors(base: list[str], original: list[str]) -> dict[int, int]:
    """Lines of ``base`` that are also in ``original``, unchanged: base index → original index."""
    matcher = difflib.SequenceMatcher(None, base, original, autojunk=False)
    found = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            found[block.a + k] = block.b + k
    return found


@dataclass
class _Span:
    """Where a change goes in the original: lines ``start:end`` there; and the base lines it spans."""

    hunk: _Hunk
    left: int  # the base lines from ``left`` to the hunk are written as in the base …
    right: int  # … and so are those from the hunk's end to ``right``
    start: int
    end: int


def _span(hunk: _Hunk, anchors: dict[int, int], base: list[str], original: list[str]) -> _Span:
    """Place a change in the original: at its own lines where they are there too, else at the nearest shared ones."""
    left, right = hunk.start, hunk.end
    if hunk.start < hunk.end and hunk.start in anchors:
        start = anchors[hunk.start]
    else:
        while left > 0 and left - 1 not in anchors:
            left -= 1
        start = anchors[left - 1] + 1 if left > 0 else 0
    if hunk.start < hunk.end and hunk.end - 1 in anchors:
        end = anchors[hunk.end - 1] + 1
    else:
        while right < len(base) and right not in anchors:
            right += 1
        end = anchors[right] if right < len(base) else len(original)
    return _Span(hunk, left, right, start, max(start, end))


def carry(original: list[str], base: list[str], changed: list[str]) -> list[str]:
    """``original`` with the changes that turn ``base`` into ``changed``.

    ``base`` is the original as ruamel.yaml writes it back unchanged: usually the very same lines,
    but a file indented in another style comes back differently. Where a change falls next to lines
    written differently, it reaches out to the nearest lines both texts share, and the lines in between
    are written as ruamel.yaml writes them: there and only there.
    """
    anchors = _anchors(base, original)
    spans: list[_Span] = []
    for hunk in _changes(base, changed):
        span = _span(hunk, anchors, base, original)
        while spans and (span.left < spans[-1].right or span.start < spans[-1].end):
            first = spans.pop().hunk
            joined = _Hunk(first.start, hunk.end, first.lines + base[first.end : hunk.start] + hunk.lines)
            hunk, span = joined, _span(joined, anchors, base, original)
        spans.append(span)
    result: list[str] = []
    position = 0
    for span in spans:
        result += original[position : span.start]
        result += base[span.left : span.hunk.start] + span.hunk.lines + base[span.hunk.end : span.right]
        position = span.end
    result += original[position:]
    return result
