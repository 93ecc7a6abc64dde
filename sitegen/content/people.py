"""People and references to them: who fills each role, written in place or named by id, and what of them is public."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.content.model import Person
from sitegen.content.schema import INVALID, Checker, Ref
from sitegen.i18n import _

# Default role labels of each slot, and whether a phone there is published unless marked.
OFFICIAL, VOLUNTEER = True, False
SLOTS: dict[str, tuple[str, bool]] = {
    "property_manager": ("物业经理", OFFICIAL),
    "community_leader": ("社区包联领导", OFFICIAL),
    "instructor": ("驻区单位指导员", OFFICIAL),
    "contact": ("联系人", OFFICIAL),
    "project_contact": ("联系人", VOLUNTEER),
    "head": ("网格长", OFFICIAL),
    "worker": ("专职网格员", OFFICIAL),
    "police": ("网格警员", OFFICIAL),
    "helper": ("兼职网格员", VOLUNTEER),
    "building_head": ("楼栋长", VOLUNTEER),
    "unit_head": ("单元长", VOLUNTEER),
    "club_contact": ("联系人", VOLUNTEER),
}


@dataclass
class People:
    """Resolves person fields: written in place, or ids looked up locally, then community-wide."""

    ctx: Checker
    local: dict[str, dict[str, Any]]
    shared: Mapping[str, dict[str, Any]] | None  # None: site.yaml is unreadable, so its people are unknown

    def resolve(self, value: Any, slot: str) -> Person | None:
        if value is None or value is INVALID:
            return None
        record = value
        if isinstance(value, Ref):
            record = self.local.get(value.id) or (self.shared or {}).get(value.id)
            if record is None:
                if self.shared is not None:
                    self._unknown(value)
                return None
        return _person(record, *SLOTS[slot])

    def resolve_all(self, values: Iterable[Any], slot: str) -> tuple[Person, ...]:
        people = (self.resolve(v, slot) for v in values)
        return tuple(p for p in people if p is not None)

    def _unknown(self, ref: Ref) -> None:
        known = sorted({*self.local, *(self.shared or {})})
        # A close but wrong suggestion would publish the wrong person: suggest only near-typos.
        close = difflib.get_close_matches(ref.id, known, n=1, cutoff=0.8)
        if close:
            hint = _("did you mean `{key}`?", key=close[0])
        else:
            hint = _(
                "write the person in place (`name:` and `phone:` lines indented below), or add `{id}:` under `people:`",
                id=ref.id,
            )
        self.ctx.report(ref.node, _("no person with the id `{id}` is listed under `people:`", id=ref.id), hint)


def _person(record: dict[str, Any], default_role: str, phone_public_default: bool) -> Person | None:
    if not record.get("public", True) or record.get("name") is None:
        return None  # (a person without a usable name was reported where it is written)
    phone = record.get("phone") if record.get("phone_public", phone_public_default) else None
    personal = phone_public_default is VOLUNTEER
    return Person(record["name"], record.get("role", default_role), phone, record.get("org", ""), personal)
