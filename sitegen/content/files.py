"""Look at the content folder's entries safely: regular files only, names that are text, folders that can be read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sitegen.errors import ContentError, Severity
from sitegen.i18n import Message, _

# What an entry that is neither a regular file nor a folder is, in words.
_SPECIAL_KINDS: list[tuple[int, Message]] = [
    (stat.S_IFIFO, _("a named pipe (FIFO)")),
    (stat.S_IFSOCK, _("a socket")),
    (stat.S_IFCHR, _("a device")),
    (stat.S_IFBLK, _("a device")),
]


class NotAFile(OSError):
    """The path is something that cannot be read as a file: a named pipe, a socket, a device or a folder."""

    def __init__(self, kind: Message) -> None:
        super().__init__(kind)
        self.kind = kind


def special_kind(mode: int) -> Message | None:
    """Name the kind of a special file (``st_mode``), or None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    for kind, words in _SPECIAL_KINDS:
        if stat.S_IFMT(mode) == kind:
            return words
    return _("a special file")


def kind_of(path: Path | str) -> str | Message:
    """``"file"``, ``"folder"``, ``"missing"`` or ``"unreadable"``, or the words naming a special file.

    Links are followed; a link to nothing is ``"missing"``.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError):  # no permission to look, a loop of links, a name the system refuses
        return "unreadable"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    return special_kind(mode) or _("a special file")


def read_regular(path: Path | str, max_bytes: int) -> bytes | None:
    """The bytes of a regular file, or None if it holds more than ``max_bytes``.

    Anything else raises :class:`NotAFile` without waiting: a named pipe is opened without blocking
    and never read, and a device is never read. Errors reading it raise OSError.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotAFile(special_kind(mode) or _("a folder"))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode  # it may have been swapped for a pipe since the first look
        if not stat.S_ISREG(mode):
            raise NotAFile(special_kind(mode) or _("a folder"))
        if os.fstat(descriptor).st_size > max_bytes:
            return None
        data = stream.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def list_folder(path: Path | str) -> list[os.DirEntry[str]]:
    """The entries of a folder, by name; OSError when it cannot be read."""
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda e: e.name)


def is_text_name(name: str) -> bool:
    """Whether a file name is valid text (names that are not UTF-8 arrive with surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 as ``\\xe9`` escapes."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # not from a file system: show every odd character escaped
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def reason(exc: OSError) -> str:
    """Why the system refused, in its words (``Permission denied``)."""
    return exc.strerror or str(exc)


def at_whole(display: str, message: str, hint: str = "", severity: Severity = "error") -> ContentError:
    """A problem with a whole file or folder, reported at its first line."""
    return ContentError(display, 1, 1, message, severity, hint)


def not_a_file(display: str, kind: Message) -> ContentError:
    return at_whole(
        display,
        _("this is {kind}, not a file; sitegen reads only files and folders", kind=kind),
        _("delete it, or move it out of the content folder"),
    )


def folder_entries(folder: Path | str, display: str, problems: list[ContentError]) -> list[os.DirEntry[str]]:
    """The entries of a folder by name, without those that cannot be read (each reported)."""
    try:
        found = list_folder(folder)
    except OSError as exc:
        problems.append(
            at_whole(
                display,
                _("cannot read the folder: {reason}", reason=reason(exc)),
                _("make sure the folder may be read (its permissions allow it)"),
            )
        )
        return []
    entries = []
    for entry in found:
        if entry.name.startswith("."):
            continue
        odd = odd_entry(entry, display)
        if odd is None:
            entries.append(entry)
        else:
            problems.append(odd)
    return entries


def odd_entry(entry: os.DirEntry[str], folder_display: str) -> ContentError | None:
    """The problem with an entry that cannot be read: a name that is not text, a special file."""
    display = f"{folder_display}/{shown_name(entry.name)}" if folder_display else shown_name(entry.name)
    if not is_text_name(entry.name):
        return at_whole(
            display,
            _("the name `{name}` is not valid UTF-8 text", name=shown_name(entry.name)),
            _("rename it with letters, digits and dashes (names copied from old Windows shares are often in GBK)"),
        )
    kind = kind_of(entry.path)
    if kind == "unreadable":
        return at_whole(
            display,
            _("cannot read `{name}`: sitegen may not look at it", name=entry.name),
            _("make sure the file may be read (its permissions allow it)"),
        )
    if isinstance(kind, Message):
        return not_a_file(display, kind)
    return None
