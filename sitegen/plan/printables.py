"""Plan the print kit: one-page sheets for bulletin boards, with what fits on each and its QR codes."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sitegen.cache import hash_parts
from sitegen.content.markdown import plain_text
from sitegen.content.model import Building, Grid, MapBuilding, Neighborhood, Person, Service, Site
from sitegen.content.phone import Phone
from sitegen.content.planlayout import evacuation_turn
from sitegen.content.signs import SIGNS
from sitegen.i18n import _, translations
from sitegen.i18n import in_chinese as _zh  # the print kit is for Chinese bulletin boards
from sitegen.plan import fit
from sitegen.plan.fit import Sheet
from sitegen.plan.layout import CodeBox
from sitegen.plan.mapdraw import draw_plan
from sitegen.plan.qr import QrCache, QrCode
from sitegen.plan.routes import (
    Output,
    grids_url,
    neighborhood_sources,
    neighborhood_url,
    notice_url,
    split_notices,
)
from sitegen.plan.vcard import make_org_vcard, make_vcard
from sitegen.workers import InParts, run_alone

# What goes on each sheet is fitted by measuring (sitegen.plan.fit); the notice board shows the codes
# of the first four channels (all of them are on the services sheets).
BOARD_CODES = 4
# From this many grids, the grid overview is split into sheets by a forked worker of its own (see
# _split_grids).
SPLIT_ALONE_FROM = 5000


PAPER = {"a3": "A3", "a4": "A4", "a5": "A5", "a3-landscape": _zh(_("A3 landscape"))}
PAGE_SIZE = {"a3": "A3 portrait", "a4": "A4 portrait", "a5": "A5 portrait", "a3-landscape": "A3 landscape"}


@dataclass(frozen=True)
class Code:
    """A QR code on a sheet: what scanning it does, and the text printed beside it.

    ``text`` (a number or a short address) is always printed whole; ``name`` may be shortened.
    """

    qr: QrCode
    label: str
    text: str
    name: str = ""


@dataclass(frozen=True)
class Row:
    """A labelled person, or a labelled number, on a sheet."""

    label: str
    name: str = ""
    phone: Phone | None = None
    note: str = ""


def short_address(url: str) -> str:
    """A URL as people read it: no scheme, no index.html, no trailing slash."""
    text, _sep, fragment = url.split("://", 1)[-1].partition("#")
    if text.endswith("/index.html"):
        text = text.removesuffix("index.html")
    text = text.rstrip("/")
    return text + (f"#{fragment}" if fragment else "")


def contact_key(service: Service) -> str:
    """A stable file name for a service's contact page: printed codes keep working after edits."""
    digest = hashlib.sha1(f"{service.category}\n{service.name}".encode()).hexdigest()[:8]
    return f"c-{digest}"


def contact_url(slug: str, service: Service) -> str:
    return f"{slug}/contact/{contact_key(service)}.html"


class Planner:
    """Builds the sheets of a site; ``base_url`` decides whether codes can link to the website."""

    def __init__(
        self, site: Site, base_url: str, codes: QrCache | None = None, kept: dict[str, Any] | None = None
    ) -> None:
        self.site = site
        self.base_url = base_url.rstrip("/")
        self.make_qr = (codes or QrCache(None)).make
        # What an earlier build worked out and the next may use again, with what it was worked out from.
        self.kept = kept if kept is not None else {}
        self._split: tuple[str, tuple[fit.CardLayout, fit.Split] | None] = ("", None)

    def url(self, dest: str) -> str:
        return f"{self.base_url}/{dest}" if self.base_url else ""

    def page_code(self, dest: str, label: str, level: str = "M") -> Code | None:
        """A code opening one of the site's pages, or None without a base URL."""
        url = self.url(dest)
        return Code(self.make_qr(url, level), label, short_address(url)) if url else None

    def service_code(self, slug: str, service: Service, level: str = "M") -> Code | None:
        """A service's code: its own web address, else its contact page, else a tel: number."""
        if service.url:
            return Code(self.make_qr(service.url, level), _zh(_("Scan to open")), short_address(service.url))
        if service.phone and self.base_url:
            return Code(
                self.make_qr(self.url(contact_url(slug, service)), level),
                _zh(_("Scan to call or save")),
                service.phone.label,
            )
        if service.phone:
            return Code(self.make_qr(service.phone.tel, level), _zh(_("Scan to call")), service.phone.label)
        return None

    def person_code(self, person: Person, role: str) -> Code | None:
        """Scan to save the contact: a vCard, readable offline by phone cameras."""
        if not person.phone:
            return None
        card = make_vcard(person.name, person.phone.tel[4:], title=role, newline="\n", fold=False)
        return Code(self.make_qr(card), _zh(_("Scan to save the contact")), person.phone.label, person.name)

    def stamp(self, verified_on: str) -> str:
        """The foot's stamp: who issued the sheet, their number, and when its facts were checked."""
        site = self.site
        committee = _zh(_("{name} residents' committee", name=site.name))
        checked = _zh(_("checked on {date}", date=verified_on))
        return f"{committee} {site.office.phone.label} · {checked}"

    def sheet(self, kind: str, paper: str, title: str, subtitle: str, verified_on: str, **parts: Any) -> Sheet:
        return Sheet(kind, paper, title, subtitle, verified_on, parts, stamp=self.stamp(verified_on))

    def caption(self, dest: str, label: str) -> CodeBox | None:
        """What a code to one of the site's pages says beside it, known without making the code."""
        url = self.url(dest)
        return CodeBox(label, short_address(url)) if url else None

    # Sheets

    def name_card(self, n: Neighborhood) -> Sheet:
        leader = _zh(_("Community liaison leader"))
        rows = [Row(leader, p.name, p.phone, p.role if p.role != leader else "") for p in [n.community_leader] if p]
        rows += [Row(_zh(_("Property manager")), p.name, p.phone) for p in [n.property_manager] if p]
        rows += [Row(_zh(_("Resident-unit instructor")), p.name, p.phone, p.org) for p in [n.instructor] if p]
        fixed = len(rows)
        rows += [
            Row(_zh(_("{grid} grid worker", grid=g.name)), g.worker.name, g.worker.phone) for g in n.grids() if g.worker
        ]
        numbers = [Row(_zh(_("Property service phone")), phone=n.property_phone)] if n.property_phone else []
        numbers.append(Row(_zh(_("Residents' committee")), phone=self.site.office.phone))
        facts = [
            (label, value)
            for label, value in (
                (_zh(_("Built")), _zh(_("{year}", year=n.founded)) if n.founded else ""),
                (_zh(_("Homes")), _zh(_("{count} households", count=n.households)) if n.households else ""),
                (_zh(_("Residents (short)")), _zh(_("{count} residents", count=n.residents)) if n.residents else ""),
                (_zh(_("Property company")), n.property_company),
            )
            if value
        ]
        label = _zh(_("Scan for grid workers by building, notices and services"))
        sheet = self.sheet(
            "name-card",
            "a4",
            n.name,
            _zh(_("Governance name card")),
            n.verified_on.isoformat(),
            facts=facts,
            rows=rows,
            fixed=fixed,
            numbers=numbers,
            code=self.page_code(neighborhood_url(n.slug), label, "Q"),
        )
        return fit.name_card(self.site, sheet)

    def notice_board(self, n: Neighborhood) -> Sheet:
        current, _expired = split_notices(n.notices, self.site)
        community, _old = split_notices(self.site.notices, self.site)
        notices = sorted(current + community, key=lambda x: (not x.pinned, -x.date.toordinal(), x.slug))
        # Outdoors: level Q. Each code stays paired with its own channel.
        coded = [(ch, self.service_code(n.slug, ch, "Q")) for ch in n.channels]
        codes = [(ch, code) for ch, code in coded if code][:BOARD_CODES]
        categories = [(c, c.phone or (c.contact.phone if c.contact else None)) for c in self.site.categories]
        sheet = self.sheet(
            "notice-board",
            "a3",
            n.name,
            _zh(_("Notice board")),
            n.verified_on.isoformat(),
            notices=notices,
            pact=pact_points(n.pact),
            categories=categories,
            codes=codes,
            code=self.page_code(neighborhood_url(n.slug) + "#notices", _zh(_("Scan for all notices")), "Q"),
            notice_urls={x.slug: notice_url(x) for x in notices},
        )
        return fit.notice_board(self.site, sheet)

    def _services_sheet(self, n: Neighborhood, number: int, count: int, code: Any, cards: Any) -> Sheet:
        subtitle = _zh(_("Services"))
        if count > 1:
            subtitle = _zh(_("{kind} (sheet {number} of {count})", kind=subtitle, number=number, count=count))
        parts = {"cards": cards, "code": code, "next": number + 1 if number < count else 0}
        return self.sheet("services", "a4", n.name, subtitle, n.verified_on.isoformat(), **parts)

    def service_cards(self, n: Neighborhood) -> list[tuple[Service, bool, str]]:
        """Each service with whether it has a code and the text printed beside it, known without making codes."""
        cards = []
        for s in (*n.channels, *n.services):
            text = short_address(s.url) if s.url else s.phone.label if s.phone else ""
            cards.append((s, bool(s.url or s.phone), text))
        return cards

    def services_split(self, n: Neighborhood) -> tuple[fit.CardLayout, fit.Split]:
        """How the cards are set and how many go on each services sheet (measured once a neighborhood)."""
        slug, split = self._split
        if slug != n.slug or split is None:
            split = self._services_split(n)
            self._split = (n.slug, split)
        return split

    def _services_split(self, n: Neighborhood) -> tuple[fit.CardLayout, fit.Split]:
        cards = self.service_cards(n)
        label = _zh(_("Scan for all services"))
        first = self._services_sheet(n, 1, 2, self.caption(neighborhood_url(n.slug) + "#services", label), [])
        return fit.split_services(self.site, first, cards)

    def services(self, n: Neighborhood) -> list[Sheet]:
        """The services sheets: every channel and service, on as many sheets as they need."""
        layout, split = self.services_split(n)
        # Posted on the notice board outdoors, like the board's own codes: level Q (and shared with them).
        entries = [(s, self.service_code(n.slug, s, "Q")) for s in (*n.channels, *n.services)]
        code = self.page_code(neighborhood_url(n.slug) + "#services", _zh(_("Scan for all services")))
        sheets, start = [], 0
        for number, (count, full) in enumerate(split, 1):
            sheet = self._services_sheet(n, number, len(split), code, entries[start : start + count])
            sheets.append(fit.services(self.site, sheet, layout, full))
            start += count
        return sheets

    def building(self, n: Neighborhood, b: Building) -> Sheet:
        grid = b.grid
        rows = []
        if grid:
            rows += [Row(_zh(_("Full-time grid worker")), p.name, p.phone) for p in [grid.worker] if p]
            rows += [Row(_zh(_("Grid head")), p.name, p.phone) for p in [grid.head] if p]
            rows += [Row(_zh(_("Grid police officer")), p.name, p.phone) for p in [grid.police] if p]
        rows += [Row(_zh(_("Building head")), p.name, p.phone) for p in [b.head] if p]
        units = [Row(_zh(_("Unit {unit}", unit=u.id)), u.head.name, u.head.phone) for u in b.units if u.head]
        worker = _zh(_("Full-time grid worker"))
        worker_code = self.person_code(grid.worker, worker) if grid and grid.worker else None
        sheet = self.sheet(
            "building",
            "a4",
            f"{n.name} {b.name}",
            _zh(_("Building contact card")),
            n.verified_on.isoformat(),
            grid=grid,
            rows=rows,
            units=units,
            # One code for every building of the neighborhood: its page (the building's section is
            # one tap away), so a whole neighborhood's cards share a single encoding.
            code=self.page_code(neighborhood_url(n.slug), _zh(_("Scan for the neighborhood's web page"))),
            worker_code=worker_code,
        )
        return fit.building(self.site, sheet)

    def evacuation(self, n: Neighborhood, building: MapBuilding) -> Sheet:
        assert n.map is not None
        turn = evacuation_turn(n.map, building)
        plan = draw_plan(n.map, building, turn, _zh(_("Evacuation plan of {building}", building=building.name)))
        route = n.map.routes[building.id]
        assembly = next(a for a in n.map.assembly_points if a.id == route.assembly)
        exits = [g for g in n.map.gates if g.exit]
        sheet = self.sheet(
            "evacuation",
            "a3-landscape",
            f"{n.name} {building.name}",
            _zh(_("Evacuation plan")),
            n.verified_on.isoformat(),
            plan=plan,
            building=building,
            route=route,
            assembly=assembly,
            signs=[SIGNS[c] for c in plan.codes],
            exits=exits,
            board_given=building.board is not None,
        )
        return fit.evacuation(self.site, sheet, evacuation_texts(sheet), evacuation_legend(sheet), self.revision(sheet))

    def revision(self, sheet: Sheet) -> list[str]:
        """The lines under an evacuation plan's emergency numbers, as printed (see print/evacuation.html)."""
        zh = translations("zh").gettext
        committee = zh("%(name)s residents' committee") % {"name": self.site.name}
        return [zh("Revised %(date)s") % {"date": sheet.verified_on}, f"{committee} {self.site.office.phone.label}"]

    def _grids_sheet(self, number: int, count: int, grids: Any, code: Any) -> Sheet:
        subtitle = _zh(_("Grids and grid workers (sheet)"))
        if count > 1:
            subtitle = _zh(_("{kind} (sheet {number} of {count})", kind=subtitle, number=number, count=count))
        verified = (self.site.verified_on or self.site.today).isoformat()
        parts = {"grids": grids, "code": code, "next": number + 1 if number < count else 0}
        return self.sheet("grids", "a3", self.site.name, subtitle, verified, **parts)

    @functools.cached_property
    def grids_split(self) -> tuple[float, list[float], fit.Split]:
        """The scale, column widths and number of grids of each sheet of the grid overview.

        Every build plans the community's files, and so needs the number of grid sheets; working it
        out measures every grid's row at a dozen sizes (seconds for a district of thousands of
        grids), so it is kept (``kept``) for as long as the grids and the sheet stay the same.
        """
        label = _zh(_("Scan for the grid workers' phone numbers"))
        sheet = self._grids_sheet(1, 2, [], self.caption(grids_url(self.site), label))
        # Everything the sheet shows but the neighborhoods and the notices; the grids one at a time (a
        # district's, written out whole, are 13 million characters: 26 MB, and its UTF-8 15 MB more).
        source = hashlib.sha256(
            hash_parts(
                repr(sheet), repr(dataclasses.replace(self.site, neighborhoods=(), notices=(), grids=()))
            ).encode()
        )
        for grid in self.site.grids:
            source.update(repr(grid).encode("utf-8", "surrogatepass"))
            source.update(b"\0")
        key = source.hexdigest()
        kept = self.kept.get("grids")
        if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key):
            kept = self.kept["grids"] = (key, _split_grids(self.site, sheet))
        split: tuple[float, list[float], fit.Split] = kept[1]
        return split

    def grids(self) -> list[Sheet]:
        """The grid overview: every grid, on as many sheets as the grids need."""
        return [self.grid_sheet(number) for number in range(1, len(self.grids_split[2]) + 1)]

    def grid_sheet(self, number: int) -> Sheet:
        """One sheet of the grid overview (the first is 1), planned when it is asked for.

        A district's overview runs to a thousand sheets and more, each with its grids, their people
        and their fitted texts: a build plans each one as it writes it, and holds none of the others.
        """
        scale, widths, split = self.grids_split
        start = self._grid_starts[number - 1]
        count, full = split[number - 1]
        sheet = self._grids_sheet(number, len(split), self.site.grids[start : start + count], self._grids_code)
        return fit.grids(self.site, sheet, scale, widths, full)

    def grid_sheets_listed(self) -> list[Sheet]:
        """The grid overview's sheets as the print index lists them (paper and subtitle), without
        their grids."""
        count = len(self.grids_split[2])
        return [self._grids_sheet(number, count, (), None) for number in range(1, count + 1)]

    @functools.cached_property
    def _grid_starts(self) -> list[int]:
        """Where each sheet of the grid overview starts in the site's grids."""
        return [0, *itertools.accumulate(count for count, _full in self.grids_split[2])]

    @functools.cached_property
    def _grids_code(self) -> Code | None:
        return self.page_code(grids_url(self.site), _zh(_("Scan for the grid workers' phone numbers")))


def _split_grids(site: Site, sheet: Sheet) -> tuple[float, list[float], fit.Split]:
    """:func:`fit.split_grids`; for a district's thousands of grids, in a forked worker of its own.

    Measuring every grid's row at each scale tried takes memory that the process keeps once it is
    freed (the allocator does not give it back): splitting 20,000 grids took the process 32 MB more
    and left it 20 MB larger, the worker that goes on to make the community's files, or the main
    process of `sitegen check`. A child's memory goes with it; it hands back a few numbers a sheet.

    The worker is sent the site without its neighborhoods and notices (the overview shows neither),
    pickled, to start from the forker where this process keeps one (see :func:`sitegen.workers.start_alone`):
    forked from a build that holds a district's state and site instead, it started at near 290 MB.
    The grids go in parts (see :class:`sitegen.workers.InParts`): pickled at once, they took the
    process that sends them 17 MB more.
    """
    if len(site.grids) < SPLIT_ALONE_FROM:
        return fit.split_grids(site, sheet)
    lean = dataclasses.replace(site, neighborhoods=(), notices=(), grids=())
    split = InParts(functools.partial(_split_with_grids, lean, sheet), site.grids)
    return run_alone(split, _("splitting the grid overview into sheets"), sent=True)


def _split_with_grids(site: Site, sheet: Sheet, grids: list[Grid]) -> tuple[float, list[float], fit.Split]:
    """:func:`fit.split_grids` of ``site`` given back its ``grids`` (sent apart from it)."""
    return fit.split_grids(dataclasses.replace(site, grids=tuple(grids)), sheet)


def evacuation_texts(sheet: Sheet) -> list[str]:
    """The side column's paragraphs of an evacuation plan, as printed (see print/evacuation.html)."""
    zh = translations("zh").gettext
    p = sheet.parts
    place = zh("notice board") if p["board_given"] else zh("entrance")
    here = f"● {zh('You are here (on the plan)')} You are here\n{p['building'].name}{place}"
    values = {"metres": round(p["route"].length), "place": p["assembly"].name, "count": p["assembly"].capacity}
    if p["assembly"].capacity:
        route = zh(
            'In a fire or other emergency, follow the <strong class="green">green arrows</strong> about '
            "<strong>%(metres)s m</strong> on foot and gather at <strong>%(place)s</strong> "
            "(room for %(count)s people)."
        )
    else:
        route = zh(
            'In a fire or other emergency, follow the <strong class="green">green arrows</strong> about '
            "<strong>%(metres)s m</strong> on foot and gather at <strong>%(place)s</strong>."
        )
    texts = [here, re.sub(r"<[^>]+>", "", route % values)]
    if p["exits"]:
        texts.append(zh("Exits: %(exits)s") % {"exits": zh(", ").join(g.name for g in p["exits"])})
    texts += [
        zh("Do not take the lift; use the stairs."),
        zh("In smoke, keep low and cover your nose and mouth with a wet towel."),
        zh("At the assembly point, report to your grid worker or building head."),
    ]
    return texts


def evacuation_legend(sheet: Sheet) -> list[tuple[str, bool]]:
    """The entries of an evacuation plan's legend, as printed, and whether each is a sign (a taller symbol)."""
    zh = translations("zh").gettext
    lines = [zh("Escape route"), zh("You are here (on the plan)"), zh("This building")]
    return [*((text, False) for text in lines), *((f"{s.name} {s.code}", True) for s in sheet.parts["signs"])]


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\d+、\s*|[一二三四五六七八九十]+、\s*)(.*)$")


def pact_points(pact: str, limit: int | None = None) -> list[str]:
    """The pact's points as plain lines: its list items (- 1. 1、 一、), else its paragraphs."""
    lines = [line.strip() for line in pact.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    items = [m.group(1) for m in map(_LIST_ITEM.match, lines) if m]
    return [plain_text(text) for text in (items or lines)][:limit]


def numbered(dest: str, number: int) -> str:
    """The file of the ``number``-th sheet of a kind: services.html, services-2.html …"""
    return dest if number == 1 else dest.removesuffix(".html") + f"-{number}.html"


def _sheets(planner: Planner, n: Neighborhood) -> list[tuple[str, Sheet]]:
    folder = f"{n.slug}/print"
    return [
        (f"{folder}/name-card.html", planner.name_card(n)),
        (f"{folder}/notice-board.html", planner.notice_board(n)),
        *((numbered(f"{folder}/services.html", i), s) for i, s in enumerate(planner.services(n), 1)),
        *((f"{folder}/building-{b.id}.html", planner.building(n, b)) for b in n.buildings),
        *((f"{folder}/evacuation-{b.id}.html", planner.evacuation(n, b)) for b in (n.map.buildings if n.map else ())),
    ]


def _sheet_titles(planner: Planner, n: Neighborhood) -> list[tuple[str, str]]:
    """(file, page title) of each sheet of a neighborhood, known without drawing any sheet."""
    folder = f"{n.slug}/print"
    services = len(planner.services_split(n)[1])
    return [
        (f"{folder}/name-card.html", _zh(_("{name} · Governance name card", name=n.name))),
        (f"{folder}/notice-board.html", _zh(_("{name} · Notice board", name=n.name))),
        *(
            (numbered(f"{folder}/services.html", i), _zh(_("{name} · Services", name=n.name)))
            for i in range(1, services + 1)
        ),
        *(
            (
                f"{folder}/building-{b.id}.html",
                _zh(_("{name} {building} · Building contact card", name=n.name, building=b.name)),
            )
            for b in n.buildings
        ),
        *(
            (
                f"{folder}/evacuation-{b.id}.html",
                _zh(_("{name} {building} · Evacuation plan", name=n.name, building=b.name)),
            )
            for b in (n.map.buildings if n.map else ())
        ),
    ]


class SheetPlanner:
    """Plans the print outputs of a site, one neighborhood at a time.

    Sheets are drawn only when rendered (QR codes and plans take time), and only the last two
    neighborhoods' sheets are kept in memory: the outputs of a neighborhood are listed together.
    """

    def __init__(
        self, site: Site, base_url: str, codes: QrCache | None = None, kept: dict[str, Any] | None = None
    ) -> None:
        self.planner = Planner(site, base_url, codes, kept)
        self.site = site
        self._recent: dict[str, list[tuple[str, Sheet]]] = {}

    def sheets_of(self, n: Neighborhood) -> list[tuple[str, Sheet]]:
        if n.slug not in self._recent:
            if len(self._recent) >= 2:
                del self._recent[next(iter(self._recent))]
            self._recent[n.slug] = _sheets(self.planner, n)
        return self._recent[n.slug]

    def _sheet_context(self, n: Neighborhood, index: int) -> dict[str, object]:
        return {"sheet": self.sheets_of(n)[index][1], "neighborhood": n}

    def _all_sheets(self, n: Neighborhood) -> dict[str, object]:
        return {"neighborhood": n, "sheets": self.sheets_of(n)}

    def neighborhood(self, n: Neighborhood) -> list[Output]:
        """A neighborhood's sheets, its print index and combined sheets, and its contact pages and cards."""
        sources = neighborhood_sources(n.slug)
        own = (f"nb:{n.slug}",)  # pages that do not show the community notices
        outputs: list[Output] = []
        for index, (dest, title) in enumerate(_sheet_titles(self.planner, n)):
            shows = sources if dest.endswith("/notice-board.html") else own
            lazy = functools.partial(self._sheet_context, n, index)
            outputs.append(Output(dest, "print/page.html", title, sources=shows, lazy=lazy))
        folder = f"{n.slug}/print"
        everything = functools.partial(self._all_sheets, n)
        outputs.append(
            Output(
                f"{folder}/index.html",
                "print/index.html",
                _zh(_("{name} · Printable sheets", name=n.name)),
                sources=sources,
                lazy=everything,
            )
        )
        outputs.append(
            Output(
                f"{folder}/all-sheets.html",
                "print/all.html",
                _zh(_("{name} · All printable sheets", name=n.name)),
                sources=sources,
                lazy=everything,
            )
        )
        for service in (*n.channels, *n.services):
            if service.phone:
                key = contact_key(service)
                outputs.append(
                    Output(
                        contact_url(n.slug, service),
                        "contact.html",
                        service.name,
                        {"neighborhood": n, "service": service, "vcard_href": key + ".vcf"},
                        sources=own,
                    )
                )
                card = functools.partial(vcard_bytes, service)
                outputs.append(Output(f"{n.slug}/contact/{key}.vcf", "vcard", service.name, sources=own, make=card))
        return outputs

    def community(self) -> list[Output]:
        """The community's sheets (the grid overview, on as many sheets as it needs) and its print index."""
        community = ("buildings",)
        title = _zh(_("{name} · Grids and grid workers", name=self.site.name))
        count = len(self.planner.grids_split[2])
        outputs = [
            Output(
                numbered("print/grids.html", number),
                "print/page.html",
                title,
                sources=community,
                lazy=functools.partial(lambda i: {"sheet": self.planner.grid_sheet(i), "neighborhood": None}, number),
            )
            for number in range(1, count + 1)
        ]
        outputs.append(
            Output(
                "print/index.html",
                "print/community.html",
                _zh(_("Printable sheets")),
                sources=community,
                lazy=lambda: {
                    "sheets": [
                        (numbered("print/grids.html", i), s) for i, s in enumerate(self.planner.grid_sheets_listed(), 1)
                    ]
                },
            )
        )
        return outputs


def plan_print_outputs(
    site: Site, neighborhoods: Iterable[Neighborhood], base_url: str, codes: QrCache | None = None
) -> list[Output]:
    """Every print sheet, the print indexes, the combined sheets and the contact pages."""
    planner = SheetPlanner(site, base_url, codes)
    outputs = [output for n in neighborhoods for output in planner.neighborhood(n)]
    return outputs + planner.community()


def vcard_bytes(service: Service) -> bytes:
    """The .vcf file beside a contact page: "scan to save this contact"."""
    assert service.phone is not None
    card = make_org_vcard(
        service.name, service.phone.tel[4:], label=service.category, note=service.hours, url=service.url
    )
    return card.encode("utf-8")


PRINTED_TEMPLATES = ("print/page.html", "print/all.html")
LINKING_TEMPLATES = ("print/page.html", "print/index.html", "print/community.html")  # pages that link to PDFs


def pdf_jobs(outputs: list[Output]) -> list[tuple[str, str]]:
    """(sheet HTML, PDF beside it) for every sheet and every combined set of sheets."""
    return [(o.dest, o.dest.removesuffix(".html") + ".pdf") for o in outputs if o.template in PRINTED_TEMPLATES]
