"""Place labels and signs on a drawing so that none covers another: a deterministic search over candidates.

Everything here is pure geometry in drawing units (y down). Each :class:`Item` (a label, a sign, a
north arrow) offers candidate positions, cheapest first; :func:`place` picks one per item so that no
two overlap, none leaves the drawing, none covers a fixed obstacle (the you-are-here marker) or
comes near the route, and says which items found no room.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

XY = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 <= x1 and y0 <= y1
Segment = tuple[XY, XY]

# Where a browser's box around a line of text reaches, in ems from the baseline: Noto Sans CJK and
# Source Han Sans reach 1.16 above and 0.29 below; these allow for other CJK fonts too. Text with
# rarer letters or symbols (emoji, other scripts), drawn from fallback fonts, may reach further.
TEXT_TOP = 1.2
TEXT_BOTTOM = 0.32
RARE_TOP = 1.7
RARE_BOTTOM = 0.65

# Advance widths in ems, at least those of the bold CJK fonts a plan is drawn with and of the fonts a
# browser falls back to. Measured in Chromium, with room for other CJK fonts: Noto Sans CJK's digits
# are 0.59 em, its letters at most 1.01 em; accented Latin letters reach 1.55 em, emoji 1.6 em,
# letters of other scripts 2 em.
_ASCII = {
    char: width
    for chars, width in (
        (" i|jl',.:;I!-()[]{}/\\f", 0.46),
        ("tr", 0.55),
        ("sc*?z", 0.62),
        ('Jx"_yFLYev#$+0123456789<=>^a~ZgkESCTVX`oAbdhnpqu', 0.74),
        ("PBRKDG&NUHOQ", 0.87),
        ("MwW", 1.02),
        ("%m@", 1.12),
    )
    for char in chars
}
_EXTRA_WIDE = {"\u2e3a": 2.2, "\u2e3b": 3.0, "\ufdfd": 4.0, "\ua9c1": 2.2, "\ua9c2": 2.2, "\u2031": 2.1}


@functools.lru_cache(maxsize=4096)
def char_width(char: str) -> float:
    """The most a character may advance, in ems, in a bold CJK font or a browser's fallback for it."""
    if char in _EXTRA_WIDE:
        return _EXTRA_WIDE[char]
    if char.isascii():
        return _ASCII.get(char, 0.0)
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if _common(char):
        return 1.0
    return 1.6 if char <= "\u058f" or "\u1e00" <= char <= "\u1eff" else 2.1


@functools.lru_cache(maxsize=4096)
def _common(char: str) -> bool:
    """Whether a character is ASCII or a full-width CJK letter, digit or punctuation mark."""
    if char.isascii():
        return True
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char)[0] in "LNP"


_T = TypeVar("_T")


class memo(Generic[_T]):  # noqa: N801 (named as the decorator it stands in for)
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first access).

    The value is stored in the instance's ``__dict__`` under the attribute's name, so later lookups
    never reach the descriptor. Site plans make hundreds of thousands of candidates a district.
    """

    def __init__(self, function: Callable[[Any], _T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> memo[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object, owner: type | None = None) -> memo[_T] | _T:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


@functools.lru_cache(maxsize=1 << 14)
def _em_width(text: str) -> float:
    return sum(char_width(c) for c in text)


def text_width(text: str, size: float) -> float:
    """A width that a line of text drawn at ``size`` in a bold CJK font does not exceed."""
    return _em_width(text) * size


@functools.lru_cache(maxsize=1 << 14)
def text_reach(text: str) -> tuple[float, float]:
    """How far above and below its baseline a line of text may reach, in ems."""
    if all(_common(c) or unicodedata.category(c) in ("Mn", "Me", "Cf") for c in text):
        return TEXT_TOP, TEXT_BOTTOM
    return RARE_TOP, RARE_BOTTOM


def overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether two boxes come closer than ``gap`` (touching at ``gap`` = 0 is no overlap)."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def union(boxes: Iterable[Box]) -> Box:
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def inside(box: Box, outer: Box, slack: float = 1e-6) -> bool:
    """Whether a box lies inside another (a box put against an edge by arithmetic may miss it by a hair)."""
    return (
        outer[0] - slack <= box[0]
        and outer[1] - slack <= box[1]
        and box[2] <= outer[2] + slack
        and box[3] <= outer[3] + slack
    )


def segment_box(segment: Segment) -> Box:
    (x0, y0), (x1, y1) = segment
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def clip(segment: Segment, box: Box, strict: bool = False) -> tuple[float, float] | None:
    """The part of a segment in a box, as fractions of the way along it (Liang–Barsky clipping);
    ``strict``: in its inside, its edges left out. None if no part is."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0 or (strict and q == 0):
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high or (strict and low == high):
            return None
    return low, high


def segment_hits_box(segment: Segment, box: Box) -> bool:
    """Whether a segment passes through the inside of a box."""
    return clip(segment, box, strict=True) is not None


def _orientation(a: XY, b: XY, c: XY) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_cross(s: Segment, t: Segment) -> bool:
    """Whether two segments cross or touch."""
    d1, d2 = _orientation(t[0], t[1], s[0]), _orientation(t[0], t[1], s[1])
    d3, d4 = _orientation(s[0], s[1], t[0]), _orientation(s[0], s[1], t[1])
    if ((d1 > 0) != (d2 > 0) or d1 == 0 or d2 == 0) and ((d3 > 0) != (d4 > 0) or d3 == 0 or d4 == 0):
        return overlap(grow(segment_box(s), 1e-9), segment_box(t))
    return False


def point_in_polygon(point: XY, polygon: Sequence[XY]) -> bool:
    x, y = point
    result = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def box_hits_polygon(box: Box, polygon: Sequence[XY]) -> bool:
    """Whether a box and a polygon's area share any point."""
    if not overlap(box, union((p[0], p[1], p[0], p[1]) for p in polygon)):
        return False
    if point_in_polygon(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), polygon):
        return True
    edges = zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    return any(segment_hits_box(edge, box) for edge in edges) or any(
        box[0] < x < box[2] and box[1] < y < box[3] for x, y in polygon
    )


def box_in_polygon(box: Box, polygon: Sequence[XY]) -> bool:
    """Whether a box lies wholly inside a polygon."""
    xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
    if not inside(box, (min(xs), min(ys), max(xs), max(ys))):
        return False
    if len(polygon) == 4 and len(set(xs)) == 2 and len(set(ys)) == 2:
        return True  # a rectangle square to the drawing (a building turned by quarter turns): its bounds
    corners = ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))
    if not all(point_in_polygon(c, polygon) for c in corners):
        return False
    edges = zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    shrunk = grow(box, -1e-6)
    return not any(segment_hits_box(edge, shrunk) for edge in edges)


class Buckets:
    """Which of many boxes may overlap a box: their indices, filed by the cells of a grid they touch."""

    def __init__(self, boxes: Sequence[Box], cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = {}
        for index, box in enumerate(boxes):
            for key in self._cells(box):
                self.cells.setdefault(key, []).append(index)

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        c = self.cell
        i0, i1, j0, j1 = int(box[0] // c), int(box[2] // c), int(box[1] // c), int(box[3] // c)
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def near(self, box: Box) -> list[int]:
        """The indices of the boxes filed in the cells ``box`` touches, in order."""
        keys = self._cells(box)
        if len(keys) == 1:
            return self.cells.get(keys[0], [])  # filed in order
        found: set[int] = set()
        for key in keys:
            found.update(self.cells.get(key, ()))
        return sorted(found)


def distance_to_segment(point: XY, segment: Segment) -> float:
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / length))
    return math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy)


# Not frozen, though never changed: a frozen dataclass sets each field through ``object.__setattr__``,
# and a district's site plans make millions of candidates (a fifth of laying them out). Hashed and
# compared by their fields all the same.
@dataclass(unsafe_hash=True)
class Candidate:
    """One way to draw an item.

    ``boxes`` must stay clear of everything. ``leaders`` are thin lines from the place of a thing to
    its sign or name, drawn beneath everything else: they may cross the route, and may start under
    a sign or mark (a thing at the same place as another) or a building's name (a thing in the
    building), but cross no box. ``texts`` are the boxes of ``boxes`` holding other words (names of
    gates and assembly points, "you are here", the north arrow and scale bar): no leader may start
    under them, or the words would seem to be what it leads to. ``soft`` are boxes that had better
    not cover some things (what that costs is added by the ``penalty`` given to :func:`place`, on
    top of ``cost``). ``drawing`` is what the drawer needs.
    """

    cost: float
    boxes: tuple[Box, ...]
    leaders: tuple[Segment, ...] = ()
    drawing: Any = None
    soft: tuple[Any, ...] = ()
    texts: tuple[Box, ...] = ()

    @memo
    def extent(self) -> Box:
        if not self.leaders and len(self.boxes) == 1:
            return self.boxes[0]
        return union([*self.boxes, *(segment_box(s) for s in self.leaders)])


def crosses(leader: Segment, box: Box, pad: float = 0.0) -> bool:
    """Whether a leader comes within ``pad`` of a box; one that starts under the box only comes out from under it."""
    (x, y), _ = leader
    return not (box[0] < x < box[2] and box[1] < y < box[3]) and segment_hits_box(leader, grow(box, pad))


Tier = tuple[float, Callable[[], list[Candidate]]]  # the least cost of its candidates, and how to make them


class Item:
    """Something to place, and its candidates in tiers made only when needed (most items take one of
    the first): each tier's candidates cost at least its floor, and the floors rise.
    """

    def __init__(self, key: str, *tiers: Tier, keep: Callable[[Candidate], bool] | None = None) -> None:
        self.key = key
        self.tiers = tiers
        self.keep = keep
        self._made: list[Candidate] = []
        self._next = 0

    def candidates(self, below: Callable[[], float] = lambda: math.inf) -> Iterator[Candidate]:
        """The candidates, cheapest first within each tier; no tier is made whose floor is ``below()`` or more."""
        index = 0
        while True:
            while index >= len(self._made) and self._next < len(self.tiers):
                floor, make = self.tiers[self._next]
                if floor >= below():
                    return
                made = sorted(make(), key=lambda c: c.cost)
                self._made += [c for c in made if self.keep(c)] if self.keep else made
                self._next += 1
            if index >= len(self._made):
                return
            yield self._made[index]
            index += 1

    def allows(self, candidate: Candidate) -> bool:
        return self.keep is None or self.keep(candidate)

    def only(self, keep: Callable[[Candidate], bool]) -> Item:
        """The same item with only the candidates ``keep`` accepts."""
        return Item(self.key, *self.tiers, keep=keep)


Penalty = Callable[[str, Candidate], float]


def _no_penalty(key: str, candidate: Candidate) -> float:
    return 0.0


def remembered(penalty: Penalty) -> Penalty:
    """The penalty, worked out once a candidate (each belongs to one item, so its key is always the same).

    Kept by the candidate's id, with the candidate itself: an id is reused once its object is gone.
    """
    known: dict[int, tuple[Candidate, float]] = {}

    def once(key: str, candidate: Candidate) -> float:
        kept = known.get(id(candidate))
        if kept is None or kept[0] is not candidate:
            kept = known[id(candidate)] = (candidate, penalty(key, candidate))
        return kept[1]

    return once


@dataclass(frozen=True)
class Obstacles:
    """What no item may cover, and the room there is.

    ``area`` is the box everything must stay inside; ``boxes`` are fixed marks (the you-are-here
    marker); no box of an item may come within ``clearance`` of a ``route`` segment. ``gap`` is
    the least space between any two things.
    """

    area: Box
    gap: float
    boxes: tuple[Box, ...] = ()
    route: tuple[Segment, ...] = ()
    clearance: float = 0.0


@dataclass
class Placement:
    """The chosen candidate of each placed item, and the keys of the items that found no room."""

    chosen: dict[str, Candidate] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)


def conflict(a: Candidate, b: Candidate, gap: float) -> bool:
    """Whether two candidates of different items cannot both be drawn."""
    if not overlap(a.extent, b.extent, gap):
        return False
    if any(overlap(x, y, gap) for x in a.boxes for y in b.boxes):
        return True
    half = gap / 2
    if any(crosses(s, y, half) for s in a.leaders for y in b.boxes):
        return True
    if any(crosses(s, x, half) for s in b.leaders for x in a.boxes):
        return True
    if any(_starts_under(s, y, half) for s in a.leaders for y in b.texts):
        return True
    if any(_starts_under(s, x, half) for s in b.leaders for x in a.texts):
        return True
    return any(_leaders_cross(s, t) for s in a.leaders for t in b.leaders)


def _starts_under(leader: Segment, box: Box, pad: float) -> bool:
    (x, y), _ = leader
    return box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad


def _leaders_cross(s: Segment, t: Segment) -> bool:
    """Leaders from one place (things at the same spot) fan out from it; other leaders may not touch."""
    if math.dist(s[0], t[0]) > 1e-6:
        return segments_cross(s, t)
    (x0, y0), (x1, y1), (x2, y2) = s[0], s[1], t[1]
    ax, ay, bx, by = x1 - x0, y1 - y0, x2 - x0, y2 - y0
    length = math.hypot(ax, ay) * math.hypot(bx, by)
    return length > 0 and ax * bx + ay * by > 0 and abs(ax * by - ay * bx) < 0.2 * length  # within ~11°


class _Search:
    def __init__(self, items: Sequence[Item], obstacles: Obstacles, penalty: Penalty) -> None:
        self.items = {item.key: item for item in items}
        self.obstacles = obstacles
        self.penalty = penalty
        self.chosen: dict[str, Candidate] = {}
        self.reach: dict[str, Box] = {}  # each placed item's extent grown by the gap (a plan has a few dozen)
        self.free_of_fixed: dict[int, bool] = {}
        self.route = [(segment, segment_box(segment)) for segment in obstacles.route]

    def total(self, key: str, candidate: Candidate) -> float:
        return candidate.cost + self.penalty(key, candidate)

    def fits(self, candidate: Candidate) -> bool:
        """Whether the candidate keeps inside the drawing and clear of the fixed obstacles (memoised)."""
        known = self.free_of_fixed.get(id(candidate))
        if known is None:
            known = self.free_of_fixed[id(candidate)] = self._fits(candidate)
        return known

    def _fits(self, candidate: Candidate) -> bool:
        o = self.obstacles
        if not inside(candidate.extent, o.area):
            return False
        if not o.boxes and not self.route:
            return True
        near = grow(candidate.extent, o.gap)
        for fixed in o.boxes:
            if overlap(near, fixed):
                if any(overlap(box, fixed, o.gap) for box in candidate.boxes):
                    return False
                if any(crosses(s, fixed) for s in candidate.leaders):
                    return False
        reach = grow(candidate.extent, o.clearance)
        for segment, bounds in self.route:
            if overlap(reach, bounds) and any(
                segment_hits_box(segment, grow(box, o.clearance)) for box in candidate.boxes
            ):
                return False
        return True

    def near(self, key: str, candidate: Candidate) -> Iterator[str]:
        """The placed items (other than ``key``) whose extents come near the candidate's."""
        x0, y0, x1, y1 = candidate.extent
        for other, (a0, b0, a1, b1) in self.reach.items():
            if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1 and other != key:
                yield other

    def blockers(self, key: str, candidate: Candidate) -> list[str]:
        """The placed items (other than ``key``) that the candidate would overlap, in a stable order."""
        gap = self.obstacles.gap
        return sorted(k for k in self.near(key, candidate) if conflict(candidate, self.chosen[k], gap))

    def free(self, key: str, candidate: Candidate) -> bool:
        fits = self.free_of_fixed.get(id(candidate))
        if fits is None:
            fits = self.fits(candidate)
        if not fits:
            return False
        # As ``near``, written out: a plan's search asks this a few hundred thousand times.
        gap, chosen = self.obstacles.gap, self.chosen
        x0, y0, x1, y1 = candidate.extent
        for other, (a0, b0, a1, b1) in self.reach.items():
            if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1 and other != key and conflict(candidate, chosen[other], gap):
                return False
        return True

    def put(self, key: str, candidate: Candidate) -> None:
        self.chosen[key] = candidate
        self.reach[key] = grow(candidate.extent, self.obstacles.gap)

    def take(self, key: str) -> Candidate:
        del self.reach[key]
        return self.chosen.pop(key)

    def best_free(self, key: str, below: float = math.inf, budget: float = math.inf) -> Candidate | None:
        """The free candidate of least total cost under ``below``, among the first ``budget`` looked at.

        Branch and bound: penalties are never negative, so no candidate costing more than the best
        total so far need be looked at.
        """
        best, bound = None, [below]
        for looked, candidate in enumerate(self.items[key].candidates(lambda: bound[0])):
            if candidate.cost >= bound[0] or looked >= budget:
                break
            if self.free(key, candidate):
                total = self.total(key, candidate)
                if total < bound[0]:
                    best, bound[0] = candidate, total
        return best

    def repair(self, key: str, most: int = 2, tries: int = 12, budget: int = 160) -> bool:
        """Make room for ``key`` by moving at most ``most`` placed items elsewhere.

        Tries ``key``'s cheapest candidates that fit the drawing; each blocking item looks at no more
        than ``budget`` of its own candidates for somewhere else to go.
        """
        tried = 0
        for candidate in self.items[key].candidates():
            if tried >= tries:
                break
            if not self.fits(candidate):
                continue
            blocking = self.blockers(key, candidate)
            if not blocking or len(blocking) > most:
                continue
            tried += 1
            before = {k: self.take(k) for k in blocking}
            self.put(key, candidate)
            moved = []
            for other in blocking:
                elsewhere = self.best_free(other, budget=budget)
                if elsewhere is None:
                    break
                self.put(other, elsewhere)
                moved.append(other)
            else:
                return True
            for other in moved:
                self.take(other)
            self.take(key)
            for other, was in before.items():
                self.put(other, was)
        return False

    def improve(self, order: Sequence[str]) -> None:
        """Move each placed item to a cheaper free candidate, if there is one."""
        for key in order:
            current = self.chosen.get(key)
            if current is None:
                continue
            total = self.total(key, current)
            if total > 0:  # nothing costs less than nothing
                cheaper = self.best_free(key, total)
                if cheaper is not None:
                    self.take(key)
                    self.put(key, cheaper)


def place(
    items: Sequence[Item],
    obstacles: Obstacles,
    penalty: Penalty = _no_penalty,
    start: Mapping[str, Candidate] | None = None,
) -> Placement:
    """Choose a candidate for each item, in the given order (most important first).

    Greedy: each item takes its cheapest free candidate; an item with none makes room by moving one
    or two items already placed; then each item moves to a cheaper candidate if one came free.
    With ``start`` (an earlier placement of mostly the same items), the items keep their candidates
    there that still fit, and only the others are placed again. Deterministic: the same arguments
    give the same placement.
    """
    search = _Search(items, obstacles, penalty)
    order = [item.key for item in items]
    if start:
        for item in items:
            kept = start.get(item.key)
            if kept is not None and item.allows(kept) and search.fits(kept) and search.free(item.key, kept):
                search.put(item.key, kept)
    waiting = []
    for key in order:
        if key in search.chosen:
            continue
        found = search.best_free(key)
        if found is not None:
            search.put(key, found)
        elif not search.repair(key):
            waiting.append(key)
    search.improve([key for key in order if not start or key not in start or search.chosen.get(key) is not start[key]])
    left_out = []
    for key in waiting:
        found = search.best_free(key)
        if found is not None:
            search.put(key, found)
        elif not search.repair(key, most=3):
            left_out.append(key)
    return Placement({k: search.chosen[k] for k in order if k in search.chosen}, left_out)
