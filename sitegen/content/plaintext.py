"""Turn Markdown into plain text, for excerpts on pages and summaries on printed sheets."""

from __future__ import annotations

import functools
import html
import re
import threading

import markdown
import nh3

from sitegen.content.mdlimits import markdown_trouble

_converters = threading.local()

# What Markdown leaves of emphasis it could not pair (`**注意` with no closing marks, `~~`, which it
# does not know): runs of two or more marks next to text. A single `*` may be arithmetic (2*3).
_LEFTOVER_MARKS = re.compile(r"(?:\*{2,}|_{2,}|~{2,})(?=\S)|(?<=\S)(?:\*{2,}|_{2,}|~{2,})")
# Block elements: their text is a separate piece of the plain text (table cells, list items …).
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|tr|blockquote|pre|dt|dd)>|<br\s*/?>")


@functools.lru_cache(maxsize=2048)
def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line.

    Converted as the pages convert it (tables included), so no Markdown syntax is left over; a text
    too costly to convert is given as written.
    """
    if markdown_trouble(text) is not None:
        return " ".join(text.split())
    if not hasattr(_converters, "md"):
        # Made once per thread: setting one up is the slow part.
        _converters.md = markdown.Markdown(extensions=["tables", "sane_lists"])
    md: markdown.Markdown = _converters.md
    converted = _BLOCK_END.sub(lambda m: m.group(0) + " ", md.reset().convert(text))
    stripped = html.unescape(nh3.clean(converted, tags=set()))
    return " ".join(_LEFTOVER_MARKS.sub("", stripped).split())
