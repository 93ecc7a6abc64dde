"""Decode content text and parse YAML into nodes that know their line and column, without meaning."""

from __future__ import annotations

import bisect
import re
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, overload

import yaml

from sitegen.content.indentation import indentation_mistake
from sitegen.content.invisible import describe, find_invisible, remove_invisible
from sitegen.errors import ContentError, Severity
from sitegen.i18n import Message, _

MAX_NODES = 100_000
MAX_DEPTH = 60

NULL_TAG = "tag:yaml.org,2002:null"


# What a scalar or a sequence has of entries, and a scalar or a mapping of items: one shared empty each
# (a district's site.yaml has hundreds of thousands of values).
_NO_ENTRIES: Mapping[str, Entry] = MappingProxyType({})


@dataclass(slots=True)
class Node:
    """A YAML value with its position: a mapping, a sequence or a scalar."""

    kind: Literal["map", "seq", "scalar"]
    line: int
    column: int
    entries: Mapping[str, Entry] = field(default_factory=lambda: _NO_ENTRIES)
    items: Sequence[Node] = ()
    text: str = ""
    is_null: bool = False
    quoted: bool = False
    # Scalars: the line the value ends on, and how it is written ("" plain, ' or ", | or >).
    end_line: int = 0
    style: str = ""
    # Mappings: the entries whose key repeats an earlier one (reported by the checker).
    duplicates: tuple[Entry, ...] = ()

    def describe(self) -> str:
        """Name the kind of value for messages ("a list", "text", …)."""
        if self.kind == "map":
            return _("a mapping (key: value lines)")
        if self.kind == "seq":
            return _("a list")
        if self.is_null:
            return _("nothing")
        return f"`{self.text}`"


@dataclass(slots=True)
class Entry:
    """One ``key: value`` pair of a mapping, with the key's position."""

    key: str
    line: int
    column: int
    value: Node


_LINE_END = re.compile("\n")


class Lines(Sequence[str]):
    """A text's lines, as ``text.split("\\n")`` gives them, kept as the text and where each line starts.

    A string a line would take several times the text (a district's site.yaml has 300,000 lines);
    a line is cut from the text when it is asked for (a problem's source line, a block's indent).
    """

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = array("Q", [0])
        self.starts.extend(match.end() for match in _LINE_END.finditer(text))

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._line(i) for i in range(*index.indices(len(self.starts)))]
        if index < 0:
            index += len(self.starts)
        if not 0 <= index < len(self.starts):
            raise IndexError("line index out of range")
        return self._line(index)

    def _line(self, index: int) -> str:
        start = self.starts[index]
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[start:end]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lines):
            return self.text == other.text
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Lines({self.text!r})"


@dataclass
class RawDocument:
    """One content file: where it is, its lines, and its parsed YAML (None if unreadable)."""

    path: str
    rel: str
    lines: Sequence[str]
    root: Node | None
    body: str = ""
    body_line: int = 0
    # The Markdown text in other languages, each from its own file (notice.en.md beside notice.md).
    translations: dict[str, RawDocument] = field(default_factory=dict)
    # Keys given twice, by the mapping they are in: (the mapping, the second entry, the first).
    duplicates: list[tuple[Node, Entry, Entry]] = field(default_factory=list)

    def problem(
        self,
        line: int,
        column: int,
        message: str,
        hint: str = "",
        severity: Severity = "error",
    ) -> ContentError:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return ContentError(self.path, line, column, message, severity, hint, source)

    def at(self, node: Node | Entry, message: str, hint: str = "", severity: Severity = "error") -> ContentError:
        return self.problem(node.line, node.column, message, hint, severity)

    def position(self, node: Node, offset: int, length: int = 1) -> tuple[int, int]:
        """Where in the file the text at ``offset`` of a scalar's value is (1-based line and column).

        A block scalar (``|``) keeps its lines: the value's line n is the file's line after the
        ``|`` plus n, shifted by the block's indentation. Elsewhere the text is looked for in the
        lines the value spans; when escapes or folding changed it, the value's own start is given.
        """
        if node.kind != "scalar" or offset < 0:
            return node.line, node.column
        line_index = node.text.count("\n", 0, offset)
        in_line = offset - (node.text.rfind("\n", 0, offset) + 1)
        if node.style == "|":
            number = node.line + 1 + line_index
            return number, _block_indent(self.lines, node.line) + in_line + 1
        if node.line == node.end_line and "\n" not in node.text:
            return node.line, node.column + in_line + (1 if node.style in ("'", '"') else 0)
        needle = node.text[offset : offset + max(length, 1)]
        if needle.strip():
            seen = node.text.count(needle, 0, offset)
            for number in range(node.line, min(node.end_line, len(self.lines)) + 1):
                source = self.lines[number - 1]
                start = node.column - 1 if number == node.line else 0
                found = source.find(needle, start)
                while found >= 0:
                    if not seen:
                        return number, found + 1
                    seen -= 1
                    found = source.find(needle, found + 1)
        return node.line, node.column


def _block_indent(lines: Sequence[str], header: int) -> int:
    """The indentation of a block scalar whose ``|`` is on line ``header`` (its first line that is not blank)."""
    for text in lines[header:]:
        if text.strip():
            return len(text) - len(text.lstrip(" "))
    return 0


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = False


# Line breaks PyYAML counts but editors do not show (pasted web text): spaces, so lines agree.
_ODD_BREAKS = re.compile("[\u0085\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def decode(data: bytes, path: str) -> tuple[str | None, list[ContentError]]:
    """Decode UTF-8 (with or without BOM); explain GBK and other encodings plainly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = _("save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)")
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            message = _("the file is not UTF-8 text")
        else:
            message = _("the file is saved in GBK (a Windows Chinese encoding), not UTF-8")
        return None, [ContentError(path, line, column, message, "error", hint)]
    text = _ODD_BREAKS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    problems = []
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        if match.group() == "\x00":
            return None, [ContentError(path, line, column, _("the file contains NUL bytes; it is not a text file"))]
        problems.append(
            ContentError(
                path,
                line,
                column,
                _("the file contains an invisible control character ({code})", code=f"U+{ord(match.group()):04X}"),
                "error",
                _("delete it; it usually comes from text copied from a web page or a document"),
                text.split("\n")[line - 1],
            )
        )
    if problems:
        return None, problems
    return _without_invisible(text, path)


MAX_INVISIBLE_LINES = 20


def _without_invisible(text: str, path: str) -> tuple[str, list[ContentError]]:
    """The text without zero-width and bidi control characters, with a warning for each line that had some."""
    positions = find_invisible(text)
    if not positions:
        return text, []
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    by_line: dict[int, list[int]] = {}
    for position in positions:
        number = bisect.bisect_right(starts, position)
        by_line.setdefault(number, []).append(position)
    problems = []
    for number, found in list(by_line.items())[:MAX_INVISIBLE_LINES]:
        column = found[0] - starts[number - 1] + 1
        problems.append(
            ContentError(
                path,
                number,
                column,
                _invisible_message(text[found[0]], len(found)),
                "warning",
                INVISIBLE_HINT,
                lines[number - 1],
            )
        )
    if len(by_line) > MAX_INVISIBLE_LINES:
        number = list(by_line)[MAX_INVISIBLE_LINES]
        more = _(
            "{count} more lines contain invisible characters; sitegen leaves them out",
            count=len(by_line) - MAX_INVISIBLE_LINES,
        )
        problems.append(ContentError(path, number, 1, more, "warning", INVISIBLE_HINT))
    return remove_invisible(text, positions), problems


INVISIBLE_HINT = _(
    "such characters can reverse the order of the text and phone numbers shown next to them, or split words "
    "and numbers; delete them (they come with text copied from web pages and chats)"
)


def _invisible_message(char: str, count: int) -> Message:
    if count == 1:
        return _("the text contains an invisible character, {char}; sitegen leaves it out", char=describe(char))
    return _(
        "the line contains {count} invisible characters, such as {char}; sitegen leaves them out",
        count=count,
        char=describe(char),
    )


def _tab_problems(doc: RawDocument, first_line: int, last_line: int) -> list[ContentError]:
    problems = []
    for number, text in enumerate(doc.lines[first_line - 1 : last_line], start=first_line):
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indent and text.strip():
            problems.append(
                doc.problem(
                    number,
                    indent.index("\t") + 1,
                    _("a tab is used for indentation"),
                    _("YAML indentation must use spaces; replace the tab with two spaces"),
                )
            )
    return problems


_PARSE_HINTS: list[tuple[str, Message, Message]] = [
    (
        "mapping values are not allowed here",
        _("a `:` appears where it cannot"),
        _("if the value itself contains `: `, put the whole value in quotes; otherwise check this line's indentation"),
    ),
    (
        "could not find expected ':'",
        _("a `key: value` line is missing its colon, or a text value runs over several lines"),
        _("add `: ` after the key, or put a long text value in quotes"),
    ),
    (
        "did not find expected key",
        _("the indentation does not line up"),
        _("keys of the same mapping must start in the same column"),
    ),
    (
        "expected <block end>, but found '-'",
        _("a list item `-` is at the wrong indentation"),
        _("items of one list must start in the same column"),
    ),
    (
        "expected <block end>, but found '<block mapping start>'",
        _("this line is indented differently from the lines around it"),
        _("keys of one mapping must start in the same column"),
    ),
    (
        "expected <block end>, but found '<block sequence start>'",
        _("a list item `-` is at the wrong indentation"),
        _("items of one list must start in the same column"),
    ),
    (
        "expected ',' or ']'",
        _("a list in brackets `[ … ]` is not closed, or holds a stray character"),
        _("close it with `]`, or put items containing `:` or `,` in quotes"),
    ),
    (
        "expected ',' or '}'",
        _("a mapping in braces `{ … }` is not closed, or holds a stray character"),
        _("close it with `}`, or put values containing `:` or `,` in quotes"),
    ),
    (
        "expected <block end>, but found '<scalar>'",
        _("text continues after a closing quote"),
        _("put the whole value in quotes, or remove the quotes"),
    ),
    (
        "found undefined alias",
        _("an alias `*name` refers to an anchor `&name` that does not exist"),
        _("if the value is text starting with `*`, put it in quotes"),
    ),
    (
        "expected alphabetic or numeric character",
        _("a value starting with `*` or `&` is read as a YAML alias or anchor"),
        _("put the value in quotes"),
    ),
    (
        "found character '\\t' that cannot start any token",
        _("a tab character is used where YAML needs spaces"),
        _("replace the tab with spaces"),
    ),
    (
        "that cannot start any token",
        _("a value starts with a character YAML reserves (such as `@` or a backquote)"),
        _("put the value in quotes"),
    ),
    (
        "expected a single document in the stream",
        _("the file holds more than one YAML document"),
        _("remove the second `---` line"),
    ),
    (
        "found unexpected end of stream",
        _("a quote is opened but never closed"),
        _("close the quoted text with the same quote mark it starts with"),
    ),
]

# Mistakes that make YAML unreadable, recognised on the line itself (checked only when parsing fails).
_LINE_MISTAKES: list[tuple[re.Pattern[str], Message, Message]] = [
    (
        re.compile(r"^\s*(?:- )?[A-Za-z_][A-Za-z0-9_]*\s*："),
        _("a Chinese colon `：` follows the key"),
        _("use the English colon and a space: `key: value`"),
    ),
    (
        re.compile(r"^\s*(?:- )?[A-Za-z_][A-Za-z0-9_]*:(?=[^\s/])"),
        _("there is no space after the colon"),
        _("write a space after the colon: `key: value`"),
    ),
    (
        re.compile(r"""^\s*(?:- )?(?:[^:#"']+:\s+)?(?P<at>"(?:[^"\\]|\\.)*|'[^']*)$"""),
        _("a quote is opened but never closed"),
        _("close the quoted text with the same quote mark it starts with"),
    ),
    (
        re.compile(r"^[^#\[]*:\s+(?P<at>\[)[^\]]*$"),
        _("a list in brackets `[ … ]` is not closed"),
        _("close it with `]` on the same line"),
    ),
]


def _line_problems(doc: RawDocument, first_line: int, last_line: int) -> list[ContentError]:
    problems = []
    for number in range(first_line, min(last_line, len(doc.lines)) + 1):
        text = doc.lines[number - 1]
        for pattern, message, hint in _LINE_MISTAKES:
            match = pattern.match(text)
            if match:
                column = match.start("at") + 1 if "at" in pattern.groupindex else match.end()
                problems.append(doc.problem(number, column, _("YAML syntax error: {problem}", problem=message), hint))
                break
    return problems


def _parse_error(doc: RawDocument, exc: yaml.MarkedYAMLError, line_offset: int) -> ContentError:
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark:
        mark = exc.context_mark  # where the unclosed quote or bracket began
    line = mark.line + 1 + line_offset if mark else 1
    column = mark.column + 1 if mark else 1
    for needle, message, hint in _PARSE_HINTS:
        if needle in problem or needle in (exc.context or ""):
            return doc.problem(line, column, _("YAML syntax error: {problem}", problem=message), hint)
    return doc.problem(line, column, _("YAML syntax error: {problem}", problem=problem))


def _convert(
    doc: RawDocument,
    node: yaml.Node,
    offset: int,
    problems: list[ContentError],
    budget: _Budget,
    depth: int,
) -> Node:
    line, column = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    budget.nodes += 1
    if id(node) in budget.seen:
        budget.aliases = True  # the composer gives an alias the node it names
    budget.seen.add(id(node))
    if budget.nodes > budget.limit or depth > MAX_DEPTH:
        raise _TooBig(line, column, budget.aliases)
    if not node.tag.startswith("tag:yaml.org,2002:"):
        problems.append(
            doc.problem(
                line,
                column,
                _("YAML tags like `{tag}` are not supported", tag=node.tag),
                _("if this is text, put it in quotes"),
            )
        )
    if isinstance(node, yaml.ScalarNode):
        return _scalar(doc, node, line, column, offset, problems)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(doc, item, offset, problems, budget, depth + 1) for item in node.value]
        return Node("seq", line, column, items=items)
    assert isinstance(node, yaml.MappingNode)
    entries: dict[str, Entry] = {}
    result = Node("map", line, column, entries)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        key_column = key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(doc.problem(key_line, key_column, _("a key must be plain text")))
            continue
        if key_node.value == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(
                doc.problem(
                    key_line,
                    key_column,
                    _("YAML merge keys (`<<`) are not supported"),
                    _("write the keys out in full"),
                )
            )
            continue
        key = key_node.value
        value = _convert(doc, value_node, offset, problems, budget, depth + 1)
        _add_entry(doc, result, entries, Entry(key, key_line, key_column, value))
    return result


def _add_entry(doc: RawDocument, mapping: Node, entries: dict[str, Entry], entry: Entry) -> None:
    """Add an entry to a mapping's (``entries``); a key given again is noted as a duplicate instead."""
    first = entries.get(entry.key)
    if first is not None:
        mapping.duplicates = (*mapping.duplicates, entry)
        doc.duplicates.append((mapping, entry, first))
    else:
        entries[entry.key] = entry


def _scalar(doc: RawDocument, event: Any, line: int, column: int, offset: int, problems: list[ContentError]) -> Node:
    """A scalar node from PyYAML's node or event of one (their fields are named alike)."""
    value = event.value
    if event.style == '"':
        value = _escaped(doc, value, line, column, problems)
    return Node(
        "scalar",
        line,
        column,
        text=value,
        is_null=_is_null(event),
        quoted=event.style in ("'", '"'),
        end_line=event.end_mark.line + 1 + offset,
        style=event.style or "",
    )


def _is_null(scalar: Any) -> bool:
    if isinstance(scalar, yaml.ScalarNode):
        return bool(scalar.tag == NULL_TAG)
    return bool(scalar.implicit[0] and scalar.value in _NULLS)


class _Unusual(Exception):
    """What the events of a document hold needs PyYAML's composer: aliases, tags, several documents, odd keys."""


def _events_tree(
    doc: RawDocument, events: Iterator[Any], offset: int, problems: list[ContentError], budget: _Budget
) -> Node | None:
    """The located tree of a plain document, made from the parser's events as they come.

    PyYAML's composer makes a tree of its own first, with two marks a value: for a district's
    site.yaml (5.7 MB) that tree took 235 MB beside the located one. This gives the same tree as
    composing and converting (:func:`_convert`), for documents without anchors, aliases, tags, merge
    keys or keys that are not text, and within the budget; it raises _Unusual for anything else.
    """
    root: Node | None = None
    # Open collections: the node, its entries (a mapping's) and the key waiting for its value.
    stack: list[tuple[Node, dict[str, Entry] | None, list[Any]]] = []
    # One int a line number, shared by the nodes and keys on that line (each would be 28 bytes).
    numbers: dict[int, int] = {}
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            stack.pop()
            continue
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual
            continue
        if kind is not yaml.ScalarEvent and kind is not yaml.SequenceStartEvent and kind is not yaml.MappingStartEvent:
            if kind is yaml.AliasEvent:
                raise _Unusual
            continue  # the stream's and the document's start and end
        if event.anchor is not None or event.tag is not None:
            raise _Unusual
        line, column = event.start_mark.line + 1 + offset, event.start_mark.column + 1
        line = numbers.setdefault(line, line)
        waiting = stack[-1][2] if stack and stack[-1][1] is not None else None
        if waiting is not None and not waiting:  # a mapping's key
            if kind is not yaml.ScalarEvent or (event.implicit[0] and event.value == "<<"):
                raise _Unusual
            waiting.append((sys.intern(event.value), line, column))  # a few keys, repeated in every item
            continue
        budget.nodes += 1
        if budget.nodes > budget.limit or len(stack) > MAX_DEPTH:
            raise _Unusual  # as the composer and converter would say, if nothing else is wrong first
        entries: dict[str, Entry] | None = None
        if kind is yaml.ScalarEvent:
            node = _scalar(doc, event, line, column, offset, problems)
            node.end_line = numbers.setdefault(node.end_line, node.end_line)
        elif kind is yaml.SequenceStartEvent:
            node = Node("seq", line, column, items=[])
        else:
            entries = {}
            node = Node("map", line, column, entries)
        if not stack:
            root = node
        elif waiting is None:
            items = stack[-1][0].items
            assert isinstance(items, list)
            items.append(node)
        else:
            key, key_line, key_column = waiting.pop()
            mapping, mapping_entries, _waiting = stack[-1]
            assert mapping_entries is not None
            _add_entry(doc, mapping, mapping_entries, Entry(key, key_line, key_column, node))
        if kind is not yaml.ScalarEvent:
            stack.append((node, entries, []))
    return root


def duplicate_problem(doc: RawDocument, entry: Entry, first: Entry) -> ContentError:
    """The problem of a key given a second time in one mapping."""
    return doc.at(
        entry,
        _("duplicate key `{key}` (first given on line {line})", key=entry.key, line=first.line),
        _("a key may appear only once in a mapping; delete one of them"),
    )


def _escaped(doc: RawDocument, value: str, line: int, column: int, problems: list[ContentError]) -> str:
    """A double-quoted value with what its escapes made checked: control characters are errors,
    invisible ones warnings, and both are left out."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(
            doc.problem(line, column, _("the text contains an invalid character escape"), _("remove the `\\u…` escape"))
        )
        value = value.encode("utf-8", "replace").decode("utf-8")
    value = _ODD_BREAKS.sub(" ", value)
    control = _CONTROL.search(value)
    if control:
        code = f"U+{ord(control.group()):04X}"
        problems.append(
            doc.problem(
                line,
                column,
                _("the text contains a control character ({code}), written as an escape", code=code),
                _("remove the escape (such as `\\a`, `\\x07` or `\\0`); control characters cannot be shown"),
            )
        )
    value = _CONTROL.sub("", value)
    invisible = find_invisible(value)
    if invisible:
        problems.append(
            doc.problem(
                line, column, _invisible_message(value[invisible[0]], len(invisible)), INVISIBLE_HINT, "warning"
            )
        )
    return remove_invisible(value, invisible)


class _TooBig(Exception):
    def __init__(self, line: int, column: int, aliases: bool) -> None:
        self.line, self.column, self.aliases = line, column, aliases


def _deepest_line(text: str) -> int:
    """The line where bracket nesting first gets too deep, else the most indented line (1-based)."""
    depth, deepest, deepest_line = 0, -1, 1
    for number, line in enumerate(text.split("\n"), start=1):
        for char in line:
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            if depth > MAX_DEPTH:
                return number
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and indent > deepest:
            deepest, deepest_line = indent, number
    return deepest_line


# libyaml composes eight times faster than PyYAML's Python code, with the same positions. Its
# recursion is in C, though: text that may nest deeply, and text it cannot read (whose errors are
# explained in PyYAML's words), goes to the Python parser.
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BLOCK_CHAIN = re.compile(r"(?:[-?][ \t]+){200,}")


def _may_nest_deeply(text: str) -> bool:
    """Whether YAML text could nest deeper than libyaml's C recursion safely goes (a few thousand)."""
    depth = 0
    for char in _NOT_BRACKETS.sub("", text):
        depth += 1 if char in "[{" else -1
        if depth > 500:
            return True
    return bool(_BLOCK_CHAIN.search(text))


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _Tags:
    """Tags only for what sitegen asks of a value: is it empty, is it a merge key. Every other plain
    value is text, given its meaning later by the field it is in (so `no`, `010` and `1:30` stay as
    written). This also spares a regular-expression test per value and type."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0] and value in _NULLS:
                return NULL_TAG
            if implicit[0] and value == "<<":
                return "tag:yaml.org,2002:merge"
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


class _PythonLoader(_Tags, yaml.SafeLoader):
    pass


_FAST_LOADER: Any = type("_FastLoader", (_Tags, yaml.CSafeLoader), {}) if hasattr(yaml, "CSafeLoader") else None


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None and not _may_nest_deeply(text):
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_PythonLoader)


def parse_yaml(
    doc: RawDocument, text: str, line_offset: int = 0, max_nodes: int | None = None, duplicates: bool = True
) -> tuple[Node | None, list[ContentError]]:
    """Parse YAML text into a located Node tree; return it (or None) with every problem found.

    The tree may hold ``max_nodes`` values at most (MAX_NODES if not given; counting what aliases
    repeat). Keys given twice are reported unless ``duplicates`` is false: they are then left in
    ``doc.duplicates`` for the checker, which knows when one is a line indented wrongly.
    """
    max_nodes = MAX_NODES if max_nodes is None else max_nodes
    problems: list[ContentError] = []
    root: Node | None
    if _FAST_LOADER is not None and not _may_nest_deeply(text):
        noted = len(doc.duplicates)
        try:
            root = _events_tree(doc, yaml.parse(text, Loader=_FAST_LOADER), line_offset, problems, _Budget(max_nodes))
        except (_Unusual, yaml.YAMLError):
            problems.clear()  # composed and said again below
            del doc.duplicates[noted:]
        else:
            return _with_duplicates(doc, root, problems, duplicates)
    try:
        tree = _compose(text)
    except yaml.MarkedYAMLError as exc:
        # The parser often notices a mistake a line or more after it was made: look for the
        # usual mistakes on the lines up to where it stopped, and explain those instead.
        error = _parse_error(doc, exc, line_offset)
        last = line_offset + text.count("\n") + 1
        explained = _tab_problems(doc, line_offset + 1, last)
        explained += [
            p for p in _line_problems(doc, line_offset + 1, error.line) if p.line not in {t.line for t in explained}
        ]
        if not any(p.line <= error.line for p in explained):
            mistake = indentation_mistake(doc.lines, line_offset + 1, error.line)
            if mistake is not None:
                error = doc.problem(mistake.line, mistake.column, mistake.message, mistake.hint)
            explained.append(error)
        return None, sorted(explained, key=lambda p: p.line)
    except yaml.YAMLError as exc:
        problems.append(doc.problem(line_offset + 1, 1, _("YAML syntax error: {problem}", problem=str(exc))))
        return None, problems
    except RecursionError:
        line = _deepest_line(text) + line_offset
        problems.append(doc.problem(line, 1, _("the YAML is nested too deeply"), _("split the deeply nested part up")))
        return None, problems
    if tree is None:
        return None, problems
    try:
        root = _convert(doc, tree, line_offset, problems, _Budget(max_nodes), 0)
    except _TooBig as big:
        if big.aliases:
            hint = _("aliases (`*name`) repeat large parts of the file; write the values out instead")
        else:
            hint = _("split the content into smaller files, e.g. one neighborhood per folder")
        message = _(
            "the file expands to more than {count} values or nests more than {depth} levels deep",
            count=f"{max_nodes:,}",
            depth=MAX_DEPTH,
        )
        problems.append(doc.problem(big.line, big.column, message, hint))
        return None, problems
    return _with_duplicates(doc, root, problems, duplicates)


def _with_duplicates(
    doc: RawDocument, root: Node | None, problems: list[ContentError], duplicates: bool
) -> tuple[Node | None, list[ContentError]]:
    if duplicates:
        problems += [duplicate_problem(doc, entry, first) for _map, entry, first in doc.duplicates]
        doc.duplicates.clear()
    return root, problems
