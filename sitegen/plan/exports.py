"""Plan the files made for other programs: feeds, calendars, contact lists, sitemaps and open data.

A neighborhood's files depend on that neighborhood alone; the community's on site.yaml, the
community notices and small lists of the neighborhoods.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from xml.etree import ElementTree

from sitegen.content.model import Neighborhood, Notice, Site
from sitegen.i18n import DEFAULT_LANGUAGE, _, in_chinese
from sitegen.plan import opendata
from sitegen.plan.feeds import Links, atom_feed, calendar
from sitegen.plan.printables import contact_key, vcard_bytes
from sitegen.plan.routes import COMMUNITY_LIST, Output, Texts, first_listed, neighborhood_url, split_notices
from sitegen.plan.vcard import make_org_vcard, make_vcard

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
COMMUNITY_SITEMAP = "sitemap-community.xml"


def feed_url(slug: str = "") -> str:
    return f"{slug}/feed.xml" if slug else "feed.xml"


def calendar_url(slug: str = "") -> str:
    return f"{slug}/calendar.ics" if slug else "calendar.ics"


def contacts_url(slug: str) -> str:
    return f"{slug}/contacts.vcf"


def data_url(slug: str = "") -> str:
    return f"data/{slug}.json" if slug else "data/index.json"


def sitemap_url(slug: str) -> str:
    return f"{slug}/sitemap.xml"


def _link_maker(base_url: str) -> Callable[[str], str]:
    """Addresses of the site's files in data: absolute with a base URL, else paths from the site's root."""
    return lambda target: f"{base_url}/{target}" if base_url else target


# --- per neighborhood -----------------------------------------------------------------------------------


def contacts_vcf(site: Site, n: Neighborhood) -> bytes:
    """Every public contact of the neighborhood and every service with a phone, as one vCard file."""
    cards = [
        (
            make_org_vcard(c.name, opendata.dial(c.phone), label=c.role)
            if c.organization
            else make_vcard(c.name, opendata.dial(c.phone), org=c.org or n.name, title=c.role)
        ).encode("utf-8")
        for c in opendata.neighborhood_contacts(site, n)
    ]
    cards += [vcard_bytes(s) for s in (*n.channels, *n.services) if s.phone]
    return b"".join(cards)


def plan_neighborhood_exports(site: Site, n: Neighborhood, base_url: str, pages: Iterable[Output] = ()) -> list[Output]:
    """A neighborhood's feed, calendar, contacts, open data and (with a base URL) sitemap."""
    slug = n.slug
    own, shown = (f"nb:{slug}",), (f"nb:{slug}", f"nbn:{slug}")

    def feed() -> bytes:
        current, _expired = split_notices(n.notices, site)
        links = Links(feed_url(slug), base_url, site.name)
        title = in_chinese(_("{name} · Notices", name=n.name))
        return atom_feed(links, title, n.name, neighborhood_url(slug), current, site.today)

    def data() -> bytes:
        record = opendata.neighborhood_record(site, n, _link_maker(base_url), contact_key)
        return opendata.to_json(record)

    outputs = [
        Output(feed_url(slug), "atom", f"{n.name} · feed", sources=shown, make=feed),
        Output(contacts_url(slug), "vcard", f"{n.name} · contacts", sources=own, make=lambda: contacts_vcf(site, n)),
        Output(data_url(slug), "json", f"{n.name} · open data", sources=own, make=data),
    ]
    if n.meetings:
        links = Links(calendar_url(slug), base_url, site.name)
        title = in_chinese(_("{name} · Meetings", name=n.name))
        cal = functools.partial(calendar, links, title, slug, n.meetings, n.verified_on, site.today)
        outputs.append(Output(calendar_url(slug), "ical", title, sources=own, make=cal))
    if base_url:
        for dest, edition in _editions(slug, pages).items():
            listed = functools.partial(sitemap, base_url, edition)
            outputs.append(Output(dest, "sitemap", f"{n.name} · sitemap", sources=shown, make=listed))
    return outputs


def _editions(slug: str, pages: Iterable[Output]) -> dict[str, list[Output]]:
    """A neighborhood's pages by the sitemap that lists them: one per language, in the folder of its pages
    (a sitemap may only list pages below its own folder)."""
    found: dict[str, list[Output]] = {}
    for page in pages:
        lang = page.context.get("lang", DEFAULT_LANGUAGE)
        dest = sitemap_url(slug) if lang == DEFAULT_LANGUAGE else f"{lang}/{sitemap_url(slug)}"
        found.setdefault(dest, []).append(page)
    return found


# --- the community --------------------------------------------------------------------------------------


def plan_community_exports(
    site: Site, base_url: str, pages: Iterable[Output] = (), texts: Texts = list
) -> list[Output]:
    """The community's feed (every current notice), calendar, open data index, sitemap index and
    robots.txt (``texts``: see routes.plan_community_outputs)."""

    def feed() -> bytes:
        notices = texts(first_listed(site, COMMUNITY_LIST)[0])
        links = Links(feed_url(), base_url, site.name)
        title = in_chinese(_("{name} · Notices", name=site.name))
        committee = in_chinese(_("{name} residents' committee", name=site.name))
        return atom_feed(links, title, committee, "notices/index.html", notices, site.today)

    def data() -> bytes:
        return opendata.to_json(opendata.community_record(site, _link_maker(base_url)))

    outputs = [
        Output(feed_url(), "atom", f"{site.name} · feed", sources=("allnotices",), make=feed),
        Output(data_url(), "json", f"{site.name} · open data", sources=("buildings",), make=data),
        Output("robots.txt", "robots", "robots.txt", sources=(), make=lambda: robots(base_url)),
    ]
    if site.meetings:
        links = Links(calendar_url(), base_url, site.name)
        since = site.verified_on or site.today
        title = in_chinese(_("{name} · Meetings", name=site.name))
        cal = functools.partial(calendar, links, title, "", site.meetings, since, site.today)
        outputs.append(Output(calendar_url(), "ical", title, sources=(), make=cal))
    if base_url:
        listed = functools.partial(sitemap, base_url, list(pages))
        maps = [COMMUNITY_SITEMAP, *(sitemap_url(n.slug) for n in site.neighborhoods)]
        maps += [f"{lang}/{sitemap_url(n.slug)}" for lang in site.languages[1:] for n in site.neighborhoods]
        index = functools.partial(sitemap_index, base_url, maps)
        outputs.append(Output(COMMUNITY_SITEMAP, "sitemap", "sitemap", sources=("notices",), make=listed))
        outputs.append(Output("sitemap.xml", "sitemap-index", "sitemap index", sources=("buildings",), make=index))
    return outputs


def listed(pages: Iterable[Output]) -> list[Output]:
    """The pages a sitemap lists: web pages, not files for other programs, print sheets or the error page."""
    return [p for p in pages if p.dest.endswith(".html") and p.make is None and not _excluded(p.dest)]


def _excluded(dest: str) -> bool:
    """Pages left out of the sitemaps: print sheets and the error page."""
    return dest == "404.html" or "print" in dest.split("/")[:2]


# --- sitemaps and robots.txt ------------------------------------------------------------------------------


def _xml(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root)
    data: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _notice_date(page: Output) -> str:
    notice = page.context.get("notice")
    return notice.date.isoformat() if isinstance(notice, Notice) else ""


def sitemap(base_url: str, pages: Iterable[Output]) -> bytes:
    """A sitemap (sitemaps.org 0.9) of pages, with the date of each notice page."""
    root = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for page in pages:
        entry = ElementTree.SubElement(root, "url")
        ElementTree.SubElement(entry, "loc").text = f"{base_url}/{page.dest}"  # as the page's canonical link
        if _notice_date(page):
            ElementTree.SubElement(entry, "lastmod").text = _notice_date(page)
    return _xml(root)


def sitemap_index(base_url: str, maps: Iterable[str]) -> bytes:
    """The sitemap index: the community's sitemap and one per neighborhood (each within the 50,000 limit)."""
    root = ElementTree.Element("sitemapindex", xmlns=SITEMAP_NS)
    for dest in maps:
        ElementTree.SubElement(ElementTree.SubElement(root, "sitemap"), "loc").text = f"{base_url}/{dest}"
    return _xml(root)


def robots(base_url: str) -> bytes:
    """Every page may be indexed; with a base URL, the sitemap index is named."""
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")
