"""What a resident sees first on a phone: measured in Chromium on the built site, with and without scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from tests.helpers import write_site

PHONE = {"width": 390, "height": 844}

# Every element matched by a selector must lie whole between the top of the page and `limit`.
WITHIN = """
([selectors, limit]) => {
  const problems = [];
  for (const selector of selectors) {
    const found = [...document.querySelectorAll(selector)];
    if (!found.length) problems.push(`nothing matches ${selector}`);
    for (const el of found) {
      const box = el.getBoundingClientRect();
      const bottom = box.bottom + window.scrollY;
      if (box.height === 0 || bottom > limit) {
        problems.push(`${selector} ends at ${Math.round(bottom)} px: ${el.textContent.trim().slice(0, 30)}`);
      }
    }
  }
  return problems;
}
"""

# The order of the home page's sections, top to bottom.
ORDER = "() => [...document.querySelectorAll('main > section[id], main > nav')].map(e => e.id || e.className)"


def neighborhood_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.glob("*/index.html") if (p.parent / "print").is_dir() and p.parent.name != "en")


def open_page(browser: Any, path: Path, width: int, height: int, scripts: bool = True) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=scripts)
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page


HOME_FIRST_SCREEN = ["#emergency a.call", "#latest .latest-title a"]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (320, 568)])
@pytest.mark.parametrize("scripts", [True, False])
@pytest.mark.parametrize("edition", ["", "en/"])
def test_home_first_screen_has_the_emergency_numbers_and_the_newest_notice(
    built_site: Path, browser: Any, width: int, height: int, scripts: bool, edition: str
) -> None:
    context, page = open_page(browser, built_site / edition / "index.html", width, height, scripts)
    try:
        assert page.evaluate(WITHIN, [HOME_FIRST_SCREEN, height]) == []
        calls = page.eval_on_selector_all("#emergency a.call", "links => links.map(a => a.getAttribute('href'))")
        assert calls and all(href.startswith("tel:") for href in calls)
        # Then who to call for what; the introduction further down.
        order = page.evaluate(ORDER)
        assert order.index("emergency") < order.index("latest") < order.index("who-to-call") < order.index("about")
        assert order.index("who-to-call") < order.index("neighborhoods")
    finally:
        context.close()


def test_home_first_screen_shows_the_pinned_notice_first(built_site: Path, browser: Any) -> None:
    context, page = open_page(browser, built_site / "index.html", **PHONE)
    try:
        latest = page.inner_text("#latest")
        first = page.inner_text("#notices .notices > li:first-child .notice-title")
        assert first in latest  # the community's newest pinned or current notice
        assert ("置顶" in latest) == bool(page.query_selector("#notices .notices > li.pinned:first-child"))
    finally:
        context.close()


NEIGHBORHOOD_FIRST_SCREENS = [
    "#card a[href^='tel:']",
    "#who-to-call .categories > li h3",
    "#who-to-call .categories > li .promise",
    "#who-to-call .categories > li a.tel",
    "#buildings h2",
]


@pytest.mark.parametrize("edition", ["", "en/"])
def test_neighborhood_first_two_screens(built_site: Path, browser: Any, edition: str) -> None:
    problems = {}
    for path in neighborhood_pages(built_site):
        path = built_site / edition / path.relative_to(built_site)
        context, page = open_page(browser, path, **PHONE)
        try:
            selectors = [
                s
                for s in NEIGHBORHOOD_FIRST_SCREENS
                if not s.startswith("#buildings") or page.query_selector("#buildings")
            ]
            selectors.append("#latest .latest-title a" if page.query_selector("#notices .notices") else "#latest p")
            found = page.evaluate(WITHIN, [selectors, 2 * PHONE["height"]])
            # Five categories in the example: each with the number of who handles it here.
            categories = page.query_selector_all("#who-to-call .categories > li")
            if len(categories) != len(page.query_selector_all("#who-to-call .categories > li a.tel")):
                found.append("a category without a number to call")
            if found:
                problems[str(path.relative_to(built_site))] = found
        finally:
            context.close()
    assert problems == {}


def test_a_neighborhood_names_its_own_party_for_a_category(built_site: Path) -> None:
    if built_site.parent.name.startswith("minimal"):
        pytest.skip("the minimal site gives no neighborhood its own party")
    page = (built_site / "jinhua-mingyuan" / "index.html").read_text(encoding="utf-8")
    who = page.split('id="who-to-call"', 1)[1].split("</section>", 1)[0]
    assert "锦程物业服务中心" in who and 'href="tel:02900002701"' in who  # its property office, not the community's
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "锦程物业服务中心" not in home.split('id="who-to-call"', 1)[1].split("</section>", 1)[0]


def test_without_community_notices_the_home_page_shows_a_neighborhood_s_newest(tmp_path: Path) -> None:
    notice = "---\ntitle: 3号楼停水\ndate: 2026-11-20\nexpires: 2026-11-30\n---\n3号楼明天停水。\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/notices/2026-11-20-water.md": notice})
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    latest = home.split('<section id="latest"', 1)[1].split("</section>", 1)[0]
    assert 'href="hexie/notices/2026-11-20-water.html">3号楼停水</a>' in latest and "和谐家园" in latest
