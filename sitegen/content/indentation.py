"""Explain YAML that does not parse because of its indentation: which line is off, and where its block starts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.i18n import Message, _

_DASH = re.compile(r"-(?:[ ]+|$)")
_KEY = re.compile(
    r"""(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'"""  # a quoted key
    r"""|[^\s#'"\[\]{}&*!|>%@`,?:-][^#]*?|-[^\s#][^#]*?)"""  # a plain one
    r"""[ ]*:(?:[ ]+(?P<value>.*)|$)"""
)
_BLOCK_SCALAR = re.compile(r"(?:[&!]\S*\s+)*[|>][-+0-9]*\s*(?:#.*)?$")
_ONLY_PROPERTIES = re.compile(r"(?:[&!]\S*\s*)+(?:#.*)?$")


@dataclass
class Block:
    """A mapping or list being read: its column, and the line that opened it."""

    indent: int
    kind: str  # "map" or "seq"
    owner: str  # the key that holds it, "-" for the mapping of a list item, "" at the top
    line: int  # the line of that key or dash


@dataclass
class Mistake:
    """A line whose indentation does not fit the lines before it."""

    line: int
    column: int
    message: Message
    hint: Message


def _comment_free(text: str) -> str:
    """The line without a trailing comment (a `#` after a space, outside quotes)."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and (index == 0 or text[index - 1] in " [{,:-"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
    return text.rstrip()


def _open_brackets(text: str) -> int:
    """How many `[` and `{` the line leaves open, outside quotes."""
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth


def _unclosed_quote(value: str) -> str:
    """The quote mark a value opens and does not close on its line, if any."""
    value = value.strip()
    if value[:1] in ("'", '"') and (len(value) == 1 or not value.endswith(value[0])):
        return value[0]
    return ""


class _GiveUp(Exception):
    pass


class _Reader:
    """Walks the lines of a YAML text keeping the blocks that are open, until a line does not fit."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.opened: Block | None = None  # the line before opens a block: its key's column and line
        self.scalar_below: int | None = None  # lines indented more than this are block text (|, >)
        self.flow = 0
        self.quote = ""
        self.last: tuple[int, str] | None = None  # (line, key) of the last line with a key and its value

    def read(self, number: int, text: str) -> Mistake | None:
        stripped = _comment_free(text)
        if not stripped.strip():
            return None
        indent = len(stripped) - len(stripped.lstrip(" "))
        if self.scalar_below is not None:
            if indent > self.scalar_below:
                return None
            self.scalar_below = None
        if self.quote:
            if self.quote in stripped:
                self.quote = ""
            return None
        if self.flow > 0:
            self.flow += _open_brackets(stripped)
            return None
        if stripped.startswith(("---", "...", "%")):
            self.__init__()  # type: ignore[misc]  # a new document starts afresh
            return None
        return self._line(number, stripped, indent)

    def _line(self, number: int, text: str, indent: int) -> Mistake | None:
        rest, column, dashes = text[indent:], indent, []
        while match := _DASH.match(rest):
            dashes.append(column)
            column += match.end()
            rest = rest[match.end() :]
        if rest.startswith(("?", ": ")) or rest == ":":
            raise _GiveUp  # complex keys are beyond this reading
        key = _KEY.fullmatch(rest)
        if not dashes and key is None:
            return None  # a text value running over several lines, or something the parser explains better
        opened, self.opened = self.opened, None
        if opened is not None and (indent > opened.indent or (dashes and indent == opened.indent)):
            owner, owner_line = opened.owner, opened.line
        elif not self.blocks:
            owner, owner_line = "", number
        else:
            mistake = self._lines_up(number, indent, bool(dashes), key.group("key") if key else "")
            if mistake is not None:
                return mistake
            owner, owner_line = "", number
        for dash in dashes:
            if not (self.blocks and self.blocks[-1].indent == dash and self.blocks[-1].kind == "seq"):
                self.blocks.append(Block(dash, "seq", owner, owner_line))
            owner, owner_line = "-", number
        if key is None:
            if rest:
                self.last = (number, "-")
            else:
                self.opened = Block(dashes[-1], "map", "-", number)  # `-` alone: the item follows, indented
            self._value(rest)
            return None
        if not (self.blocks and self.blocks[-1].indent == column and self.blocks[-1].kind == "map") or dashes:
            self.blocks.append(Block(column, "map", owner, owner_line))
        value = (key.group("value") or "").strip()
        name = key.group("key").strip("'\"")
        if not value or _ONLY_PROPERTIES.match(value):
            self.opened = Block(column, "map", name, number)
        elif _BLOCK_SCALAR.match(value):
            self.scalar_below = column
        else:
            self.last = (number, name)
            self._value(value)
        return None

    def _value(self, value: str) -> None:
        self.flow = max(_open_brackets(value), 0)
        self.quote = _unclosed_quote(value) if not self.flow else ""

    def _lines_up(self, number: int, indent: int, dash: bool, key: str) -> Mistake | None:
        """Check that a line starts in the column of an open block (closing those indented more)."""
        top = self.blocks[-1]
        if indent > top.indent:
            return self._too_far(number, indent, key)
        popped = None
        while len(self.blocks) > 1 and self.blocks[-1].indent > indent:
            popped = self.blocks.pop()
        if not dash and self.blocks[-1].kind == "seq" and len(self.blocks) > 1:
            if self.blocks[-2].indent == indent:
                popped = self.blocks.pop()  # a key after a list written in its key's column
        top = self.blocks[-1]
        if top.indent != indent:
            return self._between(number, indent, popped or top, top)
        return None  # (a list item where keys are expected is left to the parser's words)

    def _too_far(self, number: int, indent: int, key: str) -> Mistake:
        name = f"`{key.strip(chr(39) + chr(34))}:`" if key else "`-`"
        column = self.blocks[-1].indent + 1
        if self.last is not None:
            line, above = self.last
            above_name = "`-`" if above == "-" else f"`{above}:`"
            return Mistake(
                number,
                indent + 1,
                _(
                    "the indentation is wrong: {name} starts in column {column}, further right than {above} "
                    "on line {line}, which already has its value",
                    name=name,
                    column=indent + 1,
                    above=above_name,
                    line=line,
                ),
                _(
                    "move it to column {column}, like {above}; if it is part of the value above, "
                    "put that value in quotes",
                    column=column,
                    above=above_name,
                ),
            )
        return Mistake(
            number,
            indent + 1,
            _("the indentation is wrong: {name} starts further right than the lines before it", name=name),
            _("move it to column {column}, like the lines before it", column=column),
        )

    def _between(self, number: int, indent: int, inner: Block, outer: Block) -> Mistake:
        if inner.owner == "-":
            where = _("the lines of the list item on line {line}", line=inner.line)
        elif inner.owner:
            where = _("the lines under `{key}:` (line {line})", key=inner.owner, line=inner.line)
        else:
            where = _("the lines of the block starting on line {line}", line=inner.line)
        return Mistake(
            number,
            indent + 1,
            _(
                "the indentation is wrong: this line starts in column {column}, but {where} begin in column {inner}",
                column=indent + 1,
                where=where,
                inner=inner.indent + 1,
            ),
            _(
                "move it to column {inner} if it belongs to that block, or to column {outer} if it belongs "
                "to the block around it",
                inner=inner.indent + 1,
                outer=outer.indent + 1,
            ),
        )


def indentation_mistake(lines: Sequence[str], first: int, last: int) -> Mistake | None:
    """The first line from ``first`` to ``last`` (1-based) whose indentation does not fit, if one is found."""
    reader = _Reader()
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        if "\t" in text[: len(text) - len(text.lstrip())]:
            return None  # tabs are explained on their own
        try:
            mistake = reader.read(number, text)
        except _GiveUp:
            return None
        if mistake is not None:
            return mistake
    return None
