"""Find the characters in text that show nothing but change it: zero-width and bidi control characters."""

from __future__ import annotations

import re
import unicodedata

# Bidi controls reorder what follows them (a phone number can be shown backwards); zero-width
# characters split words and numbers where no one sees it. Both come with text copied from web
# pages and chats.
INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ZWJ = "\u200d"


def _pictograph(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char in "\ufe0f\u20e3"


def _kept(text: str, index: int) -> bool:
    """A zero-width joiner between two pictographs joins an emoji (👨‍👩‍👧): it stays."""
    if text[index] != _ZWJ or not 0 < index < len(text) - 1:
        return False
    return _pictograph(text[index - 1]) and _pictograph(text[index + 1])


def find_invisible(text: str) -> list[int]:
    """The positions of the invisible characters in ``text`` that must go."""
    return [m.start() for m in INVISIBLE.finditer(text) if not _kept(text, m.start())]


def remove_invisible(text: str, positions: list[int]) -> str:
    """``text`` without the characters at ``positions``."""
    if not positions:
        return text
    drop = set(positions)
    return "".join(char for index, char in enumerate(text) if index not in drop)


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
