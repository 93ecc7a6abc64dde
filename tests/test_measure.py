"""Text measured as the print sheets set it: the font widths, the line breaks, and both against Chromium.

``pytest tests/test_measure.py --update-golden`` measures Chromium's line breaks again and rewrites
``sitegen/plan/linebreaks.json``; ``python -m sitegen.plan.measure`` rewrites the font widths.
"""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from sitegen.plan import measure
from sitegen.plan.measure import BREAK_CLASSES, break_lines, count_lines, width_em, width_mm

FONT_STACK = "'Noto Sans CJK SC', sans-serif"


@pytest.fixture(scope="module")
def page(browser: Any) -> Any:
    opened = browser.new_page()
    yield opened
    opened.close()


def set_body(page: Any, body: str) -> None:
    page.set_content(
        f'<!DOCTYPE html><html lang="zh-CN"><body style="margin:0;font-family:{FONT_STACK}">{body}</body></html>'
    )
    page.evaluate("document.fonts.ready.then(() => true)")


# ----------------------------------------------------------------------------------------------
# Widths


def test_ideographs_and_full_width_punctuation_are_one_em() -> None:
    assert width_em("锦华名苑，「」。") == 8
    assert width_em("锦華社區網格員") == 7


def test_digits_are_measured_at_least_as_wide_as_the_widest_named_font() -> None:
    # Noto Sans CJK SC digits are 0.555 em (bold 0.590); DejaVu Sans's 0.637 (bold 0.696).
    assert width_em("0123456789") == pytest.approx(6.37)
    assert width_em("0123456789", bold=True) == pytest.approx(6.96)


def test_letter_spacing_and_the_space_between_ideographs_and_latin() -> None:
    assert width_em("锦锦", spacing=0.1) == pytest.approx(2.2)
    assert width_em("锦1") == pytest.approx(1 + 0.637 + measure.AUTOSPACE)


def test_width_in_millimetres() -> None:
    assert width_mm("锦", 72) == pytest.approx(25.4)


def test_the_font_table_is_what_the_installed_fonts_say() -> None:
    pytest.importorskip("fontTools")
    paths = [Path(path) for sources in measure.SOURCES.values() for path, _family in sources]
    if not all(p.is_file() for p in paths):
        pytest.skip("the fonts the table is made from are not installed (fonts-noto-cjk, fonts-dejavu-core)")
    committed = json.loads(measure.TABLE.read_text(encoding="utf-8"))
    made = {weight: [[start, widths] for start, widths in runs] for weight, runs in measure.make_table().items()}
    assert committed == made


# ----------------------------------------------------------------------------------------------
# Breaking lines


def test_lines_break_between_ideographs_but_not_before_closing_punctuation() -> None:
    assert break_lines("锦华名苑，物业", width_mm("锦华名苑", 12), 12) == ["锦华名", "苑，物业"]
    assert break_lines("锦华（名苑）", width_mm("锦华（", 12), 12) == ["锦华", "（名", "苑）"]


def test_a_latin_word_moves_whole_to_the_next_line() -> None:
    assert break_lines("电话 Jinhua", width_mm("电话 Jin", 12), 12) == ["电话", "Jinhua"]


def test_a_word_longer_than_the_line_breaks_anywhere() -> None:
    lines = break_lines("abcdefghijklmnopqrstuvwxyz", width_mm("abcdefghij", 12), 12)
    assert "".join(lines) == "abcdefghijklmnopqrstuvwxyz" and len(lines) == 3


def test_newlines_break_and_spaces_collapse() -> None:
    assert break_lines("锦华\n名苑  物业", 100, 12) == ["锦华", "名苑 物业"]
    assert count_lines("", 100, 12) == 0 and count_lines("  ", 100, 12) == 0


def may_break(before: str, after: str, anywhere: bool, earlier: str) -> bool:
    """The line-breaking rule, for two characters (``earlier`` is the one before them)."""
    if after in (" ", measure.GLUE) or before == measure.GLUE:
        return False
    if before == " ":
        return may_break("锦", after, anywhere, "")
    if before == "-" and after.isdigit() and earlier and measure.line_class(earlier) in ("a", "1"):
        return True
    table = measure._breaks()["break-all" if anywhere else "normal"]
    return table[measure.line_class(before), measure.line_class(after)]


def autospaced(before: str, after: str) -> bool:
    """The autospace rule: between an ideograph and an ASCII letter or digit."""
    return (measure.is_wide(before) and after.isascii() and after.isalnum()) or (
        measure.is_wide(after) and before.isascii() and before.isalnum()
    )


def walked_lines(text: str, width: float, size: float, bold: bool, spacing: float, anywhere: bool) -> list[str]:
    """Lines as a browser fills them, found by walking every place a line may break: a line ends at
    the last place before the one that would make it wider than the box (trailing spaces hang); a
    piece wider than the box ends at its last character that fits."""
    room = width / (size * measure.MM_PER_PT)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = re.sub(r"[ \t\r\f]+", " ", paragraph).strip()  # spaces collapse, white space at either end goes
        gaps = [0 < i < len(line) and autospaced(line[i - 1], line[i]) for i in range(len(line) + 1)]
        starts = [0.0]
        for index, char in enumerate(line):
            gap = measure.AUTOSPACE if gaps[index] else 0.0
            starts.append(starts[-1] + gap + measure.advance(char, bold) + (spacing if char != measure.GLUE else 0.0))

        def strip(end: int, line: str = line) -> int:
            return len(line[:end].rstrip(" "))

        def wide(a: int, b: int, starts: list[float] = starts, gaps: list[bool] = gaps) -> float:
            return starts[b] - starts[a] - (measure.AUTOSPACE if gaps[a] else 0.0)

        places = [
            i for i in range(1, len(line)) if may_break(line[i - 1], line[i], anywhere, line[i - 2] if i > 1 else "")
        ] + [len(line)]
        start = previous = 0
        for end in places:
            if previous > start and wide(start, strip(end)) > room:
                lines.append(line[start : strip(previous)])
                start = previous
            while wide(start, strip(end)) > room:
                cut = start + 1
                while cut + 1 < strip(end) and wide(start, cut + 1) <= room:
                    cut += 1
                lines.append(line[start:cut])
                start = cut
            previous = end
        lines.append(line[start : strip(len(line))])
    return lines


def test_lines_are_those_of_a_walk_over_every_break_and_most_gives_the_first_ones() -> None:
    """Lines are found by bisecting, not by walking, and from widths kept while a fit measures many texts:
    the same lines on random texts of every class."""
    rng = random.Random(20261206)
    alphabet = [*"锦华名苑小区通知停水电梯，。、（）《》“”：；！？", *"abcXYZ0189 -/.,:;()%+#&@'\""]
    alphabet += [measure.GLUE, "—", "…", "①"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 30, 120, 400])))
        if rng.random() < 0.2:
            text += rng.choice(["\n", "\t", "  ", "\u3000", " "]) + text[: len(text) // 2]
        if rng.random() < 0.1:
            text = rng.choice([" ", "\u3000", "\n"]) + text + rng.choice(["", " ", "\u3000"])
        width, size = rng.choice([6, 20, 47.5, 120, 270]), rng.choice([9, 12, 13.25, 22, 44])
        bold, spacing, anywhere = rng.random() < 0.3, rng.choice([0.0, 0.02, 0.1]), rng.random() < 0.2
        lines = break_lines(text, width, size, bold, spacing, anywhere)
        assert lines == walked_lines(text, width, size, bold, spacing, anywhere), (text, width, size)
        with measure.widths_kept():  # as the grid overview measures: the same, from widths kept
            assert count_lines(text, width, size, bold, spacing, anywhere) == (len(lines) if text.strip() else 0)
            assert width_em(text, bold, spacing) == measure._advances(text, bold, spacing)[-1]
        for most in (1, 2, 4):
            assert break_lines(text, width, size, bold, spacing, anywhere, most) == lines[:most]
            counted = count_lines(text, width, size, bold, spacing, anywhere, most)
            assert counted == min(most, len(lines) if text.strip() else 0)


# ----------------------------------------------------------------------------------------------
# Against Chromium


def measure_breaks(page: Any, anywhere: bool) -> list[str]:
    """Chromium's decision between every two classes: each row a string of 1 (may break) and 0."""
    names = [members[0] for members in BREAK_CLASSES]
    style = "white-space:normal;line-height:30px;font-size:20px" + (";word-break:break-all" if anywhere else "")
    set_body(page, "".join(f'<div style="width:max-content"><span>{html.escape(a)}</span></div>' for a in names))
    widths = page.evaluate("Array.from(document.querySelectorAll('span')).map(s => s.getBoundingClientRect().width)")
    cells = [(a, b, widths[i]) for i, a in enumerate(names) for b in names]
    set_body(page, "".join(f'<div style="width:{w + 0.5}px;{style}">{html.escape(a + b)}</div>' for a, b, w in cells))
    lines = page.evaluate(
        "Array.from(document.querySelectorAll('div')).map(d => Math.round(d.getBoundingClientRect().height / 30))"
    )
    flat = "".join("1" if n > 1 else "0" for n in lines)
    return [flat[i : i + len(names)] for i in range(0, len(flat), len(names))]


@pytest.mark.browser
def test_the_break_table_is_what_chromium_does(page: Any, request: pytest.FixtureRequest) -> None:
    measured = {mode: measure_breaks(page, mode == "break-all") for mode in ("normal", "break-all")}
    if request.config.getoption("--update-golden"):
        text = json.dumps(measured, indent=2) + "\n"
        measure.BREAKS.write_text(text, encoding="utf-8")
        measure._breaks.cache_clear()
    assert json.loads(measure.BREAKS.read_text(encoding="utf-8")) == measured


PIECES = [
    "锦华名苑", "西华街道", "物业服务中心", "（南门）", "「名苑生活」", "小程序", "，", "。", "、", "；", "：", "…",
    "139 0000 0102", "029-0000 2701 转 123456", "12345 市民服务热线", "2026-11-14", "8:30–12:00", "24小时",
    "example.org/jincheng-wuye/mingyuan", "https://channels.example.org/xc/one-tap/e-001?lang=zh&from=print",
    "阿卜杜热合曼·买买提艾力", "锦華社區網格員", "電話", "Jinhua Road", "WiFi", "第12网格", "（1700人）", " ", "——",
    "#notices", "《居民公约》", "“文明养犬”", "100%", "①", "3°C", "¥20",
]  # fmt: skip


def random_texts(seed: int, count: int) -> list[tuple[str, float, float, bool, bool]]:
    """(text, width mm, size pt, bold, break-all) made of the pieces sheets print."""
    chance = random.Random(seed)
    cases = []
    for _ in range(count):
        text = "".join(chance.choice(PIECES) for _ in range(chance.randint(1, 12))).strip() or "锦"
        width = chance.choice([18.0, 26.0, 33.0, 46.0, 60.0, 90.0, 130.0])
        cases.append((text, width, chance.choice([10.0, 12.0, 13.5, 15.0, 19.0, 24.0]), chance.random() < 0.4, False))
    return cases + [(t, w, s, b, True) for t, w, s, b, _ in cases[: count // 4]]


@pytest.mark.browser
@pytest.mark.parametrize("seed", range(1, 9))
def test_the_measure_never_counts_fewer_lines_than_chromium_sets(page: Any, seed: int) -> None:
    cases = random_texts(seed, 300)
    body = "".join(
        f'<div style="width:{w}mm;font-size:{s}pt;line-height:2;font-weight:{700 if b else 400};'
        f'overflow-wrap:anywhere{";word-break:break-all" if a else ""}">{html.escape(t)}</div>'
        for t, w, s, b, a in cases
    )
    set_body(page, body)
    real = page.evaluate(
        "Array.from(document.body.children).map(d => "
        "Math.round(d.getBoundingClientRect().height / (2 * parseFloat(getComputedStyle(d).fontSize))))"
    )
    fewer = [
        f"{count_lines(t, w, s, b, anywhere=a)} < {n} lines: {w} mm, {s} pt{' bold' if b else ''}: {t}"
        for (t, w, s, b, a), n in zip(cases, real, strict=True)
        if count_lines(t, w, s, b, anywhere=a) < n
    ]
    assert not fewer, "\n".join(fewer)
    exact = sum(count_lines(t, w, s, b, anywhere=a) == n for (t, w, s, b, a), n in zip(cases, real, strict=True))
    assert exact >= len(cases) // 2  # and mostly exact: not counting many lines to be safe
