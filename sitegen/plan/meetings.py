"""Recurring meetings as calendars see them: the first date, the recurrence rule, a stable id."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sitegen.content.model import Meeting

TIMEZONE = "Asia/Shanghai"
CHINA = ZoneInfo(TIMEZONE)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# iCalendar's and schema.org's names for them.
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday(meeting: Meeting) -> int:
    return WEEKDAYS.index(meeting.weekday)


def _week_number(meeting: Meeting) -> int:
    """The nth weekday of the month: 1–4, or -1 for the last."""
    return -1 if meeting.week == "last" else int(meeting.week)


def occurs_on(meeting: Meeting, day: dt.date) -> bool:
    """Whether the meeting takes place on ``day``."""
    if meeting.repeat == "weekly":
        return day.weekday() == _weekday(meeting)
    if meeting.day is not None:
        return day.day == meeting.day
    if day.weekday() != _weekday(meeting):
        return False
    if meeting.week == "last":
        return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == int(meeting.week)


def first_date(meeting: Meeting, since: dt.date) -> dt.date:
    """The first day on or after ``since`` when the meeting takes place (a series must start on one)."""
    day = since
    while not occurs_on(meeting, day):  # at most a year: every rule here matches some day of 12 months
        day += dt.timedelta(days=1)
    return day


def first_start(meeting: Meeting, since: dt.date) -> dt.datetime:
    """When the first meeting on or after ``since`` starts, in China time."""
    return dt.datetime.combine(first_date(meeting, since), meeting.start, CHINA)


def first_end(meeting: Meeting, since: dt.date) -> dt.datetime | None:
    if meeting.end is None:
        return None
    return dt.datetime.combine(first_date(meeting, since), meeting.end, CHINA)


def recurrence(meeting: Meeting) -> dict[str, str]:
    """The iCalendar RRULE parts (RFC 5545): FREQ and BYDAY or BYMONTHDAY."""
    if meeting.repeat == "weekly":
        return {"FREQ": "WEEKLY", "BYDAY": ICAL_DAYS[_weekday(meeting)]}
    if meeting.day is not None:
        return {"FREQ": "MONTHLY", "BYMONTHDAY": str(meeting.day)}
    return {"FREQ": "MONTHLY", "BYDAY": f"{_week_number(meeting)}{ICAL_DAYS[_weekday(meeting)]}"}


def schema_day(meeting: Meeting) -> str:
    """The schema.org DayOfWeek URL of a meeting held on a weekday, else ''."""
    return f"https://schema.org/{SCHEMA_DAYS[_weekday(meeting)]}" if meeting.weekday and meeting.day is None else ""


def week_of_month(meeting: Meeting) -> int | None:
    return _week_number(meeting) if meeting.repeat == "monthly" and meeting.week else None


def meeting_keys(scope: str, meetings: Iterable[Meeting]) -> list[str]:
    """A stable id for each meeting series, from its owner (a slug, or '' for the community) and its name.

    Changing a meeting's time keeps its id; a second meeting of the same name gets its own.
    """
    keys, seen = [], Counter[str]()
    for meeting in meetings:
        seen[meeting.name] += 1
        name = meeting.name if seen[meeting.name] == 1 else f"{meeting.name}\n{seen[meeting.name]}"
        keys.append(hashlib.sha1(f"{scope}\n{name}".encode()).hexdigest()[:12])
    return keys
