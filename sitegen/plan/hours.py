"""Read opening hours as editors write them (每天 8:00–20:00, 周一至周五 9:00–17:00) as days and times, for programs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

ALL_DAYS = tuple(range(7))  # Monday is 0, as in datetime
_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WEEK = r"(?:每)?(?:周|星期|礼拜)"
_TO = r"\s*(?:至|到|-|–|—|~)\s*"
_TOKENS = re.compile(
    rf"""
    (?P<every>每天|每日|天天|全周|周一至周日|周一到周日)
    | (?P<workdays>工作日)
    | (?P<weekend>周末|双休日)
    | (?P<span>{_WEEK}(?P<first>[一二三四五六日天七]){_TO}(?:周|星期|礼拜)?(?P<last>[一二三四五六日天七]))
    | (?P<closed>\(?(?P<off>(?:(?:周|星期|礼拜)[一二三四五六日天七]、?)+)(?:休息|不营业|闭店|休)\)?)
    | (?P<day>{_WEEK}(?P<one>[一二三四五六日天七]))
    | (?P<round>(?:全天)?24\s*小时(?:营业|服务|接听|值班)?)
    | (?P<part>上午|中午|下午|晚上)
    | (?P<range>(?P<h1>\d{{1,2}}):(?P<m1>\d{{2}}){_TO}(?:次日\s*)?(?P<h2>\d{{1,2}}):(?P<m2>\d{{2}}))
    | (?P<also>、)
    | (?P<gap>[\s,;]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Opening:
    """Open on ``days`` (0 is Monday) from ``opens`` to ``closes``; a ``closes`` before ``opens`` is the next day."""

    days: tuple[int, ...]
    opens: dt.time
    closes: dt.time


def parse_hours(text: str) -> list[Opening] | None:
    """The openings that ``text`` gives, or None when any part of it is not understood (a note, holidays …)."""
    text = unicodedata.normalize("NFKC", text).strip()
    openings: list[Opening] = []
    days: set[int] = set()
    joining = False  # the last token was a day or 、: the next day adds to the same days
    afternoon = False
    position = 0
    while position < len(text):
        token = _TOKENS.match(text, position)
        if token is None:
            return None
        position, kind = token.end(), token.lastgroup
        if kind in ("every", "workdays", "weekend", "span", "day"):
            found = _days(token)
            days = (days | found) if joining else found
            joining, afternoon = True, False
            continue
        joining = kind == "also" and joining
        if kind == "part":
            afternoon = token.group("part") in ("下午", "晚上")
        elif kind == "closed":
            off = {_DAY[c] for c in token.group("off") if c in _DAY}
            openings = [Opening(tuple(d for d in o.days if d not in off), o.opens, o.closes) for o in openings]
        elif kind == "round":
            openings.append(Opening(_sorted(days), dt.time(0, 0), dt.time(23, 59)))
        elif kind == "range":
            times = _times(token, afternoon)
            if times is None:
                return None
            openings.append(Opening(_sorted(days), *times))
    return [o for o in openings if o.days] or None


def _days(token: re.Match[str]) -> set[int]:
    kind = token.lastgroup
    if kind == "every":
        return set(ALL_DAYS)
    if kind == "workdays":
        return set(range(5))
    if kind == "weekend":
        return {5, 6}
    if kind == "span":
        first, last = _DAY[token.group("first")], _DAY[token.group("last")]
        return set(range(first, last + 1)) if first <= last else set(range(first, 7)) | set(range(0, last + 1))
    return {_DAY[token.group("one")]}


def _sorted(days: set[int]) -> tuple[int, ...]:
    return tuple(sorted(days)) if days else ALL_DAYS  # hours alone: every day


def _times(token: re.Match[str], afternoon: bool) -> tuple[dt.time, dt.time] | None:
    """The range's times (24:00 as the day's last minute); None for a time that does not exist."""
    hours = [int(token.group("h1")), int(token.group("h2"))]
    minutes = [int(token.group("m1")), int(token.group("m2"))]
    if afternoon:
        hours = [h + 12 if h < 12 else h for h in hours]
    if any(h > 24 or m > 59 or (h == 24 and m) for h, m in zip(hours, minutes, strict=True)):
        return None
    opens = dt.time(hours[0] % 24, minutes[0])
    closes = dt.time(23, 59) if hours[1] == 24 else dt.time(hours[1], minutes[1])
    return opens, closes
