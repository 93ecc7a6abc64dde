"""The built example site, checked as residents and validators see it: valid, light, readable, linked."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from sitegen.cli import main
from sitegen.plan.routes import GRIDS_A_PAGE
from tests.conftest import BUILD_EPOCH, ROOT

PHONE_WIDTHS = (320, 375)
MAX_GZIP_BYTES = 30 * 1024


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: list[str] = []
        self.scripts = 0
        self.data_blocks: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_data = True  # a data block: never run
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_blocks.append(data)


def parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def nu_errors(vnu: list[str], pages: list[Path]) -> list[str]:
    """What the Nu HTML Checker calls an error in the pages."""
    done = subprocess.run(
        [*vnu, "--format", "json", "--also-check-css", *map(str, pages)], capture_output=True, text=True, check=False
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [
        f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def test_every_page_passes_the_nu_html_checker(built_site: Path, vnu: list[str]) -> None:
    assert nu_errors(vnu, html_pages(built_site)) == []


def broken_links(root: Path, pages: list[Path]) -> list[str]:
    """Links of the pages to files or ids that are not there (every link must be relative)."""
    broken = []
    for page in pages:
        parsed = parse(page)
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("tel", "mailto", "http", "https"):
                continue
            assert not link.startswith("/"), f"{page}: root-absolute link {link}"
            assert parts.scheme == "", f"{page}: unexpected scheme in {link}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(root)} → {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                broken.append(f"{page.relative_to(root)} → {link} (no such id)")
    return broken


def test_internal_links_resolve_and_are_relative(built_site: Path) -> None:
    assert broken_links(built_site, html_pages(built_site)) == []


INLINE_IMAGES = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)


def transferred(root: Path, page: Path) -> int:
    """What a page weighs gzipped with its style sheet, before images (inline SVG: plans, QR codes)."""
    css = (root / "assets" / "site.css").read_bytes()
    return len(gzip.compress(INLINE_IMAGES.sub(b"", page.read_bytes()), 9)) + len(gzip.compress(css, 9))


def test_pages_are_light_and_need_no_javascript(built_site: Path) -> None:
    for page in html_pages(built_site):
        data = page.read_bytes()
        size = transferred(built_site, page)
        assert size <= MAX_GZIP_BYTES, f"{page.name}: {size} bytes gzipped with its CSS"
        # Only the search page runs a script (its own, from the site); every other page has none.
        search_page = page.relative_to(built_site).as_posix() in ("search.html", "en/search.html")
        assert parse(page).scripts == (1 if search_page else 0), page
        assert b"@font-face" not in data


def test_every_phone_number_is_a_tel_link(built_site: Path) -> None:
    phone_text = re.compile(r"(?<![\d:])(1[3-9]\d \d{4} \d{4}|0\d{2,3}-\d{4} \d{4})(?!\d)")
    for page in html_pages(built_site):
        html = page.read_text(encoding="utf-8")
        if 'class="print"' in html:
            continue  # printed sheets: paper cannot be tapped
        body = html.split("<body", 1)[1]
        outside_links = re.sub(r"<a [^>]*>.*?</a>", "", body, flags=re.DOTALL)
        assert phone_text.findall(outside_links) == [], page


# Measured in Chromium at phone sizes.

MEASURE = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) problems.push(`horizontal scroll: ${doc.scrollWidth} > ${doc.clientWidth}`);
  // A printed sheet shown on a phone is a preview of paper (sized in pt, tested in test_print.py).
  if (document.body.classList.contains('print')) return problems;
  const text = document.querySelectorAll('main p, main li, main dd, main dt, footer p');
  for (const el of text) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (el.innerText.trim() && size < 18) problems.push(`text ${size}px: ${el.innerText.slice(0, 30)}`);
  }
  // A phone number is read whole: it never breaks across lines.
  for (const el of document.querySelectorAll('a[href^="tel:"]:not(.call), .call-number, .masked')) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (lines.size > 1) problems.push(`phone number on ${lines.size} lines: ${el.textContent}`);
  }
  const targets = document.querySelectorAll('a, button, summary');
  for (const el of targets) {
    const inText = el.closest('.notice-body p, .pact p, .intro p, .notice-body li, .pact li');
    if (inText && !el.getAttribute('href')?.startsWith('tel:')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.height < 44) problems.push(`tap target ${Math.round(box.height)}px: ${el.outerHTML.slice(0, 80)}`);
  }
  return problems;
}
"""


def phone_problems(browser: Any, root: Path, pages: list[Path], width: int) -> dict[str, list[str]]:
    """What is too small, too narrow or broken on the pages at a phone's width, every fold opened."""
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=True)
    page = context.new_page()
    problems = {}
    for path in pages:
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        found = page.evaluate(MEASURE)
        if found:
            problems[str(path.relative_to(root))] = found[:5]
    context.close()
    return problems


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_readable_on_a_phone(built_site: Path, browser: Any, width: int) -> None:
    assert phone_problems(browser, built_site, html_pages(built_site), width) == {}


def axe_violations(browser: Any, axe_source: str, root: Path, pages: list[Path]) -> dict[str, list[str]]:
    """The serious and critical accessibility violations axe-core finds in the pages, every fold opened."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    violations = {}
    for path in pages:
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['html'][:80]})"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            violations[str(path.relative_to(root))] = serious
    context.close()
    return violations


def test_no_serious_accessibility_violations(built_site: Path, browser: Any, axe_source: str) -> None:
    assert axe_violations(browser, axe_source, built_site, html_pages(built_site)) == {}


def test_pages_read_the_same_with_javascript_off(built_site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto((built_site / "index.html").as_uri())
    text = page.inner_text("main")
    context.close()
    assert "紧急电话" in text and "找谁办事" in text


# A district: more grids than its home page lists, which links to a page of their own instead.

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("晓梅", "建国", "丽华", "志强", "秀英", "海燕", "国庆", "春兰", "德明", "玉珍", "振华", "淑芬")


def district_grids(count: int) -> str:
    """Grids 03 … ``count`` + 2 in site.yaml's words, each with a full-time worker and a street."""
    lines = []
    for i in range(3, count + 3):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        lines += [
            f'  - id: "{i:02d}"',
            f"    name: 兰亭街道第{i}网格",
            f"    households: {300 + i}",
            "    head: wang-li",
            f"    worker: {{name: {name}, phone: 139 0000 {1000 + i}}}",
            "    police: zhao-gang",
            f"    area: 兰亭路{i}号至{i + 1}号沿街商铺",
        ]
    return "\n".join(lines) + "\n"


def build_district(folder: Path, grids: int) -> Path:
    """The minimal site with ``grids`` + 2 grids, built into ``folder``/output."""
    content, out = folder / "content", folder / "output"
    shutil.copytree(ROOT / "tests" / "sites" / "minimal" / "content", content)
    site = (content / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("\nchain:\n", "\n" + district_grids(grids) + "chain:\n", 1)
    (content / "site.yaml").write_text(site, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site with 62 grids, built: one page of grids."""
    return build_district(tmp_path_factory.mktemp("district"), 60)


@pytest.fixture(scope="module")
def large_district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site with two pages of grids and a part of a third, built."""
    return build_district(tmp_path_factory.mktemp("large-district"), 2 * GRIDS_A_PAGE + 48)


def district_pages(out: Path) -> list[Path]:
    """The home page and the grids pages, in each language."""
    return sorted(
        page
        for folder in (out, out / "en")
        for page in [folder / "index.html", *sorted((folder / "grids").glob("*.html"))]
        if page.is_file()
    )


def grid_ids(page: Path) -> list[str]:
    return [i for i in parse(page).ids if i.startswith("grid-")]


def test_a_district_lists_its_grids_on_a_page_of_their_own(district: Path) -> None:
    home = (district / "index.html").read_text(encoding="utf-8")
    grids = (district / "grids" / "index.html").read_text(encoding="utf-8")
    assert '<details class="grid"' not in home
    assert '<a href="grids/index.html">全部 62 个网格及网格员</a>' in home
    assert transferred(district, district / "index.html") <= MAX_GZIP_BYTES
    assert grid_ids(district / "grids" / "index.html") == [f"grid-{i:02d}" for i in range(1, 63)]
    assert sorted((district / "grids").iterdir()) == [district / "grids" / "index.html"]
    assert "第二网格" in grids and "兰亭街道第62网格" in grids and 'href="tel:13900001062"' in grids
    assert '<nav class="grid-pages"' not in grids and "<title>网格和网格员 · " in grids
    # The grid overview's code opens the page that lists them.
    overview = (district / "print" / "grids.html").read_text(encoding="utf-8")
    assert 'data-qr-payload="https://example.org/community/grids/index.html"' in overview
    assert broken_links(district, district_pages(district)) == []


def test_a_large_districts_grids_take_pages_that_each_name_them_all(large_district: Path) -> None:
    total = 2 * GRIDS_A_PAGE + 50
    home = (large_district / "index.html").read_text(encoding="utf-8")
    assert f'<a href="grids/index.html">全部 {total} 个网格及网格员</a>' in home
    for edition in (large_district, large_district / "en"):
        pages = [edition / "grids" / name for name in ("index.html", "2.html", "3.html")]
        assert sorted((edition / "grids").iterdir()) == sorted(pages)
        # Every grid once, in site.yaml's order, GRIDS_A_PAGE to a page.
        ids = [grid_ids(page) for page in pages]
        assert [len(each) for each in ids] == [GRIDS_A_PAGE, GRIDS_A_PAGE, 50]
        assert sum(ids, []) == [f"grid-{i:02d}" for i in range(1, total + 1)]
        for number, page in enumerate(pages, 1):
            assert transferred(large_district, page) <= MAX_GZIP_BYTES
            text = page.read_text(encoding="utf-8")
            # Each page names every page by its first and last grid, and which one it is.
            nav = text[text.index('<nav class="grid-pages"') : text.index("</nav>", text.index('class="grid-pages"'))]
            assert nav.count("<li>") == 3 and nav.count('aria-current="page"') == 1
            assert nav.count("<a href=") == 2
            if edition == large_district:
                assert f"<title>网格和网格员（第 {number} 页，共 3 页） · " in text
                assert "第一网格 – 兰亭街道第200网格" in nav and "兰亭街道第401网格 – 兰亭街道第450网格" in nav
                assert f'<span aria-current="page">第 {number} 页</span>' in nav
            else:
                assert f"(page {number} of 3)" in text
            assert ('rel="prev"' in text) == (number > 1) and ('rel="next"' in text) == (number < 3)
    assert broken_links(large_district, district_pages(large_district)) == []


@pytest.mark.parametrize("fixture", ["district", "large_district"])
def test_a_district_grids_page_is_valid_accessible_and_readable(
    fixture: str, request: pytest.FixtureRequest, vnu: list[str], browser: Any, axe_source: str
) -> None:
    district = request.getfixturevalue(fixture)
    pages = district_pages(district)
    assert district / "grids" / "index.html" in pages
    assert nu_errors(vnu, pages) == []
    assert axe_violations(browser, axe_source, district, pages) == {}
    assert phone_problems(browser, district, pages, PHONE_WIDTHS[0]) == {}
