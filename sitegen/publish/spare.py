"""Change a copy of the output and swap it in whole, so that an incremental build too is all or nothing.

The copy is the output of the build before, kept in the cache folder as hard links to the files
the two outputs share (see :func:`changing`): bringing it up to date and swapping it in costs what
the builds changed, not the size of the output. Every file of the copy is written by replacing it
(a new file renamed over it), never in place: the output shares its files.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from sitegen import cache
from sitegen.publish.state import output_identity
from sitegen.publish.write import DiskFull, out_of_space, put_in_place, recover, tree_size

SPARE_DIR = "spare"
RECORD = "spare.json"


@dataclass
class Changes:
    """The copy of the output a build changes (``root``), and the paths below it the build wrote or removed."""

    root: Path
    touched: set[str] = field(default_factory=set)


@contextmanager
def changing(output_dir: Path, cache_dir: Path | None) -> Iterator[Changes]:
    """Yield a copy of ``output_dir`` to change; when the body ends, the copy takes the output's place in one step.

    With a cache folder on the output's disk, the copy is the last build's output kept there (the
    spare), brought up to date with the paths the last build touched; then the old output becomes
    the spare. Otherwise it is a copy made afresh beside the output. If the body raises, the output
    stays as it was (a full disk is raised as :class:`DiskFull`).
    """
    output = output_dir.resolve()
    spare = _spare_of(output, cache_dir)
    if spare is None:
        with _copied(output) as changes:
            yield changes
        return
    assert cache_dir is not None
    record = _recall(output, spare, cache_dir)
    cache.remove(cache_dir / RECORD)  # from here until the swap, the spare is not known
    behind = record.behind if record is not None else []
    try:
        folders = record.output_folders if record is not None else _full_copy(output, spare)
        sync(output, spare, behind)
    except BaseException as exc:
        if record is not None:
            _roll_back(output, spare, cache_dir, behind, record.output_folders)
        _raise(exc, output, spare, behind)
    changes = Changes(spare)
    try:
        yield changes
        made = _folders_after(spare, folders, changes.touched)
        put_in_place(spare, output)
    except BaseException as exc:
        _roll_back(output, spare, cache_dir, changes.touched, folders)
        _raise(exc, output, spare, changes.touched)
    # The spare is now the old output: it differs from the new one where this build wrote.
    _remember(output, spare, cache_dir, _Record(sorted(changes.touched), _times(spare, folders), made))


def _raise(exc: BaseException, output: Path, copy: Path, touched: Iterable[str]) -> NoReturn:
    """Raise ``exc`` again, or a :class:`DiskFull` saying how much the build had written when the disk filled up."""
    if out_of_space(exc):
        raise DiskFull(output.parent, *_sizes(copy, touched)) from exc
    raise exc


def refresh(output_dir: Path, cache_dir: Path | None) -> None:
    """After a whole build: make the spare a copy of the new output, for the next build to change.

    Costs a link per file; a spare that cannot be made is made by the next build that needs it.
    """
    output = output_dir.resolve()
    spare = _spare_of(output, cache_dir)
    if spare is None or cache_dir is None:
        return
    cache.remove(cache_dir / RECORD)
    try:
        folders = _full_copy(output, spare)
    except OSError:
        return
    _remember(output, spare, cache_dir, _Record([], _times(spare, folders), folders))


def _full_copy(output: Path, spare: Path) -> list[str]:
    """Make the spare a copy of the whole output; return the output's folders."""
    sync(output, spare, None)
    return _folders(output)


def _spare_of(output: Path, cache_dir: Path | None) -> Path | None:
    """Where the spare is kept: in the cache folder if that is on the output's disk (a swap cannot cross disks)."""
    if cache_dir is None or not cache.folder(cache_dir):
        return None
    try:
        if os.stat(cache_dir).st_dev != os.stat(output.parent).st_dev:
            return None
    except OSError:
        return None
    return cache_dir / SPARE_DIR


@contextmanager
def _copied(output: Path) -> Iterator[Changes]:
    """A copy of the output made afresh beside it (hard links), swapped in on success."""
    recover(output)
    stage = output.parent / f".{output.name}.tmp-{os.getpid()}"
    changes = Changes(stage)
    try:
        sync(output, stage, None)
        yield changes
        put_in_place(stage, output)
    except BaseException as exc:
        written = _sizes(stage, changes.touched) if out_of_space(exc) else (0, 0)
        shutil.rmtree(stage, ignore_errors=True)
        if out_of_space(exc):
            raise DiskFull(output.parent, *written) from exc
        raise
    shutil.rmtree(stage, ignore_errors=True)


# --- what is known of the spare -------------------------------------------------------------------------


@dataclass
class _Record:
    """What the last build left: the paths where the spare lags behind the output, the time of each of the
    spare's folders (a file added, removed or replaced there changes it), and the output's folders."""

    behind: list[str]
    spare_times: dict[str, int]
    output_folders: list[str]


def _key(output: Path) -> str:
    return f"spare\0{output}"


def _recall(output: Path, spare: Path, cache_dir: Path) -> _Record | None:
    """The record of the spare, if it still describes the two folders as they are; else None (copy afresh)."""
    payload = cache.read(cache_dir / RECORD, _key(output))
    if payload is None:
        return None
    try:
        data: Any = json.loads(payload)
        record = _Record(data["behind"], data["spare_times"], data["output_folders"])
        ids = [output_identity(output), output_identity(spare)]
        if None in ids or data["folders"] != [list(i) for i in ids if i is not None]:
            return None
        paths = [*record.behind, *record.spare_times, *record.output_folders]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(record.spare_times, dict) or not all(isinstance(p, str) and _inside(p) for p in paths):
        return None
    # Anything added to, removed from or replaced in the spare since changed its folder's time.
    return record if _times(spare, record.spare_times) == record.spare_times else None


def _inside(path: str) -> bool:
    parts = path.split("/")
    return path == "" or (not path.startswith("/") and ".." not in parts and "" not in parts)


def _remember(output: Path, spare: Path, cache_dir: Path, record: _Record) -> None:
    ids = [output_identity(output), output_identity(spare)]
    if None in ids:
        return
    data = {
        "folders": [list(i) for i in ids if i is not None],
        "behind": record.behind,
        "spare_times": record.spare_times,
        "output_folders": record.output_folders,
    }
    cache.write(cache_dir / RECORD, _key(output), json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _roll_back(output: Path, spare: Path, cache_dir: Path, touched: Iterable[str], folders: list[str]) -> None:
    """Undo a failed build's changes to the spare, so that the next build need not copy it all again."""
    try:
        sync(output, spare, touched)
    except OSError:
        return
    _remember(output, spare, cache_dir, _Record([], _times(spare, folders), folders))


def _times(root: Path, folders: Iterable[str]) -> dict[str, int]:
    """The modification time of each folder below ``root`` (-1 where there is none)."""
    times = {}
    for folder in folders:
        try:
            info = os.lstat(os.path.join(root, folder))
            times[folder] = info.st_mtime_ns if stat.S_ISDIR(info.st_mode) else -1
        except OSError:
            times[folder] = -1
    return times


def _folders(root: Path) -> list[str]:
    """Every folder below ``root`` ("" for itself), as paths relative to it."""
    found = []
    for folder, subfolders, _files in os.walk(root):
        found.append(os.path.relpath(folder, root).replace(os.sep, "/").removeprefix("."))
        subfolders.sort()
    return sorted(found)


def _folders_after(root: Path, folders: list[str], touched: Iterable[str]) -> list[str]:
    """The folders below ``root`` after the changes to ``touched`` paths, knowing the ``folders`` before."""
    found = set(folders)

    def drop(path: str) -> None:
        found.difference_update([f for f in found if f == path or f.startswith(path + "/")])

    for path in touched:
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            folder = "/".join(parts[:end])
            if (root / folder).is_dir() and not (root / folder).is_symlink():
                found.add(folder)
            elif folder in found or end == len(parts):
                drop(folder)
        if (root / path).is_dir() and not (root / path).is_symlink():
            found.update(f"{path}/{f}" if f else path for f in _folders(root / path))
    return sorted(found)


def _sizes(root: Path, paths: Iterable[str]) -> tuple[int, int]:
    total = count = 0
    for path in paths:
        size, files = tree_size(root / path) if (root / path).is_dir() else (_size(root / path), 1)
        total, count = total + size, count + files
    return total, count


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


# --- copying by hard links ------------------------------------------------------------------------------


def sync(source: Path, target: Path, paths: Iterable[str] | None) -> None:
    """Make ``target`` equal to ``source``, sharing files by hard links: all of it, or only ``paths`` below it."""
    if paths is None:
        _sync_folder(str(source), str(target))
        return
    for path in sorted(set(paths)):
        _sync_path(source, target, path)


def _sync_path(source: Path, target: Path, path: str) -> None:
    origin, copy = source / path, target / path
    if origin.is_dir() and not origin.is_symlink():
        _make_folders(target, copy.parent)
        _sync_folder(str(origin), str(copy))
    elif origin.is_file() or origin.is_symlink():
        _make_folders(target, copy.parent)
        _link(str(origin), str(copy))
    else:
        _remove(str(copy))
        for folder in copy.parents:
            if folder == target or not _remove_if_empty(folder):
                break


def _make_folders(root: Path, folder: Path) -> None:
    """Make ``folder`` and those above it up to ``root``, removing files in their way."""
    if folder.is_dir() and not folder.is_symlink():
        return
    if folder != root:
        _make_folders(root, folder.parent)
    if folder.is_symlink() or folder.exists():
        folder.unlink()
    folder.mkdir()


def _remove_if_empty(folder: Path) -> bool:
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _sync_folder(source: str, target: str) -> None:
    if os.path.lexists(target) and (os.path.islink(target) or not os.path.isdir(target)):
        os.unlink(target)
    if not os.path.isdir(target):
        os.mkdir(target)
    with os.scandir(target) as entries:
        present = {entry.name: entry for entry in entries}
    with os.scandir(source) as entries:
        for entry in entries:
            path = os.path.join(target, entry.name)
            old = present.pop(entry.name, None)
            if entry.is_dir(follow_symlinks=False):
                if old is not None and not old.is_dir(follow_symlinks=False):
                    os.unlink(path)
                _sync_folder(entry.path, path)
            elif old is None or old.is_dir(follow_symlinks=False) or old.inode() != entry.inode():
                _link(entry.path, path)
    for name in present:
        _remove(os.path.join(target, name))


def _link(source: str, target: str) -> None:
    """Put a hard link to ``source`` at ``target`` (a copy where the file system has no links)."""
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    temporary = f"{target}.{os.getpid()}{cache.TEMPORARY}"
    try:
        os.link(source, temporary, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES):
            raise
        shutil.copy2(source, temporary, follow_symlinks=False)
    try:
        os.replace(temporary, target)
    finally:
        if os.path.lexists(temporary):  # a failed rename, or target was already this very file
            os.unlink(temporary)
