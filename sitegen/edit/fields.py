"""Forms from the content format: a part of a file in, the inputs to show out; the posted form in, the data changed.

Each input is named after the place of its value in the file, below the part the form edits
(``f.head.phone``, ``f.units.1.head.name``); the English text of a value is ``…~en``. A list's
items carry where they came from (``….2.@`` holds the item's index in the file, or ``new``) and
whether to remove them (``….2.~x``), and ``….#`` holds how many there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sitegen.content import format as cf
from sitegen.content.schema import (
    Boolean,
    Choice,
    Date,
    Field,
    FieldType,
    Integer,
    ListOf,
    MapOf,
    Number,
    PhoneNumber,
    Record,
    Reference,
    Text,
    Time,
    Url,
)
from sitegen.edit import yamltext as yt
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, _, translate

Form = dict[str, str]
PREFIX = "f"
RAW = "text"  # the raw editor's one input
MAX_ITEMS = 500  # items one list of a form may hold

# Words shown for the values of a choice, where the content format's own words are English.
_CHOICE_WORDS = {
    "weekly": "每周", "monthly": "每月", "last": "最后一周", "1": "第1周", "2": "第2周", "3": "第3周", "4": "第4周",
    **{day: f"周{'一二三四五六日'[i]}" for i, day in enumerate(cf.WEEKDAYS)},
    **LANGUAGE_NAMES,
}  # fmt: skip
_TRUE = {"true", "yes", "是"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FALSE = {"false", "no", "否"}


@dataclass
class Choices:
    """What a form offers to choose from: people by id, grids by id; and whether texts get an English input."""

    people: dict[str, str] = field(default_factory=dict)
    grids: dict[str, str] = field(default_factory=dict)
    english: bool = False


@dataclass
class Widget:
    """One input of a form, or a group of them, ready for the template."""

    kind: str  # text, textarea, select, person, group, list, lines
    name: str
    label: str
    value: str = ""
    english: str | None = None  # the English text, for texts that have (or may have) one
    required: bool = False
    input_type: str = "text"
    inputmode: str = ""
    maxlength: int = 0
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Widget] = field(default_factory=list)
    items: list[Widget] = field(default_factory=list)
    origin: str = ""  # a list item: its index in the file, or "new"
    removed: bool = False
    problems: list[str] = field(default_factory=list)
    hint: str = ""
    mode: str = ""  # a person: "ref", "inline" or ""
    reference: str = ""  # a person: the id chosen
    note: str = ""  # a person named by id: who that is
    marks: dict[int, list[str]] = field(default_factory=dict)  # the raw editor: problems by line


@dataclass
class Change:
    """One value changed, added or removed, said in words: where (``what``), before and after."""

    path: yt.Path_
    what: list[str]
    old: str
    new: str
    kind: str = "change"  # change, add, remove


def say(message: str, lang: str) -> str:
    """A message put into words in ``lang``."""
    return str(translate(message, lang))


def label(spec: Field, lang: str) -> str:
    """The name of a key in the reader's language: the content format's Chinese label, or the key."""
    if lang == DEFAULT_LANGUAGE and spec.label:
        return spec.label
    return spec.key.replace("_", " ")


def text_of(value: Any) -> str:
    """A value as the form shows it (the Chinese text of a translated one)."""
    if isinstance(value, dict):
        return text_of(value.get(DEFAULT_LANGUAGE))
    if value is None or isinstance(value, list):
        return ""
    text = str(value)
    return text.strip("\n") if "\n" in text else text


def english_of(value: Any) -> str:
    return text_of(value.get("en")) if isinstance(value, dict) else ""


def item_title(record: Record, item: Any, index: int) -> str:
    """How a list item is named in messages: 3号楼, 1单元, 第六网格, or its name."""
    data = item if isinstance(item, dict) else {}
    name, ident = text_of(data.get("name")), text_of(data.get("id"))
    if record is cf.BUILDING:
        return name or f"{ident}号楼"
    if record.title == "a unit":
        return f"{ident}单元"
    if record is cf.GRID:
        return name or f"第{ident}网格"
    if record is cf.HONOUR:
        return " ".join(text_of(data.get(k)) for k in ("year", "title", "name") if data.get(k))
    return f"「{name}」" if name else ident or f"#{index + 1}"


def is_person(kind: FieldType) -> bool:
    return kind is cf.PERSON_OR_REF


def editable(kind: FieldType) -> bool:
    """Whether a form can show this kind of value (the site plan is left to the raw editor)."""
    if isinstance(kind, ListOf):
        return editable(kind.item)
    if isinstance(kind, MapOf):
        return False
    if isinstance(kind, Record):
        return kind is not cf.SITE_MAP and kind is not cf.MAP_BUILDING
    return not (isinstance(kind, Reference) and kind.what.msgid == "a point listed under `map.points`")


def _input(kind: FieldType, widget: Widget) -> None:
    if isinstance(kind, PhoneNumber):
        widget.input_type, widget.inputmode = "tel", "tel"
    elif isinstance(kind, (Integer, Number)):
        widget.inputmode = "decimal" if isinstance(kind, Number) else "numeric"
    elif isinstance(kind, Url):
        widget.inputmode = "url"
    elif isinstance(kind, Date):
        widget.input_type = "date" if not widget.value or _ISO_DATE.fullmatch(widget.value) else "text"
    elif isinstance(kind, Time):
        widget.inputmode = "numeric"
    if isinstance(kind, Text):
        widget.maxlength = kind.max_length


def _options(kind: FieldType, choices: Choices, current: str, required: bool, lang: str) -> list[tuple[str, str]]:
    options: list[tuple[str, str]] = [] if required and current else [("", str(translate(_("(not given)"), lang)))]
    if isinstance(kind, Boolean):
        options += [("true", str(translate(_("yes"), lang))), ("false", str(translate(_("no"), lang)))]
    elif isinstance(kind, Choice):
        options += [(v, _CHOICE_WORDS.get(v, v) if lang == DEFAULT_LANGUAGE else v) for v in kind.values]
    elif isinstance(kind, Reference):
        options += [(k, f"{k} {v}".strip()) for k, v in choices.grids.items()]
    if current and current not in {value for value, _label in options}:
        options.append((current, current))
    return options


def shown_value(kind: FieldType, value: Any) -> str:
    """The value as its input shows it: a yes/no as `true`/`false`, a choice by its own word."""
    text = text_of(value)
    if isinstance(kind, Boolean):
        return "true" if text.lower() in _TRUE else "false" if text.lower() in _FALSE else text
    if isinstance(kind, Choice):
        return kind.aliases.get(text.lower(), text.lower() if text.lower() in kind.values else text)
    return text


class Builder:
    """Makes the widgets of a form, from the file's data or from the form as posted."""

    def __init__(self, choices: Choices, form: Form | None, lang: str, adding: str = "") -> None:
        self.choices, self.form, self.lang, self.adding = choices, form, lang, adding
        self.in_person = False

    def _posted(self, name: str, default: str) -> str:
        return default if self.form is None else self.form.get(name, "")

    def record(self, record: Record, data: Any, name: str, keys: list[str] | None = None) -> list[Widget]:
        data = data if isinstance(data, dict) else {}
        return [
            self.value(spec.type, data.get(spec.key), f"{name}.{spec.key}", label(spec, self.lang), spec.required)
            for spec in record.fields.values()
            if (keys is None or spec.key in keys) and editable(spec.type)
        ]

    def value(self, kind: FieldType, data: Any, name: str, text: str, required: bool = False) -> Widget:
        if is_person(kind):
            return self.person(data, name, text, required)
        if isinstance(kind, Record):
            return Widget("group", name, text, children=self.record(kind, data, name))
        if isinstance(kind, ListOf):
            return self.listing(kind, data, name, text, required)
        widget = Widget("text", name, text, required=required)
        widget.value = self._posted(name, shown_value(kind, data))
        if isinstance(kind, Text):
            if kind.multiline:
                widget.kind = "textarea"
            has_english = isinstance(data, dict) and "en" in data
            # People's names and roles are rarely translated: their English line only where there is one.
            offered = self.choices.english and not self.in_person
            if offered or has_english or (self.form and self.form.get(f"{name}~en")):
                widget.english = self._posted(f"{name}~en", english_of(data))
        if isinstance(kind, (Boolean, Choice, Reference)):
            widget.kind = "select"
            widget.options = _options(kind, self.choices, widget.value, required, self.lang)
        _input(kind, widget)
        return widget

    def person(self, data: Any, name: str, text: str, required: bool) -> Widget:
        # Nobody yet: the inputs for a name and a phone are shown; left empty, nobody is written.
        mode = "ref" if data is not None and not isinstance(data, dict) else "inline"
        widget = Widget("person", name, text, required=required)
        widget.mode = self._posted(f"{name}.@mode", mode)
        widget.reference = self._posted(f"{name}.@ref", text_of(data) if mode == "ref" else "")
        self.in_person = True
        try:
            widget.children = self.record(cf.PERSON, data if mode == "inline" else {}, name)
        finally:
            self.in_person = False
        widget.options = [("", "")] + [(k, f"{v}（{k}）") for k, v in self.choices.people.items()]
        if widget.reference and widget.reference not in self.choices.people:
            widget.options.append((widget.reference, widget.reference))
        widget.note = self.choices.people.get(widget.reference, "")
        return widget

    def listing(self, kind: ListOf, data: Any, name: str, text: str, required: bool) -> Widget:
        old = data if isinstance(data, list) else []
        if not isinstance(kind.item, Record) and not is_person(kind.item):
            widget = Widget("lines", name, text, required=required)
            widget.value = self._posted(name, "\n".join(shown_value(kind.item, v) for v in old))
            if isinstance(kind.item, Choice):
                widget.hint = " ".join(kind.item.values)
            return widget
        widget = Widget("list", name, text, required=required)
        for index, origin, removed in self._items(name, len(old)):
            item = old[int(origin)] if origin.isdigit() and int(origin) < len(old) else None
            child = self.value(kind.item, item, f"{name}.{index}", self._title(kind.item, item, index))
            child.origin, child.removed = origin, removed
            widget.items.append(child)
        return widget

    def _title(self, kind: FieldType, item: Any, index: int) -> str:
        return item_title(kind, item, index) if isinstance(kind, Record) else f"#{index + 1}"

    def _items(self, name: str, count: int) -> list[tuple[int, str, bool]]:
        if self.form is None:
            found = [(i, str(i), False) for i in range(count)]
        else:
            found = items_posted(self.form, name)
        if self.adding == name and len(found) < MAX_ITEMS:
            found.append((len(found), "new", False))
        return found


def items_posted(form: Form, name: str) -> list[tuple[int, str, bool]]:
    """The items of the list ``name`` as posted: position, where each came from, and whether it goes."""
    try:
        count = min(int(form.get(f"{name}.#", "0")), MAX_ITEMS)
    except ValueError:
        count = 0
    return [(i, form.get(f"{name}.{i}.@", "new"), f"{name}.{i}.~x" in form) for i in range(max(count, 0))]
