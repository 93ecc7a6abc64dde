"""Notices and dates: notices with their dates and expiry, recurring meetings, and how fresh the contact data is."""

from __future__ import annotations

import datetime as dt

from sitegen.content import format as cs
from sitegen.content.links import checked_text
from sitegen.content.model import Meeting, Notice
from sitegen.content.parse import RawDocument
from sitegen.content.schema import INVALID, Checker, Rec, check_document
from sitegen.errors import ContentError
from sitegen.i18n import _

STALE_AFTER_DAYS = 180
# A date further ahead than this is most likely a mistyped year.
FAR_AHEAD_DAYS = 366


def check_notices(
    documents: list[RawDocument], owner: str, today: dt.date, area_code: str, problems: list[ContentError]
) -> tuple[Notice, ...]:
    """The notices of ``owner`` (a neighborhood's slug, or "" for the community's), newest and pinned first.

    Their problems go to ``problems``; a notice that cannot be read whole is left out.
    """
    notices = []
    for doc in documents:
        rec, found = check_document(doc, cs.NOTICE, area_code)
        problems += found
        if rec is INVALID or not rec.complete:
            continue
        ctx = Checker(doc, problems, area_code)
        _far_ahead(ctx, rec, today)
        expires = rec.get("expires")
        dates_agree = expires is None or expires >= rec["date"]
        if not dates_agree:
            ctx.report(
                rec.where("expires"),
                _("the notice expires before its date"),
                _("`expires:` is the last day it is current"),
            )
        if rec.get("pinned") and expires is not None and expires < today:
            ctx.report(
                rec.where("pinned"),
                _("the notice expired on {date} but is still pinned", date=str(expires)),
                _("remove `pinned: true`; it has moved to the archive"),
                "warning",
            )
        body = checked_text(doc, problems)
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


def _far_ahead(ctx: Checker, rec: Rec, today: dt.date) -> None:
    """Warn about a notice's dates more than a year after the date the site is built as of."""
    hints = {
        "date": _("check the year: the notice is dated more than a year ahead"),
        "expires": _("check the year; a notice that stays current needs no `expires:`"),
    }
    for key, hint in hints.items():
        date = rec.get(key)
        if date is not None and (date - today).days > FAR_AHEAD_DAYS:
            ctx.report(
                rec.where(key),
                _(
                    "`{key}: {date}` is more than a year after {today}, the date the site is built as of",
                    key=key,
                    date=str(date),
                    today=str(today),
                ),
                hint,
                "warning",
            )


def year_ahead(ctx: Checker, rec: Rec, key: str, today: dt.date) -> None:
    """Warn about a year (a neighborhood's founding, an honour) after the year the site is built in."""
    year = rec.get(key)
    if year is not None and year > today.year:
        ctx.report(
            rec.where(key),
            _("the year {year} is after {today}, the date the site is built as of", year=year, today=str(today)),
            _("check the year"),
            "warning",
        )


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


def check_meetings(ctx: Checker, records: list[Rec]) -> tuple[Meeting, ...]:
    meetings = (_meeting(ctx, r) for r in records)
    return tuple(m for m in meetings if m is not None)


def check_verified_on(ctx: Checker, record: Rec, today: dt.date) -> None:
    """Warn when the contact data's `verified_on` lies in the future or long ago."""
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
