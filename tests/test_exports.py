"""Files for other programs: feeds, calendars, contact lists, sitemaps, open data and JSON-LD, read back."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import icalendar
import pytest
from dateutil.rrule import rrulestr

from sitegen.cli import main
from sitegen.content.model import Meeting
from sitegen.plan.meetings import first_date, occurs_on
from tests.conftest import BUILD_EPOCH, ROOT
from tests.test_site_quality import parse

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"
BUILD_DAY = dt.datetime.fromtimestamp(int(BUILD_EPOCH), dt.timezone(dt.timedelta(hours=8))).date()


def base_url(root: Path) -> str:
    """The site's base URL, read from the canonical link of its home page."""
    match = re.search(r'<link rel="canonical" href="([^"]+)index\.html">', (root / "index.html").read_text("utf-8"))
    assert match, "the test sites have a base URL"
    return match.group(1)


def local_file(root: Path, address: str) -> Path:
    """The output file an absolute address of the site points to."""
    base = base_url(root)
    assert address.startswith(base), address
    return root / urlsplit(address[len(base) :]).path


def neighborhoods(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/index.html") if (p.parent / "print").is_dir())


def entry_files(root: Path, feed: ElementTree.Element) -> list[str]:
    """The output file each entry of a feed links to."""
    return [
        local_file(root, e.find(f"{ATOM}link").get("href") or "").resolve().as_posix()
        for e in feed.iter(f"{ATOM}entry")
    ]  # type: ignore[union-attr]


def current_notice_links(page: Path) -> list[str]:
    """The notices a page lists as current: its first list of notices (none when it says there are none)."""
    html = page.read_text(encoding="utf-8")
    listed = html.split('<ul class="notices">', 1)[1].split("</ul>", 1)[0] if '<ul class="notices">' in html else ""
    return [(page.parent / href).resolve().as_posix() for href in re.findall(r'<a href="([^"]+\.html)">', listed)]


# --- Atom -------------------------------------------------------------------------------------------------


def test_feeds_are_atom_with_the_current_notices(built_site: Path) -> None:
    for folder in neighborhoods(built_site):
        feed = ElementTree.parse(folder / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{required}") is not None, required
        entries = feed.findall(f"{ATOM}entry")
        assert entry_files(built_site, feed) == current_notice_links(folder / "index.html"), folder.name
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(set(ids)) == len(ids) and all(i and i.startswith("https://") for i in ids)
        updated = [dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated") or "") for e in entries]
        for entry, when in zip(entries, updated, strict=True):
            assert entry.findtext(f"{ATOM}title")
            # The date of the notice, shown on its page, never the time of the build.
            page = local_file(built_site, entry.find(f"{ATOM}link").get("href")).read_text("utf-8")  # type: ignore[union-attr]
            assert f'<time datetime="{when.date().isoformat()}"' in page
        feed_updated = dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "")
        assert feed_updated == max(updated, default=feed_updated)


def test_the_community_feed_has_every_current_notice(built_site: Path) -> None:
    feed = ElementTree.parse(built_site / "feed.xml").getroot()
    assert entry_files(built_site, feed) == current_notice_links(built_site / "notices" / "index.html")
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == [base_url(built_site) + "feed.xml"]


def test_pages_link_their_feeds(built_site: Path) -> None:
    for page in [built_site / "index.html", *(f / "index.html" for f in neighborhoods(built_site))]:
        html = page.read_text(encoding="utf-8")
        feeds = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', html)
        assert feeds and all((page.parent / href).is_file() for href in feeds)
        if page.parent != built_site:
            assert "feed.xml" in feeds  # its own, beside the community's


# --- iCalendar ----------------------------------------------------------------------------------------------


def test_calendars_hold_the_meetings_as_recurring_events(built_site: Path) -> None:
    calendars = [built_site / "calendar.ics", *sorted(built_site.glob("*/calendar.ics"))]
    assert len(calendars) >= 2
    uids: list[str] = []
    for path in calendars:
        data = path.read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
        cal = icalendar.Calendar.from_ical(data)
        assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
        events = cal.walk("VEVENT")
        page = (path.parent / "index.html").read_text(encoding="utf-8")
        meetings = page.split('<section id="meetings"', 1)[1].split("</section>", 1)[0]
        assert len(events) == meetings.count('<p class="meeting-name">')
        for event in events:
            uids.append(str(event["UID"]))
            stamp = event.decoded("DTSTAMP")
            assert stamp.tzinfo is not None and stamp.utcoffset() == dt.timedelta(0)
            assert stamp.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == BUILD_DAY
            start = event.decoded("DTSTART")
            assert event["DTSTART"].params["TZID"] == "Asia/Shanghai" and str(start.tzinfo) == "Asia/Shanghai"
            assert f'<p class="meeting-name">{event["SUMMARY"]}</p>' in meetings
            rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
            # The series starts on a day of its own rule, and keeps the meeting's time of day.
            following = list(rule[:6])
            assert following[0] == start
            assert all(d.time() == start.time() for d in following)
    assert len(set(uids)) == len(uids)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.mark.parametrize(
    ("meeting", "rule"),
    [
        (Meeting("a", "weekly", dt.time(15), "x", weekday="friday"), "FREQ=WEEKLY;BYDAY=FR"),
        (Meeting("b", "monthly", dt.time(9), "x", weekday="thursday", week="last"), "FREQ=MONTHLY;BYDAY=-1TH"),
        (Meeting("c", "monthly", dt.time(9), "x", weekday="wednesday", week="2"), "FREQ=MONTHLY;BYDAY=2WE"),
        (Meeting("d", "monthly", dt.time(9), "x", day=31), "FREQ=MONTHLY;BYMONTHDAY=31"),
    ],
)
def test_meeting_dates_agree_with_an_independent_rrule(meeting: Meeting, rule: str) -> None:
    since = dt.date(2026, 11, 22)
    expected = rrulestr(rule, dtstart=dt.datetime(2026, 1, 1))
    days = [d.date() for d in expected.between(dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1), inc=True)]
    every_day = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(730)]
    assert [d for d in every_day if occurs_on(meeting, d)] == days
    assert first_date(meeting, since) == min(d for d in days if d >= since)


# --- vCard -------------------------------------------------------------------------------------------------


def vcards(path: Path) -> list[dict[str, list[str]]]:
    """Each card of a .vcf as {property name: [values]}, after unfolding (RFC 2425)."""
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b""), "lines end in CRLF"
    lines = data.decode("utf-8").split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = "\r\n".join(lines).replace("\r\n ", "").split("\r\n")
    cards: list[dict[str, list[str]]] = []
    for line in filter(None, unfolded):
        name, _, value = line.partition(":")
        if line == "BEGIN:VCARD":
            cards.append({})
        cards[-1].setdefault(name.split(";")[0].split(".")[-1], []).append(value)  # item1.TEL is a TEL
    return cards


def test_each_neighborhood_offers_its_contacts_as_one_vcard_file(built_site: Path) -> None:
    for folder in neighborhoods(built_site):
        cards = vcards(folder / "contacts.vcf")
        assert cards and all(c["VERSION"] == ["3.0"] and c["END"] == ["VCARD"] for c in cards)
        assert all("N" in c and "FN" in c and len(c["TEL"]) == 1 for c in cards)
        html = (folder / "index.html").read_text(encoding="utf-8")
        card = html.split('<section id="card"', 1)[1].split("</section>", 1)[0]
        save = html.split('<section id="save"', 1)[1].split("</section>", 1)[0]
        assert 'href="contacts.vcf"' in save and "在浏览器打开" in save
        dialled = {c["TEL"][0] for c in cards}
        # Every number on the page's name card can be saved.
        for tel in re.findall(r'href="tel:([^"]+)"', card.split('<p class="verified">')[0]):
            assert tel in dialled, (folder.name, tel)


def test_vcard_text_is_escaped() -> None:
    from sitegen.plan.vcard import make_vcard

    card = make_vcard("李,四;五\\六", "13900000001", org="a\nb")
    assert "FN:李\\,四\\;五\\\\六\r\n" in card and "ORG:a\\nb\r\n" in card


# --- sitemaps and robots.txt -----------------------------------------------------------------------------------


def test_sitemap_index_lists_one_sitemap_per_neighborhood_covering_every_page(built_site: Path) -> None:
    base = base_url(built_site)
    index = ElementTree.parse(built_site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    maps = [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")]
    editions = 2 if (built_site / "en").is_dir() else 1  # each edition of a neighborhood has its sitemap
    assert len(maps) == 1 + len(neighborhoods(built_site)) * editions
    listed: list[Path] = []
    for address in maps:
        path = local_file(built_site, address)
        urlset = ElementTree.parse(path).getroot()
        assert urlset.tag == f"{SITEMAP}urlset"
        folder = address.rsplit("/", 1)[0] + "/"
        for entry in urlset.iter(f"{SITEMAP}url"):
            loc = entry.findtext(f"{SITEMAP}loc") or ""
            assert loc.startswith(folder), "a sitemap lists only pages below its own folder"
            lastmod = entry.findtext(f"{SITEMAP}lastmod")
            if lastmod:
                dt.date.fromisoformat(lastmod)
            listed.append(local_file(built_site, loc))
    assert len(listed) <= 50_000 * len(maps) and len(set(listed)) == len(listed)
    pages = {p for p in built_site.rglob("*.html") if "print" not in p.relative_to(built_site).parts[:2]}
    assert set(listed) == pages - {built_site / "404.html"}
    robots = (built_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


def test_without_a_base_url_links_are_relative_and_there_is_no_sitemap(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("base_url: https://example.org/community/\n", ""), "utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    assert not list(out.rglob("sitemap*.xml"))
    assert "Sitemap" not in (out / "robots.txt").read_text(encoding="utf-8")
    feed = ElementTree.parse(out / "lanting" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert (entry.findtext(f"{ATOM}id") or "").startswith("urn:uuid:")
        href = entry.find(f"{ATOM}link").get("href") or ""  # type: ignore[union-attr]
        assert (out / "lanting" / href).is_file()
    data = json.loads((out / "data" / "index.json").read_text(encoding="utf-8"))
    assert all((out / n["data"]).is_file() and (out / n["url"]).is_file() for n in data["neighborhoods"])


# --- JSON-LD ---------------------------------------------------------------------------------------------------


def json_ld(page: Path) -> list[dict[str, Any]]:
    blocks = parse(page).data_blocks
    assert len(blocks) == 1, page
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    graph: list[dict[str, Any]] = data["@graph"]
    return graph


def types(graph: list[dict[str, Any]]) -> list[str]:
    return [node["@type"] for node in graph]


def test_home_and_neighborhood_pages_describe_themselves_in_json_ld(built_site: Path) -> None:
    home = json_ld(built_site / "index.html")
    assert types(home).count("GovernmentOrganization") == 1
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert types(home).count("Event") == html.count('<p class="meeting-name">')
    assert types(home).count("SpecialAnnouncement") == len(current_notice_links(built_site / "index.html"))
    for event in (n for n in home if n["@type"] == "Event"):
        start = dt.datetime.fromisoformat(event["startDate"])
        assert start.utcoffset() == dt.timedelta(hours=8)
        assert event["eventSchedule"]["repeatFrequency"] in ("P1W", "P1M")
    for folder in neighborhoods(built_site):
        graph = json_ld(folder / "index.html")
        page = folder / "index.html"
        assert "ApartmentComplex" in types(graph)
        assert types(graph).count("SpecialAnnouncement") == len(current_notice_links(page))
        org = next(n for n in graph if n["@type"] == "GovernmentOrganization")
        phones = {p["telephone"] for p in org["contactPoint"]}
        cards = vcards(folder / "contacts.vcf")  # people (with a TITLE), then offices and services
        assert {c["TEL"][0] for c in cards if c.get("TITLE")} < phones <= {c["TEL"][0] for c in cards}


def test_json_ld_cannot_end_its_script_element() -> None:
    from sitegen.plan.opendata import script

    hostile = {"name": "</script><script>alert(1)</script> & <!-- \u2028"}
    html = str(script(hostile))
    inner = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == hostile


# --- open data ---------------------------------------------------------------------------------------------------


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_open_data_lists_every_neighborhood_and_its_public_contacts(built_site: Path) -> None:
    index = json.loads((built_site / "data" / "index.json").read_text(encoding="utf-8"))
    assert index["as_of"] == BUILD_DAY.isoformat()
    assert [n["slug"] for n in index["neighborhoods"]] == [f.name for f in neighborhoods(built_site)]
    for entry in index["neighborhoods"]:
        record = json.loads(local_file(built_site, entry["data"]).read_text(encoding="utf-8"))
        assert local_file(built_site, entry["url"]).is_file() and record["location"]["id"] == entry["id"]
        contacts = {p["number"] for c in record["contacts"] for p in c["phones"]}
        cards = vcards(built_site / entry["slug"] / "contacts.vcf")
        people = {c["TEL"][0].split(",")[0] for c in cards if c.get("TITLE")}
        assert people < contacts <= {c["TEL"][0].split(",")[0] for c in cards}  # and offices
        for schedule in record["schedules"]:
            assert schedule["freq"] in ("WEEKLY", "MONTHLY") and schedule["timezone"] == 8


def test_every_open_data_field_is_documented(built_site: Path) -> None:
    doc = (ROOT / "docs" / "open-data.md").read_text(encoding="utf-8")
    found: set[str] = set()
    for path in (built_site / "data").glob("*.json"):
        found |= keys(json.loads(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in found if f"`{k}`" not in doc)
    assert missing == []


def test_masked_volunteer_mobiles_stay_out_of_every_file_but_the_print_sheets(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "mask_personal_mobiles: true\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out)]) == 0
    # The volunteers of the minimal site who agreed to publish their mobiles: building head, unit head.
    volunteers = ("13900000012", "139 0000 0012", "13900000014", "139 0000 0014")
    files = [p for p in out.rglob("*") if p.is_file() and "print" not in p.relative_to(out).parts]
    leaks = [f"{p.relative_to(out)}: {v}" for p in files for v in volunteers if v.encode() in p.read_bytes()]
    assert leaks == []
    assert "13900000001" in (out / "lanting" / "contacts.vcf").read_text(encoding="utf-8")  # official roles stay


def test_meeting_ids_survive_a_new_time_and_tell_namesakes_apart() -> None:
    from sitegen.plan.meetings import meeting_keys

    weekly = Meeting("楼栋议事会", "weekly", dt.time(19), "会所", weekday="monday")
    moved = Meeting("楼栋议事会", "weekly", dt.time(20), "会所", weekday="tuesday")
    assert meeting_keys("a", [weekly]) == meeting_keys("a", [moved])
    assert meeting_keys("a", [weekly]) != meeting_keys("b", [weekly])
    assert len(set(meeting_keys("a", [weekly, moved]))) == 2
