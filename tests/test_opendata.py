"""Open data as HSDS 3 objects: checked against the published HSDS 3.0 JSON Schemas, and the points HSDS
consumers trip over checked always (UUID ids on phones, contacts and schedules, `schedules` as lists,
a numeric time zone, numeric extensions)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from tests.helpers import MINIMAL_SITE, write_site
from tests.test_exports import json_ld

# The schema/ folder of the HSDS 3.0 specification (github.com/openreferral/specification, branch 3.0;
# CC BY-SA 4.0): organization.json, service.json, … with their $refs to one another.
HSDS_SCHEMAS = os.environ.get("SITEGEN_HSDS_SCHEMAS", "")


def records(site: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, HSDS kind, object) for every HSDS object in the site's open data."""
    index = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    yield "index.json", "organization", index["organization"]
    yield from (("index.json", "location", location) for location in index["organization"]["locations"])
    yield from (("index.json", "service", service) for service in index["services"])
    yield from (("index.json", "schedule", schedule) for schedule in index["schedules"])
    for path in sorted((site / "data").glob("*.json")):
        if path.name == "index.json":
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        yield path.name, "location", record["location"]
        yield from ((path.name, "contact", contact) for contact in record["contacts"])
        yield from ((path.name, "service", service) for service in record["services"])
        yield from ((path.name, "schedule", schedule) for schedule in record["schedules"])


def nested(kind: str, record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The record and the HSDS objects inside it (its phones, a location's or a service's schedules)."""
    yield kind, record
    yield from (("phone", phone) for phone in record.get("phones", []))
    yield from (("schedule", schedule) for schedule in record.get("schedules", []))
    for location in record.get("locations", []):
        yield from nested("location", location)


def every_object(site: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, kind, record in records(site):
        for inner_kind, inner in nested(kind, record):
            yield name, inner_kind, inner


@pytest.fixture(scope="session")
def hsds() -> dict[str, Any]:
    """A validator per HSDS kind, from the published schema files, with their formats checked."""
    if not HSDS_SCHEMAS or not (Path(HSDS_SCHEMAS) / "organization.json").is_file():
        pytest.skip(
            "set SITEGEN_HSDS_SCHEMAS to the schema/ folder of the HSDS 3.0 specification "
            "(openreferral/specification) to validate the open data against it"
        )
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in Path(HSDS_SCHEMAS).glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource(contents, specification=DRAFT202012)) for name, contents in schemas.items()
    )
    checker = Draft202012Validator.FORMAT_CHECKER
    return {
        name.removesuffix(".json"): Draft202012Validator(schema, registry=registry, format_checker=checker)
        for name, schema in schemas.items()
    }


def test_open_data_validates_against_the_published_hsds_3_schemas(built_site: Path, hsds: dict[str, Any]) -> None:
    checked: dict[str, int] = {}
    problems = []
    for name, kind, record in every_object(built_site):
        checked[kind] = checked.get(kind, 0) + 1
        problems += [f"{name} {kind} {list(e.absolute_path)}: {e.message}" for e in hsds[kind].iter_errors(record)]
    assert problems == []
    assert set(checked) == {"organization", "location", "service", "contact", "phone", "schedule"}


def test_the_validator_would_see_what_version_1_got_wrong(hsds: dict[str, Any]) -> None:
    version_1 = {"id": "c-4f634a6d", "name": "12345 市民服务热线", "status": "active"}
    version_1 |= {"schedule": {"description": "24小时"}, "phones": [{"number": "12345", "extension": "8"}]}
    errors = {e.message for e in hsds["service"].iter_errors(version_1)}
    assert "'c-4f634a6d' is not a 'uuid'" in errors and "'id' is a required property" in errors
    assert "'8' is not of type 'number'" in errors
    meeting = {"id": str(uuid.uuid4()), "freq": "MONTHLY", "bymonthday": 15, "timezone": "Asia/Shanghai"}
    errors = {e.message for e in hsds["schedule"].iter_errors(meeting)}
    assert errors == {"15 is not of type 'string'", "'Asia/Shanghai' is not of type 'number'"}


# --- what HSDS consumers rely on, checked without the schema files ------------------------------------------


REQUIRED = {
    "organization": {"id", "name", "description"},
    "location": {"id", "location_type"},
    "service": {"id", "name", "status"},
    "contact": {"id"},
    "phone": {"id", "number"},
    "schedule": {"id"},
}


def test_every_object_has_a_uuid_and_what_hsds_requires(built_site: Path) -> None:
    ids: dict[str, str] = {}
    for name, kind, record in every_object(built_site):
        assert REQUIRED[kind] <= set(record), (name, kind, record)
        assert uuid.UUID(record["id"]).version == 5 and str(uuid.UUID(record["id"])) == record["id"]
        assert ids.setdefault(record["id"], f"{name} {kind}") == f"{name} {kind}", record  # unique
    for _name, kind, record in every_object(built_site):
        if kind == "service":
            assert record["status"] in ("active", "inactive", "defunct", "temporarily closed")
            assert isinstance(record["phones"], list) and isinstance(record.get("schedules", []), list)
        if kind == "location":
            assert record["location_type"] in ("physical", "postal", "virtual")
        if kind == "phone":
            assert isinstance(record.get("extension", 0), int) and record["type"] in ("voice", "cell")
        if kind == "organization" and "website" in record:
            assert record["website"].startswith(("https://", "http://"))


def test_meetings_are_schedules_in_china_time(built_site: Path) -> None:
    meetings = [r for name, kind, r in records(built_site) if kind == "schedule"]
    assert meetings
    for meeting in meetings:
        assert meeting["timezone"] == 8 and meeting["interval"] == 1
        assert meeting["freq"] in ("WEEKLY", "MONTHLY")
        assert meeting["opens_at"].endswith("+08:00") and len(meeting["opens_at"]) == len("19:00+08:00")
        assert isinstance(meeting.get("bymonthday", ""), str) and isinstance(meeting.get("byday", ""), str)


def test_ids_stay_from_build_to_build_and_differ_between_communities(tmp_path: Path) -> None:
    def organization_and_neighborhood(name: str, folder: str) -> tuple[str, str]:
        content = write_site(tmp_path / folder, {"site.yaml": MINIMAL_SITE.replace("测试社区", name, 1)})
        assert main(["build", "-q", "--content", str(content), "--output", str(tmp_path / folder / "out")]) == 0
        index = json.loads((tmp_path / folder / "out" / "data" / "index.json").read_text(encoding="utf-8"))
        return index["organization"]["id"], index["neighborhoods"][0]["id"]

    first = organization_and_neighborhood("测试社区", "a")
    assert organization_and_neighborhood("测试社区", "b") == first
    other = organization_and_neighborhood("另一个社区", "c")
    assert not set(first) & set(other)
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "sitegen:测试社区/data")
    assert first == (str(uuid.uuid5(namespace, "organization")), str(uuid.uuid5(namespace, "location/hexie")))


def test_extensions_are_numbers_unless_a_leading_zero_would_be_lost(tmp_path: Path) -> None:
    services = """
        services:
          - category: 家政
            name: 甲
            phone: 029-0000 3000 转 8001
          - category: 家政
            name: 乙
            phone: 029-0000 3001 转 0123
    """
    neighborhood = "name: 和谐家园\nverified_on: 2026-11-01\n" + services.replace("\n        ", "\n")
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": neighborhood})
    assert main(["build", "-q", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    record = json.loads((tmp_path / "out" / "data" / "hexie.json").read_text(encoding="utf-8"))
    phones = {s["name"]: s["phones"][0] for s in record["services"]}
    assert (phones["甲"]["number"], phones["甲"]["extension"]) == ("02900003000", 8001)
    assert phones["乙"]["number"] == "02900003001,0123" and "extension" not in phones["乙"]


# --- opening hours: HSDS schedules and schema.org OpeningHoursSpecification ------------------------------------

WEEK = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@pytest.mark.parametrize(
    ("text", "openings"),
    [
        ("每天 8:00–20:00", [(WEEK, "08:00", "20:00")]),
        ("24小时", [(WEEK, "00:00", "23:59")]),
        ("每天 6:30–9:00，11:00–13:30", [(WEEK, "06:30", "09:00"), (WEEK, "11:00", "13:30")]),
        ("每天 8:00–19:00（周二休息）", [(("MO", "WE", "TH", "FR", "SA", "SU"), "08:00", "19:00")]),
        ("周一至周五 8:30-11:30, 14:30-17:00", [(WEEK[:5], "08:30", "11:30"), (WEEK[:5], "14:30", "17:00")]),
        ("每周六 9:00–12:00", [(("SA",), "09:00", "12:00")]),
        ("工作日 9:00~17:00；周末 10:00-16:00", [(WEEK[:5], "09:00", "17:00"), (WEEK[5:], "10:00", "16:00")]),
        ("周六、周日 下午 2:00-5:00", [(WEEK[5:], "14:00", "17:00")]),
        ("每天 20:00 至次日 8:00", [(WEEK, "20:00", "08:00")]),
        ("周五至周一 18:00–24:00", [(("MO", "FR", "SA", "SU"), "18:00", "23:59")]),
        ("每天 20:00 至次日 8:00，节假日全天", None),  # holidays: not a weekly rule
        ("周六上午 9:00–12:00（便民服务窗口）", None),  # a note
        ("电话预约", None),
        ("每天 8:00–25:00", None),
    ],
)
def test_opening_hours_as_editors_write_them(
    text: str, openings: list[tuple[tuple[str, ...], str, str]] | None
) -> None:
    from sitegen.plan.hours import parse_hours

    parsed = parse_hours(text)
    said = [(tuple(WEEK[d] for d in o.days), f"{o.opens:%H:%M}", f"{o.closes:%H:%M}") for o in parsed or []]
    assert (said or None) == openings


def test_hours_available_are_opening_hours_specifications(built_site: Path) -> None:
    from sitegen.plan.hours import parse_hours

    seen = 0
    for page in sorted(vcf.parent / "index.html" for vcf in built_site.glob("*/contacts.vcf")):
        for item in json_ld(page):
            phone = item.get("availableChannel", {}).get("servicePhone", {})
            for spec in phone.get("hoursAvailable", []):
                seen += 1
                assert spec["@type"] == "OpeningHoursSpecification"
                assert spec["dayOfWeek"] and all(d.startswith("https://schema.org/") for d in spec["dayOfWeek"])
                assert len(spec["opens"]) == len(spec["closes"]) == 5
            if "description" in phone:  # hours given as text only where they do not read as days and times
                assert parse_hours(phone["description"]) is None
    assert seen


def test_service_hours_are_weekly_hsds_schedules(built_site: Path) -> None:
    services = [r for _name, kind, r in records(built_site) if kind == "service" and r.get("schedules")]
    assert services
    for service in services:
        for schedule in service["schedules"]:
            assert schedule["description"]
            if "freq" in schedule:
                assert schedule["freq"] == "WEEKLY" and set(schedule["byday"].split(",")) <= set(WEEK)
                assert schedule["timezone"] == 8 and schedule["opens_at"].endswith("+08:00")
