"""Generated and mutated content: every input gives located messages only, and what `check` passes, `build` builds.

- Markdown from the characters that mean something to it, in long runs: no error and no text that
  `check` lets through takes more than a second to render (its work is bounded by content/mdlimits.py).
- Every section of real content, the site plan too, mutated the way typing goes wrong: `check`
  answers with located messages only, and when it passes, `build` succeeds.
- Whole sites generated from the content format, with odd names and the largest values allowed:
  whenever `check` exits 0, `build` exits 0.
- YAML that parses is never taken for an indentation mistake.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.content.format import NEIGHBORHOOD, NOTICE
from sitegen.content.indentation import indentation_mistake
from sitegen.content.markdown import plain_text, render_markdown
from sitegen.content.mdlimits import markdown_trouble
from sitegen.content.parse import Node, RawDocument, parse_yaml
from sitegen.content.schema import (
    Bearing,
    Boolean,
    Choice,
    Date,
    Either,
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
)
from tests.conftest import ROOT
from tests.helpers import MINIMAL_SITE

PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: (error|warning): .+$")


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure here is always reproducible
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# When a property fails, Hypothesis's reporting touches a deprecated mypy_extensions API; with
# `filterwarnings = error` that turns the failure report into a pytest INTERNALERROR.
_QUIET_REPORT = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


def sitegen(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--lang", "en"])
    return code, out.getvalue(), err.getvalue()


def only_located(out: str, err: str) -> None:
    assert "internal error" not in err, err
    for line in out.split("\n")[:-1]:
        if not line.startswith(" "):
            assert PROBLEM_LINE.match(line), line


def check_then_build(content: Path) -> None:
    """`check` answers in its format; if it passes, `build` builds."""
    code, out, err = sitegen("check", "--content", str(content))
    assert code in (0, 1)
    only_located(out, err)
    if code == 0:
        built, out, err = sitegen("build", "--content", str(content), "--output", str(content.parent / "output"))
        assert built == 0, f"check passed, build failed:\n{out}{err}"


# --- Markdown ---------------------------------------------------------------------------------------------

PIECES = [
    "[", "]", "(", ")", "![", "](", "<", ">", "<a ", "<div>", "</a>", "<http://", "*", "**", "_", "`", "```",
    "~~~", "#", "# ", "> ", "- ", "* ", "+ ", "1. ", "1) ", "---", "***", "===", "|", "| a |", "\\", "&",
    "&amp;", "&#", "\n", "\n\n", "  ", "    ", "\t", "a", "字", "139 0000 0101", "拨打110", "[x]: y", "[^1]",
    "<!--", "-->", "<?", "javascript:", "http://example.org", ":", "'", '"',
]  # fmt: skip

markdown_text = st.lists(
    st.tuples(st.sampled_from(PIECES), st.integers(1, 400)).map(lambda t: t[0] * t[1]),
    max_size=12,
).map("".join)


def cpu_seconds(render: Any, text: str, under: float = 1.0, tries: int = 3) -> float:
    """The CPU time ``render(text)`` takes with the cycle collector paused: the first try under ``under``
    seconds, else the least of a few.

    Late in a whole test session the collector's full passes over everything earlier tests left can
    take a second on their own, and a shared machine's noise only ever adds time; a text that is slow
    to render is slow on every try."""
    least = float("inf")
    for _ in range(tries):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            render(text)
            least = min(least, time.process_time() - started)
        finally:
            gc.enable()
        if least < under:
            break
    return least


@_QUIET_REPORT
@fuzz(150)
@given(text=markdown_text)
def test_markdown_renders_without_errors_and_in_bounded_time(text: str) -> None:
    """A text `check` lets through renders in well under a second (the budget aims at a fifth of one on
    a slow computer); one it refuses is shown as plain text, just as quickly."""
    trouble = markdown_trouble(text)
    for render in (render_markdown.__wrapped__, plain_text.__wrapped__):
        assert cpu_seconds(render, text) < 1.0, trouble


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000,
        "![" * 5000,
        "[a](" * 5000,
        "<a href='" * 5000,
        "<http://" * 5000,
        "a\n===\n" * 5000,
        "# a\n" * 10000,
        "*a* " * 12000,
        "a\n" * 24000,
        "1. " * 1000 + "a",
        "".join("    " * i + "- a\n" for i in range(300)),
        "> " * 2000 + "a",
    ],
    ids=lambda text: repr(text[:12]),
)
def test_texts_known_to_be_slow_are_refused_and_still_render_fast(text: str) -> None:
    assert markdown_trouble(text) is not None
    for render in (render_markdown.__wrapped__, plain_text.__wrapped__):
        assert cpu_seconds(render, text) < 1.0


# --- every section of real content, mutated -----------------------------------------------------------------

EXAMPLE = ROOT / "content"
TARGETS = sorted(
    [
        "site.yaml",
        *(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.glob("neighborhoods/*/neighborhood.yaml")),
        *(str(p.relative_to(EXAMPLE)) for p in sorted(EXAMPLE.glob("**/notices/*.md"))[:4] if p.name.count(".") == 1),
    ]
)
TYPOS = list("0Oo1lI,:-[]{}# '\"一１\u3000.x\t") + ["- ", ": ", "&a", "*a", "|", ">", "\n", "  "]
VALUES = [
    "[]", "{}", "[1, 2]", "~", "", "x", "[a, b, c]", "{a: 1}", "- a", "[1O, 2]", "[0, 0, 0]", "'[0, 0]'", "1e5",
    "-1", "999999999999", ".inf", "null", "[[0, 0], [1, 1]]", "[p1 p2]", "p1, p2", "2099-11-20", "\"\\x07\"",
]  # fmt: skip


def _scalars(node: Node, found: list[Node]) -> list[Node]:
    if node.kind == "scalar":
        found.append(node)
    for entry in node.entries.values():
        _scalars(entry.value, found)
    for item in node.items:
        _scalars(item, found)
    return found


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a value mistyped, replaced by another kind of value, or a line cut, doubled or shifted."""
    for _round in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        doc = RawDocument("t", "t", lines, None)
        root, _problems = parse_yaml(doc, text)
        values = [n for n in _scalars(root, []) if n.line == n.end_line and n.style in ("", "'", '"')] if root else []
        how = draw(st.sampled_from(["typo", "value", "cut", "double", "shift", "swap"] if values else ["cut"]))
        if how in ("typo", "value"):
            node = draw(st.sampled_from(values))
            line, start = lines[node.line - 1], node.column - 1
            written = line[start : start + len(node.text) + (2 if node.style else 0)]
            if how == "typo" and written:
                at = draw(st.integers(0, len(written) - 1))
                new = written[:at] + draw(st.sampled_from(TYPOS)) + written[at + draw(st.integers(0, 1)) :]
            else:
                new = draw(st.sampled_from(VALUES))
            lines[node.line - 1] = line[:start] + new + line[start + len(written) :]
        else:
            at = draw(st.integers(0, len(lines) - 2))
            if how == "cut":
                del lines[at]
            elif how == "double":
                lines.insert(at, lines[at])
            elif how == "shift":
                shift = draw(st.sampled_from([-2, -1, 1, 2, 4]))
                lines[at] = " " * shift + lines[at] if shift > 0 else re.sub(f"^ {{0,{-shift}}}", "", lines[at])
            else:
                lines[at], lines[at + 1] = lines[at + 1], lines[at]
        text = "\n".join(lines)
    return text


def _mutate_file(path: Path, data: st.DataObject) -> None:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        head, _sep, body = text[4:].partition("\n---\n")
        text = "---\n" + data.draw(mutated(head)) + "\n---\n" + body
    else:
        text = data.draw(mutated(text))
    path.write_text(text, encoding="utf-8")


def _copy(source: Path, folder: str) -> Path:
    content = Path(folder) / "content"
    shutil.copytree(source, content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\nsearch: false\n", encoding="utf-8")
    return content


@_QUIET_REPORT
@fuzz(80)
@given(target=st.sampled_from(TARGETS), data=st.data())
def test_every_section_mutated_gives_located_messages(target: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = _copy(EXAMPLE, folder)
        _mutate_file(content / target, data)
        code, out, err = sitegen("check", "--content", str(content))
        assert code in (0, 1)
        only_located(out, err)


MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"
MINIMAL_TARGETS = sorted(
    str(p.relative_to(MINIMAL))
    for p in [*MINIMAL.rglob("*.yaml"), *MINIMAL.glob("**/notices/*.md")]
    if ".en." not in p.name
)


@_QUIET_REPORT
@fuzz(30)
@given(target=st.sampled_from(MINIMAL_TARGETS), data=st.data())
def test_mutated_content_that_check_passes_builds(target: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = _copy(MINIMAL, folder)
        _mutate_file(content / target, data)
        check_then_build(content)


MAP_FILES = sorted(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.glob("neighborhoods/*/neighborhood.yaml"))


@_QUIET_REPORT
@fuzz(60)
@given(target=st.sampled_from(MAP_FILES), data=st.data())
def test_the_site_plan_mutated_gives_located_messages(target: str, data: st.DataObject) -> None:
    """Only the `map:` section of a neighborhood is mutated: its rectangles, points, paths and entrances."""
    with tempfile.TemporaryDirectory() as folder:
        content = _copy(EXAMPLE, folder)
        path = content / target
        text = path.read_text(encoding="utf-8")
        assume("\nmap:\n" in text)
        before, plan = text.split("\nmap:\n", 1)
        path.write_text(before + "\nmap:\n" + data.draw(mutated(plan)), encoding="utf-8")
        code, out, err = sitegen("check", "--content", str(content))
        assert code in (0, 1)
        only_located(out, err)


# --- whole sites generated from the content format ----------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(
        list("和谐家园社区物业电话停水通知abcXYZ 0123456789-·（）<>&\"'#:[]*_`!@/\\") + ["\u3000", "😀"]
    ),
    min_size=1,
)
_PHONES = ["139 0000 0101", "029-8888 7777", "12345", "110", "400-800-1234", "+86 139 0000 0102", "029 8888 7777 转 12"]
# References between files are left out: a generated id would name nothing (check says so, correctly).
_LEFT_OUT = {"grid", "map", "contact", "community_leader", "head", "worker", "police", "helpers"}


def values(kind: FieldType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values `check` should take for a key of this type, the largest allowed among them."""
    if isinstance(kind, Text):
        longest = st.just("字" * kind.max_length)
        return st.one_of(longest, _TEXT.filter(lambda t: t.strip() != "").map(lambda t: t[: kind.max_length]))
    if isinstance(kind, Integer):
        return st.one_of(st.sampled_from([kind.minimum, kind.maximum]), st.integers(kind.minimum, kind.maximum))
    if isinstance(kind, Number):
        return st.integers(int(kind.minimum), int(kind.maximum))
    if isinstance(kind, Date):
        return st.dates(dt.date(2000, 1, 1), dt.date(2026, 11, 22)).map(lambda d: d.isoformat())
    if isinstance(kind, Time):
        return st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}")
    if isinstance(kind, PhoneNumber):
        return st.sampled_from(_PHONES)
    if isinstance(kind, Url):
        return st.text(alphabet="abcxyz019-/", max_size=40).map(lambda p: "https://example.org/" + p)
    if isinstance(kind, Boolean):
        return st.booleans()
    if isinstance(kind, Choice):
        return st.sampled_from(kind.values + sorted(kind.aliases))
    if isinstance(kind, (Identifier, Pattern)):
        return (
            st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}\Z")
            if isinstance(kind, Identifier)
            else st.just(kind.example)
        )
    if isinstance(kind, Bearing):
        return st.sampled_from(["南", "north", "45", "东南"])
    if isinstance(kind, Point):
        return st.tuples(st.integers(-50, 50), st.integers(-50, 50)).map(list)
    if isinstance(kind, Either):
        return values(kind.mapping, depth)
    if isinstance(kind, ListOf):
        return st.lists(
            values(kind.item, depth + 1), min_size=kind.min_items, max_size=max(kind.min_items, 3 if depth < 2 else 1)
        )
    if isinstance(kind, MapOf):
        return st.dictionaries(st.from_regex(r"\A[a-z]{1,8}\Z"), values(kind.value, depth + 1), max_size=2)
    if isinstance(kind, Record):
        return record(kind, depth)
    assert isinstance(kind, Reference), kind
    return st.nothing()


# Keys that name something of another file: drawn from what MINIMAL_SITE defines.
_KEYS_OF = {"who_to_call": st.just("facilities")}


def field_values(key: str, kind: FieldType, depth: int) -> st.SearchStrategy[Any]:
    if key in _KEYS_OF and isinstance(kind, MapOf):
        return st.dictionaries(_KEYS_OF[key], values(kind.value, depth + 1), max_size=1)
    return values(kind, depth)


def record(kind: Record, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    required = {
        k: field_values(k, f.type, depth + 1) for k, f in kind.fields.items() if f.required and k not in _LEFT_OUT
    }
    optional = {
        k: field_values(k, f.type, depth + 1)
        for k, f in kind.fields.items()
        if not f.required and k not in _LEFT_OUT and not isinstance(f.type, Reference)
    }
    return st.fixed_dictionaries(required, optional=optional)  # type: ignore[arg-type]


_SLUGS = st.one_of(
    st.sampled_from(["a", "index", "archive", "sitemap", "feed", "404", "calendar", "contact", "print", "1", "x" * 60]),
    st.from_regex(r"\A[a-z0-9]{1,20}(-[a-z0-9]{1,10}){0,4}\Z"),
)


@st.composite
def sites(draw: st.DrawFn) -> dict[str, str]:
    files = {"site.yaml": MINIMAL_SITE + "search: false\n"}
    for slug in draw(st.lists(_SLUGS, min_size=1, max_size=3, unique=True)):
        neighborhood = draw(record(NEIGHBORHOOD))
        neighborhood["verified_on"] = "2026-11-01"
        files[f"neighborhoods/{slug}/neighborhood.yaml"] = yaml.safe_dump(neighborhood, allow_unicode=True)
        if draw(st.booleans()):
            files[f"neighborhoods/{slug}/pact.md"] = draw(markdown_text) or "1. 爱护公共设施。"
        for name in draw(st.lists(_SLUGS, max_size=3, unique=True)):
            facts = draw(record(NOTICE))
            body = draw(st.one_of(markdown_text, _TEXT))
            notice = "---\n" + yaml.safe_dump(facts, allow_unicode=True) + "---\n" + body + "\n"
            folder = draw(st.sampled_from([f"neighborhoods/{slug}/notices", "notices"]))
            files[f"{folder}/{name}.md"] = notice
    return files


@_QUIET_REPORT
@fuzz(25)
@given(files=sites())
def test_whatever_check_passes_build_builds(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        for rel, text in files.items():
            (content / rel).parent.mkdir(parents=True, exist_ok=True)
            (content / rel).write_text(text, encoding="utf-8")
        check_then_build(content)


def test_generated_sites_pass_check_often_enough() -> None:
    """The property above means something only if generated sites are often valid."""
    passed = 0

    @fuzz(40)
    @given(files=sites())
    def count(files: dict[str, str]) -> None:
        nonlocal passed
        with tempfile.TemporaryDirectory() as folder:
            content = Path(folder) / "content"
            for rel, text in files.items():
                (content / rel).parent.mkdir(parents=True, exist_ok=True)
                (content / rel).write_text(text, encoding="utf-8")
            passed += sitegen("check", "--content", str(content))[0] == 0

    count()
    # One in eight: cross-field rules (a meeting's weekday, an expiry after its date) refuse the rest.
    assert passed >= 5


# --- valid YAML is never an indentation mistake -----------------------------------------------------------

_KEYS = st.sampled_from(["name", "phone", "a b", "中文", "k:v", "- x", "#c", "'q'", "x", "12:30", "on", "? q"])
_LEAVES = st.one_of(
    st.sampled_from(["", "|", ">", "[1, 2]", "{a: b}", "&x", "*y", "~", "- a", "a: b", "# c", "'", '"', "\\"]),
    st.text(max_size=30),
    st.integers(),
    st.booleans(),
    st.none(),
)
_DATA = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


class _Indented(yaml.SafeDumper):
    """Lists indented under their key, as some editors write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


@_QUIET_REPORT
@fuzz(300)
@given(data=_DATA, indent=st.sampled_from([2, 3, 4]), dumper=st.sampled_from([yaml.SafeDumper, _Indented]))
def test_yaml_that_parses_is_never_taken_for_an_indentation_mistake(data: Any, indent: int, dumper: Any) -> None:
    text = yaml.dump({"root": data}, Dumper=dumper, allow_unicode=True, indent=indent, width=30)
    lines = text.split("\n")
    mistake = indentation_mistake(lines, 1, len(lines))
    assert mistake is None, f"{mistake}\n{text}"
