"""Contact lists and contact cards read by an independent vCard library (vobject): people as people,
property companies, offices, hotlines and shops as organisations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.plan.vcard import make_org_vcard, make_vcard

vobject = pytest.importorskip("vobject", reason="vobject is a test dependency (pip install -e '.[test]')")


def read(text: str) -> list[Any]:
    return list(vobject.readComponents(text, validate=True))


def phones(card: Any) -> list[str]:
    return [tel.value for tel in card.contents.get("tel", [])]


def is_organisation(card: Any) -> bool:
    name = card.n.value
    empty = not any([name.family, name.given, name.additional, name.prefix, name.suffix])
    showas = [p.value for p in card.contents.get("x-abshowas", [])]
    return empty and showas == ["COMPANY"] and card.org.value == [card.fn.value]


def test_an_organisation_is_no_person_with_a_surname() -> None:
    (card,) = read(make_org_vcard("锦华物业服务有限公司", "02900002000", label="物业服务电话", note="24小时"))
    assert is_organisation(card)
    assert card.fn.value == "锦华物业服务有限公司" and phones(card) == ["02900002000"]
    tel = card.contents["tel"][0]
    assert tel.group == "item1" and tel.params["TYPE"] == ["WORK", "VOICE"]
    (label,) = [p for p in card.getChildren() if p.name == "X-ABLABEL"]
    assert (label.group, label.value) == ("item1", "物业服务电话")
    assert card.note.value == "24小时"


def test_a_person_keeps_their_family_name() -> None:
    (card,) = read(make_vcard("欧阳娜娜", "13900000001", org="锦华名苑", title="物业经理"))
    assert (card.n.value.family, card.n.value.given) == ("欧阳", "娜娜")
    assert not is_organisation(card) and card.title.value == "物业经理" and card.org.value == ["锦华名苑"]


def test_names_with_vcard_punctuation_survive_a_reading() -> None:
    (card,) = read(make_org_vcard("老周;家电,维修\\店", "13900000009", label="家电维修；上门"))
    assert card.fn.value == "老周;家电,维修\\店" and card.org.value == ["老周;家电,维修\\店"]


def test_every_contact_list_reads_back_people_and_organisations(built_site: Path) -> None:
    for path in sorted(built_site.glob("*/contacts.vcf")):
        cards = read(path.read_bytes().decode("utf-8"))
        assert cards, path
        organisations = [c for c in cards if is_organisation(c)]
        people = [c for c in cards if not is_organisation(c)]
        names = {c.fn.value for c in organisations}
        assert any(name.endswith("居委会") for name in names), path  # the residents' committee
        for card in people:
            name = card.n.value
            assert name.family and card.fn.value.startswith(name.family), card.fn.value
            assert not card.fn.value.endswith(("公司", "中心", "居委会", "热线")), card.fn.value
        for card in cards:
            assert len(phones(card)) == 1 and phones(card)[0].replace(",", "").isdigit()


def test_a_service_s_contact_card_is_an_organisation(built_site: Path) -> None:
    cards = sorted(built_site.glob("*/contact/*.vcf"))
    assert cards
    for path in cards:
        (card,) = read(path.read_text(encoding="utf-8"))
        assert is_organisation(card), path
        labels = [p.value for p in card.getChildren() if p.name == "X-ABLABEL"]
        assert len(labels) == 1 and labels[0]  # the service's category names the number
