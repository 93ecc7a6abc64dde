"""Speak the reader's language: messages and theme text from the gettext catalogs in sitegen/locale."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gettext
import hashlib
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The languages sitegen speaks, each with its tag for HTML `lang` attributes. The first is the default:
# the content, the print kit and the messages for editors are Chinese unless asked otherwise.
LANGUAGES: dict[str, str] = {"zh": "zh-CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
# Each language named in itself, for the links between editions.
LANGUAGE_NAMES: dict[str, str] = {"zh": "中文", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sitegen"


@functools.cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The catalog of ``lang``, compiled from its .po file.

    The .po files are the only copy in git: no compiled .mo file can go stale there, and the same
    code works from a checkout, an editable install and a wheel. Compiling one with Babel takes longer
    than the rest of sitegen's start (and Babel's catalog module reads the system's time zones when
    imported), so the compiled catalog is kept beside the .po, named by a digest of it, where that
    folder can be written (as Python keeps its compiled modules); a catalog that is not there, or
    cannot be read, is compiled again.
    """
    return load_catalog(LOCALE_DIR / lang / "LC_MESSAGES", lang)


def load_catalog(folder: Path, lang: str) -> gettext.GNUTranslations:
    """The catalog ``folder``/sitegen.po (see :func:`translations`)."""
    source = (folder / f"{DOMAIN}.po").read_bytes()
    compiled = folder / compiled_name(source)
    try:
        with compiled.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except Exception:  # noqa: BLE001 - not kept yet (or damaged): compiled again
        pass
    data = compiled_catalog(source, lang)
    _keep_compiled(compiled, data)
    return gettext.GNUTranslations(io.BytesIO(data))


def compiled_name(source: bytes) -> str:
    """The name of the compiled catalog of a .po file whose bytes are ``source``."""
    return f"{DOMAIN}-{hashlib.sha256(source).hexdigest()[:16]}.mo"


def compiled_catalog(source: bytes, lang: str) -> bytes:
    """A .po file's bytes compiled (a .mo file's bytes), by Babel."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def _keep_compiled(path: Path, data: bytes) -> None:
    """Write the compiled catalog where it can be (whole or not at all), and remove the ones of older .po files."""
    try:
        stream = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False)
    except OSError:
        return
    try:
        with stream:
            stream.write(data)
        os.chmod(stream.name, 0o644)  # readable by all, as the .po (a temporary file is its owner's only)
        os.replace(stream.name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(stream.name)
        return
    for older in path.parent.glob(f"{DOMAIN}-*.mo"):
        if older != path:
            with contextlib.suppress(OSError):
                older.unlink()


class Message(str):
    """A message for a user: its English text as a str, and its msgid and values to say it in another language.

    Messages are made where a problem is found and put into words only when shown (``translate``),
    so problems kept from an earlier build can be shown in any language.
    """

    msgid: str
    plural: str
    number: int
    values: dict[str, Any]

    def __new__(cls, msgid: str, plural: str = "", count: int = 1, values: Mapping[str, Any] | None = None) -> Message:
        values = dict(values or {})
        english = plural if plural and count != 1 else msgid
        given = {**values, "count": count} if plural else values
        self = super().__new__(cls, english.format(**given) if given else english)
        self.msgid, self.plural, self.number, self.values = msgid, plural, count, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, self.plural, self.number, self.values))

    def say(self, lang: str) -> str:
        """The message in ``lang``."""
        catalog = translations(lang)
        text: str = (
            catalog.ngettext(self.msgid, self.plural, self.number) if self.plural else catalog.gettext(self.msgid)
        )
        given = {k: translate(v, lang) for k, v in self.values.items()}
        if self.plural:
            given["count"] = self.number
        return text.format(**given) if given else text


def _(msgid: str, /, **values: Any) -> Message:
    """Mark ``msgid`` for translation; ``{name}`` in it is filled from ``values`` in every language."""
    return Message(msgid, values=values)


def ngettext(singular: str, plural: str, count: int, /, **values: Any) -> Message:
    """Mark a message whose words depend on ``count`` (``{count}`` in it is the number)."""
    return Message(singular, plural, count, values)


def translate(text: Any, lang: str) -> Any:
    """``text`` in ``lang`` if it is a Message or translated content; anything else as it is."""
    if isinstance(text, Message):
        return text.say(lang)
    if isinstance(text, Translated):
        return text.texts.get(lang) or str(text)
    return text


def join(parts: list[Any], lang: str, separator: str = ", ") -> str:
    """Translated parts joined, for lists of allowed values and similar."""
    return separator.join(str(translate(p, lang)) for p in parts)


# The texts Translated shares, up to so many (then it starts again).
_TRANSLATED: dict[tuple[tuple[str, str], ...], Translated] = {}
_TRANSLATED_KEPT = 16_384


class Translated(str):
    """Content text written in several languages: the Chinese text as a str, the others in ``texts``.

    Equal texts are one object (never changed once made): a district's neighborhoods each name
    their buildings 1号楼 (Building 1) and so on, and a copy of each for every neighborhood would be
    most of what a build holds of them. Unpickled ones are shared too.
    """

    texts: dict[str, str]

    def __new__(cls, texts: Mapping[str, str]) -> Translated:
        key = tuple(texts.items())
        made = _TRANSLATED.get(key)
        if made is not None and type(made) is cls:
            return made
        self = super().__new__(cls, texts[DEFAULT_LANGUAGE])
        self.texts = dict(texts)
        if len(_TRANSLATED) >= _TRANSLATED_KEPT:
            _TRANSLATED.clear()
        _TRANSLATED[key] = self
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Translated, (self.texts,))


class Fallback(str):
    """Content text shown in another language's edition as written, in Chinese, for want of a translation."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Fallback, (str(self),))


def in_language(text: str, lang: str) -> str:
    """Content text for the ``lang`` edition: its translation, or the Chinese text marked as a Fallback."""
    if lang == DEFAULT_LANGUAGE:
        return text
    if isinstance(text, Translated) and text.texts.get(lang):
        return text.texts[lang]
    return Fallback(text)


def localize(value: Any, lang: str, skip: tuple[type, ...] = ()) -> Any:
    """A copy of model objects with every text in ``lang`` (see ``in_language``); ``skip`` types stay as they are."""
    if lang == DEFAULT_LANGUAGE or value is None or isinstance(value, skip):
        return value
    if type(value) is str or type(value) is Translated:  # not Markup, Message or Fallback
        return in_language(value, lang)
    if isinstance(value, (tuple, list)):
        return type(value)(localize(v, lang, skip) for v in value)
    if isinstance(value, dict):
        return {k: localize(v, lang, skip) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__module__ == "sitegen.content.model":
        changes = {f.name: localize(getattr(value, f.name), lang, skip) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


@functools.cache
def catalogs_digest() -> str:
    """A digest of the catalogs: pages are made again when their words change."""
    digest = hashlib.sha256()
    for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def in_chinese(message: str) -> str:
    """Theme text for what is only ever Chinese (the print kit, feeds, calendars, contact lists), from the catalog."""
    return str(translate(message, DEFAULT_LANGUAGE))
