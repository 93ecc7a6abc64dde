"""Remember what the last build read and wrote, so that the next one does only what changed."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sitegen
from sitegen.digest import Known
from sitegen.errors import ContentError
from sitegen.load import SITE_FILE, Documents, folder_digest
from sitegen.validate import NeighborhoodCache

STATE_FILE = "build-state.pickle"


def _h(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def tree_stats(*roots: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file below the roots: cheap to take, changes when anything does."""
    stats = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                stats.append((path, info.st_mtime_ns, info.st_size))
    return tuple(stats)


@dataclass
class BuildState:
    """What the previous build of one output directory knew: inputs, validated neighborhoods, files written.

    ``manifest`` maps every file the build wrote to the fingerprint of what it was made from.
    """

    output_dir: str = ""
    inputs: str = ""
    neighborhoods: NeighborhoodCache = field(default_factory=dict)
    manifest: dict[str, str] = field(default_factory=dict)
    problems: list[ContentError] = field(default_factory=list)
    files: Known = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: Path | None, output_dir: Path) -> BuildState:
        """The saved state for ``output_dir``, or an empty one (a cache that cannot be read is ignored)."""
        if cache_dir is None:
            return cls(str(output_dir.resolve()))
        try:
            with (cache_dir / STATE_FILE).open("rb") as stream:
                state = pickle.load(stream)
        except Exception:  # noqa: BLE001 - any damaged or foreign cache just means a full build
            return cls(str(output_dir.resolve()))
        if not isinstance(state, cls) or state.output_dir != str(output_dir.resolve()):
            return cls(str(output_dir.resolve()))
        return state

    def save(self, cache_dir: Path | None) -> None:
        if cache_dir is None:
            return
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            temporary = cache_dir / f"{STATE_FILE}.{os.getpid()}.tmp"
            with temporary.open("wb") as stream:
                pickle.dump(self, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, cache_dir / STATE_FILE)
        except OSError:
            pass  # a cache that cannot be written only costs time next time

    def forget(self) -> None:
        self.inputs = ""
        self.manifest = {}


def inputs_signature(content_dir: Path, theme_dirs: tuple[Path, ...], settings: tuple[Any, ...]) -> str:
    """Everything a build depends on, from file stats alone: equal signatures mean nothing to do."""
    return _h(sitegen.__version__, settings, tree_stats(content_dir, *theme_dirs))


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
            self.made[key] = _h(self.common, template, *(self.sources.get(s, "?") for s in sources))
        return self.made[key]


def digests(documents: Documents, theme_dirs: tuple[Path, ...], settings: tuple[Any, ...]) -> Digests:
    """Digests of what pages show (from the documents), and of what all pages share: site.yaml, the
    theme, the settings and sitegen's version."""
    theme = _h(*(folder_digest(d) for d in theme_dirs))
    common = _h(sitegen.__version__, theme, documents.sources.get("site", ""), settings)
    return Digests(common, documents.sources)


def context_key(content_dir: Path, *settings: object) -> str:
    """What a neighborhood's validation depends on besides its own folder: site.yaml, the date, sitegen."""
    site_file = content_dir / SITE_FILE
    return _h(sitegen.__version__, site_file.read_bytes() if site_file.is_file() else b"", settings)
