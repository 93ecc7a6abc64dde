"""Write notices as Atom feeds (feedgen) and recurring meetings as iCalendar files (icalendar)."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sitegen
from sitegen.content.markdown import render_markdown
from sitegen.content.model import Meeting, Notice
from sitegen.plan.meetings import CHINA, TIMEZONE, first_end, first_start, meeting_keys, recurrence
from sitegen.plan.routes import notice_url
from sitegen.plan.urls import relative_url


@dataclass(frozen=True)
class Links:
    """How a file written at ``dest`` refers to the site's files: absolute with a base URL, else relative."""

    dest: str
    base_url: str
    site_name: str

    def href(self, target: str) -> str:
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/{target}"
        return relative_url(self.dest, target)

    def id(self, target: str) -> str:
        """A permanent id for a file of the site: its address, or without one a name-based UUID."""
        if self.base_url:
            return self.href(target)
        return uuid.uuid5(uuid.NAMESPACE_URL, f"sitegen:{self.site_name}/{target}").urn

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def _at_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), CHINA)


def atom_feed(links: Links, title: str, author: str, page: str, notices: Sequence[Notice], today: dt.date) -> bytes:
    """An Atom feed of ``notices`` (in their order), mirroring the HTML page ``page``.

    Dates come from the notices (a feed without notices is as of the build date), never from the clock.
    """
    from feedgen.feed import FeedGenerator  # imported when a feed is written: lxml is slow to load

    feed = FeedGenerator()
    feed.id(links.id(links.dest))
    feed.title(title)
    feed.author({"name": author})
    feed.link(href=links.href(page), rel="alternate", type="text/html")
    if links.base_url:
        feed.link(href=links.href(links.dest), rel="self", type="application/atom+xml")
    feed.language("zh-CN")
    feed.generator("sitegen", version=sitegen.__version__)
    feed.updated(_at_midnight(max((n.date for n in notices), default=today)))
    for notice in notices:
        entry = feed.add_entry(order="append")
        entry.id(links.id(notice_url(notice)))
        entry.title(notice.title)
        entry.link(href=links.href(notice_url(notice)), rel="alternate", type="text/html")
        entry.published(_at_midnight(notice.date))
        entry.updated(_at_midnight(notice.date))
        entry.content(str(render_markdown(notice.body)), type="html")
    data: bytes = feed.atom_str(pretty=True)
    return data


# A time zone without the daylight-saving years of 1986–1991: meetings here start later than that.
ZONE_FROM = dt.date(1992, 1, 1)
ZONE_UNTIL = dt.date(2100, 1, 1)


@functools.cache
def _vtimezone() -> Any:
    """Asia/Shanghai as a VTIMEZONE, worked out once (it takes longer than the rest of a calendar)."""
    import icalendar

    return icalendar.Timezone.from_tzid(TIMEZONE, first_date=ZONE_FROM, last_date=ZONE_UNTIL)


def calendar(links: Links, name: str, scope: str, meetings: Sequence[Meeting], since: dt.date, today: dt.date) -> bytes:
    """An iCalendar file with one recurring event per meeting, starting on or after ``since``.

    Times are in Asia/Shanghai, with the VTIMEZONE included for calendars without a time-zone
    database. DTSTAMP is the build date (midnight China time), so the same content gives the same bytes.
    """
    import icalendar  # imported when a calendar is written

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//sitegen {sitegen.__version__}//{links.site_name}//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TIMEZONE)
    stamp = _at_midnight(today).astimezone(dt.UTC)
    at = f"@{links.host}" if links.host else ""
    keys = meeting_keys(f"{links.site_name}/{scope}", meetings)
    for meeting, key in zip(meetings, keys, strict=True):
        event = icalendar.Event()
        event.add("uid", f"meeting-{key}{at}")
        event.add("dtstamp", stamp)
        event.add("summary", meeting.name)
        event.add("dtstart", first_start(meeting, since))
        end = first_end(meeting, since)
        if end:
            event.add("dtend", end)
        event.add("rrule", recurrence(meeting))
        event.add("location", meeting.place)
        if meeting.description:
            event.add("description", meeting.description)
        if links.base_url:
            event.add("url", links.href(f"{scope}/index.html#meetings" if scope else "index.html#meetings"))
        cal.add_component(event)
    if TIMEZONE in cal.get_missing_tzids():
        cal.subcomponents.insert(0, _vtimezone())
    data: bytes = cal.to_ical()
    return data
