"""Remember what the last build read and wrote, so that the next one does only what changed."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

from sitegen import cache
from sitegen.cache import code_version, hash_parts
from sitegen.content.digest import FileDigests, Known
from sitegen.content.load import SITE_FILE, Documents
from sitegen.content.validate import ValidationCache
from sitegen.errors import ContentError
from sitegen.publish.write import replace_folder

STATE_FILE = "build-state.pickle"
OUTPUTS_DIR = "outputs"


def output_identity(output_dir: Path) -> tuple[int, int] | None:
    """Which folder is at ``output_dir`` now (device and inode): every build puts a new one there."""
    try:
        info = os.stat(output_dir)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


Manifest = dict[str, str]


@dataclass
class BuildState:
    """What the previous build of one output directory knew: inputs, checked content, files written.

    The files a build writes come in groups: the community's own files, and each neighborhood's.
    A manifest maps each file of a group to the fingerprint of what it was made from; ``made``
    holds, per neighborhood, one fingerprint of everything its files were made from, so a build
    passes over a neighborhood whose inputs did not change without planning its files. The
    neighborhoods' manifests are big together, so each is kept in a file of its own
    (``outputs/<slug>.json`` in the cache directory) and read only when its neighborhood changed.
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
    # The pages the search index holds, as the last build left them (None: not known, read them all).
    indexed: list[str] | None = None
    # What planning the print kit worked out, by what from (sitegen.plan.printables.Planner.kept).
    print_plans: dict[str, Any] = field(default_factory=dict)
    # The dates written in the content, where (sitegen.build.latest_content_date); the date a build
    # is made as of comes from them when the environment gives none.
    dates: dict[str, tuple[str, tuple[int, ...]]] = field(default_factory=dict)
    manifests: dict[str, Manifest] = field(default_factory=dict)  # the neighborhoods' manifests read so far
    unsaved: set[str] = field(default_factory=set)  # neighborhoods whose manifest changed since it was saved
    output_id: tuple[int, int] | None = None  # the folder the build put at output_dir (see output_identity)
    cache_dir: Path | None = None
    documents: Documents | None = None  # what the last build read (kept in memory only)
    # Where this build's files' digests are, when put aside in a file instead of ``files`` (see
    # files_aside); None beside an empty ``files``: they could not be written, and are not known.
    aside: Path | None = None

    @classmethod
    def load(cls, cache_dir: Path | None, output_dir: Path) -> BuildState:
        """The saved state for ``output_dir``, or an empty one.

        A state that does not verify, was written by another program or for another output, or
        describes another folder than the one now at ``output_dir`` (a build killed between putting
        its output in place and saving its state) is not used.
        """
        where = str(output_dir.resolve())
        empty = cls(where, cache_dir=cache_dir)
        if cache_dir is None:
            return empty
        payload = cache.read(cache_dir / STATE_FILE, _state_key(where))
        if payload is None:
            return empty
        try:
            parts = cache.load_parts(payload)
            state = next(parts)
            # Written for this output by this very program? (A cache of another one may lack fields.)
            if not isinstance(state, cls) or getattr(state, "program", "") != code_version():
                return empty
            state._take_parts(parts)
        except Exception:  # noqa: BLE001 - a foreign or outdated cache just means a full build
            return empty
        if state.output_dir != where or state.output_id != output_identity(output_dir):
            return empty
        state.cache_dir, state.manifests, state.unsaved = cache_dir, {}, set()
        return state

    def manifest(self, slug: str) -> Manifest | None:
        """The files last written for one neighborhood (read from the cache when first asked for).

        None when they are not known for sure: then only a whole build can tell which files to remove.
        """
        if slug not in self.manifests:
            manifest = self.read_manifest(slug)
            if manifest is None:
                return None
            self.manifests[slug] = manifest
        return self.manifests[slug]

    def read_manifest(self, slug: str) -> Manifest | None:
        """The files last written for one neighborhood, as :meth:`manifest`, without keeping them."""
        if slug in self.manifests:
            return self.manifests[slug]
        if self.cache_dir is None or slug not in self.made:
            return None
        payload = cache.read(self.cache_dir / OUTPUTS_DIR / f"{slug}.json", _manifest_key(self.output_dir, slug))
        try:
            record = json.loads(payload) if payload is not None else None
        except ValueError:
            return None
        # Written by the build this state comes from (not by another output's, or half-way)?
        if not _is_record(record) or record[0] != self.output_dir or record[1] != self.made[slug]:
            return None
        manifest: Manifest = record[2]
        return manifest

    def set_manifest(self, slug: str, manifest: Manifest | None, fingerprint: str, size: int) -> None:
        """What a neighborhood's files are now made from; ``manifest`` None: written already (see
        :meth:`write_manifest`)."""
        if manifest is not None:
            self.manifests[slug] = manifest
            self.unsaved.add(slug)
        self.made[slug] = fingerprint
        self.sizes[slug] = size

    def manifests_folder(self) -> Path | None:
        """A new folder for the neighborhoods' manifests of a whole build (None without a cache folder).

        Its workers write them there (:meth:`write_manifest`) as each neighborhood is made, so that no
        process holds them all; they take the place of the earlier ones (:meth:`replace_manifests`)
        once the new output is in place. Named as an entry being written: a killed build's is swept.
        """
        if self.cache_dir is None:
            return None
        folder = self.cache_dir / f"{OUTPUTS_DIR}-{os.getpid()}{cache.TEMPORARY}"
        cache.remove(folder)
        return folder if cache.folder(folder) else None

    def write_manifest(self, folder: Path, slug: str, manifest: Manifest, fingerprint: str) -> bool:
        """Write one neighborhood's manifest into ``folder``; False if it could not be written."""
        data = json.dumps([self.output_dir, fingerprint, manifest], ensure_ascii=False).encode("utf-8")
        return cache.write(folder / f"{slug}.json", _manifest_key(self.output_dir, slug), data)

    def replace_manifests(self, folder: Path) -> None:
        """The manifests a whole build wrote in ``folder`` take the place of every earlier one.

        If the folders cannot be swapped, the manifests are not found: the next build is a whole one.
        """
        assert self.cache_dir is not None
        outputs = self.cache_dir / OUTPUTS_DIR
        old = self.cache_dir / f"{OUTPUTS_DIR}-old-{os.getpid()}{cache.TEMPORARY}"
        try:
            replace_folder(folder, outputs, old)
        except OSError:
            cache.remove(folder)
        self.manifests, self.unsaved = {}, set()

    def files_aside(self) -> FilesAside | None:
        """Somewhere to write the digests of the files a build reads as they are found, instead of
        keeping them in ``files`` (None without a cache folder, or if it cannot be written in).

        Those of the last build, in ``files``, are wanted until reading ends (each unchanged file's is
        taken from them); this build's are wanted only by :meth:`save`, which copies them from the
        file. A district's are 120,000 files, 26 MB in a dict, twice over until the last build's go.
        Once reading ends, :meth:`put_aside` lets ``files`` go.
        """
        if self.cache_dir is None or not cache.folder(self.cache_dir):
            return None
        path = self.cache_dir / f"files-{os.getpid()}{cache.TEMPORARY}"
        try:
            return FilesAside(path)
        except OSError:
            return None

    def put_aside(self, aside: FilesAside) -> None:
        """This build's files' digests are all in ``aside``: the last build's are let go."""
        self.files = {}
        self.aside = aside.path if aside.close() else None

    def drop_aside(self) -> None:
        """Remove the file the files' digests were put aside in (they are not known any more)."""
        if self.aside is not None:
            cache.remove(self.aside)
            self.aside = None

    def drop(self, slug: str) -> None:
        """Forget a neighborhood that is gone."""
        self.made.pop(slug, None)
        self.sizes.pop(slug, None)
        self.manifests.pop(slug, None)
        self.printed.discard(slug)
        self.checked.neighborhoods.pop(slug, None)
        self.unsaved.add(slug)

    def save(self) -> None:
        """Write the state to its cache directory (the changed manifests, then the rest; the files'
        digests from where they were put aside, if they were).

        A cache that cannot be written only costs time next time.
        """
        if self.cache_dir is None:
            return
        folder = self.cache_dir / OUTPUTS_DIR
        for slug in sorted(self.unsaved):
            if slug in self.made:
                self.write_manifest(folder, slug, self.manifests[slug], self.made[slug])
            else:
                cache.remove(folder / f"{slug}.json")
        self.unsaved = set()
        manifests, self.manifests = self.manifests, {}
        files, checked = self.files, self.checked
        self.checked, apart = checked.without_neighborhoods()
        self.files = {}
        aside: list[cache.Pickled] = [cache.Pickled(self.aside)] if self.aside is not None else []
        try:
            parts = _parts({"files": files, "neighborhoods": checked.neighborhoods, **apart})
            key = _state_key(self.output_dir)
            cache.write_data(self.cache_dir / STATE_FILE, key, self, itertools.chain(aside, parts))
        finally:
            self.manifests, self.files, self.checked = manifests, files, checked
            self.drop_aside()

    def _take_parts(self, parts: Iterator[Any]) -> None:
        """Put back what :meth:`save` pickled in parts after the rest."""
        covers: dict[str, Any] = {}
        for name, items in parts:
            if name == "files":
                self.files.update(items)
            elif not self.checked.take_apart(name, items, covers):
                raise ValueError(f"a part of the build state named {name!r}")
        self.checked.restore_coverage(covers)

    def forget(self) -> None:
        self.inputs = ""
        self.community = {}
        self.made = {}
        self.sizes = {}
        self.printed = set()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _IN_MEMORY}

    def __setstate__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values, manifests={}, unsaved=set(), cache_dir=None, documents=None, aside=None)


_IN_MEMORY = ("manifests", "unsaved", "cache_dir", "documents", "aside")

# The build state is pickled with its files' digests and its neighborhoods' results apart, in parts of
# so many each: pickling holds what it has written until it ends, a new list for each object of a
# data class with slots (saving the state of 10,000 neighborhoods whole took 157 MB more than holding it).
STATE_PART = 256


def _parts(named: dict[str, dict[str, Any]]) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """Each dictionary's items as (its name, up to STATE_PART of its items), in order; taken a part at a
    time (a list of a district's 120,000 files' items is 8 MB)."""
    for name, values in named.items():
        items = iter(values.items())
        while part := list(itertools.islice(items, STATE_PART)):
            yield name, part


class FilesAside:
    """Files' digests written to a file as they come, in the parts the build state is saved in (see
    :func:`_parts`), for :meth:`BuildState.save` to copy in as they are.

    Writing it can fail (a full disk): then the digests are not known, and the next build reads
    every file again.
    """

    def __init__(self, path: Path) -> None:
        cache.remove(path)
        self.path = path
        self.stream: BinaryIO | None = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.part: list[tuple[str, bytes]] = []

    def add(self, items: Iterable[tuple[str, bytes]]) -> None:
        for item in items:
            self.part.append(item)
            if len(self.part) >= STATE_PART:
                self._write()

    def _write(self) -> None:
        if self.stream is not None:
            try:
                pickle.Pickler(self.stream, protocol=pickle.HIGHEST_PROTOCOL).dump(("files", self.part))
            except OSError:
                self._stop()
        self.part = []

    def _stop(self) -> bool:
        """Close the file; whether all that was written to it is in it."""
        stream, self.stream = self.stream, None
        if stream is None:
            return False
        try:
            stream.close()
        except OSError:
            return False
        return True

    def close(self) -> bool:
        """Write what is left; False (and the file removed) if not everything could be written."""
        if self.part:
            self._write()
        written = self._stop()
        if not written:
            cache.remove(self.path)
        return written

    def discard(self) -> None:
        """Stop, and remove the file."""
        self.part = []
        self._stop()
        cache.remove(self.path)


def _state_key(output_dir: str) -> str:
    return f"build state\0{output_dir}"


def _manifest_key(output_dir: str, slug: str) -> str:
    return f"files of a neighborhood\0{output_dir}\0{slug}"


def _is_record(value: object) -> TypeGuard[list[Any]]:
    """Whether ``value`` is a neighborhood's record as :meth:`BuildState.save` writes it: [output, made, manifest]."""
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[2], dict):
        return False
    return all(isinstance(k, str) and isinstance(v, str) for k, v in value[2].items())


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
    sources: Mapping[str, str]
    made: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    # What every page depends on but site.yaml: sitegen's version, the theme and the settings.
    frame: str = ""

    def fingerprint(self, template: str, sources: tuple[str, ...]) -> str:
        """The same for every page made by one template from the same inputs, computed once while kept.

        Pages that share a fingerprint are of one group (a neighborhood's print sheets, its contact
        cards): at most FINGERPRINTS_KEPT are kept, or a worker that makes 5,000 neighborhoods of a
        district would keep each of their pages' (38 MB).
        """
        key = (template, sources)
        made = self.made.get(key)
        if made is None:
            if len(self.made) >= FINGERPRINTS_KEPT:
                self.made.clear()
            made = self.made[key] = hash_parts(self.common, template, *(self.sources.get(s, "?") for s in sources))
        return made


FINGERPRINTS_KEPT = 4096


def digests(documents: Documents, theme: str, settings: tuple[Any, ...]) -> Digests:
    """Digests of what pages show (from the documents), and of what all pages share: site.yaml, the
    theme, the settings and sitegen's version."""
    common = hash_parts(code_version(), theme, documents.sources.get("site", ""), settings)
    return Digests(common, documents.sources, frame=hash_parts(code_version(), theme, settings))


def context_key(content_dir: Path, *settings: object) -> str:
    """What a neighborhood's validation depends on besides its own folder: site.yaml, the date, sitegen."""
    site_file = content_dir / SITE_FILE
    site = ""
    if site_file.is_file():
        # Streamed: a district's site.yaml (6 MB at 10,000 neighborhoods) was read whole and hashed
        # as the text of its bytes, four characters a byte: 20 MB for a moment on every rebuild.
        with site_file.open("rb") as stream:
            site = hashlib.file_digest(stream, "sha256").hexdigest()
    return hash_parts(code_version(), site, settings)
