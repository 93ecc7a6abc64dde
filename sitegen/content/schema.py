"""The machinery behind the content format: field types that check located YAML and export JSON Schema."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.content import patterns
from sitegen.content.parse import Entry, Node, RawDocument, duplicate_problem
from sitegen.content.phone import PhoneError, parse_phone
from sitegen.errors import ContentError, Severity
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, Message, Translated, _, ngettext

# Whole and decimal numbers as YAML tools read them (a sign, an exponent); digits may be full-width.
_D = "[0-9０-９]"
WHOLE_RE = re.compile(f"[-+]?{_D}+")
DECIMAL_RE = re.compile(f"[-+]?(?:{_D}+(?:\\.{_D}*)?|\\.{_D}+)(?:[eE][-+]?{_D}+)?")
DECIMAL_PATTERN = DECIMAL_RE.pattern
# Characters no text may hold (written as YAML escapes; in a file they are refused when it is read).
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f\\ufffe\\uffff"


def _number(text: str) -> float:
    """A decimal number the checker read (full-width digits included)."""
    return float(unicodedata.normalize("NFKC", text))


def optional(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or nothing (`key:` with no value is a key left out)."""
    return {"anyOf": [schema, {"type": "null"}]}


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass
class Checker:
    """The state of checking one document: where problems go, and site-wide settings."""

    doc: RawDocument
    problems: list[ContentError]
    area_code: str = ""
    # Keys given twice that were explained otherwise (as lines indented wrongly), by id.
    explained: set[int] = field(default_factory=set)
    # Keys written below a mapping instead of in it, by the mapping's id: not reported as missing.
    elsewhere: set[tuple[int, str]] = field(default_factory=set)

    def report(self, where: Node | Entry, message: str, hint: str = "", severity: Severity = "error") -> None:
        self.problems.append(self.doc.at(where, message, hint, severity))


class Rec(dict[str, Any]):
    """A checked mapping: the valid values by key, and where the mapping and each key are."""

    # Without a __dict__ of its own: a district's site.yaml makes 80,000 of them.
    __slots__ = ("node", "complete")

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.complete = True

    def __missing__(self, key: str) -> None:
        # A required value that was missing or invalid has been reported already; None lets the
        # rest of the document still be checked (references, duplicates) before the build stops.
        return None

    def where(self, key: str) -> Node | Entry:
        """The position of ``key``'s value, or of the mapping when the key is absent."""
        entry = self.node.entries.get(key)
        return entry.value if entry else self.node


class FieldType:
    """How one kind of value is checked, converted and described."""

    name: str = _("a value")

    def check(self, node: Node, ctx: Checker) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _scalar(self, node: Node, ctx: Checker, example: str = "") -> str | None:
        if node.kind != "scalar" or node.is_null:
            hint = _("write {what} here", what=self.name)
            if example:
                hint = _("write {what} here, e.g. `{example}`", what=self.name, example=example)
            if node.kind == "map":
                hint = _("{hint}; if the text contains `: `, put it in quotes", hint=hint)
            ctx.report(node, _("expected {what}, found {found}", what=self.name, found=node.describe()), hint)
            return None
        return node.text.strip()


class Text(FieldType):
    """One line of text (or several with ``multiline``)."""

    def __init__(self, max_length: int = 200, multiline: bool = False, example: str = "") -> None:
        self.max_length, self.multiline, self.example = max_length, multiline, example
        self.name = _("text")

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind == "map" and any(key in LANGUAGES for key in node.entries):
            return self._translations(node, ctx)
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not value:
            ctx.report(node, _("the text is empty"), _("write something or remove the line"))
            return INVALID
        if len(value) > self.max_length:
            ctx.report(
                node,
                _(
                    "the text is {length} characters long; at most {most} fit here",
                    length=len(value),
                    most=self.max_length,
                ),
                _("shorten it"),
            )
            return INVALID
        if not self.multiline:
            value = " ".join(value.split())
        return value

    def _translations(self, node: Node, ctx: Checker) -> Any:
        """``{zh: 锦华社区, en: Jinhua Community}``: the text in Chinese and in other languages."""
        texts: dict[str, str] = {}
        ok = True
        for key, entry in node.entries.items():
            if key not in LANGUAGES:
                ctx.report(
                    entry,
                    _("`{key}` is not a language sitegen knows", key=key),
                    _("write the Chinese text after `zh:` and the English after `en:`"),
                )
                ok = False
                continue
            # Other languages take more letters than Chinese takes characters to say the same.
            same = self if key == DEFAULT_LANGUAGE else Text(self.max_length * 3, self.multiline, self.example)
            value = same.check(entry.value, ctx) if entry.value.kind != "map" else self._scalar(entry.value, ctx)
            if value is INVALID or value is None:
                ok = False
            else:
                texts[key] = str(value)
        if DEFAULT_LANGUAGE not in node.entries:
            ctx.report(
                node,
                _("the Chinese text (`zh:`) is missing"),
                _("every text is written in Chinese first; add `zh: …` beside `en: …`"),
            )
            return INVALID
        return Translated(texts) if ok else INVALID

    def json_schema(self) -> dict[str, Any]:
        def text(most: int) -> dict[str, Any]:
            # Not empty, and at most `most` characters once the blanks around it are left out.
            inner = f"[^\\s{_CONTROL}](?:[^{_CONTROL}]{{0,{most - 2}}}[^\\s{_CONTROL}])?" if most > 1 else "\\S"
            return {"anyOf": [{"type": "string", "pattern": f"^\\s*{inner}\\s*$"}, {"type": ["number", "boolean"]}]}

        translations = {
            "type": "object",
            "properties": {
                lang: text(self.max_length if lang == DEFAULT_LANGUAGE else self.max_length * 3) for lang in LANGUAGES
            },
            "required": [DEFAULT_LANGUAGE],
            "additionalProperties": False,
        }
        return {"anyOf": [*text(self.max_length)["anyOf"], translations]}


class Identifier(FieldType):
    """A short name used in web addresses and references: letters, digits, dashes."""

    name = _("an id")
    PATTERN = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")

    def __init__(self, example: str = "3") -> None:
        self.example = example

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not self.PATTERN.match(value):
            ctx.report(
                node,
                _("`{value}` cannot be used as an id", value=value),
                _(
                    "use letters, digits and dashes only, e.g. `{example}`; put the full name in `name:`",
                    example=self.example,
                ),
            )
            return INVALID
        return value

    def json_schema(self) -> dict[str, Any]:
        # `01` is a number to YAML tools (1); `true` a yes: both are ids as written.
        text = {"type": "string", "pattern": f"^\\s*{self.PATTERN.pattern[1:-1]}\\s*$"}
        return {"anyOf": [text, {"type": "integer", "minimum": 0}, {"type": "boolean"}]}


class Pattern(FieldType):
    """Short text of a fixed shape, e.g. a telephone area code."""

    def __init__(self, pattern: str, name: Message, example: str, numbers: tuple[int, int] | None = None) -> None:
        self.pattern, self.name, self.example = re.compile(pattern), name, example
        self.numbers = numbers  # the numbers YAML tools read from the values written without quotes

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not self.pattern.fullmatch(value):
            ctx.report(
                node,
                _("`{value}` is not {what}", value=value, what=self.name),
                _("write it like `{example}`", example=self.example),
            )
            return INVALID
        return value

    def json_schema(self) -> dict[str, Any]:
        text = {"type": "string", "pattern": f"^\\s*(?:{self.pattern.pattern})\\s*$"}
        if self.numbers is None:
            return text
        return {"anyOf": [text, {"type": "integer", "minimum": self.numbers[0], "maximum": self.numbers[1]}]}


class Integer(FieldType):
    """A whole number within bounds."""

    name = _("a whole number")

    def __init__(self, minimum: int = 0, maximum: int = 10_000_000, example: str = "1260") -> None:
        self.minimum, self.maximum, self.example = minimum, maximum, example

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not WHOLE_RE.fullmatch(value):
            ctx.report(
                node,
                _("`{value}` is not a whole number", value=value),
                _("write digits only, without commas or units, e.g. `{example}`", example=self.example),
            )
            return INVALID
        number = int(value)
        if not self.minimum <= number <= self.maximum:
            ctx.report(
                node,
                _("{value} is out of range", value=number),
                _("use a number from {minimum} to {maximum}", minimum=self.minimum, maximum=self.maximum),
            )
            return INVALID
        return number

    def json_schema(self) -> dict[str, Any]:
        number = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        return {"anyOf": [number, {"type": "string", "pattern": patterns.integer_range(self.minimum, self.maximum)}]}


class Number(FieldType):
    """A decimal number within bounds (metres, degrees)."""

    name = _("a number")

    def __init__(self, minimum: float = -100_000, maximum: float = 100_000, example: str = "12.5") -> None:
        self.minimum, self.maximum, self.example = minimum, maximum, example

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not DECIMAL_RE.fullmatch(value):
            ctx.report(
                node,
                _("`{value}` is not a number", value=value),
                _("write digits, with a decimal point if needed, e.g. `{example}`", example=self.example),
            )
            return INVALID
        number = _number(value)
        if not self.minimum <= number <= self.maximum:
            ctx.report(
                node,
                _("{value} is out of range", value=value),
                _("use a number from {minimum} to {maximum}", minimum=f"{self.minimum:g}", maximum=f"{self.maximum:g}"),
            )
            return INVALID
        return number

    def json_schema(self) -> dict[str, Any]:
        # (A quoted number is checked for its form only: a pattern cannot say "at most 100000.5".)
        number = {"type": "number", "minimum": self.minimum, "maximum": self.maximum}
        return {"anyOf": [number, {"type": "string", "pattern": f"^\\s*{DECIMAL_PATTERN}\\s*$"}]}


class Point(FieldType):
    """A position on a site plan: ``[x, y]`` in metres."""

    name = _("a position `[x, y]` in metres")

    def __init__(self) -> None:
        self.coordinate = Number(-100_000, 100_000, "12.5")

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind != "seq" or len(node.items) != 2:
            ctx.report(
                node,
                _("expected {what}, found {found}", what=self.name, found=node.describe()),
                _("write two numbers in brackets, e.g. `[12.5, 30]`"),
            )
            return INVALID
        x, y = (self.coordinate.check(item, ctx) for item in node.items)
        return INVALID if INVALID in (x, y) else (x, y)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.coordinate.json_schema(), "minItems": 2, "maxItems": 2}


COMPASS = {
    "n": 0, "north": 0, "北": 0, "ne": 45, "northeast": 45, "东北": 45, "e": 90, "east": 90, "东": 90,
    "se": 135, "southeast": 135, "东南": 135, "s": 180, "south": 180, "南": 180, "sw": 225, "southwest": 225,
    "西南": 225, "w": 270, "west": 270, "西": 270, "nw": 315, "northwest": 315, "西北": 315,
}  # fmt: skip


class Bearing(FieldType):
    """A compass direction: degrees clockwise from north, or a word like 南 or east."""

    name = _("a compass direction")

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "南")
        if value is None:
            return INVALID
        word = value.lower().removesuffix("方").removeprefix("朝").removeprefix("向")
        if word in COMPASS:
            return float(COMPASS[word])
        if DECIMAL_RE.fullmatch(value) and -360 <= _number(value) <= 360:
            return _number(value) % 360
        ctx.report(
            node,
            _("`{value}` is not a compass direction", value=value),
            _("write degrees from north (0 = 北, 90 = 东, 180 = 南) or 北/东/南/西/东南…"),
        )
        return INVALID

    def json_schema(self) -> dict[str, Any]:
        compass = "|".join(patterns.case_blind(w) for w in sorted(COMPASS, key=len, reverse=True))
        return {
            "anyOf": [
                {"type": "number", "minimum": -360, "maximum": 360},
                {"type": "string", "pattern": f"^\\s*(?:朝)?(?:向)?(?:{compass})(?:方)?\\s*$"},
                {"type": "string", "pattern": f"^\\s*{DECIMAL_PATTERN}\\s*$"},  # (the range of a quoted number aside)
            ]
        }


class Boolean(FieldType):
    """Yes or no."""

    name = _("`true` or `false`")
    VALUES = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "true")
        if value is None:
            return INVALID
        if value.lower() not in self.VALUES:
            ctx.report(node, _("`{value}` is not `true` or `false`", value=value), _("write `true` or `false`"))
            return INVALID
        return self.VALUES[value.lower()]

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": patterns.words(list(self.VALUES))}]}


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


DATE_RE = re.compile(r"([0-9０-９]{4})[-/.年]([0-9０-９]{1,2})[-/.月]([0-9０-９]{1,2})日?")


def parse_date(text: str) -> dt.date | None:
    """The date written as 2026-11-20, 2026/11/20 or 2026年11月20日; None if it is not one."""
    match = DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class Date(FieldType):
    """A calendar date written as YYYY-MM-DD."""

    name = _("a date")

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "2026-11-20")
        if value is None:
            return INVALID
        match = DATE_RE.fullmatch(value)
        if not match:
            ctx.report(
                node,
                _("`{value}` is not a date", value=value),
                _("write the date as year-month-day, e.g. `2026-11-20`"),
            )
            return INVALID
        year, month, day = (int(g) for g in match.groups())
        if not 1900 <= year <= 2100:
            ctx.report(
                node,
                _("`{value}` is not a date: the year {year} is out of range", value=value, year=year),
                _("check the year"),
            )
            return INVALID
        if not 1 <= month <= 12:
            ctx.report(
                node,
                _("`{value}` is not a date: there is no month {month}", value=value, month=month),
                _("months run from 1 to 12"),
            )
            return INVALID
        try:
            return dt.date(year, month, day)
        except ValueError:
            days = _MONTH_DAYS[month - 1] if not (month == 2 and year % 4) else 28
            if month == 2 and year % 100 == 0 and year % 400:
                days = 28
            ctx.report(
                node,
                _(
                    "`{value}` is not a date: {month} has {days} days",
                    value=value,
                    month=f"{year}-{month:02d}",
                    days=days,
                ),
                _("check the day of the month"),
            )
            return INVALID

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": patterns.date_pattern()}


class Time(FieldType):
    """A time of day, HH:MM."""

    name = _("a time of day")

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "15:00")
        if value is None:
            return INVALID
        match = re.fullmatch(r"([0-9０-９]{1,2})[:：]([0-9０-９]{2})", value)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            ctx.report(
                node,
                _("`{value}` is not a time of day", value=value),
                _("write hours and minutes on a 24-hour clock, e.g. `15:00`"),
            )
            return INVALID
        return dt.time(int(match.group(1)), int(match.group(2)))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": patterns.TIME_PATTERN}


PHONE_NUMBERS = [
    (100, 199),  # 110, 119, 120
    (10000, 19999),  # 12345
    (95000, 96999),  # 95598
    (100000, 199999),
    (950000, 969999),
    (860000000, 869999999),  # +86 before a local number
    (1_000_000, 99_999_999),  # a local number after the community's area code
    (1_000_000_000, 19_999_999_999),  # mobiles; 010… and 01x… landlines without their 0
    (2_000_000_000, 2_999_999_999),  # 02x… landlines without their 0
    (3_000_000_000, 9_999_999_999),  # 400 and 800 numbers; 0xxx… landlines without their 0
    (30_000_000_000, 99_999_999_999),
    (860_000_000_000, 86_999_999_999_999),  # +86 and 0086 before a mobile or a landline
]


class PhoneNumber(FieldType):
    """A phone number; see :func:`sitegen.content.phone.parse_phone`."""

    name = _("a phone number")

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "139 0000 0101")
        if value is None:
            return INVALID
        try:
            return parse_phone(value, ctx.area_code)
        except PhoneError as exc:
            ctx.report(node, exc.message, exc.hint)
            return INVALID

    def json_schema(self) -> dict[str, Any]:
        # Written without quotes, a number is read as one by YAML tools, and a leading 0 or + is lost
        # (029… becomes 29…): any number that could have been a phone number is let through.
        numbers = [{"type": "integer", "minimum": low, "maximum": high} for low, high in PHONE_NUMBERS]
        return {"anyOf": [{"type": "string", "pattern": patterns.phone_pattern()}, *numbers]}


class Url(FieldType):
    """A web address starting with https:// (or http://), short enough to print beside its QR code."""

    name = _("a web address")

    def __init__(self, max_length: int = 80) -> None:
        self.max_length = max_length

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, "https://example.org/")
        if value is None:
            return INVALID
        if not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", value, re.IGNORECASE):
            ctx.report(
                node,
                _("`{value}` is not a web address", value=value),
                _("write the full address starting with `https://`"),
            )
            return INVALID
        if len(value) > self.max_length:
            ctx.report(
                node,
                _(
                    "the address is {length} characters long; at most {most} fit beside a printed QR code",
                    length=len(value),
                    most=self.max_length,
                ),
                _("use the shortest address that works (many services offer a short link)"),
            )
            return INVALID
        if value.lower().startswith("http://"):
            ctx.report(
                node,
                _("the address uses `http://`; browsers warn about it"),
                _("use `https://` if the site supports it"),
                "warning",
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        address = r"[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?"
        return {"type": "string", "pattern": f"^\\s*(?=\\S{{1,{self.max_length}}}\\s*$){address}\\s*$"}


class Choice(FieldType):
    """One of a fixed set of words; ``aliases`` maps other spellings to them."""

    def __init__(self, values: list[str], aliases: dict[str, str] | None = None) -> None:
        self.values, self.aliases = values, aliases or {}
        self.name = _("one of {values}", values=", ".join(f"`{v}`" for v in values))

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.values[0])
        if value is None:
            return INVALID
        key = value.lower()
        if WHOLE_RE.fullmatch(key) and str(int(key)) in self.values:
            key = str(int(key))  # `week: 01` is week 1, as YAML tools read it
        if key in self.values:
            return key
        if key in self.aliases:
            return self.aliases[key]
        ctx.report(node, _("`{value}` is not allowed here", value=value), _("use {what}", what=self.name))
        return INVALID

    def json_schema(self) -> dict[str, Any]:
        numbers: list[Any] = [int(v) for v in self.values if v.isdigit()]  # `week: 2` is a number in YAML
        text = {"type": "string", "pattern": patterns.words(self.values + sorted(self.aliases), numbers)}
        return {"anyOf": [text, {"enum": numbers}]} if numbers else text


class ListOf(FieldType):
    """A list of values of one type."""

    def __init__(self, item: FieldType, min_items: int = 0, max_items: int = 10_000) -> None:
        self.item, self.min_items, self.max_items = item, min_items, max_items
        self.name = _("a list")

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind == "scalar" and node.is_null:
            items: Sequence[Node] = ()
        elif node.kind != "seq":
            hint = _("write each item on its own line starting with `- `")
            if isinstance(self.item, Record) and node.kind == "map":
                hint = _("put `- ` before the first key of each item")
            ctx.report(node, _("expected a list, found {found}", found=node.describe()), hint)
            return INVALID
        else:
            items = node.items
        if self.min_items == self.max_items and len(items) != self.min_items:
            ctx.report(
                node,
                _("the list needs exactly {count} items; it has {found}", count=self.min_items, found=len(items)),
            )
            return INVALID
        if len(items) < self.min_items:
            ctx.report(
                node,
                ngettext(
                    "the list needs at least {count} item", "the list needs at least {count} items", self.min_items
                ),
            )
            return INVALID
        if len(items) > self.max_items:
            ctx.report(
                node, _("the list has {count} items; at most {most} are allowed", count=len(items), most=self.max_items)
            )
            return INVALID
        values = [self.item.check(item, ctx) for item in items]
        if self.min_items == self.max_items and INVALID in values:
            return INVALID  # a fixed number of values (a rectangle's four) is usable only whole
        return [v for v in values if v is not INVALID]

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items < 10_000:
            schema["maxItems"] = self.max_items
        return schema


class MapOf(FieldType):
    """A mapping from ids to values of one type (e.g. people by id)."""

    name = _("a mapping of ids to entries")

    def __init__(
        self,
        value: FieldType,
        key_pattern: str = r"^[^\s:]+$",
        key_hint: str = _("use letters, digits, dashes or Chinese characters without spaces"),
    ) -> None:
        self.value, self.key_pattern, self.key_hint = value, key_pattern, key_hint

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind == "scalar" and node.is_null:
            return {}
        if node.kind != "map":
            ctx.report(
                node,
                _("expected {what}, found {found}", what=self.name, found=node.describe()),
                _("write `id:` lines with the entries indented under them"),
            )
            return INVALID
        result: dict[str, Any] = {}
        for key, entry in node.entries.items():
            if not re.match(self.key_pattern, key):
                ctx.report(
                    entry,
                    _("`{value}` cannot be used as an id", value=key),
                    self.key_hint,
                )
                continue
            value = self.value.check(entry.value, ctx)
            if value is not INVALID:
                result[key] = value
        return result

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": {"pattern": self.key_pattern},
            "additionalProperties": self.value.json_schema(),
        }


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means."""

    key: str
    type: FieldType
    required: bool = False
    doc: str = ""
    label: str = ""


# Chinese labels of every declared key, so `电话:` can be answered with "use `phone`".
ALL_LABELS: dict[str, str] = {"电话": "phone", "名称": "name", "地址": "address", "姓名": "name"}


class Record(FieldType):
    """A mapping with known keys."""

    name = _("a mapping (key: value lines)")

    def __init__(self, title: str, fields: list[Field], doc: str = "") -> None:
        self.title, self.fields, self.doc = title, {f.key: f for f in fields}, doc
        self.labels = {f.label: f.key for f in fields if f.label}
        for spec in fields:
            if spec.label:
                ALL_LABELS.setdefault(spec.label, spec.key)
                ALL_LABELS.setdefault(spec.label.removesuffix("号码"), spec.key)

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind != "map":
            hint = self._example_hint()
            if node.kind == "scalar" and "：" in node.text:
                hint = _("the colon is a Chinese `：`; write `key: value` with the English colon and a space")
            ctx.report(
                node,
                _(
                    "expected {what} written as `key: value` lines, found {found}",
                    what=self.title,
                    found=node.describe(),
                ),
                hint,
            )
            return INVALID
        result = Rec(node)
        misplaced, opened = self._misplaced(node, ctx)
        for key, entry in node.entries.items():
            if id(entry) in misplaced:
                continue
            spec = self.fields.get(key)
            if spec is None:
                self._unknown(entry, ctx)
                continue
            if entry.value.kind == "scalar" and entry.value.is_null:
                continue  # an empty optional value is absent; an empty required one is reported below
            value = spec.type.check(entry.value, ctx)
            if value is INVALID:
                result.complete = result.complete and not spec.required
            else:
                result[key] = value
        for key, spec in self.fields.items():
            if not spec.required:
                continue
            label = f" ({spec.label})" if spec.label else ""
            if key in opened or (id(node), key) in ctx.elsewhere:
                result.complete = False  # its lines are written below it, but not indented
            elif key not in node.entries:
                ctx.report(
                    node,
                    _("{what}: `{key}`{label} is missing", what=self.title, key=key, label=label),
                    _("add a line `{key}: …`", key=key),
                )
                result.complete = False
            elif node.entries[key].value.kind == "scalar" and node.entries[key].value.is_null:
                hint = (
                    _("write the items below it, each on a line starting with `- `")
                    if isinstance(spec.type, ListOf)
                    else _("write the value after `{key}: `", key=key)
                )
                ctx.report(
                    node.entries[key], _("{what}: `{key}`{label} is empty", what=self.title, key=key, label=label), hint
                )
                result.complete = False
        return result

    def _misplaced(self, node: Node, ctx: Checker) -> tuple[set[int], set[str]]:
        """Lines that belong under the key before them but are not indented under it, reported once per run.

        A line is taken for one of those when its key is unknown here (or given twice) and is a key
        of the value of the entry above it (``office:`` followed by ``address:`` in column 0).
        Returns the ids of those entries, and the keys whose value they are.
        """
        if not node.duplicates and all(key in self.fields for key in node.entries):
            return set(), set()  # (every line is a key of its own here: the usual case, and quick)
        twice = {id(e) for e in node.duplicates}
        ordered = sorted([*node.entries.values(), *node.duplicates], key=lambda e: (e.line, e.column))
        misplaced: set[int] = set()
        opened: set[str] = set()
        parent: Entry | None = None
        for index, entry in enumerate(ordered):
            here = entry.key in self.fields and id(entry) not in twice
            inner = _nested(self.fields[parent.key].type) if parent is not None else None
            if here or inner is None or not inner.takes(entry):
                parent = entry if here else None
                continue
            assert parent is not None
            if ordered[index - 1] is parent:  # the first line of the run
                ctx.report(
                    entry,
                    _(
                        "`{key}:` is not indented under `{parent}:` (line {line}), where it belongs",
                        key=entry.key,
                        parent=parent.key,
                        line=parent.line,
                    ),
                    inner.indent_hint(parent.key, entry.key),
                )
            misplaced.add(id(entry))
            ctx.explained.add(id(entry))
            target = parent.value.items[-1] if parent.value.kind == "seq" and parent.value.items else parent.value
            ctx.elsewhere.add((id(target), entry.key))
            if parent.value.kind == "scalar" and parent.value.is_null:
                opened.add(parent.key)
        return misplaced, opened

    def _example_hint(self) -> str:
        required = [key for key, spec in self.fields.items() if spec.required]
        if not required:
            return ""
        return _("write {keys} on lines of their own", keys=", ".join(f"`{k}: …`" for k in required))

    def _unknown(self, entry: Entry, ctx: Checker) -> None:
        key = entry.key
        allowed = ", ".join(f"`{k}`" for k in self.fields)
        if key in self.labels:
            hint = _("keys are written in English: use `{english}` for {key}", english=self.labels[key], key=key)
        elif key in ALL_LABELS and ALL_LABELS[key] in self.fields:
            hint = _("keys are written in English: use `{english}` for {key}", english=ALL_LABELS[key], key=key)
        elif not key.isascii():
            hint = _("keys are written in English; allowed here: {keys}", keys=allowed)
        else:
            close = difflib.get_close_matches(key.lower(), list(self.fields), n=1, cutoff=0.6)
            if close:
                hint = _("did you mean `{key}`?", key=close[0])
            else:
                hint = _("allowed here: {keys}", keys=allowed)
        ctx.report(entry, _("unknown key `{key}` in {what}", key=key, what=self.title), hint)

    def json_schema(self) -> dict[str, Any]:
        properties = {}
        for key, spec in self.fields.items():
            prop = dict(spec.type.json_schema() if spec.required else optional(spec.type.json_schema()))
            description = " — ".join(part for part in (spec.label, spec.doc) if part)
            if description:
                prop["description"] = description
            properties[key] = prop
        schema: dict[str, Any] = {
            "type": "object",
            "title": self.title,
            "properties": properties,
            "additionalProperties": False,
        }
        required = [key for key, spec in self.fields.items() if spec.required]
        if required:
            schema["required"] = required
        if self.doc:
            schema["description"] = self.doc
        return schema


class Either(FieldType):
    """A value that is written in one of two ways, told apart by the YAML kind (text or mapping)."""

    def __init__(self, scalar: FieldType, mapping: FieldType, name: str) -> None:
        self.scalar, self.mapping, self.name = scalar, mapping, name

    def check(self, node: Node, ctx: Checker) -> Any:
        if node.kind == "map":
            return self.mapping.check(node, ctx)
        if node.kind == "scalar" and not node.is_null:
            return self.scalar.check(node, ctx)
        ctx.report(node, _("expected {what}, found {found}", what=self.name, found=node.describe()))
        return INVALID

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [self.scalar.json_schema(), self.mapping.json_schema()]}


@dataclass(frozen=True)
class Ref:
    """A reference by id to something defined elsewhere, kept with its position for checking."""

    id: str
    node: Node = field(compare=False, repr=False)


class Reference(FieldType):
    """An id that must name an existing entry; resolved after the whole site is read."""

    def __init__(self, what: Message, example: str, pattern: str = r"^[^\s]+$") -> None:
        self.what, self.example, self.pattern = what, example, pattern
        self.name = _("the id of {what}", what=what)

    def check(self, node: Node, ctx: Checker) -> Any:
        value = self._scalar(node, ctx, self.example)
        if value is None:
            return INVALID
        if not re.match(self.pattern, value):
            ctx.report(
                node,
                _("`{value}` is not an id of {what}", value=value, what=self.what),
                _("ids have no spaces, e.g. `{example}`", example=self.example),
            )
            return INVALID
        return Ref(value, node)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "pattern": "^\\s*\\S+\\s*$"}, {"type": ["number", "boolean"]}]}


def unique(ctx: Checker, records: list[Rec], key: str, noun: Message) -> None:
    """Report every record whose ``key`` repeats an earlier record's (ids of grids, buildings, units …)."""
    seen: dict[str, Rec] = {}
    for record in records:
        value = record[key]
        if value is None:
            continue
        if value in seen:
            first = seen[value].where(key)
            ctx.report(
                record.where(key),
                _(
                    "{noun} {key} `{value}` is used twice (first on line {line})",
                    noun=noun,
                    key=key,
                    value=value,
                    line=first.line,
                ),
                _("give each {noun} a different `{key}`", noun=noun, key=key),
            )
        else:
            seen[value] = record


def check_document(doc: RawDocument, record: Record, area_code: str = "") -> tuple[Any, list[ContentError]]:
    """Check a document's root mapping against ``record``; return the Rec (or INVALID) and problems."""
    problems: list[ContentError] = []
    if doc.root is None:
        return INVALID, problems
    ctx = Checker(doc, problems, area_code)
    value = record.check(doc.root, ctx)
    problems += [duplicate_problem(doc, e, first) for _map, e, first in doc.duplicates if id(e) not in ctx.explained]
    return value, problems


def walk_fields(record: Record, visit: Callable[[str, Field], None], prefix: str = "") -> None:
    """Call ``visit(path, field)`` for every field of ``record`` and of the records nested in it."""
    for key, spec in record.fields.items():
        path = f"{prefix}{key}"
        visit(path, spec)
        inner: FieldType | None = spec.type
        while isinstance(inner, (ListOf, MapOf, Either)):
            inner = (
                inner.item if isinstance(inner, ListOf) else inner.value if isinstance(inner, MapOf) else inner.mapping
            )
        if isinstance(inner, Record):
            walk_fields(inner, visit, path + ".")


@dataclass(frozen=True)
class _Nested:
    """What the value of a key holds: the keys of a record (or any id of a mapping), maybe in a list."""

    keys: frozenset[str] | None  # None: any id (a MapOf)
    in_list: bool

    def takes(self, entry: Entry) -> bool:
        if self.keys is None:
            return entry.value.kind != "scalar" and bool(re.match(r"^[^\s:]+$", entry.key))
        return entry.key in self.keys

    def indent_hint(self, parent: str, key: str) -> str:
        if self.in_list:
            return _(
                "indent the lines that belong to `{parent}:` under it, with `- ` before the first key of each "
                "item, e.g. `  - {key}: …`",
                parent=parent,
                key=key,
            )
        return _("indent the lines that belong to `{parent}:` two spaces more than it", parent=parent)


def _nested(kind: FieldType) -> _Nested | None:
    """The keys a value of this type may hold, if it is a mapping (or a list of them)."""
    in_list = False
    while isinstance(kind, (ListOf, Either)):
        in_list = in_list or isinstance(kind, ListOf)
        kind = kind.item if isinstance(kind, ListOf) else kind.mapping
    if isinstance(kind, Record):
        return _Nested(frozenset(kind.fields), in_list)
    if isinstance(kind, MapOf):
        return _Nested(None, in_list)
    return None
