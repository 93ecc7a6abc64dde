"""Turn read documents into a validated Site, collecting every problem instead of stopping at one."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sitegen import cache, workers
from sitegen.cache import hash_parts
from sitegen.content import format as cs
from sitegen.content.categories import make_category, neighborhood_categories
from sitegen.content.grids import Coverage, covering_grids, grid_ref, make_building, make_grid
from sitegen.content.links import check_markdown, checked_text, in_value
from sitegen.content.load import Documents, NeighborhoodFiles
from sitegen.content.model import (
    ChainLevel,
    EmergencyNumber,
    Grid,
    Honour,
    Neighborhood,
    NeighborhoodSummary,
    Notice,
    Office,
    Project,
    Service,
    Site,
    summarize,
)
from sitegen.content.notices import check_meetings, check_notices, check_verified_on, year_ahead
from sitegen.content.parse import Entry, Node, RawDocument
from sitegen.content.people import People
from sitegen.content.placeholders import check_examples
from sitegen.content.schema import INVALID, Checker, Rec, check_document, unique
from sitegen.content.siteplan import neighborhood_map
from sitegen.content.uses import Looked, Uses, UsesDigest, Watched
from sitegen.errors import ContentError
from sitegen.i18n import DEFAULT_LANGUAGE, Message, _
from sitegen.workers import Alone, fork_map, run_alone, start_alone

# Below this many neighborhoods to check, forking workers costs more than it saves.
PARALLEL_CHECK_FROM = 40
# A site.yaml of this many bytes or more is read and checked in a forked worker, which hands back
# what it gives every page. Its parsed tree takes some 70 times the file's size (400 MB for a
# district of 10,000 neighborhoods), and memory freed in small pieces mostly stays with the process:
# the one that goes on to build, and every worker it forks, would keep it.
SITE_ALONE_FROM = 256 * 1024

# What checking one neighborhood gives: its model (None when handed on through the spill, or when its
# problems left none), its summary, its problems, the digest of its model (see model_digest) and what
# it looked up in site.yaml's grids and people.
Fresh = tuple[Neighborhood | None, NeighborhoodSummary | None, list[ContentError], str, Uses]


def model_digest(model: Neighborhood | None) -> str:
    """A digest of everything a neighborhood's model holds ("" for none).

    Its model is where what site.yaml gives a neighborhood ends up: its grids with their people, the
    community's people it names, the categories with its own parties, phone numbers read with the
    area code. While the digest and the site's own values hold, its pages stand, whatever else of
    site.yaml changed (a grid worker's new phone number makes the pages of that grid's neighborhoods
    again, not the district's). The model's text, about 1 ms for a neighborhood of the synthetic
    city, against some 160 ms to check it.
    """
    return "" if model is None else hashlib.sha256(repr(model).encode()).hexdigest()


def _site_checked_from_file(content_dir: Path, display_root: str, today: dt.date, key: str) -> tuple[SiteContext, str]:
    """site.yaml read and checked by a child of its own (see SiteValidator.check_site_early), which
    needs nothing but these values: it may be forked from the forker (see workers.Forker)."""
    documents = Documents(content_dir, [], [], [], display_root=display_root)
    return SiteValidator(documents, today, None, key)._checked_site_alone()


def large_site(content_dir: Path) -> bool:
    """Whether site.yaml is large enough to be checked by a child of its own (see SITE_ALONE_FROM)."""
    return Documents(content_dir, [], [], []).site_size() >= SITE_ALONE_FROM


def _unique_services(ctx: Checker, records: list[Rec]) -> None:
    """Each service or channel has its own contact page, named by its category and name."""
    seen: dict[tuple[str, str], Rec] = {}
    for record in records:
        key = (record["category"], record["name"])
        if None in key:
            continue
        if key in seen:
            ctx.report(
                record.node,
                _(
                    "`{name}` ({category}) is listed twice (first on line {line})",
                    name=key[1],
                    category=key[0],
                    line=seen[key].node.line,
                ),
                _("remove one, or tell them apart in `name:`, e.g. 南门店 and 北门店"),
            )
        else:
            seen[key] = record


def _unique_projects(ctx: Checker, records: list[Rec]) -> None:
    """A neighborhood's projects and clubs each have a name of their own (residents ask for them by name)."""
    seen: dict[str, Rec] = {}
    for record in records:
        name = record["name"]
        if name is None:
            continue
        key = "".join(str(name).split())
        if key in seen:
            ctx.report(
                record.where("name"),
                _(
                    "`{name}` is listed twice among the projects and clubs (first on line {line})",
                    name=name,
                    line=seen[key].where("name").line,
                ),
                _("remove one, or give each its own name, e.g. 跑团（晨跑） and 跑团（夜跑）"),
                "warning",
            )
        else:
            seen[key] = record


def _languages(ctx: Checker, rec: Rec) -> tuple[str, ...]:
    """The editions of the website: Chinese, then the others asked for."""
    languages = tuple(dict.fromkeys(rec.get("languages") or [DEFAULT_LANGUAGE]))
    if DEFAULT_LANGUAGE not in languages:
        ctx.report(
            rec.where("languages"),
            _("the website is always built in Chinese (`zh`)"),
            _("write `languages: [zh, en]` for an English edition beside the Chinese one"),
        )
    return (DEFAULT_LANGUAGE, *(lang for lang in languages if lang != DEFAULT_LANGUAGE))


@dataclass
class CachedNeighborhood:
    """A neighborhood checked in an earlier build, valid while ``key`` holds: the digest of what its
    check used of site.yaml (see SiteValidator.uses_key) and its folder's digest.

    Only its summary and problems are kept: the community pages need no more, and a build that
    must render the neighborhood's own pages checks it again.
    """

    key: tuple[str, str]
    summary: NeighborhoodSummary | None
    problems: list[ContentError]
    model: str = ""  # its model's digest (see model_digest)
    uses: Uses | None = None  # what its check looked up in site.yaml's grids and people
    # The context key it was last found to stand for: while it holds, so does the entry, unasked.
    context: str = ""


@dataclass
class SiteContext:
    """What site.yaml gives every neighborhood and page, checked once while ``key`` holds.

    ``people`` are the community's people by id (plain records, resolved when referenced),
    ``fields`` the Site's own values, ``problems`` those found in site.yaml.
    """

    key: str
    area_code: str
    fields: dict[str, Any]
    grids: dict[str, Grid]
    people: dict[str, dict[str, Any]]
    problems: list[ContentError]


@dataclass
class ValidationCache:
    """What one build's checking leaves for the next: site.yaml's context and every neighborhood's result."""

    site: SiteContext | None = None
    neighborhoods: dict[str, CachedNeighborhood] = field(default_factory=dict)
    # The grids with their coverage, and the site context and summaries they were made from.
    coverage: Coverage | None = None

    def without_neighborhoods(self) -> tuple[ValidationCache, dict[str, dict[str, Any]]]:
        """This cache without its neighborhoods' results, its site context's grids and people, and what
        each grid covers: what the build state pickles apart, in parts (:meth:`take_apart` puts them back).

        The coverage then names by slug each summary one of the results holds, and holds no grids:
        they are the site context's with what each covers, made again from those. (A district's
        20,000 grids and their people, pickled with the rest, took most of what saving the state
        added to the process: a pickler holds all it wrote until it ends. Its site.yaml's 60,000
        people, 4 MB pickled, took 28 MB more to pickle whole.)
        """
        site, coverage = self.site, self.coverage
        apart: dict[str, dict[str, Any]] = {"grids": {}, "people": {}, "covers": {}}
        if site is not None:
            apart["grids"], apart["people"] = site.grids, site.people
            site = replace(site, grids={}, people={})
        if coverage is not None:
            slugs = {id(entry.summary): slug for slug, entry in self.neighborhoods.items() if entry.summary is not None}
            named: tuple[Any, ...] = tuple(slugs.get(id(summary), summary) for summary in coverage[1])
            apart["covers"] = {grid.id: grid.coverage for grid in coverage[2] if grid.coverage}
            coverage = (site if coverage[0] is self.site else coverage[0], named, ())
        return ValidationCache(site, {}, coverage), apart

    def take_apart(self, name: str, items: list[tuple[str, Any]], covers: dict[str, Any]) -> bool:
        """Put back a part that :meth:`without_neighborhoods` set apart (False: not one of its parts);
        what grids cover is kept in ``covers`` until every part is read (see :meth:`restore_coverage`)."""
        if name == "neighborhoods":
            self.neighborhoods.update(items)
        elif name == "grids" and self.site is not None:
            self.site.grids.update(items)
        elif name == "people" and self.site is not None:
            self.site.people.update(items)
        elif name == "covers":
            covers.update(items)
        else:
            return False
        return True

    def restore_coverage(self, covers: dict[str, Any]) -> None:
        """Put back in the coverage the summaries it names by slug and its grids, the site context's with
        what each covers (``covers``); without them, the coverage goes (made again by the next check)."""
        if self.coverage is None:
            return
        context, named, _grids = self.coverage
        summaries = []
        for item in named:
            entry = self.neighborhoods.get(item) if isinstance(item, str) else None
            summaries.append(entry.summary if entry is not None else item)
        if (
            self.site is None
            or context is not self.site
            or not all(isinstance(s, NeighborhoodSummary) for s in summaries)
        ):
            self.coverage = None
            return
        grids = tuple(
            replace(grid, coverage=covers[grid_id]) if grid_id in covers else grid
            for grid_id, grid in self.site.grids.items()
        )
        self.coverage = (context, tuple(summaries), grids)


class SiteValidator:
    """Checks all documents, resolves references between them, and builds the Site.

    With a ``cache`` and a ``context_key`` (site.yaml, the date, the settings), site.yaml and the
    neighborhoods whose folders are unchanged are taken from it, and fresh results are stored in
    it. ``models`` holds the neighborhoods checked now, by slug.

    With a ``spill`` folder, each model checked now is written there instead of kept (a forked
    checking worker's instead of handed back): the process that checks a district then holds
    summaries only, and :meth:`model` reads a neighborhood's model when its files are planned (one
    at a time; a model is about 30 KB pickled, read in about a millisecond).
    """

    def __init__(
        self,
        documents: Documents,
        today: dt.date,
        cache: ValidationCache | None = None,
        context_key: str = "",
        frame_key: str = "",
    ) -> None:
        """``context_key``: what site.yaml's checked context depends on (see state.context_key);
        ``frame_key``: what every neighborhood's check depends on but site.yaml (sitegen's version,
        the date, the settings), else the context key is taken for it."""
        self.documents = documents
        self.today = today
        self.problems: list[ContentError] = list(documents.problems)
        self.cache = cache if context_key else None
        self.context_key = context_key
        self.frame_key = frame_key or context_key
        self.uses_key: Callable[[Uses], str] = lambda _uses: context_key
        self.context: SiteContext | None = None
        self.area_code = ""
        self.models: dict[str, Neighborhood] = {}
        self.spill: Path | None = None
        # site.yaml being checked already, by a child forked before the folders were read (see
        # check_site_early); its result is taken if it was checked for this validator's key.
        self.early: Alone[tuple[SiteContext, str]] | None = None
        self._dates: dict[dt.date, dt.date] = {}  # see _dated_alike

    def checker(self, doc: RawDocument) -> Checker:
        return Checker(doc, self.problems, self.area_code)

    def run(self) -> Site | None:
        context = self._site_context()
        grids = context.grids if context else None
        people = context.people if context else None
        # What every neighborhood's check takes from site.yaml besides the grids and people it looks up.
        categories = context.fields["categories"] if context else None
        frame = hash_parts(self.frame_key, self.area_code, repr(categories))
        self.uses_key = UsesDigest(grids, people, frame)
        fresh = self._check_fresh(grids, people)
        summaries = []
        for files in self.documents.neighborhoods:
            summary = self._checked_neighborhood(files, fresh)
            if summary is not None:
                summaries.append(summary)
        community_notices = check_notices(self.documents.notices, "", self.today, self.area_code, self.problems)
        if context is None:
            return None
        summaries.sort(key=lambda n: (n.order, n.slug))
        return Site(
            **context.fields,
            today=self.today,
            grids=self._covering_grids(context, tuple(summaries)),
            neighborhoods=tuple(summaries),
            notices=community_notices,
        )

    def _covering_grids(self, context: SiteContext, summaries: tuple[NeighborhoodSummary, ...]) -> tuple[Grid, ...]:
        """The community's grids, each with the buildings it covers (kept in the cache for the next build)."""
        last = self.cache.coverage if self.cache is not None else None
        coverage = covering_grids(context.grids, context, summaries, last)
        if self.cache is not None:
            self.cache.coverage = coverage
        return coverage[2]

    def _site_context(self) -> SiteContext | None:
        """site.yaml checked: from the cache while its key holds, else now (None when unreadable).

        A large site.yaml not yet read is checked in a forked worker (see SITE_ALONE_FROM), or was
        started early (:attr:`early`).
        """
        cached = self.cache.site if self.cache else None
        early, self.early = self.early, None
        if cached is not None and cached.key == self.context_key:
            self.area_code = cached.area_code
            if early is not None:
                early.cancel()
        else:
            if self.cache is not None:
                # The last build's context, and the grids' coverage made from it, are of no more use:
                # let go of them before the new context is taken, not beside it (at 10,000
                # neighborhoods, 50 MB).
                self.cache.site = self.cache.coverage = None
            cached = None
            checked = early.result() if early is not None else None
            if checked is not None and checked[0].key == self.context_key:
                cached, self.area_code = checked
            elif self.documents.site_parsed or self.documents.site_size() < SITE_ALONE_FROM:
                cached, self.area_code = self._checked_site()
            else:
                doing = _("checking {file}", file=self.documents.site_display)
                documents = self.documents
                check = functools.partial(
                    _site_checked_from_file, documents.content_dir, documents.display_root, self.today, self.context_key
                )
                cached, self.area_code = run_alone(check, doing, sent=True)
            self.documents.forget_site()
            if self.cache is not None and cached.fields:
                self.cache.site = cached
        self.problems += cached.problems
        self.context = cached if cached.fields else None
        return self.context

    @staticmethod
    def check_site_early(
        content_dir: Path,
        display_root: str,
        today: dt.date | Callable[[RawDocument | None], dt.date],
        context_key: Callable[[dt.date], str] = lambda _today: "",
        cached: SiteContext | None = None,
        likely: dt.date | None = None,
    ) -> Alone[tuple[SiteContext, str]] | None:
        """Start checking a large site.yaml in a child forked now, for a validator of the same context
        key (``context_key(today)``, asked only for a large site.yaml) to take (:attr:`early`); None
        when it is small (checked here), or ``cached`` was checked for that key. Where forking is not
        possible, it is checked when the validator asks for it.

        ``today`` may not be known yet (it comes from the dates written in all the content): then it
        is a function the child calls with site.yaml parsed, which returns the date once it is known
        (the child can tell the dates site.yaml holds meanwhile). The child must really be forked
        for that, so there is none where forking is not possible; nor when ``cached`` was checked for
        the date the build is ``likely`` to have (the last build's).

        A district's site.yaml takes its checking worker some 170 MB on top of the process it was
        forked from. Forked before the neighborhood folders are read, that process has not yet
        grown by their digests (70 MB at 10,000 neighborhoods), and the check runs beside the
        reading.
        """
        documents = Documents(content_dir, [], [], [], display_root=display_root)
        if documents.site_size() < SITE_ALONE_FROM:
            return None
        doing = _("checking {file}", file=documents.site_display)
        if not isinstance(today, dt.date):
            told = today
            if not workers.forkable(1, 1) or (cached is not None and likely and cached.key == context_key(likely)):
                return None

            def checked_when_dated() -> tuple[SiteContext, str]:
                date = told(documents.site)
                return SiteValidator(documents, date, None, context_key(date))._checked_site_alone()

            return start_alone(checked_when_dated, doing)
        key = context_key(today)
        if cached is not None and cached.key == key:
            return None
        checked = functools.partial(_site_checked_from_file, content_dir, display_root, today, key)
        return start_alone(checked, doing, sent=True)  # from the forker, where this process keeps one

    def _checked_site_alone(self) -> tuple[SiteContext, str]:
        """site.yaml checked in a worker of its own, its parsed tree let go before the context is handed
        back: pickling the context then takes the tree's memory instead of more (at 20,000 grids, the
        worker's peak 12 MB lower)."""
        checked = self._checked_site()
        self.documents.forget_site()
        return checked

    def _checked_site(self) -> tuple[SiteContext, str]:
        """site.yaml checked now, with its problems, and its area code: no ``fields`` when it is unreadable."""
        problems, self.problems = self.problems, []
        try:
            context = self._check_site()
            return context, self.area_code
        finally:
            self.problems = problems

    def _check_site(self) -> SiteContext:
        site_doc = self.documents.site
        self.area_code = _area_code(site_doc)
        self.problems += self.documents.site_problems
        site_rec = self._check(site_doc, cs.SITE)
        if site_rec is INVALID or site_doc is None:
            return SiteContext(self.context_key, self.area_code, {}, {}, {}, self.problems)
        ctx = self.checker(site_doc)
        # Each checked person and grid is let go as soon as it is made into what is kept: a district
        # lists 60,000 people and 20,000 grids, and every checked mapping (Rec) costs a dict of its own.
        # The lists' own nodes no longer hold theirs, so the part of the parsed tree each was checked
        # from goes with it (the tree is not read again: it is let go once site.yaml is checked).
        _detach(site_rec.node, "people", "grids")
        people_recs = site_rec.get("people") or {}
        shared_people = {key: dict(people_recs.pop(key)) for key in list(people_recs)}
        people = People(ctx, {}, shared_people)
        grid_recs = site_rec.get("grids", [])
        unique(ctx, grid_recs, "id", _("grid"))
        unique(ctx, site_rec["categories"] or [], "id", _("category"))
        check_verified_on(ctx, site_rec, self.today)
        if site_rec.get("intro"):
            self.problems += _intro_problems(site_doc, site_rec.where("intro"))
        grids = {}
        for index, rec in enumerate(grid_recs):
            grid_recs[index] = None
            if rec["id"] is not None:
                grids[rec["id"]] = make_grid(rec, people)
        office = site_rec["office"] or Rec(site_rec.node)  # missing: reported, and the rest still checked
        emergency = site_rec["emergency"] or ()
        fields = {
            "name": site_rec["name"],
            "office": Office(office["address"], office["phone"], tuple(office["hours"] or ())),
            "emergency": tuple(EmergencyNumber(r["name"], r["phone"], r.get("note", "")) for r in emergency),
            "categories": tuple(make_category(r, people) for r in site_rec["categories"] or ()),
            "district": site_rec.get("district", ""),
            "street": site_rec.get("street", ""),
            "base_url": site_rec.get("base_url", ""),
            "intro": site_rec.get("intro", ""),
            "area_km2": site_rec.get("area_km2", ""),
            "households": site_rec.get("households"),
            "residents": site_rec.get("residents"),
            "chain": tuple(
                ChainLevel(r["name"], r["role"], r.get("description", "")) for r in site_rec.get("chain", [])
            ),
            "meetings": check_meetings(ctx, site_rec.get("meetings", [])),
            "verified_on": site_rec.get("verified_on"),
            "mask_personal_mobiles": site_rec.get("mask_personal_mobiles", False),
            "languages": _languages(ctx, site_rec),
            "search": site_rec.get("search", True),
        }
        return SiteContext(self.context_key, self.area_code, fields, grids, shared_people, self.problems)

    def _cached(self, files: NeighborhoodFiles) -> CachedNeighborhood | None:
        """The cache's result for the folder, while its folder and what its check used of site.yaml are unchanged."""
        cached = self.cache.neighborhoods.get(files.slug) if self.cache is not None else None
        if cached is None or cached.uses is None or cached.key[1] != files.digest:
            return None
        if cached.context == self.context_key:  # site.yaml, the date and the settings as they were
            return cached
        return cached if cached.key[0] == self.uses_key(cached.uses) else None

    def _check_fresh(
        self, grids: Mapping[str, Grid] | None, shared_people: Mapping[str, dict[str, Any]] | None
    ) -> dict[str, Fresh]:
        """Check every neighborhood the cache cannot give, on every core when there are many."""
        todo = [files for files in self.documents.neighborhoods if self._cached(files) is None]

        def alone(files: NeighborhoodFiles) -> Fresh:
            problems, self.problems = self.problems, []
            try:
                watched_grids = Watched(grids) if grids is not None else None
                watched_people = Watched(shared_people) if shared_people is not None else None
                model = self.check_neighborhood(files, watched_grids, watched_people)
                summary = summarize(model) if model is not None else None
                digest = model_digest(model)
                if model is not None and self.spill is not None:
                    self._spilled(files.slug).write_bytes(cache.dump_data(model))
                    model = None
                return model, summary, self.problems, digest, Uses(Looked.of(watched_grids), Looked.of(watched_people))
            finally:
                self.problems = problems
                # Handed back (the caller keeps it) or spilled: a forked worker that kept every
                # model it made would hold half the district by the end.
                self.models.pop(files.slug, None)

        def checking(files: NeighborhoodFiles) -> Message:
            return _("checking the neighborhood {slug}", slug=files.slug)

        def kept(fresh: Fresh) -> Fresh:
            model, summary, problems, digest, uses = fresh
            return model, self._dated_alike(summary), problems, digest, uses

        checked = fork_map(alone, todo, PARALLEL_CHECK_FROM, checking, kept)
        return dict(zip((f.slug for f in todo), checked, strict=True))

    def _checked_neighborhood(self, files: NeighborhoodFiles, fresh: dict[str, Fresh]) -> NeighborhoodSummary | None:
        """The neighborhood's summary from the cache if its folder and context are unchanged, else checked now."""
        cached = self._cached(files)
        if cached is not None:
            cached.context = self.context_key
            self.problems += cached.problems
            return cached.summary
        neighborhood, summary, problems, digest, uses = fresh[files.slug]
        self.problems += problems
        if neighborhood is not None:
            self.models[files.slug] = neighborhood
        if self.cache is not None:
            self.cache.neighborhoods[files.slug] = CachedNeighborhood(
                (self.uses_key(uses), files.digest), summary, problems, digest, uses, self.context_key
            )
        return summary

    def _dated_alike(self, summary: NeighborhoodSummary | None) -> NeighborhoodSummary | None:
        """The summary with its notices' dates the same objects as the equal dates of other summaries.

        A district's 100,000 notices have a few hundred dates between them, and a summary a
        checking worker sent came with two date objects of its own for each notice (6 MB at
        N = 10,000 that every later worker would start with).
        """
        if summary is None or not summary.notices:
            return summary
        same = self._dates
        notices = tuple(
            replace(
                notice,
                date=same.setdefault(notice.date, notice.date),
                expires=None if notice.expires is None else same.setdefault(notice.expires, notice.expires),
            )
            for notice in summary.notices
        )
        return replace(summary, notices=notices)

    def check_neighborhood(
        self,
        files: NeighborhoodFiles,
        grids: Mapping[str, Grid] | None,
        shared_people: Mapping[str, dict[str, Any]] | None,
    ) -> Neighborhood | None:
        """Check one neighborhood folder now (its problems go to ``problems``); keep its model in ``models``."""
        files.parse()
        self.problems += files.problems
        rec = self._check(files.document, cs.NEIGHBORHOOD)
        notices = check_notices(files.notices, files.slug, self.today, self.area_code, self.problems)
        neighborhood = None
        if rec is not INVALID and files.document is not None:
            neighborhood = self._neighborhood(files, rec, notices, grids, shared_people)
            self.models[files.slug] = neighborhood
        files.forget()
        files.parsed = False  # parsed again if it is checked again
        return neighborhood

    def _spilled(self, slug: str) -> Path:
        assert self.spill is not None
        return self.spill / f"{slug}.pickle"

    def model(self, files: NeighborhoodFiles) -> Neighborhood | None:
        """The whole model of a neighborhood: checked now (kept, or read from the spill, and then not
        kept), or checked again when the cache only summarised it (its problems are known already)."""
        if files.slug not in self.models and self.spill is not None:
            try:
                spilled: Neighborhood = cache.load_data(self._spilled(files.slug).read_bytes())
                return spilled
            except FileNotFoundError:
                pass
        if files.slug not in self.models:
            context = self.context
            problems, self.problems = self.problems, []
            try:
                self.check_neighborhood(files, context.grids if context else None, context.people if context else None)
            finally:
                self.problems = problems
        return self.models.get(files.slug)

    def _check(self, doc: RawDocument | None, record: Any) -> Any:
        if doc is None:
            return INVALID
        value, problems = check_document(doc, record, self.area_code)
        self.problems += problems
        return value

    def _neighborhood(
        self,
        files: NeighborhoodFiles,
        rec: Rec,
        notices: tuple[Notice, ...],
        grids: Mapping[str, Grid] | None,
        shared_people: Mapping[str, dict[str, Any]] | None,
    ) -> Neighborhood:
        assert files.document is not None
        ctx = self.checker(files.document)
        people = People(ctx, rec.get("people", {}), shared_people)
        check_verified_on(ctx, rec, self.today)
        year_ahead(ctx, rec, "founded", self.today)
        check_examples(ctx, rec.node, files.slug)
        for honour in rec.get("honours", []):
            year_ahead(ctx, honour, "year", self.today)
        default_grid = grid_ref(ctx, rec.get("grid"), grids)
        buildings = rec.get("buildings", [])
        unique(ctx, buildings, "id", _("building"))
        _unique_services(ctx, [*rec.get("channels", []), *rec.get("services", [])])
        _unique_projects(ctx, [*rec.get("projects", []), *rec.get("clubs", [])])
        services = [self._service(ctx, r, ("phone", "url", "address")) for r in rec.get("services", [])]
        channels = [self._service(ctx, r, ("url", "phone", "how")) for r in rec.get("channels", [])]
        return Neighborhood(
            slug=files.slug,
            name=rec["name"],
            order=rec.get("order", 0),
            verified_on=rec["verified_on"],
            address=rec.get("address", ""),
            founded=rec.get("founded"),
            households=rec.get("households"),
            residents=rec.get("residents"),
            property_company=rec.get("property_company", ""),
            property_phone=rec.get("property_phone"),
            property_manager=people.resolve(rec.get("property_manager"), "property_manager"),
            community_leader=people.resolve(rec.get("community_leader"), "community_leader"),
            instructor=people.resolve(rec.get("instructor"), "instructor"),
            buildings=tuple(
                make_building(ctx, b, people, grids, default_grid, "grid" in rec.node.entries) for b in buildings
            ),
            pact=checked_text(files.pact, self.problems),
            notices=notices,
            services=tuple(s for s in services if s),
            channels=tuple(s for s in channels if s),
            projects=tuple(self._project(r, people, "project_contact") for r in rec.get("projects", [])),
            clubs=tuple(self._project(r, people, "club_contact") for r in rec.get("clubs", [])),
            honours=tuple(Honour(r["year"], r["title"], r["name"], r.get("note", "")) for r in rec.get("honours", [])),
            meetings=check_meetings(ctx, rec.get("meetings", [])),
            map=neighborhood_map(ctx, rec),
            categories=neighborhood_categories(
                ctx, rec, self.context.fields["categories"] if self.context else None, people
            ),
        )

    def _service(self, ctx: Checker, rec: Rec, ways: tuple[str, ...]) -> Service | None:
        if not any(key in rec.node.entries for key in ways):
            ctx.report(
                rec.node,
                _("`{name}` gives no way to reach it", name=rec["name"])
                if rec["name"]
                else _("this entry gives no way to reach it"),
                _("add {keys} or `{last}:`", keys=", ".join(f"`{key}:`" for key in ways[:-1]), last=ways[-1]),
            )
            return None
        return Service(
            rec["category"],
            rec["name"],
            rec.get("phone"),
            rec.get("hours", ""),
            rec.get("address", ""),
            rec.get("url", ""),
            rec.get("note", rec.get("how", "")),
        )

    def _project(self, rec: Rec, people: People, slot: str) -> Project:
        return Project(
            rec["name"],
            rec.get("partner", ""),
            rec.get("schedule", ""),
            rec.get("place", ""),
            people.resolve(rec.get("contact"), slot),
            rec.get("description", ""),
        )


def _detach(root: Node, *keys: str) -> None:
    """Empty the mappings and lists under ``keys`` of a checked document's root, in its parsed tree."""
    for key in keys:
        entry = root.entries.get(key)
        if entry is not None:
            entry.value.entries, entry.value.items = {}, ()


def _intro_problems(doc: RawDocument, where: Node | Entry) -> list[ContentError]:
    """The problems of site.yaml's Markdown introduction, in each language it is written in."""
    node = where.value if isinstance(where, Entry) else where
    texts = [entry.value for entry in node.entries.values()] if node.kind == "map" else [node]
    problems = []
    for text in texts:
        if text.kind == "scalar":
            problems += check_markdown(doc, text.text, in_value(doc, text))
    return problems


def _area_code(doc: RawDocument | None) -> str:
    if doc is None or doc.root is None or doc.root.kind != "map":
        return ""
    entry = doc.root.entries.get("area_code")
    if entry and entry.value.kind == "scalar" and entry.value.text.strip().isdigit():
        code = entry.value.text.strip()
        return code if code.startswith("0") else "0" + code
    return ""


def sorted_problems(problems: Iterable[ContentError]) -> list[ContentError]:
    """Each problem once, in file and line order."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.path, p.line, p.column))


@dataclass
class Validated:
    """The Site (None when something essential is unreadable), every neighborhood's model, every problem."""

    site: Site | None
    neighborhoods: list[Neighborhood]
    problems: list[ContentError]


def validate_content(documents: Documents, today: dt.date) -> Validated:
    """Check everything; the neighborhoods come in the site's order."""
    validator = SiteValidator(documents, today)
    site = validator.run()
    order = [n.slug for n in site.neighborhoods] if site else sorted(validator.models)
    models = [validator.models[slug] for slug in order if slug in validator.models]
    return Validated(site, models, sorted_problems(validator.problems))


def validate_site(documents: Documents, today: dt.date) -> tuple[Site | None, list[ContentError]]:
    """Return the Site (None when something essential is unreadable) and every problem, sorted."""
    validated = validate_content(documents, today)
    return validated.site, validated.problems
