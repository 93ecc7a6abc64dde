"""Find and read the content files: site.yaml, neighborhood folders, pacts and notices."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sitegen.content.digest import DigestTable, FileDigests
from sitegen.content.files import NotAFile, at_whole, folder_entries, kind_of, not_a_file, read_regular, reason
from sitegen.content.links import checked_text
from sitegen.content.model import Notice, Withheld
from sitegen.content.parse import Lines, RawDocument, decode, parse_yaml
from sitegen.errors import ContentError, Severity
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, Message, _
from sitegen.workers import fork_map

MAX_FILE_BYTES = 2_000_000
# site.yaml lists every grid and person of the community, so it grows with it: a city of 10,000
# neighborhoods in 20,000 grids writes about 6 MB and 600,000 values there.
MAX_SITE_BYTES = 32_000_000
MAX_SITE_NODES = 3_000_000

SITE_FILE = "site.yaml"
NEIGHBORHOODS_DIR = "neighborhoods"
NEIGHBORHOOD_FILE = "neighborhood.yaml"
PACT_FILE = "pact.md"
NOTICES_DIR = "notices"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Folder names the site uses itself, so no neighborhood may take them.
RESERVED_SLUGS = frozenset({"assets", "notices", "print", "data", "map", "en", "search", "pagefind"})
# Pages the site writes into every notices folder, so no notice may be named like them.
RESERVED_NOTICE_NAMES: dict[str, Message] = {
    "index": _("the list of notices"),
    "archive": _("the list of past notices"),
}
# What the content folder holds; anything else in it is not read.
CONTENT_ENTRIES = (SITE_FILE, NEIGHBORHOODS_DIR, NOTICES_DIR)
# From this many neighborhood folders to read, they are read by forked workers (see load_documents).
PARALLEL_LOAD_FROM = 200


@dataclass(slots=True)
class NeighborhoodFiles:
    """One neighborhood folder: a digest of everything in it, and its files once :meth:`parse` read them.

    Parsing waits until the folder is checked, and :meth:`forget` drops the parsed files right after,
    so a district's thousands of folders never sit in memory all at once.
    """

    slug: str
    document: RawDocument | None
    pact: RawDocument | None
    notices: list[RawDocument]
    digest: str = ""
    problems: list[ContentError] = field(default_factory=list)
    parsed: bool = True
    # The digests pages depend on (see Sources): the folder's files but the notices, its notices
    # together, and each notice by its name in the notices folder.
    main_digest: str = ""
    notices_digest: str = ""
    notice_digests: Mapping[str, str] = field(default_factory=dict)
    folder: Path | None = None
    display_root: str = ""

    def parse(self) -> None:
        """Read and parse the folder's files (once)."""
        if self.parsed or self.folder is None:
            return
        self.document, self.pact, self.notices, self.problems = _parse_neighborhood(self.folder, self.display_root)
        self.parsed = True

    def forget(self) -> None:
        self.document, self.pact, self.notices = None, None, []


class Sources(Mapping[str, str]):
    """The digests of the inputs pages name as their sources (see ``routes.Output``).

    The community's are kept here: ``site``, ``notices``, ``buildings``, ``allnotices``, ``all``. A
    neighborhood's, ``nb:<slug>``, ``nbn:<slug>`` and ``file:<slug>/notices/<name>``, are looked up
    in its folder's own digests, not copied into one table under names of their own (a district has
    100,000 notices).
    """

    def __init__(self, community: dict[str, str], folders: Iterable[NeighborhoodFiles]) -> None:
        self.community = community
        self.folders = {files.slug: files for files in folders}

    def __getitem__(self, key: str) -> str:
        kind, colon, name = key.partition(":")
        if not colon:
            return self.community[key]
        if kind == "file":
            slug, _slash, rest = name.partition("/")
            folder, _slash, notice = rest.partition("/")
            files = self.folders.get(slug)
            if files is not None and folder == NOTICES_DIR and notice in files.notice_digests:
                return files.notice_digests[notice]
        elif kind in ("nb", "nbn") and name in self.folders:
            files = self.folders[name]
            return files.main_digest if kind == "nb" else files.notices_digest
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self.community
        for slug, files in self.folders.items():
            yield f"nb:{slug}"
            yield f"nbn:{slug}"
            yield from (f"file:{slug}/{NOTICES_DIR}/{name}" for name in files.notice_digests)

    def __len__(self) -> int:
        return len(self.community) + sum(2 + len(files.notice_digests) for files in self.folders.values())


@dataclass
class Documents:
    """Everything read from a content directory, and digests of the inputs pages depend on.

    site.yaml is parsed when :attr:`site` is first asked for (a build that knows it unchanged
    never asks); the problems found parsing it are then in :attr:`site_problems`.
    """

    content_dir: Path
    neighborhoods: list[NeighborhoodFiles]
    notices: list[RawDocument]
    problems: list[ContentError]
    sources: Mapping[str, str] = field(default_factory=dict)
    display_root: str = ""
    site_problems: list[ContentError] = field(default_factory=list)
    _site: RawDocument | None = None
    _site_read: bool = False

    @property
    def site(self) -> RawDocument | None:
        if not self._site_read:
            self._site, self.site_problems = _load_site(self.content_dir, self.display_root)
            self._site_read = True
        return self._site

    @property
    def site_parsed(self) -> bool:
        """Whether site.yaml has been read and is held (asking for :attr:`site` does not read it again)."""
        return self._site_read

    def site_size(self) -> int:
        """site.yaml's size in bytes (0 when it cannot be read: reading it will say why)."""
        try:
            return (self.content_dir / SITE_FILE).stat().st_size
        except OSError:
            return 0

    @property
    def site_display(self) -> str:
        """site.yaml's path as problems show it."""
        return _display_path(self.display_root, SITE_FILE)

    def by_slug(self) -> dict[str, NeighborhoodFiles]:
        """The neighborhood folders by their names."""
        return {files.slug: files for files in self.neighborhoods}

    def forget_site(self) -> None:
        """Let site.yaml's parsed tree go once it is checked (it is read again if asked for).

        It grows with the community (every grid and person, with where each was written): the
        largest part of what checking a district holds.
        """
        self._site, self._site_read = None, False

    def notice_texts(self) -> NoticeTexts:
        """What reads again the text of the neighborhoods' notices their summaries withhold."""
        return NoticeTexts(self.content_dir, self.display_root)

    def forget_text(self) -> None:
        """Drop the parsed files (keeping the digests), once the model has been made from them."""
        self._site = None
        self.notices = []
        for files in self.neighborhoods:
            files.forget()


def _display_path(display_root: str, rel: str) -> str:
    return os.path.join(display_root, rel) if display_root else rel


def _outside(path: Path, rel: str) -> bool:
    """Whether ``path`` (``rel`` below the content folder) is a link that leads out of the folder."""
    root = path
    for _part in Path(rel).parts:
        root = root.parent
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


def _read(
    path: Path, rel: str, display_root: str, max_bytes: int = MAX_FILE_BYTES
) -> tuple[RawDocument | None, str, list[ContentError]]:
    display = _display_path(display_root, rel)
    if _outside(path, rel):
        hint = _("copy the file into the content folder instead of linking to it")
        return (
            None,
            "",
            [ContentError(display, 1, 1, _("the file is a link to a place outside the content folder"), "error", hint)],
        )
    try:
        data = read_regular(path, max_bytes)
    except NotAFile as exc:
        return None, "", [not_a_file(display, exc.kind)]
    except OSError as exc:
        message = _("cannot read the file: {reason}", reason=reason(exc))
        return None, "", [at_whole(display, message, _("make sure the file may be read (its permissions allow it)"))]
    if data is None:
        return (
            None,
            "",
            [ContentError(display, 1, 1, _("the file is larger than {size} MB", size=max_bytes // 1_000_000))],
        )
    text, problems = decode(data, display)
    if text is None:
        return None, "", problems
    return RawDocument(display, rel, Lines(text), None), text, problems


def load_yaml_file(
    path: Path, rel: str, display_root: str, max_bytes: int = MAX_FILE_BYTES, max_nodes: int | None = None
) -> tuple[RawDocument | None, list[ContentError]]:
    """Read one YAML file that must hold a mapping (of ``max_bytes`` and ``max_nodes`` values at most)."""
    doc, text, problems = _read(path, rel, display_root, max_bytes)
    if doc is None:
        return None, problems
    root, parse_problems = parse_yaml(doc, text, max_nodes=max_nodes, duplicates=False)
    problems += parse_problems
    if root is None and not parse_problems:
        problems.append(
            doc.problem(1, 1, _("the file is empty"), _("fill it in; `sitegen new` writes a commented example"))
        )
    elif root is not None and root.kind != "map":
        problems.append(
            doc.at(root, _("the file must hold `key: value` lines, but it holds {found}", found=root.describe()))
        )
        root = None
    doc.root = root
    return doc, problems


FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def load_markdown_file(
    path: Path, rel: str, display_root: str, front_matter: bool
) -> tuple[RawDocument | None, list[ContentError]]:
    """Read a Markdown file, with a YAML front matter block between `---` lines when asked."""
    doc, text, problems = _read(path, rel, display_root)
    if doc is None:
        return None, problems
    if not front_matter:
        doc.body, doc.body_line = text, 1
        return doc, problems
    match = FRONT_MATTER_RE.match(text)
    if not match and re.match(r"---[ \t]*\n", text):
        problems.append(
            doc.problem(
                1,
                1,
                _("the `---` block at the top is never closed"),
                _("add a line `---` after the last fact (e.g. after `date:`), before the text"),
            )
        )
        return None, problems
    if not match:
        problems.append(
            doc.problem(
                1,
                1,
                _("the notice does not start with a `---` block of facts"),
                _("begin the file with `---`, then `title:` and `date:` lines, then `---`, then the text"),
            )
        )
        return None, problems
    root, parse_problems = parse_yaml(doc, match.group(1) or "", line_offset=1, duplicates=False)
    problems += parse_problems
    if root is None and not parse_problems:
        problems.append(doc.problem(1, 1, _("the `---` block is empty"), _("add `title:` and `date:` lines")))
    elif root is not None and root.kind != "map":
        problems.append(
            doc.at(
                root,
                _("the `---` block must hold `key: value` lines, but it holds {found}", found=root.describe()),
            )
        )
        root = None
    doc.root = root
    doc.body = text[match.end() :]
    doc.body_line = text.count("\n", 0, match.end()) + 1
    return doc, problems


def translation_of(name: str) -> tuple[str, str] | None:
    """``(original, lang)`` for the name of a translation file (``x.en.md`` → ``x.md``, ``en``), else None."""
    stem, dot, lang = name.removesuffix(".md").rpartition(".")
    if name.endswith(".md") and dot and lang in LANGUAGES and lang != DEFAULT_LANGUAGE:
        return f"{stem}.md", lang
    return None


def _attach_translations(
    documents: dict[str, RawDocument], entries: list[os.DirEntry[str]], rel: str, display_root: str
) -> list[ContentError]:
    """Read each ``<name>.<lang>.md`` among a folder's ``entries`` into the translations of ``<name>.md``."""
    problems: list[ContentError] = []
    for entry in entries:
        found = translation_of(entry.name)
        if found is None:
            continue
        original, lang = found
        file_rel = f"{rel}/{entry.name}"
        if original not in documents:
            problems.append(
                _ignored(
                    display_root,
                    file_rel,
                    _("it is the {lang} text of `{original}`, which does not exist", lang=lang, original=original),
                )
            )
            continue
        doc, file_problems = load_markdown_file(Path(entry.path), file_rel, display_root, front_matter=False)
        problems += file_problems
        if doc is not None:
            documents[original].translations[lang] = doc
    return problems


def _page_folder(rel: str) -> str:
    """The output folder of a content folder: ``neighborhoods/<slug>/notices`` → ``<slug>/notices``."""
    return rel.removeprefix(f"{NEIGHBORHOODS_DIR}/")


def _notice_files(directory: Path, rel: str, display_root: str) -> tuple[list[RawDocument], list[ContentError]]:
    documents: list[RawDocument] = []
    problems: list[ContentError] = []
    kind = kind_of(directory)
    if kind == "missing":
        return [], []
    if kind != "folder":
        if kind == "file":
            problems.append(
                _file_problem(
                    display_root,
                    rel,
                    _("`{name}` must be a folder of notices, but it is a file", name=NOTICES_DIR),
                    _("make a folder `{name}/` and put each notice in it as a `.md` file", name=NOTICES_DIR),
                )
            )
        return [], problems  # a special file or one that cannot be read: reported with its folder
    entries = folder_entries(directory, _display_path(display_root, rel), problems)
    for entry in entries:
        name = entry.name
        if name.endswith("~") or translation_of(name):
            continue
        file_rel = f"{rel}/{name}"
        stem = name.removesuffix(".md")
        if not name.endswith(".md") or kind_of(entry.path) != "file":
            problems.append(_ignored(display_root, file_rel, _("notices are Markdown files ending in `.md`")))
            continue
        if not SLUG_RE.match(stem):
            problems.append(
                _file_problem(
                    display_root,
                    file_rel,
                    _("the file name `{name}` cannot be used in a web address", name=name),
                    _("use lowercase letters, digits and dashes, e.g. `2026-11-20-water-outage.md`"),
                )
            )
            continue
        if stem in RESERVED_NOTICE_NAMES:
            page = f"{_page_folder(rel)}/{stem}.html"
            problems.append(
                _file_problem(
                    display_root,
                    file_rel,
                    _(
                        "the notice `{name}` would be written to `{page}`, which is {what}",
                        name=name,
                        page=page,
                        what=RESERVED_NOTICE_NAMES[stem],
                    ),
                    _("rename the file, e.g. to `2026-11-20-{stem}.md`", stem=stem),
                )
            )
            continue
        doc, file_problems = load_markdown_file(Path(entry.path), file_rel, display_root, front_matter=True)
        problems += file_problems
        if doc is not None:
            documents.append(doc)
    by_name = {d.rel.rsplit("/", 1)[-1]: d for d in documents}
    problems += _attach_translations(by_name, entries, rel, display_root)
    return documents, problems


class NoticeTexts:
    """Gives the neighborhoods' notices that summaries hold their text again, read from their files.

    A summary withholds each notice's text (``model.WITHHELD``); the community's pages show the text
    of a few hundred notices at most, and those are read again when they are made, as checking read
    them: the file and its translations, the text as :func:`checked_text` gives it. Each file is read
    once. A file that cannot be read any more (removed since it was checked) gives an empty text.
    """

    def __init__(self, content_dir: Path, display_root: str) -> None:
        self.content_dir, self.display_root = content_dir, display_root
        self._read: dict[tuple[str, str], str] = {}

    def __call__(self, notices: Iterable[Notice]) -> list[Notice]:
        """``notices``, each whose text is withheld given its text."""
        return [self._whole(notice) if isinstance(notice.body, Withheld) else notice for notice in notices]

    def _whole(self, notice: Notice) -> Notice:
        key = (notice.neighborhood, notice.slug)
        if key not in self._read:
            doc = self._document(*key)
            self._read[key] = checked_text(doc, []) if doc is not None else ""
        return replace(notice, body=self._read[key])

    def _document(self, neighborhood: str, slug: str) -> RawDocument | None:
        rel = f"{NEIGHBORHOODS_DIR}/{neighborhood}/{NOTICES_DIR}"
        folder = self.content_dir / rel
        doc, _problems = load_markdown_file(folder / f"{slug}.md", f"{rel}/{slug}.md", self.display_root, True)
        if doc is None:
            return None
        for lang in LANGUAGES:
            name = f"{slug}.{lang}.md"
            if lang != DEFAULT_LANGUAGE and kind_of(folder / name) == "file":
                translation, _problems = load_markdown_file(folder / name, f"{rel}/{name}", self.display_root, False)
                if translation is not None:
                    doc.translations[lang] = translation
        return doc


def _file_problem(
    display_root: str, rel: str, message: str, hint: str = "", severity: Severity = "error"
) -> ContentError:
    """A problem with a whole file or folder, reported at its first line."""
    return at_whole(_display_path(display_root, rel), message, hint, severity)


def _ignored(display_root: str, rel: str, why: str) -> ContentError:
    return _file_problem(display_root, rel, _("this file is not read"), why, "warning")


def _scan_below(entry: os.DirEntry[str], display: str, problems: list[ContentError]) -> None:
    """Report what cannot be read anywhere below a folder sitegen keeps digests of (links are not followed)."""
    if entry.is_symlink():
        return
    for inner in folder_entries(entry.path, display, problems):
        if kind_of(inner.path) == "folder":
            _scan_below(inner, f"{display}/{inner.name}", problems)


def _load_neighborhood(folder: Path, display_root: str, digests: FileDigests | None = None) -> NeighborhoodFiles:
    """The folder's digests; its files are parsed later, when it is checked (see NeighborhoodFiles)."""
    digests = digests or FileDigests()
    main, _files = digests.folder(folder, skip=NOTICES_DIR)
    has_notices = kind_of(folder / NOTICES_DIR) == "folder"
    notices, files = digests.folder(folder / NOTICES_DIR) if has_notices else ("", {})
    digest = hashlib.sha256(f"{main}\0{notices}".encode()).hexdigest()
    return NeighborhoodFiles(
        folder.name,
        None,
        None,
        [],
        digest,
        [],
        parsed=False,
        main_digest=main,
        notices_digest=notices,
        notice_digests=DigestTable(files),
        folder=folder,
        display_root=display_root,
    )


def _parse_neighborhood(
    folder: Path, display_root: str
) -> tuple[RawDocument | None, RawDocument | None, list[RawDocument], list[ContentError]]:
    rel = f"{NEIGHBORHOODS_DIR}/{folder.name}"
    problems: list[ContentError] = []
    entries = folder_entries(folder, _display_path(display_root, rel), problems)
    names = {entry.name for entry in entries}
    document = None
    main = folder / NEIGHBORHOOD_FILE
    main_kind = kind_of(main)  # anything but a file, a folder or nothing is reported with the folder
    if main_kind == "file":
        document, found = load_yaml_file(main, f"{rel}/{NEIGHBORHOOD_FILE}", display_root)
        problems += found
    elif main_kind == "folder":
        problems.append(
            _file_problem(
                display_root,
                f"{rel}/{NEIGHBORHOOD_FILE}",
                _("`{file}` must be a file, but it is a folder", file=NEIGHBORHOOD_FILE),
            )
        )
    elif main_kind == "missing":
        others = sorted(name for name in names if name.endswith((".yaml", ".yml")))
        hint = (
            _("rename `{name}` to `{file}`", name=others[0], file=NEIGHBORHOOD_FILE)
            if others
            else _("`sitegen new neighborhood SLUG` writes one")
        )
        problems.append(_file_problem(display_root, rel, _("the folder has no `{file}`", file=NEIGHBORHOOD_FILE), hint))
    pact = None
    if PACT_FILE in names and kind_of(folder / PACT_FILE) == "file":
        pact, found = load_markdown_file(folder / PACT_FILE, f"{rel}/{PACT_FILE}", display_root, front_matter=False)
        problems += found
    problems += _attach_translations({PACT_FILE: pact} if pact else {}, entries, rel, display_root)
    notices: list[RawDocument] = []
    if NOTICES_DIR in names:
        notices, found = _notice_files(folder / NOTICES_DIR, f"{rel}/{NOTICES_DIR}", display_root)
        problems += found
    for entry in entries:
        if entry.name in (NEIGHBORHOOD_FILE, PACT_FILE, NOTICES_DIR) or translation_of(entry.name):
            continue
        if kind_of(entry.path) == "folder":
            _scan_below(entry, _display_path(display_root, f"{rel}/{entry.name}"), problems)
        elif entry.name.endswith((".yaml", ".yml", ".md")):
            problems.append(
                _ignored(
                    display_root,
                    f"{rel}/{entry.name}",
                    _(
                        "a neighborhood folder holds `{file}`, `{pact}` and a `{notices}/` folder",
                        file=NEIGHBORHOOD_FILE,
                        pact=PACT_FILE,
                        notices=NOTICES_DIR,
                    ),
                )
            )
    return document, pact, notices, problems


def _load_site(content_dir: Path, display_root: str) -> tuple[RawDocument | None, list[ContentError]]:
    site_path = content_dir / SITE_FILE
    kind = kind_of(site_path)
    if kind == "folder":
        message = _("`{file}` must be a file, but it is a folder", file=SITE_FILE)
        hint = _("move what the folder holds elsewhere, and write the community's facts into a file of that name")
        return None, [_file_problem(display_root, SITE_FILE, message, hint)]
    if kind != "missing":
        return load_yaml_file(site_path, SITE_FILE, display_root, MAX_SITE_BYTES, MAX_SITE_NODES)
    hint = (
        _("rename `site.yml` to `site.yaml`")
        if kind_of(content_dir / "site.yml") == "file"
        else _("the content folder needs a `site.yaml` describing the community")
    )
    return None, [_file_problem(display_root, SITE_FILE, _("the file is missing"), hint)]


def _root_entries(content_dir: Path, display_root: str, problems: list[ContentError]) -> list[os.DirEntry[str]]:
    """The content folder's entries; what cannot be read is reported, and names close to the known ones."""
    odd: list[ContentError] = []
    entries = folder_entries(content_dir, display_root, odd)
    problems += [p for p in odd if p.path != _display_path(display_root, SITE_FILE)]  # reported when read
    for entry in entries:
        if entry.name in CONTENT_ENTRIES or entry.name == NEIGHBORHOODS_DIR:
            continue
        close = difflib.get_close_matches(entry.name.lower(), CONTENT_ENTRIES, n=1, cutoff=0.75)
        if entry.name == "site.yml" and kind_of(content_dir / SITE_FILE) == "missing":
            continue  # the missing site.yaml is reported with a hint to rename it
        if close and close[0] != NEIGHBORHOODS_DIR:  # that one is reported where the folder is looked for
            problems.append(
                _file_problem(
                    display_root,
                    entry.name,
                    _("this is not read"),
                    _("did you mean `{name}`?", name=close[0]),
                    "warning",
                )
            )
    return entries


def _neighborhood_entries(
    content_dir: Path, display_root: str, root: list[os.DirEntry[str]], problems: list[ContentError]
) -> list[os.DirEntry[str]]:
    """The entries of the `neighborhoods/` folder; reported if it is missing, misspelt, empty or a file."""
    folder = content_dir / NEIGHBORHOODS_DIR
    kind = kind_of(folder)
    if kind == "folder":
        entries = folder_entries(folder, _display_path(display_root, NEIGHBORHOODS_DIR), problems)
        if not entries and _readable(folder):
            problems.append(
                _file_problem(
                    display_root,
                    NEIGHBORHOODS_DIR,
                    _("the `{folder}/` folder holds no neighborhood", folder=NEIGHBORHOODS_DIR),
                    _("`sitegen new neighborhood SLUG` writes one"),
                )
            )
        return entries
    if kind == "file":
        problems.append(
            _file_problem(
                display_root,
                NEIGHBORHOODS_DIR,
                _("`{folder}` must be a folder of neighborhoods, but it is a file", folder=NEIGHBORHOODS_DIR),
                _("make a folder `{folder}/` with one folder for each neighborhood in it", folder=NEIGHBORHOODS_DIR),
            )
        )
    elif kind == "missing":
        names = {entry.name.lower(): entry.name for entry in root}
        close = difflib.get_close_matches(NEIGHBORHOODS_DIR, list(names), n=1, cutoff=0.75)
        if close:
            problems.append(
                _file_problem(
                    display_root,
                    names[close[0]],
                    _("the neighborhoods are read from a folder named `{folder}`", folder=NEIGHBORHOODS_DIR),
                    _("rename `{name}` to `{folder}`", name=names[close[0]], folder=NEIGHBORHOODS_DIR),
                )
            )
        else:
            problems.append(
                _file_problem(
                    display_root,
                    NEIGHBORHOODS_DIR,
                    _("there is no `{folder}/` folder, so the site has no neighborhood", folder=NEIGHBORHOODS_DIR),
                    _("make the folder and add each neighborhood with `sitegen new neighborhood SLUG`"),
                )
            )
    return []  # anything else (a special file, a folder that cannot be read) is reported with the content folder


def _readable(folder: Path) -> bool:
    try:
        with os.scandir(folder):
            return True
    except OSError:
        return False


# A folder read by a worker: its files, and the paths and digests of those it saw.
_FolderRead = tuple[NeighborhoodFiles, tuple[str, ...], tuple[bytes, ...]]


def _loaded(
    folders: list[NeighborhoodFiles | Path], display_root: str, digests: FileDigests | None
) -> list[NeighborhoodFiles]:
    """The folders given by path read (their digests), in order; by forked workers when there are many.

    A district's folders hold a hundred thousand files. Read here, what is made for each file while
    it is read (its path, its status, its whole text) is let go between the digests kept, and the
    memory between stays taken: 10,000 folders kept 34 MB of objects in 82 MB. Workers read on
    every core and hand back only what is kept (52 MB of memory for the same objects). With
    ``digests``, the digests of the files seen are added to it as if read here (for the next
    build), as each folder's come back (held until all had, they were 30 MB more at 10,000
    folders); without, they are not kept.
    """
    paths = [folder for folder in folders if isinstance(folder, Path)]

    def read(path: Path) -> _FolderRead:
        found = FileDigests(digests.known if digests is not None else None)
        files = _load_neighborhood(path, display_root, found)
        if digests is None:
            return files, (), ()
        return files, tuple(found.seen), tuple(found.seen.values())

    def taken(result: _FolderRead) -> _FolderRead:
        files, paths_seen, seen = result
        if digests is not None:
            digests.took(zip(paths_seen, seen, strict=True))
        return files, (), ()

    def reading(path: Path) -> Message:
        return _("reading the folder {folder}", folder=_display_path(display_root, f"{NEIGHBORHOODS_DIR}/{path.name}"))

    read_now = iter(fork_map(read, paths, PARALLEL_LOAD_FROM, reading, taken))
    return [next(read_now)[0] if isinstance(folder, Path) else folder for folder in folders]


def load_documents(
    content_dir: Path,
    display_root: str = "",
    digests: FileDigests | None = None,
    unchanged: dict[str, NeighborhoodFiles] | None = None,
) -> Documents:
    """Read site.yaml and the community notices, and find every neighborhood folder; collect problems.

    Neighborhood folders are parsed when they are checked (:meth:`NeighborhoodFiles.parse`).
    ``digests`` reuses the digests of files whose size and time did not change; ``unchanged``
    gives, by folder name, neighborhood folders known not to have changed since they were read
    (the preview server knows which files changed), so their files are not even looked at.
    """
    kept = digests
    digests = digests or FileDigests()
    problems: list[ContentError] = []
    site_path = content_dir / SITE_FILE
    root = _root_entries(content_dir, display_root, problems)
    found_folders: list[NeighborhoodFiles | Path] = []  # known unchanged, or to read
    folder = content_dir / NEIGHBORHOODS_DIR
    entries = _neighborhood_entries(content_dir, display_root, root, problems)
    for entry in entries:
        path = folder / entry.name
        rel = f"{NEIGHBORHOODS_DIR}/{entry.name}"
        if kind_of(path) != "folder":
            problems.append(
                _ignored(
                    display_root,
                    rel,
                    _("each neighborhood is a folder with a `{file}` in it", file=NEIGHBORHOOD_FILE),
                )
            )
            continue
        if not SLUG_RE.match(path.name):
            problems.append(
                _file_problem(
                    display_root,
                    rel,
                    _("the folder name `{name}` cannot be used in a web address", name=path.name),
                    _("use lowercase letters, digits and dashes, e.g. `hexie-jiayuan`"),
                )
            )
            continue
        if path.name in RESERVED_SLUGS:
            problems.append(
                _file_problem(
                    display_root,
                    rel,
                    _("the folder name `{name}` is used by the site itself", name=path.name),
                    _("rename the folder, e.g. to the neighborhood's name in pinyin"),
                )
            )
            continue
        known = (unchanged or {}).get(entry.name)
        if known is not None and known.folder == path:
            known.forget()
            known.parsed = False
            found_folders.append(known)
        else:
            found_folders.append(path)
    neighborhoods = _loaded(found_folders, display_root, kept)
    notices, found = _notice_files(content_dir / NOTICES_DIR, NOTICES_DIR, display_root)
    problems += found
    sources = {"site": digests.file(site_path)}
    has_notices = kind_of(content_dir / NOTICES_DIR) == "folder"
    sources["notices"] = digests.folder(content_dir / NOTICES_DIR)[0] if has_notices else ""
    main_files = sorted((f"nb:{n.slug}", n.main_digest) for n in neighborhoods)
    notice_files = sorted((f"nbn:{n.slug}", n.notices_digest) for n in neighborhoods)
    sources["buildings"] = hashlib.sha256(repr(main_files).encode()).hexdigest()
    sources["allnotices"] = hashlib.sha256(repr((notice_files, sources["notices"])).encode()).hexdigest()
    # Everything: what the community pages show (and folders that are not neighborhoods, for their
    # problems). A neighborhood's two digests cover every file in its folder.
    listing = ([entry.name for entry in root], [entry.name for entry in entries])
    everything = (sources["site"], sources["notices"], sources["buildings"], sources["allnotices"], listing)
    sources["all"] = hashlib.sha256(repr(everything).encode()).hexdigest()
    return Documents(content_dir, neighborhoods, notices, problems, Sources(sources, neighborhoods), display_root)
