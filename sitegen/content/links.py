"""Find the links written in Markdown and reject schemes that could run code in a reader's browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sitegen.content.parse import RawDocument
from sitegen.errors import ContentError
from sitegen.i18n import DEFAULT_LANGUAGE, Translated, _

ALLOWED_SCHEMES = ("http", "https", "tel", "mailto")

# Link targets as Markdown and raw HTML write them: [text](target), [id]: target, <target>, href=/src=.
_TARGETS = re.compile(
    r"""\]\(\s*<?(?P<inline>(?:[^()\s>]|\([^()\s]*\))+)"""
    r"""|^\s{0,3}\[[^\]]+\]:\s*<?(?P<reference>\S+?)>?(?:\s|$)"""
    r"""|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]*:[^\s>]*)>"""
    r"""|\b(?:href|src|action|formaction)\s*=\s*["']?(?P<attribute>[^"'\s>]+)""",
    re.IGNORECASE | re.MULTILINE,
)
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")


def scheme_of(target: str) -> str:
    """The URL scheme of a link target ('' for relative links), ignoring the tricks browsers forgive."""
    cleaned = re.sub(r"[\x00-\x20]|&#?\w+;?", "", target)  # "java\tscript:", "jav&#x09;ascript:"
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else ""


def link_targets(text: str) -> Iterator[tuple[int, int, str]]:
    """(line offset, column, target) of every link in Markdown text, 0-based line, 1-based column."""
    for match in _TARGETS.finditer(text):
        name = match.lastgroup or "inline"
        target = match.group(name)
        start = match.start(name)
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        yield line, column, target


def check_links(doc: RawDocument, text: str, first_line: int) -> list[ContentError]:
    """Problems for links in ``text`` (which starts on ``first_line`` of ``doc``) with a forbidden scheme."""
    problems = []
    for line, column, target in link_targets(text):
        scheme = scheme_of(target)
        if scheme and scheme not in ALLOWED_SCHEMES:
            problems.append(
                doc.problem(
                    first_line + line,
                    column,
                    _("the link `{target}` uses `{scheme}:`, which is not allowed", target=target[:60], scheme=scheme),
                    _("links may start with https://, http://, tel: or mailto:, or point to another page of the site"),
                )
            )
    return problems


def checked_text(doc: RawDocument | None, problems: list[ContentError]) -> str:
    """The Markdown text of ``doc``, with its translations; the links in each checked into ``problems``."""
    if doc is None:
        return ""
    texts = {DEFAULT_LANGUAGE: doc.body}
    for lang, translation in doc.translations.items():
        problems += check_links(translation, translation.body, translation.body_line)
        if translation.body.strip():
            texts[lang] = translation.body
    problems += check_links(doc, doc.body, doc.body_line)
    return Translated(texts) if len(texts) > 1 else doc.body
