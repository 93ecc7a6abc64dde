"""Entries of the build cache, each sealed with a checksum of its bytes, its key and the program.

Anything read back from ``.sitegen-cache/`` passes :func:`read`: an entry whose bytes were damaged,
that was made for another key, or by another program, is treated as missing and made afresh, never
used. Entries are written whole (a temporary file, then a rename), and a cache that cannot be
written only makes the next build slower.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import io
import os
import pickle
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import sitegen

MAGIC = b"sitegen-cache 1\n"
DIGEST_SIZE = 64  # hex digits of a SHA-256
TEMPORARY = ".tmp"  # the end of the names of entries being written
COPIED = 1 << 20  # bytes copied at a time from a file of parts pickled already


@functools.cache
def code_version() -> str:
    """sitegen's version and the size and time of each of its modules: a changed program changes
    every fingerprint, also where it is installed from a working copy without a new version."""
    package = Path(sitegen.__file__).parent
    modules = sorted(
        (str(p.relative_to(package)), p.stat().st_mtime_ns, p.stat().st_size) for p in package.rglob("*.py")
    )
    return hash_parts(sitegen.__version__, modules)


def hash_parts(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _digest(key: str) -> Any:
    """The checksum of an entry for ``key``, before its payload is added."""
    digest = hashlib.sha256(MAGIC)
    digest.update(code_version().encode("ascii"))
    digest.update(b"\0")
    digest.update(key.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    return digest


def _checksum(key: str, payload: bytes) -> bytes:
    digest = _digest(key)
    digest.update(payload)
    hexdigest: str = digest.hexdigest()
    return hexdigest.encode("ascii")


def seal(key: str, payload: bytes) -> bytes:
    """``payload`` with a header that binds it to ``key`` and to this program."""
    return _header(key, payload) + payload


def _header(key: str, payload: bytes) -> bytes:
    return MAGIC + _checksum(key, payload) + b"\n"


def unseal(key: str, data: bytes) -> bytes | None:
    """The payload of a sealed entry made for ``key`` by this program; None if it does not verify."""
    start = len(MAGIC) + DIGEST_SIZE + 1
    if not data.startswith(MAGIC) or len(data) < start or data[start - 1 : start] != b"\n":
        return None
    payload = data[start:]
    return payload if data[len(MAGIC) : start - 1] == _checksum(key, payload) else None


def read(path: Path, key: str) -> bytes | None:
    """The payload of the entry at ``path`` if it exists and verifies, else None."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except (OSError, ValueError):  # missing, a folder, unreadable
        return None
    return unseal(key, data)


def folder(path: Path) -> bool:
    """Make sure ``path`` is a folder, removing a file (or a broken link) in its way; False if it cannot be."""
    try:
        if path.is_dir():
            return True
        if path.is_symlink() or path.exists():
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return True


def write(path: Path, key: str, payload: bytes) -> bool:
    """Write the entry whole; False if it could not be written (the old entry, if any, stays)."""

    def fill(stream: BinaryIO) -> None:
        # The header, then the payload: sealed without a copy of it.
        stream.write(_header(key, payload))
        stream.write(payload)

    return _write_entry(path, fill)


@dataclasses.dataclass(frozen=True)
class Pickled:
    """Parts pickled already, one after the other, in a file: :func:`write_data` copies its bytes in."""

    path: Path


def write_data(path: Path, key: str, value: object, parts: Iterable[object] = ()) -> bool:
    """Write ``value`` as :func:`write` writes :func:`dump_data`'s bytes, pickled straight into the file,
    followed by ``parts``, each pickled on its own, or copied from a file of them (:class:`Pickled`);
    read back with :func:`load_parts`.

    The bytes of a large value (a district's build state) are never all in memory: the checksum is
    made as they are written, and put in the header last. A pickler holds on to every object it has
    written until it ends, with what each was handed over as (a new list for each object of a data
    class with slots); a part's are let go once it is written. Objects two parts share are written,
    and read back, once in each.
    """

    def fill(stream: BinaryIO) -> None:
        stream.write(MAGIC + b"0" * DIGEST_SIZE + b"\n")
        checked = _Checksummed(stream, _digest(key))
        pickle.Pickler(checked, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        for part in parts:
            if isinstance(part, Pickled):
                with open(part.path, "rb") as pickled:
                    shutil.copyfileobj(pickled, checked, COPIED)
            else:
                pickle.Pickler(checked, protocol=pickle.HIGHEST_PROTOCOL).dump(part)
        stream.seek(len(MAGIC))
        stream.write(checked.digest.hexdigest().encode("ascii"))

    return _write_entry(path, fill)


def _write_entry(path: Path, fill: Callable[[BinaryIO], None]) -> bool:
    """Write an entry with ``fill`` into a file of its own, then put it in place in one step."""
    if not folder(path.parent):
        return False
    temporary = path.with_name(f"{path.name}.{os.getpid()}{TEMPORARY}")
    try:
        with open(temporary, "wb") as stream:
            fill(stream)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # a folder where an entry belongs is damage
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


class _Checksummed:
    """A file to write to that adds what is written to a checksum."""

    def __init__(self, stream: BinaryIO, digest: Any) -> None:
        self.stream, self.digest = stream, digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.stream.write(data)


def remove(path: Path) -> None:
    """Remove an entry, or whatever is in its place."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def sweep(root: Path, skip: str = "") -> None:
    """Remove the half-written entries a killed build left in ``root`` and its folders but ``skip``.

    Called while no build writes there (under the output's lock).
    """
    try:
        folders = [root, *(p for p in root.iterdir() if p.name != skip and p.is_dir() and not p.is_symlink())]
        for folder in folders:
            for path in folder.glob(f"*{TEMPORARY}"):
                remove(path)
    except OSError:
        pass


# --- data read back with pickle -----------------------------------------------------------------------

# Values of the standard library that the build state holds.
_STANDARD = {
    ("datetime", "date"),
    ("datetime", "time"),
    ("datetime", "datetime"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("collections", "OrderedDict"),
    ("markupsafe", "Markup"),
}


class _DataOnly(pickle.Unpickler):
    """An unpickler that makes only plain values and sitegen's data classes: nothing it reads can run code.

    A pickle names the callables that make its objects; this one refuses every name but the standard
    values above and sitegen's data classes (dataclasses, enums and str subclasses), whose
    constructors only store what they are given.
    """

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _STANDARD:
            return super().find_class(module, name)
        if module.startswith("sitegen.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, (enum.Enum, str))):
                return found
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache entry")


def dump_data(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load_data(payload: bytes) -> Any:
    """Data written by :func:`dump_data`; raises on anything but plain values and sitegen's data classes."""
    return _DataOnly(io.BytesIO(payload)).load()


def load_parts(payload: bytes) -> Iterator[Any]:
    """The value and then each part :func:`write_data` wrote, as :func:`load_data` reads them."""
    stream = io.BytesIO(payload)
    while stream.tell() < len(payload):
        yield _DataOnly(stream).load()  # an unpickler of its own: each part numbers its objects anew
