"""Site-plan geometry and evacuation routes: pure functions over points in metres."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from sitegen.content.model import XY, Route

Graph = dict[str, list[tuple[str, float]]]


def distance(a: XY, b: XY) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def walkway_graph(points: dict[str, XY], paths: Iterable[tuple[str, ...]]) -> Graph:
    """An undirected graph of the walkways: each path joins its points in order."""
    graph: Graph = {}
    for path in paths:
        for a, b in zip(path, path[1:], strict=False):
            if a == b or a not in points or b not in points:
                continue
            length = distance(points[a], points[b])
            graph.setdefault(a, []).append((b, length))
            graph.setdefault(b, []).append((a, length))
    return graph


def shortest_route(graph: Graph, sources: Iterable[str], targets: set[str]) -> tuple[tuple[str, ...], float] | None:
    """The shortest walk from any source to any target, or None if none can be reached.

    Ties are broken deterministically: among walks of equal length (to a millimetre), the one whose
    sequence of point ids sorts first wins.
    """
    queue: list[tuple[float, tuple[str, ...]]] = [(0.0, (source,)) for source in sorted(set(sources))]
    heapq.heapify(queue)
    done: set[str] = set()
    while queue:
        length, walk = heapq.heappop(queue)
        here = walk[-1]
        if here in done:
            continue
        done.add(here)
        if here in targets:
            return walk, length
        for neighbour, step in graph.get(here, ()):
            if neighbour not in done:
                heapq.heappush(queue, (round(length + step, 3), (*walk, neighbour)))
    return None


def evacuation_route(
    building: str, entrances: Iterable[str], assembly_at: dict[str, str], graph: Graph
) -> Route | None:
    """The route from the building's entrances to the nearest assembly point (``assembly_at``: point → id)."""
    found = shortest_route(graph, entrances, set(assembly_at))
    if found is None:
        return None
    walk, length = found
    return Route(building, walk[0], assembly_at[walk[-1]], walk, length)


def rectangle(x: float, y: float, width: float, depth: float) -> tuple[XY, ...]:
    return ((x, y), (x + width, y), (x + width, y + depth), (x, y + depth))


def centroid(outline: Iterable[XY]) -> XY:
    """The centre of a polygon's area (its vertex average if the area is zero)."""
    corners = list(outline)
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return (sum(x for x, _ in corners) / len(corners), sum(y for _, y in corners) / len(corners))
    return (cx / (3 * area), cy / (3 * area))


def rotate(point: XY, degrees: float, about: XY = (0.0, 0.0)) -> XY:
    """Rotate ``point`` clockwise by ``degrees`` around ``about`` (plan coordinates, y up)."""
    angle = math.radians(-degrees)
    x, y = point[0] - about[0], point[1] - about[1]
    return (
        about[0] + x * math.cos(angle) - y * math.sin(angle),
        about[1] + x * math.sin(angle) + y * math.cos(angle),
    )


def bounds(points: Iterable[XY]) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y)."""
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def nice_length(maximum: float) -> float:
    """The largest of 1, 2, 5 × 10ⁿ metres not above ``maximum``, for a scale bar."""
    if maximum <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(maximum))
    for step in (5, 2, 1):
        if step * power <= maximum:
            return float(step * power)
    return float(power)


def quarter_turn(angle: float) -> float:
    """The nearest multiple of 90°: plans turn in quarter turns, so buildings stay square to the paper."""
    return float(round(angle / 90) % 4 * 90)


def view_angle(facing: float | None, north: float) -> float:
    """How far to turn the plan clockwise so that what is ahead of a reader at the board is up.

    ``facing`` is the compass bearing the board's front faces; its reader looks the opposite way.
    ``north`` is where north lies, in degrees clockwise from the plan's top. Without a facing, the
    plan is drawn as written.
    """
    if facing is None:
        return 0.0
    ahead = (facing + 180) % 360  # compass bearing the reader looks along
    # A compass bearing b lies at plan angle (north + b) clockwise from the plan's top.
    return (-(north + ahead)) % 360
