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

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from sitegen.content import format as cf
from sitegen.content.schema import (
    Boolean,
    Choice,
    Date,
    Field,
    FieldType,
    Identifier,
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
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, Message, _, translate

Form = dict[str, str]
PREFIX = "f"
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


def _is_person(kind: FieldType) -> bool:
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
        if _is_person(kind):
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
        if not isinstance(kind.item, Record) and not _is_person(kind.item):
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


def _insert(data: CommentedMap, record: Record, key: str, value: Any) -> None:
    """Put ``key`` where the content format lists it, after the keys before it that are there."""
    order = list(record.fields)
    before = order[: order.index(key)] if key in order else order
    position = 0
    for index, present in enumerate(data):
        if present in before:
            position = index + 1
    data.insert(position, key, value)


def _quoted(kind: FieldType, text: str) -> bool:
    """New ids with a leading zero and new times are quoted, as the content writes them."""
    return (isinstance(kind, (Reference, Identifier)) and text[:1] == "0") or isinstance(kind, Time)


class Reader:
    """Writes a posted form into the data, noting each change and which input each value came from."""

    def __init__(self, form: Form, where: list[str]) -> None:
        self.form = form
        self.where = where
        self.changes: list[Change] = []
        self.names: dict[yt.Path_, str] = {}  # path in the new data → input name
        self.missing: dict[str, Message] = {}  # input name → why the form cannot be saved as it is

    def record(self, record: Record, data: CommentedMap, name: str, path: yt.Path_, keys: list[str] | None) -> None:
        for spec in record.fields.values():
            if (keys is None or spec.key in keys) and editable(spec.type):
                self.names[(*path, spec.key)] = f"{name}.{spec.key}"
                self.field(record, spec, data, f"{name}.{spec.key}", (*path, spec.key))

    def _say(self, path: yt.Path_, what: list[str], old: str, new: str, kind: str = "change") -> None:
        self.changes.append(Change(path, [*self.where, *what], old, new, kind))

    def field(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        kind, key, old = spec.type, spec.key, data.get(spec.key)
        what = [spec.label or key]
        if _is_person(kind):
            self.person(record, spec, data, name, path)
        elif isinstance(kind, Record):
            target = old if isinstance(old, CommentedMap) else yt.new_map()
            with _Nested(self, what):
                self.record(kind, target, name, path, None)
            if target and key not in data:
                _insert(data, record, key, target)
        elif isinstance(kind, ListOf):
            self.listing(record, spec, data, name, path)
        else:
            self.scalar(record, spec, data, name, path)

    def scalar(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        kind, key, old = spec.type, spec.key, data.get(spec.key)
        new, shown = self.form.get(name, "").strip(), shown_value(kind, old)
        english = self.form.get(f"{name}~en")
        english = english.strip() if english is not None else None
        what = [spec.label or key]
        if isinstance(kind, Text) and kind.multiline:
            new = "\n".join(line.rstrip() for line in self.form.get(name, "").strip("\n").split("\n")).strip()
        if not new and spec.required:
            self.missing[name] = _("fill this in")
        if isinstance(kind, Text) and english is not None and english != english_of(old):
            self._english(record, data, key, old, new, english, what, path)
            old = data.get(key)
        if new == shown:
            return
        if not new:
            if key in data and not spec.required:
                del data[key]
                self._say(path, what, text_of(old), "", "remove")
            return
        if isinstance(old, dict):  # a translated text: only its Chinese line changes
            old[DEFAULT_LANGUAGE] = yt.scalar(new, old.get(DEFAULT_LANGUAGE))
        elif key in data:
            data[key] = yt.scalar(new, old, _quoted(kind, new) and old is None)
        else:
            _insert(data, record, key, yt.scalar(new, None, _quoted(kind, new)))
        self._say(path, what, text_of(old) if not isinstance(old, dict) else shown, new, "change" if old else "add")

    def _english(
        self,
        record: Record,
        data: CommentedMap,
        key: str,
        old: Any,
        new: str,
        english: str,
        what: list[str],
        path: yt.Path_,
    ) -> None:
        english_what = [*what, "English"]
        before = english_of(old)
        if isinstance(old, dict):
            if english:
                old["en"] = yt.scalar(english, old.get("en"))
            elif "en" in old:
                del old["en"]
                if set(old) == {DEFAULT_LANGUAGE}:  # back to plain text
                    data[key] = yt.scalar(text_of(old))
        elif english:
            both = yt.new_map(flow=bool(data.fa.flow_style()))
            both[DEFAULT_LANGUAGE] = yt.scalar(new or text_of(old))
            both["en"] = yt.scalar(english)
            if key in data:
                data[key] = both
            else:
                _insert(data, record, key, both)
        self._say((*path, "en"), english_what, before, english, "change" if before else "add")

    def person(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        key, old = spec.key, data.get(spec.key)
        mode = self.form.get(f"{name}.@mode", "")
        if mode == "inline" and not any(self.form.get(f"{name}.{k}", "").strip() for k in cf.PERSON.fields):
            mode = ""  # every input left empty: nobody
        what = [spec.label or key]
        if mode == "ref":
            ref = self.form.get(f"{name}.@ref", "").strip()
            if not ref:
                self.missing[f"{name}.@ref"] = _("choose a person")
                return
            if isinstance(old, str) and old == ref:
                return
            before = text_of(old.get("name")) if isinstance(old, dict) else text_of(old)
            if key in data:
                data[key] = yt.scalar(ref, old if isinstance(old, str) else None)
            else:
                _insert(data, record, key, yt.scalar(ref))
            self._say(path, what, before, ref, "change" if old is not None else "add")
        elif mode == "inline":
            target = old if isinstance(old, CommentedMap) else yt.new_map(flow=_flow_person(data))
            if not isinstance(old, CommentedMap) and old is not None:
                self._say(path, what, text_of(old), "", "remove")
            with _Nested(self, what):
                self.record(cf.PERSON, target, name, path, None)
            if target is not old:
                if key in data:
                    data[key] = target
                else:
                    _insert(data, record, key, target)
        elif key in data:
            if spec.required:
                self.missing[f"{name}.@mode"] = _("fill this in")
                return
            del data[key]
            self._say(path, what, text_of(old.get("name")) if isinstance(old, dict) else text_of(old), "", "remove")

    def listing(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        kind, key = spec.type, spec.key
        assert isinstance(kind, ListOf)
        old = data.get(key) if isinstance(data.get(key), CommentedSeq) else None
        if not isinstance(kind.item, Record) and not _is_person(kind.item):
            self._lines(record, spec, data, name, path)
            return
        seq = old if old is not None else yt.new_seq()
        posted = items_posted(self.form, name)
        kept = {int(origin) for _i, origin, gone in posted if origin.isdigit() and not gone and int(origin) < len(seq)}
        item_kind = kind.item
        for index in sorted(set(range(len(seq))) - kept, reverse=True):
            title = self._title(item_kind, seq[index], index)
            self._say((*path, index), [spec.label or key, title], title, "", "remove")
            del seq[index]
        position = {origin: rank for rank, origin in enumerate(sorted(kept))}
        flow = yt.flow_like(list(seq))
        for form_index, origin, gone in posted:
            if gone:
                continue
            if origin.isdigit() and int(origin) in position:
                at = position[int(origin)]
            else:
                seq.append(yt.new_map(flow=flow) if isinstance(item_kind, Record) else None)
                at = len(seq) - 1
            self._item(item_kind, seq, at, f"{name}.{form_index}", (*path, at), spec)
        if len(seq) and data.get(key) is not seq:
            if key in data:
                data[key] = seq
            else:
                _insert(data, record, key, seq)
        elif not len(seq) and key in data:
            del data[key]

    def _title(self, kind: FieldType, item: Any, index: int) -> str:
        return item_title(kind, item, index) if isinstance(kind, Record) else text_of(item) or f"#{index + 1}"

    def _item(self, kind: FieldType, seq: CommentedSeq, at: int, name: str, path: yt.Path_, spec: Field) -> None:
        self.names[path] = name
        is_new = seq[at] is None or (isinstance(seq[at], dict) and not seq[at])
        if isinstance(kind, Record):
            with _Nested(self, [_nested_title(kind, seq[at], at, spec)]):
                self.record(kind, seq[at], name, path, None)
            if is_new:
                self._retitle(_nested_title(kind, seq[at], at, spec), path)
            return
        # A list of people: each item a person, by id or written in place.
        holder = CommentedMap()
        holder["v"] = seq[at]
        person = Field("v", kind, True, "", spec.label or spec.key)
        self.person(cf.PERSON, person, holder, name, path)  # the holder has its key: nothing is inserted
        if holder.get("v") is None:
            self.missing[f"{name}.@mode"] = _("fill this in or remove it")
            seq[at] = ""
        else:
            seq[at] = holder["v"]

    def _retitle(self, title: str, path: yt.Path_) -> None:
        """The changes made in a new item are one addition, named after the item."""
        inside = [c for c in self.changes if c.path[: len(path)] == path]
        self.changes = [c for c in self.changes if c.path[: len(path)] != path]
        if inside:
            self._say(path, [title], "", title, "add")

    def _lines(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        kind, key = spec.type, spec.key
        assert isinstance(kind, ListOf)
        old = data.get(key)
        old_lines = [shown_value(kind.item, v) for v in old] if isinstance(old, list) else []
        new_lines = [line.strip() for line in self.form.get(name, "").split("\n") if line.strip()]
        if new_lines == old_lines:
            return
        if not new_lines and spec.required:
            self.missing[name] = _("fill this in")
            return
        what = [spec.label or key]
        self._say(path, what, " / ".join(old_lines), " / ".join(new_lines))
        if not new_lines:
            del data[key]
            return
        seq = old if isinstance(old, CommentedSeq) else yt.new_seq()
        for index, line in enumerate(new_lines):
            if index < len(seq):
                if shown_value(kind.item, seq[index]) != line:
                    seq[index] = yt.scalar(line, seq[index])
            else:
                seq.append(yt.scalar(line))
        del seq[len(new_lines) :]
        if key in data and data[key] is not seq:
            data[key] = seq
        elif key not in data:
            _insert(data, record, key, seq)


def _nested_title(kind: Record, item: Any, at: int, spec: Field) -> str:
    """A nested item in messages: 2单元 says what it is; others get their list's name first."""
    title = item_title(kind, item, at)
    return title if kind is cf.BUILDING or kind.title == "a unit" else (spec.label or spec.key) + title


def _flow_person(data: CommentedMap) -> bool:
    """A new person written in place goes on one line where the mapping around it is on one line."""
    return bool(data.fa.flow_style())


class _Nested:
    """While inside a nested part, changes are named after it too (3号楼 › 楼栋长 › 电话)."""

    def __init__(self, reader: Reader, what: list[str]) -> None:
        self.reader, self.what = reader, what

    def __enter__(self) -> None:
        self.reader.where = [*self.reader.where, *self.what]

    def __exit__(self, *exc: object) -> None:
        self.reader.where = self.reader.where[: len(self.reader.where) - len(self.what)]
