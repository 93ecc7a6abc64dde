"""Check a neighborhood's site plan and find every building's evacuation route."""

from __future__ import annotations

import difflib
from typing import Any

from sitegen.content import geometry, planlayout
from sitegen.content.model import XY, AssemblyPoint, Facility, Gate, Landmark, MapBuilding, Route, SiteMap
from sitegen.content.schema import Checker, Rec, Ref
from sitegen.content.signs import SIGNS
from sitegen.i18n import _


class _MapChecker:
    def __init__(self, ctx: Checker, rec: Rec, building_names: dict[str, str]) -> None:
        self.ctx = ctx
        self.rec = rec
        self.points: dict[str, XY] = rec.get("points", {})
        self.building_names = building_names
        self.ok = rec.complete
        self.paths_ok = True  # with a path broken by an unknown point, connectivity cannot be judged

    def point(self, ref: Ref | None) -> str | None:
        """The id of a referenced point, or None (reported) if there is no such point."""
        if ref is None:
            return None
        if ref.id in self.points:
            return ref.id
        written = self.rec.node.entries.get("points")
        if written is not None and ref.id in written.value.entries:
            self.ok = False  # the point itself is wrong, and was reported where it is written
            return None
        close = difflib.get_close_matches(ref.id, list(self.points), n=1, cutoff=0.7)
        hint = (
            _("did you mean `{key}`?", key=close[0])
            if close
            else _("add it under `map.points` as `{id}: [x, y]`", id=ref.id)
        )
        self.ctx.report(ref.node, _("there is no point `{id}` under `map.points`", id=ref.id), hint)
        self.ok = False
        return None

    def paths(self) -> tuple[tuple[str, ...], ...]:
        """Each path as point ids; a path with an unknown point is split there, never bridged."""
        paths = []
        for refs in self.rec.get("paths", []):
            piece: list[str] = []
            for index, ref in enumerate(refs):
                if index and ref.id == refs[index - 1].id:
                    self.ctx.report(
                        ref.node, _("the path goes from `{id}` to itself", id=ref.id), _("remove the repeated point")
                    )
                    continue
                point = self.point(ref)
                if point is None:
                    self.paths_ok = False
                    paths.append(tuple(piece))
                    piece = []
                else:
                    piece.append(point)
            paths.append(tuple(piece))
        return tuple(p for p in paths if len(p) > 1)

    def connected(self, ref: Ref, graph: geometry.Graph, what: str) -> str | None:
        point = self.point(ref)
        if point is not None and point not in graph and self.paths_ok:
            self.ctx.report(
                ref.node,
                _("{what} `{point}` is not on any walkway", what=what, point=point),
                _("add `{point}` to a path under `map.paths`", point=point),
            )
            self.ok = False
            return None
        return point

    def facilities(self) -> tuple[Facility, ...]:
        found = []
        for rec in self.rec.get("facilities", []):
            if rec["code"] is None:
                self.ok = False  # already reported as not a code
                continue
            code = rec["code"].upper()
            if code not in SIGNS:
                known = ", ".join(f"{c} {s.name}" for c, s in SIGNS.items())
                self.ctx.report(
                    rec.where("code"),
                    _("`{code}` is not an ISO 7010 sign sitegen knows", code=rec["code"]),
                    _("use one of: {known}", known=known),
                )
                self.ok = False
                continue
            if rec.complete:
                found.append(Facility(code, rec["at"], rec.get("note", "")))
        return tuple(found)

    def shape(self, rec: Rec, where: Any, what: str) -> tuple[XY, ...]:
        """The outline given by `outline:` or `rect:` (exactly one of them), or () when neither is usable."""
        has_outline, has_rect = "outline" in rec.node.entries, "rect" in rec.node.entries
        if has_outline == has_rect:
            self.ctx.report(
                where,
                _("{what} needs either `outline:` or `rect:` (one of them)", what=what),
                _("e.g. `rect: [10, 20, 40, 12]`"),
            )
            self.ok = False
            return ()
        if has_outline:
            return tuple(rec.get("outline", ()))
        return geometry.rectangle(*rec["rect"]) if "rect" in rec else ()

    def landmarks(self) -> tuple[Landmark, ...]:
        found = []
        for rec in self.rec.get("landmarks", []):
            outline = self.shape(rec, rec.node, _("the landmark `{name}`", name=rec["name"]))
            if outline and rec.complete:
                found.append(Landmark(rec["name"], outline))
        return tuple(found)

    def building(self, entry_key: str, rec: Rec, graph: geometry.Graph) -> MapBuilding | None:
        if entry_key not in self.building_names:
            known = ", ".join(f"`{b}`" for b in self.building_names) or _("none yet")
            self.ctx.report(
                self.rec.node.entries["buildings"].value.entries[entry_key],
                _("there is no building `{id}` in this neighborhood's `buildings`", id=entry_key),
                _("buildings: {known}", known=known),
            )
            self.ok = False
            return None
        where = self.rec.node.entries["buildings"].value.entries[entry_key]
        outline = self.shape(rec, where, _("building `{id}`", id=entry_key))
        entrances = [self.connected(ref, graph, _("the entrance")) for ref in rec.get("entrances", [])]
        board = rec.get("board") or {}
        if not outline or not entrances or None in entrances or not rec.complete:  # (what is wrong is reported)
            self.ok = False
            return None
        return MapBuilding(
            entry_key,
            self.building_names[entry_key],
            outline,
            tuple(e for e in entrances if e is not None),
            board.get("at"),
            board.get("facing"),
        )


def check_site_map(ctx: Checker, rec: Rec, building_names: dict[str, str]) -> SiteMap | None:
    """Validate the ``map:`` of a neighborhood and plan its routes; None (with problems) if it is unusable."""
    check = _MapChecker(ctx, rec, building_names)
    paths = check.paths()
    graph = geometry.walkway_graph(check.points, paths)
    gates = []
    for gate in rec.get("gates", []):
        point = check.connected(gate["at"], graph, _("the gate")) if gate["at"] else None
        if point and gate.complete:
            gates.append(Gate(gate["id"], gate["name"], point, gate.get("exit", True)))
    assembly = []
    for place in rec.get("assembly_points", []):
        point = check.connected(place["at"], graph, _("the assembly point")) if place["at"] else None
        if point and place.complete:
            assembly.append(
                AssemblyPoint(place["id"], place["name"], point, place.get("capacity"), tuple(place.get("area", ())))
            )
    facilities = check.facilities()
    buildings = []
    for key, building_rec in rec.get("buildings", {}).items():
        building = check.building(key, building_rec, graph)
        if building:
            buildings.append(building)
    landmarks = check.landmarks()
    routes = _routes(ctx, rec, buildings, assembly, graph) if check.ok and check.paths_ok else {}
    if not check.ok or len(routes) < len(buildings):
        return None
    placed = {m.id for m in buildings}
    for missing in [b for b in building_names if b not in placed]:
        ctx.report(
            rec.node.entries["buildings"] if "buildings" in rec.node.entries else rec.node,
            _("building `{id}` is not on the site plan, so it gets no evacuation plan", id=missing),
            _("add `{id}:` with its `rect:` or `outline:` and `entrances:` under `map.buildings`", id=missing),
            "warning",
        )
    site_map = SiteMap(
        rec.get("north", 0.0),
        dict(check.points),
        paths,
        tuple(gates),
        tuple(assembly),
        facilities,
        tuple(buildings),
        routes,
        landmarks,
    )
    planlayout.report_left_out(ctx, rec, site_map)
    return site_map


def _routes(
    ctx: Checker,
    rec: Rec,
    buildings: list[MapBuilding],
    assembly: list[AssemblyPoint],
    graph: geometry.Graph,
) -> dict[str, Route]:
    assembly_at = {place.at: place.id for place in sorted(assembly, key=lambda p: p.id)}
    check_points: dict[str, XY] = rec.get("points", {})
    routes = {}
    for building in buildings:
        # From the board, a reader leaves by the entrance next to it; otherwise by the best entrance.
        entrances = building.entrances
        board = building.board
        if board is not None:
            entrances = (min(entrances, key=lambda e: (geometry.distance(board, check_points[e]), e)),)
        route = geometry.evacuation_route(building.id, entrances, assembly_at, graph)
        if route is None:
            where = rec.node.entries["buildings"].value.entries[building.id]
            ctx.report(
                where,
                _("no assembly point can be reached from building `{id}`", id=building.id),
                _("connect its entrances by walkways (`map.paths`) to a point listed under `map.assembly_points`"),
            )
        else:
            routes[building.id] = route
    return routes


def neighborhood_map(ctx: Checker, rec: Rec) -> SiteMap | None:
    """The neighborhood's checked site plan (``map:``), its buildings named as the neighborhood names them."""
    if "map" not in rec:
        return None
    names = {b["id"]: b.get("name", f"{b['id']}号楼") for b in rec.get("buildings", []) if b["id"]}
    return check_site_map(ctx, rec["map"], names)
