"""Measure text as the print sheets set it: widths from the fonts' own metrics, lines broken as a browser breaks them.

The sheets name "Noto Sans CJK SC" first (Source Han Sans SC is the same design). Every CJK font
sets ideographs and full-width punctuation 1 em wide; Latin letters, digits and symbols differ
from font to font. ``fontwidths.json`` holds, for the regular and the bold weight, the advance
width of every character that is not 1 em: the wider of Noto Sans CJK SC and DejaVu Sans (among
the widest sans-serif faces, and the one a Linux browser falls back to for Latin). So a measure
is never narrower than what a browser prints with the named fonts, and a machine that lacks them
and prints with another CJK font (Microsoft YaHei, PingFang SC …) prints narrower still.

Lines are broken as Chromium breaks them, or later: between two CJK characters, after a space,
never before closing punctuation or after opening punctuation; a run of Latin letters and digits
is one word, broken anywhere only when it is longer than a line (``overflow-wrap: anywhere``).
Where a browser may break and the measure does not, the measure counts more lines, never fewer.

The table is made from the installed fonts with fontTools: ``python -m sitegen.plan.measure``.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MM_PER_PT = 25.4 / 72
TABLE = Path(__file__).with_name("fontwidths.json")
BREAKS = Path(__file__).with_name("linebreaks.json")

# What fontwidths.json is made from (Debian: fonts-noto-cjk, fonts-dejavu-core).
SOURCES = {
    "regular": [
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans"),
    ],
    "bold": [
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVu Sans"),
    ],
}
# The characters measured one by one; all others are taken as 1 em (CJK) or wider (see _default).
MEASURED = [(0x20, 0x250), (0x2000, 0x2C00), (0x3000, 0x3040), (0xFF00, 0xFFF0)]

# Line breaking. Characters fall in classes that break alike (after Unicode's line breaking
# algorithm, UAX #14, as Chromium applies it to Chinese text); each class is named by its first
# member. ``linebreaks.json`` says, for each two classes, whether a line may break between them,
# as Chromium decides (tests/test_measure.py measures it again and compares).
BREAK_CLASSES = [
    "锦",  # ideographs, kana and full-width forms: every character that is not listed and is wide
    "a",  # letters, and every character that is not listed and is not wide
    "1",
    "/",
    "-",
    ".,:;",
    "?",
    "!",
    "(",
    ")]",
    "（「《【『〔〈〖〘〚［｛",
    "），。、」》】？！』〕〉〗〙〛］｝",
    "·→①×÷•",
    "—",
    "–",
    "…”々・；：‥",
    "%",
    "°℃‰％",
    "+",
    "¥＄",
    "$",
    "#&=~*>",
    "_@^`",
    '"',
    "'",
    "“",
    "‘’",
    "|",
    "<",
    "\\",
    "}",
]
CLASS_OF = {char: members[0] for members in BREAK_CLASSES for char in members}
AUTOSPACE = 0.125  # CSS text-autospace between ideographs and Latin letters or digits, should a browser add it


@functools.cache
def line_class(char: str) -> str:
    """The class of ``char`` for line breaking (named by its first member)."""
    if char in CLASS_OF:
        return CLASS_OF[char]
    if char.isdigit() and char.isascii():
        return "1"
    return "锦" if is_wide(char) else "a"


@functools.cache
def _breaks() -> dict[str, dict[tuple[str, str], bool]]:
    data = json.loads(BREAKS.read_text(encoding="utf-8"))
    names = [members[0] for members in BREAK_CLASSES]
    return {
        mode: {(a, b): row[j] == "1" for a, row in zip(names, rows, strict=True) for j, b in enumerate(names)}
        for mode, rows in data.items()
    }


@functools.cache
def _table() -> dict[str, dict[int, float]]:
    """Advance widths in em by weight, of every measured character that is not 1 em wide."""
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    table: dict[str, dict[int, float]] = {}
    for weight in ("regular", "bold"):
        widths: dict[int, float] = {}
        for start, run in data[weight]:
            for offset, width in enumerate(run):
                widths[start + offset] = width / 1000
        table[weight] = widths
    return table


@functools.cache
def is_wide(char: str) -> bool:
    """A character between which lines may break: ideographs, kana, hangul, full-width symbols
    (full-width letters and digits make words, as Latin ones do)."""
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char) not in ("Nd", "Lu", "Ll")


def _default(code: int) -> float:
    """The width of a character outside the table: 1 em, and more for emoji and other pictographs."""
    return 1.25 if code >= 0x1F000 else 1.0


GLUE = "\u2060"  # WORD JOINER: no line break on either side; joins the characters of a text set with nowrap


def nowrap(text: str) -> str:
    """``text`` as one piece that no line breaks (CSS ``white-space: nowrap``), for measuring."""
    return GLUE.join(text)


def advance(char: str, bold: bool = False) -> float:
    """The advance width of one character, in em."""
    if char == GLUE:
        return 0.0
    code = ord(char)
    return _table()["bold" if bold else "regular"].get(code, _default(code))


class _Widths(dict[str, float]):
    """The advance of each character of one weight, in em, filled in as characters are first met."""

    def __init__(self, weight: str) -> None:
        super().__init__()
        self.weight = weight

    def __missing__(self, char: str) -> float:
        width = self[char] = advance(char, self.weight == "bold")
        return width


_WIDTHS = {False: _Widths("regular"), True: _Widths("bold")}


# A district's grid overview alone measures some 16,000 texts (48,000 at 3,000 neighborhoods), each
# at a dozen sizes. What does not change with the size is kept for each text, compactly: where each
# character starts (in em), where an autospace goes and where a line may break.
TEXTS_KEPT = 1 << 16


@functools.lru_cache(maxsize=TEXTS_KEPT)
def _advances(text: str, bold: bool, spacing: float) -> array[float]:
    """Where each character of ``text`` starts, in em from the start, and where the text ends.

    ``text[a:b]`` is ``starts[b] - starts[a]`` wide, less the autospace before ``text[a]`` (see _gaps).
    """
    gaps = _gaps(text)
    weights = _WIDTHS[bold]
    if not spacing and 1 not in gaps:
        # Each start is the one before plus the character's advance, summed in C.
        return array("d", itertools.accumulate(map(weights.__getitem__, text), initial=0.0))
    if GLUE in text:
        starts = array("d", [0.0])
        at = 0.0
        for index, char in enumerate(text):
            at = at + (AUTOSPACE if gaps[index] else 0.0) + weights[char] + (spacing if char != GLUE else 0.0)
            starts.append(at)
        return starts
    # The same sums in the same order, in C: the autospace before each character, its advance and
    # the spacing after it, added one after the other; every third sum is where a character starts.
    steps = [map(_GAP.__getitem__, gaps), map(weights.__getitem__, text), itertools.repeat(spacing)]
    sums = itertools.accumulate(itertools.chain.from_iterable(zip(*steps, strict=False)), initial=0.0)
    return array("d", itertools.islice(sums, 0, None, len(steps)))


_GAP = (0.0, AUTOSPACE)


def forget(beyond: int = 0) -> None:
    """Let go of the texts measured so far, once the caches hold more than ``beyond`` of them.

    A worker calls it between neighborhoods: few texts of one are measured again for the next, and
    the caches would hold a district's worth (clearing them after every neighborhood would cost
    measuring the texts every sheet shares again each time).
    """
    caches = (_advances, _breaks_in, _count_lines)
    if any(kept.cache_info().currsize > beyond for kept in caches):
        for kept in caches:
            kept.cache_clear()


def width_em(text: str, bold: bool = False, spacing: float = 0.0) -> float:
    """The width of ``text`` on one line, in em, with ``spacing`` em of letter spacing after each character."""
    kept = _widths_kept
    if kept is None:
        return _advances(text, bold, spacing)[-1]
    widths = kept.setdefault((bold, spacing), {})
    width = widths.get(text)
    if width is None:
        width = widths[text] = _advances.__wrapped__(text, bold, spacing)[-1]
    return width


# The widths of the texts measured while a fit asks about many texts at many sizes (a district's grid
# overview: hundreds of thousands, each at a dozen sizes, more than the caches above keep), by weight
# and spacing: a width in em is the same at every size, and most texts are one line at most sizes.
_widths_kept: dict[tuple[bool, float], dict[str, float]] | None = None


@contextmanager
def widths_kept() -> Iterator[None]:
    """Keep the width of every text measured in the body (a float each), and let go of them after it.

    Line counts are not kept meanwhile: each is for one size, and such a fit asks for each text at a
    dozen (a district's grid overview filled the cache with 65,536 of them, 16 MB, for no gain).
    """
    global _widths_kept
    outer = _widths_kept
    _widths_kept = {} if outer is None else outer
    try:
        yield
    finally:
        _widths_kept = outer


def width_mm(text: str, size: float, bold: bool = False, spacing: float = 0.0) -> float:
    """The width of ``text`` on one line at ``size`` pt, in millimetres."""
    return width_em(text, bold, spacing) * size * MM_PER_PT


@functools.lru_cache(maxsize=TEXTS_KEPT)
def _breaks_in(text: str, anywhere: bool) -> tuple[tuple[int, ...], bytes]:
    """The places in ``text`` where a line may break, and its end; and for each place in ``text``
    (its end too) whether an autospace goes before the character there (1) or not (0)."""
    # Never before a space or on either side of a glue; after a space as after an ideograph; after a
    # hyphen before a digit when a letter or digit comes before the hyphen (2026-11-14 breaks after
    # each hyphen; -14 alone is a negative number); else as linebreaks.json says for the two classes.
    pairs = _breaks()["break-all" if anywhere else "normal"]
    classes = [line_class(char) for char in text]
    found = []
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        if after == " " or after == GLUE or before == GLUE:
            continue
        if before == " ":
            if pairs["锦", classes[index]]:
                found.append(index)
        elif before == "-" and index > 1 and after.isdigit() and classes[index - 2] in ("a", "1"):
            found.append(index)
        elif pairs[classes[index - 1], classes[index]]:
            found.append(index)
    return (*found, len(text)), _gaps(text)


_ASCII_WORD = re.compile("[0-9A-Za-z]+")


def _gaps(text: str) -> bytes:
    """For each place in ``text`` (its end too), whether an autospace goes before the character there:
    between an ideograph and an ASCII letter or digit, so only at either end of a run of those."""
    gaps = bytearray(len(text) + 1)
    if not text.isascii():
        for word in _ASCII_WORD.finditer(text):
            start, end = word.span()
            if start > 0 and is_wide(text[start - 1]):
                gaps[start] = 1
            if end < len(text) and is_wide(text[end]):
                gaps[end] = 1
    return bytes(gaps)


_SPACES = re.compile(r"[ \t\r\f]+")


def _line_spans(
    text: str, room: float, bold: bool, spacing: float, anywhere: bool, most: int = 0
) -> list[tuple[int, int]]:
    """(start, end) of each line of one paragraph, greedily filled as a browser fills them (only the
    first ``most`` when ``most`` is given).

    A line ends at the last place it may break before it is fuller than ``room``. That place is
    looked up, not walked to: the widths of the text from a line's start grow with where it ends, so
    the places that fit come first, and the last of them is found by bisecting where the characters
    start (then checked exactly, place by place, as a walk would check it). Chinese text may break
    after every character: a walk would measure each of them.
    """
    starts = _advances(text, bold, spacing)
    end = len(text)
    while end > 0 and text[end - 1] == " ":
        end -= 1
    if starts[end] <= room:  # all on one line (no autospace goes before the first character)
        return [(0, end)]
    breaks, gaps = _breaks_in(text, anywhere)
    count = len(breaks)

    def width(a: int, b: int) -> float:
        return starts[b] - starts[a] - (AUTOSPACE if gaps[a] else 0.0)

    def strip(end: int) -> int:
        while end > 0 and text[end - 1] == " ":
            end -= 1
        return end

    def fits(start: int, at: int) -> bool:
        return width(start, strip(breaks[at])) <= room

    lines: list[tuple[int, int]] = []
    start = previous = at = 0
    while at < count:
        # The last place to break at that keeps the line from ``start`` within the room: near the
        # last character that ends within it (a space after that may hang over the edge).
        limit = starts[start] + room + (AUTOSPACE if gaps[start] else 0.0)
        reach = bisect.bisect_right(starts, limit, start) - 1
        last = bisect.bisect_right(breaks, reach + 1, at) - 1
        while last + 1 < count and fits(start, last + 1):
            last += 1
        while last >= at and not fits(start, last):
            last -= 1
        if last >= at:
            previous, at = breaks[last], last + 1
            if at == count:
                break
        end = breaks[at]  # the first place past the room
        if previous > start:
            lines.append((start, strip(previous)))
            start = previous
        while width(start, strip(end)) > room:  # longer than a line: broken anywhere
            limit = room + starts[start] + (AUTOSPACE if gaps[start] else 0.0)
            cut = max(start + 1, bisect.bisect_right(starts, limit, start + 1, strip(end)) - 1)
            lines.append((start, cut))
            start = cut
        if most and len(lines) >= most:
            return lines[:most]
        previous = end
        at += 1
    lines.append((start, strip(len(text))))
    return lines[:most] if most else lines


def break_lines(
    text: str,
    width: float,
    size: float,
    bold: bool = False,
    spacing: float = 0.0,
    anywhere: bool = False,
    most: int = 0,
) -> list[str]:
    """``text`` broken into lines ``width`` mm wide at ``size`` pt, as a browser sets it.

    ``spacing`` is CSS letter-spacing in em; ``anywhere`` is ``word-break: break-all``. A newline
    always breaks (as with ``white-space: pre-line``); a piece longer than a line breaks where it
    must (``overflow-wrap: anywhere``). With ``most``, only the first ``most`` lines are worked out.
    """
    room = width / (size * MM_PER_PT)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = _SPACES.sub(" ", paragraph).strip()
        left = most - len(lines) if most else 0
        lines += [line[a:b] for a, b in _line_spans(line, room, bold, spacing, anywhere, left)]
        if most and len(lines) >= most:
            break
    return lines


_UNTIDY = re.compile(r"[\n\t\r\f]|  ")


def count_lines(
    text: str,
    width: float,
    size: float,
    bold: bool = False,
    spacing: float = 0.0,
    anywhere: bool = False,
    most: int = 0,
) -> int:
    """How many lines ``text`` takes in a box ``width`` mm wide at ``size`` pt (an empty text takes none);
    with ``most``, ``most`` for any text that takes more (a fit that asks whether a text takes more than
    a few lines need not break the rest of it)."""
    if _widths_kept is not None and text and not text[0].isspace() and not text[-1].isspace():
        # A text that break_lines leaves as it is takes one line when its width fits (what _line_spans
        # asks first): known from the width kept, without the places where it may break.
        if not _UNTIDY.search(text) and width_em(text, bold, spacing) <= width / (size * MM_PER_PT):
            return 1
        return _count_lines.__wrapped__(text, width, size, bold, spacing, anywhere, most)
    return _count_lines(text, width, size, bold, spacing, anywhere, most)


@functools.lru_cache(maxsize=65536)
def _count_lines(text: str, width: float, size: float, *setting: Any) -> int:
    """count_lines, kept for the texts asked about last (``setting``: bold, spacing, anywhere, most)."""
    return len(break_lines(text, width, size, *setting)) if text.strip() else 0


# ----------------------------------------------------------------------------------------------
# Making the table


def _font(path: str, family: str) -> object:
    from fontTools.ttLib import TTCollection, TTFont

    if path.endswith(".ttc"):
        for font in TTCollection(path).fonts:
            if font["name"].getDebugName(1) == family:
                return font
        raise LookupError(f"{family} is not in {path}")
    return TTFont(path)


def measured_widths(sources: list[tuple[str, str]]) -> dict[int, int]:
    """The widest advance, in thousandths of an em, over ``sources`` of every measured character."""
    widest: dict[int, int] = {}
    for path, family in sources:
        font = _font(path, family)
        cmap = font.getBestCmap()  # type: ignore[attr-defined]
        metrics = font["hmtx"].metrics  # type: ignore[index]
        em = font["head"].unitsPerEm  # type: ignore[index]
        for start, end in MEASURED:
            for code in range(start, end):
                if code in cmap and unicodedata.category(chr(code))[0] != "C":
                    width = -(-metrics[cmap[code]][0] * 1000 // em)  # rounded up
                    widest[code] = max(widest.get(code, 0), width)
    return {code: width for code, width in sorted(widest.items()) if width != 1000}


def make_table() -> dict[str, list[tuple[int, list[int]]]]:
    """The widths of every weight as runs of consecutive characters: (first character, widths)."""
    table: dict[str, list[tuple[int, list[int]]]] = {}
    for weight, sources in SOURCES.items():
        runs: list[tuple[int, list[int]]] = []
        for code, width in measured_widths(sources).items():
            if runs and runs[-1][0] + len(runs[-1][1]) == code:
                runs[-1][1].append(width)
            else:
                runs.append((code, [width]))
        table[weight] = runs
    return table


def write_table(path: Path = TABLE) -> None:
    lines = ["{"]
    table = make_table()
    for index, (weight, runs) in enumerate(table.items()):
        lines.append(f'  "{weight}": [')
        lines += [f"    [{start}, {json.dumps(widths)}]," for start, widths in runs]
        lines[-1] = lines[-1].rstrip(",")
        lines.append("  ]" + ("," if index < len(table) - 1 else ""))
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_table(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE)
