"""Fit each print sheet to its paper by measuring: type as large as the paper allows, nothing cut that it is for.

Each sheet is fitted the same way. Its foot (the emergency numbers, the stamp with the date its
facts were checked, and a code) takes 12 pt type, or down to 10 pt if it would be tall. Then the
body takes one scale for all its type: the largest at which everything fits, each size within its
limits (never below 12 pt). Texts wrap as often as they need; widths of columns follow what they
hold. Only when everything does not fit at the smallest type is anything left out, and then in a
documented order, with a line saying what is left out and where it is:

- name card: the last grid workers (on the grid overview and the building cards), then the roles;
- notice board: the oldest notices, then the last points of the pact; each notice's text is a
  summary that ends where its lines end (the whole notice is one scan away); as the very last step,
  fewer of the channels' codes (all are on the services sheets);
- building card: the last unit heads (on the neighborhood's web page), then the code that saves
  the grid worker's number (the number is on the card);
- services and the grid overview: nothing; they continue on a second sheet (and a third …).

docs/print-kit.md says the same for editors; keep the two together.

Names of places, people and companies, phone numbers, the date the facts were checked, what each
code is for, every grid and the buildings it covers are never shortened.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from sitegen.content.markdown import excerpt, excerpt_text, plain_text
from sitegen.content.model import Grid, Notice, Person, Service, Site
from sitegen.content.phone import Phone
from sitegen.i18n import translations
from sitegen.plan.layout import (
    BODY_TOP_MM,
    CODE_GAP_MM,
    CODE_MM,
    LINE,
    NAME_LINE,
    PADDING_MM,
    PAPER_MM,
    ROW_GAP_MM,
    ROW_RULE_MM,
    SLACK_MM,
    CodeBox,
    Font,
    Foot,
    Head,
    css,
    foot,
    head,
    inner_width,
    largest,
    phone_lines,
    phone_parts,
    phone_width,
    size_at,
)
from sitegen.plan.measure import forget, nowrap, widths_kept


@dataclass(frozen=True)
class Sheet:
    """One printed page: its paper, headings, the sections its template lays out, and the stamp at its foot.

    ``style`` holds the type sizes and widths its layout measured (CSS custom properties); ``more``
    counts what did not fit and is said to be elsewhere.
    """

    kind: str
    paper: str
    title: str
    subtitle: str
    verified_on: str
    parts: dict[str, Any] = field(default_factory=dict)
    more: int = 0
    stamp: str = ""
    style: dict[str, str] = field(default_factory=dict)


SMALLEST, LARGEST = 0.3, 1.6  # the range of scales tried: below the one, every size is at its floor
MORE_MM = 2.0 + 12 * 25.4 / 72 * LINE  # a .more line
H2_MARGIN_MM = 2.5


def community_line(site: Site) -> str:
    return f"{site.district}{site.street} {site.name}"


def whole(paper: str) -> float:
    """The height inside the paper's padding, less the slack."""
    top, _right, bottom, _left = PADDING_MM[paper]
    return PAPER_MM[paper][1] - top - bottom - SLACK_MM


def code_box(code: Any, large: bool = False) -> CodeBox | None:
    return CodeBox(code.label, code.text, code.name, large) if code else None


def sheet_foot(site: Site, sheet: Sheet, large: bool = False) -> Foot:
    width = inner_width(sheet.paper)
    numbers = [(e.name, e.phone) for e in site.emergency]
    return foot(numbers, sheet.stamp, code_box(sheet.parts.get("code"), large), width, 52.0 if large else 46.0)


def h2_height(font: Font, text: str, width: float) -> float:
    return font.height(text, width - 5.0) + H2_MARGIN_MM


def phone_room(phone: Phone | None, font: Font, most: float) -> float:
    """The width a phone number asks for: on one line if it fits in ``most`` mm, else as its widest piece."""
    if phone is None:
        return 0.0
    return font.width(phone.label) if font.width(phone.label) <= most else phone_width(phone, font)


# The fonts of each kind of sheet at each scale tried (a few dozen scales): the same objects every time.
FONTS_KEPT = 1024


# ----------------------------------------------------------------------------------------------
# Rows of people: label | name and note | phone


@dataclass(frozen=True)
class RowFonts:
    label: Font
    name: Font
    note: Font
    phone: Font


@functools.lru_cache(maxsize=FONTS_KEPT)
def row_fonts(scale: float, name: float = 22, phone: float = 26) -> RowFonts:
    """Labels, names, notes and numbers of rows of people: names and numbers large, all 12 pt or more."""
    return RowFonts(
        Font(size_at(13, scale, 12)),
        Font(size_at(name, scale, 12), True, NAME_LINE),
        Font(size_at(13, scale, 12)),
        Font(size_at(phone, scale, 12), True, NAME_LINE, 0.02),
    )


@dataclass(frozen=True)
class Columns:
    label: float
    name: float
    phone: float


def row_columns(rows: Sequence[Any], fonts: RowFonts, width: float) -> Columns | None:
    """Widths for the rows' three columns, or None where the names would have too little room."""
    label = min(max((fonts.label.width(r.label) for r in rows), default=0.0) + 0.5, 0.3 * width)
    phone = max((phone_room(r.phone, fonts.phone, 0.45 * width) for r in rows), default=0.0) + 0.5
    name = width - label - phone - 2 * ROW_GAP_MM
    return Columns(label, name, phone) if name >= max(22.0, 0.22 * width) else None


def row_height(r: Any, fonts: RowFonts, columns: Columns) -> float:
    phone = phone_lines(r.phone, fonts.phone, columns.phone) * fonts.phone.line_mm if r.phone else 0.0
    return max(
        fonts.label.height(r.label, columns.label),
        fonts.name.height(r.name, columns.name) + fonts.note.height(r.note, columns.name),
        phone,
    )


def rows_height(rows: Sequence[Any], fonts: RowFonts, columns: Columns, pad: float) -> float:
    return sum(row_height(r, fonts, columns) + 2 * pad + ROW_RULE_MM for r in rows)


def row_style(prefix: str, fonts: RowFonts, columns: Columns) -> dict[str, str]:
    return css(
        **{
            f"{prefix}label_pt": fonts.label.size,
            f"{prefix}name_pt": fonts.name.size,
            f"{prefix}note_pt": fonts.note.size,
            f"{prefix}phone_pt": fonts.phone.size,
            f"{prefix}label_w_mm": columns.label,
            f"{prefix}phone_w_mm": columns.phone,
        }
    )


# ----------------------------------------------------------------------------------------------
# A fitted sheet


@dataclass
class Fitted:
    """A body laid out at one scale: its height, what it sets on the sheet, and what it shows."""

    height: float
    style: dict[str, str]
    parts: dict[str, Any] = dataclasses.field(default_factory=dict)


def fit_scale(measure: Callable[[float], Fitted], room: float) -> tuple[float, Fitted] | None:
    """The largest scale whose layout is at most ``room`` tall, and that layout; or None."""
    measured: dict[float, Fitted] = {}

    def fits(scale: float) -> bool:
        fitted = measured[scale] = measure(scale)
        return fitted.height <= room

    scale = largest(fits, SMALLEST, LARGEST)
    return None if scale is None else (scale, measured[scale])


def finish(sheet: Sheet, head_: Head, foot_: Foot, fitted: Fitted, **changes: Any) -> Sheet:
    style = {**css(community_pt=head_.community.size, title_pt=head_.title.size), **foot_.style, **fitted.style}
    return dataclasses.replace(sheet, style=style, parts={**sheet.parts, **fitted.parts}, **changes)


def sheet_head(site: Site, sheet: Sheet, scale: float) -> Head:
    a3 = sheet.paper.startswith("a3")
    return head(community_line(site), sheet.title, sheet.subtitle, inner_width(sheet.paper), scale, a3)


# ----------------------------------------------------------------------------------------------
# Name card (A4)


def _facts_height(facts: Sequence[tuple[str, str]], font: Font, width: float) -> tuple[float, list[bool]]:
    """The height of the facts in two columns (a long one across both), and which ones go across."""
    bold = Font(font.size, True, font.line)
    column = (width - 8.0) / 2
    wide = [font.width(label) + 3.0 + bold.width(value) > column for label, value in facts]
    heights = []
    pending: list[float] = []
    for (label, value), across in zip(facts, wide, strict=True):
        room = (width if across else column) - font.width(label) - 3.0
        height = max(font.line_mm, bold.height(value, room))
        if across:
            heights.append(height)
        else:
            pending.append(height)
            if len(pending) == 2:
                heights.append(max(pending))
                pending = []
    heights += [max(pending)] if pending else []
    total = sum(heights) + 2.0 * (len(heights) - 1) + 4.0 if heights else 0.0
    return total, wide


def _numbers_height(numbers: Sequence[Any], label: Font, number: Font, width: float) -> float:
    """Labelled numbers side by side, wrapping to new rows (.numbers)."""
    rows: list[float] = []
    used = math.inf
    for n in numbers:
        one_line = label.width(n.label) + 3.0 + number.width(n.phone.label)
        if one_line <= width:
            item_width, height = one_line, max(label.line_mm, number.line_mm)
        else:
            item_width = width
            height = label.height(n.label, width) + phone_lines(n.phone, number, width) * number.line_mm
        if used + 10.0 + item_width <= width:
            used += 10.0 + item_width
            rows[-1] = max(rows[-1], height)
        else:
            used = item_width
            rows.append(height)
    return 4.0 + sum(rows) + 2.0 * (len(rows) - 1) if rows else 0.0


def name_card(site: Site, sheet: Sheet) -> Sheet:
    width, parts = inner_width("a4"), sheet.parts
    foot_ = sheet_foot(site, sheet, large=True)
    room = whole("a4") - foot_.height
    everyone: list[Any] = parts["rows"]

    def measure(scale: float, rows: list[Any], more: int) -> Fitted:
        head_ = sheet_head(site, sheet, scale)
        fact = Font(size_at(16, scale, 12))
        fonts = row_fonts(scale)
        columns = row_columns(rows, fonts, width)
        if columns is None:
            return Fitted(math.inf, {})
        facts, wide = _facts_height(parts["facts"], fact, width)
        label, number = Font(size_at(14, scale, 12)), Font(size_at(22, scale, 14), True, NAME_LINE, 0.02)
        height = head_.height + BODY_TOP_MM + facts + rows_height(rows, fonts, columns, 1.8)
        height += (MORE_MM if more else 0.0) + _numbers_height(parts["numbers"], label, number, width)
        style = {
            **row_style("", fonts, columns),
            **css(fact_pt=fact.size, number_label_pt=label.size, number_pt=number.size),
        }
        facts_shown = [(lab, value, across) for (lab, value), across in zip(parts["facts"], wide, strict=True)]
        return Fitted(height, style, {"rows": rows, "facts": facts_shown, "head": head_})

    fixed = parts["fixed"]  # the people a name card is for; the grid workers after them
    # Left out while it does not fit: the last grid workers, then what the people do (their roles).
    choices = [everyone[:keep] for keep in range(len(everyone), fixed - 1, -1)]
    choices.append([dataclasses.replace(r, note="") for r in everyone[:fixed]])
    for rows in choices:
        found = fit_scale(functools.partial(measure, rows=rows, more=len(everyone) - len(rows)), room)
        if found:
            break
    else:
        found = (SMALLEST, measure(SMALLEST, rows, len(everyone) - len(rows)))
    keep = len(rows)
    _scale, fitted = found
    rows = fitted.parts["rows"]
    spare = max(0.0, room - fitted.height)
    pad = 1.8 + min(spare / (2 * max(1, len(rows))), 4.0)
    fitted.style.update(css(row_pad_mm=pad))
    return finish(sheet, fitted.parts.pop("head"), foot_, fitted, more=len(everyone) - keep)


# ----------------------------------------------------------------------------------------------
# Building card (A4)


def building(site: Site, sheet: Sheet) -> Sheet:
    width, parts = inner_width("a4"), sheet.parts
    foot_ = sheet_foot(site, sheet)
    room = whole("a4") - foot_.height
    units: list[Any] = parts["units"]
    h2_text = translations("zh").gettext("Unit heads")
    grid_text = translations("zh").gettext("Grid: %(grid)s") % {"grid": parts["grid"].name} if parts["grid"] else ""
    save = parts.get("worker_code")

    def measure(scale: float, shown: list[Any], save: Any = save) -> Fitted:
        head_ = sheet_head(site, sheet, scale)
        fonts = row_fonts(scale)
        columns = row_columns(parts["rows"], fonts, width)
        grid_line = Font(size_at(18, scale, 13), True)
        if columns is None:
            return Fitted(math.inf, {})
        height = head_.height + BODY_TOP_MM + (grid_line.height(grid_text, width) + 1.0 if grid_text else 0.0)
        height += rows_height(parts["rows"], fonts, columns, 1.8)
        style = {**row_style("", fonts, columns), **css(grid_line_pt=grid_line.size)}
        if shown:
            h2 = Font(size_at(18, scale, 14), True, 1.25)
            unit_fonts = row_fonts(scale, name=18, phone=20)
            best: tuple[float, int, Columns] | None = None
            for count in (1, 2) if len(shown) > 6 else (1,):
                column_width = (width - 8.0 * (count - 1)) / count
                unit_columns = row_columns(shown, unit_fonts, column_width)
                if unit_columns is None:
                    continue
                heights = [row_height(r, unit_fonts, unit_columns) + 3.0 + ROW_RULE_MM for r in shown]
                tall = sum(max(heights[i : i + count]) for i in range(0, len(heights), count))
                if best is None or tall < best[0] - 0.01:
                    best = (tall, count, unit_columns)
            if best is None:
                return Fitted(math.inf, {})
            height += 4.0 + h2_height(h2, h2_text, width) + best[0]
            style.update(css(h2_pt=h2.size, unit_columns=best[1]))
            style.update(
                css(
                    unit_label_w_mm=best[2].label,
                    unit_phone_w_mm=best[2].phone,
                    unit_name_pt=unit_fonts.name.size,
                    unit_phone_pt=unit_fonts.phone.size,
                )
            )
        if len(shown) < len(units):
            height += MORE_MM
        if save:
            caption = Font(size_at(13, scale, 12), line=1.25)
            style.update(css(save_pt=caption.size))
            height += 4.0 + CodeBox(save.label, save.text, save.name).height(caption, 110.0)
        return Fitted(height, style, {"units": shown, "head": head_, "worker_code": save})

    # Left out while it does not fit: the last unit heads, then the code that saves the grid worker's
    # number (the number is on the card).
    for keep, code in [*((k, save) for k in range(len(units), -1, -1)), (0, None)]:
        found = fit_scale(functools.partial(measure, shown=units[:keep], save=code), room)
        if found:
            break
    else:
        keep, found = 0, (SMALLEST, measure(SMALLEST, [], None))
    _scale, fitted = found
    spare = max(0.0, room - fitted.height)
    count = len(parts["rows"]) + keep
    fitted.style.update(css(row_pad_mm=1.8 + min(spare / (2 * max(1, count)), 3.0)))
    fitted.style.update(css(unit_pad_mm=1.5 + min(spare / (2 * max(1, count)), 3.0)))
    return finish(sheet, fitted.parts.pop("head"), foot_, fitted, more=len(units) - keep)


# ----------------------------------------------------------------------------------------------
# Notice board (A3)


def notice_text(notice: Notice) -> str:
    return plain_text(notice.body)


def summary(notice: Notice, font: Font, width: float, lines: int) -> Markup:
    """The start of a notice that takes at most ``lines`` lines, ending in … where it is cut."""
    text = notice_text(notice)
    if not text or lines <= 0:
        return Markup("")
    if font.lines(text, width, most=lines + 1) <= lines:
        return Markup(escape(text))
    low, high = 0, len(text)
    while high - low > 1:
        middle = (low + high) // 2
        if font.lines(excerpt_text(notice.body, middle), width, most=lines + 1) <= lines:
            low = middle
        else:
            high = middle
    return excerpt(notice.body, low) if low else Markup("")


@dataclass(frozen=True)
class BoardFonts:
    h2: Font
    title: Font
    meta: Font
    text: Font
    pact: Font
    who: Font
    who_bold: Font
    promise: Font
    band: Font


@functools.lru_cache(maxsize=FONTS_KEPT)
def board_fonts(scale: float) -> BoardFonts:
    who = size_at(15, scale, 12)
    return BoardFonts(
        Font(size_at(22, scale, 14), True, 1.25),
        Font(size_at(21, scale, 14), True, 1.25),
        Font(size_at(13, scale, 12)),
        Font(size_at(16, scale, 12), line=1.35),
        Font(size_at(15, scale, 12)),
        Font(who),
        Font(who, True),
        Font(size_at(13, scale, 12)),
        Font(size_at(14, scale, 12), line=1.25),
    )


def pinned_prefix() -> str:
    return translations("zh").gettext("[Pinned]")


def notice_meta(notice: Notice) -> str:
    meta = notice.date.isoformat() + (f" · {notice.source}" if notice.source else "")
    if notice.expires:
        meta += " · " + translations("zh").gettext("Valid until %(date)s") % {"date": notice.expires.isoformat()}
    return meta


def notice_height(notice: Notice, fonts: BoardFonts, width: float, lines: int) -> float:
    title = (pinned_prefix() if notice.pinned else "") + notice.title
    height = 5.0 + ROW_RULE_MM + fonts.title.height(title, width) + 1.0 + fonts.meta.height(notice_meta(notice), width)
    text_lines = fonts.text.lines(notice_text(notice), width, most=lines) if lines > 0 else lines
    return height + (1.0 + text_lines * fonts.text.line_mm if text_lines else 0.0)


def who_heights(
    categories: Sequence[tuple[Any, Phone | None]], fonts: BoardFonts, width: float, columns: int = 1
) -> float:
    """Who to call for what, ``width`` mm wide: in one column, or in ``columns`` balanced ones."""
    gap = 8.0
    column = (width - gap * (columns - 1)) / columns
    heights = []
    for category, number in categories:
        first = category.name + (" " + " ".join(nowrap(p) for p in phone_parts(number)) if number else "")
        if number and phone_width(number, fonts.who_bold) > column:
            return math.inf
        height = 4.0 + ROW_RULE_MM + fonts.who_bold.height(first, column) + fonts.who.height(category.handler, column)
        heights.append(height + fonts.promise.height(category.promise, column))
    return balanced(heights, columns)


def balanced(heights: Sequence[float], columns: int) -> float:
    """The height of items flowed into ``columns`` columns of equal height, none broken (CSS columns)."""
    if columns == 1 or not heights:
        return sum(heights)

    def fits(tall: float) -> bool:
        used, column = 0.0, 1
        for height in heights:
            if used + height > tall:
                column, used = column + 1, 0.0
            used += height
        return column <= columns

    low, high = max(heights), sum(heights)
    while high - low > 0.5:
        middle = (low + high) / 2
        low, high = (low, middle) if fits(middle) else (middle, high)
    return high + 2.0  # and a little more: a browser balances columns its own way


def band_layout(codes: Sequence[tuple[Any, Any]], font: Font, width: float) -> tuple[float, int]:
    """The height of the channels' codes and how many a row: as few rows as their captions allow."""
    if not codes:
        return 0.0, 1
    best: tuple[float, int] | None = None
    for count in range(min(4, len(codes)), 0, -1):
        caption = (width - 4.0 * (count - 1)) / count - CODE_MM - CODE_GAP_MM
        if caption < 25.0:
            continue
        heights = [CodeBox(channel.name, code.text).height(font, caption) for channel, code in codes]
        rows = [max(heights[i : i + count]) for i in range(0, len(heights), count)]
        tall = sum(rows) + 3.0 * (len(rows) - 1) + 2.0 + 6.0 + 0.5
        if best is None or tall < best[0] - 0.01:
            best = (tall, count)
    return best if best else (math.inf, 1)


@dataclass
class Board:
    """How a notice board is arranged: the columns' widths and scales, and how much of each list it shows."""

    main: float
    side: float
    main_scale: float
    side_scale: float
    shown: int
    points: int
    stacked: bool = False


def notice_board(site: Site, sheet: Sheet) -> Sheet:
    """The notices beside the pact and who to call, each column at the largest type it allows, the
    channels' codes below them. Where who to call does not fit beside the notices, everything is
    stacked across the sheet, who to call in two columns; as a last step, fewer codes are shown."""
    width, parts = inner_width("a3"), sheet.parts
    foot_ = sheet_foot(site, sheet, large=True)
    head_ = sheet_head(site, sheet, 1.0)
    band_font = Font(14, line=1.25)
    notices: list[Notice] = parts["notices"]
    pact: list[str] = parts["pact"]
    zh = translations("zh").gettext
    titles = (zh("Notices"), zh("Resident pact"), zh("Who to call"))

    def side_height(scale: float, side: float, points: int, columns: int = 1) -> float:
        fonts = board_fonts(scale)
        height = 0.0
        if pact:
            height += h2_height(fonts.h2, titles[1], side)
            height += sum(fonts.pact.height(p, side - 9.0) + 1.0 for p in pact[:points]) + 5.0
            height += MORE_MM if points < len(pact) else 0.0
        who = who_heights(parts["categories"], fonts, side, columns)
        return height + h2_height(fonts.h2, titles[2], side) + who

    def main_height(scale: float, main: float, lines: Sequence[int]) -> float:
        fonts = board_fonts(scale)
        height = h2_height(fonts.h2, titles[0], main) + (0.0 if notices else fonts.text.line_mm)
        height += sum(notice_height(n, fonts, main, k) for n, k in zip(notices, lines, strict=False))
        return height + (MORE_MM if len(lines) < len(notices) else 0.0)

    def side_fits(scale: float, side: float, points: int, body: float) -> bool:
        return side_height(scale, side, points) <= body

    def main_fits(scale: float, main: float, count: int, body: float) -> bool:
        return main_height(scale, main, [2] * count) <= body

    def beside(body: float) -> Board | None:
        """Notices beside the pact and who to call: each share of the width, with as much as fits
        (notices after the fifth and then the older ones left out first, then the last pact points)."""
        best: Board | None = None
        for share in (0.5, 0.55, 0.59, 0.64, 0.45):
            main = round((width - 10.0) * share, 2)
            side = width - 10.0 - main
            points, side_scale = len(pact), None
            while side_scale is None and points >= 0:
                side_scale = largest(
                    functools.partial(side_fits, side=side, points=points, body=body), SMALLEST, LARGEST
                )
                points -= side_scale is None
            shown, main_scale = min(len(notices), 5), None
            while main_scale is None and shown >= 0:
                main_scale = largest(functools.partial(main_fits, main=main, count=shown, body=body), SMALLEST, LARGEST)
                shown -= main_scale is None
            if side_scale is None or main_scale is None:
                continue
            board = Board(main, side, main_scale, side_scale, shown, points)
            if best is None or _board_score(board) > _board_score(best):
                best = board
        return best

    def stacked(body: float) -> Board | None:
        """Notices, pact and who to call (in two columns) one below the other, across the sheet."""
        choices = [(n, len(pact)) for n in range(min(len(notices), 5), -1, -1)]
        choices += [(0, p) for p in range(len(pact) - 1, -1, -1)]
        for shown, points in choices:

            def fits(scale: float, shown: int = shown, points: int = points) -> bool:
                used = side_height(scale, width, points, columns=2)
                return used + main_height(scale, width, [2] * shown) <= body

            scale = largest(fits, SMALLEST, LARGEST)
            if scale is not None:
                return Board(width, width, scale, scale, shown, points, stacked=True)
        return None

    codes, board, body, band, columns = parts["codes"], None, 0.0, 0.0, 1
    for count in range(len(codes), -1, -1):  # as a last step, fewer of the channels' codes
        band, columns = band_layout(codes[:count], band_font, width)
        body = whole("a3") - foot_.height - head_.height - BODY_TOP_MM - band
        board = beside(body) or stacked(body)
        if board:
            codes = codes[:count]
            break
    if board is None:
        board = Board(width, width, SMALLEST, SMALLEST, 0, 0, stacked=True)
    fonts, side_fonts = board_fonts(board.main_scale), board_fonts(board.side_scale)
    # The room left for the notices: more notices, then longer summaries.
    room = body - (side_height(board.side_scale, width, board.points, 2) if board.stacked else 0.0)
    lines = [2] * board.shown
    while len(lines) < len(notices) and main_height(board.main_scale, board.main, [*lines, 2]) <= room:
        lines.append(2)
    grown = True
    while grown:
        grown = False
        for index, notice in enumerate(notices[: len(lines)]):
            if lines[index] < fonts.text.lines(notice_text(notice), board.main, most=lines[index] + 1):
                lines[index] += 1
                if main_height(board.main_scale, board.main, lines) <= room:
                    grown = True
                else:
                    lines[index] -= 1
    summaries = [(n, summary(n, fonts.text, board.main, k)) for n, k in zip(notices, lines, strict=False)]
    style = css(
        main_w_mm=board.main,
        side_w_mm=board.side,
        h2_pt=board_fonts(min(board.main_scale, board.side_scale)).h2.size,
        notice_title_pt=fonts.title.size,
        meta_pt=fonts.meta.size,
        text_pt=fonts.text.size,
        pact_pt=side_fonts.pact.size,
        who_pt=side_fonts.who.size,
        promise_pt=side_fonts.promise.size,
        band_pt=band_font.size,
        band_columns=columns,
    )
    shown_parts = {
        "notices": summaries,
        "pact": pact[: board.points],
        "pact_more": len(pact) - board.points,
        "codes": codes,
        "stacked": board.stacked,
    }
    return finish(sheet, head_, foot_, Fitted(0.0, style, shown_parts), more=len(notices) - len(lines))


def _board_score(board: Board) -> tuple[int, int, float]:
    return board.points, board.shown, min(board.main_scale, board.side_scale)


# ----------------------------------------------------------------------------------------------
# Services (A4): as many sheets as the services need


@dataclass(frozen=True)
class CardFonts:
    name: Font
    number: Font
    detail: Font

    @classmethod
    @functools.lru_cache(maxsize=FONTS_KEPT)
    def at(cls, scale: float) -> CardFonts:
        return cls(
            Font(size_at(16, scale, 12), True, 1.25),
            Font(size_at(19, scale, 14), True, NAME_LINE, 0.02),
            Font(size_at(13, scale, 12)),
        )


CARD_PAD_MM = 2.0 + 0.4  # .cards li: padding and border
CARD_ROW_GAP_MM = 1.5  # .cards li: between the code with its texts and the number set below them


@dataclass(frozen=True)
class CardLayout:
    """How the services cards are set: the scale of their type, in how many columns, and whether a card's
    number is set below its code, across the card (``stacked``), or beside it with the other texts; and
    the scale of the sheet's head (the cards' type first, the head as large as the room they leave)."""

    scale: float
    columns: int
    stacked: bool = False
    head: float = SMALLEST

    def width(self) -> float:
        return (inner_width("a4") - 5.0 * (self.columns - 1)) / self.columns


def card_height(
    service: Service,
    coded: bool,
    text: str,
    fonts: CardFonts,
    width: float,
    code: float = CODE_MM,
    stacked: bool = False,
) -> float:
    """A service's card ``width`` mm wide: its code (``code`` mm) beside its name, address and details, and
    its number with them or, ``stacked``, below them across the card."""
    inner = width - 2 * CARD_PAD_MM
    room = inner - ((code + CODE_GAP_MM) if coded else 0.0)
    below = stacked and coded and service.phone is not None
    if room < 22.0:
        return math.inf
    number = 0.0
    if service.phone:
        across = inner if below else room
        if phone_width(service.phone, fonts.number) > across:
            return math.inf
        number = phone_lines(service.phone, fonts.number, across) * fonts.number.line_mm
    height = fonts.name.height(service.name, room)
    if service.phone:
        height += fonts.detail.height(service.category + (f" · {service.hours}" if service.hours else ""), room)
    if coded and service.url:
        height += Font(fonts.detail.size, anywhere=True).height(text, room)
    if not service.phone and not coded:
        height += fonts.detail.height(service.note or service.address, room)
    if below:
        return max(code, height) + CARD_ROW_GAP_MM + number + 2 * CARD_PAD_MM
    return max(code if coded else 0.0, height + number) + 2 * CARD_PAD_MM


Card = tuple[Service, bool, str]  # a service, whether it has a code, and the text beside its code


def pack(
    heights: Sequence[float], columns: int, room: float, gap: float, more: float = MORE_MM
) -> list[tuple[int, float]] | None:
    """Fill sheets with rows of ``columns`` cards: (cards, share of the room used) of each sheet; or None
    where a row is taller than a sheet. Everything on one sheet ``room`` mm tall if it fits; else as few
    sheets as filling them in turn needs, each with a line (``more`` mm) saying where it continues, the
    rows shared among them as evenly as they fit (a last sheet with a row or two looks forgotten)."""
    rows = [max(heights[i : i + columns]) for i in range(0, len(heights), columns)]

    def tall(chunk: Sequence[float]) -> float:
        return sum(chunk) + gap * max(0, len(chunk) - 1)

    if tall(rows) <= room:
        return [(len(heights), tall(rows) / room)]
    room -= more
    if any(row > room for row in rows):
        return None
    sheets: list[list[float]] = [[]]
    for row in rows:
        if sheets[-1] and tall([*sheets[-1], row]) > room:
            sheets.append([])
        sheets[-1].append(row)
    count = len(sheets)
    size, extra = divmod(len(rows), count)
    even, start = [], 0
    for index in range(count):
        end = start + size + (index < extra)
        even.append(rows[start:end])
        start = end
    if all(tall(chunk) <= room for chunk in even):
        sheets = even
    cards = [len(chunk) * columns for chunk in sheets]
    cards[-1] = len(heights) - sum(cards[:-1])
    return [(n, tall(chunk) / room) for n, chunk in zip(cards, sheets, strict=True)]


FULL = 0.75  # a sheet this full (or more) spreads its rows over the rest of it


def _page_room(site: Site, sheet: Sheet, scale: float, foot_: Foot) -> float:
    """The room for the cards or rows of a sheet, with its head at ``scale`` (before the line saying where
    it continues, which :func:`pack` takes off where a sheet has one)."""
    head_ = sheet_head(site, sheet, scale)
    return whole(sheet.paper) - foot_.height - head_.height - BODY_TOP_MM


Split = list[tuple[int, float]]  # what each sheet holds, and how full it is


def split_services(site: Site, sheet: Sheet, cards: Sequence[Card]) -> tuple[CardLayout, Split]:
    """How the services cards are set and how many go on each services sheet: as few sheets as the
    smallest type needs, then the largest type that needs no more (in two columns or one, each number
    beside its code or below it)."""
    foot_ = sheet_foot(site, sheet)

    def plan(layout: CardLayout) -> Split | None:
        fonts = CardFonts.at(layout.scale)
        heights = [
            card_height(s, coded, text, fonts, layout.width(), stacked=layout.stacked) for s, coded, text in cards
        ]
        return pack(heights, layout.columns, _page_room(site, sheet, layout.head, foot_), 3.0)

    shapes = [(columns, stacked) for stacked in (False, True) for columns in (2, 1)]
    found = [packed for c, s in shapes if (packed := plan(CardLayout(SMALLEST, c, s))) is not None]
    if not found:  # a card taller than a sheet at the smallest type: one a sheet
        return CardLayout(SMALLEST, 1), [(1, 1.0)] * len(cards)
    count = min(len(packed) for packed in found)
    best: tuple[CardLayout, Split] | None = None
    for columns, stacked in shapes:

        def fits(scale: float, columns: int = columns, stacked: bool = stacked) -> bool:
            packed = plan(CardLayout(scale, columns, stacked))
            return packed is not None and len(packed) <= count

        scale = largest(fits, SMALLEST, LARGEST)
        layout = CardLayout(scale or SMALLEST, columns, stacked)
        packed = plan(layout) if scale is not None else None
        if packed is not None and (best is None or layout.scale > best[0].scale):
            best = (layout, packed)
    assert best is not None
    layout = best[0]

    def head_fits(scale: float) -> bool:
        packed = plan(dataclasses.replace(layout, head=scale))
        return packed is not None and len(packed) <= count

    layout = dataclasses.replace(layout, head=min(layout.scale, largest(head_fits, SMALLEST, LARGEST) or SMALLEST))
    packed = plan(layout)
    assert packed is not None
    return layout, packed


LARGEST_CODE_MM = 40.0


def services(site: Site, sheet: Sheet, layout: CardLayout, full: float) -> Sheet:
    """One services sheet, set as :func:`split_services` chose for all of them; its codes as large as
    the room the sheet has left allows (up to 40 mm, scanned from further away)."""
    foot_ = sheet_foot(site, sheet)
    fonts = CardFonts.at(layout.scale)
    cards = [(s, code is not None, code.text if code else "") for s, code in sheet.parts["cards"]]
    room = _page_room(site, sheet, layout.head, foot_) - (MORE_MM if sheet.parts["next"] else 0.0)

    def fits(code: float) -> bool:
        heights = [card_height(s, c, text, fonts, layout.width(), code, layout.stacked) for s, c, text in cards]
        packed = pack(heights, layout.columns, room, 3.0)
        return packed is not None and len(packed) == 1

    code = CODE_MM
    while code + 1.0 <= LARGEST_CODE_MM and fits(code + 1.0):
        code += 1.0
    style = css(columns=layout.columns, svc_name_pt=fonts.name.size, svc_number_pt=fonts.number.size)
    style.update(css(svc_detail_pt=fonts.detail.size, svc_code_mm=code))
    parts = {"fill": full >= FULL, "stacked": layout.stacked}
    return finish(sheet, sheet_head(site, sheet, layout.head), foot_, Fitted(0.0, style, parts))


# ----------------------------------------------------------------------------------------------
# Grid overview (A3): as many sheets as the grids need


@dataclass(frozen=True)
class GridFonts:
    name: Font
    cell: Font
    number: Font
    head: Font

    @classmethod
    @functools.lru_cache(maxsize=FONTS_KEPT)
    def at(cls, scale: float) -> GridFonts:
        return cls(
            Font(size_at(16, scale, 12), True, 1.25),
            Font(size_at(14, scale, 12), line=1.25),
            Font(size_at(14, scale, 12), True, 1.25),
            Font(size_at(13, scale, 12), True, 1.25),
        )


CELL_PAD_MM = (2 * 1.6, 2 * 1.5)  # padding of a table cell: height, width


def grid_area(grid: Grid) -> str:
    """What a grid covers: each neighborhood with its buildings, and the area in words."""
    parts = [f"{c.neighborhood} {'、'.join(c.buildings)}" for c in grid.coverage]
    return "；".join([*parts, *([grid.area] if grid.area else [])])


def _person_height(person: Person | None, fonts: GridFonts, width: float) -> float:
    if person is None:
        return 0.0
    height = fonts.cell.height(person.name, width)
    if person.phone:
        height += phone_lines(person.phone, fonts.number, width) * fonts.number.line_mm
    return height


def grid_row_height(grid: Grid, fonts: GridFonts, widths: Sequence[float]) -> float:
    inner = [w - CELL_PAD_MM[1] for w in widths]
    cells = [
        fonts.name.height(grid.name, inner[0]),
        _person_height(grid.worker, fonts, inner[1]),
        _person_height(grid.head, fonts, inner[2]),
        _person_height(grid.police, fonts, inner[3]),
        fonts.cell.height("、".join(p.name for p in grid.helpers), inner[4]),
        fonts.cell.height(grid_area(grid), inner[5]),
    ]
    return max(cells) + CELL_PAD_MM[0] + ROW_RULE_MM


def grid_column_needs(grids: Sequence[Grid], fonts: GridFonts, width: float) -> list[tuple[int, float, float]]:
    """Each of the six columns: its index, its least width (each person column as wide as its widest
    phone number) and how much text it holds."""
    people = []
    for index, role in enumerate(("worker", "head", "police")):
        phones = [getattr(g, role).phone for g in grids if getattr(g, role) and getattr(g, role).phone]
        narrowest = max((phone_width(p, fonts.number) for p in phones), default=0.0) + CELL_PAD_MM[1] + 0.5
        names = sum(fonts.cell.width(getattr(g, role).name) for g in grids if getattr(g, role))
        people.append((index + 1, max(narrowest, 0.1 * width), names))
    texts = [
        (0, 0.1 * width, sum(fonts.name.width(g.name) for g in grids)),
        (4, 0.08 * width, sum(fonts.cell.width("、".join(p.name for p in g.helpers)) for g in grids)),
        (5, 0.14 * width, sum(fonts.cell.width(grid_area(g)) for g in grids)),
    ]
    return sorted([*people, *texts])


def grid_columns(columns: list[tuple[int, float, float]], width: float, power: float = 1.0) -> list[float] | None:
    """Widths of the six columns (``columns``: see grid_column_needs): each its least, and what is left
    shared by how much text each holds (to the ``power``)."""
    spare = width - sum(least for _i, least, _need in columns)
    if spare < 0:
        return None
    need = sum(n**power for _i, _least, n in columns) or 1.0
    return [least + spare * n**power / need for _i, least, n in columns]


def head_row_height(fonts: GridFonts, widths: Sequence[float]) -> float:
    zh = translations("zh").gettext
    labels = ("Grid", "Full-time grid worker", "Grid head", "Grid police officer", "Part-time grid worker", "Area")
    heights = [fonts.head.height(zh(label), w - CELL_PAD_MM[1]) for label, w in zip(labels, widths, strict=True)]
    return max(heights) + CELL_PAD_MM[0] + 0.8


def split_grids(site: Site, sheet: Sheet) -> tuple[float, list[float], Split]:
    """The scale, column widths and number of grids on each sheet of the grid overview."""
    width = inner_width("a3")
    grids = list(site.grids)
    foot_ = sheet_foot(site, sheet)

    def plan(scale: float) -> tuple[list[float], Split] | None:
        fonts = GridFonts.at(scale)
        needs = grid_column_needs(grids, fonts, width)
        options = [widths for power in (1.0, 0.5) if (widths := grid_columns(needs, width, power)) is not None]
        # Each grid's row at every width tried, while its texts are at hand: a district's grids hold
        # more texts than the measures keep.
        rows = [[grid_row_height(g, fonts, widths) for widths in options] for g in grids]
        best: tuple[list[float], Split] | None = None
        for index, widths in enumerate(options):
            heights = [row[index] for row in rows]
            room = _page_room(site, sheet, scale, foot_) - head_row_height(fonts, widths)
            packed = pack(heights, 1, room, 0.0) if grids else [(0, 0.0)]
            if packed is not None and (best is None or len(packed) < len(best[1])):
                best = (widths, packed)
        return best

    # Every grid's texts are measured at a dozen sizes: their widths are kept for all of them (a
    # district's are more than the measures keep), then let go with the rest of what was measured
    # (tens of megabytes of it); the sheets measure theirs again at the one size chosen, a sheet at a time.
    with widths_kept():
        fewest = plan(SMALLEST)
        if fewest is not None:
            count = len(fewest[1])
            scale = largest(lambda s: (p := plan(s)) is not None and len(p[1]) <= count, SMALLEST, LARGEST)
            widths, packed = plan(scale or SMALLEST) or fewest
    forget()
    if fewest is None:
        return SMALLEST, [width / 6] * 6, [(1, 1.0)] * max(1, len(grids))
    return scale or SMALLEST, widths, packed


def grids(site: Site, sheet: Sheet, scale: float, widths: Sequence[float], full: float) -> Sheet:
    fonts = GridFonts.at(scale)
    width = sum(widths)
    names = ("grid", "worker", "head", "police", "helpers", "area")
    style = css(
        grid_name_pt=fonts.name.size,
        cell_pt=fonts.cell.size,
        cell_number_pt=fonts.number.size,
        cell_head_pt=fonts.head.size,
    )
    style.update(
        {f"--c-{name}": f"{math.floor(w / width * 10000) / 100:g}%" for name, w in zip(names, widths, strict=True)}
    )
    parts = {"areas": [grid_area(g) for g in sheet.parts["grids"]], "fill": full >= FULL}
    return finish(sheet, sheet_head(site, sheet, scale), sheet_foot(site, sheet), Fitted(0.0, style, parts))


# ----------------------------------------------------------------------------------------------
# Evacuation plan (A3 landscape): the plan takes what the side column leaves


LEGEND_MM = (14.0 + 3.0, 4.2, 7.0)  # .legend li: the symbol's width and the gap after it; a line's height, a sign's


def evacuation(
    site: Site, sheet: Sheet, texts: Sequence[str], legend: Sequence[tuple[str, bool]], revision: Sequence[str]
) -> Sheet:
    """The side column as wide and its type as large as its texts allow; ``texts`` are its paragraphs in
    order (the first two set large), ``legend`` the entries of the legend (and whether each is a sign),
    ``revision`` the lines under the emergency numbers."""
    paper = "a3-landscape"
    numbers = [(e.name, e.phone) for e in site.emergency]
    top, _right, bottom, _left = PADDING_MM[paper]
    head_ = head(f"{community_line(site)} · {sheet.title}", "应急疏散图", "EVACUATION PLAN", 392.0, 0.95, False)
    room = PAPER_MM[paper][1] - top - bottom - SLACK_MM - head_.height - BODY_TOP_MM

    def measure(scale: float, side: float) -> Fitted:
        big, text = Font(size_at(15, scale, 12)), Font(size_at(13, scale, 12))
        h2 = Font(size_at(18, scale, 14), True, 1.25)
        number = Font(text.size + 1, True, NAME_LINE)
        height = sum((big if i < 2 else text).height(t, side - (5.0 if i >= 3 else 0.0)) for i, t in enumerate(texts))
        height += 3.0 * 2 + 2 * h2_height(h2, "图例", side) + 8.0
        symbol, line, sign = LEGEND_MM
        height += sum(max(sign if is_sign else line, text.height(t, side - symbol)) + 1.2 for t, is_sign in legend)
        column = (side - 2.0) / 2 - 6.2
        if any(phone_width(p, number) > column for _n, p in numbers):
            return Fitted(math.inf, {})
        rows = [numbers[i : i + 2] for i in range(0, len(numbers), 2)]
        height += sum(
            max(
                Font(text.size, line=NAME_LINE).height(n, column) + phone_lines(p, number, column) * number.line_mm
                for n, p in row
            )
            + 2.4
            + 1.5
            for row in rows
        )
        height += sum(2.0 + text.height(line, side) for line in revision)
        style = css(side_w_mm=side, side_pt=text.size, side_big_pt=big.size, h2_pt=h2.size)
        style.update(css(foot_pt=text.size, foot_number_pt=number.size))
        return Fitted(height, style)

    for side in (96.0, 110.0, 125.0, 140.0):
        found = fit_scale(functools.partial(measure, side=side), room)
        if found and found[0] >= 0.9:
            break
    if not found:
        found = (SMALLEST, measure(SMALLEST, 140.0))
    fitted = found[1]
    style = {**css(community_pt=head_.community.size, title_pt=head_.title.size), **fitted.style}
    return dataclasses.replace(sheet, style=style)
