"""Find and read the content files: site.yaml, neighborhood folders, pacts and notices."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.content.digest import FileDigests
from sitegen.content.parse import RawDocument, decode, parse_yaml
from sitegen.errors import ContentError, Severity
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, _

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


@dataclass
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
    sources: dict[str, str] = field(default_factory=dict)
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
    sources: dict[str, str] = field(default_factory=dict)
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
    def site_display(self) -> str:
        """site.yaml's path as problems show it."""
        return _display_path(self.display_root, SITE_FILE)

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
        if path.stat().st_size > max_bytes:
            return (
                None,
                "",
                [ContentError(display, 1, 1, _("the file is larger than {size} MB", size=max_bytes // 1_000_000))],
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, "", [ContentError(display, 1, 1, _("cannot read the file: {reason}", reason=exc.strerror))]
    text, problems = decode(data, display)
    if text is None:
        return None, "", problems
    return RawDocument(display, rel, text.split("\n"), None), text, problems


def load_yaml_file(
    path: Path, rel: str, display_root: str, max_bytes: int = MAX_FILE_BYTES, max_nodes: int | None = None
) -> tuple[RawDocument | None, list[ContentError]]:
    """Read one YAML file that must hold a mapping (of ``max_bytes`` and ``max_nodes`` values at most)."""
    doc, text, problems = _read(path, rel, display_root, max_bytes)
    if doc is None:
        return None, problems
    root, parse_problems = parse_yaml(doc, text, max_nodes=max_nodes)
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
    root, parse_problems = parse_yaml(doc, match.group(1) or "", line_offset=1)
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
    documents: dict[str, RawDocument], folder: Path, rel: str, display_root: str
) -> list[ContentError]:
    """Read each ``<name>.<lang>.md`` in ``folder`` into the translations of the document ``<name>.md``."""
    problems: list[ContentError] = []
    for path in sorted(folder.glob("*.md")):
        found = translation_of(path.name)
        if found is None or path.name.startswith("."):
            continue
        original, lang = found
        if original not in documents:
            problems.append(
                _ignored(
                    display_root,
                    f"{rel}/{path.name}",
                    _("it is the {lang} text of `{original}`, which does not exist", lang=lang, original=original),
                )
            )
            continue
        doc, file_problems = load_markdown_file(path, f"{rel}/{path.name}", display_root, front_matter=False)
        problems += file_problems
        if doc is not None:
            documents[original].translations[lang] = doc
    return problems


def _notice_files(directory: Path, rel: str, display_root: str) -> tuple[list[RawDocument], list[ContentError]]:
    documents, problems = [], []
    if not directory.is_dir():
        return [], []
    for path in sorted(directory.iterdir()):
        name = path.name
        if name.startswith(".") or name.endswith("~") or translation_of(name):
            continue
        file_rel = f"{rel}/{name}"
        if path.suffix != ".md" or not path.is_file():
            problems.append(_ignored(display_root, file_rel, _("notices are Markdown files ending in `.md`")))
            continue
        if not SLUG_RE.match(path.stem):
            problems.append(
                _file_problem(
                    display_root,
                    file_rel,
                    _("the file name `{name}` cannot be used in a web address", name=name),
                    _("use lowercase letters, digits and dashes, e.g. `2026-11-20-water-outage.md`"),
                )
            )
            continue
        doc, file_problems = load_markdown_file(path, file_rel, display_root, front_matter=True)
        problems += file_problems
        if doc is not None:
            documents.append(doc)
    by_name = {d.rel.rsplit("/", 1)[-1]: d for d in documents}
    problems += _attach_translations(by_name, directory, rel, display_root)
    return documents, problems


def _file_problem(
    display_root: str, rel: str, message: str, hint: str = "", severity: Severity = "error"
) -> ContentError:
    """A problem with a whole file or folder, reported at its first line."""
    return ContentError(_display_path(display_root, rel), 1, 1, message, severity, hint)


def _ignored(display_root: str, rel: str, why: str) -> ContentError:
    return _file_problem(display_root, rel, _("this file is not read"), why, "warning")


def _neighborhood_sources(folder: Path, digests: FileDigests) -> tuple[str, dict[str, str]]:
    """The folder's digest, and the digests pages depend on: ``nb:`` its own files but the notices,
    ``nbn:`` its notices together, ``file:`` each notice."""
    slug = folder.name
    main, _files = digests.folder(folder, skip=NOTICES_DIR)
    notices, files = digests.folder(folder / NOTICES_DIR) if (folder / NOTICES_DIR).is_dir() else ("", {})
    sources = {f"nb:{slug}": main, f"nbn:{slug}": notices}
    sources.update((f"file:{slug}/{NOTICES_DIR}/{name}", digest) for name, digest in files.items())
    return hashlib.sha256(f"{main}\0{notices}".encode()).hexdigest(), sources


def _load_neighborhood(folder: Path, display_root: str, digests: FileDigests | None = None) -> NeighborhoodFiles:
    """The folder's digests; its files are parsed later, when it is checked (see NeighborhoodFiles)."""
    digest, sources = _neighborhood_sources(folder, digests or FileDigests())
    return NeighborhoodFiles(
        folder.name, None, None, [], digest, [], parsed=False, sources=sources, folder=folder, display_root=display_root
    )


def _parse_neighborhood(
    folder: Path, display_root: str
) -> tuple[RawDocument | None, RawDocument | None, list[RawDocument], list[ContentError]]:
    rel = f"{NEIGHBORHOODS_DIR}/{folder.name}"
    problems: list[ContentError] = []
    document = None
    main = folder / NEIGHBORHOOD_FILE
    if main.is_file():
        document, found = load_yaml_file(main, f"{rel}/{NEIGHBORHOOD_FILE}", display_root)
        problems += found
    else:
        others = sorted(p.name for p in folder.glob("*.y*ml"))
        hint = (
            _("rename `{name}` to `{file}`", name=others[0], file=NEIGHBORHOOD_FILE)
            if others
            else _("`sitegen new neighborhood SLUG` writes one")
        )
        problems.append(_file_problem(display_root, rel, _("the folder has no `{file}`", file=NEIGHBORHOOD_FILE), hint))
    pact = None
    if (folder / PACT_FILE).is_file():
        pact, found = load_markdown_file(folder / PACT_FILE, f"{rel}/{PACT_FILE}", display_root, front_matter=False)
        problems += found
    problems += _attach_translations({PACT_FILE: pact} if pact else {}, folder, rel, display_root)
    notices, found = _notice_files(folder / NOTICES_DIR, f"{rel}/{NOTICES_DIR}", display_root)
    problems += found
    for path in sorted(folder.iterdir()):
        if path.name in (NEIGHBORHOOD_FILE, PACT_FILE, NOTICES_DIR) or path.name.startswith("."):
            continue
        if translation_of(path.name):  # checked above
            continue
        if path.suffix in (".yaml", ".yml", ".md") and path != main:
            problems.append(
                _ignored(
                    display_root,
                    f"{rel}/{path.name}",
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
    if site_path.is_file():
        return load_yaml_file(site_path, SITE_FILE, display_root, MAX_SITE_BYTES, MAX_SITE_NODES)
    hint = (
        _("rename `site.yml` to `site.yaml`")
        if (content_dir / "site.yml").is_file()
        else _("the content folder needs a `site.yaml` describing the community")
    )
    return None, [_file_problem(display_root, SITE_FILE, _("the file is missing"), hint)]


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
    digests = digests or FileDigests()
    problems: list[ContentError] = []
    site_path = content_dir / SITE_FILE
    neighborhoods = []
    folder = content_dir / NEIGHBORHOODS_DIR
    entries = sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []
    for entry in entries:
        path = folder / entry.name
        if entry.name.startswith("."):
            continue
        rel = f"{NEIGHBORHOODS_DIR}/{entry.name}"
        if not entry.is_dir():
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
            neighborhoods.append(known)
        else:
            neighborhoods.append(_load_neighborhood(path, display_root, digests))
    notices, found = _notice_files(content_dir / NOTICES_DIR, NOTICES_DIR, display_root)
    problems += found
    sources = {"site": digests.file(site_path)}
    sources["notices"] = digests.folder(content_dir / NOTICES_DIR)[0] if (content_dir / NOTICES_DIR).is_dir() else ""
    for files in neighborhoods:
        sources.update(files.sources)
    main_files = sorted((f"nb:{n.slug}", n.sources[f"nb:{n.slug}"]) for n in neighborhoods)
    notice_files = sorted((f"nbn:{n.slug}", n.sources[f"nbn:{n.slug}"]) for n in neighborhoods)
    sources["buildings"] = hashlib.sha256(repr(main_files).encode()).hexdigest()
    sources["allnotices"] = hashlib.sha256(repr((notice_files, sources["notices"])).encode()).hexdigest()
    # Everything: what the community pages show (and folders that are not neighborhoods, for their
    # problems). A neighborhood's two digests cover every file in its folder.
    listing = [entry.name for entry in entries]
    everything = (sources["site"], sources["notices"], sources["buildings"], sources["allnotices"], listing)
    sources["all"] = hashlib.sha256(repr(everything).encode()).hexdigest()
    return Documents(content_dir, neighborhoods, notices, problems, sources, display_root)
