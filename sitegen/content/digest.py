"""Digests of content files, reusing an earlier digest while a file's size and modification time hold."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

Known = dict[str, tuple[int, int, str]]


class FileDigests:
    """Digests of files and folders; ``known`` (path → (mtime, size, digest)) carries over between builds."""

    def __init__(self, known: Known | None = None) -> None:
        self.known: Known = known if known is not None else {}
        self.seen: Known = {}

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
        if earlier is not None and earlier[0] == info.st_mtime_ns and earlier[1] == info.st_size:
            digest = earlier[2]
        else:
            try:
                with open(key, "rb") as stream:
                    digest = hashlib.sha256(stream.read()).hexdigest()
            except OSError:
                digest = "unreadable"
        self.seen[key] = (info.st_mtime_ns, info.st_size, digest)
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
