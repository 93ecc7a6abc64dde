"""Lay out print sheets by measuring: how tall each box of a sheet is at given type sizes and widths.

The boxes here are those of ``themes/default/static/print.css``, in millimetres and points; each
constant below is a length of that stylesheet and says so. A layout gives the values the
stylesheet takes from the sheet (``--name: 19pt``), so that the browser sets the sheet exactly as
measured: the type sizes and the widths of columns are chosen here, the browser only breaks lines.
Heights are measured line by line (:mod:`sitegen.plan.measure`), never fewer lines than Chromium sets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sitegen.content.phone import Phone
from sitegen.plan.measure import MM_PER_PT, break_lines, count_lines, width_mm

# Paper: (width, height) and padding (top, right, bottom, left) of .sheet-<paper>, in mm.
PAPER_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "a3-landscape": (420.0, 297.0)}
PADDING_MM = {"a4": (12.0, 12.0, 10.0, 12.0), "a3": (14.0, 14.0, 12.0, 14.0), "a3-landscape": (12.0, 14.0, 12.0, 14.0)}
SLACK_MM = 2.0  # left unused at the bottom of every sheet: rounding in the browser's layout

# The sheet's head: .sheet-community, then h1 with its .kind; a rule under it.
HEAD_GAP_MM = 1.0  # .sheet-community margin-bottom
HEAD_RULE_MM = 3.0 + 1.5  # .sheet-head padding-bottom and border-bottom
BODY_TOP_MM = 4.0  # .sheet-body padding-top
TITLE_LINE = 1.15
LINE = 1.3  # the line height of text (names 1.2, see NAME_LINE)
NAME_LINE = 1.2

# The foot: a rule, the emergency numbers and the stamp beside a code.
FOOT_RULE_MM = 0.5 + 3.0  # .sheet-foot border-top and padding-top
FOOT_GAP_MM = 6.0  # between the numbers and the code
EMERGENCY_GAP_MM = (1.5, 2.0)  # .emergency row and column gaps
EMERGENCY_BOX_MM = (2 * 0.6 + 2 * 0.6, 2 * 2.5 + 2 * 0.6)  # padding and border of a number's box: height, width
STAMP_GAP_MM = 2.0  # .stamp margin-top
CODE_GAP_MM = 3.0  # between a code and its caption
CODE_MM = 26.0  # a code with its quiet zone; .large: 34 mm
LARGE_CODE_MM = 34.0

# Rows of people: label | name (and a note) | phone.
ROW_GAP_MM = 4.0  # between the columns
ROW_RULE_MM = 0.3  # border-bottom of each row


def pt_mm(size: float) -> float:
    """One line of ``size`` pt text at line height 1, in mm."""
    return size * MM_PER_PT


@dataclass(frozen=True)
class Font:
    """How a text is set: size (pt), weight, line height, letter spacing (em), and whether it breaks anywhere."""

    size: float
    bold: bool = False
    line: float = LINE
    spacing: float = 0.0
    anywhere: bool = False

    @property
    def line_mm(self) -> float:
        return pt_mm(self.size) * self.line

    def lines(self, text: str, width: float, most: int = 0) -> int:
        """How many lines ``text`` takes ``width`` mm wide (with ``most``: or ``most``, if it takes more)."""
        return count_lines(text, width, self.size, self.bold, self.spacing, self.anywhere, most)

    def height(self, text: str, width: float) -> float:
        """The height of ``text`` in a box ``width`` mm wide (nothing for no text)."""
        return self.lines(text, width) * self.line_mm

    def width(self, text: str) -> float:
        """The width of ``text`` on one line."""
        return width_mm(text, self.size, self.bold, self.spacing)


def css(**values: float | str) -> dict[str, str]:
    """CSS custom properties for a sheet: sizes in pt, lengths in mm (keys name the unit: ``x_pt``, ``x_mm``)."""
    style = {}
    for key, value in values.items():
        name, _sep, unit = key.rpartition("_")
        if unit in ("pt", "mm"):
            style[f"--{name.replace('_', '-')}"] = f"{math.floor(float(value) * 100) / 100:g}{unit}"
        else:
            style[f"--{key.replace('_', '-')}"] = str(value)
    return style


def size_at(design: float, scale: float, floor: float, ceiling: float | None = None) -> float:
    """A type size scaled from its design size, in steps of a quarter point, within its limits."""
    size = math.floor(design * scale * 4) / 4
    return max(floor, min(size, ceiling if ceiling is not None else design * 1.5))


def largest(fits: Callable[[float], bool], low: float, high: float, step: float = 0.02) -> float | None:
    """The largest scale in ``low``…``high`` (in ``step``s) for which ``fits`` holds, or None.

    ``fits`` must hold for every scale below one for which it holds (bigger type takes more room).
    The scale returned is one ``fits`` was asked about (the last for which it held).
    """
    steps = int(round((high - low) / step))
    if not fits(round(low, 4)):
        return None
    good, bad = 0, steps + 1
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(round(low + middle * step, 4)):
            good = middle
        else:
            bad = middle
    return round(low + good * step, 4)


# ----------------------------------------------------------------------------------------------
# Phone numbers: the number and its extension each on one line, never broken inside


def phone_parts(phone: Phone) -> list[str]:
    """The pieces of a printed phone number that are never broken: the number, and 转 and its extension."""
    return [phone.display] + ([f"转 {phone.extension}"] if phone.extension else [])


def phone_width(phone: Phone, font: Font) -> float:
    """The narrowest box the number fits in: as wide as its widest unbreakable piece."""
    return max(font.width(part) for part in phone_parts(phone))


def phone_lines(phone: Phone, font: Font, width: float) -> int:
    """How many lines the number takes ``width`` mm wide (one, or two with the extension on the second)."""
    return 1 if font.width(phone.label) <= width else len(phone_parts(phone))


# ----------------------------------------------------------------------------------------------
# The head and the foot every sheet shares


@dataclass(frozen=True)
class Head:
    """The sheet's head: community line and title, and its height."""

    community: Font
    title: Font
    height: float


def head(community_line: str, title: str, kind: str, width: float, scale: float, a3: bool) -> Head:
    """The head at ``scale``: the title (with the kind of sheet after it) wraps rather than shrinks below 20 pt."""
    community = Font(size_at(16 if a3 else 14, scale, 12), line=LINE)
    title_font = Font(size_at(44 if a3 else 36, scale, 20), bold=True, line=TITLE_LINE)
    height = community.height(community_line, width) + HEAD_GAP_MM
    height += title_lines(title, kind, title_font, width) * title_font.line_mm + HEAD_RULE_MM
    return Head(community, title_font, height)


KIND_SIZE = 0.67  # .kind: its size in the title's, and its left margin (0.3 em of its own size)


def title_lines(title: str, kind: str, font: Font, width: float) -> int:
    """Lines of the title and, after it, the smaller kind of sheet (on a line of its own if it must)."""
    lines = break_lines(title, width, font.size, font.bold)
    small = font.size * KIND_SIZE
    after = width_mm(lines[-1], font.size, font.bold) + width_mm(kind, small, font.bold) + 0.3 * pt_mm(small)
    if after <= width:
        return len(lines)
    return len(lines) + count_lines(kind, width, small, font.bold)


@dataclass(frozen=True)
class CodeBox:
    """A QR code and its caption: what scanning it does (bold), a name, and the number or address."""

    label: str
    text: str
    name: str = ""
    large: bool = False

    def side(self) -> float:
        return LARGE_CODE_MM if self.large else CODE_MM

    def caption_height(self, font: Font, width: float) -> float:
        bold = Font(font.size, True, font.line)
        text = Font(font.size, font.bold, font.line, anywhere=True)
        return bold.height(self.label, width) + font.height(self.name, width) + text.height(self.text, width)

    def height(self, font: Font, width: float) -> float:
        return max(self.side(), self.caption_height(font, width))


@dataclass(frozen=True)
class Foot:
    """The sheet's foot, laid out: its height and the values of its boxes."""

    height: float
    style: dict[str, str]


def _emergency_height(
    numbers: Sequence[tuple[str, Phone]], columns: int, width: float, name: Font, number: Font
) -> float:
    """The height of the emergency numbers in ``columns`` boxes a row, or infinity where a number does not fit."""
    box = (width - (columns - 1) * EMERGENCY_GAP_MM[1]) / columns
    inner = box - EMERGENCY_BOX_MM[1]
    if any(phone_width(phone, number) > inner for _name, phone in numbers):
        return math.inf
    rows = [numbers[i : i + columns] for i in range(0, len(numbers), columns)]
    heights = [
        max(name.height(label, inner) + phone_lines(phone, number, inner) * number.line_mm for label, phone in row)
        + EMERGENCY_BOX_MM[0]
        for row in rows
    ]
    return sum(heights) + EMERGENCY_GAP_MM[0] * (len(rows) - 1)


def foot(numbers: Sequence[tuple[str, Phone]], stamp: str, code: CodeBox | None, width: float, most: float) -> Foot:
    """The foot at the largest type (12 pt down to 10 pt) that keeps it ``most`` mm tall or less."""
    best: Foot | None = None
    for tenth in range(120, 99, -5):
        size = tenth / 10
        text = Font(size, line=NAME_LINE)
        number = Font(size + 2, bold=True, line=NAME_LINE)
        stamp_font = Font(size, line=LINE)
        caption = Font(size, line=1.25)
        caption_width = 46.0 if code is None or not code.large else 52.0
        left = width - ((code.side() + CODE_GAP_MM + caption_width + FOOT_GAP_MM) if code else 0)
        heights = {c: _emergency_height(numbers, c, left, text, number) for c in (1, 2, 3, 4)}
        columns = min(heights, key=lambda c: (heights[c], c))
        body = heights[columns] if numbers else 0.0
        body += STAMP_GAP_MM + stamp_font.height(stamp, left)
        code_height = code.height(caption, caption_width) if code else 0.0
        height = FOOT_RULE_MM + max(body, code_height)
        style = css(
            foot_pt=size,
            foot_number_pt=size + 2,
            emergency_columns=columns,
            caption_w_mm=caption_width,
        )
        best = Foot(height, style)
        if height <= most:
            break
    assert best is not None
    return best


def available_height(paper: str, head_height: float, foot_height: float) -> float:
    """The height left for the sheet's body (its top padding taken)."""
    top, _right, bottom, _left = PADDING_MM[paper]
    return PAPER_MM[paper][1] - top - bottom - head_height - foot_height - BODY_TOP_MM - SLACK_MM


def inner_width(paper: str) -> float:
    _top, right, _bottom, left = PADDING_MM[paper]
    return PAPER_MM[paper][0] - left - right
