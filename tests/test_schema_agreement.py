"""The exported JSON Schema and `sitegen check` agree on every key: what one accepts, the other accepts.

Editors' YAML tools (YAML 1.2, as the VS Code YAML extension reads it) see a value written without
quotes as a number, a yes/no or nothing when it looks like one, and as text otherwise; the checker
sees the text as written. Each generated value is given to the checker as text and to the schema
as such a tool reads it, for every key of every file.

What a schema cannot say is left out of the comparison, each for its reason (see ``_beyond_a_schema``):
references between files (an id that must exist), and a few values the tools turn into numbers
that no longer show how they were written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.content.format import NEIGHBORHOOD, NOTICE, SITE, json_schemas
from sitegen.content.parse import Node, RawDocument, parse_yaml
from sitegen.content.schema import (
    Bearing,
    Boolean,
    Checker,
    Choice,
    Date,
    Either,
    Field,
    FieldType,
    Identifier,
    Integer,
    ListOf,
    MapOf,
    Number,
    Pattern,
    PhoneNumber,
    Point,
    Record,
    Reference,
    Text,
    Time,
    Url,
    optional,
)
from tests.helpers import write_site

# --- how a YAML 1.2 tool reads a value -----------------------------------------------------------

_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def plain_scalar(text: str) -> Any:
    """A plain (unquoted) scalar as the YAML 1.2 core schema reads it."""
    if _NULL.fullmatch(text):
        return None
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text, 8 if text.startswith("0o") else 16 if text.startswith("0x") else 10)
    if _FLOAT.fullmatch(text):
        return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf").replace(".nan", "nan"))
    return text


def yaml12(node: Node) -> Any:
    if node.kind == "map":
        return {key: yaml12(entry.value) for key, entry in node.entries.items()}
    if node.kind == "seq":
        return [yaml12(item) for item in node.items]
    return plain_scalar(node.text) if node.style == "" else node.text


# --- the two verdicts ----------------------------------------------------------------------------

AREA_CODE = "0917"  # four digits: local numbers of 7 and 8 digits are both right after it


def parse_value(text: str) -> tuple[Node | None, list[Any]]:
    source = f"v: {text}\n"
    doc = RawDocument("t.yaml", "t.yaml", source.split("\n"), None)
    root, problems = parse_yaml(doc, source)
    return (root.entries["v"].value if root is not None and "v" in root.entries else None), problems


def check_accepts(spec: Field, text: str) -> bool | None:
    """Whether the checker takes ``text`` as the value of ``spec`` (None: it is not YAML at all)."""
    node, problems = parse_value(text)
    if node is None:
        return None
    if any(p.is_error for p in problems):
        return False
    if node.kind == "scalar" and node.is_null:
        return not spec.required
    doc = RawDocument("t.yaml", "t.yaml", [], None)
    found: list[Any] = []
    spec.type.check(node, Checker(doc, found, AREA_CODE))
    return not any(p.is_error for p in found)


_VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}


def schema_accepts(spec: Field, text: str) -> bool:
    node, _problems = parse_value(text)
    assert node is not None
    if id(spec) not in _VALIDATORS:
        schema = spec.type.json_schema() if spec.required else optional(spec.type.json_schema())
        _VALIDATORS[id(spec)] = jsonschema.Draft202012Validator(schema)
    return bool(_VALIDATORS[id(spec)].is_valid(yaml12(node)))


# --- what a schema cannot say ----------------------------------------------------------------------

_NUMBER_FORMS = re.compile(r"[-+]?[0-9]*\.[0-9]*([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")


def _inner(kind: FieldType) -> FieldType:
    while isinstance(kind, (ListOf, MapOf)):
        kind = kind.item if isinstance(kind, ListOf) else kind.value
    return kind


def _beyond_a_schema(spec: Field, text: str) -> str:
    """Why the value cannot be judged alike by a schema, or "" when it can."""
    node, _problems = parse_value(text)
    assert node is not None
    kind = _inner(spec.type)
    plain = node.kind == "scalar" and node.style == ""
    read = yaml12(node)
    if isinstance(read, float) and math.isnan(read):
        return "NaN compares with no bound"
    if plain and isinstance(read, (int, float)) and not isinstance(read, bool):
        written = node.text.strip()
        if _NUMBER_FORMS.fullmatch(written) and not isinstance(kind, (Number, Text, Reference, Bearing)):
            return "a decimal, hex or octal number where a whole number or a word is meant loses its form"
        if re.match(r"[-+]?0[0-9]", written) or written.startswith("+"):
            if isinstance(kind, (PhoneNumber, Pattern, Choice, Identifier, MapOf)):
                return "a number written with a leading 0 or + loses it"
        if isinstance(kind, Text) and len(written) > kind.max_length:
            return "a number longer than the text may be"
    if node.kind == "scalar" and node.style in ("'", '"') and isinstance(kind, (Number, Bearing)):
        if re.fullmatch(r"\s*[-+]?[0-9.]+([eE][-+]?[0-9]+)?\s*", node.text):
            return "the range of a quoted decimal number"
    return ""


# --- generated values ------------------------------------------------------------------------------

COMMON = [
    "", "~", "null", "true", "True", "yes", "是", "no", "否", "1", "01", "+5", "-5", "0", "1.5", ".5",
    "abc", "a b", "和谐家园", "  spaced  ", "2026-11-20", "2026/11/18", "2026年11月20日", "2026-02-30",
    "15:00", "25:00", "139 0000 0101", "029-8888 7777", "12345", "110", "https://example.org/",
    "南", "east", "朝南", "weekly", "周五", "Monday", "last", "F001", "029", "[1, 2]", "[]", "{}",
    "{zh: 和谐家园, en: Harmony}", "{en: Harmony}", "{zh: x, fr: y}", "'392'", '"2026/11/18"', '"\\x07"',
    '"\\u202e"', "'  '", '""', "[12.5, 30]", "[a, b]", "{a: 1}", "- x", "12.5", "-12", "999999999",
]  # fmt: skip


def _quoted(text: str) -> st.SearchStrategy[str]:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return st.sampled_from([text, f'"{escaped}"', "'" + text.replace("'", "''") + "'"])


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)


def _integers(kind: Integer) -> st.SearchStrategy[str]:
    near = st.sampled_from([kind.minimum, kind.maximum, 0, 1]).flatmap(lambda n: st.integers(n - 3, n + 3))
    number = st.one_of(near, st.integers(kind.minimum - 10, kind.maximum + 10))
    return st.tuples(number, st.sampled_from(["{}", "0{}", "+{}", " {} ", "{}.0", "{}万"])).map(
        lambda t: t[1].format(t[0]) if t[0] >= 0 or "+" not in t[1] else str(t[0])
    )


def _dates() -> st.SearchStrategy[str]:
    return st.tuples(
        st.integers(1895, 2105),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["-", "/", ".", "年", " "]),
        st.booleans(),
    ).map(lambda t: f"{t[0]}{t[3]}{t[1]:02d}{'月' if t[3] == '年' else t[3]}{t[2] if t[4] else f'{t[2]:02d}'}")


def _phones() -> st.SearchStrategy[str]:
    head = st.sampled_from(["1", "13", "139", "0", "010", "029", "0917", "400", "800", "95", "12", "2", "5", "10"])
    return st.tuples(
        st.sampled_from(["", "+86 ", "0086", "+86"]),
        head,
        st.text(alphabet="0123456789", min_size=0, max_size=10),
        st.sampled_from(["", " 转 12", ",5", " ext. 3", "x"]),
        st.sampled_from(["", " ", "-"]),
    ).map(lambda t: t[0] + (t[1] + t[2])[:4] + t[4] + (t[1] + t[2])[4:] + t[3])


def _texts(kind: Text) -> st.SearchStrategy[str]:
    sizes = st.sampled_from([0, 1, kind.max_length - 1, kind.max_length, kind.max_length + 1])
    return sizes.flatmap(lambda n: st.sampled_from(["字" * n, "a" * n, " " + "b" * n + " "]))


def _values(kind: FieldType) -> st.SearchStrategy[str]:
    """YAML texts of values for a key of this type: likely ones, near misses and others."""
    own: list[st.SearchStrategy[str]] = []
    if isinstance(kind, Integer):
        own.append(_integers(kind))
    elif isinstance(kind, (Number, Point)):
        own.append(st.floats(-200_000, 200_000, allow_nan=False).map(lambda f: f"{f:g}"))
        own.append(st.tuples(_DIGITS, _DIGITS).map(lambda t: f"[{t[0]}, {t[1]}.5]"))
    elif isinstance(kind, Date):
        own.append(_dates())
    elif isinstance(kind, Time):
        own.append(st.tuples(st.integers(0, 30), st.integers(0, 70)).map(lambda t: f"{t[0]}:{t[1]:02d}"))
    elif isinstance(kind, PhoneNumber):
        own.append(_phones())
    elif isinstance(kind, Text):
        own.append(_texts(kind))
    elif isinstance(kind, (Choice, Boolean)):
        words = kind.values + sorted(kind.aliases) if isinstance(kind, Choice) else list(kind.VALUES)
        own.append(st.sampled_from(words).flatmap(lambda w: st.sampled_from([w, w.upper(), w.title(), f" {w}x"])))
    elif isinstance(kind, Bearing):
        words = ["南", "north", "NE", "朝南", "向东南方", "南方", "360", "-360", "361", "45.5", "1e2", "东北风"]
        own.append(st.sampled_from(words))
    elif isinstance(kind, Url):
        schemes = st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", ""])
        own.append(schemes.map(lambda s: s + "example.org/x"))
        own.append(st.integers(70, 90).map(lambda n: "https://example.org/" + "a" * (n - 20)))
    elif isinstance(kind, (Identifier, Pattern, Reference)):
        own.append(st.text(alphabet="ab01-_ .:", min_size=0, max_size=6))
    generated = st.one_of(*own) if own else st.sampled_from(COMMON)
    return st.one_of(st.sampled_from(COMMON), generated.flatmap(_quoted))


def every_field() -> list[tuple[str, Field]]:
    found: list[tuple[str, Field]] = []

    def visit(record: Record, prefix: str) -> None:
        for key, spec in record.fields.items():
            found.append((prefix + key, spec))
            inner: FieldType = spec.type
            while isinstance(inner, (ListOf, MapOf, Either)):
                if isinstance(inner, ListOf):
                    found.append((f"{prefix}{key}[]", Field(key, inner.item, True)))
                inner = (
                    inner.item
                    if isinstance(inner, ListOf)
                    else inner.value
                    if isinstance(inner, MapOf)
                    else inner.mapping
                )
            if isinstance(inner, Record) and not prefix.count(".") > 3:
                visit(inner, f"{prefix}{key}.")

    for name, record in (("site", SITE), ("neighborhood", NEIGHBORHOOD), ("notice", NOTICE)):
        visit(record, f"{name}:")
    return found


FIELDS = every_field()


def test_every_key_is_generated() -> None:
    paths = {path for path, _spec in FIELDS}
    assert {"site:households", "neighborhood:households", "notice:date", "neighborhood:map.buildings"} <= paths
    assert len(paths) > 150


def _agree(spec: Field, text: str) -> None:
    checked = check_accepts(spec, text)
    if checked is None or _beyond_a_schema(spec, text):
        return
    assert schema_accepts(spec, text) == checked, (
        f"{text!r}: check {'accepts' if checked else 'refuses'} it, the JSON Schema does not"
    )


_STRATEGIES = {path: _values(_inner(spec.type)) for path, spec in FIELDS}


@pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
@settings(max_examples=1000, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(FIELDS), data=st.data())
def test_schema_and_check_agree_on_generated_values(field: tuple[str, Field], data: st.DataObject) -> None:
    path, spec = field
    _agree(spec, data.draw(_STRATEGIES[path], label=path))


def test_schema_and_check_agree_on_common_values_for_every_key() -> None:
    for _path, spec in FIELDS:
        for text in COMMON:
            _agree(spec, text)


# --- in whole files, as editors meet them --------------------------------------------------------------


def _schema_errors(kind: str, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(json_schemas()[kind])
    return [".".join(map(str, e.absolute_path)) for e in validator.iter_errors(data)]


def _read(path: Path) -> Any:
    """A YAML file as YAML 1.2 tools read it."""
    text = path.read_text(encoding="utf-8")
    doc = RawDocument(str(path), str(path), text.split("\n"), None)
    root, problems = parse_yaml(doc, text)
    assert root is not None and not problems
    return yaml12(root)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('households: "392"', "households"),
        ("households: 392", "households"),
        ("founded: '2006'", "founded"),
        ("verified_on: 2026/11/18", "verified_on"),
        ("verified_on: 2026年11月18日", "verified_on"),
        ("property_phone: 02988887777", "property_phone"),
        ("property_phone: 13900000101", "property_phone"),
        ("order: +3", "order"),
        ("grid: 01", "grid"),
    ],
)
def test_values_check_accepts_are_accepted_by_the_exported_schema(
    line: str, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "name: 和谐家园\nverified_on: 2026-11-01\n"
    text = base.replace(f"{key}: ", "# ") + line + "\n" if key in base else base + line + "\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": text})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0, capsys.readouterr().out
    assert _schema_errors("neighborhood", _read(content / "neighborhoods/hexie/neighborhood.yaml")) == []


@pytest.mark.parametrize(
    "line",
    ["households: '39 2'", "households: 3920000", "verified_on: 2026/11/31", "property_phone: '139 0000 010'"],
)
def test_values_check_refuses_are_refused_by_the_exported_schema(line: str, tmp_path: Path) -> None:
    key = line.split(":")[0]
    base = "name: 和谐家园\nverified_on: 2026-11-01\n"
    text = base.replace(f"{key}: ", "# ") + line + "\n" if key in base else base + line + "\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": text})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    assert _schema_errors("neighborhood", _read(content / "neighborhoods/hexie/neighborhood.yaml")) != []


def test_optional_keys_left_empty_are_fine_for_both(tmp_path: Path) -> None:
    text = "name: 和谐家园\nverified_on: 2026-11-01\naddress:\nproperty_manager:\nbuildings:\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/neighborhood.yaml": text})
    assert main(["check", "--content", str(content)]) == 0
    assert _schema_errors("neighborhood", _read(content / "neighborhoods/hexie/neighborhood.yaml")) == []


def test_yaml12_reading_matches_a_yaml_library_where_they_share_rules() -> None:
    """The reading above is YAML 1.2's; PyYAML reads 1.1, which agrees on these."""
    for text in ["1", "-5", "1.5", "true", "false", "null", "~", "abc", "1e3"]:
        expected: Callable[[str], Any] = lambda t: yaml.safe_load(f"v: {t}")["v"]  # noqa: E731
        if text == "1e3":
            assert plain_scalar(text) == 1000.0  # 1.1 reads 1e3 as text; 1.2 as a number
        else:
            assert plain_scalar(text) == expected(text), text
