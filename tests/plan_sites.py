"""Random site plans for property tests: street grids, buildings between them, long names, crowded signs."""

from __future__ import annotations

from hypothesis import strategies as st

from sitegen.content import geometry
from sitegen.content.model import XY, AssemblyPoint, Facility, Gate, Landmark, MapBuilding, Route, SiteMap
from sitegen.content.signs import SIGNS

CODES = sorted(c for c in SIGNS if c not in ("E001", "E007"))
HAN = "东南西北中心广场花园草坪应急避难场所会所幼儿园综合楼物业服务中心锦华明苑丽景新村"


def names(short: str) -> st.SearchStrategy[str]:
    """A name as editors write them: short, or long (up to a whole line), sometimes with Latin or digits."""
    return st.one_of(
        st.just(short),
        st.text(alphabet=HAN, min_size=2, max_size=6),
        st.text(alphabet=HAN + "ABCDWM0123456789（）·", min_size=6, max_size=18),
    )


@st.composite
def site_maps(draw: st.DrawFn) -> SiteMap:
    """A compound: a grid of walkways, buildings in its blocks with doors on the walkways, gates at its
    edge, assembly points at crossings, facilities next to doors, gates and names; often crowded."""
    columns, rows = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    block_w, block_h = draw(st.floats(22, 90)), draw(st.floats(18, 70))
    points: dict[str, XY] = {}
    for i in range(columns + 1):
        for j in range(rows + 1):
            points[f"x{i}-{j}"] = (i * block_w, j * block_h)
    streets: list[list[str]] = [[f"x{i}-{j}" for i in range(columns + 1)] for j in range(rows + 1)]
    avenues = [[f"x{i}-{j}" for j in range(rows + 1)] for i in range(columns + 1)]
    buildings: list[MapBuilding] = []
    landmarks: list[Landmark] = []
    for i in range(columns):
        for j in range(rows):
            kind = draw(st.sampled_from(["building", "building", "building", "two", "landmark", "empty"]))
            x0, y0 = i * block_w, j * block_h
            slots = 2 if kind == "two" else 1
            for k in range(slots):
                if kind == "empty":
                    continue
                width = draw(st.floats(0.3, 0.85)) * block_w / slots
                depth = draw(st.floats(0.3, 0.7)) * block_h
                left = x0 + block_w * k / slots + (block_w / slots - width) / 2
                bottom = y0 + 3 + draw(st.floats(0, max(0.0, block_h - depth - 6)))
                outline = geometry.rectangle(left, bottom, width, depth)
                if kind == "landmark":
                    landmarks.append(Landmark(draw(names("会所")), outline))
                    continue
                number = len(buildings) + 1
                door = f"d{number}"
                points[door] = (left + width / 2, y0)
                board = draw(st.sampled_from([None, (left + width / 2 + 1.5, bottom + 0.5)]))
                facing = draw(st.sampled_from([None, 0.0, 90.0, 180.0, 270.0]))
                name = draw(names(f"{number}号楼"))
                buildings.append(MapBuilding(str(number), name, outline, (door,), board, facing))
    # Doors lie on the street below their block, in order along it.
    for j, street in enumerate(streets):
        doors = [d for d in points if d.startswith("d") and points[d][1] == j * block_h]
        street[:] = sorted(street + doors, key=lambda p: (points[p][0], p))
    paths = tuple(tuple(p) for p in streets + avenues)
    corners = [f"x{i}-{j}" for i in (0, columns) for j in (0, rows)]
    gates = tuple(
        Gate(f"g{n}", draw(names(["南门", "北门", "东门", "西门"][n])), at, draw(st.booleans()))
        for n, at in enumerate(draw(st.lists(st.sampled_from(corners), min_size=1, max_size=3, unique=True)))
    )
    crossings = [p for p in points if p.startswith("x")]
    assembly = tuple(
        AssemblyPoint(
            f"a{n}",
            draw(names("广场")),
            at,
            draw(st.one_of(st.none(), st.integers(50, 30000))),
            draw(st.sampled_from([(), _around(points[at], block_w / 3, block_h / 3)])),
        )
        for n, at in enumerate(draw(st.lists(st.sampled_from(crossings), min_size=1, max_size=3, unique=True)))
    )
    near = [points[p] for p in points] + [geometry.centroid(b.outline) for b in buildings]
    near += [b.board for b in buildings if b.board]
    facilities = tuple(
        Facility(
            draw(st.sampled_from(CODES)),
            _jitter(draw(st.sampled_from(near)), draw(st.floats(-6, 6)), draw(st.floats(-6, 6))),
        )
        for _ in range(draw(st.integers(0, 4 + 2 * len(buildings))))
    )
    north = draw(st.floats(0, 359))
    graph = geometry.walkway_graph(points, paths)
    assembly_at = {a.at: a.id for a in sorted(assembly, key=lambda a: a.id)}
    routes: dict[str, Route] = {}
    for b in buildings:
        route = geometry.evacuation_route(b.id, b.entrances, assembly_at, graph)
        assert route is not None
        routes[b.id] = route
    return SiteMap(north, points, paths, gates, assembly, facilities, tuple(buildings), routes, tuple(landmarks))


def _around(at: XY, half_w: float, half_h: float) -> tuple[XY, ...]:
    return geometry.rectangle(at[0] - half_w, at[1] - half_h, 2 * half_w, 2 * half_h)


def _jitter(at: XY, dx: float, dy: float) -> XY:
    return (at[0] + dx, at[1] + dy)
