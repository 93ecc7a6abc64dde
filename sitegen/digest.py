"""Digests of content files, reusing an earlier digest while a file's size and modification time hold."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

Known = dict[str, tuple[int, int, str]]


class FileDigests:
    """Digests of files and folders; ``known`` (path → (mtime, size, digest)) carries over between builds."""

    def __init__(self, known: Known | None = None) -> None:
        self.known: Known = known if known is not None else {}
        self.seen: Known = {}

    def file(self, path: Path) -> str:
        key = str(path)
        try:
            info = os.stat(key)
        except OSError:
            return "missing"
        earlier = self.known.get(key)
        if earlier is not None and earlier[0] == info.st_mtime_ns and earlier[1] == info.st_size:
            digest = earlier[2]
        else:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = "unreadable"
        self.seen[key] = (info.st_mtime_ns, info.st_size, digest)
        return digest

    def folder(self, folder: Path, skip: str = "") -> tuple[str, dict[str, str]]:
        """The digest of every file below ``folder`` (names and contents), and each file's digest.

        Files below the sub-folder ``skip`` are left out of both.
        """
        total = hashlib.sha256()
        files: dict[str, str] = {}
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            if skip and root == str(folder):
                dirs[:] = [d for d in dirs if d != skip]
            for name in sorted(names):
                path = Path(root) / name
                rel = path.relative_to(folder).as_posix()
                digest = self.file(path)
                files[rel] = digest
                total.update(f"{rel}\0{digest}\0".encode())
        return total.hexdigest(), files

    def keep(self) -> Known:
        """The digests to remember for the next build: those of the files seen in this one."""
        return self.seen
