"""Turn read documents into a validated Site, collecting every problem instead of stopping at one."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sitegen import content_schema as cs
from sitegen.errors import ContentError
from sitegen.i18n import DEFAULT_LANGUAGE, Message, Translated, _
from sitegen.links import check_links
from sitegen.load import Documents, NeighborhoodFiles
from sitegen.model import (
    Building,
    Category,
    ChainLevel,
    Coverage,
    EmergencyNumber,
    Grid,
    Honour,
    Meeting,
    Neighborhood,
    NeighborhoodSummary,
    Notice,
    Office,
    Person,
    Project,
    Service,
    Site,
    SiteMap,
    Unit,
    summarize,
)
from sitegen.parallel import fork_map
from sitegen.parse import RawDocument
from sitegen.schema import INVALID, Checker, Rec, Ref, check_document
from sitegen.sitemap import check_site_map

STALE_AFTER_DAYS = 180
# Below this many neighborhoods to check, forking workers costs more than it saves.
PARALLEL_CHECK_FROM = 40

# Default role labels of each slot, and whether a phone there is published unless marked.
OFFICIAL, VOLUNTEER = True, False
SLOTS: dict[str, tuple[str, bool]] = {
    "property_manager": ("物业经理", OFFICIAL),
    "community_leader": ("社区包联领导", OFFICIAL),
    "instructor": ("驻区单位指导员", OFFICIAL),
    "contact": ("联系人", OFFICIAL),
    "project_contact": ("联系人", VOLUNTEER),
    "head": ("网格长", OFFICIAL),
    "worker": ("专职网格员", OFFICIAL),
    "police": ("网格警员", OFFICIAL),
    "helper": ("兼职网格员", VOLUNTEER),
    "building_head": ("楼栋长", VOLUNTEER),
    "unit_head": ("单元长", VOLUNTEER),
    "club_contact": ("联系人", VOLUNTEER),
}


@dataclass
class People:
    """Resolves person fields: written in place, or ids looked up locally, then community-wide."""

    ctx: Checker
    local: dict[str, dict[str, Any]]
    shared: dict[str, dict[str, Any]] | None  # None: site.yaml is unreadable, so its people are unknown

    def resolve(self, value: Any, slot: str) -> Person | None:
        if value is None or value is INVALID:
            return None
        record = value
        if isinstance(value, Ref):
            record = self.local.get(value.id) or (self.shared or {}).get(value.id)
            if record is None:
                if self.shared is not None:
                    self._unknown(value)
                return None
        return _person(record, *SLOTS[slot])

    def resolve_all(self, values: Iterable[Any], slot: str) -> tuple[Person, ...]:
        people = (self.resolve(v, slot) for v in values)
        return tuple(p for p in people if p is not None)

    def _unknown(self, ref: Ref) -> None:
        known = sorted({*self.local, *(self.shared or {})})
        # A close but wrong suggestion would publish the wrong person: suggest only near-typos.
        close = difflib.get_close_matches(ref.id, known, n=1, cutoff=0.8)
        if close:
            hint = _("did you mean `{key}`?", key=close[0])
        else:
            hint = _(
                "write the person in place (`name:` and `phone:` lines indented below), or add `{id}:` under `people:`",
                id=ref.id,
            )
        self.ctx.report(ref.node, _("no person with the id `{id}` is listed under `people:`", id=ref.id), hint)


def _person(record: dict[str, Any], default_role: str, phone_public_default: bool) -> Person | None:
    if not record.get("public", True):
        return None
    phone = record.get("phone") if record.get("phone_public", phone_public_default) else None
    personal = phone_public_default is VOLUNTEER
    return Person(record["name"], record.get("role", default_role), phone, record.get("org", ""), personal)


def _unique(ctx: Checker, records: list[Rec], key: str, noun: Message) -> None:
    seen: dict[str, Rec] = {}
    for record in records:
        value = record[key]
        if value is None:
            continue
        if value in seen:
            first = seen[value].where(key)
            ctx.report(
                record.where(key),
                _(
                    "{noun} {key} `{value}` is used twice (first on line {line})",
                    noun=noun,
                    key=key,
                    value=value,
                    line=first.line,
                ),
                _("give each {noun} a different `{key}`", noun=noun, key=key),
            )
        else:
            seen[value] = record


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


def _meeting(ctx: Checker, record: Rec) -> Meeting | None:
    repeat = record["repeat"]
    given = record.node.entries  # what the editor wrote, valid or not: one mistake, one message
    ok = record.complete
    if repeat == "weekly":
        if "weekday" not in given:
            ctx.report(record.node, _("a weekly meeting needs `weekday:`"), _("add e.g. `weekday: friday` (or 周五)"))
            ok = False
        for key in ("day", "week"):
            if key in given:
                ctx.report(given[key], _("`{key}` is ignored for a weekly meeting", key=key), _("remove it"), "warning")
    if repeat == "monthly":
        on_day, on_week = "day" in given, "week" in given
        if on_day == on_week or (on_week and "weekday" not in given):
            ctx.report(
                record.node,
                _("a monthly meeting needs either `day:` or both `week:` and `weekday:`"),
                _("e.g. `day: 15`, or `week: 1` with `weekday: wednesday` for the first Wednesday"),
            )
            ok = False
        elif on_day and "weekday" in given:
            ctx.report(
                given["weekday"],
                _("`weekday` is ignored for a meeting on a day of the month"),
                _("remove it"),
                "warning",
            )
    if "end" in record and record["start"] is not None and record["end"] <= record["start"]:
        ctx.report(record.where("end"), _("the meeting ends before it starts"), _("check `start:` and `end:`"))
        ok = False
    if not ok or any(key in given and key not in record for key in ("weekday", "week", "day")):
        return None
    return Meeting(
        record["name"],
        repeat,
        record["start"],
        record["place"],
        weekday=record.get("weekday", ""),
        week=record.get("week", ""),
        day=record.get("day"),
        end=record.get("end"),
        description=record.get("description", ""),
    )


def _meetings(ctx: Checker, records: list[Rec]) -> tuple[Meeting, ...]:
    meetings = (_meeting(ctx, r) for r in records)
    return tuple(m for m in meetings if m is not None)


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


def _stale(ctx: Checker, record: Rec, today: dt.date) -> None:
    verified = record.get("verified_on")
    if verified is None:
        return
    if (verified - today).days > 30:
        ctx.report(
            record.where("verified_on"),
            _("`verified_on` {date} is in the future", date=str(verified)),
            _("use the date you checked the data"),
            "warning",
        )
    elif (today - verified).days > STALE_AFTER_DAYS:
        ctx.report(
            record.where("verified_on"),
            _(
                "the contact data was last verified on {date}, more than {days} days ago",
                date=str(verified),
                days=STALE_AFTER_DAYS,
            ),
            _("call the numbers, correct what changed, and update `verified_on`"),
            "warning",
        )


@dataclass
class CachedNeighborhood:
    """A neighborhood checked in an earlier build, valid while ``key`` (site context, folder digest) holds.

    Only its summary and problems are kept: the community pages need no more, and a build that
    must render the neighborhood's own pages checks it again.
    """

    key: tuple[str, str]
    summary: NeighborhoodSummary | None
    problems: list[ContentError]


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
    coverage: tuple[SiteContext, tuple[NeighborhoodSummary, ...], tuple[Grid, ...]] | None = None


class SiteValidator:
    """Checks all documents, resolves references between them, and builds the Site.

    With a ``cache`` and a ``context_key`` (site.yaml, the date, the settings), site.yaml and the
    neighborhoods whose folders are unchanged are taken from it, and fresh results are stored in
    it. ``models`` holds the neighborhoods checked now, by slug.
    """

    def __init__(
        self, documents: Documents, today: dt.date, cache: ValidationCache | None = None, context_key: str = ""
    ) -> None:
        self.documents = documents
        self.today = today
        self.problems: list[ContentError] = list(documents.problems)
        self.cache = cache if context_key else None
        self.context_key = context_key
        self.context: SiteContext | None = None
        self.area_code = ""
        self.models: dict[str, Neighborhood] = {}

    def checker(self, doc: RawDocument) -> Checker:
        return Checker(doc, self.problems, self.area_code)

    def run(self) -> Site | None:
        context = self._site_context()
        grids = context.grids if context else None
        people = context.people if context else None
        fresh = self._check_fresh(grids, people)
        summaries = []
        for files in self.documents.neighborhoods:
            summary = self._checked_neighborhood(files, fresh)
            if summary is not None:
                summaries.append(summary)
        community_notices = self._notices(self.documents.notices, "")
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
        """The community's grids, each with the buildings it covers (the same as last time if nothing moved)."""
        cache = self.cache
        last = cache.coverage if cache is not None else None
        if cache is not None and last is not None and last[0] is context and len(last[1]) == len(summaries):
            # An edit that moved no building between grids (most edits) leaves every grid as it was.
            if all(a is b or _covers(a) == _covers(b) for a, b in zip(last[1], summaries, strict=True)):
                cache.coverage = (context, summaries, last[2])
                return last[2]
        coverage: dict[str, list[tuple[str, str, str]]] = {}
        for summary in summaries:
            for grid_id, building in summary.grid_buildings:
                coverage.setdefault(grid_id, []).append((summary.slug, summary.name, building))
        grids = tuple(_with_coverage(grid, coverage.get(gid, [])) for gid, grid in context.grids.items())
        if self.cache is not None:
            self.cache.coverage = (context, summaries, grids)
        return grids

    def _site_context(self) -> SiteContext | None:
        """site.yaml checked: from the cache while its key holds, else now (None when unreadable)."""
        cached = self.cache.site if self.cache else None
        if cached is not None and cached.key == self.context_key:
            self.context, self.area_code = cached, cached.area_code
            self.problems += cached.problems
            return cached
        site_doc = self.documents.site
        self.area_code = _area_code(site_doc)
        start = len(self.problems)
        self.problems += self.documents.site_problems
        site_rec = self._check(site_doc, cs.SITE)
        if site_rec is INVALID or site_doc is None:
            return None
        ctx = self.checker(site_doc)
        shared_people = {key: dict(rec) for key, rec in site_rec.get("people", {}).items()}
        people = People(ctx, {}, shared_people)
        grid_recs = site_rec.get("grids", [])
        _unique(ctx, grid_recs, "id", _("grid"))
        _unique(ctx, site_rec["categories"] or [], "id", _("category"))
        _stale(ctx, site_rec, self.today)
        if site_rec.get("intro"):
            self.problems += check_links(site_doc, site_rec["intro"], site_rec.where("intro").line)
        grids = {rec["id"]: self._grid(rec, people) for rec in grid_recs if rec["id"] is not None}
        office = site_rec["office"] or Rec(site_rec.node)  # missing: reported, and the rest still checked
        emergency = site_rec["emergency"] or ()
        fields = {
            "name": site_rec["name"],
            "office": Office(office["address"], office["phone"], tuple(office["hours"] or ())),
            "emergency": tuple(EmergencyNumber(r["name"], r["phone"], r.get("note", "")) for r in emergency),
            "categories": tuple(self._category(r, people) for r in site_rec["categories"] or ()),
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
            "meetings": _meetings(ctx, site_rec.get("meetings", [])),
            "verified_on": site_rec.get("verified_on"),
            "mask_personal_mobiles": site_rec.get("mask_personal_mobiles", False),
            "languages": _languages(ctx, site_rec),
            "search": site_rec.get("search", True),
        }
        self.context = SiteContext(
            self.context_key, self.area_code, fields, grids, shared_people, self.problems[start:]
        )
        if self.cache is not None:
            self.cache.site = self.context
        return self.context

    def _cached(self, files: NeighborhoodFiles) -> CachedNeighborhood | None:
        """The cache's result for the folder, while its folder and the site context are unchanged."""
        cached = self.cache.neighborhoods.get(files.slug) if self.cache is not None else None
        return cached if cached is not None and cached.key == (self.context_key, files.digest) else None

    def _check_fresh(
        self, grids: dict[str, Grid] | None, shared_people: dict[str, dict[str, Any]] | None
    ) -> dict[str, tuple[Neighborhood | None, list[ContentError]]]:
        """Check every neighborhood the cache cannot give, on every core when there are many."""
        todo = [files for files in self.documents.neighborhoods if self._cached(files) is None]

        def alone(files: NeighborhoodFiles) -> tuple[Neighborhood | None, list[ContentError]]:
            problems, self.problems = self.problems, []
            try:
                return self.check_neighborhood(files, grids, shared_people), self.problems
            finally:
                self.problems = problems

        return dict(zip((f.slug for f in todo), fork_map(alone, todo, PARALLEL_CHECK_FROM), strict=True))

    def _checked_neighborhood(
        self, files: NeighborhoodFiles, fresh: dict[str, tuple[Neighborhood | None, list[ContentError]]]
    ) -> NeighborhoodSummary | None:
        """The neighborhood's summary from the cache if its folder and context are unchanged, else checked now."""
        cached = self._cached(files)
        if cached is not None:
            self.problems += cached.problems
            return cached.summary
        neighborhood, problems = fresh[files.slug]
        self.problems += problems
        if neighborhood is not None:
            self.models[files.slug] = neighborhood
        summary = summarize(neighborhood) if neighborhood is not None else None
        if self.cache is not None:
            self.cache.neighborhoods[files.slug] = CachedNeighborhood(
                (self.context_key, files.digest), summary, problems
            )
        return summary

    def check_neighborhood(
        self,
        files: NeighborhoodFiles,
        grids: dict[str, Grid] | None,
        shared_people: dict[str, dict[str, Any]] | None,
    ) -> Neighborhood | None:
        """Check one neighborhood folder now (its problems go to ``problems``); keep its model in ``models``."""
        files.parse()
        self.problems += files.problems
        rec = self._check(files.document, cs.NEIGHBORHOOD)
        notices = self._notices(files.notices, files.slug)
        neighborhood = None
        if rec is not INVALID and files.document is not None:
            neighborhood = self._neighborhood(files, rec, notices, grids, shared_people)
            self.models[files.slug] = neighborhood
        files.forget()
        files.parsed = False  # parsed again if it is checked again
        return neighborhood

    def model(self, files: NeighborhoodFiles) -> Neighborhood | None:
        """The whole model of a neighborhood the cache only summarised (its problems are known already)."""
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

    def _grid(self, rec: Rec, people: People) -> Grid:
        return Grid(
            id=rec["id"],
            name=rec.get("name", _default_grid_name(rec["id"] or "")),
            households=rec.get("households"),
            head=people.resolve(rec.get("head"), "head"),
            worker=people.resolve(rec.get("worker"), "worker"),
            helpers=people.resolve_all(rec.get("helpers", []), "helper"),
            police=people.resolve(rec.get("police"), "police"),
            area=rec.get("area", ""),
        )

    def _category(self, rec: Rec, people: People) -> Category:
        return Category(
            rec["id"],
            rec["name"],
            rec["handler"],
            rec["promise"],
            rec.get("examples", ""),
            rec.get("phone"),
            people.resolve(rec.get("contact"), "contact"),
        )

    def _neighborhood(
        self,
        files: NeighborhoodFiles,
        rec: Rec,
        notices: tuple[Notice, ...],
        grids: dict[str, Grid] | None,
        shared_people: dict[str, dict[str, Any]] | None,
    ) -> Neighborhood:
        assert files.document is not None
        ctx = self.checker(files.document)
        people = People(ctx, rec.get("people", {}), shared_people)
        _stale(ctx, rec, self.today)
        default_grid = self._grid_ref(ctx, rec.get("grid"), grids)
        buildings = rec.get("buildings", [])
        _unique(ctx, buildings, "id", _("building"))
        _unique_services(ctx, [*rec.get("channels", []), *rec.get("services", [])])
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
                self._building(ctx, b, people, grids, default_grid, "grid" in rec.node.entries) for b in buildings
            ),
            pact=self._markdown(files.pact),
            notices=notices,
            services=tuple(s for s in services if s),
            channels=tuple(s for s in channels if s),
            projects=tuple(self._project(r, people, "project_contact") for r in rec.get("projects", [])),
            clubs=tuple(self._project(r, people, "club_contact") for r in rec.get("clubs", [])),
            honours=tuple(Honour(r["year"], r["title"], r["name"], r.get("note", "")) for r in rec.get("honours", [])),
            meetings=_meetings(ctx, rec.get("meetings", [])),
            map=self._map(ctx, rec),
        )

    def _markdown(self, doc: RawDocument | None) -> str:
        """The Markdown text of ``doc``, with its translations; links checked in each."""
        if doc is None:
            return ""
        texts = {DEFAULT_LANGUAGE: doc.body}
        for lang, translation in doc.translations.items():
            self.problems += check_links(translation, translation.body, translation.body_line)
            if translation.body.strip():
                texts[lang] = translation.body
        self.problems += check_links(doc, doc.body, doc.body_line)
        return Translated(texts) if len(texts) > 1 else doc.body

    def _map(self, ctx: Checker, rec: Rec) -> SiteMap | None:
        if "map" not in rec:
            return None
        names = {b["id"]: b.get("name", f"{b['id']}号楼") for b in rec.get("buildings", []) if b["id"]}
        return check_site_map(ctx, rec["map"], names)

    def _grid_ref(self, ctx: Checker, ref: Ref | None, grids: dict[str, Grid] | None) -> Grid | None:
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

    def _building(
        self,
        ctx: Checker,
        rec: Rec,
        people: People,
        grids: dict[str, Grid] | None,
        default_grid: Grid | None,
        default_given: bool,
    ) -> Building:
        units = rec.get("units", [])
        _unique(ctx, units, "id", _("unit"))
        grid = self._grid_ref(ctx, rec.get("grid"), grids) if "grid" in rec else default_grid
        if grid is None and "grid" not in rec.node.entries and not default_given and grids and rec.complete:
            ctx.report(
                rec.node,
                _("building `{id}` belongs to no grid", id=rec["id"]),
                _("add `grid: …` to the building, or to the neighborhood for all its buildings"),
                "warning",
            )
        return Building(
            id=rec["id"],
            name=rec.get("name", f"{rec['id']}号楼"),
            head=people.resolve(rec.get("head"), "building_head"),
            units=tuple(Unit(u["id"], people.resolve(u.get("head"), "unit_head")) for u in units),
            grid=grid,
            floors=rec.get("floors"),
            households=rec.get("households"),
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

    def _notices(self, documents: list[RawDocument], owner: str) -> tuple[Notice, ...]:
        notices = []
        for doc in documents:
            rec = self._check(doc, cs.NOTICE)
            if rec is INVALID or not rec.complete:
                continue
            ctx = self.checker(doc)
            expires = rec.get("expires")
            dates_agree = expires is None or expires >= rec["date"]
            if not dates_agree:
                ctx.report(
                    rec.where("expires"),
                    _("the notice expires before its date"),
                    _("`expires:` is the last day it is current"),
                )
            if rec.get("pinned") and expires is not None and expires < self.today:
                ctx.report(
                    rec.where("pinned"),
                    _("the notice expired on {date} but is still pinned", date=str(expires)),
                    _("remove `pinned: true`; it has moved to the archive"),
                    "warning",
                )
            body = self._markdown(doc)
            if not doc.body.strip():
                ctx.report(
                    rec.node,
                    _("the notice has no text below the `---` block"),
                    _("write what residents need to know"),
                    "warning",
                )
            if not dates_agree:
                continue
            slug = doc.rel.rsplit("/", 1)[-1][: -len(".md")]
            notices.append(
                Notice(
                    slug,
                    rec["title"],
                    rec["date"],
                    body,
                    owner,
                    expires,
                    rec.get("pinned", False),
                    rec.get("from", ""),
                )
            )
        return tuple(sorted(notices, key=lambda n: (not n.pinned, -n.date.toordinal(), n.slug)))


_DIGITS = "零一二三四五六七八九"


def _chinese_number(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (for numbers below 100)."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return _DIGITS[number]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def _default_grid_name(grid_id: str) -> str:
    if grid_id.isdigit() and 0 < int(grid_id) < 100:
        return f"第{_chinese_number(int(grid_id))}网格"
    return f"{grid_id}网格"


def _area_code(doc: RawDocument | None) -> str:
    if doc is None or doc.root is None or doc.root.kind != "map":
        return ""
    entry = doc.root.entries.get("area_code")
    if entry and entry.value.kind == "scalar" and entry.value.text.strip().isdigit():
        code = entry.value.text.strip()
        return code if code.startswith("0") else "0" + code
    return ""


def _covers(summary: NeighborhoodSummary) -> tuple[object, ...]:
    """What a neighborhood gives the grids' coverage, names with their translations.

    (A Translated name equals its Chinese text: comparing names alone would miss a new English one.)
    """

    def exact(text: str) -> object:
        return (text, text.texts) if isinstance(text, Translated) else text

    return (summary.slug, exact(summary.name), tuple((grid, exact(name)) for grid, name in summary.grid_buildings))


def _with_coverage(grid: Grid, buildings: list[tuple[str, str, str]]) -> Grid:
    by_neighborhood: dict[str, tuple[str, list[str]]] = {}
    for slug, name, building in buildings:
        by_neighborhood.setdefault(slug, (name, []))[1].append(building)
    coverage = tuple(Coverage(slug, name, tuple(ids)) for slug, (name, ids) in by_neighborhood.items())
    return replace(grid, coverage=coverage)


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
