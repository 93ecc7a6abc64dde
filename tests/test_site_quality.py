"""The built example site, checked as residents and validators see it: valid, light, readable, linked."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

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


def test_every_page_passes_the_nu_html_checker(built_site: Path, vnu: list[str]) -> None:
    pages = [str(p) for p in html_pages(built_site)]
    done = subprocess.run(
        [*vnu, "--format", "json", "--also-check-css", *pages], capture_output=True, text=True, check=False
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []


def test_internal_links_resolve_and_are_relative(built_site: Path) -> None:
    broken = []
    for page in html_pages(built_site):
        parsed = parse(page)
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("tel", "mailto", "http", "https"):
                continue
            assert not link.startswith("/"), f"{page}: root-absolute link {link}"
            assert parts.scheme == "", f"{page}: unexpected scheme in {link}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(built_site)} → {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                broken.append(f"{page.relative_to(built_site)} → {link} (no such id)")
    assert broken == []


INLINE_IMAGES = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)


def test_pages_are_light_and_need_no_javascript(built_site: Path) -> None:
    css = (built_site / "assets" / "site.css").read_bytes()
    for page in html_pages(built_site):
        data = page.read_bytes()
        # "Before images": inline SVG (site plans, QR codes) counts as images.
        size = len(gzip.compress(INLINE_IMAGES.sub(b"", data), 9)) + len(gzip.compress(css, 9))
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


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_readable_on_a_phone(built_site: Path, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=True)
    page = context.new_page()
    problems = {}
    for path in html_pages(built_site):
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        found = page.evaluate(MEASURE)
        if found:
            problems[str(path.relative_to(built_site))] = found[:5]
    context.close()
    assert problems == {}


def test_no_serious_accessibility_violations(built_site: Path, browser: Any, axe_source: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    violations = {}
    for path in html_pages(built_site):
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
            violations[str(path.relative_to(built_site))] = serious
    context.close()
    assert violations == {}


def test_pages_read_the_same_with_javascript_off(built_site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto((built_site / "index.html").as_uri())
    text = page.inner_text("main")
    context.close()
    assert "紧急电话" in text and "找谁办事" in text
