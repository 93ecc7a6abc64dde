"""Content in several languages: translation maps and files, the English edition, and its links."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from tests.helpers import MINIMAL_NEIGHBORHOOD, MINIMAL_SITE, write_site
from tests.test_validate import NB, check, neighborhood, valid_site, validate

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"


# --- translation maps in YAML ---------------------------------------------------------------------


def test_a_text_may_be_written_in_each_language(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path, {NB: MINIMAL_NEIGHBORHOOD.replace("name: 和谐家园", "name: {zh: 和谐家园, en: Hexie Homes}")}
    )
    name = site.neighborhoods[0].name
    assert name == "和谐家园" and name.texts == {"zh": "和谐家园", "en": "Hexie Homes"}  # type: ignore[attr-defined]


def test_plain_text_stays_valid(tmp_path: Path) -> None:
    site = valid_site(tmp_path, {})
    assert site.neighborhoods[0].name == "和谐家园" and not hasattr(site.neighborhoods[0].name, "texts")


def test_an_unknown_language_is_reported_where_it_is_written(tmp_path: Path) -> None:
    text = MINIMAL_NEIGHBORHOOD.replace("name: 和谐家园\n", "name:\n  zh: 和谐家园\n  fr: Maisons Hexie\n")
    code, out, _err = check(tmp_path, {NB: text})
    assert code == 1
    assert out.startswith(
        "content/neighborhoods/hexie/neighborhood.yaml:3:3: error: `fr` is not a language sitegen knows\n"
        "      fr: Maisons Hexie\n"
        "    hint: write the Chinese text after `zh:` and the English after `en:`\n"
    )
    code, out, _err = check(tmp_path, {NB: text}, lang="zh")
    assert "neighborhood.yaml:3:3: error: sitegen 不认识 `fr` 这种语言" in out
    assert "提示：中文写在 `zh:` 后面，英文写在 `en:` 后面" in out


def test_the_chinese_text_is_required(tmp_path: Path) -> None:
    text = MINIMAL_NEIGHBORHOOD.replace("name: 和谐家园\n", "name:\n  en: Hexie Homes\n")
    _site, problems = validate(tmp_path, {NB: text})
    assert [(p.line, p.message) for p in problems if p.is_error] == [(2, "the Chinese text (`zh:`) is missing")]


def test_each_translation_is_checked_as_text(tmp_path: Path) -> None:
    long = "x" * 200
    text = MINIMAL_NEIGHBORHOOD.replace("name: 和谐家园\n", f"name:\n  zh: 和谐家园\n  en: {long}\n")
    _site, problems = validate(tmp_path, {NB: text})
    assert [p.message for p in problems if p.is_error] == ["the text is 200 characters long; at most 120 fit here"]


def test_text_with_a_colon_is_still_explained_as_such(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, neighborhood("address:\n  注意: 北门\n"))
    assert "expected text, found a mapping (key: value lines)" in [p.message for p in problems]


def test_languages_must_include_chinese(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, {"site.yaml": MINIMAL_SITE + "languages: [en]\n"})
    assert [p.message for p in problems if p.is_error] == ["the website is always built in Chinese (`zh`)"]


def test_a_translation_file_without_its_notice_is_reported(tmp_path: Path) -> None:
    code, out, _err = check(tmp_path, {"neighborhoods/hexie/notices/2026-11-20-water.en.md": "Water off.\n"})
    assert code == 0
    assert "2026-11-20-water.en.md:1:1: warning: this file is not read" in out
    assert "it is the en text of `2026-11-20-water.md`, which does not exist" in out


# --- the English edition --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("editions") / "out"
    assert main(["build", "--content", str(MINIMAL), "--output", str(out)]) == 0
    return out


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_english_edition_mirrors_the_web_pages_but_not_the_print_kit(built: Path) -> None:
    chinese = {
        p.relative_to(built).as_posix() for p in built.rglob("*.html") if "en" not in p.relative_to(built).parts[:1]
    }
    english = {p.relative_to(built / "en").as_posix() for p in (built / "en").rglob("*.html")}
    web = {p for p in chinese if "/print/" not in f"/{p}" and "/contact/" not in p}
    assert english == web
    assert "index.html" in english and "lanting/index.html" in english and "lanting/map/index.html" in english


def test_english_pages_are_english_with_chinese_fallbacks_marked(built: Path) -> None:
    page = read(built / "en" / "lanting" / "index.html")
    assert '<html lang="en">' in page
    assert '<h1 class="page-name">Lanting Estate</h1>' in page  # translated
    assert "Governance name card" in page  # theme text from the catalog
    assert '<span lang="zh-CN">兰亭路8号</span>' in page  # not translated: Chinese, and says so
    assert "治理名片" not in page


def test_translated_notice_text_comes_from_its_sibling_file(built: Path) -> None:
    page = read(built / "en" / "lanting" / "notices" / "2026-11-20-water.html")
    assert "<h1>Water off on 25 November</h1>" in page
    assert "Because of pipe repairs the water will be off" in page and "因管道维修" not in page
    assert '<a href="tel:02900002000" rel="noopener noreferrer">029-0000 2000</a>' in page
    chinese = read(built / "lanting" / "notices" / "2026-11-20-water.html")
    assert "因管道维修" in chinese and "Because of pipe repairs" not in chinese


def test_each_page_links_to_its_counterpart(built: Path) -> None:
    for dest in ["index.html", "lanting/index.html", "notices/archive.html", "lanting/map/index.html"]:
        depth = dest.count("/")
        chinese, english = read(built / dest), read(built / "en" / dest)
        assert f'<a href="{"../" * depth}en/{dest}" lang="en" hreflang="en">English</a>' in chinese
        assert f'<a href="{"../" * (depth + 1)}{dest}" lang="zh-CN" hreflang="zh-CN">中文</a>' in english


def test_english_pages_link_within_their_edition_and_to_the_chinese_print_kit(built: Path) -> None:
    page = read(built / "en" / "lanting" / "index.html")
    links = set(re.findall(r'href="([^"]+)"', page))
    assert "../lanting/notices/2026-11-20-water.html" not in links
    assert "notices/2026-11-20-water.html" in links  # the English notice, beside this page
    assert "../../lanting/print/index.html" in links  # the sheets are Chinese only
    for link in links:
        if not link.startswith(("tel:", "http", "#", "mailto:")):
            assert (built / "en" / "lanting" / re.split("[#?]", link)[0]).resolve().is_file(), link


def test_one_language_builds_no_english_edition(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    assert not (tmp_path / "out" / "en").exists()
    assert "lang-switch" not in read(tmp_path / "out" / "index.html")


def test_the_print_kit_stays_chinese(built: Path) -> None:
    sheet = read(built / "lanting" / "print" / "name-card.html")
    assert "兰亭小区" in sheet and "Lanting Estate" not in sheet


def test_an_edited_translation_renders_only_its_pages_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    english = content / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.en.md"
    english.write_text("Water off again.\n", encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    changed = {p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.stat().st_mtime_ns != before.get(p)}
    assert "en/lanting/notices/2026-11-20-water.html" in changed
    assert "Water off again." in read(out / "en" / "lanting" / "notices" / "2026-11-20-water.html")
    assert "lanting/print/name-card.html" not in changed


def test_english_grid_and_building_names_are_english(built: Path) -> None:
    home = read(built / "en" / "index.html")
    assert '<span class="grid-name">Grid 1</span>' in home and '<span class="grid-name">Grid 2</span>' in home
    assert "第二网格" not in home and "第一网格" in read(built / "index.html")
    page = read(built / "en" / "lanting" / "index.html")
    assert '<a href="#b-1">Building 1</a>' in page and "1号楼" not in page


def test_an_english_title_over_chinese_text_says_the_text_is_chinese(built_site: Path) -> None:
    if not (built_site / "en" / "notices" / "2026-11-12-heating-season-repairs.html").is_file():
        pytest.skip("only the example has a notice with an English title over Chinese text")
    notices = read(built_site / "en" / "notices" / "index.html")
    heating = notices.split('href="2026-11-12-heating-season-repairs.html"', 1)[1].split("</li>", 1)[0]
    assert "The 2026–2027 heating season has begun" in heating and "The full text is in Chinese." in heating
    assert "本年度供暖" not in heating
    # A notice in English throughout gets its English summary; one all in Chinese, its Chinese one.
    fraud = notices.split('href="2026-11-10-anti-fraud-heating-gas.html"', 1)[1].split("</li>", 1)[0]
    assert "Since the start of winter" in fraud
    snow = notices.split('href="2026-11-16-winter-snow-volunteers.html"', 1)[1].split("</li>", 1)[0]
    assert '<p class="notice-excerpt"><span lang="zh-CN">' in snow


# Text run together in English: a sentence straight after another, a word straight before "(".
RUN_TOGETHER = re.compile(r"[a-z][.!?][A-Z][a-z]|[^\s(（\[【「]\((?=[A-Za-z])")


def test_english_pages_have_no_words_run_together(built_site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    found = {}
    for path in sorted((built_site / "en").rglob("*.html")):
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        text = page.inner_text("body")
        runs = [text[max(0, m.start() - 20) : m.end() + 20] for m in RUN_TOGETHER.finditer(text)]
        if runs:
            found[str(path.relative_to(built_site))] = runs[:3]
    context.close()
    assert found == {}
