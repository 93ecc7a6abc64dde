"""Turn Markdown into plain text, for excerpts on pages and summaries on printed sheets."""

from __future__ import annotations

import functools
import html
import threading

import markdown
import nh3

from sitegen.content.mdlimits import markdown_trouble

_converters = threading.local()


@functools.lru_cache(maxsize=2048)
def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line (as written, if it is too costly to read)."""
    if markdown_trouble(text) is not None:
        return " ".join(text.split())
    if not hasattr(_converters, "md"):
        _converters.md = markdown.Markdown()  # made once per thread: setting one up is the slow part
    md: markdown.Markdown = _converters.md
    stripped = html.unescape(nh3.clean(md.reset().convert(text), tags=set()))
    return " ".join(stripped.split())
