"""Index the built website for client-side search with Pagefind, the last step of a build.

What the theme's pages tell the index, and the search page (``assets/search.js``) relies on:

- ``data-pagefind-body`` on the element holding a page's main content (``MARK``); its ``h1`` comes
  first, so that excerpts can start after the title.
- Notices: the sort key ``date`` (ISO date) and the metadata ``date`` and ``expires`` (as the page
  writes them). Expired notices and the lists of notices: the filter ``rank:low``. The search page
  shows current notices and other pages as Pagefind ranks them, then the expired notices newest
  first, marked as expired, then the lists of notices.
- One filter key with one value, and one sort key: Pagefind writes several filter keys, several
  values of one, or several sort keys in an order that changes from run to run, and builds must
  give the same bytes.
- Every edition uses the one index at the site's root (``pagefind/``), which keeps each page's
  language (``<html lang>``) apart; the search page of an edition searches its own language.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.i18n import _
from sitegen.publish.write import replace_folder
from sitegen.report import Reporter
from sitegen.workers import child_of_this_process

BUNDLE = "pagefind"
MARK = b"data-pagefind-body"  # on the element holding a page's indexed content
# Inside the bundle while it indexes the pages beside it; removed while a new index is being made.
STAMP = ".sitegen-indexed"
STAMP_TEXT = "This search index was made by `sitegen build` from the pages beside it.\n"
INSTALL_HINT = "pip install 'pagefind[extended]'"
# Pagefind's own user interfaces, which the theme's search page does not use (it asks pagefind.js).
# How Pagefind (Rust) reports a full disk, when it does; below this much free space, a bundle it
# wrote may have been cut short.
_NO_SPACE = f"(os error {errno.ENOSPC})"
MIN_FREE = 1 << 20
UNUSED = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")


def find_pagefind() -> Path | None:
    """The Pagefind program: the ``pagefind`` package's (``PAGEFIND_BINARY_PATH`` first), else on PATH.

    The extended build is preferred: only it splits Chinese text into words.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    program: Path | None = get_executable()
    return program


def marks_content(dest: str, data: bytes) -> bool:
    """Whether the file ``dest`` with these bytes is a page that marks content for the index."""
    return dest.endswith(".html") and MARK in data


def any_indexed(written: Iterable[str], marked: Mapping[str, bool]) -> bool:
    """Whether any of the files just ``written`` is a page the index holds (``marked``: the files
    rendered, whether each marks content, see :func:`marks_content`)."""
    return any(marked.get(dest, False) for dest in written)


def indexed_pages(root: Path) -> list[str]:
    """The pages under ``root`` that mark content for the index, as paths below it, in order.

    Reads every page of the site: a build that changed only some pages updates the last build's list
    instead (:func:`updated_pages`).
    """
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [os.path.join(folder, name) for name in files if name.endswith(".html")]
    pages = []
    for path in sorted(found):
        with open(path, "rb") as page:
            if MARK in page.read():
                pages.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return pages


def updated_pages(known: Iterable[str], marked: Mapping[str, bool], removed: Iterable[str]) -> list[str]:
    """The pages the index holds after a build that rendered the files ``marked`` (whether each marks
    content, see :func:`marks_content`) and ``removed`` those."""
    pages = set(known).difference(removed)
    for dest, marks in marked.items():
        if marks:
            pages.add(dest)
        else:
            pages.discard(dest)
    return sorted(pages)


def index_site(root: Path, pages_changed: bool, reporter: Reporter, pages: list[str] | None = None) -> bool:
    """Make ``root/pagefind/`` from the pages under ``root``, unless no page changed since the last one.

    Returns whether an index was made. Pages mark what is indexed with ``data-pagefind-body`` (the
    main content of website pages; never print sheets, navigation or footers); ``pages`` are those
    pages when the build knows them (else every page is read to find them). The new bundle is
    made in a hidden folder of the output (from links to the pages, see :func:`_link_pages`) and
    swapped in whole, so the old one serves until the new one is ready; if making it fails, the old
    one loses its stamp and the next build makes it again. Without Pagefind the site is built
    without an index, and its search page says search is unavailable.
    """
    stamp = root / BUNDLE / STAMP
    if not pages_changed and stamp.is_file():
        return False
    program = find_pagefind()
    if program is None:
        reporter.info(
            _(
                "warning: Pagefind is not installed, so the site is built without a search index "
                "(its search page says search is unavailable); install it with `{hint}`, "
                "or turn search off with `search: false` in site.yaml",
                hint=INSTALL_HINT,
            )
        )
        return False
    stamp.unlink(missing_ok=True)
    for leftover in root.glob(f".{BUNDLE}.*-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    fresh = root / f".{BUNDLE}.new-{os.getpid()}"
    folder = root / f".{BUNDLE}.pages-{os.getpid()}"
    command = [str(program), "--site", str(folder), "--output-path", str(fresh), "--keep-index-url", "--silent"]
    try:
        _link_pages(root, folder, indexed_pages(root) if pages is None else pages)
        try:
            # Pagefind ends with the build, however the build ends (a killed build's Pagefind would
            # otherwise go on writing into a folder the next build has removed).
            done = subprocess.run(
                command, capture_output=True, text=True, check=False, preexec_fn=child_of_this_process()
            )
        except OSError as exc:
            raise SitegenError(
                _("cannot run Pagefind ({program}): {reason}", program=str(program), reason=exc.strerror or "")
            ) from exc
        if done.returncode != 0 or not (fresh / "pagefind.js").is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()
            if any(_NO_SPACE in line for line in detail):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(fresh))
            raise SitegenError(
                _(
                    "Pagefind could not index the site ({program}): {detail}",
                    program=str(program),
                    detail=detail[-1] if detail else "-",
                )
            )
        _check_written(fresh)
        for pattern in UNUSED:
            for path in fresh.glob(pattern):
                path.unlink()
        _sorted_entry(fresh / "pagefind-entry.json")
        (fresh / STAMP).write_text(STAMP_TEXT, encoding="utf-8")
        replace_folder(fresh, root / BUNDLE, root / f".{BUNDLE}.old-{os.getpid()}")
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return True


def _check_written(bundle: Path) -> None:
    """Raise if Pagefind may not have written the whole bundle.

    Pagefind does not say when the disk fills up: it ends as if all went well and leaves files
    empty or cut short. An empty file, or a disk left with less than 1 MB, is taken for a full disk.
    """
    empty = [path for path in bundle.rglob("*") if path.is_file() and path.stat().st_size == 0]
    if empty or shutil.disk_usage(bundle).free < MIN_FREE:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(empty[0] if empty else bundle))


def _link_pages(root: Path, folder: Path, pages: list[str]) -> None:
    """Put links to the site's indexed ``pages`` in a new folder, in the order of their paths, for Pagefind.

    Only pages that mark content for the index (``MARK``) are given: Pagefind reads every page it is
    given to look for the mark, and the print sheets, contact pages and the like (four fifths of a
    district's pages, and the larger ones) would cost it four times the work for the same index.

    Pagefind indexes the pages in the order the file system lists them, and its index differs with
    that order. Some file systems (tmpfs, btrfs) list files in the order they were made, which
    differs between a whole build, an incremental one and one on several cores: the index of the
    same pages would differ too. A folder made afresh in one order is listed the same every time.
    """
    made: set[str] = set()
    for page in sorted(pages):
        source, target = root / page, folder / page
        parent = os.path.dirname(page)
        if parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        try:
            os.link(source, target)
        except FileNotFoundError:  # not there (any more): nothing to index
            continue
        except OSError:  # a file system without hard links
            shutil.copyfile(source, target)


def _sorted_entry(path: Path) -> None:
    """Pagefind lists the index of each language in any order: sort them, so builds stay reproducible."""
    if path.is_file():
        entry = json.loads(path.read_bytes())
        path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
