"""Turn Markdown into plain text, for excerpts on pages and summaries on printed sheets."""

from __future__ import annotations

import functools
import html

import markdown
import nh3


@functools.lru_cache(maxsize=2048)
def plain_text(text: str) -> str:
    """The words of a Markdown text, without markup, on one line."""
    stripped = html.unescape(nh3.clean(markdown.markdown(text), tags=set()))
    return " ".join(stripped.split())
