"""Every fact a sheet is for, printed whole; no two boxes overlapping; one page each.

Three kinds of content are printed in Chromium: the shipped example, ``tests/sites/overfull`` and
communities made at random by ``tests/stress.py`` (long and traditional-Chinese names, many grids,
services, channels and notices). Each sheet is printed to PDF and read back with ``pdftotext``: the
facts are looked for in the printed text, not in the HTML. In the same page, the boxes of the sheet
(and every line of text, and every code) are checked not to overlap and to stay on the paper.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build_date
from sitegen.cli import main
from sitegen.content.load import load_documents
from sitegen.content.model import Neighborhood, Person, Service, Site
from sitegen.content.phone import Phone
from sitegen.content.validate import validate_content
from sitegen.plan.fit import grid_area
from sitegen.plan.printables import pact_points, short_address
from tests.conftest import BUILD_EPOCH, ROOT, missing
from tests.stress import write_stress_site

SITES = ["example", "overfull", "stress-1", "stress-2"]
MM = 96 / 25.4


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def phone_text(phone: Phone) -> str:
    return squash(phone.label)


@pytest.fixture(scope="session")
def poppler_tools() -> None:
    import shutil

    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            missing(f"{tool} not found; install Debian's poppler-utils package")


@dataclass
class Built:
    """A site built as of the test date: where its content and output are, and its checked model."""

    content: Path
    output: Path
    site: Site
    neighborhoods: list[Neighborhood]


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    done: dict[str, Built] = {}

    def get(name: str) -> Built:
        if name not in done:
            folder = tmp_path_factory.mktemp(f"fit-{name}")
            if name == "example":
                content = ROOT / "content"
            elif name == "overfull":
                content = ROOT / "tests" / "sites" / "overfull" / "content"
            else:
                content = write_stress_site(folder, int(name.split("-")[1]))
            out = folder / "output"
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
                documents = load_documents(content, str(content))
                checked = validate_content(documents, build_date(documents))
            assert checked.site is not None
            done[name] = Built(content, out, checked.site, checked.neighborhoods)
        return done[name]

    return get


# ----------------------------------------------------------------------------------------------
# Printing each sheet once: its text from the PDF, its boxes from the layout


LAYOUT = """
() => {
  const TOL = 0.75;
  const sheet = document.querySelector('.sheet');
  const paper = sheet.getBoundingClientRect();
  const name = el => {
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).join('.');
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''}`;
  };
  const boxes = [];
  // Every line of text, as tall as its line (a glyph's box is taller than the line it sits on).
  const walker = document.createTreeWalker(sheet, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!node.data.trim() || parent.closest('svg') || getComputedStyle(parent).display === 'none') continue;
    const line = parseFloat(getComputedStyle(parent).lineHeight) || parseFloat(getComputedStyle(parent).fontSize);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 0.5) continue;
      const cut = Math.max(0, (r.height - line) / 2);
      boxes.push({what: `text «${node.data.trim().slice(0, 24)}» in ${name(parent)}`, node: node, el: parent,
                  l: r.left, r: r.right, t: r.top + cut, b: r.bottom - cut, text: true});
    }
  }
  const selectors = ['svg[data-qr-payload]', 'figure.plan', '.legend svg', '.here-dot', '.sheet-head', '.sheet-body',
    '.sheet-foot', '.board-codes', '.board-main', '.board-side', 'figure.code', '.emergency li', '.cards li',
    '.rows li', '.notice', '.who li', '.pact li', 'tr', '.facts > div', '.numbers li', '.evacuation-side',
    '.stamp', '.more', 'h2', 'h1'];
  for (const el of sheet.querySelectorAll(selectors.join(','))) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) boxes.push({what: name(el), el: el, l: r.left, r: r.right, t: r.top, b: r.bottom});
  }
  const outside = [], overlaps = [];
  for (const box of boxes) {
    const off = box.l < paper.left - TOL || box.r > paper.right + TOL;
    if (off || box.t < paper.top - TOL || box.b > paper.bottom + TOL) {
      outside.push(`${box.what} at x ${Math.round(box.l - paper.left)}–${Math.round(box.r - paper.left)}, `
        + `y ${Math.round(box.t - paper.top)}–${Math.round(box.b - paper.top)}`);
    }
  }
  const related = (a, b) => a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.text && b.text ? a.node === b.node : related(a, b)) continue;
      if (a.text && b.text && (a.el.contains(b.node) || b.el.contains(a.node))) continue;
      const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      // Lines of text are as tall as their line boxes, which the browser rounds: a lap under 1.5 px is that.
      const tall = a.text && b.text ? 1.5 : TOL;
      if (w > TOL && h > tall) overlaps.push(`${a.what} and ${b.what} (${w.toFixed(1)} × ${h.toFixed(1)} px)`);
    }
  }
  const small = [];
  for (const el of sheet.querySelectorAll('*')) {
    if (el.closest('svg') || !Array.from(el.childNodes).some(n => n.nodeType === 3 && n.data.trim())) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const least = el.closest('.sheet-foot, .revision, .evacuation-side .emergency, .legend') ? 40 / 3 : 16;
    if (size < least - 0.01) small.push(`${name(el)} «${el.textContent.trim().slice(0, 20)}»: ${size}px`);
  }
  // How far down the body its content reaches (its lines of text and its codes; the line saying where
  // the sheet continues left out), as a share of the body's height.
  const bodyEl = sheet.querySelector('.sheet-body'), body = bodyEl.getBoundingClientRect();
  const inBody = boxes.filter(
    b => (b.text || b.what.startsWith('svg')) && bodyEl.contains(b.el) && !b.el.closest('.more'));
  const used = inBody.length ? (Math.max(...inBody.map(b => b.b)) - body.top) / body.height : 0;
  return {outside, overlaps, small, used};
}
"""


@dataclass
class Sheet:
    rel: str
    text: str  # squashed, as pdftotext reads the PDF
    pages: int
    layout: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="session")
def printed_sheets(
    browser: Any, built_sites: Callable[[str], Built], poppler_tools: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], dict[str, Sheet]]]:
    done: dict[str, dict[str, Sheet]] = {}
    page = browser.new_page()
    page.emulate_media(media="print")

    def get(name: str) -> dict[str, Sheet]:
        if name not in done:
            built = built_sites(name)
            pdfs = tmp_path_factory.mktemp(f"fit-pdf-{name}")
            sheets = {}
            for html in sorted(built.output.rglob("print/*.html")):
                if html.name in ("index.html", "all-sheets.html"):
                    continue
                rel = html.relative_to(built.output).as_posix()
                page.goto(html.as_uri())
                page.evaluate("document.fonts.ready.then(() => true)")
                layout = page.evaluate(LAYOUT)
                pdf = pdfs / rel.replace("/", "__").replace(".html", ".pdf")
                page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
                text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
                info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
                pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
                sheets[rel] = Sheet(rel, squash(text), pages, layout)
            done[name] = sheets
        return done[name]

    yield get
    page.close()


# ----------------------------------------------------------------------------------------------
# The facts of each sheet


def person_facts(person: Person | None) -> list[str]:
    if person is None:
        return []
    return [squash(person.name), *([phone_text(person.phone)] if person.phone else [])]


def foot_facts(site: Site, verified_on: str) -> list[str]:
    facts = [verified_on, phone_text(site.office.phone)]
    for number in site.emergency:
        facts += [squash(number.name), phone_text(number.phone)]
    return facts


def more(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else 0


def name_card_facts(built: Built, n: Neighborhood, text: str) -> list[str]:
    facts = [squash(n.name), squash(n.property_company), *foot_facts(built.site, n.verified_on.isoformat())]
    facts += ["扫码查看楼栋网格员、通知和便民服务"]
    for person in (n.community_leader, n.property_manager, n.instructor):
        facts += person_facts(person)
    workers = [g.worker for g in n.grids() if g.worker]
    left_out = more(text, r"另有(\d+)位网格员")
    for worker in workers[: len(workers) - left_out]:
        facts += person_facts(worker)
    facts += [phone_text(n.property_phone)] if n.property_phone else []
    return facts


def notice_board_facts(built: Built, n: Neighborhood, text: str, codes: int) -> list[str]:
    facts = [squash(n.name), *foot_facts(built.site, n.verified_on.isoformat()), "扫码查看全部通知"]
    for category in built.site.categories:
        number = category.phone or (category.contact.phone if category.contact else None)
        facts += [squash(category.name), squash(category.handler), *([phone_text(number)] if number else [])]
    coded = [c for c in n.channels if c.url or c.phone][:codes]
    for channel in coded:
        facts += [
            squash(channel.name),
            squash(short_address(channel.url)) if channel.url else phone_text(channel.phone),
        ]  # type: ignore[arg-type]
    points = pact_points(n.pact)
    for point in points[: len(points) - more(text, r"另有(\d+)条：扫码查看公约全文")]:
        facts.append(squash(point))
    return facts


def service_facts(service: Service) -> list[str]:
    facts = [squash(service.name)]
    if service.phone:
        facts.append(phone_text(service.phone))
    if service.url:
        facts.append(squash(short_address(service.url)))
    return facts


def building_facts(built: Built, n: Neighborhood, rel: str, text: str) -> list[str]:
    building = next(b for b in n.buildings if rel.endswith(f"/building-{b.id}.html"))
    facts = [squash(n.name), squash(building.name), *foot_facts(built.site, n.verified_on.isoformat())]
    if building.grid:
        facts.append(squash(building.grid.name))
        for person in (building.grid.worker, building.grid.head, building.grid.police):
            facts += person_facts(person)
    facts += person_facts(building.head)
    units = [u for u in building.units if u.head]
    for unit in units[: len(units) - more(text, r"另有(\d+)位单元长")]:
        facts += person_facts(unit.head)
    return facts


def grid_facts(built: Built) -> list[str]:
    facts = []
    for grid in built.site.grids:
        facts.append(squash(grid.name))
        for person in (grid.worker, grid.head, grid.police):
            facts += person_facts(person)
        facts += [squash(p.name) for p in grid.helpers]
        facts.append(squash(grid_area(grid)))
    return facts


def missing_facts(facts: list[str], text: str) -> list[str]:
    return [fact for fact in facts if fact and fact not in text]


@pytest.mark.browser
@pytest.mark.parametrize("name", SITES)
def test_every_fact_is_printed_whole(name: str, built_sites: Callable[[str], Built], printed_sheets: Any) -> None:
    built, sheets = built_sites(name), printed_sheets(name)
    problems = []
    for n in built.neighborhoods:
        folder = f"{n.slug}/print/"
        for rel, sheet in sheets.items():
            if not rel.startswith(folder):
                continue
            if rel.endswith("/name-card.html"):
                facts = name_card_facts(built, n, sheet.text)
            elif rel.endswith("/notice-board.html"):
                board = (built.output / rel).read_text(encoding="utf-8")
                codes = board.count('<figure class="code">')  # the band's codes (the page's own is "code large")
                if name != "overfull":  # there, every category of who to call leaves no room for codes
                    assert codes == min(4, len([c for c in n.channels if c.url or c.phone])), rel
                facts = notice_board_facts(built, n, sheet.text, codes)
            elif "/building-" in rel:
                facts = building_facts(built, n, rel, sheet.text)
            elif "/services" in rel or "/evacuation-" in rel:
                facts = [squash(n.name), *foot_facts(built.site, n.verified_on.isoformat())[:1]]
            else:
                facts = []
            problems += [f"{rel}: {fact!r} is not printed whole" for fact in missing_facts(facts, sheet.text)]
        services = "".join(s.text for rel, s in sheets.items() if rel.startswith(folder + "services"))
        for service in (*n.channels, *n.services):
            problems += [
                f"{folder}services*: {f!r} is not printed whole"
                for f in missing_facts(service_facts(service), services)
            ]
    grids = "".join(s.text for rel, s in sheets.items() if rel.startswith("print/grids"))
    problems += [f"print/grids*: {fact!r} is not printed whole" for fact in missing_facts(grid_facts(built), grids)]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("name", SITES)
def test_every_sheet_prints_on_one_page(name: str, printed_sheets: Any) -> None:
    sheets = printed_sheets(name)
    assert sheets
    assert {rel: s.pages for rel, s in sheets.items() if s.pages != 1} == {}


@pytest.mark.browser
@pytest.mark.parametrize("name", SITES)
def test_no_two_boxes_overlap_and_nothing_leaves_the_paper(name: str, printed_sheets: Any) -> None:
    problems = []
    for rel, sheet in printed_sheets(name).items():
        problems += [f"{rel}: off the paper: {o}" for o in sheet.layout["outside"]]
        problems += [f"{rel}: overlapping: {o}" for o in sheet.layout["overlaps"]]
    assert not problems, "\n".join(problems[:60]) + (f"\n… {len(problems)} in all" if len(problems) > 60 else "")


@pytest.mark.browser
@pytest.mark.parametrize("name", SITES)
def test_text_is_12pt_or_more_and_10pt_in_the_foot(name: str, printed_sheets: Any) -> None:
    small = [f"{rel}: {s}" for rel, sheet in printed_sheets(name).items() for s in sheet.layout["small"]]
    assert not small, "\n".join(small[:40])


@pytest.mark.parametrize("name", ["overfull", "stress-1"])
def test_grids_that_do_not_fit_continue_on_more_sheets(name: str, built_sites: Callable[[str], Built]) -> None:
    built = built_sites(name)
    sheets = sorted((built.output / "print").glob("grids*.html"), key=lambda p: int(p.stem.partition("-")[2] or 1))
    if name == "overfull":
        assert len(sheets) > 1  # thirty grids with long names do not fit one A3 sheet
    assert [p.name for p in sheets] == ["grids.html", *(f"grids-{i}.html" for i in range(2, len(sheets) + 1))]
    index = (built.output / "print" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p.name}"' in index for p in sheets)
    shown = [re.findall(r'<td class="grid-name">(.*?)</td>', p.read_text(encoding="utf-8")) for p in sheets]
    names = [html.unescape(n) for found in shown for n in found]
    assert names == [g.name for g in built.site.grids]  # every grid once, in order
    if len(sheets) > 1:
        assert all(f"共{len(sheets)}张" in p.read_text(encoding="utf-8") for p in sheets)


@pytest.mark.browser
@pytest.mark.parametrize("name", SITES)
def test_continued_sheets_share_their_entries_and_fill_the_paper(name: str, printed_sheets: Any) -> None:
    """Services and grids that take more than one sheet fill each sheet at least half (and the first ones
    mostly): a sheet is not printed for a row or two, nor left half empty while a second one is needed."""
    sheets = printed_sheets(name)
    problems = []
    for rel, sheet in sheets.items():
        stem = rel.rsplit("/", 1)[-1].removesuffix(".html")
        kind, _sep, number = stem.partition("-")
        if kind not in ("services", "grids"):
            continue
        prefix = rel.rsplit("/", 1)[0] + "/" + kind
        count = sum(1 for other in sheets if re.fullmatch(re.escape(prefix) + r"(-\d+)?\.html", other))
        if count > 1 and sheet.layout["used"] < 0.5:
            problems.append(f"{rel}: one of {count} sheets, its content fills {sheet.layout['used']:.0%} of its body")
    assert not problems, "\n".join(problems)


def test_what_fits_one_sheet_is_not_split_for_the_line_saying_where_it_continues() -> None:
    from sitegen.plan.fit import MORE_MM, pack

    # Six rows of 30 mm with 3 mm between them fill 195 mm: one sheet of 197 mm holds them, though a sheet
    # that continues (and says so at its foot) would not.
    assert 197.0 - MORE_MM < 195.0
    assert pack([30.0] * 12, 2, 197.0, 3.0) == [(12, pytest.approx(195.0 / 197.0))]
    # Seven rows take two sheets, shared evenly (four rows and three), not six rows and one.
    assert [cards for cards, _share in pack([30.0] * 14, 2, 197.0, 3.0) or []] == [8, 6]
    # A row taller than a sheet that continues cannot be placed.
    assert pack([195.0, 30.0], 1, 197.0, 3.0) is None


@pytest.mark.parametrize("lines", [2, 3, 5])
def test_a_notice_cut_on_the_board_is_measured_as_it_is_printed(lines: int) -> None:
    """The board's summary of a long notice is cut where the words it prints fill its lines: marks
    left in a notice's plain text (here an escaped `2*3*4`, printed with its stars) count."""
    import html
    import re
    from types import SimpleNamespace

    from sitegen.plan import fit

    font = fit.board_fonts(1.0).text
    body = "".join(f"第{i}户面积为2\\*3\\*{i}平方米**以内**，" for i in range(60))
    summary = fit.summary(SimpleNamespace(body=body), font, 80.0, lines)  # type: ignore[arg-type]
    printed = html.unescape(re.sub(r"<[^>]+>", "", str(summary)))
    assert "2*3*" in printed and printed.endswith("…")
    assert font.lines(printed, 80.0) == lines
