"""Draw a site plan as inline SVG: buildings, walkways, exits, assembly points, facilities, routes.

Where each label and sign goes is decided by :mod:`sitegen.content.planlayout` (nothing overlaps,
nothing leaves the drawing, nothing covers the route or the you-are-here marker); this module
draws what it decided, in layers from the ground up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from sitegen.content.model import XY, MapBuilding, Route, SiteMap
from sitegen.content.placement import text_width
from sitegen.content.planitems import Text
from sitegen.content.planlayout import PRINT, Drawn, Frame, Label, Layout, Style, layout_plan
from sitegen.content.signs import SAFE_GREEN, SIGNS

ROUTE_GREEN = SAFE_GREEN
HERE_RED = "#d40000"
# Fonts whose box around a line of text the layout allows for (see placement.TEXT_TOP).
FONTS = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB','Microsoft YaHei',"
    "'WenQuanYi Micro Hei','Noto Sans SC',sans-serif"
)


@dataclass(frozen=True)
class Plan:
    """A drawn plan and what its legend needs to explain; ``left_out`` names what found no room."""

    svg: Markup
    codes: tuple[str, ...]
    rotation: float
    north: float
    scale_m: float
    route: Route | None
    left_out: tuple[Label, ...] = ()
    leaders: bool = False  # some sign or name stands away from its place, a thin line leading to it


def _n(value: float) -> str:
    """A short, stable number for SVG."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _poly(points: list[XY] | tuple[XY, ...]) -> str:
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


def _text(text: Text, words: str = "") -> str:
    """A line of text; ``words`` replace the laid-out ones, made smaller if they are wider."""
    shown, size = words or text.text, text.size
    if words:
        size = min(size, size * text_width(text.text, size) / max(text_width(words, size), 1e-9))
    return (
        f'<text class="{text.cls}" x="{_n(text.x)}" y="{_n(text.y)}" font-size="{_n(size)}" '
        f'text-anchor="middle">{escape(shown)}</text>'
    )


def _sign(code: str, centre: XY, size: float, cls: str = "facility") -> str:
    x, y = centre
    title = _el("title", str(escape(f"{SIGNS[code].name}（{code}）")))
    return _el("use", title, class_=cls, href=f"#iso-{code}", x=x - size / 2, y=y - size / 2, width=size, height=size)


def _arrow(at: XY, direction: XY, size: float) -> str:
    (cx, cy), (dx, dy) = at, direction
    tip = (cx + dx * size, cy + dy * size)
    left = (cx - dy * size * 0.7, cy + dx * size * 0.7)
    right = (cx + dy * size * 0.7, cy - dx * size * 0.7)
    return _el("polygon", class_="route-arrow", points=_poly([tip, left, right]), fill="#fff")


def _arrows(points: tuple[XY, ...], spacing: float, size: float) -> list[str]:
    """White direction arrows along a walk, every ``spacing`` units, and one at its end (instead of
    one just before it)."""
    arrows: list[tuple[XY, XY]] = []
    carried = spacing / 2
    last: tuple[XY, XY] | None = None
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0:
            continue
        direction = ((x1 - x0) / length, (y1 - y0) / length)
        at = carried
        while at < length - size:
            arrows.append(((x0 + direction[0] * at, y0 + direction[1] * at), direction))
            at += spacing
        carried = max(at - length, size)
        last = ((x1 - direction[0] * size * 1.2, y1 - direction[1] * size * 1.2), direction)
    if last is not None:
        while arrows and math.dist(arrows[-1][0], last[0]) < spacing / 2:
            arrows.pop()
        arrows.append(last)
    return [_arrow(at, direction, size) for at, direction in arrows]


# The words drawn on a plan: the north arrow's letter, and the scale bar's length ({metres} filled in).
CHINESE_WORDS = ("北", "{metres} 米")


class _Layers:
    """The layers of one plan, bottom to top."""

    def __init__(self, site_map: SiteMap, layout: Layout) -> None:
        self.map, self.layout = site_map, layout
        self.frame: Frame = layout.frame
        self.style: Style = layout.style

    def ground(self) -> list[str]:
        s, frame = self.style, self.frame
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
                        stroke_width=s.line * 2,
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
                    stroke_width=s.walkway_width,
                    stroke_linecap="round",
                    stroke_linejoin="round",
                )
            )
        for landmark in self.map.landmarks:
            outline = _poly([frame(p) for p in landmark.outline])
            parts.append(
                _el("polygon", class_="landmark", points=outline, fill="#f6f6f6", stroke="#999", stroke_width=s.line)
            )
        shapes = [
            _el("polygon", class_="building", data_building=b.id, points=_poly([frame(p) for p in b.outline]))
            for b in self.map.buildings
        ]
        if shapes:
            parts.append(
                _el("g", *shapes, class_="buildings", fill="#eeeeee", stroke="#444", stroke_width=s.line * 1.5)
            )
        return parts

    def current(self, b: MapBuilding) -> str:
        """The reader's own building, drawn again over the others, in yellow."""
        outline = _poly([self.frame(p) for p in b.outline])
        return _el(
            "polygon",
            class_="building current",
            data_building=b.id,
            points=outline,
            fill="#ffe08a",
            stroke="#000",
            stroke_width=self.style.line * 3,
        )

    def leaders(self) -> list[str]:
        """Thin lines from a thing's true place to its sign or name, beneath the route."""
        s = self.style
        lines, dots = [], []
        for drawn in self.layout.drawn.values():
            if drawn.leader is None:
                continue
            (x0, y0), (x1, y1) = drawn.leader
            lines.append(_el("line", x1=x0, y1=y0, x2=x1, y2=y1))
            if drawn.dot:
                dots.append(_el("circle", class_="leader-dot marker", cx=x0, cy=y0, r=s.dot))
        if not lines:
            return []
        return [_el("g", *lines, *dots, class_="leaders", stroke="#333", stroke_width=s.line, fill="#333")]

    def route(self, route: Route) -> str:
        s, walk = self.style, self.layout.route
        line = _el(
            "polyline",
            points=_poly(walk),
            fill="none",
            stroke=ROUTE_GREEN,
            stroke_width=s.route_width,
            stroke_linecap="round",
            stroke_linejoin="round",
        )
        return _el(
            "g",
            line,
            *_arrows(walk, 6 * s.route_width, 0.42 * s.route_width),
            class_="route",
            data_length_m=f"{route.length:.1f}",
            data_building=route.building,
            data_assembly=route.assembly,
        )

    def signs(self) -> list[str]:
        parts = []
        drawn = self.layout.drawn
        for place in self.map.assembly_points:
            item = drawn.get(f"assembly:{place.id}")
            if item:
                sign = item.signs[0]
                parts.append(
                    _el(
                        "g",
                        _sign("E007", (sign.x, sign.y), sign.size, sign.cls),
                        class_="assembly-point",
                        data_assembly=place.id,
                    )
                )
        for gate in self.map.gates:
            item = drawn.get(f"gate:{gate.id}")
            if item is None:
                continue
            if gate.exit:
                sign = item.signs[0]
                parts.append(
                    _el("g", _sign("E001", (sign.x, sign.y), sign.size, "exit-sign"), class_="exit", data_gate=gate.id)
                )
            else:
                x0, y0, x1, y1 = item.box
                mark = _el("rect", class_="gate-mark marker", x=x0, y=y0, width=x1 - x0, height=y1 - y0, fill="#000")
                parts.append(_el("g", mark, class_="gate", data_gate=gate.id))
        for key, item in drawn.items():
            if key.startswith("facility:"):
                parts += [_sign(sign.code, (sign.x, sign.y), sign.size) for sign in item.signs]
        return parts

    def you_are_here(self) -> str:
        s = self.style
        assert self.layout.here is not None
        x, y = self.layout.here
        ring = _el(
            "circle",
            class_="here-ring marker",
            cx=x,
            cy=y,
            r=s.here_radius - s.line,
            fill="#fff",
            stroke=HERE_RED,
            stroke_width=s.line * 2,
        )
        dot = _el("circle", cx=x, cy=y, r=s.here_radius * 0.62, fill=HERE_RED)
        return _el("g", ring, dot, class_="you-are-here")

    def labels(self) -> str:
        texts = [
            _text(text)
            for key, drawn in self.layout.drawn.items()
            if key not in ("north", "scale")
            for text in drawn.texts
        ]
        return _el(
            "g",
            *texts,
            class_="labels",
            font_weight="700",
            fill="#000",
            stroke="#fff",
            stroke_width=self.style.halo,
            stroke_linejoin="round",
            paint_order="stroke",
        )

    def north_arrow(self, north: float, letter: str) -> str:
        s, drawn = self.style, self.layout.drawn["north"]
        cx, cy = drawn.at
        radius = 1.45 * s.north_text
        angle = math.radians(north)

        def at(distance: float, turn: float = 0) -> XY:
            a = angle + math.radians(turn)
            return (cx + math.sin(a) * distance, cy - math.cos(a) * distance)

        tip, back_l, back_r, tail = (
            at(0.85 * radius),
            at(0.6 * radius, 150),
            at(0.6 * radius, -150),
            at(0.3 * radius, 180),
        )
        return _el(
            "g",
            _el("circle", cx=cx, cy=cy, r=radius, fill="#fff", stroke="#000", stroke_width=s.line),
            _el("polygon", points=_poly([tip, back_l, tail, back_r]), fill="#000"),
            *(_text(t, letter) for t in drawn.texts),
            class_="north-arrow marker",
            data_north=float(north),
            font_weight="700",
        )

    def scale_bar(self, words: str) -> str:
        s, drawn = self.style, self.layout.drawn["scale"]
        x, y = drawn.at
        length = self.layout.scale_m * self.frame.scale
        bar, half = 0.5 * s.scale_text, length / 2
        zero, end = drawn.texts
        return _el(
            "g",
            _el("rect", x=x, y=y - bar, width=half, height=bar, fill="#000"),
            _el("rect", x=x + half, y=y - bar, width=half, height=bar, fill="#fff", stroke="#000", stroke_width=s.line),
            _text(zero),
            _text(end, words.format(metres=_n(self.layout.scale_m))),
            class_="scale-bar marker",
            data_scale_m=self.layout.scale_m,
        )


def draw_plan(
    site_map: SiteMap,
    building: MapBuilding | None = None,
    rotation: float = 0.0,
    label: str = "",
    words: tuple[str, str] = CHINESE_WORDS,
    style: Style = PRINT,
) -> Plan:
    """The plan as SVG. With ``building``: its route in green and "you are here" at its board.

    ``style`` is the drawing: the printed evacuation plan (``PRINT``) or the map page (``WEB``).
    """
    layout = layout_plan(site_map, building, rotation, style)
    layers = _Layers(site_map, layout)
    parts = [_ground(layers)]
    route = site_map.routes.get(building.id) if building else None
    if building is not None:
        parts.append(layers.current(building))
    parts += layers.leaders()
    if route:
        parts.append(layers.route(route))
    parts += layers.signs()
    if building is not None:
        parts.append(layers.you_are_here())
    parts.append(layers.labels())
    north = (site_map.north + rotation) % 360
    if "north" in layout.drawn:
        parts.append(layers.north_arrow(north, words[0]))
    if "scale" in layout.drawn:
        parts.append(layers.scale_bar(words[1]))
    frame = layout.frame
    svg = Markup(
        f'<svg class="site-plan site-plan-{style.name}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_n(frame.width)} {_n(frame.height)}" role="img" aria-label="{escape(label or "平面图")}" '
        f'font-family="{FONTS}">' + "".join(parts) + "</svg>"
    )
    leaders = any(d.leader for d in layout.drawn.values())
    return Plan(svg, _codes(layout.drawn), rotation, north, layout.scale_m, route, layout.left_out, leaders)


_grounds: dict[tuple[int, Frame, str], tuple[SiteMap, str]] = {}


def _ground(layers: _Layers) -> str:
    """The ground, walkways and buildings: the same on every plan of a site drawn in the same frame."""
    key = (id(layers.map), layers.frame, layers.style.name)
    kept = _grounds.get(key)
    if kept is None or kept[0] is not layers.map:
        if len(_grounds) >= 32:
            _grounds.clear()
        kept = _grounds[key] = (layers.map, "".join(layers.ground()))
    return kept[1]


def _codes(drawn: dict[str, Drawn]) -> tuple[str, ...]:
    """The signs on the plan, for its legend."""
    return tuple(sorted({sign.code for item in drawn.values() for sign in item.signs}))
