"""Plan the print kit: one-page sheets for bulletin boards, with what fits on each and its QR codes."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sitegen.content.model import Building, MapBuilding, Neighborhood, Person, Service, Site
from sitegen.content.phone import Phone
from sitegen.content.plaintext import plain_text
from sitegen.content.planlayout import evacuation_turn
from sitegen.content.signs import SIGNS
from sitegen.i18n import _
from sitegen.i18n import in_chinese as _zh  # the print kit is for Chinese bulletin boards
from sitegen.plan.mapdraw import draw_plan
from sitegen.plan.qr import QrCache, QrCode
from sitegen.plan.routes import Output, neighborhood_sources, neighborhood_url, notice_url, split_notices
from sitegen.plan.vcard import make_vcard

# What fits on each sheet. Every variable text on a sheet is clamped to a few lines by the print
# stylesheet, so these counts bound the height of every section and a sheet cannot overflow.
NAME_CARD_PEOPLE = 7
BOARD_NOTICES = 5
BOARD_PACT_POINTS = 7
BOARD_CATEGORIES = 5
BOARD_CODES = 4
SERVICE_CARDS = 10
BUILDING_UNITS = 6
GRID_ROWS = 12


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


@dataclass(frozen=True)
class Sheet:
    """One printed page: its paper, headings, and the sections its template lays out."""

    kind: str
    paper: str
    title: str
    subtitle: str
    verified_on: str
    parts: dict[str, object] = field(default_factory=dict)
    more: int = 0


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

    def __init__(self, site: Site, base_url: str, codes: QrCache | None = None) -> None:
        self.site = site
        self.base_url = base_url.rstrip("/")
        self.make_qr = (codes or QrCache(None)).make

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

    # Sheets

    def name_card(self, n: Neighborhood) -> Sheet:
        leader = _zh(_("Community liaison leader"))
        rows = [Row(leader, p.name, p.phone, p.role if p.role != leader else "") for p in [n.community_leader] if p]
        rows += [Row(_zh(_("Property manager")), p.name, p.phone) for p in [n.property_manager] if p]
        rows += [Row(_zh(_("Resident-unit instructor")), p.name, p.phone, p.org) for p in [n.instructor] if p]
        rows += [
            Row(_zh(_("{grid} grid worker", grid=g.name)), g.worker.name, g.worker.phone) for g in n.grids() if g.worker
        ]
        numbers = [Row(_zh(_("Property service phone")), phone=n.property_phone)] if n.property_phone else []
        numbers.append(Row(_zh(_("Residents' committee")), phone=self.site.office.phone))
        shown = rows[:NAME_CARD_PEOPLE]
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
        return Sheet(
            "name-card",
            "a4",
            n.name,
            _zh(_("Governance name card")),
            n.verified_on.isoformat(),
            {
                "facts": facts,
                "rows": shown,
                "numbers": numbers,
                "code": self.page_code(
                    neighborhood_url(n.slug), _zh(_("Scan for grid workers by building, notices and services")), "Q"
                ),
            },
            more=len(rows) - len(shown),
        )

    def notice_board(self, n: Neighborhood) -> Sheet:
        current, _expired = split_notices(n.notices, self.site)
        community, _old = split_notices(self.site.notices, self.site)
        notices = sorted(current + community, key=lambda x: (not x.pinned, -x.date.toordinal(), x.slug))
        shown = notices[:BOARD_NOTICES]
        # Outdoors: level Q. Each code stays paired with its own channel.
        coded = [(ch, self.service_code(n.slug, ch, "Q")) for ch in n.channels]
        codes = [(ch, code) for ch, code in coded if code][:BOARD_CODES]
        return Sheet(
            "notice-board",
            "a3",
            n.name,
            _zh(_("Notice board")),
            n.verified_on.isoformat(),
            {
                "notices": shown,
                "pact": pact_points(n.pact, BOARD_PACT_POINTS),
                "categories": self.site.categories[:BOARD_CATEGORIES],
                "codes": codes,
                "code": self.page_code(neighborhood_url(n.slug) + "#notices", _zh(_("Scan for all notices")), "Q"),
                "notice_urls": {x.slug: notice_url(x) for x in shown},
            },
            more=len(notices) - len(shown),
        )

    def services(self, n: Neighborhood) -> Sheet:
        # Posted on the notice board outdoors, like the board's own codes: level Q (and shared with them).
        entries = [(s, self.service_code(n.slug, s, "Q")) for s in (*n.channels, *n.services)]
        cards = entries[:SERVICE_CARDS]
        return Sheet(
            "services",
            "a4",
            n.name,
            _zh(_("Services")),
            n.verified_on.isoformat(),
            {
                "cards": cards,
                "code": self.page_code(neighborhood_url(n.slug) + "#services", _zh(_("Scan for all services"))),
            },
            more=len(entries) - len(cards),
        )

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
        return Sheet(
            "building",
            "a4",
            f"{n.name} {b.name}",
            _zh(_("Building contact card")),
            n.verified_on.isoformat(),
            {
                "grid": grid,
                "rows": rows,
                "units": units[:BUILDING_UNITS],
                # One code for every building of the neighborhood: its page (the building's section is
                # one tap away), so a whole neighborhood's cards share a single encoding.
                "code": self.page_code(neighborhood_url(n.slug), _zh(_("Scan for the neighborhood's web page"))),
                "worker_code": worker_code,
            },
            more=max(0, len(units) - BUILDING_UNITS),
        )

    def evacuation(self, n: Neighborhood, building: MapBuilding) -> Sheet:
        assert n.map is not None
        turn = evacuation_turn(n.map, building)
        plan = draw_plan(n.map, building, turn, _zh(_("Evacuation plan of {building}", building=building.name)))
        route = n.map.routes[building.id]
        assembly = next(a for a in n.map.assembly_points if a.id == route.assembly)
        exits = [g for g in n.map.gates if g.exit]
        return Sheet(
            "evacuation",
            "a3-landscape",
            f"{n.name} {building.name}",
            _zh(_("Evacuation plan")),
            n.verified_on.isoformat(),
            {
                "plan": plan,
                "building": building,
                "route": route,
                "assembly": assembly,
                "signs": [SIGNS[c] for c in plan.codes],
                "exits": exits,
                "board_given": building.board is not None,
            },
        )

    def grids(self) -> Sheet:
        grids = self.site.grids[:GRID_ROWS]
        return Sheet(
            "grids",
            "a3",
            self.site.name,
            _zh(_("Grids and grid workers (sheet)")),
            (self.site.verified_on or self.site.today).isoformat(),
            {
                "grids": grids,
                "code": self.page_code("index.html#grids", _zh(_("Scan for the grid workers' phone numbers"))),
            },
            more=len(self.site.grids) - len(grids),
        )


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\d+、\s*|[一二三四五六七八九十]+、\s*)(.*)$")


def pact_points(pact: str, limit: int) -> list[str]:
    """The pact's points as plain lines: its list items (- 1. 1、 一、), else its paragraphs."""
    lines = [line.strip() for line in pact.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    items = [m.group(1) for m in map(_LIST_ITEM.match, lines) if m]
    return [plain_text(text) for text in (items or lines)][:limit]


def _sheets(planner: Planner, n: Neighborhood) -> list[tuple[str, Sheet]]:
    folder = f"{n.slug}/print"
    return [
        (f"{folder}/name-card.html", planner.name_card(n)),
        (f"{folder}/notice-board.html", planner.notice_board(n)),
        (f"{folder}/services.html", planner.services(n)),
        *((f"{folder}/building-{b.id}.html", planner.building(n, b)) for b in n.buildings),
        *((f"{folder}/evacuation-{b.id}.html", planner.evacuation(n, b)) for b in (n.map.buildings if n.map else ())),
    ]


def _sheet_titles(n: Neighborhood) -> list[tuple[str, str]]:
    """(file, page title) of each sheet of a neighborhood, known without drawing any sheet."""
    folder = f"{n.slug}/print"
    return [
        (f"{folder}/name-card.html", _zh(_("{name} · Governance name card", name=n.name))),
        (f"{folder}/notice-board.html", _zh(_("{name} · Notice board", name=n.name))),
        (f"{folder}/services.html", _zh(_("{name} · Services", name=n.name))),
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

    def __init__(self, site: Site, base_url: str, codes: QrCache | None = None) -> None:
        self.planner = Planner(site, base_url, codes)
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
        for index, (dest, title) in enumerate(_sheet_titles(n)):
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
        """The community's sheets (the grid overview) and its print index."""
        grids = functools.cache(self.planner.grids)
        community = ("buildings",)
        return [
            Output(
                "print/grids.html",
                "print/page.html",
                _zh(_("{name} · Grids and grid workers", name=self.site.name)),
                sources=community,
                lazy=lambda: {"sheet": grids(), "neighborhood": None},
            ),
            Output(
                "print/index.html",
                "print/community.html",
                _zh(_("Printable sheets")),
                sources=community,
                lazy=lambda: {"sheets": [("print/grids.html", grids())]},
            ),
        ]


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
    return make_vcard(service.name, service.phone.tel[4:], org=service.category, note=service.hours).encode("utf-8")


PRINTED_TEMPLATES = ("print/page.html", "print/all.html")


def pdf_jobs(outputs: list[Output]) -> list[tuple[str, str]]:
    """(sheet HTML, PDF beside it) for every sheet and every combined set of sheets."""
    return [(o.dest, o.dest.removesuffix(".html") + ".pdf") for o in outputs if o.template in PRINTED_TEMPLATES]
