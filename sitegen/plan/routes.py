"""Turn a validated Site into the list of pages the build will write."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, Protocol, TypeVar

from sitegen.content.model import Neighborhood, Notice, Site
from sitegen.content.planlayout import WEB
from sitegen.errors import SitegenError
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, translate
from sitegen.plan.mapdraw import Plan, draw_plan


@dataclass(slots=True, eq=False)
class Output:
    """One file to write: where, with which template, the page's own values, and what it depends on.

    ``sources`` name the inputs the page shows besides site.yaml and the theme, which every page
    shows (see ``load.Documents.sources``): ``nb:<slug>`` a neighborhood's files but its notices,
    ``nbn:<slug>`` its notices, ``file:<slug>/notices/<name>`` one notice, ``notices`` the community
    notices, ``buildings`` every neighborhood's files but the notices, ``allnotices`` every notice,
    ``all`` everything. A page whose sources did not change is not rendered again. ``lazy`` makes
    the values only when the page is rendered.

    A file that is not an HTML page (a contact card, a feed, a calendar, data) has ``make``, which
    returns its bytes; its ``template`` then only names the kind of file, for fingerprints.
    """

    dest: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    sources: tuple[str, ...] = ("all",)
    lazy: Callable[[], dict[str, Any]] | None = field(default=None, compare=False)
    make: Callable[[], bytes] | None = field(default=None, compare=False)

    def values(self) -> dict[str, Any]:
        return {**self.context, **self.lazy()} if self.lazy else self.context


def neighborhood_sources(slug: str) -> tuple[str, ...]:
    """What a neighborhood's notice board shows: its own files, its notices, the community notices."""
    return (f"nb:{slug}", f"nbn:{slug}", "notices")


# The community-wide lists of notices show the most recent ones; each neighborhood's page lists all
# of its own. (A district of hundreds of neighborhoods would otherwise make pages of megabytes.)
COMMUNITY_LIST = 100


# A notice's files: the notice, and its text in other languages.
NOTICE_FILES = (".md", *(f".{lang}.md" for lang in LANGUAGES if lang != DEFAULT_LANGUAGE))


def neighborhood_url(slug: str) -> str:
    return f"{slug}/index.html"


def notice_url(notice: Notice) -> str:
    folder = f"{notice.neighborhood}/notices" if notice.neighborhood else "notices"
    return f"{folder}/{notice.slug}.html"


def map_url(slug: str) -> str:
    return f"{slug}/map/index.html"


def archive_url(owner: str) -> str:
    return f"{owner}/notices/archive.html" if owner else "notices/archive.html"


def split_notices(notices: Iterable[Notice], site: Site) -> tuple[list[Notice], list[Notice]]:
    """Current notices (pinned first, newest first) and expired ones (newest first)."""
    current: list[Notice] = []
    expired: list[Notice] = []
    for notice in notices:
        (current if notice.is_current(site.today) else expired).append(notice)
    expired.sort(key=_newest_first)
    return current, expired


def neighborhood_pages(site: Site, neighborhood: Neighborhood) -> list[Output]:
    """A neighborhood's own web pages: its page, its archive, its notices and its site plan."""
    current, expired = split_notices(neighborhood.notices, site)
    slug = neighborhood.slug
    sources = (f"nb:{slug}", f"nbn:{slug}")  # the page and its archive list the notices
    pages = [
        Output(
            neighborhood_url(neighborhood.slug),
            "neighborhood.html",
            neighborhood.name,
            {"neighborhood": neighborhood, "current": current, "expired": expired},
            sources,
        ),
        Output(
            archive_url(neighborhood.slug),
            "archive.html",
            _("{name} · Past notices", name=neighborhood.name),
            {"neighborhood": neighborhood, "notices": expired},
            sources,
        ),
    ]
    for notice in neighborhood.notices:
        files = tuple(f"file:{slug}/notices/{notice.slug}{suffix}" for suffix in NOTICE_FILES)
        pages.append(_notice_page(notice, neighborhood, (f"nb:{slug}", *files)))
    if neighborhood.map:
        pages.append(
            Output(
                map_url(neighborhood.slug),
                "map.html",
                _("{name} · Site plan", name=neighborhood.name),
                sources=(f"nb:{slug}",),
                lazy=_map_context(neighborhood),
            )
        )
    return pages


def _notice_page(notice: Notice, neighborhood: Neighborhood | None, sources: tuple[str, ...] = ("all",)) -> Output:
    context = {"notice": notice, "neighborhood": neighborhood}
    return Output(notice_url(notice), "notice.html", notice.title, context, sources)


def _map_context(neighborhood: Neighborhood) -> Callable[[], dict[str, Any]]:
    """The map page's values; its template draws the plan in the page's language (``plan(lang)``)."""
    assert neighborhood.map is not None
    site_map = neighborhood.map

    def plan(lang: str) -> Plan:
        label = translate(_("{name} site plan", name=neighborhood.name), lang)
        words = (translate(_("N"), lang), translate(_("{metres} m"), lang))
        return draw_plan(site_map, label=str(label), words=(str(words[0]), str(words[1])), style=WEB)

    return lambda: {"neighborhood": neighborhood, "plan": plan}


def _listed_first(notice: Notice) -> tuple[bool, int, str, str]:
    """Where a current notice comes in the community's lists: pinned first, then newest first."""
    return (not notice.pinned, -notice.date.toordinal(), notice.neighborhood, notice.slug)


def _newest_first(notice: Notice) -> tuple[int, str]:
    return (-notice.date.toordinal(), notice.slug)


def first_listed(site: Site, count: int, current: bool = True) -> tuple[list[Notice], int]:
    """The first ``count`` current notices of the community and its neighborhoods as the community's
    lists show them (pinned first, then newest first), or of the expired ones (newest first), and
    how many there are: a district's 100,000 notices are not all sorted, nor a key kept for each."""
    notices = [
        n
        for n in chain(site.notices, *(nb.notices for nb in site.neighborhoods))
        if n.is_current(site.today) == current
    ]
    return heapq.nsmallest(count, notices, key=_listed_first if current else _newest_first), len(notices)


# A community lists its grids on its home page (a handful to a few dozen); a district of hundreds or
# thousands gives them pages of their own, linked from there, so that the home page stays light. Each
# page lists so many (about 200 KB of HTML, 10 KB sent compressed): a district of 20,000 grids on one
# page was 21 MB, more than a phone opens.
GRIDS_ON_HOME = 50
GRIDS_PAGE = "grids/index.html"
GRIDS_A_PAGE = 200


def grids_url(site: Site) -> str:
    """Where the site lists its grids and their workers: the home page's section, or their own pages."""
    return GRIDS_PAGE if len(site.grids) > GRIDS_ON_HOME else "index.html#grids"


def grid_list_page(number: int) -> str:
    """The page of the grid list numbered ``number`` (from 1, the first at GRIDS_PAGE)."""
    return GRIDS_PAGE if number == 1 else f"grids/{number}.html"


def _grid_pages(site: Site) -> list[Output]:
    """The pages of the grid list, GRIDS_A_PAGE grids each in site.yaml's order; each names every page
    by its first and last grid, so that a grid is found by its name from any of them."""
    grids = site.grids
    starts = range(0, len(grids), GRIDS_A_PAGE)
    pages = [
        {
            "dest": grid_list_page(number),
            "number": number,
            "first": grids[start].name,
            "last": grids[min(start + GRIDS_A_PAGE, len(grids)) - 1].name,
        }
        for number, start in enumerate(starts, 1)
    ]
    outputs = []
    for number, start in enumerate(starts, 1):
        title = (
            _("Grids and grid workers")
            if len(pages) == 1
            else _("Grids and grid workers ({number} of {count})", number=number, count=len(pages))
        )
        context = {"grids_from": start, "grids_to": start + GRIDS_A_PAGE, "grid_pages": pages, "grid_page": number}
        outputs.append(Output(grid_list_page(number), "grids.html", title, context, sources=("buildings",)))
    return outputs


# What gives the neighborhoods' notices that summaries hold their text (see model.WITHHELD and
# load.NoticeTexts); the notices are already whole where a site holds whole notices.
Texts = Callable[[Iterable[Notice]], list[Notice]]


def plan_community_outputs(site: Site, texts: Texts = list) -> list[Output]:
    """The community's own pages: they show site.yaml, the community notices and summaries.

    The lists of every notice are made only when their pages are rendered: a district has many.
    ``texts`` gives the notices they show their text.
    """
    own_current, _own_expired = split_notices(site.notices, site)

    def names() -> dict[str, str]:
        return {n.slug: n.name for n in site.neighborhoods}

    def current() -> dict[str, Any]:
        shown, count = first_listed(site, COMMUNITY_LIST)
        return {"notices": texts(shown), "more": count - COMMUNITY_LIST, "names": names()}

    def expired() -> dict[str, Any]:
        shown, _count = first_listed(site, COMMUNITY_LIST, current=False)
        return {"neighborhood": None, "notices": texts(shown), "names": names()}

    # The home page's first screen shows the newest pinned or current notice: the community's own, else
    # a neighborhood's.
    newest = texts(own_current[:1] or first_listed(site, 1)[0])
    latest = newest[0] if newest else None
    grids_page = GRIDS_PAGE if grids_url(site) == GRIDS_PAGE else None  # else listed on the home page
    home: dict[str, Any] = {"current": own_current, "latest": latest, "names": {}, "grids_page": grids_page}
    if latest is not None and latest.neighborhood:
        home["names"] = {latest.neighborhood: names()[latest.neighborhood]}
    outputs = [
        Output("index.html", "index.html", site.name, home, ("buildings", "allnotices")),
        Output("notices/index.html", "notices.html", _("Notices"), sources=("buildings", "allnotices"), lazy=current),
        Output(
            "notices/archive.html", "archive.html", _("Past notices"), sources=("buildings", "allnotices"), lazy=expired
        ),
        Output("404.html", "404.html", _("Page not found"), sources=()),
    ]
    if grids_page:
        outputs.extend(_grid_pages(site))
    if site.search:
        outputs.append(Output("search.html", "search.html", _("Search"), sources=()))
    outputs.extend(_notice_page(notice, None, ("notices",)) for notice in site.notices)
    return outputs


def plan_editions(outputs: list[Output], languages: Sequence[str]) -> list[Output]:
    """The pages of every edition: ``outputs`` (the Chinese edition) and a copy of each in every other
    language, under ``<lang>/``, showing the same sources; each page knows its counterparts."""
    if len(languages) < 2:
        return outputs
    editions: list[Output] = []
    for lang in languages:
        for output in outputs:
            context = {**output.context, "lang": lang, "editions": languages, "edition_of": output.dest}
            dest = output.dest if lang == DEFAULT_LANGUAGE else f"{lang}/{output.dest}"
            editions.append(replace(output, dest=dest, context=context))
    return editions


class _Written(Protocol):
    @property
    def dest(self) -> str: ...


_W = TypeVar("_W", bound=_Written)


def collisions(outputs: Iterable[_W]) -> list[tuple[_W, _W]]:
    """Every pair of outputs that would be written to one file (names compared as case-blind systems do)."""
    seen: dict[str, _W] = {}
    found = []
    for output in outputs:
        key = output.dest.lower()
        if key in seen:
            found.append((seen[key], output))
        else:
            seen[key] = output
    return found


def check_unique(outputs: list[Output]) -> None:
    """Two outputs must never claim the same file."""
    seen: dict[str, Output] = {}
    for output in outputs:
        key = output.dest.lower()
        if key in seen:
            raise SitegenError(
                _(
                    "two pages would be written to {dest}: {first} and {second}",
                    dest=output.dest,
                    first=seen[key].title,
                    second=output.title,
                )
            )
        seen[key] = output
