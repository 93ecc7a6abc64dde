"""Write a build into a temporary directory and swap it into place, so a failed build changes nothing."""

from __future__ import annotations

import ctypes
import errno
import functools
import glob
import hashlib
import os
import platform
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.i18n import _

MARKER = ".sitegen"
MARKER_TEXT = "This directory is written by `sitegen build`; it is replaced on every build.\n"


def _inside(path: Path, other: Path) -> bool:
    return path == other or other in path.parents


def check_output_dir(output_dir: Path, protected: Sequence[tuple[str, Path]]) -> None:
    """Refuse output directories that would overwrite sources or someone else's files."""
    output = output_dir.resolve()
    for name, path in protected:
        source = path.resolve()
        if _inside(output, source):
            raise SitegenError(
                _(
                    "the output directory {output} is inside the {name} directory {path}; choose another --output",
                    output=str(output_dir),
                    name=name,
                    path=str(path),
                )
            )
        if _inside(source, output):
            raise SitegenError(
                _(
                    "the output directory {output} contains the {name} directory {path}; choose another --output",
                    output=str(output_dir),
                    name=name,
                    path=str(path),
                )
            )
    if output == Path.home().resolve() or output == Path(output.anchor):
        raise SitegenError(_("refusing to use {output} as the output directory", output=str(output_dir)))
    if output.exists():
        if not output.is_dir():
            raise SitegenError(_("the output path {output} is a file, not a directory", output=str(output_dir)))
        if any(output.iterdir()) and not (output / MARKER).is_file():
            raise SitegenError(
                _(
                    "{output} is not empty and was not written by sitegen; "
                    "refusing to replace it (empty it or choose another --output)",
                    output=str(output_dir),
                )
            )


# Folders write_file has made in the current stage, so it does not ask the file system again.
_made_folders: set[Path] = set()


@contextmanager
def staging(output_dir: Path) -> Iterator[Path]:
    """Yield a fresh directory beside ``output_dir``; on success it replaces ``output_dir`` in one step.

    If the body raises, the staging directory is removed and ``output_dir`` is left untouched (a
    full disk is raised as :class:`DiskFull`, with what the stage held by then).
    """
    parent = output_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(output_dir)
    stage = parent / f".{output_dir.name}.tmp-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    _made_folders.clear()  # folders made for an earlier build are gone with its stage
    try:
        yield stage
        (stage / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        put_in_place(stage, output_dir.resolve())
    except BaseException as exc:
        written = tree_size(stage) if out_of_space(exc) else (0, 0)
        shutil.rmtree(stage, ignore_errors=True)
        if out_of_space(exc):
            raise DiskFull(parent, *written) from exc
        raise
    shutil.rmtree(stage, ignore_errors=True)  # the old output, now at the stage's place


def put_in_place(folder: Path, target: Path) -> None:
    """Put ``folder`` at ``target`` in one step; the old ``target``, if any, goes to ``folder``'s place."""
    if target.exists():
        exchange(folder, target)
    else:
        folder.rename(target)


# --- swapping two folders -------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux renameat2()
_RENAME_SWAP = 2  # macOS renamex_np()
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276}
_Swap = Callable[[bytes, bytes], int]


@functools.cache
def _swap_call() -> _Swap | None:
    """The system call that swaps two paths in one step, or None where there is none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux"):
        renameat2 = getattr(libc, "renameat2", None)  # glibc 2.28 and later
        if renameat2 is not None:
            return lambda a, b: int(renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))
        number = _SYS_RENAMEAT2.get(platform.machine())
        if number is not None:
            return lambda a, b: int(libc.syscall(number, _AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))
    elif sys.platform == "darwin":
        renamex_np = getattr(libc, "renamex_np", None)
        if renamex_np is not None:
            return lambda a, b: int(renamex_np(a, b, _RENAME_SWAP))
    return None


def replace_folder(fresh: Path, folder: Path, aside: Path) -> None:
    """Put the folder ``fresh`` where ``folder`` is; the old one goes to ``aside``, then is removed.

    Readers may find no folder there for a moment (see :func:`exchange` where they must not).
    """
    shutil.rmtree(aside, ignore_errors=True)
    if os.path.lexists(folder):
        os.replace(folder, aside)
    os.replace(fresh, folder)
    shutil.rmtree(aside, ignore_errors=True)


def exchange(first: Path, second: Path) -> None:
    """Swap two folders: readers of either path see the old folder or the new one, never neither.

    Where the system cannot swap in one step (no such call, or a file system without it), the swap
    takes three renames; a build killed between them is put right by :func:`recover`.
    """
    swap = _swap_call()
    if swap is not None and swap(os.fsencode(first), os.fsencode(second)) == 0:
        return
    error = ctypes.get_errno() if swap is not None else errno.ENOSYS
    if error not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        raise OSError(error, os.strerror(error), str(first), None, str(second))
    aside = second.parent / f".{second.name}.old-{os.getpid()}"
    second.rename(aside)
    first.rename(second)
    aside.rename(first)


# --- a full disk ----------------------------------------------------------------------------------------


def out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class DiskFull(Exception):
    """The disk holding ``folder`` filled up while a build wrote ``written`` bytes in ``files`` files.

    ``needed`` is what the build thinks it needs in all, once it knows (at least ``written``).
    """

    def __init__(self, folder: Path, written: int = 0, files: int = 0) -> None:
        super().__init__(str(folder))
        self.folder, self.written, self.files, self.needed = folder, written, files, written


def tree_size(root: Path) -> tuple[int, int]:
    """The bytes and the number of the files below ``root``."""
    total = count = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            count += 1
    return total, count


def recover(output_dir: Path) -> None:
    """Clean up after builds that were killed: restore an output caught mid-swap, drop stale stages.

    Called while this build holds the output's lock (see :mod:`sitegen.publish.lock`), so no other
    build is using them.
    """
    target = output_dir.resolve()
    leftovers = re.compile(rf"\.{re.escape(target.name)}\.(tmp|old)-\d+")
    for leftover in sorted(target.parent.glob(f".{glob.escape(target.name)}.*-*")):
        found = leftovers.fullmatch(leftover.name)
        if found is None:
            continue
        if found.group(1) == "old" and not target.exists() and (leftover / MARKER).is_file():
            leftover.rename(target)  # killed between moving the old output away and the new one in
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def write_file(root: Path, dest: str, data: bytes) -> None:
    """Write ``data`` to ``root/dest``, creating folders; ``dest`` must stay inside ``root``."""
    path = root / dest
    if ".." in Path(dest).parts or Path(dest).is_absolute():
        raise SitegenError(_("refusing to write outside the output directory: {dest}", dest=dest))
    if path.parent not in _made_folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if len(_made_folders) > 10_000:  # a district's worker makes tens of thousands
            _made_folders.clear()
        _made_folders.add(path.parent)
    with open(path, "wb") as stream:
        stream.write(data)


def copy_static(theme_dirs: Sequence[Path], root: Path, prefix: str = "assets") -> dict[str, str]:
    """Copy each theme's ``static/`` files (earlier dirs win) and return their content hashes."""
    hashes: dict[str, str] = {}
    for theme in theme_dirs:
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = f"{prefix}/{path.relative_to(static).as_posix()}"
            if rel in hashes:
                continue
            data = path.read_bytes()
            write_file(root, rel, data)
            hashes[rel] = hashlib.sha256(data).hexdigest()[:10]
    return hashes


def _static_files(theme_dirs: Sequence[Path], prefix: str = "assets") -> dict[str, Path]:
    """Each theme's ``static/`` files by output path (earlier dirs win)."""
    found: dict[str, Path] = {}
    for theme in theme_dirs:
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found.setdefault(f"{prefix}/{path.relative_to(static).as_posix()}", path)
    return found


def static_hashes(theme_dirs: Sequence[Path]) -> dict[str, str]:
    """The content hashes :func:`copy_static` would return, without copying."""
    return {rel: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for rel, path in _static_files(theme_dirs).items()}


def output_intact(output_dir: Path, manifest: dict[str, str]) -> bool:
    """Whether ``output_dir`` is the sitegen output ``manifest`` describes.

    A cheap test (the marker, and the pages of the manifest's first folder): it tells a replaced or
    emptied output, not a single file deleted by hand (the next clean build restores that).
    """
    if not manifest or not (output_dir / MARKER).is_file():
        return False
    first = next(iter(manifest)).rsplit("/", 1)[0] if "/" in next(iter(manifest)) else ""
    return all((output_dir / dest).is_file() for dest in manifest if dest.rsplit("/", 1)[0] == first or "/" not in dest)


def write_page(root: Path, dest: str, data: bytes) -> None:
    """Write one file of an existing output so that readers see the old or the new bytes, never half."""
    _replace(root, dest, data)


def _replace(root: Path, dest: str, data: bytes) -> None:
    """Write one file so that readers see the old or the new bytes, never half of them."""
    path = root / dest
    if ".." in Path(dest).parts or Path(dest).is_absolute():
        raise SitegenError(_("refusing to write outside the output directory: {dest}", dest=dest))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def apply_changes(
    output_dir: Path,
    files: Iterable[tuple[str, bytes]],
    manifest: dict[str, str],
    previous: dict[str, str],
    theme_dirs: Sequence[Path],
) -> list[str]:
    """Update an existing output in place: write the ``files`` (each path and its bytes) that changed,
    remove what is gone; return the files written.

    ``files`` may render each file as it is asked for, so that only one is held at a time; the
    output given is then a copy that takes the real one's place only if all goes well (see
    :func:`sitegen.publish.spare.changing`).
    """
    written: list[str] = []
    for dest, data in files:
        path = output_dir / dest
        if not path.is_file() or path.read_bytes() != data:
            _replace(output_dir, dest, data)
            written.append(dest)
    for rel, source in _static_files(theme_dirs).items():
        data = source.read_bytes()
        target = output_dir / rel
        if not target.is_file() or target.read_bytes() != data:
            _replace(output_dir, rel, data)
            written.append(rel)
    for dest in sorted(set(previous) - set(manifest)):
        path = output_dir / dest
        if path.is_file():
            path.unlink()
        for folder in path.parents:
            if folder == output_dir or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()
    return written
