"""The Jinja environment of a theme: strict, autoescaped, with the filters and globals its templates use."""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from sitegen import cache
from sitegen.content.markdown import excerpt, link_phones, render_markdown
from sitegen.content.people import SLOTS
from sitegen.content.signs import SIGNS, symbol_defs
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Fallback, translations
from sitegen.plan.opendata import community_json_ld, neighborhood_json_ld
from sitegen.plan.printables import PAGE_SIZE, PAPER, short_address
from sitegen.plan.urls import edition_path, relative_url

# Babel's names of the languages, for dates.
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


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
    return _in_chinese(context, text, excerpt(text, length))


def _is_fallback(value: Any) -> bool:
    """``x is fallback``: content shown in Chinese in another edition, for want of a translation."""
    return isinstance(value, Fallback)


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
    text: str = _format_date()(day, "long", locale=BABEL_LOCALES[lang])
    return text


@functools.cache
def _format_date() -> Callable[..., str]:
    """Babel's format_date, imported by the first build that renders (see make_env): Babel's dates
    module reads the system's time zones when imported, which a build that renders nothing (nothing
    changed) or a check need not wait for."""
    from babel.dates import format_date

    return format_date


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in the cache directory, each sealed (:mod:`sitegen.cache`).

    Compiled templates are Python code objects: loading damaged ones can crash the interpreter, so
    an entry is unmarshalled only when its checksum (of its bytes, the template, Jinja's and
    Python's versions and sitegen's) verifies. Jinja then checks it against the template's source.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _where(self, bucket: jinja2.bccache.Bucket) -> tuple[Path, str]:
        key = f"compiled template\0{bucket.key}\0{bucket.checksum}\0{jinja2.__version__}\0{sys.version}"
        return self.directory / f"{bucket.key}.cache", key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path, key = self._where(bucket)
        data = cache.read(path, key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path, key = self._where(bucket)
        cache.write(path, key, bucket.bytecode_to_string())


def make_env(theme_dirs: Sequence[Path], cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment: theme dirs in order (overrides first), strict and autoescaped.

    With ``cache_dir``, compiled templates are kept there (Jinja checks that each is up to date).
    """
    _format_date()  # here, before the workers that render are forked, rather than in each of them
    env = jinja2.Environment(
        bytecode_cache=SealedBytecodeCache(cache_dir) if cache_dir is not None else None,
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
    env.tests["fallback"] = _is_fallback
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
