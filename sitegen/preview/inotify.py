"""Watch folder trees for saves with Linux's inotify, one watch a folder, at the size of a city.

watchdog's own inotify observer answers a queue overflow by dropping every watch and adding them
again; dropping a watch queues an event, so with more folders than the queue holds (16,384 by
default) that overflows the queue again, for ever. This observer, on inotify_simple's thin wrapper
of the system calls, only tells the handler, with a :class:`LostEvents`, and the preview watches
afresh (see :class:`sitegen.preview.watch.Watcher`). A folder that cannot be watched (the system's
watches ran out) is counted in :attr:`InotifyObserver.missed`, so the preview can poll instead.
"""

from __future__ import annotations

import errno
import os
import threading

from inotify_simple import INotify, flags
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from sitegen.preview.events import LostEvents

# A save, a new file, a removal or a rename (a file closed after writing: a save has ended; its
# times changed: `touch`). Opening and reading are not asked for: every build reads thousands.
_MASK = (
    flags.CREATE
    | flags.MODIFY
    | flags.ATTRIB
    | flags.CLOSE_WRITE
    | flags.DELETE
    | flags.MOVED_FROM
    | flags.MOVED_TO
    | flags.ONLYDIR
    | flags.DONT_FOLLOW
    | flags.EXCL_UNLINK
)

# How long a read waits for events before looking whether the observer was stopped, in ms.
_READ_TIMEOUT = 200


def _event(mask: int, path: str) -> FileSystemEvent:
    """The watchdog event for one inotify event on ``path``."""
    folder = bool(mask & flags.ISDIR)
    if mask & (flags.CREATE | flags.MOVED_TO):
        return DirCreatedEvent(path) if folder else FileCreatedEvent(path)
    if mask & (flags.DELETE | flags.MOVED_FROM):
        return DirDeletedEvent(path) if folder else FileDeletedEvent(path)
    if mask & flags.CLOSE_WRITE:
        return FileClosedEvent(path)
    return FileModifiedEvent(path)


class InotifyObserver(threading.Thread):
    """Tells its handlers of every change below the folders scheduled, from a thread of its own.

    The same calls as a watchdog observer (``schedule``, ``start``, ``stop``, ``join``), so the
    preview uses either. Raises OSError when the system has no inotify instance left.
    """

    def __init__(self) -> None:
        super().__init__(name="sitegen-inotify", daemon=True)
        self._inotify = INotify()
        self._folders: dict[int, str] = {}  # watch descriptor → folder
        self._moved_away: dict[int, str] = {}  # a folder moved from its place, by the move's cookie
        self._roots: list[tuple[FileSystemEventHandler, str]] = []
        self._stopping = threading.Event()
        self.missed = 0  # folders that are there but have no watch

    def schedule(
        self,
        event_handler: FileSystemEventHandler,
        path: str,
        *,
        recursive: bool = True,
        event_filter: list[type[FileSystemEvent]] | None = None,
    ) -> None:
        """Watch every folder below ``path`` for ``event_handler`` (always recursively; the events are those
        of a save, whatever ``event_filter`` says)."""
        self._roots.append((event_handler, path))
        self._watch_tree(path)

    def _watch_tree(self, top: str, new: bool = False) -> None:
        """Watch ``top`` and every folder below it; for a ``new`` folder, tell of the files already in it.

        Each folder is watched before it is listed, so a file is either listed or seen being made.
        """
        folders = [top]
        while folders:
            folder = folders.pop()
            self._watch(folder)
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue  # gone, or not readable
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif new:
                    self._tell(FileCreatedEvent(entry.path))

    def _watch(self, folder: str) -> None:
        try:
            self._folders[self._inotify.add_watch(folder, _MASK)] = folder
        except OSError as exc:
            if exc.errno == errno.ENOSPC:  # fs.inotify.max_user_watches ran out
                self.missed += 1
                if self.is_alive():
                    self._tell_lost()
            # Otherwise the folder went away, or was never readable: nothing to see there.

    def _below(self, top: str) -> list[tuple[int, str]]:
        below = top.rstrip(os.sep) + os.sep
        return [(wd, folder) for wd, folder in self._folders.items() if folder == top or folder.startswith(below)]

    def _unwatch_tree(self, top: str) -> None:
        for wd, _folder in self._below(top):
            del self._folders[wd]
            try:
                self._inotify.rm_watch(wd)
            except OSError:
                pass  # already gone

    def _rename_tree(self, old: str, new: str) -> None:
        for wd, folder in self._below(old):
            self._folders[wd] = new + folder[len(old) :]

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                gone = list(self._moved_away.values())  # moved away before this read and not back
                for event in self._inotify.read(timeout=_READ_TIMEOUT):
                    self._handle(event.wd, event.mask, event.cookie, event.name)
                for path in gone:
                    if path in self._moved_away.values():
                        self._unwatch_tree(path)
                        self._moved_away = {c: p for c, p in self._moved_away.items() if p != path}
        finally:
            self._inotify.close()

    def _handle(self, wd: int, mask: int, cookie: int, name: str) -> None:
        if mask & flags.Q_OVERFLOW:
            self._tell_lost()
            return
        if mask & flags.IGNORED:  # the folder is gone, and its watch with it
            self._folders.pop(wd, None)
            return
        folder = self._folders.get(wd)
        if folder is None:
            return
        path = os.path.join(folder, name) if name else folder
        if mask & flags.ISDIR and mask & flags.MOVED_FROM:
            self._moved_away[cookie] = path  # let go at the end of the next read, unless it comes back
        elif mask & flags.ISDIR and mask & (flags.CREATE | flags.MOVED_TO):
            old = self._moved_away.pop(cookie, None) if mask & flags.MOVED_TO else None
            if old is not None:  # renamed within the tree: its watches stay, under the new name
                self._rename_tree(old, path)
            self._tell(_event(mask, path))
            # Files may be made in a new folder before its watch exists: they are told as they are found.
            self._watch_tree(path, new=True)
            return
        self._tell(_event(mask, path))

    def _tell(self, event: FileSystemEvent) -> None:
        for handler, root in self._roots:
            if event.src_path == root or str(event.src_path).startswith(root.rstrip(os.sep) + os.sep):
                handler.dispatch(event)

    def _tell_lost(self) -> None:
        for handler, root in self._roots:
            handler.dispatch(LostEvents(root))

    def stop(self) -> None:
        """Stop watching; the thread ends within a fraction of a second (``join`` waits for it)."""
        self._stopping.set()
        if not self.is_alive():
            self._inotify.close()
