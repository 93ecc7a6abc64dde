"""Grids and buildings: each grid's team, which grid a building belongs to, and the buildings each grid covers."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace

from sitegen.content.model import Building, Grid, NeighborhoodSummary, Unit
from sitegen.content.model import Coverage as GridCoverage
from sitegen.content.people import People
from sitegen.content.schema import Checker, Rec, Ref, unique
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translated, _, translate


def make_grid(rec: Rec, people: People) -> Grid:
    return Grid(
        id=rec["id"],
        name=_named(rec.get("name"), default_grid_name(rec["id"] or "")),
        households=rec.get("households"),
        head=people.resolve(rec.get("head"), "head"),
        worker=people.resolve(rec.get("worker"), "worker"),
        helpers=people.resolve_all(rec.get("helpers", []), "helper"),
        police=people.resolve(rec.get("police"), "police"),
        area=rec.get("area", ""),
    )


def grid_ref(ctx: Checker, ref: Ref | None, grids: Mapping[str, Grid] | None) -> Grid | None:
    if ref is None or grids is None:
        return None
    if ref.id in grids:
        return grids[ref.id]
    same_number = [g for g in grids if ref.id.isdigit() and g.isdigit() and int(g) == int(ref.id)]
    close = same_number or difflib.get_close_matches(ref.id, list(grids), n=1, cutoff=0.8)
    if close:
        hint = _("did you mean `{key}`?", key=close[0])
    elif grids:
        hint = _("grids in site.yaml: {ids}", ids=", ".join(f"`{g}`" for g in grids))
    else:
        hint = _("site.yaml lists no grids yet; add them under `grids:`")
    ctx.report(ref.node, _("there is no grid with the id `{id}`", id=ref.id), hint)
    return None


def make_building(
    ctx: Checker,
    rec: Rec,
    people: People,
    grids: Mapping[str, Grid] | None,
    default_grid: Grid | None,
    default_given: bool,
) -> Building:
    units = rec.get("units", [])
    unique(ctx, units, "id", _("unit"))
    grid = grid_ref(ctx, rec.get("grid"), grids) if "grid" in rec else default_grid
    if grid is None and "grid" not in rec.node.entries and not default_given and grids and rec.complete:
        ctx.report(
            rec.node,
            _("building `{id}` belongs to no grid", id=rec["id"]),
            _("add `grid: …` to the building, or to the neighborhood for all its buildings"),
            "warning",
        )
    return Building(
        id=rec["id"],
        name=_named(rec.get("name"), default_building_name(rec["id"] or "")),
        head=people.resolve(rec.get("head"), "building_head"),
        units=tuple(Unit(u["id"], people.resolve(u.get("head"), "unit_head")) for u in units),
        grid=grid,
        floors=rec.get("floors"),
        households=rec.get("households"),
    )


_DIGITS = "零一二三四五六七八九"


def _chinese_number(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (for numbers below 100)."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return _DIGITS[number]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def default_grid_name(grid_id: str) -> Translated:
    """第二网格 (Grid 2) for the grid `02`."""
    number = str(int(grid_id)) if grid_id.isdigit() else grid_id
    chinese = (
        f"第{_chinese_number(int(grid_id))}网格" if grid_id.isdigit() and 0 < int(grid_id) < 100 else f"{grid_id}网格"
    )
    return _in_every_language(chinese, _("Grid {number}", number=number))


def default_building_name(building_id: str) -> Translated:
    """3号楼 (Building 3) for the building `3`."""
    return _in_every_language(f"{building_id}号楼", _("Building {number}", number=building_id))


def _in_every_language(chinese: str, other: str) -> Translated:
    texts = {lang: chinese if lang == DEFAULT_LANGUAGE else str(translate(other, lang)) for lang in LANGUAGES}
    return Translated(texts)


def _named(written: str | None, default: Translated) -> str:
    """The name the editor wrote, or the default, which every edition has in its language.

    A written name that is the default in Chinese (第二网格 for `02`) is the default too.
    """
    if written is None or (written == default and not isinstance(written, Translated)):
        return default
    return written


# The grids with their coverage, and the site context (any object, compared by identity) and the
# summaries they were made from.
Coverage = tuple[object, tuple[NeighborhoodSummary, ...], tuple[Grid, ...]]


def covering_grids(
    grids: dict[str, Grid], context: object, summaries: tuple[NeighborhoodSummary, ...], last: Coverage | None
) -> Coverage:
    """The community's grids, each with the buildings it covers (the same as ``last`` if nothing moved)."""
    if last is not None and last[0] is context and len(last[1]) == len(summaries):
        # An edit that moved no building between grids (most edits) leaves every grid as it was.
        if all(a is b or _covers(a) == _covers(b) for a, b in zip(last[1], summaries, strict=True)):
            return (context, summaries, last[2])
    coverage: dict[str, list[tuple[str, str, str]]] = {}
    for summary in summaries:
        for grid_id, building in summary.building_grids():
            coverage.setdefault(grid_id, []).append((summary.slug, summary.name, building))
    made = tuple(_with_coverage(grid, coverage.get(gid, [])) for gid, grid in grids.items())
    return (context, summaries, made)


def _covers(summary: NeighborhoodSummary) -> tuple[object, ...]:
    """What a neighborhood gives the grids' coverage, names with their translations.

    (A Translated name equals its Chinese text: comparing names alone would miss a new English one.)
    """

    def exact(text: str) -> object:
        return (text, text.texts) if isinstance(text, Translated) else text

    return (summary.slug, exact(summary.name), tuple((grid, exact(name)) for grid, name in summary.building_grids()))


def _with_coverage(grid: Grid, buildings: list[tuple[str, str, str]]) -> Grid:
    by_neighborhood: dict[str, tuple[str, list[str]]] = {}
    for slug, name, building in buildings:
        by_neighborhood.setdefault(slug, (name, []))[1].append(building)
    coverage = tuple(GridCoverage(slug, name, tuple(ids)) for slug, (name, ids) in by_neighborhood.items())
    return replace(grid, coverage=coverage)
