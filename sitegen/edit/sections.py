"""The parts of site.yaml and neighborhood.yaml that forms edit, and the drafts those forms make.

A section is either some keys of the file (the name card), a list (buildings, services) whose
items are edited one at a time, or the people listed by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from sitegen.content import format as cf
from sitegen.content.schema import ListOf, Record
from sitegen.edit import yamltext as yt
from sitegen.edit.drafts import Draft
from sitegen.edit.fields import PREFIX, Builder, Change, Form, Widget, item_title, label, say, text_of
from sitegen.edit.folder import ContentFolder, Owner, digest
from sitegen.edit.reader import Reader
from sitegen.errors import SitegenError
from sitegen.i18n import DEFAULT_LANGUAGE, Message, _

ID_FIELD = f"{PREFIX}.@id"


@dataclass(frozen=True)
class Section:
    """Part of a file: ``keys`` of the root (kind "keys"), or the list or people under ``key``."""

    id: str
    title: Message
    kind: str  # keys, list, people
    key: str = ""
    keys: tuple[str, ...] = ()

    def record(self, owner: Owner) -> Record:
        """The kind of thing the section's form edits: the file itself, or one item."""
        if self.kind == "keys":
            return owner.record
        if self.kind == "people":
            return cf.PERSON
        kind = owner.record.fields[self.key].type
        assert isinstance(kind, ListOf) and isinstance(kind.item, Record)
        return kind.item

    def label(self, owner: Owner) -> str:
        spec = owner.record.fields.get(self.key)
        return spec.label if spec else ""


CARD_KEYS = (
    "name", "address", "founded", "households", "residents", "property_company", "property_phone",
    "property_manager", "community_leader", "instructor", "grid", "verified_on", "order",
)  # fmt: skip
COMMUNITY_KEYS = (
    "name", "district", "street", "area_code", "base_url", "intro", "area_km2", "households", "residents",
    "verified_on", "mask_personal_mobiles", "languages", "search",
)  # fmt: skip

NEIGHBORHOOD_SECTIONS = [
    Section("card", _("Name card"), "keys", keys=CARD_KEYS),
    Section("buildings", _("Buildings, building and unit heads"), "list", "buildings"),
    Section("services", _("Everyday services"), "list", "services"),
    Section("channels", _("Online channels"), "list", "channels"),
    Section("people", _("People listed by id"), "people", "people"),
    Section("projects", _("Co-building projects"), "list", "projects"),
    Section("clubs", _("Clubs"), "list", "clubs"),
    Section("honours", _("Role models"), "list", "honours"),
    Section("meetings", _("Meetings"), "list", "meetings"),
]
SITE_SECTIONS = [
    Section("community", _("The community"), "keys", keys=COMMUNITY_KEYS),
    Section("office", _("Community office"), "keys", keys=("office",)),
    Section("grids", _("Grid teams"), "list", "grids"),
    Section("people", _("People listed by id"), "people", "people"),
    Section("emergency", _("Emergency numbers"), "list", "emergency"),
    Section("categories", _("Who to call for what"), "list", "categories"),
    Section("chain", _("Five-level chain"), "list", "chain"),
    Section("meetings", _("Meetings"), "list", "meetings"),
]


# Where each section shows on its page of the website, so the preview opens there.
ON_THE_PAGE = {
    "card": "card", "people": "card", "buildings": "buildings", "services": "services", "channels": "services",
    "projects": "projects", "clubs": "projects", "honours": "honours", "meetings": "meetings", "grids": "grids",
    "emergency": "emergency", "chain": "chain",
}  # fmt: skip


def page_of(owner: Owner, part: Section) -> str:
    """The page of the website that shows this section, at the place where it does."""
    anchor = ON_THE_PAGE.get(part.id)
    return f"{owner.page}#{anchor}" if anchor else owner.page


def sections(owner: Owner) -> list[Section]:
    return NEIGHBORHOOD_SECTIONS if owner.slug else SITE_SECTIONS


def section(owner: Owner, ident: str) -> Section:
    for found in sections(owner):
        if found.id == ident:
            return found
    raise SitegenError(_("there is no such part to edit: {name}", name=ident))


def named(record: Record, item: Any, index: int, section_label: str) -> str:
    """An item's name in messages: 3号楼 and 第六网格 say what they are, others get the section's name first."""
    title = item_title(record, item, index)
    return title if record in (cf.BUILDING, cf.GRID) else f"{section_label}{title}"


@dataclass
class Item:
    """One item of a list or of the people, for the section's page."""

    key: str  # its index, or the person's id
    title: str
    details: str


def items(data: Any, owner: Owner, part: Section) -> list[Item]:
    """The items of a list section, each with a line of what it holds."""
    value = data.get(part.key) if isinstance(data, dict) else None
    record = part.record(owner)
    found = []
    if part.kind == "people" and isinstance(value, dict):
        for key, person in value.items():
            person = person if isinstance(person, dict) else {}
            details = " · ".join(text_of(person.get(k)) for k in ("role", "phone") if person.get(k))
            found.append(Item(str(key), text_of(person.get("name")) or str(key), f"{key} · {details}".strip(" ·")))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            entry = entry if isinstance(entry, dict) else {}
            details = " · ".join(
                text_of(entry.get(k))
                for k in ("category", "phone", "handler", "schedule", "households")
                if entry.get(k)
            )
            found.append(Item(str(index), item_title(record, entry, index), details))
    return found


@dataclass
class Target:
    """Where a form's values are in the file: the mapping, its path, and how changes are named."""

    data: CommentedMap
    path: yt.Path_
    where: list[str]
    is_new: bool = False


def _target(doc: yt.YamlText, owner: Owner, part: Section, item: str | None, form: Form | None) -> Target:
    root = doc.data
    if not isinstance(root, CommentedMap):
        raise SitegenError(_("{path} does not hold `key: value` lines; open it in the raw editor", path=owner.rel))
    if part.kind == "keys":
        return Target(root, (), [])
    record = part.record(owner)
    if part.kind == "people":
        people = root.get(part.key)
        if item is None:
            ident = (form or {}).get(ID_FIELD, "").strip()
            return Target(yt.new_map(), (part.key, ident), [f"{part.label(owner)}「{ident}」"], True)
        if not isinstance(people, CommentedMap) or item not in people or not isinstance(people[item], CommentedMap):
            raise SitegenError(_("there is no such item: {name}", name=item))
        title = text_of(people[item].get("name")) or item
        return Target(people[item], (part.key, item), [f"{part.label(owner)}「{title}」"])
    listed = root.get(part.key)
    if item is None:
        index = len(listed) if isinstance(listed, list) else 0
        return Target(yt.new_map(flow=yt.flow_like(list(listed or []))), (part.key, index), [], True)
    if not isinstance(listed, CommentedSeq) or not item.isdigit() or int(item) >= len(listed):
        raise SitegenError(_("there is no such item: {name}", name=item))
    index = int(item)
    entry = listed[index]
    if not isinstance(entry, CommentedMap):
        raise SitegenError(_("there is no such item: {name}", name=item))
    return Target(entry, (part.key, index), [named(record, entry, index, part.label(owner))])


def widgets(
    folder: ContentFolder, owner: Owner, part: Section, item: str | None, form: Form | None, lang: str, adding: str = ""
) -> list[Widget]:
    """The inputs of a section's form: from the file, or as posted."""
    doc = yt.load(folder.text(owner.rel) or "")
    target = _target(doc, owner, part, item, form)
    builder = Builder(folder.choices(owner), form, lang, adding)
    keys = list(part.keys) if part.kind == "keys" else None
    shown = builder.record(part.record(owner), target.data, PREFIX, keys)
    if part.kind == "people" and item is None:
        ident = Widget("text", ID_FIELD, say(_("id (letters, digits and dashes, e.g. wang-fang)"), lang), required=True)
        ident.value = (form or {}).get(ID_FIELD, "")
        shown.insert(0, ident)
    return shown


def draft(folder: ContentFolder, owner: Owner, part: Section, item: str | None, form: Form, base: str) -> Draft:
    """The draft a posted form makes: the file with the form's values, or nothing if nothing changed."""
    text = folder.text(owner.rel) or ""
    doc = yt.load(text)
    target = _target(doc, owner, part, item, form)
    reader = Reader(form, target.where, folder.choices(owner).people)
    record = part.record(owner)
    keys = list(part.keys) if part.kind == "keys" else None
    reader.record(record, target.data, PREFIX, target.path, keys)
    changes = reader.changes
    if target.is_new:
        changes = _added(doc, owner, part, target, reader, form)
    draft = Draft(owner, {owner.rel: doc.text()}, {owner.rel: base}, changes, preview=page_of(owner, part))
    draft.missing, draft.names, draft.rel = reader.missing, reader.names, owner.rel
    return draft


def _added(doc: yt.YamlText, owner: Owner, part: Section, target: Target, reader: Reader, form: Form) -> list[Change]:
    """Put a new item in its list (or among the people); its changes are one addition."""
    if not target.data:
        return []
    root = doc.data
    record = part.record(owner)
    if part.kind == "people":
        ident = str(target.path[1])
        people = root.get(part.key)
        if not re.fullmatch(cf.PEOPLE.key_pattern, ident) or "." in ident:
            reader.missing[ID_FIELD] = _("use letters, digits and dashes, e.g. `wang-fang`")
        elif isinstance(people, dict) and ident in people:
            reader.missing[ID_FIELD] = _("someone else has this id already")
        if not isinstance(people, CommentedMap):
            people = yt.new_map()
            _put(root, owner.record, part.key, people)
        people[ident] = target.data
        title = f"{part.label(owner)}「{text_of(target.data.get('name')) or ident}」"
    else:
        listed = root.get(part.key)
        if not isinstance(listed, CommentedSeq):
            listed = yt.new_seq()
            _put(root, owner.record, part.key, listed)
        listed.append(target.data)
        index = len(listed) - 1
        title = named(record, target.data, index, part.label(owner))
    return [Change(target.path, [title], "", title, "add")]


def _put(root: CommentedMap, record: Record, key: str, value: Any) -> None:
    if key in root:
        root[key] = value
        return
    order = list(record.fields)
    position = 0
    for index, present in enumerate(root):
        if present in order[: order.index(key)]:
            position = index + 1
    root.insert(position, key, value)


def removal(folder: ContentFolder, owner: Owner, part: Section, item: str, base: str) -> Draft:
    """The draft that removes one item of a list section, or one person."""
    text = folder.text(owner.rel) or ""
    doc = yt.load(text)
    target = _target(doc, owner, part, item, None)
    container = doc.data[part.key]
    key = target.path[1]
    del container[key]
    if not len(container):
        del doc.data[part.key]
    change = Change(target.path, target.where, target.where[0] if target.where else str(key), "", "remove")
    return Draft(owner, {owner.rel: doc.text()}, {owner.rel: base}, [change], preview=page_of(owner, part))


def verified_today(folder: ContentFolder, owner: Owner, today: str, base: str) -> Draft:
    """The draft that marks the contact data of ``owner`` as checked today."""
    doc = yt.load(folder.text(owner.rel) or "")
    data = doc.data
    if not isinstance(data, CommentedMap):
        raise SitegenError(_("{path} does not hold `key: value` lines; open it in the raw editor", path=owner.rel))
    old = text_of(data.get("verified_on"))
    spec = owner.record.fields["verified_on"]
    changes = []
    if old != today:
        if "verified_on" in data:
            data["verified_on"] = yt.scalar(today, data["verified_on"])
        else:
            _put(data, owner.record, "verified_on", today)
        changes.append(
            Change(("verified_on",), [label(spec, DEFAULT_LANGUAGE)], old, today, "change" if old else "add")
        )
    made = Draft(owner, {owner.rel: doc.text()}, {owner.rel: base}, changes, preview=f"{owner.page}#card")
    made.summary = _("contact data checked on {date}", date=today)
    return made


def base_of(folder: ContentFolder, owner: Owner) -> str:
    return digest(folder.read(owner.rel))
