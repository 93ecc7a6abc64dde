"""Plan layout: nothing covers anything and everything stays inside the drawing, on generated sites and in Chromium."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.content import geometry
from sitegen.content.model import XY, SiteMap
from sitegen.content.placement import (
    TEXT_BOTTOM,
    TEXT_TOP,
    Box,
    Candidate,
    Item,
    Obstacles,
    crosses,
    distance_to_segment,
    overlap,
    place,
    segment_hits_box,
    text_reach,
    text_width,
)
from sitegen.content.planlayout import PRINT, WEB, Layout, clip_route, evacuation_turn, join_walk, layout_plan
from sitegen.content.signs import symbol_defs
from sitegen.plan.mapdraw import FONTS, draw_plan
from tests.helpers import MINIMAL_NEIGHBORHOOD, write_site
from tests.plan_sites import site_maps


def properties(examples: int) -> settings:
    """Settings of the property tests: the same examples every run, so a failure is always reproducible
    (and not shrunk: each example lays out a dozen plans, so shrinking one would take many minutes)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# When a property fails, Hypothesis's reporting touches a deprecated mypy_extensions API; with
# `filterwarnings = error` that would turn the failure report into a pytest INTERNALERROR.
pytestmark = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


def plans(site_map: SiteMap) -> list[tuple[str, Layout]]:
    """Every plan of a site: each building's evacuation plan, and the map page's plan."""
    found = [
        (f"building {b.id}", layout_plan(site_map, b, evacuation_turn(site_map, b), PRINT)) for b in site_map.buildings
    ]
    return [*found, ("map page", layout_plan(site_map, None, 0.0, WEB))]


# --- text measurement -----------------------------------------------------------------------------


def test_wide_text_is_measured_wide() -> None:
    assert text_width("中心广场", 10) == 40
    assert text_width("（3000人）", 10) > text_width("(3000人)", 10)
    assert text_width("WWW", 10) > text_width("iii", 10)
    assert text_width("", 10) == 0


TEXTS = st.text(
    alphabet=st.one_of(
        st.sampled_from("中心广场应急避难场所号楼（）·、—“”0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZmwil.,-()"),
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Co", "Cn", "Zl", "Zp"]),
    ),
    min_size=1,
    max_size=12,
)


def _chromium_text_boxes(browser: Any, samples: list[str]) -> list[tuple[float, float, float, float]]:
    page = browser.new_page()
    texts = "".join(
        f'<text x="10" y="{200 + i * 150}" font-size="100" font-weight="700">{_escape(s)}</text>'
        for i, s in enumerate(samples)
    )
    page.set_content(
        f'<svg xmlns="http://www.w3.org/2000/svg" font-family="{FONTS}" viewBox="0 0 6000 {300 + 150 * len(samples)}">'
        f"{texts}</svg>"
    )
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('text')]"
        ".map(t => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height] })"
    )
    page.close()
    return boxes


def _check_measured(samples: list[str], boxes: list[tuple[float, float, float, float]]) -> None:
    for i, (sample, (_x, y, width, height)) in enumerate(zip(samples, boxes, strict=True)):
        baseline = 200 + i * 150
        top, bottom = text_reach(sample)
        assert width <= text_width(sample, 100) + 0.5, (sample, width, text_width(sample, 100))
        if width:
            assert y >= baseline - top * 100 - 0.5, (sample, "top")
            assert y + height <= baseline + bottom * 100 + 0.5, (sample, "bottom")


def test_text_widths_hold_chromiums_on_names(browser: Any) -> None:
    """The layout's text boxes hold the boxes Chromium lays text out in, in the plan's fonts."""
    samples = [
        "中心广场应急避难场所（3000人）",
        "10号楼",
        "WWMM@%&",
        "0123456789 m",
        "Ab-12 (x)",
        "ไทย",
        "한국어",
        "🚒🧯",
    ]
    boxes = _chromium_text_boxes(browser, samples)
    _check_measured(samples, boxes)
    # And not wastefully wide where it matters: a Chinese name is measured as Chromium lays it out.
    assert text_width(samples[0], 100) <= boxes[0][2] * 1.08
    assert text_reach(samples[0]) == (TEXT_TOP, TEXT_BOTTOM)


@properties(15)
@given(st.lists(TEXTS, min_size=1, max_size=40))
def test_text_widths_hold_chromiums_on_any_text(browser: Any, samples: list[str]) -> None:
    _check_measured(samples, _chromium_text_boxes(browser, samples))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the search -----------------------------------------------------------------------------------


def _item(key: str, *boxes: Box) -> Item:
    return Item(key, (0.0, lambda: [Candidate(i, (box,), drawing=i) for i, box in enumerate(boxes)]))


def test_place_takes_the_cheapest_free_candidate_and_moves_others_to_make_room() -> None:
    area = Obstacles((0, 0, 100, 100), 1.0)
    # b wants the spot a took first; a can move, so both fit.
    items = [_item("a", (10, 10, 20, 20), (50, 50, 60, 60)), _item("b", (12, 12, 22, 22))]
    placement = place(items, area)
    assert placement.left_out == []
    assert placement.chosen["b"].drawing == 0 and placement.chosen["a"].drawing == 1


def test_what_finds_no_room_is_left_out_not_drawn_over_something() -> None:
    area = Obstacles((0, 0, 100, 100), 1.0, boxes=((40, 40, 60, 60),))
    items = [
        _item("a", (45, 45, 55, 55), (95, 95, 105, 105)),
        _item("b", (10, 10, 20, 20)),
        _item("c", (15, 15, 25, 25)),
    ]
    placement = place(items, area)
    assert set(placement.chosen) == {"b"} and placement.left_out == ["a", "c"]


def test_nothing_comes_near_the_route() -> None:
    area = Obstacles((0, 0, 100, 100), 0.0, route=(((0.0, 50.0), (100.0, 50.0)),), clearance=3)
    items = [_item("a", (10, 45, 20, 49), (10, 30, 20, 40))]
    assert place(items, area).chosen["a"].drawing == 1


def test_no_leader_starts_under_words() -> None:
    """A leader starting under a name would seem to lead from that name: it must start where it can be seen."""
    area = Obstacles((0, 0, 100, 100), 1.0)
    name = Item("name", (0.0, lambda: [Candidate(0, ((10, 10, 30, 20),), texts=((10, 10, 30, 20),))]))
    led = [Candidate(0, ((50, 50, 60, 60),), (((20.0, 15.0), (50.0, 50.0)),), drawing="under the name")]
    led.append(Candidate(1, ((50, 50, 60, 60),), (((40.0, 15.0), (50.0, 50.0)),), drawing="in the open"))
    sign = Item("sign", (0.0, lambda: led))
    assert place([name, sign], area).chosen["sign"].drawing == "in the open"
    # Under a sign (two things at one place) it may.
    mark = Item("mark", (0.0, lambda: [Candidate(0, ((10, 10, 30, 20),))]))
    assert place([mark, sign], area).chosen["sign"].drawing == "under the name"


def test_a_reader_at_the_board_joins_the_walk_where_it_passes() -> None:
    walk = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    # Beside the first leg: straight onto it, not back to the entrance first.
    assert join_walk((4.0, -2.0), walk) == [(4.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    # Behind the entrance: from the entrance.
    assert join_walk((-3.0, -2.0), walk) == walk
    # Past the first leg: onto the second.
    assert join_walk((12.0, 4.0), walk) == [(10.0, 4.0), (10.0, 10.0)]
    assert join_walk((5.0, 5.0), walk[:1]) == walk[:1]


def test_a_route_stops_where_it_reaches_the_sign_it_leads_to() -> None:
    walk = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    assert clip_route(walk, (8, 6, 12, 14)) == [(0.0, 0.0), (10.0, 0.0), (10.0, 6.0)]
    assert clip_route(walk, (40, 40, 50, 50)) == walk


# --- generated sites, without a browser ---------------------------------------------------------------


def _solid(layout: Layout, key: str) -> list[Box]:
    """The boxes of a placed thing: its texts and signs, and the dot at its place if it has one."""
    boxes = list(layout.candidates[key].boxes)
    drawn = layout.drawn[key]
    if drawn.dot and drawn.leader:
        boxes.append(_square(drawn.leader[0], 2 * layout.style.dot))
    return boxes


def _check_layout(name: str, layout: Layout) -> None:
    s, frame = layout.style, layout.frame
    drawing = (0.0, 0.0, frame.width, frame.height)
    chosen = layout.candidates
    for key in chosen:
        for box in _solid(layout, key):
            assert drawing[0] <= box[0] and drawing[1] <= box[1], (name, key)
            assert box[2] <= drawing[2] and box[3] <= drawing[3], (name, key)
    for k1, k2 in itertools.combinations(chosen, 2):
        for a, b in itertools.product(_solid(layout, k1), _solid(layout, k2)):
            assert not overlap(a, b), (name, k1, k2)
        for segment, box in itertools.chain(
            itertools.product(chosen[k1].leaders, chosen[k2].boxes),
            itertools.product(chosen[k2].leaders, chosen[k1].boxes),
        ):
            assert not crosses(segment, box), (name, k1, k2, "leader")
        for ((x, y), _), box in itertools.chain(
            itertools.product(chosen[k1].leaders, chosen[k2].texts),
            itertools.product(chosen[k2].leaders, chosen[k1].texts),
        ):
            assert not (box[0] <= x <= box[2] and box[1] <= y <= box[3]), (name, k1, k2, "leader from under words")
    if layout.here is not None:
        marker = _square(layout.here, 2 * s.here_radius)
        for key in chosen:
            assert not any(overlap(marker, box) for box in _solid(layout, key)), (name, key, "covers the marker")
    for segment in zip(layout.route, layout.route[1:], strict=False):
        for key, candidate in chosen.items():
            for box in candidate.boxes:
                half = s.route_width / 2
                grown = (box[0] - half, box[1] - half, box[2] + half, box[3] + half)
                assert not segment_hits_box(segment, grown), (name, key, "covers the route")


def _square(centre: XY, size: float) -> Box:
    return (centre[0] - size / 2, centre[1] - size / 2, centre[0] + size / 2, centre[1] + size / 2)


@properties(60)
@given(site_maps())
def test_generated_plans_overlap_nowhere_and_stay_inside(site_map: SiteMap) -> None:
    for name, layout in plans(site_map):
        _check_layout(name, layout)
        drawn = set(layout.candidates)
        assert {"north", "scale"} <= drawn, name  # the margins grow until they have room
        for label in layout.left_out:
            assert f"{label.kind}:{label.ref}" not in drawn or label.kind == "facility"


@properties(60)
@given(site_maps())
def test_placement_leaves_routes_scale_and_north_true(site_map: SiteMap) -> None:
    graph = geometry.walkway_graph(site_map.points, site_map.paths)
    assembly_at = {a.at: a.id for a in sorted(site_map.assembly_points, key=lambda a: a.id)}
    for b in site_map.buildings:
        expected = geometry.evacuation_route(b.id, b.entrances, assembly_at, graph)
        assert expected is not None
        turn = evacuation_turn(site_map, b)
        plan = draw_plan(site_map, b, turn)
        svg = str(plan.svg)
        assert f'data-length-m="{expected.length:.1f}"' in svg and f'data-assembly="{expected.assembly}"' in svg
        layout = layout_plan(site_map, b, turn, PRINT)
        frame = layout.frame
        # The route is drawn from the marker onto the walk (where the reader joins it, on the walk's
        # legs), then through every later point of the walk until it reaches its sign.
        walk = [frame(site_map.points[p]) for p in expected.points]
        drawn = list(layout.route)
        assert drawn[0] == layout.here
        joined = join_walk(layout.here, walk)
        assert (
            any(distance_to_segment(joined[0], leg) < 1e-6 for leg in zip(walk, walk[1:], strict=False))
            or joined[0] in walk
        )
        assert joined[1:] == walk[len(walk) - len(joined) + 1 :]
        expected = [layout.here]
        expected += [q for q, before in zip(joined, expected + joined, strict=False) if math.dist(q, before) > 1e-9]
        assert len(drawn) <= len(expected) + 1
        for along, point in zip(drawn[:-1], expected, strict=False):
            assert along == pytest.approx(point)
        # One metre is the same length everywhere and in every direction, and the bar says how long.
        for p, q in itertools.combinations(list(site_map.points.values())[:6], 2):
            assert math.dist(frame(p), frame(q)) == pytest.approx(frame.scale * math.dist(p, q), rel=1e-9, abs=1e-9)
        bar = re.search(r'<g class="scale-bar marker" data-scale-m="([\d.]+)">(.*?)</g>', svg)
        assert bar is not None
        widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', bar.group(2))]
        assert sum(widths) == pytest.approx(float(bar.group(1)) * frame.scale, abs=0.02)
        # North on the drawing is where the north arrow says.
        origin = (0.0, 0.0)
        up = (math.sin(math.radians(site_map.north)), math.cos(math.radians(site_map.north)))
        (x0, y0), (x1, y1) = frame(origin), frame(up)
        drawn_north = math.degrees(math.atan2(x1 - x0, -(y1 - y0))) % 360
        assert min(abs(drawn_north - plan.north), 360 - abs(drawn_north - plan.north)) < 1e-6
        assert f'data-north="{_short(plan.north)}"' in svg


def _short(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@properties(20)
@given(site_maps())
def test_layouts_are_deterministic(site_map: SiteMap) -> None:
    first = [str(draw_plan(site_map, b, evacuation_turn(site_map, b)).svg) for b in site_map.buildings]
    import sitegen.content.planlayout as planlayout

    planlayout._sites.clear()
    again = [str(draw_plan(site_map, b, evacuation_turn(site_map, b)).svg) for b in site_map.buildings]
    assert first == again


@properties(5)
@given(site_maps())
def test_laying_out_leaves_no_reference_cycles(site_map: SiteMap) -> None:
    """Content is checked with the cycle collector paused (``few_collections``): a plan's planner,
    candidates or drawings caught in a reference cycle would stay for the whole check, every plan of
    a district of them (a checking worker grew to 600 MB at 1,000 neighborhoods)."""
    import gc

    import sitegen.content.planlayout as planlayout

    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        planlayout._layouts.clear()
        planlayout._sites.clear()
        plans(site_map)
        planlayout._layouts.clear()  # what is kept on purpose goes; only what is lost stays
        planlayout._sites.clear()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        caught = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("sitegen")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert caught == []


# --- in Chromium ----------------------------------------------------------------------------------

BOXES_JS = """() => [...document.querySelectorAll('svg.site-plan')].map(svg => {
  const frame = svg.getBoundingClientRect();
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const found = [...svg.querySelectorAll('text, use, .marker')];
  const things = found.map(e => {
    const owner = e.parentElement ? e.parentElement.closest('.marker') : null;
    const group = e.classList.contains('marker') ? found.indexOf(e) : (owner ? found.indexOf(owner) : -1);
    return {tag: e.tagName, cls: e.getAttribute('class') || '', text: e.textContent, box: box(e), group};
  });
  const route = svg.querySelector('.route polyline');
  let walk = [];
  if (route) {
    const m = route.getScreenCTM();
    walk = [...route.points].map(p => { const q = new DOMPoint(p.x, p.y).matrixTransform(m); return [q.x, q.y]; });
  }
  const width = route ? parseFloat(route.getAttribute('stroke-width')) * svg.getScreenCTM().a : 0;
  return {label: svg.getAttribute('aria-label'), frame: box(svg), things, walk, width};
})"""


def check_in_chromium(page: Any) -> list[str]:
    """Every text, sign and marker of every plan on the page: inside its drawing, overlapping nothing,
    and off the route. Returns what is wrong, one line each."""
    wrong = []
    for plan in page.evaluate(BOXES_JS):
        label, (fx0, fy0, fx1, fy1) = plan["label"], plan["frame"]
        things = plan["things"]
        for t in things:
            x0, y0, x1, y1 = t["box"]
            if x0 < fx0 - 0.01 or y0 < fy0 - 0.01 or x1 > fx1 + 0.01 or y1 > fy1 + 0.01:
                wrong.append(f"{label}: {t['tag']}.{t['cls']} {t['text']!r} leaves the drawing")
        for a, b in itertools.combinations(things, 2):
            if a["group"] >= 0 and a["group"] == b["group"]:
                continue  # one marker (a north arrow, a scale bar) and its own letters
            ax0, ay0, ax1, ay1 = a["box"]
            bx0, by0, bx1, by1 = b["box"]
            if min(ax1, bx1) - max(ax0, bx0) > 0.01 and min(ay1, by1) - max(ay0, by0) > 0.01:
                wrong.append(
                    f"{label}: {a['tag']}.{a['cls']} {a['text']!r} overlaps {b['tag']}.{b['cls']} {b['text']!r}"
                )
        walk, half = plan["walk"], plan["width"] / 2
        for t in things:
            if "here-ring" in t["cls"] or "leader-dot" in t["cls"]:
                continue  # the route starts at the marker; leader dots lie beneath it
            x0, y0, x1, y1 = t["box"]
            grown = (x0 - half, y0 - half, x1 + half, y1 + half)
            for segment in zip(walk, walk[1:], strict=False):
                if segment_hits_box((tuple(segment[0]), tuple(segment[1])), grown):
                    wrong.append(f"{label}: {t['tag']}.{t['cls']} {t['text']!r} covers the route")
                    break
    return wrong


def _plans_page(site_map: SiteMap) -> str:
    svgs = []
    for b in site_map.buildings:
        plan = draw_plan(site_map, b, evacuation_turn(site_map, b), label=f"building {b.id}")
        svgs.append(str(plan.svg).replace("<svg ", '<svg style="width:287mm;height:226mm;display:block" ', 1))
    web = draw_plan(site_map, label="map page", style=WEB)
    svgs.append(str(web.svg).replace("<svg ", '<svg style="width:358px;height:auto;display:block" ', 1))
    return f"<!doctype html><meta charset=utf-8><body style='margin:0'>{symbol_defs()}{''.join(svgs)}</body>"


@properties(25)
@given(site_map=site_maps())
def test_generated_plans_in_chromium(browser: Any, site_map: SiteMap) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.set_content(_plans_page(site_map))
        assert check_in_chromium(page) == []
    finally:
        page.close()


def test_every_plan_of_the_example_in_chromium(built_site: Path, browser: Any) -> None:
    """The shipped sites' evacuation sheets as printed, and their map pages at a phone's width."""
    sheets = sorted(built_site.glob("**/print/evacuation-*.html"))
    maps = sorted(built_site.glob("**/map/index.html"))
    assert maps
    wrong = []
    page = browser.new_page(viewport={"width": 1587, "height": 1123})
    page.emulate_media(media="print")
    for sheet in sheets:
        page.goto(sheet.as_uri())
        wrong += [f"{sheet.relative_to(built_site)}: {w}" for w in check_in_chromium(page)]
    page.close()
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    for map_page in maps:
        phone.goto(map_page.as_uri())
        wrong += [f"{map_page.relative_to(built_site)}: {w}" for w in check_in_chromium(phone)]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
    assert wrong == []


# --- what finds no room is reported ---------------------------------------------------------------------

CROWDED = """\
map:
  points:
    gate: [0, 0]
    door: [0, 20]
    plaza: [30, 20]
  paths:
    - [gate, door, plaza]
  gates:
    - {id: south, name: 南门, at: gate}
  assembly_points:
    - {id: plaza, name: NAME, at: plaza, capacity: 200}
  buildings:
    "1":
      rect: [-15, 24, 20, 10]
      entrances: [door]
"""


def test_signs_that_find_no_room_are_reported_and_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty extinguishers at one spot: the plans show as many as there is room for around it, and say so."""
    crowded = CROWDED.replace("NAME", "广场") + "  facilities:\n" + "    - {code: F001, at: [12, 21]}\n" * 40
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + crowded})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    out = capsys.readouterr().out.replace(str(content) + "/", "")
    warnings = [line for line in out.splitlines() if ": warning: " in line]
    evacuation = [w for w in warnings if "the evacuation plan of 1号楼 has no room for the sign `灭火器`" in w]
    map_page = [w for w in warnings if "the site plan on the map page has no room for the sign `灭火器`" in w]
    assert evacuation and map_page and len(evacuation) + len(map_page) == len(warnings)
    # Each at the line of the extinguisher left out.
    written = (content / "neighborhoods" / "hexie" / "neighborhood.yaml").read_text(encoding="utf-8").splitlines()
    assert all("code: F001" in written[int(w.split(":")[1]) - 1] for w in warnings)
    out_dir = tmp_path / "out"
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(out_dir)]) == 0
    sheet = (out_dir / "hexie" / "print" / "evacuation-1.html").read_text(encoding="utf-8")
    drawn = sheet.count('href="#iso-F001"') - 1  # one in the legend
    assert drawn == 40 - len(evacuation) and drawn >= 8
    # Built into the default output, whose layouts `sitegen check` then reads: the same warnings.
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--lang", "en", "--content", str(content)]) == 0
    assert list((tmp_path / ".sitegen-cache" / "output" / "plans").glob("*.pickle"))
    capsys.readouterr()
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    again = capsys.readouterr().out.replace(str(content) + "/", "")
    assert [line for line in again.splitlines() if ": warning: " in line] == warnings


def test_long_names_are_set_on_two_lines_or_smaller(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "中心广场应急避难场所" * 3  # as long as a name may be
    crowded = CROWDED.replace("NAME", name).replace("name: 南门", f"name: {name}")
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + crowded})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    assert "no room" not in capsys.readouterr().out


def test_the_example_has_room_for_everything(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    assert main(["check", "--lang", "en", "--content", str(root / "content")]) == 0
    assert "has no room" not in capsys.readouterr().out


def test_the_plan_says_it_shows_the_way_out_of_the_compound(tmp_path: Path) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + CROWDED.replace("NAME", "广场")}
    )
    out_dir = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out_dir)]) == 0
    sheet = (out_dir / "hexie" / "print" / "evacuation-1.html").read_text(encoding="utf-8")
    assert re.search(
        r'<figure class="plan">\s*<svg.*</svg>\s*<figcaption class="plan-scope">[^<]*不是楼内的疏散路线', sheet, re.S
    )
