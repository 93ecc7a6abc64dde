"""sitegen edit writes a change and nothing else: over every editable field of the shipped content, a changed
value changes its own line, an added one adds a line, a removed one removes its line; comments stay."""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.edit import sections
from sitegen.edit import yamltext as yt
from sitegen.edit.drafts import Draft
from sitegen.edit.fields import Form, Widget
from sitegen.edit.folder import ContentFolder, Owner
from sitegen.edit.textmerge import carry
from tests.conftest import ROOT
from tests.edit_helpers import inputs, posted

SHIPPED = ContentFolder(ROOT / "content")


def _forms() -> Iterator[tuple[str, str]]:
    for owner in [SHIPPED.community(), *SHIPPED.neighborhoods()]:
        for part in sections.sections(owner):
            yield owner.slug or "community", part.id


FORMS = sorted(_forms())


def _items(owner: Owner, part: sections.Section) -> list[str | None]:
    if part.kind == "keys":
        return [None]
    return [item.key for item in sections.items(SHIPPED.yaml(owner.rel), owner, part)]


def _open(slug: str, ident: str) -> tuple[Owner, sections.Section]:
    owner = SHIPPED.owner("" if slug == "community" else slug)
    return owner, sections.section(owner, ident)


def _diff(old: str, new: str) -> tuple[list[int], list[int]]:
    """Lines removed from ``old`` and added in ``new`` (1-based)."""
    removed, added = [], []
    matcher = difflib.SequenceMatcher(None, old.split("\n"), new.split("\n"), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += range(i1 + 1, i2 + 1)
            added += range(j1 + 1, j2 + 1)
    return removed, added


def _changed_value(widget: Widget, value: str) -> str | None:
    """Another value this input could hold, or None to leave it alone."""
    if widget.kind == "select":
        others = [v for v, _text in widget.options if v and v != value]
        return others[0] if others and value else None
    if not value:
        return None
    if widget.kind in ("textarea", "lines") and "\n" in value:
        first, rest = value.split("\n", 1)
        return f"{first}改\n{rest}"
    if widget.input_type == "tel":
        return "139 0000 9876" if value != "139 0000 9876" else "139 0000 9875"
    if widget.input_type == "date":
        return "2026-11-29" if value != "2026-11-29" else "2026-11-28"
    if widget.inputmode == "numeric" and value.isdigit():
        return str(int(value) + 1)
    return value + "改"


def _spans(data: object, lines: int) -> dict[yt.Path_, tuple[int, int]]:
    """Each key's or item's lines in the file: from its own to the next that is not inside it."""
    spots = list(yt.walk_lines(data))
    spans = {}
    for index, (line, _column, path) in enumerate(spots):
        end = lines + 1
        for later_line, _c, later in spots[index + 1 :]:
            if later[: len(path)] != path:
                end = later_line
                break
        spans[path] = (line, max(end, line + 1))
    return spans


def _names(draft: Draft) -> dict[str, yt.Path_]:
    return {name: path for path, name in draft.names.items()}


def _draft(owner: Owner, part: sections.Section, item: str | None, form: Form) -> Draft:
    return sections.draft(SHIPPED, owner, part, item, form, "")


@pytest.mark.parametrize(("slug", "ident"), FORMS)
def test_a_form_sent_unchanged_changes_nothing(slug: str, ident: str) -> None:
    """(The next test also finds each change made only where a value was changed, in every item.)"""
    owner, part = _open(slug, ident)
    for item in _items(owner, part)[:2]:
        form = posted(sections.widgets(SHIPPED, owner, part, item, None, "zh"))
        draft = _draft(owner, part, item, form)
        assert draft.changes == [] and draft.missing == {}, (item, draft.changes, draft.missing)
        assert draft.files[owner.rel] == SHIPPED.text(owner.rel)


@pytest.mark.parametrize(("slug", "ident"), FORMS)
def test_each_value_changed_changes_only_its_own_line(slug: str, ident: str) -> None:
    owner, part = _open(slug, ident)
    original = SHIPPED.text(owner.rel) or ""
    spans = _spans(yt.load(original).data, original.count("\n") + 1)
    checked = 0
    for item in _items(owner, part):
        widgets = sections.widgets(SHIPPED, owner, part, item, None, "zh")
        form = posted(widgets)
        changed: dict[str, str] = {}
        for widget in inputs(widgets):
            if widget.kind == "person":
                if widget.mode == "ref":
                    others = [v for v, _t in widget.options if v and v != widget.reference]
                    changed[f"{widget.name}.@ref"] = others[0]
                continue
            new = _changed_value(widget, widget.value)
            if new is not None:
                changed[widget.name] = new
            if widget.english:
                changed[f"{widget.name}~en"] = widget.english + " (changed)"
        draft = _draft(owner, part, item, {**form, **changed})
        names = _names(draft)
        text = draft.files[owner.rel] or ""
        removed, added = _diff(original, text)
        assert removed == added, f"{item}: lines were added or removed: {removed} → {added}"
        allowed: set[int] = set()
        for name in changed:
            base = name.removesuffix("~en").removesuffix(".@ref")
            start, end = spans[names[base]]
            allowed.update(range(start, end))
        outside = [n for n in removed if n not in allowed]
        assert outside == [], f"{item}: lines changed that hold none of the changed values: {outside}"
        new_lines = text.split("\n")
        for name, value in changed.items():
            start, end = spans[names[name.removesuffix("~en").removesuffix(".@ref")]]
            shown = value.split("\n")[0]
            assert any(shown in new_lines[n - 1] for n in range(start, min(end, len(new_lines) + 1))), (name, value)
        assert len(draft.changes) == len(changed), (draft.changes, changed)
        checked += len(changed)
    assert checked or not _items(owner, part) or part.id in ("people",), "no value was changed"


@pytest.mark.parametrize("slug", ["community", *SHIPPED.slugs()])
def test_each_value_added_adds_one_line_and_each_removed_removes_one(slug: str) -> None:
    owner = SHIPPED.owner("" if slug == "community" else slug)
    part = sections.sections(owner)[0]
    original = SHIPPED.text(owner.rel) or ""
    widgets = sections.widgets(SHIPPED, owner, part, None, None, "zh")
    form = posted(widgets)
    simple = [w for w in widgets if w.kind in ("text", "select") and not w.required]
    empty = [w for w in simple if not w.value]
    filled = [w for w in simple if w.value and not w.english]
    additions = {w.name: "2026-11-30" if w.input_type == "date" else _changed_value(w, "1") or "1" for w in empty}
    additions = {k: v for k, v in additions.items() if v}
    if additions:
        draft = _draft(owner, part, None, {**form, **additions})
        removed, added = _diff(original, draft.files[owner.rel] or "")
        assert removed == [] and len(added) == len(additions), (removed, added, additions)
    draft = _draft(owner, part, None, {**form, **{w.name: "" for w in filled}})
    removed, added = _diff(original, draft.files[owner.rel] or "")
    assert added == [] and len(removed) == len(filled), (removed, added, [w.name for w in filled])


def test_removing_the_last_item_of_a_list_keeps_the_comment_that_follows_it() -> None:
    owner = SHIPPED.neighborhood("lanting-huayuan")
    part = sections.section(owner, "services")
    last = sections.items(SHIPPED.yaml(owner.rel), owner, part)[-1].key
    draft = sections.removal(SHIPPED, owner, part, last, "")
    original, text = SHIPPED.text(owner.rel) or "", draft.files[owner.rel] or ""
    removed, added = _diff(original, text)
    assert added == [] and "# 线上服务与热线" in text
    gone = [original.split("\n")[n - 1] for n in removed]
    assert gone[0].strip().startswith("- category:") and all(line.startswith("    ") for line in gone[1:])


def test_a_new_item_goes_before_the_comment_of_the_next_section() -> None:
    owner = SHIPPED.neighborhood("lanting-huayuan")
    part = sections.section(owner, "services")
    form = posted(sections.widgets(SHIPPED, owner, part, None, None, "zh"))
    form.update({"f.category": "修鞋", "f.name": "老李修鞋", "f.phone": "139 0000 7777"})
    text = _draft(owner, part, None, form).files[owner.rel] or ""
    removed, added = _diff(SHIPPED.text(owner.rel) or "", text)
    assert removed == [] and len(added) == 3
    lines = text.split("\n")
    assert lines[added[0] - 1] == "  - category: 修鞋"
    assert lines[added[-1]] == "" and lines[added[-1] + 1] == "# 线上服务与热线"


def test_a_file_indented_another_way_keeps_its_indentation() -> None:
    original = (
        "# 说明\nname: 和谐家园   # 名称\nservices:\n- category: 理发\n  name:    老王\n  phone: '139 0000 0001'\n"
    )
    doc = yt.load(original)
    doc.data["services"][0]["phone"] = yt.scalar("139 0000 0002", doc.data["services"][0]["phone"])
    assert doc.text() == original.replace("0001", "0002")


def test_lines_ruamel_writes_differently_are_left_as_they_are() -> None:
    original = ["a:   1", "b: [x,   y]", "c: 3"]
    base = ["a: 1", "b: [x, y]", "c: 3"]
    changed = ["a: 1", "b: [x, y]", "c: 4"]
    assert carry(original, base, changed) == ["a:   1", "b: [x,   y]", "c: 4"]


def test_windows_line_endings_and_a_byte_order_mark_stay() -> None:
    original = "\ufeffname: 和谐家园\r\nverified_on: 2026-11-01\r\n"
    doc = yt.load(original)
    doc.data["verified_on"] = yt.scalar("2026-11-22", doc.data["verified_on"])
    assert doc.text() == original.replace("2026-11-01", "2026-11-22")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("null", "'null'"),
        ("12:30 开门", "12:30 开门"),
        ("a: b", '"a: b"'),
        ("#1 楼", '"#1 楼"'),
        ("- 第一", '"- 第一"'),
        ("", "''"),
    ],
)
def test_values_that_need_quotes_get_them(text: str, written: str, tmp_path: Path) -> None:
    doc = yt.load("name: 旧\n")
    doc.data["name"] = yt.scalar(text)
    out = doc.text()
    assert out.strip().split(": ", 1)[1] in (written, written.replace("'", '"'))
    assert yt.load(out).data["name"] == text


_LINES = st.lists(st.sampled_from(["a: 1", "b:  2", "  - c", "# note", "", "  d: [x,  y]", "e: 3"]), max_size=12)


def _solid(lines: list[str]) -> list[str]:
    """The lines that hold values (not blank, not comments), spaces run together."""
    return [" ".join(line.split()) for line in lines if line.strip() and not line.strip().startswith("#")]


@given(original=_LINES, edits=st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["z: 9", None, "  - w"]))))
def test_carried_changes_are_the_changes_made(original: list[str], edits: list[tuple[int, str | None]]) -> None:
    """Whatever the changes, the lines that hold values come out as the changed text has them."""
    base = [" ".join(line.split()) if line.strip() else line for line in original]  # written back tidier
    changed = list(base)
    for at, line in edits:
        if line is None:
            del changed[min(at, len(changed) - 1) : min(at, len(changed) - 1) + 1]
        else:
            changed.insert(min(at, len(changed)), line)
    assert _solid(carry(original, base, changed)) == _solid(changed)
    assert _solid(carry(original, original, changed)) == _solid(changed)


def _city(tmp_path: Path) -> Path:
    """A district made by the benchmarks' generator: content nobody wrote by hand for these tests."""
    spec = importlib.util.spec_from_file_location("make_city", ROOT / "benchmarks" / "make_city.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_city(4, tmp_path / "city")
    return tmp_path / "city"


@pytest.mark.parametrize("site", ["overfull", "generated"])
def test_forms_on_content_written_otherwise(site: str, tmp_path: Path) -> None:
    """The overfull site is indented in another style; the generated one is written by a program."""
    root = ROOT / "tests" / "sites" / "overfull" / "content" if site == "overfull" else _city(tmp_path)
    folder = ContentFolder(root)
    checked = 0
    for owner in [folder.community(), *folder.neighborhoods()]:
        original = folder.text(owner.rel) or ""
        for part in sections.sections(owner):
            listed = [] if part.kind == "keys" else sections.items(folder.yaml(owner.rel), owner, part)
            for item in [None] if part.kind == "keys" else [entry.key for entry in listed[:1]]:
                widgets = sections.widgets(folder, owner, part, item, None, "zh")
                form = posted(widgets)
                draft = sections.draft(folder, owner, part, item, form, "")
                assert draft.changes == [] and draft.files[owner.rel] == original, (owner.rel, part.id, item)
                for widget in inputs(widgets):
                    new = _changed_value(widget, widget.value) if widget.kind != "person" else None
                    if new is None or "\n" in new:
                        continue
                    draft = sections.draft(folder, owner, part, item, {**form, widget.name: new}, "")
                    removed, added = _diff(original, draft.files[owner.rel] or "")
                    assert len(removed) == len(added) == 1, (owner.rel, widget.name, removed, added)
                    checked += 1
    assert checked > 20
