"""Describe the community for machines: public contacts, open data records and schema.org JSON-LD."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from sitegen.content.markdown import plain_text
from sitegen.content.model import Meeting, Neighborhood, Notice, Person, Service, Site
from sitegen.content.phone import Phone
from sitegen.i18n import _, in_chinese
from sitegen.plan.hours import Opening, parse_hours
from sitegen.plan.meetings import (
    ICAL_DAYS,
    SCHEMA_DAYS,
    TIMEZONE,
    first_end,
    first_start,
    meeting_keys,
    recurrence,
    schema_day,
    week_of_month,
)

FORMAT_VERSION = 2  # 2: HSDS 3 ids (UUIDs), `schedules` lists, a numeric `timezone`
UTC_OFFSET, ZONE = 8, "+08:00"  # China time, the meetings' time zone (Asia/Shanghai has no summer time)


@dataclass(frozen=True)
class Contact:
    """A public contact: who (a person, or an office), in which role, and the number to call."""

    role: str
    name: str
    phone: Phone
    org: str = ""
    organization: bool = False  # the name is of an office or a company, not of a person


def public_phone(site: Site, person: Person | None) -> Phone | None:
    """The phone a file may publish whole: none for a volunteer's mobile that the site masks on its pages."""
    if person is None or person.phone is None:
        return None
    if person.personal and site.mask_personal_mobiles and person.phone.is_mobile:
        return None
    return person.phone


def neighborhood_contacts(site: Site, n: Neighborhood) -> list[Contact]:
    """The contacts of a neighborhood's name card, its grid teams, its property service and the community office.

    Building and unit heads are left out: residents find theirs on the page of their building.
    """
    found: list[Contact] = []
    if n.property_phone:
        office = n.property_company or in_chinese(_("Property service centre"))
        found.append(Contact(in_chinese(_("Property service phone")), office, n.property_phone, organization=True))
    people: list[tuple[str, Person | None]] = [
        (in_chinese(_("Property manager")), n.property_manager),
        (in_chinese(_("Community liaison leader")), n.community_leader),
        (in_chinese(_("Resident-unit instructor")), n.instructor),
    ]
    for grid in n.grids():
        people += [
            (in_chinese(_("{grid} grid head", grid=grid.name)), grid.head),
            (in_chinese(_("{grid} full-time grid worker", grid=grid.name)), grid.worker),
            (in_chinese(_("{grid} grid police officer", grid=grid.name)), grid.police),
        ]
    seen: set[tuple[str, str]] = set()
    for role, person in people:
        phone = public_phone(site, person)
        if person is None or phone is None or (person.name, phone.digits) in seen:
            continue
        seen.add((person.name, phone.digits))
        found.append(Contact(role, person.name, phone, person.org))
    committee = in_chinese(_("{name} residents' committee", name=site.name))
    found.append(Contact(in_chinese(_("Residents' committee")), committee, site.office.phone, organization=True))
    return found


def dial(phone: Phone) -> str:
    """The number to dial, with ``,extension`` after a pause."""
    return phone.tel.removeprefix("tel:")


# --- open data: Open Referral HSDS 3 objects (organization, location, service, contact, phone, schedule) ---


class Ids:
    """HSDS ids: name-based UUIDs (RFC 4122, version 5) from the community and a record's stable key, so the
    same record has the same id in every build, and a record of another community never shares it."""

    def __init__(self, site: Site) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"sitegen:{site.name}/data")

    def __call__(self, *key: str) -> str:
        return str(uuid.uuid5(self.namespace, "/".join(key)))


def _phones(ids: Ids, owner: str, phone: Phone | None) -> list[dict[str, Any]]:
    """An HSDS phone list: the digits to dial, the extension as a number (HSDS) unless it starts with 0."""
    if phone is None:
        return []
    record: dict[str, Any] = {"id": ids("phone", owner), "number": phone.digits}
    if phone.extension and not phone.extension.startswith("0"):
        record["extension"] = int(phone.extension)
    elif phone.extension:
        record["number"] = f"{phone.digits},{phone.extension}"
    record["type"] = "cell" if phone.is_mobile else "voice"
    return [record]


def _schedules(ids: Ids, scope: str, meetings: Sequence[Meeting], since: Any) -> list[dict[str, Any]]:
    """Meetings as HSDS schedules: the recurrence rule as fields, times of day in China time (UTC+8)."""
    found = []
    for key, meeting in zip(meeting_keys(scope, meetings), meetings, strict=True):
        rule = {part.lower(): value for part, value in recurrence(meeting).items()}
        record: dict[str, Any] = {"id": ids("schedule", key), "name": meeting.name, **rule, "interval": 1}
        record["dtstart"] = first_start(meeting, since).date().isoformat()
        record["timezone"] = UTC_OFFSET
        record["opens_at"] = f"{meeting.start:%H:%M}{ZONE}"
        if meeting.end:
            record["closes_at"] = f"{meeting.end:%H:%M}{ZONE}"
        record["location"] = {"name": meeting.place}
        if meeting.description:
            record["description"] = meeting.description
        found.append(record)
    return found


def _hours(ids: Ids, owner: str, *texts: str) -> list[dict[str, Any]]:
    """Opening hours as HSDS schedules: weekly, with days and times where the text says them plainly
    (每天 8:00–20:00), else only its ``description``."""
    found: list[dict[str, Any]] = []
    for text in filter(None, texts):
        parsed = parse_hours(text)
        openings: list[Opening | None] = list(parsed) if parsed else [None]
        for opening in openings:
            record: dict[str, Any] = {"id": ids("schedule", owner, str(len(found)))}
            if opening:
                record |= {"freq": "WEEKLY", "interval": 1, "byday": ",".join(ICAL_DAYS[d] for d in opening.days)}
                record |= {"opens_at": f"{opening.opens:%H:%M}{ZONE}", "closes_at": f"{opening.closes:%H:%M}{ZONE}"}
                record["timezone"] = UTC_OFFSET
            found.append(record | {"description": text})
    return found


def hours_available(hours: str) -> list[dict[str, Any]]:
    """schema.org OpeningHoursSpecifications of the hours, or [] when the text is not plain enough."""
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[d]}" for d in opening.days],
            "opens": f"{opening.opens:%H:%M}",
            "closes": f"{opening.closes:%H:%M}",
        }
        for opening in parse_hours(hours) or []
    ]


def _service(ids: Ids, service: Service, kind: str, key: str) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ids("service", key), "name": service.name, "status": "active"}
    record |= {"category": service.category, "kind": kind}
    if service.note:
        record["description"] = service.note
    if service.url:
        record["url"] = service.url
    record["phones"] = _phones(ids, f"service/{key}", service.phone)
    record["schedules"] = _hours(ids, f"service/{key}", service.hours)
    if service.address:
        record["address"] = {"address_1": service.address}
    return record


def _contact(ids: Ids, slug: str, contact: Contact) -> dict[str, Any]:
    key = f"{slug}/{contact.role}/{contact.name}"
    record: dict[str, Any] = {"id": ids("contact", key), "name": contact.name, "title": contact.role}
    if contact.org:
        record["organization"] = contact.org
    record["phones"] = _phones(ids, f"contact/{key}", contact.phone)
    return record


def community_record(site: Site, link: Any) -> dict[str, Any]:
    """``data/index.json``: the community, whom to call for what, its meetings, and its neighborhoods.

    ``link(dest)`` makes the address of a file of the site (absolute with a base URL).
    """
    ids = Ids(site)
    office = site.office
    organization: dict[str, Any] = {
        "id": ids("organization"),
        "name": site.name,
        "description": plain_text(site.intro) if site.intro else "",
    }
    if site.base_url:
        organization["website"] = link("index.html")
    organization |= {
        "url": link("index.html"),
        "phones": _phones(ids, "organization", office.phone),
        "locations": [
            {
                "id": ids("location", "office"),
                "location_type": "physical",
                "name": in_chinese(_("{name} residents' committee", name=site.name)),
                "address": {"address_1": office.address},
                "schedules": _hours(ids, "office", *office.hours),
            }
        ],
        "district": site.district,
        "street": site.street,
    }
    services = [
        {
            "id": ids("service", category.id),
            "name": category.name,
            "status": "active",
            "category": in_chinese(_("Who to call")),
            "kind": "category",
            "description": category.examples,
            "handler": category.handler,
            "promise": category.promise,
            "phones": _phones(ids, f"service/{category.id}", category.phone or public_phone(site, category.contact)),
        }
        for category in site.categories
    ]
    services += [
        {
            "id": ids("service", f"emergency-{e.phone.digits}"),
            "name": e.name,
            "status": "active",
            "category": in_chinese(_("Emergency numbers")),
            "kind": "emergency",
            "description": e.note,
            "phones": _phones(ids, f"service/emergency-{e.phone.digits}", e.phone),
        }
        for e in site.emergency
    ]
    return {
        "version": FORMAT_VERSION,
        "as_of": site.today.isoformat(),
        "organization": organization,
        "services": services,
        "schedules": _schedules(ids, "", site.meetings, site.verified_on or site.today),
        "neighborhoods": [
            {
                "id": ids("location", n.slug),
                "slug": n.slug,
                "name": n.name,
                "url": link(f"{n.slug}/index.html"),
                "data": link(f"data/{n.slug}.json"),
            }
            for n in site.neighborhoods
        ],
    }


def neighborhood_record(site: Site, n: Neighborhood, link: Any, service_keys: Any) -> dict[str, Any]:
    """``data/<slug>.json``: one neighborhood's facts, public contacts, services and meetings."""
    ids = Ids(site)
    location: dict[str, Any] = {"id": ids("location", n.slug), "location_type": "physical", "name": n.name}
    if n.address:
        location["address"] = {"address_1": n.address}
    facts = {"founded": n.founded, "households": n.households, "residents": n.residents}
    location.update((key, value) for key, value in facts.items() if value is not None)
    services = [_service(ids, s, "channel", f"{n.slug}/{service_keys(s)}") for s in n.channels]
    services += [_service(ids, s, "service", f"{n.slug}/{service_keys(s)}") for s in n.services]
    company = None
    if n.property_company:
        company = {"name": n.property_company, "phones": _phones(ids, f"{n.slug}/property", n.property_phone)}
    return {
        "version": FORMAT_VERSION,
        "as_of": site.today.isoformat(),
        "verified_on": n.verified_on.isoformat(),
        "organization_id": ids("organization"),
        "slug": n.slug,
        "url": link(f"{n.slug}/index.html"),
        "location": location,
        "property_company": company,
        "contacts": [_contact(ids, n.slug, c) for c in neighborhood_contacts(site, n)],
        "services": services,
        "schedules": _schedules(ids, n.slug, n.meetings, n.verified_on),
    }


def to_json(record: Any) -> bytes:
    """A record as UTF-8 JSON, readable and the same bytes for the same record."""
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --- schema.org JSON-LD -------------------------------------------------------------------------------


def script(data: Any) -> Markup:
    """A JSON-LD ``<script>`` element whose text cannot end the element, whatever the content says."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup('<script type="application/ld+json">') + Markup(text) + Markup("</script>")


def _absolute(base_url: str, dest: str) -> str:
    return f"{base_url.rstrip('/')}/{dest}" if base_url else ""


def _organization(site: Site, base_url: str) -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "name": in_chinese(_("{name} residents' committee", name=site.name)),
    }
    if base_url:
        org["@id"] = _absolute(base_url, "index.html#office")
        org["url"] = _absolute(base_url, "index.html")
    org["telephone"] = dial(site.office.phone)
    org["address"] = {"@type": "PostalAddress", "streetAddress": site.office.address, "addressCountry": "CN"}
    if site.district:
        org["address"]["addressLocality"] = site.district
    return org


def _events(meetings: Sequence[Meeting], since: Any, organizer: dict[str, Any]) -> list[dict[str, Any]]:
    events = []
    for meeting in meetings:
        schedule: dict[str, Any] = {"@type": "Schedule", "scheduleTimezone": TIMEZONE}
        schedule["repeatFrequency"] = "P1W" if meeting.repeat == "weekly" else "P1M"
        schedule["startTime"] = meeting.start.strftime("%H:%M")
        if meeting.end:
            schedule["endTime"] = meeting.end.strftime("%H:%M")
        if schema_day(meeting):
            schedule["byDay"] = schema_day(meeting)
        if meeting.day is not None:
            schedule["byMonthDay"] = meeting.day
        if week_of_month(meeting) is not None:
            schedule["byMonthWeek"] = week_of_month(meeting)
        event: dict[str, Any] = {"@type": "Event", "name": meeting.name}
        event["startDate"] = first_start(meeting, since).isoformat()
        end = first_end(meeting, since)
        if end:
            event["endDate"] = end.isoformat()
        event["eventSchedule"] = schedule
        event["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        event["location"] = {"@type": "Place", "name": meeting.place}
        event["organizer"] = organizer
        if meeting.description:
            event["description"] = meeting.description
        events.append(event)
    return events


def _announcements(notices: Iterable[Notice], base_url: str) -> list[dict[str, Any]]:
    found = []
    for notice in notices:
        item: dict[str, Any] = {"@type": "SpecialAnnouncement", "name": notice.title}
        item["datePosted"] = notice.date.isoformat()
        if notice.expires:
            item["expires"] = notice.expires.isoformat()
        folder = f"{notice.neighborhood}/notices" if notice.neighborhood else "notices"
        if base_url:
            item["url"] = _absolute(base_url, f"{folder}/{notice.slug}.html")
        item["text"] = plain_text(notice.body)[:200]
        found.append(item)
    return found


def community_json_ld(site: Site, notices: Sequence[Notice], base_url: str) -> Markup:
    """The home page's JSON-LD: the community office, its contact points, meetings and notices."""
    org = _organization(site, base_url)
    points = [{"@type": "ContactPoint", "contactType": e.name, "telephone": dial(e.phone)} for e in site.emergency]
    for category in site.categories:
        phone = category.phone or public_phone(site, category.contact)
        if phone:
            points.append({"@type": "ContactPoint", "contactType": category.name, "telephone": dial(phone)})
    org["contactPoint"] = points
    organizer = {"@type": "GovernmentOrganization", "name": org["name"]}
    graph = [org, *_events(site.meetings, site.verified_on or site.today, organizer)]
    graph += _announcements(notices, base_url)
    return script({"@context": "https://schema.org", "@graph": graph})


def _offer(service: Service, kind: str, n: Neighborhood) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": kind, "name": service.name, "serviceType": service.category}
    item["areaServed"] = {"@type": "Place", "name": n.name}
    channel: dict[str, Any] = {"@type": "ServiceChannel"}
    if service.phone:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": dial(service.phone)}
        if service.hours and hours_available(service.hours):
            channel["servicePhone"]["hoursAvailable"] = hours_available(service.hours)
        elif service.hours:
            channel["servicePhone"]["description"] = service.hours  # not plain enough for days and times
    if service.url:
        channel["serviceUrl"] = service.url
    if service.address:
        channel["serviceLocation"] = {"@type": "Place", "address": service.address}
    if len(channel) > 1:
        item["availableChannel"] = channel
    if service.note:
        item["description"] = service.note
    return item


def neighborhood_json_ld(site: Site, n: Neighborhood, notices: Sequence[Notice], base_url: str) -> Markup:
    """A neighborhood page's JSON-LD: the compound, its public contacts, services, meetings and notices."""
    org = _organization(site, base_url)
    place: dict[str, Any] = {"@type": "ApartmentComplex", "name": n.name}
    if n.address:
        place["address"] = n.address
    if base_url:
        place["url"] = _absolute(base_url, f"{n.slug}/index.html")
    place["containedInPlace"] = {"@type": "AdministrativeArea", "name": site.name}
    points = [
        {"@type": "ContactPoint", "contactType": c.role, "name": c.name, "telephone": dial(c.phone)}
        | ({"description": c.org} if c.org else {})
        for c in neighborhood_contacts(site, n)
    ]
    org["contactPoint"] = points
    graph: list[dict[str, Any]] = [place, org]
    graph += [_offer(s, "GovernmentService", n) for s in n.channels]
    graph += [_offer(s, "Service", n) for s in n.services]
    organizer = {"@type": "Organization", "name": n.name}
    graph += _events(n.meetings, n.verified_on, organizer)
    graph += _announcements(notices, base_url)
    return script({"@context": "https://schema.org", "@graph": graph})
