"""Render outputs with the theme's Jinja templates: strict, autoescaped, Markdown made safe."""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jinja2
import markdown
import nh3
from babel.dates import format_date
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup, escape

from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Fallback, translations
from sitegen.opendata import community_json_ld, neighborhood_json_ld
from sitegen.phone import PhoneError, parse_phone
from sitegen.plaintext import plain_text
from sitegen.printables import PAGE_SIZE, PAPER, short_address
from sitegen.symbols import SIGNS, symbol_defs
from sitegen.validate import SLOTS

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


_HEADING = re.compile(r"<(/?)h([1-6])>")


_converters = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown converter (made once: setting one up costs more than most conversions)."""
    if not hasattr(_converters, "md"):
        # nl2br: editors write Chinese one line per sentence or paragraph and expect to see it so.
        _converters.md = markdown.Markdown(extensions=["sane_lists", "tables", "nl2br", _PhoneExtension()])
    md: markdown.Markdown = _converters.md
    return md


@functools.lru_cache(maxsize=256)
def render_markdown(text: str, heading_level: int = 3) -> Markup:
    """Markdown → sanitized HTML; headings start at ``heading_level`` so pages keep one h1.

    Kept for the last few texts: a notice shows on its page and again in the feed.
    """
    html = nh3.clean(
        _converter().reset().convert(text),
        tags=ALLOWED_TAGS | {"h1", "h2"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    shift = heading_level - 1

    def lower(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(6, int(match.group(2)) + shift)}>"

    return Markup(_HEADING.sub(lower, html))


# Path parts that make a path other than plain and relative.
_UNPLAIN = frozenset({"", ".", ".."})


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for paths inside the output, without asking the system for the working
    directory twice a link (a district's build makes millions of links). Paths that are not plain
    relative paths go to ``posixpath.relpath``."""
    path_parts = path.split("/")
    start_parts = start.split("/") if start != "." else []
    if not (_UNPLAIN.isdisjoint(path_parts) and _UNPLAIN.isdisjoint(start_parts)):
        return posixpath.relpath(path, start)
    common = 0
    for mine, theirs in zip(path_parts, start_parts, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start_parts) - common) + path_parts[common:]) or "."


def relative_url(from_dest: str, target: str) -> str:
    """The link from the page written at ``from_dest`` to the output path ``target``."""
    if "://" in target or target.startswith(("tel:", "mailto:", "#")):
        return target
    target_path, _, fragment = target.partition("#")
    start = posixpath.dirname(from_dest) or "."
    link = _relpath(target_path, start) if target_path else posixpath.basename(from_dest)
    return link + (f"#{fragment}" if fragment else "")


# Babel's names of the languages, for dates.
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


def edition_path(target: str, lang: str) -> str:
    """Where the page ``target`` of the Chinese edition is in the ``lang`` edition.

    Other editions live under ``<lang>/``; the print kit, its contact pages, the theme's assets and
    the files for other programs are one for all.
    """
    page = target.partition("#")[0]
    # Feeds, calendars, contact lists and data are files for programs, written once.
    shared = not page.endswith(".html") or page.startswith("print/") or "/print/" in page or "/contact/" in page
    if lang == DEFAULT_LANGUAGE or shared or "://" in target or target.startswith(("tel:", "mailto:", "#")):
        return target
    return f"{lang}/{target}"


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """The link from this page to the page ``target`` (a Chinese edition path) in this page's edition."""
    return relative_url(context["page"].dest, edition_path(target, _lang(context)))


@jinja2.pass_context
def _edition_url(context: jinja2.runtime.Context, target: str, lang: str) -> str:
    """The link from this page to ``target`` (a Chinese edition path) in the ``lang`` edition."""
    return relative_url(context["page"].dest, edition_path(target, lang))


@jinja2.pass_context
def _absolute_url(context: jinja2.runtime.Context, target: str) -> str:
    base = context["base_url"]
    return base.rstrip("/") + "/" + target if base else ""


def _in_chinese(context: jinja2.runtime.Context, text: Any, html: Markup, tag: str = "span") -> Markup:
    """``html`` marked as Chinese when it shows untranslated content in another language's page."""
    if isinstance(text, Fallback) and _lang(context) != DEFAULT_LANGUAGE:
        return Markup('<{} lang="zh-CN">{}</{}>').format(tag, html, tag)
    return html


@jinja2.pass_context
def _markdown_filter(context: jinja2.runtime.Context, text: str) -> Markup:
    return _in_chinese(context, text, render_markdown(text), "div")


@jinja2.pass_context
def _text_filter(context: jinja2.runtime.Context, text: Any) -> Any:
    """Content text, marked as Chinese where it stands in for a missing translation."""
    if not isinstance(text, str):
        return text
    return _in_chinese(context, text, escape(text))


@jinja2.pass_context
def _chinese_filter(context: jinja2.runtime.Context, text: str) -> Markup:
    """Text that is always Chinese (a sign's name, a label drawn by the theme), marked so in other editions."""
    return _in_chinese(context, Fallback(text), escape(text))


@jinja2.pass_context
def _phones_filter(context: jinja2.runtime.Context, text: str) -> Markup:
    return _in_chinese(context, text, link_phones(text))


@jinja2.pass_context
def _excerpt_filter(context: jinja2.runtime.Context, text: str, length: int = 60) -> Markup:
    """The start of a notice; translated text gets more letters for the same words (``length`` is in Chinese)."""
    if _lang(context) != DEFAULT_LANGUAGE and not isinstance(text, Fallback):
        length *= 3
    return _in_chinese(context, text, _excerpt(text, length))


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


def _excerpt(text: str, length: int = 60) -> Markup:
    """The start of a Markdown body as plain text (phone numbers still tappable), for lists of notices."""
    plain = plain_text(text)
    if len(plain) > length:
        cut = plain[: length - 1]
        # Never cut a phone number in half: end the excerpt before it.
        for start, end, _tel in _phone_spans(plain):
            if start < len(cut) < end:
                cut = plain[:start]
        plain = cut.rstrip() + "…"
    return link_phones(plain)


def _sheet_renderer() -> Callable[..., Markup]:
    """``sheet_body(dest, sheet)``: a sheet's HTML from its layout (print/<kind>.html), made once.

    A neighborhood's sheets appear twice, alone and in all-sheets.html beside them (same folder, so
    the same links): the second time costs nothing.
    """
    made: OrderedDict[str, Markup] = OrderedDict()

    @jinja2.pass_context
    def sheet_body(context: jinja2.runtime.Context, dest: str, sheet: Any) -> Markup:
        key = f"{posixpath.dirname(context['page'].dest)}|{dest}"
        if key in made:
            made.move_to_end(key)
            return made[key]
        layout = context.environment.get_template(f"print/{sheet.kind}.html").make_module(context.get_all())
        html = Markup(layout.sheet_body(sheet))  # type: ignore[attr-defined]
        made[key] = html
        if len(made) > 256:
            made.popitem(last=False)
        return html

    return sheet_body


def _lang(context: jinja2.runtime.Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def _formatted(text: str, values: dict[str, Any]) -> Markup:
    """Jinja's new-style gettext result: the translation as markup, with ``%(name)s`` values escaped in.

    (Like Jinja's own, the text is always a format string, so a literal % is written %%.)
    """
    return Markup(text) % values if values or "%" in text else Markup(text)


# The theme's texts without values, by language and message: the same few hundred, looked up millions of times.
_plain_texts: dict[tuple[str, str], Markup] = {}


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, **values: Any) -> Markup:
    """``_("…")`` in a template: the theme's text in the page's language.

    Installed directly rather than through the i18n extension's wrappers, which cost three more
    calls per text: a district's build looks up millions of them.
    """
    lang = _lang(context)
    if values:
        return _formatted(translations(lang).gettext(message), values)
    made = _plain_texts.get((lang, message))
    if made is None:
        made = _plain_texts[lang, message] = _formatted(translations(lang).gettext(message), {})
    return made


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int, **values: Any) -> Markup:
    return _formatted(translations(_lang(context)).ngettext(singular, plural, count), {"num": count, **values})


@jinja2.pass_context
def _date_text(context: jinja2.runtime.Context, day: dt.date) -> str:
    """A date as the page's language writes it: 2026年11月20日, November 20, 2026."""
    return _long_date(day, _lang(context))


@functools.lru_cache(maxsize=4096)
def _long_date(day: dt.date, lang: str) -> str:
    # Every page shows the build's date, and a district's notices share a few hundred dates.
    text: str = format_date(day, "long", locale=BABEL_LOCALES[lang])
    return text


def make_env(theme_dirs: Sequence[Path], cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment: theme dirs in order (overrides first), strict and autoescaped.

    With ``cache_dir``, compiled templates are kept there (Jinja checks that each is up to date).
    """
    cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    env = jinja2.Environment(
        bytecode_cache=cache,
        auto_reload=False,  # an environment serves one build: no need to look at each template's time again
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Theme text comes from the catalogs, in the language of the page being rendered (`lang`).
    env.install_gettext_callables(gettext=_gettext, ngettext=_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.filters["date_text"] = _date_text
    env.filters["markdown"] = _markdown_filter
    env.filters["excerpt"] = _excerpt_filter
    env.filters["phones"] = _phones_filter
    env.filters["l"] = _text_filter
    env.filters["zh"] = _chinese_filter
    env.globals["url"] = _url
    env.globals["edition_url"] = _edition_url
    env.globals["edition_path"] = edition_path
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["DEFAULT_ROLES"] = frozenset(role for role, _public in SLOTS.values())
    env.globals["PAPER"] = PAPER
    env.globals["PAGE_SIZE"] = PAGE_SIZE
    env.globals["sign_defs"] = symbol_defs
    env.globals["SIGNS"] = SIGNS
    env.globals["sheet_body"] = _sheet_renderer()
    env.globals["short_address"] = short_address
    env.globals["absolute_url"] = _absolute_url
    env.globals["community_json_ld"] = community_json_ld
    env.globals["neighborhood_json_ld"] = neighborhood_json_ld
    return env
