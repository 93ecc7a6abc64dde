"""The site's search index, written beside the pages and changed page by page, the last step of a build.

What the theme's pages tell the index, and the search page (``assets/search.js``) relies on:

- ``data-search-body`` on the element holding a page's main content (``MARK``): only pages that
  have it are indexed, only the text inside it, less elements marked ``data-search-ignore``. The
  page's title is its first ``h1`` there (else its ``<title>``); its language its ``<html lang>``.
- ``data-search-low`` anywhere inside it: the page comes after the others found (expired notices,
  the lists of notices). ``data-search-date`` on a ``<time datetime>``: the page's date, as the
  page writes it, and its order among the pages that come after (newest first, undated last);
  ``data-search-expires``: the date it is valid until, as the page writes it.

The index, ``search/<language>/`` at the site's root, one per language:

- ``meta.json``: how many pages the language has and into how many word files its words go.
- ``w/<n>.json``: the words of word file *n* (by a hash of the word, see :func:`bucket`), each with
  the pages that hold it: one record of ``RECORD`` characters per page, ordered by page key — the
  page's key (8 characters, a hash of its path), how much the word weighs in the page (one
  character of ``DIGITS``) and its date for ordering (three characters: 0 not after the others,
  1 after them and undated, else 2 + days since 1970-01-01).
- ``p/<key>.json``: a page's address, title, dates and text, for the list of results.

Chinese text is indexed as every character and every pair of characters next to each other, other
text as words (letters and digits), after NFKC and lower case (:func:`words`); the search page cuts
a query the same way and wants every part of it found. A word's weight is its BM25 weight in the
page (a saturating count, less in longer pages) with a bonus where the page's title has it; how
rare the word is comes from how many pages hold it, at search time. Nothing in a word file depends
on the rest of the site, so a build that changed some pages writes again only the word files of
the words those pages gained or lost, and their own page files: the result is byte for byte the
index a whole build makes of the same pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from pathlib import Path
from typing import TextIO

from sitegen import workers
from sitegen.i18n import Message, _
from sitegen.publish.write import replace_folder

BUNDLE = "search"
MARK = b"data-search-body"  # on the element holding a page's indexed content
FORMAT = 1
# In the bundle while it holds the index of the pages beside it; a build that finds it missing or
# of another format makes the whole index again.
STAMP = ".sitegen-indexed"
STAMP_TEXT = f"This search index (format {FORMAT}) was made by `sitegen build` from the pages beside it.\n"
LEGACY = ("pagefind",)  # where earlier versions put an index, removed by the next build

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # file names that differ in more than case
KEY = 8
RECORD = KEY + 1 + 3
# Weights: of a word in the title, in headings, in the text (as Pagefind weighs them), BM25's.
TITLE, HEADINGS = 7, {"h2": 6, "h3": 5, "h4": 4, "h5": 3, "h6": 2}
K1, B, LENGTH = 1.2, 0.75, 300  # LENGTH: the length (in words) of a usual page
TEXT_SHARE, TITLE_BONUS = 23, 40  # of the 63 a weight can be: a word in the title weighs most
SHORT_TITLE = 4  # titles up to this long (a Chinese character 1, other words 2) have the whole bonus
SHARES = 64  # a whole index gathers its word files in this many shares, one at a time
FORK_FROM = 2000  # pages from which a whole index is made on every core
# Pages an edit may change before the whole index is made again instead (it is then faster).
WHOLE_SHARE = 4

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_PARTS = re.compile(rf"([{CJK}]+)|[^\W_{CJK}]+")
_CHINESE = re.compile(f"[{CJK}]")
_LANG = re.compile(rb"<html\b[^>]*?\slang=[\"']?([^\"'\s>]+)", re.IGNORECASE)
MAX_WORD = 40
_BLOCKS = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section summary table td th tr ul".split()
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_SKIP = frozenset(("script", "style", "template", "noscript", "svg"))


def marks_content(dest: str, data: bytes) -> bool:
    """Whether the file ``dest`` with these bytes is a page that marks content for the index."""
    return dest.endswith(".html") and MARK in data


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


# --- words -----------------------------------------------------------------------------------------


def words(text: str) -> Iterator[str]:
    """The words of ``text`` as the index holds them: every Chinese character, then every pair of
    them next to each other; words of letters and digits, in lower case (at most ``MAX_WORD``)."""
    for match in _PARTS.finditer(unicodedata.normalize("NFKC", text).lower()):
        run = match.group(1)
        if run is None:
            yield match.group(0)[:MAX_WORD]
            continue
        yield from run
        for at in range(len(run) - 1):
            yield run[at : at + 2]


def bucket(word: str, buckets: int) -> int:
    """The word file that holds ``word``: FNV-1a of the UTF-8 of the word (of other text than
    Chinese, of its first two characters, so that the words a query's word begins are together)."""
    key = word if _CHINESE.match(word) else word[:2]
    number = 0x811C9DC5
    for byte in key.encode("utf-8"):
        number = ((number ^ byte) * 0x01000193) & 0xFFFFFFFF
    return number % buckets


def buckets_for(pages: int) -> int:
    """How many word files an index of this many pages has: about eight pages' words each."""
    count = 8
    while count * 8 < pages:
        count *= 2
    return count


def page_keys(pages: Iterable[str]) -> dict[str, str]:
    """Each page's key: a hash of its path; where two would share one, the later path in order takes
    the next of its own hashes that no page has (so the keys are those of the set of pages)."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for page in sorted(pages):
        salt = 0
        while (key := _key(page if salt == 0 else f"{page}\0{salt}")) in taken:
            salt += 1
        keys[page] = key
        taken.add(key)
    return keys


def _key(text: str) -> str:
    """The first 40 bits of the SHA-1 of ``text``, in base 32 (``KEY_ALPHABET``)."""
    return base64.b32encode(hashlib.sha1(text.encode("utf-8")).digest()[:5]).decode("ascii").lower()


# --- pages -----------------------------------------------------------------------------------------


@dataclass
class Page:
    """What the index holds of one page."""

    url: str
    lang: str = "und"
    title: str = ""
    text: str = ""
    date: str = ""  # as the page writes it
    expires: str = ""
    order: str = ""  # the ISO date of data-search-date
    low: bool = False
    weighted: Counter[str] = field(default_factory=Counter)  # each word's weight in the headings

    def fragment(self) -> bytes:
        data = {"url": self.url, "title": self.title, "text": self.text}
        data.update({name: value for name in ("date", "expires") if (value := getattr(self, name))})
        return _json(data)

    def day(self) -> int:
        """The record's date for ordering: 0 not after the others, 1 after them undated, 2 + days."""
        if not self.low:
            return 0
        try:
            return 2 + (date.fromisoformat(self.order[:10]) - date(1970, 1, 1)).days
        except ValueError:
            return 1

    def records(self, key: str) -> dict[str, str]:
        """Each of the page's words, with its record."""
        title = set(words(self.title))
        counts = Counter(words(self.text))
        length = sum(count for word, count in counts.items() if len(word) == 1 or not _CHINESE.match(word))
        for word in title:
            counts[word] += TITLE
        counts.update(self.weighted)
        norm = K1 * (1 - B + B * length / LENGTH)
        # The bonus of a word in the title is the larger, the shorter the title: a page titled just
        # what was asked comes before pages whose titles say more.
        bonus = TITLE_BONUS * (1 + min(1.0, SHORT_TITLE / max(1, _length(self.title, 2)))) / 2
        day = _digits(self.day(), 3)
        found = {}
        for word, count in counts.items():
            weight = count * (K1 + 1) / (count + norm) / (K1 + 1) * TEXT_SHARE + (bonus if word in title else 0)
            found[word] = key + DIGITS[min(len(DIGITS) - 1, max(1, round(weight)))] + day
        return found


def _digits(number: int, width: int) -> str:
    return "".join(DIGITS[(number >> shift) & 63] for shift in range(6 * (width - 1), -1, -6))


# The parts of HTML: a comment, a tag (closing or not: its name, its attributes), a declaration or
# processing instruction, text, or a lone "<".
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([a-zA-Z][^\s/>]*)([^>]*)>|<[!?][^>]*>|([^<]+)|(<)", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title", re.S | re.I)
_RAW = ("script", "style")  # their text is not HTML


class _Reader:
    """Reads the elements of a page marked ``data-search-body`` (see the module's description), as
    an HTML parser would: a small one, which reads what pages say a regular expression at a time,
    many times faster than html.parser, and only the marked elements."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.open: list[tuple[str, bool, str]] = []  # tag, ignored, the date it gives
        self.parts: list[str] = []  # the text, with "\n" between blocks
        self.title: list[str] | None = None  # the first h1's text while it is read
        self.heading: tuple[str, list[str]] | None = None
        self.dates: dict[str, list[str]] = {}  # the text of the dates being read
        self.skipping = 0

    def read(self, html: str) -> None:
        at = 0
        while (mark := html.find("data-search-body", at)) >= 0:
            at = self._element(html, html.rfind("<", 0, mark))

    def _element(self, html: str, at: int) -> int:
        """Read the element starting at ``at``; where it ends."""
        raw = ""
        for token in _TOKEN.finditer(html, at):
            closing, name, attributes, text, lone = token.groups()
            if name is not None:
                name = name.lower()
            if raw:
                if closing and name == raw:
                    raw = ""
                    self._end(name)
                continue
            if text is not None or lone:
                self._text(unescape(text) if text and "&" in text else text or lone)
            elif name is None:
                continue
            elif closing:
                self._end(name)
                if not self.open:  # the marked element ended
                    return token.end()
            else:
                self._start(name, _attributes(attributes) if "data-search" in attributes else {})
                if attributes.endswith("/") and name not in _VOID:
                    self._end(name)
                elif name in _RAW:
                    raw = name
        return len(html)

    def _start(self, tag: str, given: dict[str, str]) -> None:
        ignored = (self.open[-1][1] if self.open else False) or "data-search-ignore" in given
        date = ""
        if given:
            self.page.low = self.page.low or "data-search-low" in given
            if "data-search-date" in given:
                date = "date"
                self.page.order = given.get("datetime") or ""
            elif "data-search-expires" in given:
                date = "expires"
            if date:
                self.dates[date] = []
        if tag in _SKIP:
            self.skipping += 1
        if not ignored:
            if tag in _BLOCKS:
                self.parts.append("\n")
            if tag == "h1" and self.title is None and not self.page.title:
                self.title = []
            elif tag in HEADINGS:
                self.heading = (tag, [])
        if tag not in _VOID:
            self.open.append((tag, ignored, date))

    def _end(self, tag: str) -> None:
        if not any(entry[0] == tag for entry in self.open):
            return
        while self.open:
            name, ignored, date = self.open.pop()
            if name in _SKIP:
                self.skipping -= 1
            if date:
                setattr(self.page, date, _spaced("".join(self.dates.pop(date))))
            if name == "h1" and self.title is not None:
                self.page.title = _spaced("".join(self.title))
                self.title = None
            elif self.heading is not None and name == self.heading[0]:
                weight = HEADINGS[name] - 1  # the text counts it once already
                for word in words("".join(self.heading[1])):
                    self.page.weighted[word] += weight
                self.heading = None
            if not ignored and name in _BLOCKS:
                self.parts.append("\n")
            if name == tag:
                break

    def _text(self, data: str) -> None:
        if self.skipping or not self.open:
            return
        for kept in self.dates.values():
            kept.append(data)
        if self.open[-1][1]:
            return
        if self.title is not None:
            self.title.append(data)
            return
        if self.heading is not None:
            self.heading[1].append(data)
        self.parts.append(data)


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        found.setdefault(match.group(1).lower(), unescape(value) if "&" in value else value)
    return found


def _spaced(text: str) -> str:
    return " ".join(text.split())


def page_language(html: bytes) -> str:
    """The language of a page (its ``<html lang>``, in lower case; ``und`` when it has none)."""
    found = _LANG.search(html[:4096])
    return found.group(1).decode("ascii", "replace").lower() if found else "und"


def read_page(url: str, html: bytes) -> Page:
    """What the index holds of the page at ``url`` (a path below the site's root) with this HTML."""
    page = Page(url, page_language(html))
    text = html.decode("utf-8", "replace")
    reader = _Reader(page)
    reader.read(text)
    lines = (_spaced(line) for line in "".join(reader.parts).split("\n"))
    page.text = "\n".join(line for line in lines if line)
    if not page.title:
        title = _TITLE.search(text, 0, text.find("data-search-body"))
        page.title = _spaced(unescape(title.group(1))) if title else ""
    return page


def _length(text: str, other: int = 1) -> int:
    """How long ``text`` is: a Chinese character 1 (their pairs not counted), another word ``other``."""
    return sum(other if not _CHINESE.match(word) else 1 if len(word) == 1 else 0 for word in words(text))


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --- the index -------------------------------------------------------------------------------------


@dataclass
class Indexed:
    """What :func:`index_site` did: the paths below the site's root it changed (``None``: the whole
    index was made again), and how many pages it read."""

    touched: list[str] | None
    read: int


def index_site(
    root: Path, pages: list[str], changed: Iterable[str] | None = None, before: list[str] | None = None
) -> Indexed | None:
    """Bring ``root/search/`` up to date with the pages under ``root``; None if nothing changed.

    ``pages``: the pages that mark content for the index. ``changed``: the pages written or removed
    since the index was made, of ``before``, the pages it then held (either None: make the whole
    index). A whole index is made in a hidden folder and swapped in whole; an index changed in place
    is changed file by file, each written afresh (never into a file the output may share with a
    copy of itself).
    """
    bundle = root / BUNDLE
    stamp = bundle / STAMP
    fresh = changed is None or before is None or not stamp.is_file()
    if not fresh and stamp.read_text(encoding="utf-8") != STAMP_TEXT:
        fresh = True
    if not fresh:
        assert changed is not None and before is not None
        update = _Update(root, pages, before, set(changed))
        if not update.whole:
            try:
                touched = update.run()
            except _Whole:
                pass
            else:
                return Indexed(touched, update.read) if touched else None
    _whole(root, pages)
    return Indexed(None, len(pages))


def _whole(root: Path, pages: list[str]) -> None:
    """Make the index of ``pages`` in a hidden folder, then put it in the place of the old one.

    The pages are read one at a time; their words' records go to files on disk, a file for each
    64th of the word files, which are then written one such share at a time: the memory it takes
    does not grow with the site.
    """
    for leftover in root.glob(f".{BUNDLE}.*-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    fresh = root / f".{BUNDLE}.new-{os.getpid()}"
    spill = Path(tempfile.mkdtemp(prefix=f".{BUNDLE}.spill-", dir=root))
    try:
        fresh.mkdir()
        languages: dict[str, str] = {}
        for page in pages:
            try:
                with open(root / page, "rb") as file:
                    languages[page] = page_language(file.read(4096))
            except FileNotFoundError:
                continue
        counts = Counter(languages.values())
        buckets = {lang: buckets_for(number) for lang, number in counts.items()}
        shares: dict[str, list[Path]] = defaultdict(list)
        for path in _spill_all(root, fresh, spill, languages, buckets):
            shares[path.name].append(path)
        for name, paths in sorted(shares.items()):
            lang = name.split(" ")[0]
            for number, entries in sorted(_gathered(paths).items()):
                data = {word: "".join(sorted(records)) for word, records in entries.items()}
                _write_new(fresh / lang / "w" / f"{number}.json", _json(data))
            for path in paths:
                path.unlink()
        for lang, number in counts.items():
            _write_new(fresh / lang / "meta.json", _json({"pages": number, "buckets": buckets[lang]}))
        (fresh / STAMP).write_text(STAMP_TEXT, encoding="utf-8")
        replace_folder(fresh, root / BUNDLE, root / f".{BUNDLE}.old-{os.getpid()}")
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(spill, ignore_errors=True)


def _spill_all(root: Path, fresh: Path, spill: Path, languages: dict[str, str], buckets: dict[str, int]) -> list[Path]:
    """:func:`_spill` the pages, in parts on every core for a district's; the files written."""
    keys = page_keys(languages)
    pages = list(languages)
    if not workers.forkable(len(pages), FORK_FROM):
        return _spill(root, fresh, spill / "0", pages, languages, keys, buckets)
    size = -(-len(pages) // (4 * workers.workers()))  # parts for every core to have work till the end
    parts = [pages[start : start + size] for start in range(0, len(pages), size)]
    spilled: list[Path] = []

    def work(part: int) -> list[Path]:
        return _spill(root, fresh, spill / str(part), parts[part], languages, keys, buckets, part * size)

    def doing(item: int) -> Message:
        return _("indexing {page} for search", page=pages[item])

    workers.run_forked(len(parts), work, lambda _part, made: spilled.extend(made), doing)
    return spilled


def _spill(
    root: Path,
    fresh: Path,
    spill: Path,
    pages: list[str],
    languages: dict[str, str],
    keys: dict[str, str],
    buckets: dict[str, int],
    first: int | None = None,
) -> list[Path]:
    """Write each page's file into ``fresh`` and its words' records into files in the folder
    ``spill`` (``<language> <share>``, a line for each: word file, word, record); the files written.
    In a worker, ``first`` is the number of the first page among all, to say which it works on."""
    spill.mkdir()
    files: dict[tuple[str, int], TextIO] = {}
    numbers: dict[str, dict[str, int]] = {lang: {} for lang in buckets}  # each word's word file
    try:
        for index, page in enumerate(pages):
            if first is not None:
                workers.working_on(first + index)
            lang = languages[page]
            data = _read(root, page)
            if data is None:
                continue
            _write_new(fresh / lang / "p" / f"{keys[page]}.json", data.fragment())
            shares, known = min(SHARES, buckets[lang]), numbers[lang]
            for word, record in data.records(keys[page]).items():
                number = known.get(word)
                if number is None:
                    number = known[word] = bucket(word, buckets[lang])
                out = files.get((lang, number % shares))
                if out is None:
                    path = spill / f"{lang} {number % shares}"
                    out = files[(lang, number % shares)] = open(path, "w", encoding="utf-8")  # noqa: SIM115
                out.write(f"{number}\t{word}\t{record}\n")
    finally:
        for out in files.values():
            out.close()
    return [spill / f"{lang} {share}" for lang, share in files]


def _gathered(paths: list[Path]) -> dict[int, dict[str, list[str]]]:
    """The records of spilled files of one share (see :func:`_spill`), by word file and word."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                number, word, record = line.rstrip("\n").split("\t")
                found[int(number)][word].append(record)
    return found


def _read(root: Path, page: str) -> Page | None:
    try:
        html = (root / page).read_bytes()
    except FileNotFoundError:
        return None
    return read_page(page, html)


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` as a new file (the output's files may be shared with a copy of it by hard links)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class _Update:
    """Changes an index in place for the pages that changed (see :func:`index_site`)."""

    def __init__(self, root: Path, pages: list[str], before: list[str], changed: set[str]) -> None:
        self.root, self.bundle = root, root / BUNDLE
        self.read = 0
        self.keys = page_keys(pages)
        self.old_keys = self.keys if len(before) == len(pages) and set(before) == set(pages) else page_keys(before)
        known = set(self.old_keys) | set(self.keys)
        moved = {page for page in known if self.old_keys.get(page) != self.keys.get(page)}
        self.changed = sorted((changed & known) | moved)
        self.meta: dict[str, dict[str, int]] = {}
        self.whole = len(self.changed) * WHOLE_SHARE > max(1, len(pages))

    def _meta(self, lang: str) -> dict[str, int]:
        if lang not in self.meta:
            path = self.bundle / lang / "meta.json"
            self.meta[lang] = json.loads(path.read_bytes()) if path.is_file() else {"pages": 0, "buckets": 0}
        return self.meta[lang]

    def run(self) -> list[str]:
        """Change the index; the paths changed, below the site's root."""
        removals: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        additions: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        fragments: dict[Path, bytes | None] = {}
        languages: set[str] = set()
        for page in self.changed:
            old = self._old(page)
            new = _read(self.root, page) if page in self.keys else None
            self.read += new is not None
            if old is not None:
                lang, key, old_words = old
                fragment = self.bundle / lang / "p" / f"{key}.json"
                fragments[fragment] = None
                self._meta(lang)["pages"] -= 1
                languages.add(lang)
                for word in old_words:
                    removals[(lang, bucket(word, self._meta(lang)["buckets"] or 1))][word].add(key)
            if new is not None:
                key = self.keys[page]
                fragments[self.bundle / new.lang / "p" / f"{key}.json"] = new.fragment()
                meta = self._meta(new.lang)
                meta["pages"] += 1
                languages.add(new.lang)
                if not meta["buckets"]:
                    meta["buckets"] = buckets_for(1)
                for word, record in new.records(key).items():
                    additions[(new.lang, bucket(word, meta["buckets"]))][word].append(record)
        for lang in languages:
            meta = self._meta(lang)
            if meta["pages"] > 0 and buckets_for(meta["pages"]) != meta["buckets"]:
                raise _Whole
        touched: list[str] = []
        for lang, number in sorted(set(removals) | set(additions)):
            path = self.bundle / lang / "w" / f"{number}.json"
            entries: dict[str, str] = json.loads(path.read_bytes()) if path.is_file() else {}
            for word, keys in removals.get((lang, number), {}).items():
                kept = _without(entries.get(word, ""), keys)
                if kept:
                    entries[word] = kept
                else:
                    entries.pop(word, None)
            for word, records in additions.get((lang, number), {}).items():
                entries[word] = _with(entries.get(word, ""), records)
            touched.append(self._put(path, _json(entries) if entries else None))
        for path, data in fragments.items():
            touched.append(self._put(path, data))
        for lang in sorted(languages):
            meta = self._meta(lang)
            path = self.bundle / lang / "meta.json"
            touched.append(self._put(path, _json(meta) if meta["pages"] > 0 else None))
        return sorted(set(touched))

    def _old(self, page: str) -> tuple[str, str, set[str]] | None:
        """The language, key and words of the page as the index holds it, if it does."""
        key = self.old_keys.get(page)
        if key is None:
            return None
        for folder in sorted(self.bundle.iterdir()):
            fragment = folder / "p" / f"{key}.json"
            if fragment.is_file():
                data = json.loads(fragment.read_bytes())
                found = set(words(data.get("title", ""))) | set(words(data.get("text", "")))
                return folder.name, key, found
        return None

    def _put(self, path: Path, data: bytes | None) -> str:
        """Write (or with None remove) the file at ``path``; its path below the site's root."""
        if data is None:
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == self.bundle or any(folder.iterdir()):
                    break
                folder.rmdir()
        elif not path.is_file() or path.read_bytes() != data:
            _replace(path, data)
        return path.relative_to(self.root).as_posix()


class _Whole(Exception):
    """The change is better made as a whole index."""


def _place(records: str, key: str) -> int:
    """Where the record of ``key`` is, or would be, in ``records`` (records in order of their keys)."""
    low, high = 0, len(records) // RECORD
    while low < high:
        middle = (low + high) // 2
        if records[middle * RECORD : middle * RECORD + KEY] < key:
            low = middle + 1
        else:
            high = middle
    return low * RECORD


def _without(records: str, keys: set[str]) -> str:
    """``records`` less those of ``keys``."""
    for key in keys:
        at = _place(records, key)
        if records[at : at + KEY] == key:
            records = records[:at] + records[at + RECORD :]
    return records


def _with(records: str, added: list[str]) -> str:
    """``records`` with ``added`` in their places (instead of records of the same keys)."""
    for record in added:
        at = _place(records, record[:KEY])
        end = at + RECORD if records[at : at + KEY] == record[:KEY] else at
        records = records[:at] + record + records[end:]
    return records


def remove_legacy(root: Path) -> list[str]:
    """Remove the index folders earlier versions made under ``root``; the paths removed."""
    gone = []
    for name in LEGACY:
        if (root / name).is_dir():
            shutil.rmtree(root / name)
            gone.append(name)
    return gone
