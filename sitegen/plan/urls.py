"""Links between the files a build writes: relative, so the site works from any sub-path and from disk."""

from __future__ import annotations

import posixpath

from sitegen.i18n import DEFAULT_LANGUAGE

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
