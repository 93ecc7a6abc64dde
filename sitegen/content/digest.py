"""Digests of content files, reusing an earlier digest while a file's size and modification time hold."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

# Each file seen, by path: its modification time and size, and its digest (see _packed).
Known = dict[str, bytes]
RAW = 32  # bytes of a SHA-256 digest
_STAT = struct.Struct("<qq")  # a file's modification time (ns) and size


def _packed(mtime_ns: int, size: int, digest: str) -> bytes:
    """What is known of one file in 48 bytes (as a tuple of two ints and a hex string, 240): a build
    of a district keeps it for each of 120,000 files, and every worker forks with it."""
    raw = bytes.fromhex(digest) if len(digest) == 2 * RAW else digest.encode("ascii")
    return _STAT.pack(mtime_ns, size) + raw


def _unpacked(known: bytes) -> tuple[int, int, str]:
    mtime_ns, size = _STAT.unpack_from(known)
    raw = known[_STAT.size :]
    return mtime_ns, size, raw.hex() if len(raw) == RAW else raw.decode("ascii")


class DigestTable(Mapping[str, str]):
    """Files' digests by name, as :meth:`FileDigests.folder` gives them, held in little memory.

    A district's folders hold 100,000 notices, and each one's digest is kept for as long as a build
    runs (and forked into every worker): a dict of names and hex strings takes 230 bytes a file, this
    table 110 (the name, and the digest's 32 bytes in one string of all of them). A digest that is no
    SHA-256 (``missing``, ``unreadable``, ``special``) is kept as it is.
    """

    __slots__ = ("names", "raw", "other")

    def __init__(self, digests: Mapping[str, str]) -> None:
        self.names = tuple(digests)
        self.other = {name: value for name, value in digests.items() if len(value) != 2 * RAW}
        self.raw = b"".join(bytes(RAW) if name in self.other else bytes.fromhex(digests[name]) for name in self.names)

    def __getitem__(self, name: str) -> str:
        if name in self.other:
            return self.other[name]
        try:
            index = self.names.index(name)
        except ValueError:
            raise KeyError(name) from None
        return self.raw[index * RAW : (index + 1) * RAW].hex()

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"DigestTable({dict(self)!r})"

    def __getstate__(self) -> tuple[tuple[str, ...], bytes, dict[str, str]]:
        return self.names, self.raw, self.other

    def __setstate__(self, state: tuple[tuple[str, ...], bytes, dict[str, str]]) -> None:
        self.names, self.raw, self.other = state


class FileDigests:
    """Digests of files and folders; ``known`` (path → modification time, size and digest, packed)
    carries over between builds."""

    def __init__(self, known: Known | None = None) -> None:
        self.known: Known = known if known is not None else {}
        self.seen: Known = {}
        # Where the digests other processes found go instead of ``seen`` (see took), if anywhere.
        self.send: Callable[[Iterable[tuple[str, bytes]]], None] | None = None

    def took(self, found: Iterable[tuple[str, bytes]]) -> None:
        """Digests found by another process (a worker reading folders), as if found here."""
        if self.send is not None:
            self.send(found)
        else:
            self.seen.update(found)

    def file(self, path: Path | str) -> str:
        key = str(path)
        try:
            info = os.stat(key)
        except OSError:
            return "missing"
        return self._digest(key, info)

    def _digest(self, key: str, info: os.stat_result) -> str:
        if not stat.S_ISREG(info.st_mode):
            return "special"  # a named pipe or a device is never opened: it could wait for ever
        earlier = self.known.get(key)
        if earlier is not None:
            mtime_ns, size, digest = _unpacked(earlier)
            if mtime_ns == info.st_mtime_ns and size == info.st_size:
                self.seen[key] = earlier
                return digest
        try:
            with open(key, "rb") as stream:
                digest = hashlib.sha256(stream.read()).hexdigest()
        except OSError:
            digest = "unreadable"
        self.seen[key] = _packed(info.st_mtime_ns, info.st_size, digest)
        return digest

    def folder(self, folder: Path | str, skip: str = "") -> tuple[str, dict[str, str]]:
        """The digest of every file below ``folder`` (names and contents), and each file's digest.

        Files below the sub-folder ``skip`` are left out of both. Files come in the order of a walk
        that lists a folder's files (by name) before its sub-folders (by name).
        """
        total = hashlib.sha256()
        files: dict[str, str] = {}
        self._walk(str(folder), "", skip, total, files)
        return total.hexdigest(), files

    def _walk(self, path: str, prefix: str, skip: str, total: Any, files: dict[str, str]) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:  # a link to a folder is not followed
                if not entry.is_symlink() and not (skip and not prefix and entry.name == skip):
                    folders.append(entry)
                continue
            rel = prefix + entry.name
            try:
                digest = self._digest(entry.path, entry.stat())
            except OSError:
                digest = "missing"
            files[rel] = digest
            total.update(f"{rel}\0{digest}\0".encode("utf-8", "surrogateescape"))
        for entry in folders:
            self._walk(entry.path, f"{prefix}{entry.name}/", skip, total, files)

    def keep(self) -> Known:
        """The digests to remember for the next build: those of the files seen in this one."""
        return self.seen
