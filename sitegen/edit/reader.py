"""Posted forms back into the data: each value written where it belongs, each change noted in words."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from sitegen.content import format as cf
from sitegen.content.schema import Field, FieldType, Identifier, ListOf, Record, Reference, Text, Time
from sitegen.edit import yamltext as yt
from sitegen.edit.fields import (
    Change,
    Form,
    editable,
    english_of,
    is_person,
    item_title,
    items_posted,
    shown_value,
    text_of,
)
from sitegen.i18n import DEFAULT_LANGUAGE, Message, _


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

    def __init__(self, form: Form, where: list[str], people: dict[str, str] | None = None) -> None:
        self.form = form
        self.where = where
        self.people = people or {}  # who each id names, for saying who a change is about
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
        if is_person(kind):
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
            before = self._who(old)
            if key in data:
                data[key] = yt.scalar(ref, old if isinstance(old, str) else None)
            else:
                _insert(data, record, key, yt.scalar(ref))
            self._say(path, what, before, self._who(ref), "change" if old is not None else "add")
        elif mode == "inline":
            target = old if isinstance(old, CommentedMap) else yt.new_map(flow=_flow_person(data))
            if not isinstance(old, CommentedMap) and old is not None:
                self._say(path, what, self._who(old), "", "remove")
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
            self._say(path, what, self._who(old), "", "remove")

    def _who(self, person: Any) -> str:
        """A person in a message: the name written in place, or the name the id stands for."""
        if isinstance(person, dict):
            return text_of(person.get("name"))
        ident = text_of(person)
        named = self.people.get(ident, "").split(" · ")[0]
        return f"{named}（{ident}）" if named else ident

    def listing(self, record: Record, spec: Field, data: CommentedMap, name: str, path: yt.Path_) -> None:
        kind, key = spec.type, spec.key
        assert isinstance(kind, ListOf)
        old = data.get(key) if isinstance(data.get(key), CommentedSeq) else None
        if not isinstance(kind.item, Record) and not is_person(kind.item):
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
