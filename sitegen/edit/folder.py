"""The content folder as the editor sees it: the community and its neighborhoods, each file read safely and afresh."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.content import format as cf
from sitegen.content.load import (
    NEIGHBORHOOD_FILE,
    NEIGHBORHOODS_DIR,
    NOTICES_DIR,
    PACT_FILE,
    SITE_FILE,
    SLUG_RE,
    translation_of,
)
from sitegen.content.schema import Record
from sitegen.edit import yamltext as yt
from sitegen.edit.fields import Choices, text_of
from sitegen.errors import SitegenError
from sitegen.i18n import _, in_chinese

MAX_TEXT_BYTES = 2_000_000  # the largest file the editor reads or writes (a content file's limit)
EDITABLE_SUFFIXES = (".yaml", ".yml", ".md")


class OutsideContent(SitegenError):
    """A path that leads out of the content folder, or to a file the editor does not touch."""


def digest(data: bytes | None) -> str:
    """What a file's text is known by, to tell whether it changed; "" for a file that does not exist."""
    return "" if data is None else hashlib.sha256(data).hexdigest()[:32]


@dataclass
class Owner:
    """Whose information a file is: the community (``slug`` "") or one neighborhood."""

    slug: str
    name: str
    rel: str  # its YAML file
    record: Record
    page: str  # its page on the website

    @property
    def folder(self) -> str:
        return f"{NEIGHBORHOODS_DIR}/{self.slug}" if self.slug else ""

    @property
    def notices(self) -> str:
        return f"{self.folder}/{NOTICES_DIR}" if self.slug else NOTICES_DIR

    @property
    def pact(self) -> str:
        return f"{self.folder}/{PACT_FILE}"


@dataclass
class ContentFolder:
    """Reads and writes files below ``root`` and nowhere else."""

    root: Path
    _cache: dict[str, tuple[tuple[int, int], Any]] = field(default_factory=dict)

    def path(self, rel: str) -> Path:
        """The file ``rel`` below the content folder; OutsideContent for anything that would leave it."""
        parts = rel.replace("\\", "/").split("/")
        if not rel or rel.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise OutsideContent(_("{path} is not a file of the content folder", path=rel))
        path = self.root / Path(*parts)
        base = self.root.resolve()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError) as exc:
            raise OutsideContent(_("{path} is not a file of the content folder", path=rel)) from exc
        if not resolved.is_relative_to(base) or resolved == base:
            raise OutsideContent(_("{path} is not a file of the content folder", path=rel))
        return path

    def editable(self, rel: str) -> Path:
        path = self.path(rel)
        if not rel.endswith(EDITABLE_SUFFIXES):
            raise OutsideContent(_("{path} is not a content file the editor can change", path=rel))
        return path

    def as_of(self, texts: dict[str, str]) -> ContentFolder:
        """This folder as it was when these files held these texts (reading only)."""
        return _AsOf(self.root, texts={rel: text.encode("utf-8") for rel, text in texts.items()})

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None if it does not exist."""
        path = self.editable(rel)
        try:
            if path.stat().st_size > MAX_TEXT_BYTES:
                raise SitegenError(_("{path} is too large to edit here", path=rel))
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def text(self, rel: str) -> str | None:
        data = self.read(rel)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SitegenError(_("{path} is not saved as UTF-8 text", path=rel)) from exc

    def digest(self, rel: str) -> str:
        return digest(self.read(rel))

    def write(self, rel: str, text: str | None) -> None:
        """Write (or, for None, remove) one file atomically; folders below the content folder are made as needed."""
        path = self.editable(rel)
        if text is None:
            path.unlink(missing_ok=True)
            folder = path.parent
            while folder != self.root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
            return
        data = text.encode("utf-8")
        if len(data) > MAX_TEXT_BYTES:
            raise SitegenError(_("{path} would be too large", path=rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path(rel)  # the folders just made must not lead elsewhere either
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".sitegen-edit-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def yaml(self, rel: str) -> Any:
        """The data of a YAML file (read again only when it changed), or None if it is missing or broken."""
        try:
            stat = self.editable(rel).stat()
        except FileNotFoundError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(rel)
        if cached and cached[0] == key:
            return cached[1]
        try:
            data = yt.load(self.text(rel) or "").data
        except (yt.YamlSyntaxError, SitegenError):
            data = None
        self._cache[rel] = (key, data)
        return data

    # The community and its neighborhoods.

    def site_name(self) -> str:
        return text_of((self.yaml(SITE_FILE) or {}).get("name")) or in_chinese(_("the community"))

    def community(self) -> Owner:
        return Owner("", self.site_name(), SITE_FILE, cf.SITE, "index.html")

    def slugs(self) -> list[str]:
        folder = self.root / NEIGHBORHOODS_DIR
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and SLUG_RE.match(p.name))

    def neighborhood(self, slug: str) -> Owner:
        rel = f"{NEIGHBORHOODS_DIR}/{slug}/{NEIGHBORHOOD_FILE}"
        if not SLUG_RE.match(slug) or not self.path(rel).is_file():
            raise OutsideContent(_("there is no neighborhood {slug}", slug=slug))
        name = text_of((self.yaml(rel) or {}).get("name")) or slug
        return Owner(slug, name, rel, cf.NEIGHBORHOOD, f"{slug}/index.html")

    def owner(self, slug: str) -> Owner:
        return self.neighborhood(slug) if slug else self.community()

    def neighborhoods(self) -> list[Owner]:
        found = []
        for slug in self.slugs():
            try:
                found.append(self.neighborhood(slug))
            except OutsideContent:
                continue
        return found

    def choices(self, owner: Owner) -> Choices:
        """The people and grids a form of ``owner`` may choose from, and whether texts get English."""
        site = self.yaml(SITE_FILE) or {}
        people: dict[str, str] = {}
        sources = [site.get("people")]
        if owner.slug:
            sources.insert(0, (self.yaml(owner.rel) or {}).get("people"))
        for source in sources:
            for key, person in (source or {}).items() if isinstance(source, dict) else []:
                if isinstance(person, dict):
                    role = text_of(person.get("role"))
                    people.setdefault(str(key), text_of(person.get("name")) + (f" · {role}" if role else ""))
        grids = {}
        for grid in site.get("grids") or [] if isinstance(site.get("grids"), list) else []:
            if isinstance(grid, dict) and grid.get("id") is not None:
                ident = text_of(grid.get("id"))
                grids[ident] = text_of(grid.get("name")) or f"第{ident}网格"
        languages = site.get("languages")
        english = isinstance(languages, list) and "en" in [str(x) for x in languages]
        return Choices(people, grids, english)

    def notice_files(self, owner: Owner) -> list[str]:
        """The notices of ``owner``, as paths below the content folder (not their translations)."""
        folder = self.root / owner.notices
        if not folder.is_dir():
            return []
        return sorted(
            f"{owner.notices}/{p.name}"
            for p in folder.iterdir()
            if p.suffix == ".md" and not p.name.startswith(".") and not translation_of(p.name) and p.is_file()
        )

    def translations(self, rel: str) -> list[str]:
        """The files in other languages beside ``rel`` (``x.en.md`` beside ``x.md``)."""
        path = self.path(rel)
        stem = path.name.removesuffix(".md")
        return sorted(
            f"{rel.rsplit('/', 1)[0]}/{p.name}"
            for p in path.parent.glob(f"{stem}.*.md")
            if translation_of(p.name) == (path.name, p.name[len(stem) + 1 : -3])
        )

    def files(self) -> list[str]:
        """Every content file the raw editor may open."""
        found = []
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.endswith(EDITABLE_SUFFIXES) and not name.startswith("."):
                    rel = Path(folder, name).relative_to(self.root).as_posix()
                    try:
                        self.path(rel)
                    except OutsideContent:
                        continue
                    found.append(rel)
        return found


@dataclass
class _AsOf(ContentFolder):
    """A content folder with some files read as they were earlier."""

    texts: dict[str, bytes] = field(default_factory=dict)

    def read(self, rel: str) -> bytes | None:
        self.editable(rel)
        return self.texts[rel] if rel in self.texts else super().read(rel)

    def write(self, rel: str, text: str | None) -> None:
        raise NotImplementedError("an earlier state of the folder is only read")
