"""Round-trip YAML: a file's text in, data that keeps its layout out, and back to text changed only where changed.

Every plain value is read as text, as sitegen's checker reads it (``2010``, ``06`` and ``yes`` stay as
written); only an empty value, ``~`` or ``null`` is nothing.
"""

from __future__ import annotations

import copy
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, ScalarString

from sitegen.content.load import FRONT_MATTER_RE
from sitegen.edit.textmerge import carry
from sitegen.errors import SitegenError
from sitegen.i18n import _

NULL_TAG = "tag:yaml.org,2002:null"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")

Path_ = tuple[str | int, ...]


class _TextResolver(VersionedResolver):
    """Plain values are text; only the empty value, ``~`` and ``null`` mean nothing."""

    @property
    def versioned_resolver(self) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
        # A fresh dict each time: ruamel.yaml extends the lists it is given.
        return {first: [(NULL_TAG, _NULL)] for first in ("", "~", "n", "N")}


class YamlSyntaxError(SitegenError):
    """The text is not YAML that can be edited in a form; the raw editor shows where."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        super().__init__(_("line {line}: {problem}", line=line, problem=problem))
        self.line, self.column, self.problem = line, column, problem


def _yaml(mapping: int = 2, offset: int = 2) -> YAML:
    yaml = YAML()
    yaml.Resolver = _TextResolver
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line
    yaml.indent(mapping=mapping, sequence=mapping + offset, offset=offset)
    return yaml


def _guess_indent(text: str) -> tuple[int, int]:
    """The file's indentation: spaces per level, and how far `- ` of a list sits in from its key."""
    mapping = re.search(r"^[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n( +)[^\s-]", text, re.MULTILINE)
    listing = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n( *)- ", text, re.MULTILINE)
    step = len(mapping.group(1)) if mapping else 2
    offset = len(listing.group(2)) - len(listing.group(1)) if listing else step
    return step, max(0, offset)


@dataclass
class YamlText:
    """A YAML file's text and its data; change ``data`` and :meth:`text` writes the change into the text."""

    original: str
    data: Any
    mapping: int = 2
    offset: int = 2

    def dump(self, data: Any) -> str:
        out = io.StringIO()
        _yaml(self.mapping, self.offset).dump(data, out)
        return out.getvalue()

    def text(self) -> str:
        """The original text with the changes made to ``data``, and nothing else changed."""
        newline = "\r\n" if "\r\n" in self.original else "\n"
        original = self.original.replace("\r\n", "\n")
        bom = "\ufeff" if original.startswith("\ufeff") else ""
        original = original.removeprefix("\ufeff")
        if self.data is None:
            return self.original
        merged = self._by_key(original)
        if merged is None:
            base = _written_back(original, None)
            changed = self.dump(self.data)
            merged = "\n".join(carry(original.split("\n"), base.split("\n"), changed.split("\n")))
            merged = self._sure(merged, exact=base.removesuffix("\n") == original.removesuffix("\n"))
        if not original.endswith("\n"):
            merged = merged.removesuffix("\n")
        return bom + merged.replace("\n", newline)

    def _by_key(self, original: str) -> str | None:
        """Write again only the top-level entries that changed (a large file's other parts cost nothing).

        None where keys were added, removed or moved: the whole file is written again then.
        """
        before = _pristine(original)
        data = self.data
        if not isinstance(before, CommentedMap) or not isinstance(data, CommentedMap) or list(before) != list(data):
            return None
        lines = original.split("\n")
        keys = list(data)
        starts = [before.lc.key(key)[0] for key in keys] + [len(lines) - (1 if original.endswith("\n") else 0)]
        if any(a >= b for a, b in zip(starts, starts[1:], strict=False)):
            return None
        out: list[str] = []
        position, exact = 0, True
        for index, key in enumerate(keys):
            if plain(data[key]) == plain(before[key]):
                continue
            region = lines[starts[index] : starts[index + 1]]
            base = _written_back(original, key).split("\n")[:-1]
            changed = self.dump(_alone(data, key)).split("\n")[:-1]
            exact = exact and base == region
            out += lines[position : starts[index]] + carry(region, base, changed)
            position = starts[index + 1]
        out += lines[position:]
        return self._sure("\n".join(out), exact)

    def _sure(self, merged: str, exact: bool) -> str:
        """``merged``, if it holds the data; else the whole file as ruamel.yaml writes it.

        Where ruamel.yaml writes the text back as it was (``exact``), the merge only moves blank lines
        and comments; elsewhere it may have joined a change to lines written differently: make sure.
        """
        if exact:
            return merged
        try:
            same = plain(load(merged).data) == plain(self.data)
        except YamlSyntaxError:
            same = False
        return merged if same else self.dump(self.data)


def _alone(data: CommentedMap, key: Any) -> CommentedMap:
    """A mapping of just ``key`` of ``data``, with the comment after its value."""
    alone = CommentedMap()
    alone[key] = data[key]
    if key in data.ca.items:
        alone.ca.items[key] = data.ca.items[key]
    return alone


# ruamel.yaml reads in Python, slowly: the same text is read once, and each reader gets a copy.
_read: OrderedDict[str, tuple[Any, int, int]] = OrderedDict()
_written: OrderedDict[tuple[str, Any], str] = OrderedDict()
_cache_lock = threading.Lock()
KEPT = 64


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    with _cache_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > KEPT:
            cache.popitem(last=False)


def load(text: str) -> YamlText:
    """Read YAML text for editing; raise YamlSyntaxError where it cannot be read."""
    known = _read.get(text)
    if known is None:
        mapping, offset = _guess_indent(text)
        try:
            data = _yaml(mapping, offset).load(text.removeprefix("\ufeff"))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise YamlSyntaxError(line, column, str(exc.problem or exc.context or "")) from exc
        except (YAMLError, ValueError, RecursionError) as exc:
            raise YamlSyntaxError(1, 1, str(exc)) from exc
        known = (data, mapping, offset)
        _remember(_read, text, known)
    data, mapping, offset = known
    return YamlText(text, copy.deepcopy(data), mapping, offset)


def _pristine(text: str) -> Any:
    """The data read from ``text`` as it was read (never to be changed)."""
    load(text)
    return _read[text][0]


def _written_back(original: str, key: Any) -> str:
    """The text (or its top-level entry ``key``) as ruamel.yaml writes it back unchanged."""
    known = _written.get((original, key))
    if known is None:
        doc = load(original)  # a copy: writing YAML out may change the comments it holds
        if doc.data is None:
            known = ""
        else:
            known = doc.dump(_alone(doc.data, key) if key is not None else doc.data)
        _remember(_written, (original, key), known)
    return known


def plain(value: Any) -> Any:
    """The data without layout: dicts, lists and strings (for comparing)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None if value is None else str(value)


def needs_quotes(text: str) -> bool:
    """Whether ``text`` written plain would be read back as something else (or not at all)."""
    try:
        data = _yaml().load(f"k: {text}\n")
    except (YAMLError, ValueError):
        return True
    return not isinstance(data, dict) or data.get("k") != text or str(data.get("k")) != text


def scalar(text: str, like: Any = None, quote: bool = False) -> Any:
    """``text`` as a YAML value written the way ``like`` (the value it replaces) was written.

    Text of several lines becomes a block (``|``). ``quote`` puts a new value in double quotes, as
    the content does for ids with a leading zero and for times.
    """
    if "\n" in text.strip():
        return LiteralScalarString(text.strip("\n") + "\n")
    if isinstance(like, ScalarString) and not isinstance(like, LiteralScalarString):
        return type(like)(text)
    if quote or needs_quotes(text):
        return DoubleQuotedScalarString(text)
    return text


def flow_like(siblings: list[Any]) -> bool:
    """Whether mappings beside these are written on one line (``{name: 薛伟, phone: …}``)."""
    for item in siblings:
        if isinstance(item, CommentedMap):
            return bool(item.fa.flow_style())
    return False


def new_map(flow: bool = False) -> CommentedMap:
    made = CommentedMap()
    if flow:
        made.fa.set_flow_style()
    return made


def new_seq(flow: bool = False) -> CommentedSeq:
    made = CommentedSeq()
    if flow:
        made.fa.set_flow_style()
    return made


def get(data: Any, path: Path_) -> Any:
    """The value at ``path`` (keys and list indexes), or None."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return None
    return data


def line_of(data: Any, path: Path_) -> int:
    """The 1-based line where the value at ``path`` is written (of its key, for a mapping entry), or 0."""
    line = 0
    for step in path:
        if isinstance(data, CommentedMap) and step in data:
            line = data.lc.key(step)[0] + 1
            data = data[step]
        elif isinstance(data, CommentedSeq) and isinstance(step, int) and 0 <= step < len(data):
            line = data.lc.item(step)[0] + 1
            data = data[step]
        else:
            return line
    return line


def walk_lines(data: Any, path: Path_ = ()) -> Iterator[tuple[int, int, Path_]]:
    """Every key's and item's line and column (1-based) and path, in the order of the file."""
    if isinstance(data, CommentedMap):
        for key in data:
            line, column = data.lc.key(key)
            yield line + 1, column + 1, (*path, key)
            yield from walk_lines(data[key], (*path, key))
    elif isinstance(data, CommentedSeq):
        for index, item in enumerate(data):
            line, column = data.lc.item(index)
            yield line + 1, column + 1, (*path, index)
            yield from walk_lines(item, (*path, index))


@dataclass
class FrontMatter:
    """A notice: its `---` block of facts and the Markdown text below."""

    facts: YamlText
    body: str

    def text(self) -> str:
        facts = self.facts.text()
        if facts and not facts.endswith("\n"):
            facts += "\n"
        return f"---\n{facts}---\n{self.body}"


def load_front_matter(text: str) -> FrontMatter:
    """Split a notice into its facts and text; raise YamlSyntaxError if the `---` block is missing or broken."""
    text = text.replace("\r\n", "\n").removeprefix("\ufeff")
    match = FRONT_MATTER_RE.match(text)
    if not match:
        raise YamlSyntaxError(1, 1, _("the notice does not start with a `---` block of facts"))
    try:
        facts = load(match.group(1) or "")
    except YamlSyntaxError as exc:
        raise YamlSyntaxError(exc.line + 1, exc.column, exc.problem) from exc
    if facts.data is None:
        facts.data = CommentedMap()
    return FrontMatter(facts, text[match.end() :])
