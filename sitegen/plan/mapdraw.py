"""Draw a site plan as inline SVG: buildings, walkways, exits, assembly points, facilities, routes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from sitegen.content import geometry
from sitegen.content.model import XY, MapBuilding, Route, SiteMap
from sitegen.content.signs import SAFE_GREEN, SIGNS

ROUTE_GREEN = SAFE_GREEN
HERE_RED = "#d40000"


@dataclass(frozen=True)
class Plan:
    """A drawn plan and what its legend needs to explain."""

    svg: Markup
    codes: tuple[str, ...]
    rotation: float
    north: float
    scale_m: float
    route: Route | None


class _Frame:
    """Turns plan metres (y up, turned by ``rotation``) into SVG units (metres, y down)."""

    def __init__(self, points: list[XY], rotation: float, margin: float) -> None:
        self.rotation = rotation
        self.centre = (
            (min(p[0] for p in points) + max(p[0] for p in points)) / 2,
            (min(p[1] for p in points) + max(p[1] for p in points)) / 2,
        )
        turned = [self._turn(p) for p in points]
        x0, y0, x1, y1 = geometry.bounds(turned)
        self.x0, self.y1 = x0 - margin, y1 + margin
        self.width, self.height = (x1 - x0) + 2 * margin, (y1 - y0) + 2 * margin
        self.unit = max(self.width, self.height) / 100

    def _turn(self, point: XY) -> XY:
        return geometry.rotate(point, self.rotation, self.centre)

    def __call__(self, point: XY) -> XY:
        x, y = self._turn(point)
        return (x - self.x0, self.y1 - y)


def _n(value: float) -> str:
    """A short, stable number for SVG."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _poly(points: list[XY]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _el(tag: str, *children: str, **attributes: object) -> str:
    """One SVG element; ``class_`` becomes ``class``, other underscores become dashes; floats are shortened."""
    parts = [tag]
    for key, value in attributes.items():
        name = "class" if key == "class_" else key.replace("_", "-")
        text = _n(value) if isinstance(value, float) else str(escape(str(value)))
        parts.append(f'{name}="{text}"')
    inner = "".join(children)
    return f"<{' '.join(parts)}>{inner}</{tag}>" if inner else f"<{' '.join(parts)}/>"


def _text(x: float, y: float, size: float, text: str, cls: str = "label", anchor: str = "middle") -> str:
    return (
        f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
        f'dominant-baseline="middle">{escape(text)}</text>'
    )


def _sign(code: str, centre: XY, size: float, cls: str = "facility") -> str:
    x, y = centre
    title = _el("title", str(escape(f"{SIGNS[code].name}（{code}）")))
    return _el("use", title, class_=cls, href=f"#iso-{code}", x=x - size / 2, y=y - size / 2, width=size, height=size)


def _arrows(points: list[XY], spacing: float, size: float) -> list[str]:
    """Small white direction arrows along a walk, every ``spacing`` units."""
    arrows = []
    carried = spacing / 2
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0:
            continue
        dx, dy = (x1 - x0) / length, (y1 - y0) / length
        at = carried
        while at < length:
            cx, cy = x0 + dx * at, y0 + dy * at
            tip = (cx + dx * size, cy + dy * size)
            left = (cx - dy * size * 0.7, cy + dx * size * 0.7)
            right = (cx + dy * size * 0.7, cy - dx * size * 0.7)
            arrows.append(_el("polygon", class_="route-arrow", points=_poly([tip, left, right]), fill="#fff"))
            at += spacing
        carried = at - length
    return arrows


# The words drawn on a plan: the north arrow's letter, and the scale bar's length ({metres} filled in).
CHINESE_WORDS = ("北", "{metres} 米")


def _north_arrow(frame: _Frame, north: float, letter: str) -> str:
    u = frame.unit
    cx, cy = frame.width - 10 * u, 11 * u
    angle = math.radians(north)

    def at(distance: float, turn: float = 0) -> XY:
        a = angle + math.radians(turn)
        return (cx + math.sin(a) * distance, cy - math.cos(a) * distance)

    tip, back_l, back_r, tail = at(4.5 * u), at(3 * u, 150), at(3 * u, -150), at(1.5 * u, 180)
    label = at(6.5 * u)
    return _el(
        "g",
        _el("circle", cx=cx, cy=cy, r=5.2 * u, fill="#fff", stroke="#000", stroke_width=0.2 * u),
        _el("polygon", points=_poly([tip, back_l, tail, back_r]), fill="#000"),
        _text(label[0], label[1], 2.4 * u, letter, "north-label"),
        class_="north-arrow",
        data_north=float(north),
    )


def _scale_bar(frame: _Frame, words: str) -> tuple[str, float]:
    u = frame.unit
    length = geometry.nice_length(frame.width / 5)
    x, y = 3 * u, frame.height - 3 * u
    half = length / 2
    bar = _el(
        "g",
        _el("rect", x=x, y=y - u, width=half, height=u, fill="#000"),
        _el("rect", x=x + half, y=y - u, width=half, height=u, fill="#fff", stroke="#000", stroke_width=0.15 * u),
        _text(x, y - 2.4 * u, 2 * u, "0", "scale-label"),
        _text(x + length, y - 2.4 * u, 2 * u, words.format(metres=_n(length)), "scale-label"),
        class_="scale-bar",
        data_scale_m=length,
    )
    return bar, length


def _extent(site_map: SiteMap) -> list[XY]:
    everything = list(site_map.points.values())
    for b in site_map.buildings:
        everything += b.outline
    for landmark in site_map.landmarks:
        everything += landmark.outline
    for place in site_map.assembly_points:
        everything += place.area
    return everything + [f.at for f in site_map.facilities]


class _Drawing:
    """The layers of one plan, bottom to top."""

    def __init__(self, site_map: SiteMap, frame: _Frame, text_scale: float) -> None:
        self.map, self.frame = site_map, frame
        self.u, self.t = frame.unit, frame.unit * text_scale
        self.codes: list[str] = []

    def ground(self) -> list[str]:
        u, frame = self.u, self.frame
        parts = [_el("rect", class_="ground", width=frame.width, height=frame.height, fill="#fff")]
        for place in self.map.assembly_points:
            if place.area:
                outline = _poly([frame(p) for p in place.area])
                parts.append(
                    _el(
                        "polygon",
                        class_="assembly-area",
                        points=outline,
                        fill="#d9f0e3",
                        stroke=SAFE_GREEN,
                        stroke_width=0.3 * u,
                    )
                )
        # The walkways share their looks through one group: a plan has a hundred of them.
        lines = [_el("polyline", points=_poly([frame(self.map.points[p]) for p in path])) for path in self.map.paths]
        if lines:
            parts.append(
                _el(
                    "g",
                    *lines,
                    class_="walkways",
                    fill="none",
                    stroke="#c8c8c8",
                    stroke_width=2.2 * u,
                    stroke_linecap="round",
                    stroke_linejoin="round",
                )
            )
        return parts

    def landmarks(self) -> list[str]:
        parts = []
        for landmark in self.map.landmarks:
            outline = [self.frame(p) for p in landmark.outline]
            parts.append(
                _el(
                    "polygon",
                    class_="landmark",
                    points=_poly(outline),
                    fill="#f6f6f6",
                    stroke="#999",
                    stroke_width=0.2 * self.u,
                )
            )
            parts.append(self._fitted_label(landmark.outline, landmark.name, "label landmark-label"))
        return parts

    def _fitted_label(self, outline: tuple[XY, ...], name: str, cls: str, largest: float = 2.6) -> str:
        """A label at the centre of a shape, as large as fits its width (within limits)."""
        cx, cy = self.frame(geometry.centroid(outline))
        x0, _, x1, _ = geometry.bounds([self.frame(p) for p in outline])
        size = max(1.6 * self.u, min(largest * self.t, 0.95 * (x1 - x0) / max(1, len(name))))
        return _text(cx, cy, size, name, cls)

    def buildings(self) -> list[str]:
        shapes = [
            _el("polygon", class_="building", data_building=b.id, points=_poly([self.frame(p) for p in b.outline]))
            for b in self.map.buildings
        ]
        labels = [self._fitted_label(b.outline, b.name, "label building-label") for b in self.map.buildings]
        if not shapes:
            return []
        looks = {"fill": "#eeeeee", "stroke": "#444", "stroke_width": 0.25 * self.u}
        return [_el("g", *shapes, class_="buildings", **looks), *labels]

    def current(self, b: MapBuilding) -> list[str]:
        """The reader's own building, drawn again over the others, in yellow."""
        outline = _poly([self.frame(p) for p in b.outline])
        return [
            _el(
                "polygon",
                class_="building current",
                data_building=b.id,
                points=outline,
                fill="#ffe08a",
                stroke="#000",
                stroke_width=0.5 * self.u,
            ),
            self._fitted_label(b.outline, b.name, "label building-label"),
        ]

    def route(self, route: Route) -> str:
        walk = [self.frame(self.map.points[p]) for p in route.points]
        line = _el(
            "polyline",
            points=_poly(walk),
            fill="none",
            stroke=ROUTE_GREEN,
            stroke_width=1.6 * self.u,
            stroke_linecap="round",
            stroke_linejoin="round",
        )
        return _el(
            "g",
            line,
            *_arrows(walk, 9 * self.u, 1.3 * self.u),
            class_="route",
            data_length_m=f"{route.length:.1f}",
            data_building=route.building,
            data_assembly=route.assembly,
        )

    def places(self) -> list[str]:
        u, t, parts = self.u, self.t, []
        for gate in self.map.gates:
            x, y = self.frame(self.map.points[gate.at])
            name = _text(x, y + 2 * u + 1.6 * t, 2.2 * t, gate.name, "label gate-label")
            if gate.exit:
                self.codes.append("E001")
                parts.append(
                    _el("g", _sign("E001", (x, y), 4 * u, "exit-sign"), name, class_="exit", data_gate=gate.id)
                )
            else:
                mark = _el("rect", x=x - u, y=y - u, width=2 * u, height=2 * u, fill="#000")
                parts.append(_el("g", mark, name, class_="gate", data_gate=gate.id))
        for place in self.map.assembly_points:
            x, y = self.frame(self.map.points[place.at])
            self.codes.append("E007")
            capacity = f"（{place.capacity}人）" if place.capacity else ""
            name = _text(x, y + 2.5 * u + 1.9 * t, 2.4 * t, place.name + capacity, "label assembly-label")
            sign = _sign("E007", (x, y), 5 * u, "assembly-sign")
            parts.append(_el("g", sign, name, class_="assembly-point", data_assembly=place.id))
        for facility in self.map.facilities:
            self.codes.append(facility.code)
            parts.append(_sign(facility.code, self.frame(facility.at), 3.2 * u))
        return parts

    def you_are_here(self, building: MapBuilding) -> str:
        x, y = self.frame(building.board or self.map.points[building.entrances[0]])
        # The label goes on the side away from the building, so it does not cover the building's name.
        bx, by = self.frame(geometry.centroid(building.outline))
        away = math.hypot(x - bx, y - by) or 1.0
        lx, ly = x + (x - bx) / away * 4.5 * self.t, y + (y - by) / away * 3.5 * self.t
        dot = _el("circle", cx=x, cy=y, r=1.9 * self.u, fill=HERE_RED, stroke="#fff", stroke_width=0.5 * self.u)
        return _el("g", dot, _text(lx, ly, 2.6 * self.t, "您在此处", "label here-label"), class_="you-are-here")


def draw_plan(
    site_map: SiteMap,
    building: MapBuilding | None = None,
    rotation: float = 0.0,
    label: str = "",
    text_scale: float = 1.0,
    words: tuple[str, str] = CHINESE_WORDS,
) -> Plan:
    """The plan as SVG in metres. With ``building``: its route in green and "you are here" at its board.

    ``text_scale`` enlarges labels, e.g. for a phone screen where the whole plan is 360 px wide.
    """
    base = _base(site_map, rotation, text_scale, words)
    drawing = base.drawing
    parts = [base.below]
    route = site_map.routes.get(building.id) if building else None
    if building is not None:
        parts += drawing.current(building)
    if route:
        parts.append(drawing.route(route))
    parts.append(base.above)
    if building is not None:
        parts.append(drawing.you_are_here(building))
    frame = drawing.frame
    svg = Markup(
        f'<svg class="site-plan" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(frame.width)} {_n(frame.height)}" '
        f'role="img" aria-label="{escape(label or "平面图")}" font-family="inherit">' + "".join(parts) + "</svg>"
    )
    return Plan(svg, base.codes, rotation, base.north, base.scale, route)


@dataclass(frozen=True)
class _Base:
    """What every plan of one site turned one way shares: all but the reader's building, route and dot."""

    site_map: SiteMap
    drawing: _Drawing
    below: str
    above: str
    codes: tuple[str, ...]
    north: float
    scale: float


_bases: dict[tuple[int, float, float, tuple[str, str]], _Base] = {}


def _base(site_map: SiteMap, rotation: float, text_scale: float, words: tuple[str, str]) -> _Base:
    """The shared layers, drawn once per site map and turn (a neighborhood's plans turn four ways at most)."""
    key = (id(site_map), rotation, text_scale, words)
    cached = _bases.get(key)
    if cached is not None and cached.site_map is site_map:
        return cached
    everything = _extent(site_map)
    frame = _Frame(everything, rotation, 14 * _Frame(everything, rotation, 0).unit)
    drawing = _Drawing(site_map, frame, text_scale)
    below = "".join(drawing.ground() + drawing.landmarks() + drawing.buildings())
    north = (site_map.north + rotation) % 360
    bar, scale = _scale_bar(frame, words[1])
    above = "".join([*drawing.places(), _north_arrow(frame, north, words[0]), bar])
    base = _Base(site_map, drawing, below, above, tuple(sorted(set(drawing.codes))), north, scale)
    if len(_bases) >= 16:
        _bases.clear()
    _bases[key] = base
    return base
