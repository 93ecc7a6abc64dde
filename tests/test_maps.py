"""Site plans: routes on small graphs, the checks on map data, the drawing, and A3 evacuation plans."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from sitegen.content import geometry
from sitegen.content.model import XY, AssemblyPoint, Gate, MapBuilding, SiteMap
from sitegen.plan.mapdraw import _arrows, draw_plan
from tests.helpers import MINIMAL_NEIGHBORHOOD, write_site

GOLDEN = Path(__file__).parent / "golden" / "plan"


def graph(points: dict[str, XY], *paths: str) -> geometry.Graph:
    return geometry.walkway_graph(points, [tuple(p.split()) for p in paths])


# --- routes ---------------------------------------------------------------------------------------


def test_shortest_route_prefers_the_shorter_walk() -> None:
    points = {"a": (0, 0), "b": (10, 0), "c": (10, 10), "d": (0, 30), "x": (20, 0)}
    g = graph(points, "a b x", "a d x")
    assert geometry.shortest_route(g, ["a"], {"x"}) == (("a", "b", "x"), 20.0)


def test_the_nearest_of_several_assembly_points_wins() -> None:
    points = {"door": (0, 0), "near": (5, 0), "far": (0, 50)}
    g = graph(points, "far door near")
    route = geometry.evacuation_route("1", ["door"], {"near": "plaza", "far": "court"}, g)
    assert route is not None
    assert (route.assembly, route.points, route.length) == ("plaza", ("door", "near"), 5.0)


def test_the_best_of_several_entrances_is_used() -> None:
    points = {"front": (0, 0), "back": (100, 0), "plaza": (110, 0), "mid": (50, 0)}
    g = graph(points, "front mid back plaza")
    route = geometry.evacuation_route("1", ["front", "back"], {"plaza": "plaza"}, g)
    assert route is not None and route.entrance == "back" and route.length == 10.0


def test_ties_are_broken_by_point_ids_whatever_the_input_order() -> None:
    points = {"s": (0, 0), "n": (0, 10), "e": (10, 0), "t": (10, 10)}
    first = geometry.shortest_route(graph(points, "s n t", "s e t"), ["s"], {"t"})
    second = geometry.shortest_route(graph(points, "s e t", "s n t"), ["s"], {"t"})
    assert first == second == (("s", "e", "t"), 20.0)


def test_equal_distances_to_two_assembly_points_pick_the_first_by_point_id() -> None:
    points = {"door": (0, 0), "west": (-10, 0), "east": (10, 0)}
    route = geometry.evacuation_route("1", ["door"], {"west": "w", "east": "e"}, graph(points, "west door east"))
    assert route is not None and route.assembly == "e"


def test_unreachable_gives_none() -> None:
    points = {"a": (0, 0), "b": (1, 0), "c": (5, 5), "d": (6, 5)}
    assert geometry.shortest_route(graph(points, "a b", "c d"), ["a"], {"d"}) is None


def test_a_route_can_pass_through_points_in_the_middle_of_a_path() -> None:
    points = {"a": (0, 0), "b": (3, 4), "c": (6, 8), "z": (3, 0)}
    g = graph(points, "a b c", "b z")
    assert geometry.shortest_route(g, ["c"], {"z"}) == (("c", "b", "z"), 9.0)


# --- geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facing", "north", "expected"),
    [(None, 0, 0), ("南", 0, 0), (180, 0, 0), (0, 0, 180), (90, 0, 90), (270, 0, 270), (180, 10, 350), (90, 30, 60)],
)
def test_the_plan_turns_so_that_ahead_of_the_reader_is_up(facing: Any, north: float, expected: float) -> None:
    bearing = {"南": 180.0}.get(facing, facing)
    assert geometry.view_angle(bearing, north) == pytest.approx(expected)


def test_after_turning_the_readers_view_points_up() -> None:
    for facing in range(0, 360, 15):
        for north in (0, 10, -25, 90):
            turn = geometry.view_angle(facing, north)
            ahead = (facing + 180) % 360
            # The direction the reader looks, as a unit vector on the plan (x right, y up).
            angle = math.radians(north + ahead)
            x, y = geometry.rotate((math.sin(angle), math.cos(angle)), turn)
            assert (x, y) == pytest.approx((0.0, 1.0), abs=1e-9)


def test_rotate_is_clockwise() -> None:
    assert geometry.rotate((0, 1), 90) == pytest.approx((1, 0))


def test_centroid_of_a_rectangle() -> None:
    assert geometry.centroid(geometry.rectangle(0, 0, 10, 4)) == pytest.approx((5, 2))


@pytest.mark.parametrize(("maximum", "length"), [(7, 5), (19, 10), (23, 20), (160, 100), (0.7, 0.5)])
def test_scale_bar_lengths_are_round(maximum: float, length: float) -> None:
    assert geometry.nice_length(maximum) == length


# --- drawing --------------------------------------------------------------------------------------


def small_map() -> SiteMap:
    points = {"gate": (0.0, 0.0), "door": (0.0, 20.0), "plaza": (30.0, 20.0)}
    building = MapBuilding("1", "1号楼", geometry.rectangle(-15, 24, 20, 10), ("door",), (-2.0, 23.0), 180.0)
    route = geometry.evacuation_route(
        "1", ["door"], {"plaza": "plaza"}, geometry.walkway_graph(points, [("gate", "door", "plaza")])
    )
    assert route is not None
    return SiteMap(
        0.0,
        points,
        (("gate", "door", "plaza"),),
        (Gate("south", "南门", "gate"),),
        (AssemblyPoint("plaza", "广场", "plaza", 200, geometry.rectangle(25, 15, 10, 10)),),
        (),
        (building,),
        {"1": route},
    )


def test_evacuation_plan_marks_what_the_standard_asks_for() -> None:
    site_map = small_map()
    plan = draw_plan(site_map, site_map.buildings[0])
    svg = str(plan.svg)
    assert 'class="route"' in svg and 'data-length-m="30.0"' in svg
    assert svg.count('class="you-are-here"') == 1
    assert 'class="assembly-point"' in svg and 'class="exit"' in svg
    assert 'class="north-arrow marker"' in svg and 'class="scale-bar marker"' in svg
    assert len(re.findall(r'class="route-arrow"', svg)) >= 3
    assert " id=" not in svg  # several plans can share a page


@pytest.mark.parametrize("length", [3.0, 20.0, 27.0, 30.5, 36.0, 61.0])
def test_route_arrows_keep_their_spacing_up_to_the_one_at_the_end(length: float) -> None:
    tips = []
    for arrow in _arrows(((0.0, 0.0), (length, 0.0)), 10.0, 1.0):
        found = re.search(r'points="([\d.]+),', arrow)
        assert found is not None
        tips.append(float(found.group(1)))
    assert tips == sorted(tips) and tips[-1] == pytest.approx(length - 0.2)
    assert all(b - a >= 5 for a, b in zip(tips, tips[1:], strict=False))


def test_plan_svg_matches_golden(request: pytest.FixtureRequest) -> None:
    site_map = small_map()
    svg = str(draw_plan(site_map, site_map.buildings[0], label="1号楼应急疏散图").svg) + "\n"
    golden = GOLDEN / "evacuation-1.svg"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(svg, encoding="utf-8")
    assert svg == golden.read_text(encoding="utf-8")


def test_turning_the_plan_keeps_north_true() -> None:
    site_map = small_map()
    plan = draw_plan(site_map, site_map.buildings[0], rotation=90)
    assert plan.north == 90 and 'data-north="90"' in str(plan.svg)


# --- checks -----------------------------------------------------------------------------------------

MAP = """\
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
    - {id: plaza, name: 广场, at: plaza, capacity: 200}
  facilities:
    - {code: F001, at: [2, 22]}
  buildings:
    "1":
      rect: [-15, 24, 20, 10]
      entrances: [door]
"""


def check(tmp_path: Path, neighborhood: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": neighborhood})
    code = main(["check", "--lang", "en", "--content", str(content)])
    out = capsys.readouterr().out
    return code, out.replace(str(content) + "/", "")


def test_a_valid_map_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(tmp_path, MINIMAL_NEIGHBORHOOD + MAP, capsys) == (0, "")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    - [gate, door, plaza]\n",
            "    - [gate, dor, plaza]\n",
            "neighborhoods/hexie/neighborhood.yaml:12:14: error: there is no point `dor` under `map.points`",
        ),
        (
            "{code: F001, at: [2, 22]}",
            "{code: F009, at: [2, 22]}",
            "neighborhoods/hexie/neighborhood.yaml:18:14: error: `F009` is not an ISO 7010 sign sitegen knows",
        ),
        (
            "    plaza: [30, 20]\n  paths:\n    - [gate, door, plaza]\n",
            "    plaza: [30, 20]\n    back: [5, 40]\n  paths:\n    - [gate, door, plaza]\n",
            None,
        ),
        (
            "      entrances: [door]\n",
            "      entrances: [lonely]\n",
            "neighborhoods/hexie/neighborhood.yaml:22:19: error: there is no point `lonely` under `map.points`",
        ),
        (
            '    "1":\n',
            '    "9":\n',
            "neighborhoods/hexie/neighborhood.yaml:20:5: "
            "error: there is no building `9` in this neighborhood's `buildings`",
        ),
        (
            "      rect: [-15, 24, 20, 10]\n",
            "",
            "neighborhoods/hexie/neighborhood.yaml:20:5: "
            "error: building `1` needs either `outline:` or `rect:` (one of them)",
        ),
    ],
    ids=["unknown-point", "unknown-sign", "unused-point-is-fine", "unknown-entrance", "unknown-building", "no-shape"],
)
def test_map_mistakes_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str | None
) -> None:
    assert old in MAP
    code, out = check(tmp_path, MINIMAL_NEIGHBORHOOD + MAP.replace(old, new), capsys)
    if expected is None:
        assert (code, out) == (0, "")
    else:
        assert code == 1 and out.splitlines()[0] == expected, out


def test_entrance_off_the_walkways(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = MAP.replace("    plaza: [30, 20]\n", "    plaza: [30, 20]\n    side: [-20, 30]\n").replace(
        "      entrances: [door]\n", "      entrances: [side]\n"
    )
    code, out = check(tmp_path, MINIMAL_NEIGHBORHOOD + broken, capsys)
    assert code == 1
    assert (
        out.splitlines()[0]
        == "neighborhoods/hexie/neighborhood.yaml:23:19: error: the entrance `side` is not on any walkway"
    )


def test_building_with_no_reachable_assembly_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut_off = MAP.replace("    - [gate, door, plaza]\n", "    - [gate, door]\n    - [plaza, far]\n").replace(
        "    plaza: [30, 20]\n", "    plaza: [30, 20]\n    far: [60, 20]\n"
    )
    code, out = check(tmp_path, MINIMAL_NEIGHBORHOOD + cut_off, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "neighborhoods/hexie/neighborhood.yaml:22:5: error: no assembly point can be reached from building `1`"
    )
    assert "connect its entrances by walkways" in out


def test_a_building_missing_from_the_map_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = MINIMAL_NEIGHBORHOOD.replace("  - id: 1\n", "  - id: 1\n  - id: 2\n")
    code, out = check(tmp_path, two + MAP, capsys)
    assert code == 0
    assert "warning: building `2` is not on the site plan, so it gets no evacuation plan" in out


def test_board_facing_words_and_degrees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for facing in ("南", "south", "东南", "135", "朝南"):
        with_board = MAP.replace(
            "      entrances: [door]\n", f"      entrances: [door]\n      board: {{at: [0, 23], facing: {facing}}}\n"
        )
        assert check(tmp_path / facing, MINIMAL_NEIGHBORHOOD + with_board, capsys) == (0, ""), facing
    bad = MAP.replace("      entrances: [door]\n", "      entrances: [door]\n      board: {at: [0, 23], facing: 上}\n")
    code, out = check(tmp_path / "bad", MINIMAL_NEIGHBORHOOD + bad, capsys)
    assert code == 1 and "`上` is not a compass direction" in out


# --- printed plans ------------------------------------------------------------------------------------


def test_every_evacuation_plan_prints_on_one_a3_landscape_page(tmp_path: Path, browser: Any) -> None:
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + MAP})
    out = tmp_path / "out"
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(out)]) == 0
    sheets = sorted(out.glob("*/print/evacuation-*.html"))
    assert sheets
    page = browser.new_page()
    for sheet in sheets:
        page.goto(sheet.as_uri())
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert len(sizes) == 1, sheet
        width, height = (float(v) for v in sizes[0])
        assert (round(width), round(height)) == (1191, 842), sheet
    page.close()


def test_map_page_and_plans_are_linked(tmp_path: Path) -> None:
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + MAP})
    out = tmp_path / "out"
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(out)]) == 0
    home = (out / "hexie" / "index.html").read_text(encoding="utf-8")
    assert 'href="map/index.html"' in home
    map_page = (out / "hexie" / "map" / "index.html").read_text(encoding="utf-8")
    assert 'href="../print/evacuation-1.html"' in map_page
    assert "步行约 30 米" in map_page


def test_plans_turn_in_quarter_turns() -> None:
    assert [geometry.quarter_turn(a) for a in (0, 12, 44, 46, 170, 250, 350, -12)] == [0, 0, 0, 90, 180, 270, 0, 0]


def test_with_a_board_the_route_starts_at_the_entrance_next_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_doors = (
        MAP.replace("    plaza: [30, 20]\n", "    plaza: [30, 20]\n    back: [-15, 40]\n    far: [-15, 20]\n")
        .replace("    - [gate, door, plaza]\n", "    - [gate, door, plaza]\n    - [back, far, door]\n")
        .replace(
            "      entrances: [door]\n", "      entrances: [door, back]\n      board: {at: [-14, 36], facing: 西}\n"
        )
    )
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + two_doors})
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    sheet = (tmp_path / "out" / "hexie" / "print" / "evacuation-1.html").read_text(encoding="utf-8")
    # From the back door by the board: 20 m to `far`, 15 m to the door, 30 m to the plaza.
    assert 'data-length-m="65.0"' in sheet


def test_landmarks_are_drawn_without_routes(tmp_path: Path) -> None:
    with_landmark = MAP + "  landmarks:\n    - {name: 会所, rect: [10, 0, 8, 6]}\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD + with_landmark})
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "hexie" / "map" / "index.html").read_text(encoding="utf-8")
    assert 'class="landmark"' in page and ">会所</text>" in page


def test_a_malformed_point_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(tmp_path, MINIMAL_NEIGHBORHOOD + MAP.replace("door: [0, 20]", "door: [0, 20, 3]"), capsys)
    assert code == 1
    assert [line for line in out.splitlines() if ": error: " in line] == [
        "neighborhoods/hexie/neighborhood.yaml:9:11: error: expected a position `[x, y]` in metres, found a list"
    ]


def test_a_code_that_is_not_a_code_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(tmp_path, MINIMAL_NEIGHBORHOOD + MAP.replace("code: F001", "code: F 001"), capsys)
    assert code == 1 and out.count(": error: ") == 1 and "is not an ISO 7010 code" in out
