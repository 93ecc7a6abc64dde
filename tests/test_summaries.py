"""What residents read first: who to call in each neighborhood, names in every edition, and summaries
of notices as plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.content.markdown import excerpt, plain_text
from sitegen.i18n import Translated, localize
from tests.helpers import MINIMAL_SITE
from tests.test_validate import NB, errors, neighborhood, valid_models, validate

# --- who to call, per neighborhood ----------------------------------------------------------------

CATEGORIES = """\
categories:
  - id: facilities
    name: {zh: 公共设施, en: Public facilities}
    handler: 社区物业协调员
    phone: 029-0000 1003
    promise: 2小时内响应
  - id: disputes
    name: 矛盾纠纷
    handler: 人民调解委员会
    contact: {name: 周德明, phone: 139 0000 0106}
    promise: 24小时内联系双方
"""
SITE = MINIMAL_SITE.replace(MINIMAL_SITE[MINIMAL_SITE.index("categories:") : MINIMAL_SITE.index("grids:")], CATEGORIES)


def test_a_neighborhood_names_its_own_party_and_keeps_the_rest(tmp_path: Path) -> None:
    files = {
        "site.yaml": SITE,
        **neighborhood(
            "who_to_call:\n"
            "  facilities:\n"
            "    handler: 和谐物业服务中心\n"
            "    phone: 029-0000 2000\n"
            "  disputes:\n"
            "    promise: 当天上门\n"
        ),
    }
    site, models = valid_models(tmp_path, files)
    here = {c.id: c for c in models[0].categories}
    assert [c.id for c in models[0].categories] == [c.id for c in site.categories]  # all of them, in order
    assert (here["facilities"].handler, here["facilities"].phone.label) == ("和谐物业服务中心", "029-0000 2000")  # type: ignore[union-attr]
    assert here["facilities"].promise == "2小时内响应" and here["facilities"].name == "公共设施"
    assert here["facilities"].name.texts["en"] == "Public facilities"  # type: ignore[attr-defined]
    # Only the promise changes: the party stays site.yaml's.
    assert here["disputes"].promise == "当天上门"
    assert here["disputes"].contact is not None and here["disputes"].contact.name == "周德明"
    community = {c.id: c for c in site.categories}
    assert community["facilities"].phone.label == "029-0000 1003"  # type: ignore[union-attr]


def test_a_new_party_replaces_the_number_too(tmp_path: Path) -> None:
    files = {"site.yaml": SITE, **neighborhood("who_to_call:\n  disputes:\n    handler: 网格员\n")}
    _site, models = valid_models(tmp_path, files)
    disputes = {c.id: c for c in models[0].categories}["disputes"]
    assert disputes.handler == "网格员" and disputes.contact is None and disputes.phone is None


def test_an_unknown_category_is_an_error_with_a_hint(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, neighborhood("who_to_call:\n  facilites:\n    handler: 物业\n"))
    assert errors(problems) == [(NB, 7, "site.yaml has no category with the id `facilites`")]
    assert problems[0].hint == "did you mean `facilities`?"


# --- names in every edition ---------------------------------------------------------------------

GRIDS = """\
grids:
  - id: "01"
  - id: "02"
    name: 第二网格
  - id: "03"
    name: 南巷网格
  - id: "04"
    name: {zh: 第四网格, en: North grid}
"""


def test_default_grid_and_building_names_are_in_every_edition(tmp_path: Path) -> None:
    files = {
        "site.yaml": MINIMAL_SITE.split("grids:")[0] + GRIDS,
        **neighborhood("  - id: 2\n    name: 2号楼\n  - id: 3\n    name: 综合楼\n"),
    }
    site, models = valid_models(tmp_path, files)
    english = [g.name for g in localize(site.grids, "en")]
    assert english == ["Grid 1", "Grid 2", "南巷网格", "North grid"]
    assert [g.name for g in site.grids] == ["第一网格", "第二网格", "南巷网格", "第四网格"]
    buildings = localize(models[0].buildings, "en")
    assert [b.name for b in buildings] == ["Building 1", "Building 2", "综合楼"]
    assert isinstance(models[0].buildings[0].name, Translated) and models[0].buildings[0].name == "1号楼"


# --- summaries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("| 日期 | 楼栋 |\n|---|---|\n| 11月23日 | 6号楼 |", "日期 楼栋 11月23日 6号楼"),
        (
            "安排如下：\n\n| 日期 | 楼栋 |\n| - | - |\n| 周一 | 1号楼 |\n\n请错开。",
            "安排如下： 日期 楼栋 周一 1号楼 请错开。",
        ),
        ("**暖气不热，先自己查一查：**\n\n1. 阀门\n2. 放气", "暖气不热，先自己查一查： 阀门 放气"),
        ("**请注意** 停水", "请注意 停水"),
        ("**未闭合的强调", "未闭合的强调"),
        ("~~取消~~ 改期", "取消 改期"),
        ("# 标题\n正文 [链接](https://example.org) ![图](a.png)", "标题 正文 链接"),
        ("2*3=6", "2*3=6"),
    ],
)
def test_plain_text_keeps_no_markdown_syntax(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


WORDS = st.text(alphabet="停水电梯楼号周一二三 0123456789", min_size=1, max_size=8).map(str.strip).filter(bool)
TABLE = st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=4).map(
    lambda rows: "| 日期 | 楼栋 |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
)
EMPHASIS = st.tuples(st.sampled_from(["**", "__", "*", "~~"]), WORDS).map(lambda m: f"请{m[0]}{m[1]}{m[0]}注意")
BLOCKS = st.lists(st.one_of(WORDS, TABLE, EMPHASIS), min_size=1, max_size=6).map("\n\n".join)


@given(BLOCKS, st.integers(5, 80))
def test_summaries_never_show_table_or_emphasis_marks(text: str, length: int) -> None:
    summary = str(excerpt(text, length))
    assert not any(mark in summary for mark in ("|", "**", "__", "~~", "---")), (text, summary)


def test_an_excerpt_ends_at_a_whole_word() -> None:
    text = "The power company will replace old equipment, so buildings 8 to 12 will have no electricity."
    assert str(excerpt(text, 30)) == "The power company will…"
    assert str(excerpt(text, 42)) == "The power company will replace old…"  # not "…equipmen…"
    assert str(excerpt("本年度供暖从11月15日开始，到2027年3月15日结束。", 19)) == "本年度供暖从11月15日开始，到…"
    assert str(excerpt("请打 029-0000 2701 联系物业", 10)) == "请打…"  # a phone number is never cut
