"""Find the links written in Markdown and reject schemes that could run code in a reader's browser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from sitegen.content.mdlimits import markdown_trouble
from sitegen.content.parse import Node, RawDocument
from sitegen.errors import ContentError
from sitegen.i18n import DEFAULT_LANGUAGE, Translated, _

# Where in its file the character at an offset of a text is: (line, column), both 1-based.
Locate = Callable[[int], tuple[int, int]]

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


def link_targets(text: str) -> Iterator[tuple[int, str]]:
    """(offset, target) of every link in Markdown text."""
    for match in _TARGETS.finditer(text):
        name = match.lastgroup or "inline"
        yield match.start(name), match.group(name)


def in_body(doc: RawDocument) -> Locate:
    """Where the text at an offset of a Markdown file's body is."""
    text = doc.body

    def locate(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset)
        return doc.body_line + line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    return locate


def in_value(doc: RawDocument, node: Node) -> Locate:
    """Where the text at an offset of a YAML value is (a `|` block keeps its lines)."""
    return lambda offset: doc.position(node, offset)


def check_markdown(doc: RawDocument, text: str, locate: Locate) -> list[ContentError]:
    """Problems of a Markdown text: links with a forbidden scheme, and what would make it too slow to render."""
    problems = check_links(doc, text, locate)
    trouble = markdown_trouble(text)
    if trouble is not None:
        line, column = locate(trouble.offset)
        problems.append(doc.problem(line, column, trouble.message, trouble.hint))
    return problems


def check_links(doc: RawDocument, text: str, locate: Locate) -> list[ContentError]:
    """Problems for links in ``text`` (placed in ``doc`` by ``locate``) with a forbidden scheme."""
    problems = []
    for offset, target in link_targets(text):
        scheme = scheme_of(target)
        if scheme and scheme not in ALLOWED_SCHEMES:
            line, column = locate(offset)
            problems.append(
                doc.problem(
                    line,
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
        problems += check_markdown(translation, translation.body, in_body(translation))
        if translation.body.strip():
            texts[lang] = translation.body
    problems += check_markdown(doc, doc.body, in_body(doc))
    return Translated(texts) if len(texts) > 1 else doc.body
