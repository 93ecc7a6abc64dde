"""One build at a time per output: a lock file that names the process holding it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitegen import cache
from sitegen.errors import SitegenError
from sitegen.i18n import _
from sitegen.report import Reporter


def lock_file(output_dir: Path, cache_dir: Path | None) -> Path:
    """The lock of an output: beside its cache folder (which ``--clean`` empties), else beside the output."""
    if cache_dir is not None:
        return cache_dir.parent / f"{cache_dir.name}.lock"
    output = output_dir.resolve()
    return output.parent / f".{output.name}.lock"


@contextmanager
def locked(path: Path, output_dir: Path, reporter: Reporter) -> Iterator[None]:
    """Hold the lock at ``path`` while the body runs; wait, saying for whom, while another process holds it.

    The system releases the lock when its holder ends, however it ends, so the lock of a build that
    was killed is simply taken over (the file stays, naming the last holder).
    """
    if not cache.folder(path.parent):
        raise SitegenError(_("cannot make the folder {folder}", folder=str(path.parent)))
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if os.path.isdir(path):  # a folder where the lock belongs: damage, like any other in the cache
            cache.remove(path)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            raise SitegenError(
                _("cannot write the lock file {path}: {reason}", path=str(path), reason=exc.strerror or "")
            ) from exc
    try:
        if not _try_lock(descriptor):
            holder = _holder(descriptor)
            reporter.info(
                _(
                    "waiting for another sitegen (process {pid}) that is building into {output} …",
                    pid=holder or "?",
                    output=str(output_dir),
                )
            )
            _wait_for_lock(descriptor)
        _name_holder(descriptor)
        yield
    finally:
        try:
            os.ftruncate(descriptor, 0)
        except OSError:
            pass
        os.close(descriptor)  # releases the lock


def _name_holder(descriptor: int) -> None:
    """Write this process's pid into the lock file, for another build to say whom it waits for."""
    try:
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
    except OSError:  # a full disk: the lock holds all the same
        pass


def _holder(descriptor: int) -> str:
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        text = os.read(descriptor, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


if sys.platform == "win32":
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        try:
            os.lseek(descriptor, 0, os.SEEK_SET)
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _wait_for_lock(descriptor: int) -> None:
        while not _try_lock(descriptor):
            time.sleep(0.2)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_for_lock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
