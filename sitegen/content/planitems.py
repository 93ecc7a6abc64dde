"""The things drawn on a site plan, each with the positions it may take: names, signs, north arrow, scale bar.

Positions are candidates for :func:`sitegen.content.placement.place`, in drawing units (y down).
A sign stands on its place or, when that is taken, beside it with a leader line from its place; a
name goes beside its sign, further away with a leader, or (for a building) inside the building,
smaller, shortened, or beside it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sitegen.content import geometry
from sitegen.content.model import XY, MapBuilding, SiteMap
from sitegen.content.placement import (
    Box,
    Buckets,
    Candidate,
    Item,
    Segment,
    Tier,
    box_hits_polygon,
    box_in_polygon,
    grow,
    memo,
    overlap,
    remembered,
    segment_box,
    segment_hits_box,
    text_reach,
    text_width,
    union,
)


@dataclass(frozen=True)
class Style:
    """The size of the drawing and of everything on it, in drawing units."""

    name: str
    width: float
    height: float  # the drawing's height, or with ``fixed_height`` false the most it may have
    fixed_height: bool
    inset: float  # nothing comes closer than this to the drawing's edge,
    gap: float  # nor to anything else
    building_text: float
    smallest_text: float  # names of buildings and landmarks shrink down to this size, no further
    landmark_text: float
    gate_text: float
    assembly_text: float
    here_text: float
    scale_text: float
    north_text: float
    facility_sign: float
    exit_sign: float
    assembly_sign: float
    here_radius: float  # the you-are-here marker's outer ring
    route_width: float
    walkway_width: float
    line: float  # outlines and leader lines
    dot: float  # the dot at the place of a sign that stands away from it
    halo: float  # the white outline around letters


@dataclass(frozen=True)
class Frame:
    """Turns plan metres (y up) into drawing units (y down): turned by ``rotation`` and scaled to fit."""

    rotation: float
    pivot: XY  # the plan turns about this point (metres)
    middle: XY  # the turned point drawn in the middle of the drawing (metres)
    scale: float  # drawing units per metre
    width: float
    height: float

    @memo
    def _turn(self) -> tuple[float, float]:
        angle = math.radians(-self.rotation)  # clockwise, as geometry.rotate
        return math.cos(angle), math.sin(angle)

    def __call__(self, point: XY) -> XY:
        cos, sin = self._turn
        (px, py), (mx, my) = self.pivot, self.middle
        x, y = point[0] - px, point[1] - py
        x, y = px + x * cos - y * sin, py + x * sin + y * cos
        return (self.width / 2 + (x - mx) * self.scale, self.height / 2 - (y - my) * self.scale)


@dataclass(frozen=True)
class Text:
    """A line of text centred on ``x``, its baseline at ``y``."""

    x: float
    y: float
    size: float
    text: str
    cls: str


@dataclass(unsafe_hash=True)  # never changed; not frozen, as :class:`~sitegen.content.placement.Candidate`
class TextBlock:
    """Lines of text at one size, centred one under the other."""

    lines: tuple[str, ...]
    size: float
    cls: str
    halo: float

    @memo
    def width(self) -> float:
        return max(text_width(line, self.size) for line in self.lines) + self.halo

    @memo
    def reach(self) -> tuple[float, float]:
        """How far above and below its baseline each line reaches, in ems."""
        reaches = [text_reach(line) for line in self.lines]
        return max(top for top, _ in reaches), max(bottom for _, bottom in reaches)

    @memo
    def height(self) -> float:
        return len(self.lines) * sum(self.reach) * self.size

    def texts(self, box: Box) -> tuple[Text, ...]:
        top, bottom = self.reach
        x, step = (box[0] + box[2]) / 2, (top + bottom) * self.size
        return tuple(
            Text(x, box[1] + top * self.size + i * step, self.size, line, self.cls) for i, line in enumerate(self.lines)
        )


@dataclass(unsafe_hash=True)  # never changed; not frozen, as :class:`~sitegen.content.placement.Candidate`
class Sign:
    """An ISO 7010 sign, ``size`` square, centred on (x, y)."""

    code: str
    x: float
    y: float
    size: float
    cls: str


@dataclass(unsafe_hash=True)  # never changed; not frozen, as :class:`~sitegen.content.placement.Candidate`
class Drawn:
    """What one placed item draws: text, signs, a leader line from its true place (with a dot there)."""

    blocks: tuple[tuple[TextBlock, Box], ...] = ()
    signs: tuple[Sign, ...] = ()
    leader: Segment | None = None
    dot: bool = False
    at: XY = (0.0, 0.0)  # the north arrow's centre; the scale bar's left end
    box: Box = (0.0, 0.0, 0.0, 0.0)  # the sign's or mark's box
    displaced: bool = False  # the sign stands away from its place

    @property
    def texts(self) -> tuple[Text, ...]:
        return tuple(text for block, box in self.blocks for text in block.texts(box))


@functools.lru_cache(maxsize=4096)
def _block(lines: tuple[str, ...], size: float, cls: str, halo: float) -> TextBlock:
    """A text block, measured once: a site's names are set again in each frame of each turn."""
    return TextBlock(lines, size, cls, halo)


# Beside an anchor, best first: below, right, above, left, then the corners (y is down).
AROUND = ((0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))


def beside(anchor: Box, width: float, height: float, gap: float, direction: tuple[int, int]) -> Box:
    """A box of the given size next to ``anchor`` on the side ``direction`` points to."""
    dx, dy = direction
    cx, cy = middle(anchor)
    x0 = anchor[2] + gap if dx > 0 else anchor[0] - gap - width if dx < 0 else cx - width / 2
    y0 = anchor[3] + gap if dy > 0 else anchor[1] - gap - height if dy < 0 else cy - height / 2
    return (x0, y0, x0 + width, y0 + height)


def away(
    point: XY, start: float, reach: float, width: float, height: float, direction: tuple[int, int]
) -> tuple[Box, Segment]:
    """A box ``reach`` away from ``point`` towards ``direction``, and a leader to it from ``start`` out."""
    dx, dy = direction
    norm = math.hypot(dx, dy)
    ux, uy = dx / norm, dy / norm
    px, py = point[0] + ux * reach, point[1] + uy * reach
    x0 = px if dx > 0 else px - width if dx < 0 else px - width / 2
    y0 = py if dy > 0 else py - height if dy < 0 else py - height / 2
    return (x0, y0, x0 + width, y0 + height), ((point[0] + ux * start, point[1] + uy * start), (px, py))


def square(centre: XY, size: float) -> Box:
    return (centre[0] - size / 2, centre[1] - size / 2, centre[0] + size / 2, centre[1] + size / 2)


def centred(centre: XY, width: float, height: float) -> Box:
    return (centre[0] - width / 2, centre[1] - height / 2, centre[0] + width / 2, centre[1] + height / 2)


def middle(box: Box) -> XY:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def shift(box: Box, by: XY) -> Box:
    return (box[0] + by[0], box[1] + by[1], box[2] + by[0], box[3] + by[1])


# What covering things costs: a name over another building, over a walkway, over a green area.
TEXT_SOFT = (2.0, 0.3, 0.6)
SIGN_SOFT = (0.3, 0.0, 0.0)
CORNER_SOFT = (3.0, 1.5, 3.0)  # the north arrow and the scale bar look for an empty corner


class _Features:
    """What labels had better not cover: buildings (and landmarks), green areas, walkways."""

    def __init__(
        self,
        shapes: list[tuple[str, list[XY], Box]],
        areas: list[tuple[str, list[XY], Box]],
        walkways: list[tuple[Segment, Box]],
        walkway_half: float,
        cell: float,
    ) -> None:
        self.shapes, self.areas, self.walkways, self.walkway_half = shapes, areas, walkways, walkway_half
        self.shape_cells = Buckets([bounds for _, _, bounds in shapes], cell)
        self.area_cells = Buckets([bounds for _, _, bounds in areas], cell)
        self.walkway_cells = Buckets([bounds for _, bounds in walkways], cell)

    def covering(self, key: str, candidate: Candidate) -> float:
        """What the candidate's covering of buildings, walkways and green areas costs."""
        return sum(self.cost(box, key, weights) for box, weights in candidate.soft)

    def cost(self, box: Box, own: str, weights: tuple[float, float, float]) -> float:
        on_shape, on_walkway, on_area = weights
        total = 0.0
        for i in self.shape_cells.near(box):
            key, outline, bounds = self.shapes[i]
            if key != own and overlap(box, bounds) and box_hits_polygon(box, outline):
                total += on_shape
        if on_area:
            for i in self.area_cells.near(box):
                key, outline, bounds = self.areas[i]
                if key != own and overlap(box, bounds) and box_hits_polygon(box, outline):
                    total += on_area
        if on_walkway:
            grown = grow(box, self.walkway_half)
            for i in self.walkway_cells.near(grown):
                segment, bounds = self.walkways[i]
                if overlap(grown, bounds) and segment_hits_box(segment, grown):
                    total += on_walkway
                    break
        return total


def _bounds(points: Sequence[XY]) -> Box:
    return union((x, y, x, y) for x, y in points)


class Planner:
    """Makes the items of one site map in one frame: every name and sign with its candidates."""

    def __init__(self, site_map: SiteMap, frame: Frame, style: Style) -> None:
        self.map, self.frame, self.style = site_map, frame, style
        shapes, areas, walkways = [], [], []
        for b in site_map.buildings:
            outline = [frame(p) for p in b.outline]
            shapes.append((f"building:{b.id}", outline, _bounds(outline)))
        for i, landmark in enumerate(site_map.landmarks):
            outline = [frame(p) for p in landmark.outline]
            shapes.append((f"landmark:{i}", outline, _bounds(outline)))
        for a in site_map.assembly_points:
            if a.area:
                outline = [frame(p) for p in a.area]
                areas.append((f"assembly:{a.id}", outline, _bounds(outline)))
        for path in site_map.paths:
            drawn = [frame(site_map.points[p]) for p in path]
            for segment in zip(drawn, drawn[1:], strict=False):
                walkways.append((segment, grow(segment_box(segment), style.walkway_width / 2)))
        cell = max(frame.width, frame.height) / 12
        self.features = _Features(shapes, areas, walkways, style.walkway_width / 2, cell)
        # What a candidate's covering costs, memoised. Not a method of the planner's own: a memo
        # holding the planner would be a reference cycle, and content is checked with the cycle
        # collector paused (sitegen.build.few_collections), so every plan's candidates would stay.
        self.penalty = remembered(self.features.covering)

    def point(self, point_id: str) -> XY:
        return self.frame(self.map.points[point_id])

    def block(self, lines: Sequence[str], size: float, cls: str) -> TextBlock:
        return _block(tuple(lines), size, cls, self.style.halo)

    # -- a sign or a mark with its name --

    def labelled(
        self, anchor: XY, sign: tuple[str, float, str] | None, blocks: Sequence[TextBlock], mark: float = 0.0
    ) -> list[Tier]:
        """A sign (or a plain mark of size ``mark``) at ``anchor`` with its name beside it.

        The sign stands on its place with the name beside it; else the name goes further away with
        a leader; else the sign too stands away from its place, with a leader from there.
        """
        s = self.style
        size = sign[1] if sign else mark

        def in_place() -> list[Candidate]:
            return self._sign_and_name(anchor, anchor, None, sign, size, blocks, 0.0)

        def named_away() -> list[Candidate]:
            signs = (Sign(sign[0], anchor[0], anchor[1], size, sign[2]),) if sign else ()
            mark_box = square(anchor, size)
            return [
                candidate
                for rank, block in enumerate(blocks)
                for candidate in self._named_away(mark_box, signs, block, 2.5 + 0.6 * rank)
            ]

        def displaced() -> list[Candidate]:
            candidates = []
            for reach_rank, reach in enumerate((0.9 * size + s.gap, 1.6 * size + s.gap, 2.6 * size + s.gap)):
                for rank, direction in enumerate(AROUND):
                    box, leader = away(anchor, 0, reach, size, size, direction)
                    cost = 4.5 + reach_rank + 0.05 * rank
                    candidates += self._sign_and_name(anchor, middle(box), leader, sign, size, blocks, cost)
            return candidates

        return [(0.0, in_place), (2.5, named_away), (4.5, displaced)]

    def _sign_and_name(
        self,
        anchor: XY,
        centre: XY,
        leader: Segment | None,
        sign: tuple[str, float, str] | None,
        size: float,
        blocks: Sequence[TextBlock],
        cost: float,
    ) -> list[Candidate]:
        s = self.style
        mark_box = square(centre, size)
        signs = (Sign(sign[0], centre[0], centre[1], size, sign[2]),) if sign else ()
        leaders = (leader,) if leader else ()
        candidates = []
        for block_rank, block in enumerate(blocks):
            for rank, direction in enumerate(AROUND):
                text_box = beside(mark_box, block.width, block.height, s.gap, direction)
                drawn = Drawn(((block, text_box),), signs, leader, bool(leader), centre, mark_box, bool(leader))
                soft = ((mark_box, SIGN_SOFT), (text_box, TEXT_SOFT))
                total = cost + 0.6 * block_rank + 0.12 * rank
                candidates.append(Candidate(total, (mark_box, text_box), leaders, drawn, soft, (text_box,)))
        return candidates

    def _named_away(self, mark_box: Box, signs: tuple[Sign, ...], block: TextBlock, cost: float) -> list[Candidate]:
        """The name further from its sign, with a leader line."""
        s, centre = self.style, middle(mark_box)
        start = (mark_box[2] - mark_box[0]) / 2 * math.sqrt(2) + s.gap
        candidates = []
        for reach_rank, extra in enumerate((1.2, 2.4)):
            for rank, direction in enumerate(AROUND):
                # The leader comes out from under the sign: it starts under nothing else.
                box, leader = away(centre, 0, start + extra * block.height, block.width, block.height, direction)
                drawn = Drawn(((block, box),), signs, leader, False, centre, mark_box)
                soft = ((mark_box, SIGN_SOFT), (box, TEXT_SOFT))
                total = cost + reach_rank + 0.05 * rank
                candidates.append(Candidate(total, (mark_box, box), (leader,), drawn, soft, (box,)))
        return candidates

    def gate(self, index: int) -> Item:
        gate = self.map.gates[index]
        s = self.style
        sizes = (s.gate_text, s.smallest_text)
        blocks = [self.block(lines, size, "label gate-label") for size in sizes for lines in shapes(gate.name)]
        sign = ("E001", s.exit_sign, "exit-sign") if gate.exit else None
        return Item(f"gate:{gate.id}", *self.labelled(self.point(gate.at), sign, blocks, s.exit_sign / 2))

    def assembly(self, index: int) -> Item:
        place = self.map.assembly_points[index]
        s = self.style
        capacity = f"（{place.capacity}人）" if place.capacity else ""
        ways = shapes(place.name + capacity, capacity)
        sizes = (s.assembly_text, s.smallest_text)
        blocks = [self.block(lines, size, "label assembly-label") for size in sizes for lines in ways]
        sign = ("E007", s.assembly_sign, "assembly-sign")
        return Item(f"assembly:{place.id}", *self.labelled(self.point(place.at), sign, blocks))

    # -- facilities --

    def facilities(self) -> list[tuple[Item, list[int]]]:
        """Facilities close together share one item, their signs side by side: each item with its facilities."""
        s = self.style
        at = [self.frame(f.at) for f in self.map.facilities]
        items = []
        for group in clusters(at, s.facility_sign * 1.05, 4):
            centre = (sum(at[i][0] for i in group) / len(group), sum(at[i][1] for i in group) / len(group))
            codes = [self.map.facilities[i].code for i in group]
            items.append((Item(f"facility:{group[0]}", *self.sign_row(centre, codes)), group))
        return items

    def sign_row(self, anchor: XY, codes: Sequence[str]) -> list[Tier]:
        """Signs in a row (or a column) on their place, or away from it with a leader."""
        s = self.style
        size, count = s.facility_sign, len(codes)
        long = count * size + (count - 1) * s.gap
        shapes = [(long, size)] + ([(size, long)] if count > 1 else [])

        def row(box: Box, leader: Segment | None, cost: float) -> Candidate:
            step = (size + s.gap, 0.0) if box[2] - box[0] > box[3] - box[1] else (0.0, size + s.gap)
            signs = tuple(
                Sign(code, box[0] + size / 2 + i * step[0], box[1] + size / 2 + i * step[1], size, "facility")
                for i, code in enumerate(codes)
            )
            boxes = tuple(square((sign.x, sign.y), size) for sign in signs)
            drawn = Drawn((), signs, leader, bool(leader), anchor, box, bool(leader))
            soft = tuple((b, SIGN_SOFT) for b in boxes)
            return Candidate(cost, boxes, (leader,) if leader else (), drawn, soft)

        def in_place() -> list[Candidate]:
            return [row(centred(anchor, w, h), None, 0.5 * rank) for rank, (w, h) in enumerate(shapes)]

        def displaced() -> list[Candidate]:
            candidates = []
            for shape_rank, (width, height) in enumerate(shapes):
                for reach_rank, reach in enumerate((0.9, 1.6, 2.6)):
                    for rank, direction in enumerate(AROUND):
                        distance = reach * size + s.gap + (max(width, height) - size) / 2
                        box, leader = away(anchor, 0, distance, width, height, direction)
                        cost = 3.0 + reach_rank + 0.5 * shape_rank + 0.05 * rank
                        candidates.append(row(box, leader, cost))
            return candidates

        return [(0.0, in_place), (3.0, displaced)]

    # -- buildings and landmarks --

    def named_shape(self, outline: Sequence[XY], name: str, size: float, short: str = "") -> list[Tier]:
        """A building's or landmark's name: inside it, smaller, shortened, beside it, or with a leader."""
        s = self.style
        drawn_outline = [self.frame(p) for p in outline]
        centre = self.frame(geometry.centroid(outline))
        bounds = _bounds(drawn_outline)
        sizes = [size, (size + s.smallest_text) / 2, s.smallest_text] if size > s.smallest_text else [size]
        outside = sorted({sizes[0], sizes[-1]}, reverse=True)

        def inside() -> list[Candidate]:
            candidates = []
            # The whole name inside; else the short one (the number of 3号楼) inside; else spilling over.
            for words, extra in ((name, 0.0), *([(short, 0.9)] if short else [])):
                for size_rank, text_size in enumerate(sizes):
                    for shape_rank, lines in enumerate(shapes(words)):
                        block = self.block(lines, text_size, "label building-label")
                        box = centred(centre, block.width, block.height)
                        # The letters, without the font's line gap.
                        ink = centred(centre, block.width, text_size * (len(lines) * 1.3 - 0.3))
                        spill = 0.0 if box_in_polygon(ink, drawn_outline) else 1.5
                        cost = extra + 0.4 * size_rank + 0.3 * shape_rank + spill
                        candidates.append(Candidate(cost, (box,), (), Drawn(((block, box),)), ((box, TEXT_SOFT),)))
            return candidates

        outside_blocks = [
            self.block(lines, text_size, "label building-label") for text_size in outside for lines in shapes(name)
        ]

        def next_to() -> list[Candidate]:
            candidates = []
            for block_rank, block in enumerate(outside_blocks):
                for rank, direction in enumerate(AROUND):
                    box = beside(bounds, block.width, block.height, s.gap, direction)
                    cost = 3.0 + 0.3 * block_rank + 0.1 * rank
                    candidates.append(Candidate(cost, (box,), (), Drawn(((block, box),)), ((box, TEXT_SOFT),)))
            return candidates

        def led() -> list[Candidate]:
            half = math.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 2
            candidates = []
            for size_rank, block in enumerate(outside_blocks):
                for reach_rank, extra in enumerate((1.5, 3.0)):
                    for rank, direction in enumerate(AROUND):
                        box, leader = away(centre, 0, half + extra * block.height, block.width, block.height, direction)
                        cost = 5.0 + 0.4 * size_rank + reach_rank + 0.05 * rank
                        drawn = Drawn(((block, box),), leader=leader)
                        candidates.append(Candidate(cost, (box,), (leader,), drawn, ((box, TEXT_SOFT),)))
            return candidates

        return [(0.0, inside), (3.0, next_to), (5.0, led)]

    def building(self, b: MapBuilding) -> Item:
        short = match.group(1) if (match := re.fullmatch(r"(.+?)号楼", b.name)) else ""
        return Item(f"building:{b.id}", *self.named_shape(b.outline, b.name, self.style.building_text, short))

    def landmark(self, index: int) -> Item:
        landmark = self.map.landmarks[index]
        return Item(f"landmark:{index}", *self.named_shape(landmark.outline, landmark.name, self.style.landmark_text))

    # -- the reader's marks, the north arrow and the scale bar --

    def here_label(self, here: XY) -> Item:
        """ "You are here" beside the marker, or further away with a leader."""
        s = self.style
        marker = square(here, 2 * s.here_radius + s.line)
        block = self.block(["您在此处"], s.here_text, "label here-label")

        def next_to() -> list[Candidate]:
            boxes = [beside(marker, block.width, block.height, s.gap, direction) for direction in AROUND]
            return [
                Candidate(0.15 * rank, (box,), (), Drawn(((block, box),)), ((box, TEXT_SOFT),), (box,))
                for rank, box in enumerate(boxes)
            ]

        def led() -> list[Candidate]:
            start = (marker[2] - marker[0]) / 2 * math.sqrt(2) + s.gap
            candidates = []
            for reach_rank, extra in enumerate((1.2, 2.4, 4.0)):
                for rank, direction in enumerate(AROUND):
                    # From under the marker: the leader starts under nothing else.
                    box, leader = away(here, 0, start + extra * block.height, block.width, block.height, direction)
                    drawn = Drawn(((block, box),), leader=leader)
                    cost = 2.5 + reach_rank + 0.05 * rank
                    candidates.append(Candidate(cost, (box,), (leader,), drawn, ((box, TEXT_SOFT),), (box,)))
            return candidates

        return Item("here", (0.0, next_to), (2.5, led))

    def north_arrow(self, north: float) -> Item:
        """The north arrow in a corner (or the middle of an edge), its letter beyond the arrow's tip."""
        s = self.style
        radius = 1.45 * s.north_text
        angle, reach = math.radians(north), radius + 0.8 * s.north_text
        block = self.block(["北"], s.north_text, "north-label")
        letter = centred((math.sin(angle) * reach, -math.cos(angle) * reach), block.width, block.height)
        relative = union([square((0, 0), 2 * radius + s.line), letter])
        return Item(
            "north", (0.0, lambda: self._cornered(relative, lambda at: Drawn(((block, shift(letter, at)),), at=at)))
        )

    def scale_bar(self) -> tuple[Item, float]:
        """The scale bar in a corner: a round number of metres, about a fifth of the drawing long."""
        s = self.style
        metres = geometry.nice_length(self.frame.width / 5 / self.frame.scale)
        length = metres * self.frame.scale
        words = f"{metres:.2f}".rstrip("0").rstrip(".") + " 米"
        zero, end = self.block(["0"], s.scale_text, "scale-label"), self.block([words], s.scale_text, "scale-label")
        top = -0.8 * s.scale_text - zero.height
        zero_box = (-zero.width / 2, top, zero.width / 2, top + zero.height)
        end_box = (length - end.width / 2, top, length + end.width / 2, top + end.height)
        relative = union([zero_box, end_box, (0, -0.5 * s.scale_text, length, 0)])

        def drawn(at: XY) -> Drawn:
            return Drawn(((zero, shift(zero_box, at)), (end, shift(end_box, at))), at=at)

        return Item("scale", (0.0, lambda: self._cornered(relative, drawn, bottom_first=True))), metres

    def _cornered(self, relative: Box, drawn: Callable[[XY], Drawn], bottom_first: bool = False) -> list[Candidate]:
        s, frame = self.style, self.frame
        left, top = s.inset - relative[0], s.inset - relative[1]
        right, bottom = frame.width - s.inset - relative[2], frame.height - s.inset - relative[3]
        across, down = (left + right) / 2, (top + bottom) / 2
        spots = [(right, top), (left, top), (right, bottom), (left, bottom)]
        spots += [(across, top), (right, down), (across, bottom), (left, down)]
        if bottom_first:
            spots = [spots[i] for i in (3, 2, 1, 0, 6, 4, 7, 5)]
        candidates = []
        for rank, at in enumerate(spots):
            box = shift(relative, at)
            candidates.append(Candidate(0.3 * rank, (box,), (), drawn(at), ((box, CORNER_SOFT),), (box,)))
        return candidates


def shapes(text: str, tail: str = "") -> list[list[str]]:
    """The ways to set a name: on one line, or (when long) on two, broken before ``tail`` (a capacity), at
    a bracket or a space, or in the middle."""
    ways = [[text]]
    if tail and text.endswith(tail) and len(text) > len(tail):
        ways.append([text[: -len(tail)], tail])
    if len(text) > 7:
        breaks = [i for i, c in enumerate(text) if c in "（( ·" and 0 < i < len(text) - 1]
        at = min(breaks, key=lambda i: abs(i - len(text) / 2)) if breaks else (len(text) + 1) // 2
        split = [text[:at].rstrip(), text[at:].lstrip(" ·")]
        if split not in ways:
            ways.append(split)
    return ways


def clusters(points: Sequence[XY], within: float, most: int) -> list[list[int]]:
    """Indices of points grouped with their neighbours closer than ``within`` (chained), ``most`` a group."""
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(points):
        for j in range(i):
            if math.dist(a, points[j]) < within:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(root(i), []).append(i)
    return sorted(group[k : k + most] for group in groups.values() for k in range(0, len(group), most))
