"""What the content's Markdown becomes: sanitized HTML with tappable phone numbers, plain text and excerpts."""

from __future__ import annotations

import functools
import html
import re
import threading
from typing import Any
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions.nl2br import Nl2BrExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.inlinepatterns import InlineProcessor, SimpleTagInlineProcessor
from markupsafe import Markup, escape

from sitegen.content.mdlimits import markdown_trouble
from sitegen.content.phone import PhoneError, parse_phone

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
    "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "tel", "mailto"}

# Phone numbers inside Markdown text become tel: links: mobiles, landlines with area code,
# 400/800 numbers and the 12345 hotline.
PHONE_IN_TEXT = (
    r"(?<![\d\w])("
    r"1[3-9]\d[ -]?\d{4}[ -]?\d{4}"
    r"|0\d{2,3}[ -]?\d{3,4}[ -]?\d{4}"
    r"|[48]00[ -]?\d{3}[ -]?\d{4}"
    r"|12345"
    r")(?![\d\w])"
)


# The short emergency numbers are linked only after a word that says they are numbers to call,
# so that "120户" stays text.
EMERGENCY_IN_TEXT = r"(拨打|致电|电话|报警|火警|急救|交通事故)([:：]?\s*)(110|119|120|122)(?!\d)"


class _EmergencyLinks(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # type: ignore[override]  # noqa: N802
        link = ElementTree.Element("a", {"href": f"tel:{m.group(3)}"})
        link.text = m.group(3)
        return link, m.start(3), m.end(3)


class _PhoneLinks(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # type: ignore[override]  # noqa: N802
        try:
            phone = parse_phone(m.group(1))
        except PhoneError:
            return None, m.start(0), m.end(0)
        link = ElementTree.Element("a", {"href": phone.tel})
        link.text = m.group(1)
        return link, m.start(0), m.end(0)


class _PhoneExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_PhoneLinks(PHONE_IN_TEXT, md), "phone_links", 5)
        md.inlinePatterns.register(_EmergencyLinks(EMERGENCY_IN_TEXT, md), "emergency_links", 4)
        # ~~struck out~~, as editors write it elsewhere: shown struck out, not with its marks.
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~{2})(.+?)~{2}", "del"), "strikethrough", 45)


_HEADING = re.compile(r"<(/?)h([1-6])>")


_converters = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown converter (made once: setting one up costs more than most conversions)."""
    if not hasattr(_converters, "md"):
        # nl2br: editors write Chinese one line per sentence or paragraph and expect to see it so.
        # Extensions given as objects, not names: a name is looked up among the entry points of every
        # installed package (0.1 s, paid again by each forked child that converts a first text).
        _converters.md = markdown.Markdown(
            extensions=[SaneListExtension(), TableExtension(), Nl2BrExtension(), _PhoneExtension()]
        )
    md: markdown.Markdown = _converters.md
    return md


@functools.lru_cache(maxsize=256)
def render_markdown(text: str, heading_level: int = 3) -> Markup:
    """Markdown → sanitized HTML; headings start at ``heading_level`` so pages keep one h1.

    Kept for the last few texts: a notice shows on its page and again in the feed. A text that
    would take too long (which `sitegen check` refuses) is shown as plain paragraphs instead.
    """
    if markdown_trouble(text) is not None:
        return Markup("").join(Markup("<p>{}</p>").format(part) for part in text.split("\n\n") if part.strip())
    cleaned = nh3.clean(
        _converter().reset().convert(text),
        tags=ALLOWED_TAGS | {"h1", "h2"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    shift = heading_level - 1

    def lower(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(6, int(match.group(2)) + shift)}>"

    return Markup(_HEADING.sub(lower, cleaned))


# What Markdown leaves of emphasis it could not pair (`**注意` with no closing marks, `~~`, which it
# does not know): runs of two or more marks next to text. A single `*` may be arithmetic (2*3).
_LEFTOVER_MARKS = re.compile(r"(?:\*{2,}|_{2,}|~{2,})(?=\S)|(?<=\S)(?:\*{2,}|_{2,}|~{2,})")
# Block elements: their text is a separate piece of the plain text (table cells, list items …).
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|tr|blockquote|pre|dt|dd)>|<br\s*/?>")


@functools.lru_cache(maxsize=2048)
def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line.

    The words of the HTML the pages show (:func:`render_markdown`, kept for the last few texts, so a
    notice is converted once for its page, its excerpts and its summaries), so no Markdown syntax is
    left over; a text too costly to convert is given as written.
    """
    if markdown_trouble(text) is not None:
        return " ".join(text.split())
    converted = _BLOCK_END.sub(lambda m: m.group(0) + " ", render_markdown(text))
    stripped = html.unescape(nh3.clean(converted, tags=set()))
    return " ".join(_LEFTOVER_MARKS.sub("", stripped).split())


_PHONE_IN_TEXT_RE = re.compile(PHONE_IN_TEXT)
_EMERGENCY_IN_TEXT_RE = re.compile(EMERGENCY_IN_TEXT)


def _phone_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _PHONE_IN_TEXT_RE.finditer(text):
        try:
            spans.append((match.start(1), match.end(1), parse_phone(match.group(1)).tel))
        except PhoneError:
            continue
    for match in _EMERGENCY_IN_TEXT_RE.finditer(text):
        spans.append((match.start(3), match.end(3), f"tel:{match.group(3)}"))
    return sorted(spans)


def link_phones(text: str) -> Markup:
    """Escape plain text and turn the phone numbers in it into tel: links."""
    parts, last = [], 0
    for start, end, tel in _phone_spans(text):
        if start < last:
            continue
        parts.append(escape(text[last:start]))
        parts.append(Markup('<a href="{}">{}</a>').format(tel, text[start:end]))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def excerpt(text: str, length: int = 60) -> Markup:
    """The start of a Markdown body as plain text (phone numbers still tappable), for lists of notices."""
    return link_phones(excerpt_text(text, length))


def excerpt_text(text: str, length: int = 60) -> str:
    """The words :func:`excerpt` shows, as a string."""
    plain = plain_text(text)
    if len(plain) > length:
        cut = plain[: length - 1]
        # Never cut a phone number in half: end the excerpt before it.
        for start, end, _tel in _phone_spans(plain):
            if start < len(cut) < end:
                cut = plain[:start]
        # Nor a word (or a number) written in letters: end before it.
        if _LETTERS.fullmatch(plain[len(cut) - 1 : len(cut) + 1]):
            cut = _LETTERS.sub("", cut) if _LETTERS.sub("", cut).strip() else cut
        plain = cut.rstrip(" ,;:") + "…"
    return plain


# The letters and digits of one word of a language written with spaces (at the end of a text).
_LETTERS = re.compile(r"[A-Za-z0-9À-ɏ'’-]+$")
