"""Speak the reader's language: messages and theme text from the gettext catalogs in sitegen/locale."""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

# The languages sitegen speaks, each with its tag for HTML `lang` attributes. The first is the default:
# the content, the print kit and the messages for editors are Chinese unless asked otherwise.
LANGUAGES: dict[str, str] = {"zh": "zh-CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sitegen"


@functools.cache
def translations(lang: str) -> Translations:
    """The catalog of ``lang``, compiled from its .po file when first asked for.

    The .po files are the only copy: no compiled .mo file can go stale in git, and the same code
    works from a checkout, an editable install and a wheel.
    """
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


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
    """``text`` in ``lang`` if it is a Message; anything else as it is."""
    return text.say(lang) if isinstance(text, Message) else text


def join(parts: list[Any], lang: str, separator: str = ", ") -> str:
    """Translated parts joined, for lists of allowed values and similar."""
    return separator.join(str(translate(p, lang)) for p in parts)
