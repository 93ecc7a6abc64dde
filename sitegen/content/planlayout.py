"""Lay out a site plan on its sheet: the frame, and where each name, sign, north arrow and scale bar goes.

A plan is laid out in drawing units of a fixed size (millimetres of the printed evacuation plan, CSS
pixels of the map page at a phone's width), so text sizes are what the reader sees. The site is
scaled to fill the drawing, with as little margin as lets every name find room, true north kept;
:func:`~sitegen.content.placement.place` then chooses where each thing of
:mod:`~sitegen.content.planitems` goes. Layouts are made when the content is checked (what finds
no room is reported) and drawn by ``sitegen.plan.mapdraw``.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sitegen import cache
from sitegen.content import geometry
from sitegen.content.model import XY, MapBuilding, SiteMap
from sitegen.content.parse import Entry, Node
from sitegen.content.placement import (
    Box,
    Candidate,
    Item,
    Obstacles,
    Penalty,
    box_hits_polygon,
    clip,
    grow,
    inside,
    overlap,
    place,
    remembered,
)
from sitegen.content.planitems import Drawn, Frame, Planner, Style, middle, square
from sitegen.content.schema import Checker, Rec
from sitegen.content.signs import SIGNS
from sitegen.i18n import _

__all__ = [
    "PRINT",
    "WEB",
    "Drawn",
    "Frame",
    "Label",
    "Layout",
    "Style",
    "layouts_kept",
    "layout_plan",
    "left_out_labels",
    "prune_layouts",
]

# The evacuation plan on an A3 landscape sheet, in millimetres: 13 pt names (11 pt at the least),
# 8 mm signs.
PRINT = Style(
    name="print",
    width=287,
    height=226,
    fixed_height=True,
    inset=2.5,
    gap=0.9,
    building_text=4.6,
    smallest_text=3.9,
    landmark_text=4.4,
    gate_text=5.2,
    assembly_text=5.6,
    here_text=6.4,
    scale_text=4.2,
    north_text=5.6,
    facility_sign=8,
    exit_sign=9.5,
    assembly_sign=11,
    here_radius=5.2,
    route_width=3.4,
    walkway_width=5,
    line=0.35,
    dot=0.6,
    halo=0.9,
)
# The map page at a phone's width, in CSS pixels (beyond that the drawing scales with the page).
WEB = Style(
    name="web",
    width=360,
    height=560,
    fixed_height=False,
    inset=3,
    gap=2,
    building_text=12,
    smallest_text=9.5,
    landmark_text=11,
    gate_text=13,
    assembly_text=13,
    here_text=14,
    scale_text=11,
    north_text=12,
    facility_sign=16,
    exit_sign=19,
    assembly_sign=22,
    here_radius=8,
    route_width=5,
    walkway_width=8,
    line=1,
    dot=1.6,
    halo=2.5,
)

# Margins tried around the site, as a share of the drawing's smaller side, beyond room for half a
# sign: the first at which every name finds room wins, so the site is drawn as large as they allow.
MARGINS = (0.0, 0.03, 0.06, 0.1, 0.15, 0.21, 0.28)
# How many margins an evacuation plan tries (a site has one map page, but a plan for each building).
MARGINS_TRIED = 4


@dataclass(frozen=True)
class Label:
    """A thing on a plan, for a warning when it finds no room: its kind, its id and its words."""

    kind: str
    ref: str
    text: str


@dataclass(frozen=True)
class Layout:
    """Where everything of one plan goes."""

    style: Style
    frame: Frame
    drawn: dict[str, Drawn]
    left_out: tuple[Label, ...]
    scale_m: float
    here: XY | None = None
    route: tuple[XY, ...] = ()  # the route as drawn: from the you-are-here marker to the assembly sign
    candidates: dict[str, Candidate] = field(default_factory=dict, repr=False, compare=False)


def extent(site_map: SiteMap) -> list[XY]:
    """Every point the plan must show."""
    points = list(site_map.points.values())
    for b in site_map.buildings:
        points += [*b.outline, *([b.board] if b.board else [])]
    for landmark in site_map.landmarks:
        points += landmark.outline
    for place_ in site_map.assembly_points:
        points += place_.area
    return points + [f.at for f in site_map.facilities]


def make_frame(points: Sequence[XY], rotation: float, style: Style, margin: float) -> Frame:
    """The largest scale at which the turned points fit the drawing with ``margin`` all round."""
    pivot = middle(geometry.bounds(points))
    x0, y0, x1, y1 = geometry.bounds([geometry.rotate(p, rotation, pivot) for p in points])
    across, down = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    scale = max(min((style.width - 2 * margin) / across, (style.height - 2 * margin) / down), 1e-3)
    height = style.height if style.fixed_height else max(down * scale + 2 * margin, 0.45 * style.width)
    return Frame(rotation, pivot, ((x0 + x1) / 2, (y0 + y1) / 2), scale, style.width, height)


def evacuation_turn(site_map: SiteMap, building: MapBuilding) -> float:
    """How far a building's evacuation plan is turned: what is ahead of the reader at its board is up."""
    return geometry.quarter_turn(geometry.view_angle(building.facing, site_map.north))


def join_walk(here: XY, walk: Sequence[XY]) -> list[XY]:
    """The walk from where a reader at ``here`` (the board, beside the entrance) steps onto it.

    The reader joins it at the nearest point of the first leg that does not lie wholly behind
    them, so the route drawn from the marker does not first run back to the entrance, past the
    marker or across the building, and then come back the same way.
    """
    for i, (a, b) in enumerate(zip(walk, walk[1:], strict=False)):
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = dx * dx + dy * dy
        t = ((here[0] - a[0]) * dx + (here[1] - a[1]) * dy) / length if length else 0.0
        if t < 1:
            return list(walk[i:]) if t <= 0 else [(a[0] + t * dx, a[1] + t * dy), *walk[i + 1 :]]
    return list(walk[-1:])


def clip_route(walk: Sequence[XY], end: Box) -> list[XY]:
    """The walk up to where it first reaches the box ``end`` (the sign it leads to)."""
    clipped = [walk[0]]
    for a, b in zip(walk, walk[1:], strict=False):
        entry = _entry(a, b, end)
        if entry is not None:
            if entry != clipped[-1]:
                clipped.append(entry)
            return clipped
        if math.dist(b, clipped[-1]) > 1e-9:
            clipped.append(b)
    return clipped


def _entry(a: XY, b: XY, box: Box) -> XY | None:
    """Where the segment from ``a`` to ``b`` first enters the box, or None if it does not."""
    found = clip((a, b), box)
    if found is None:
        return None
    return (a[0] + (b[0] - a[0]) * found[0], a[1] + (b[1] - a[1]) * found[0])


@dataclass
class _Framed:
    """The items of a site in one frame (all but the reader's own), and the scale bar's metres."""

    planner: Planner
    items: list[Item]
    metres: float
    facilities: dict[str, list[int]]  # a facility item's key → the facilities it shows
    bases: dict[int, dict[str, Candidate]] = field(default_factory=dict)


class _Site:
    """One site map turned one way on one kind of drawing: its frames, tried in turn, and their layouts."""

    def __init__(self, site_map: SiteMap, rotation: float, style: Style) -> None:
        self.map, self.rotation, self.style = site_map, rotation, style
        self.points = extent(site_map)
        self.north = (site_map.north + rotation) % 360
        self.framed: dict[int, _Framed] = {}
        self.layouts: dict[tuple[int, str], Layout] = {}

    def framing(self, k: int) -> _Framed:
        if k not in self.framed:
            s = self.style
            side = min(s.width, s.height) if s.fixed_height else s.width
            margin = s.inset + max(s.assembly_sign, s.exit_sign) / 2 + MARGINS[k] * side
            planner = Planner(self.map, make_frame(self.points, self.rotation, s, margin), s)
            scale, metres = planner.scale_bar()
            facilities = planner.facilities()
            items = [
                planner.north_arrow(self.north),
                scale,
                *(planner.assembly(i) for i in range(len(self.map.assembly_points))),
                *(planner.gate(i) for i in range(len(self.map.gates))),
                *(item for item, _ in facilities),
                *(planner.building(b) for b in self.map.buildings),
                *(planner.landmark(i) for i in range(len(self.map.landmarks))),
            ]
            groups = {item.key: group for item, group in facilities}
            self.framed[k] = _Framed(planner, items, metres, groups)
        return self.framed[k]

    def layout(self, k: int, building: MapBuilding | None) -> Layout:
        key = (k, building.id if building else "")
        if key not in self.layouts:
            self.layouts[key] = self._layout(k, building)
        return self.layouts[key]

    def _layout(self, k: int, building: MapBuilding | None) -> Layout:
        framed = self.framing(k)
        planner, s = framed.planner, self.style
        frame = planner.frame
        area = (s.inset, s.inset, frame.width - s.inset, frame.height - s.inset)
        if building is None:
            placement = place(framed.items, Obstacles(area, s.gap), planner.penalty)
            return self._result(framed, placement.chosen, placement.left_out)
        # A building's plan starts from the plan without it: what its route and marker leave free stays.
        base = self.layout(k, None)
        route = self.map.routes.get(building.id)
        here = frame(building.board or self.map.points[route.entrance if route else building.entrances[0]])
        marker = square(here, 2 * s.here_radius + s.line)
        items = list(framed.items)
        walk: list[XY] = []
        if route:
            # The route leads to its assembly point's sign, which stands on its place; nothing else
            # may come near the route.
            destination = f"assembly:{route.assembly}"
            at = next(a.at for a in self.map.assembly_points if a.id == route.assembly)
            end = grow(square(planner.point(at), s.assembly_sign), s.route_width / 2 + s.gap * 1.05)
            walk = clip_route([here, *join_walk(here, [planner.point(p) for p in route.points])], end)
            items = [_in_place(item) if item.key == destination else item for item in items]
            items.sort(key=lambda item: item.key != destination)
        own = f"building:{building.id}"
        items.sort(key=lambda item: item.key != own if item.key.startswith("building:") else False)
        first, rest = items[:2], items[2:]  # the north arrow and the scale bar
        segments = tuple(zip(walk, walk[1:], strict=False))
        obstacles = Obstacles(area, s.gap, (marker,), segments, s.route_width / 2 + s.gap)
        chosen = {key: base.candidates[key] for key in base.candidates}
        penalty = _sparing(planner.penalty, own, [frame(p) for p in building.outline])
        placement = place([*first, planner.here_label(here), *rest], obstacles, penalty, chosen)
        return self._result(framed, placement.chosen, placement.left_out, here, walk)

    def _result(
        self,
        framed: _Framed,
        chosen: dict[str, Candidate],
        left_out: Sequence[str],
        here: XY | None = None,
        walk: Sequence[XY] = (),
    ) -> Layout:
        labels = tuple(label for key in left_out for label in _labels(self.map, key, framed.facilities))
        s, frame = self.style, framed.planner.frame
        taken = [box for c in chosen.values() for box in c.boxes]
        if here is not None:
            taken.append(square(here, 2 * s.here_radius + s.line))
        area = (s.inset, s.inset, frame.width - s.inset, frame.height - s.inset)
        drawn = {key: _dotted(c.drawing, taken, area, s) for key, c in chosen.items()}
        return Layout(self.style, frame, drawn, labels, framed.metres, here, tuple(walk), chosen)


def _dotted(drawn: Drawn, taken: list[Box], area: Box, style: Style) -> Drawn:
    """A sign away from its place gets a dot there where the dot is free (``taken`` gets it); else its
    leader comes out from under what is there."""
    if not drawn.dot or drawn.leader is None:
        return drawn
    dot = square(drawn.leader[0], style.dot * 2)
    if inside(dot, area) and not any(overlap(dot, box, style.gap / 2) for box in taken):
        taken.append(dot)
        return drawn
    return replace(drawn, dot=False)


# What it costs a name to cover the reader's own building (on top of covering a building at all):
# the building in yellow is what the reader looks for first.
OWN_BUILDING_SOFT = 2.0


def _sparing(penalty: Penalty, own: str, outline: list[XY]) -> Penalty:
    """The penalty, and more for words over the reader's own building, other than its own name."""
    bounds = geometry.bounds(outline)

    def spared(key: str, candidate: Candidate) -> float:
        cost = penalty(key, candidate)
        if key != own:
            for _, box in candidate.drawing.blocks:
                if overlap(box, bounds) and box_hits_polygon(box, outline):
                    cost += OWN_BUILDING_SOFT
        return cost

    return remembered(spared)


def _in_place(item: Item) -> Item:
    """The item with only the candidates whose sign stands on its place."""
    return item.only(lambda c: not c.drawing.displaced)


def _labels(site_map: SiteMap, key: str, facilities: dict[str, list[int]]) -> list[Label]:
    kind, _, ref = key.partition(":")
    if kind == "facility":
        return [Label(kind, str(i), SIGNS[site_map.facilities[i].code].name) for i in facilities[key]]
    if kind == "assembly":
        a = next(a for a in site_map.assembly_points if a.id == ref)
        return [Label(kind, ref, a.name + (f"（{a.capacity}人）" if a.capacity else ""))]
    if kind == "gate":
        return [Label(kind, ref, next(g.name for g in site_map.gates if g.id == ref))]
    if kind == "building":
        return [Label(kind, ref, next(b.name for b in site_map.buildings if b.id == ref))]
    if kind == "landmark":
        return [Label(kind, ref, site_map.landmarks[int(ref)].name)]
    return [Label(kind, ref, {"here": "您在此处", "north": "北"}.get(kind, ""))]


_sites: dict[tuple[int, float, str], _Site] = {}
# The layouts made last, by site map, turn, drawing and building: the checker lays out every plan and
# the drawer needs them again (in one process, for a community of a few dozen neighborhoods).
_layouts: OrderedDict[tuple[int, float, str, str], tuple[SiteMap, Layout]] = OrderedDict()
KEPT_LAYOUTS = 1024

STARTED = "started"  # in the layouts' folder: its time is when the last build started
# A site's plans as the build cache keeps them: (building id or "", turn, drawing's name) → layout.
Plans = dict[tuple[str, float, str], Layout]


class _Store:
    """Every plan of a site map, kept in the build cache by the map's digest (one file a map).

    Laying out a neighborhood's plans costs about 0.1 s (a plan per building, and the map page's):
    the checker lays them all out, to warn about what finds no room, and keeps them here; the
    drawer, in another process, and the next builds and checks take them from here instead of
    laying them out again. Entries are sealed (:mod:`sitegen.cache`): one made by another sitegen,
    or damaged, is laid out afresh. Each build marks the entries it used, and a whole build removes
    the others (:func:`prune_layouts`).
    """

    def __init__(self, directory: Path, writable: bool) -> None:
        self.directory, self.writable = directory, writable
        self.loaded: OrderedDict[str, Plans] = OrderedDict()
        self.digests: dict[int, tuple[SiteMap, str]] = {}
        self.since: int | None = None
        self.used: set[str] = set()  # the entries this build used, by digest
        self.lock = threading.Lock()

    def start(self) -> None:
        """Note when this build started, by the file system's clock: what it uses is marked later."""
        self.since, self.used = None, set()
        if not self.writable or not cache.folder(self.directory):
            return
        marker = self.directory / STARTED
        try:
            marker.touch()
            self.since = marker.stat().st_mtime_ns
        except OSError:
            pass

    def digest(self, site_map: SiteMap) -> str:
        kept = self.digests.get(id(site_map))
        if kept is None or kept[0] is not site_map:
            if len(self.digests) >= 64:
                self.digests.clear()
            kept = self.digests[id(site_map)] = (site_map, cache.hash_parts("site plan", repr(site_map)))
        return kept[1]

    def _path(self, digest: str) -> Path:
        return self.directory / f"{digest}.pickle"

    def get(self, site_map: SiteMap) -> Plans | None:
        """The site's plans as kept, or None."""
        with self.lock:  # the preview renders pages on a thread of its own
            return self._get(self.digest(site_map))

    def _get(self, digest: str) -> Plans | None:
        if digest not in self.loaded:
            payload = cache.read(self._path(digest), f"site plans\0{digest}")
            try:
                plans = cache.load_data(payload) if payload is not None else None
            except Exception:  # sealed but not what this sitegen writes: laid out afresh
                plans = None
            if not isinstance(plans, dict):
                return None
            self._remember(digest, plans)
        if self.writable and digest not in self.used:  # marked as used by this build
            self.used.add(digest)
            try:
                os.utime(self._path(digest))
            except OSError:
                pass
        self.loaded.move_to_end(digest)
        return self.loaded[digest]

    def put(self, site_map: SiteMap, plans: Plans) -> None:
        with self.lock:
            digest = self.digest(site_map)
            if self.writable and cache.write(self._path(digest), f"site plans\0{digest}", cache.dump_data(plans)):
                self.used.add(digest)
            self._remember(digest, plans)

    def _remember(self, digest: str, plans: Plans) -> None:
        self.loaded[digest] = plans
        if len(self.loaded) > 8:
            self.loaded.popitem(last=False)


_store: _Store | None = None  # where this build keeps layouts
_last: _Store | None = None  # kept between builds of one process (the preview's), with what it loaded


@contextmanager
def layouts_kept(directory: Path | None, writable: bool = True) -> Iterator[None]:
    """While in the block, keep the layouts of site plans in ``directory`` of the build cache.

    Entered before content is checked, so that the checking workers, forked from this process, keep
    what they lay out. ``writable`` false reads what is kept and adds nothing (``sitegen check``).
    """
    global _store, _last
    before = _store
    if directory is None:
        _store = None
    else:
        if _last is None or _last.directory != directory or _last.writable != writable:
            _last = _Store(directory, writable)
        _store = _last
        _store.start()
    try:
        yield
    finally:
        _store = before


def prune_layouts() -> None:
    """Remove the kept layouts that this build did not use (after a whole build, which draws every plan)."""
    if _store is None or not _store.writable or _store.since is None:
        return
    try:
        entries = list(os.scandir(_store.directory))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith(".pickle") and entry.stat().st_mtime_ns < _store.since:
                os.unlink(entry.path)
        except OSError:
            pass


def _plans(site_map: SiteMap) -> list[tuple[MapBuilding | None, float, Style]]:
    """Every plan a site has: an evacuation plan for each building, and the map page's."""
    return [(b, evacuation_turn(site_map, b), PRINT) for b in site_map.buildings] + [(None, 0.0, WEB)]


def _site(site_map: SiteMap, rotation: float, style: Style) -> _Site:
    """The site's frames and layouts so far: kept for the last few site maps."""
    key = (id(site_map), rotation, style.name)
    site = _sites.get(key)
    if site is None or site.map is not site_map or site.style != style:
        if len(_sites) >= 8:
            # Other maps' sites go, never this map's: its plans, one a building, come in no order of
            # their turns, and a site made again lays out its plan without a building again.
            for stale in [k for k, kept in _sites.items() if kept.map is not site_map]:
                del _sites[stale]
        site = _sites[key] = _Site(site_map, rotation, style)
    return site


def layout_plan(site_map: SiteMap, building: MapBuilding | None, rotation: float, style: Style) -> Layout:
    """Where everything of a plan goes: the site as large as its names allow, each name where it is free.

    With ``building``, the plan is that building's evacuation plan: its route and you-are-here
    marker are fixed first and nothing may cover them. The smallest margin at which everything
    finds room is searched by halving; when something finds room at no margin tried, the layout
    with the fewest left out is given, and its ``left_out`` says what.
    """
    # Outside a build too (the preview renders pages after its build has returned), the layouts the
    # last one kept are read: entries are found by the plan's digest, so any store gives the same.
    store = _store or _last
    if store is not None:
        kept = store.get(site_map)
        found = kept.get((building.id if building else "", rotation, style.name)) if kept else None
        if found is not None and found.style == style:
            return found
    return _made(site_map, building, rotation, style)


def _made(site_map: SiteMap, building: MapBuilding | None, rotation: float, style: Style) -> Layout:
    """The layout made in this process (kept in memory for the last few hundred plans)."""
    key = (id(site_map), rotation, style.name, building.id if building else "")
    kept = _layouts.get(key)
    if kept is not None and kept[0] is site_map and kept[1].style == style:
        _layouts.move_to_end(key)
        return kept[1]
    layout = _layout_plan(_site(site_map, rotation, style), building)
    _layouts[key] = (site_map, layout)
    if len(_layouts) > KEPT_LAYOUTS:
        _layouts.popitem(last=False)
    return layout


def plans_of(site_map: SiteMap) -> Plans:
    """Every plan of the site laid out: kept in the build cache when a build keeps layouts."""
    kept = _store.get(site_map) if _store is not None else None
    wanted = [(b.id if b else "", turn, style.name) for b, turn, style in _plans(site_map)]
    if kept is not None and all(key in kept for key in wanted):
        return kept
    plans = {
        (b.id if b else "", turn, style.name): replace(_made(site_map, b, turn, style), candidates={})
        for b, turn, style in _plans(site_map)
    }
    if _store is not None:
        _store.put(site_map, plans)
    return plans


def _layout_plan(site: _Site, building: MapBuilding | None) -> Layout:
    tried = len(MARGINS) if building is None else MARGINS_TRIED
    best = site.layout(0, building)
    if not best.left_out:
        return best
    low, high = 0, tried - 1  # no room at low; is there at high?
    widest = site.layout(high, building)
    if widest.left_out:
        return widest if len(widest.left_out) < len(best.left_out) else best
    while high - low > 1:
        k = (low + high) // 2
        if site.layout(k, building).left_out:
            low = k
        else:
            high = k
    return site.layout(high, building)


def left_out_labels(site_map: SiteMap) -> list[tuple[MapBuilding | None, Label]]:
    """What finds no room: on each building's evacuation plan, and (with None) on the map page."""
    plans = plans_of(site_map)
    buildings = {b.id: b for b in site_map.buildings}
    return [(buildings.get(ref), label) for (ref, _turn, _style), layout in plans.items() for label in layout.left_out]


def report_left_out(ctx: Checker, rec: Rec, site_map: SiteMap) -> None:
    """Warn, at the map entry it comes from, about each thing that finds no room on a plan."""
    for building, label in left_out_labels(site_map):
        where = _entry_of(rec, label, building)
        sign = label.kind == "facility"
        if building is None:
            message = (
                _("the site plan on the map page has no room for the sign `{text}`, so it is left out", text=label.text)
                if sign
                else _("the site plan on the map page has no room for `{text}`, so it is left out", text=label.text)
            )
        elif sign:
            message = _(
                "the evacuation plan of {building} has no room for the sign `{text}`, so it is left out",
                building=building.name,
                text=label.text,
            )
        else:
            message = _(
                "the evacuation plan of {building} has no room for `{text}`, so it is left out",
                building=building.name,
                text=label.text,
            )
        hint = _(
            "on the plan it would cover another name or sign; move things here a few metres apart, or shorten the name"
        )
        ctx.report(where, message, hint, "warning")


def _entry_of(rec: Rec, label: Label, building: MapBuilding | None) -> Node | Entry:
    """Where the thing a label stands for is written in the ``map:`` section."""
    listed = {"assembly": "assembly_points", "gate": "gates", "landmark": "landmarks", "facility": "facilities"}
    items: list[Rec] = rec.get(listed.get(label.kind, ""), [])
    if label.kind in ("assembly", "gate"):
        for item in items:
            if item.get("id") == label.ref:
                return item.node
    if label.kind in ("landmark", "facility") and int(label.ref) < len(items):
        return items[int(label.ref)].node
    buildings = rec.node.entries.get("buildings")
    key = label.ref if label.kind == "building" else building.id if building else None
    if buildings is not None and key is not None and key in buildings.value.entries:
        return buildings.value.entries[key]
    return rec.node
