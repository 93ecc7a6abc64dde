"""Remember what the last build read and wrote, so that the next one does only what changed."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sitegen
from sitegen.content.digest import FileDigests, Known
from sitegen.content.load import SITE_FILE, Documents
from sitegen.content.validate import ValidationCache
from sitegen.errors import ContentError

STATE_FILE = "build-state.pickle"
OUTPUTS_DIR = "outputs"


def hash_parts(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """sitegen's version and the size and time of each of its modules: a changed program changes
    every fingerprint, also where it is installed from a working copy without a new version."""
    package = Path(sitegen.__file__).parent
    modules = sorted(
        (str(p.relative_to(package)), p.stat().st_mtime_ns, p.stat().st_size) for p in package.rglob("*.py")
    )
    return hash_parts(sitegen.__version__, modules)


Manifest = dict[str, str]


@dataclass
class BuildState:
    """What the previous build of one output directory knew: inputs, checked content, files written.

    The files a build writes come in groups: the community's own files, and each neighborhood's.
    A manifest maps each file of a group to the fingerprint of what it was made from; ``made``
    holds, per neighborhood, one fingerprint of everything its files were made from, so a build
    passes over a neighborhood whose inputs did not change without planning its files. The
    neighborhoods' manifests are big together, so each is kept in a file of its own
    (``outputs/<slug>.pickle`` in the cache directory) and read only when its neighborhood changed.
    """

    output_dir: str = ""
    program: str = field(default_factory=lambda: code_version())
    inputs: str = ""
    checked: ValidationCache = field(default_factory=ValidationCache)
    community: Manifest = field(default_factory=dict)
    made: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # how many files each neighborhood has
    problems: list[ContentError] = field(default_factory=list)
    files: Known = field(default_factory=dict)
    printed: set[str] = field(default_factory=set)  # neighborhoods whose every sheet has its PDF
    manifests: dict[str, Manifest] = field(default_factory=dict)  # the neighborhoods' manifests read so far
    unsaved: set[str] = field(default_factory=set)  # neighborhoods whose manifest changed since it was saved
    cache_dir: Path | None = None
    documents: Documents | None = None  # what the last build read (kept in memory only)

    @classmethod
    def load(cls, cache_dir: Path | None, output_dir: Path) -> BuildState:
        """The saved state for ``output_dir``, or an empty one (a cache that cannot be read is ignored)."""
        empty = cls(str(output_dir.resolve()), cache_dir=cache_dir)
        if cache_dir is None:
            return empty
        try:
            with (cache_dir / STATE_FILE).open("rb") as stream:
                state = pickle.load(stream)
        except Exception:  # noqa: BLE001 - any damaged or foreign cache just means a full build
            return empty
        # Written for this output by this very program? (A cache of another one may lack fields.)
        if not isinstance(state, cls) or getattr(state, "program", "") != code_version():
            return empty
        if state.output_dir != str(output_dir.resolve()):
            return empty
        state.cache_dir, state.manifests, state.unsaved = cache_dir, {}, set()
        return state

    def manifest(self, slug: str) -> Manifest | None:
        """The files last written for one neighborhood (read from the cache when first asked for).

        None when they are not known for sure: then only a whole build can tell which files to remove.
        """
        if slug not in self.manifests:
            if self.cache_dir is None or slug not in self.made:
                return None
            try:
                with (self.cache_dir / OUTPUTS_DIR / f"{slug}.pickle").open("rb") as stream:
                    output_dir, made, manifest = pickle.load(stream)
            except Exception:  # noqa: BLE001 - unreadable: not known
                return None
            # Written by the build this state comes from (not by another output's, or half-way)?
            if output_dir != self.output_dir or made != self.made[slug] or not isinstance(manifest, dict):
                return None
            self.manifests[slug] = manifest
        return self.manifests[slug]

    def set_manifest(self, slug: str, manifest: Manifest, fingerprint: str, size: int) -> None:
        self.manifests[slug] = manifest
        self.made[slug] = fingerprint
        self.sizes[slug] = size
        self.unsaved.add(slug)

    def drop(self, slug: str) -> None:
        """Forget a neighborhood that is gone."""
        self.made.pop(slug, None)
        self.sizes.pop(slug, None)
        self.manifests.pop(slug, None)
        self.printed.discard(slug)
        self.checked.neighborhoods.pop(slug, None)
        self.unsaved.add(slug)

    def save(self) -> None:
        """Write the state to its cache directory (the changed manifests, then the rest)."""
        if self.cache_dir is None:
            return
        try:
            folder = self.cache_dir / OUTPUTS_DIR
            folder.mkdir(parents=True, exist_ok=True)
            for slug in sorted(self.unsaved):
                if slug in self.made:
                    _dump((self.output_dir, self.made[slug], self.manifests[slug]), folder / f"{slug}.pickle")
                else:
                    (folder / f"{slug}.pickle").unlink(missing_ok=True)
            self.unsaved = set()
            manifests, self.manifests = self.manifests, {}
            try:
                _dump(self, self.cache_dir / STATE_FILE)
            finally:
                self.manifests = manifests
        except OSError:
            pass  # a cache that cannot be written only costs time next time

    def forget(self) -> None:
        self.inputs = ""
        self.community = {}
        self.made = {}
        self.sizes = {}
        self.printed = set()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _IN_MEMORY}

    def __setstate__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values, manifests={}, unsaved=set(), cache_dir=None, documents=None)


_IN_MEMORY = ("manifests", "unsaved", "cache_dir", "documents")


def _dump(value: object, path: Path) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as stream:
        pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def inputs_signature(documents: Documents, theme: str, settings: tuple[Any, ...]) -> str:
    """Everything a build depends on: equal signatures mean nothing to do."""
    return hash_parts(code_version(), settings, documents.sources["all"], theme)


def theme_digest(theme_dirs: tuple[Path, ...], files: FileDigests) -> str:
    """A digest of every file of the themes."""
    return hash_parts(*(files.folder(d)[0] for d in theme_dirs))


@dataclass
class Digests:
    """Digests of the inputs that pages name as their sources, and of what every page depends on."""

    common: str
    sources: dict[str, str]
    made: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    def fingerprint(self, template: str, sources: tuple[str, ...]) -> str:
        """The same for every page made by one template from the same inputs, computed once."""
        key = (template, sources)
        if key not in self.made:
            self.made[key] = hash_parts(self.common, template, *(self.sources.get(s, "?") for s in sources))
        return self.made[key]


def digests(documents: Documents, theme: str, settings: tuple[Any, ...]) -> Digests:
    """Digests of what pages show (from the documents), and of what all pages share: site.yaml, the
    theme, the settings and sitegen's version."""
    common = hash_parts(code_version(), theme, documents.sources.get("site", ""), settings)
    return Digests(common, documents.sources)


def context_key(content_dir: Path, *settings: object) -> str:
    """What a neighborhood's validation depends on besides its own folder: site.yaml, the date, sitegen."""
    site_file = content_dir / SITE_FILE
    return hash_parts(code_version(), site_file.read_bytes() if site_file.is_file() else b"", settings)
