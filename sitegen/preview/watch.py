"""Watching the content and the theme for saves, for the preview.

On Linux, inotify sees a save at once; it needs one watch per folder (a city of 10,000 neighborhoods
has 20,000). :mod:`sitegen.preview.inotify` watches at that size: when the kernel's queue of events
overflows (a ``git checkout`` of many files), the preview builds everything and watches afresh; when
the system allows fewer watches than there are folders, the preview looks for changes every
:data:`POLL_SECONDS` instead, as it does on request (``SITEGEN_WATCH=poll``, e.g.
for network drives, whose changes inotify misses). Other systems use watchdog's own observer.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sitegen.i18n import _
from sitegen.preview.events import LostEvents
from sitegen.report import Reporter


class Observing(Protocol):
    """What the preview asks of an observer: watchdog's (polling or the system's), or sitegen's inotify one."""

    def schedule(
        self,
        event_handler: FileSystemEventHandler,
        path: str,
        *,
        recursive: bool = ...,
        event_filter: list[type[FileSystemEvent]] | None = ...,
    ) -> object: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_alive(self) -> bool: ...

    def join(self, timeout: float | None = ...) -> None: ...


# How often the polling watcher looks.
POLL_SECONDS = 1.0

# Names editors give their temporary and backup files; saving them must not start a build.
_TEMPORARY_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".kate-swp", "___jb_tmp___", "___jb_old___")
_TEMPORARY_PREFIXES = (".#", "#", ".~lock.")


# What a save, a new file, a removal or a rename looks like (a file closed after writing: a save has
# ended). Opening and reading a file are not watched: every build reads thousands, each an event.
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    LostEvents,
]


def is_temporary(path: str) -> bool:
    name = Path(path).name
    return name.endswith(_TEMPORARY_SUFFIXES) or name.startswith(_TEMPORARY_PREFIXES) or name == "4913"


class Changes(FileSystemEventHandler):
    """Notes which watched files changed, or that changes were lost; a builder takes them in turns."""

    def __init__(self) -> None:
        self.last_change = 0.0
        self.pending = threading.Event()
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.lost = False

    def dispatch(self, event: FileSystemEvent) -> None:
        self.on_any_event(event)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, LostEvents):
            with self.lock:
                self.lost = True
        else:
            paths = [os.fsdecode(event.src_path), os.fsdecode(event.dest_path)]
            if all(not p or is_temporary(p) or "/.git/" in p for p in paths):
                return
            with self.lock:
                self.paths.update(p for p in paths if p)
        self.last_change = time.monotonic()
        self.pending.set()

    def take(self) -> tuple[set[str], bool]:
        """The paths changed since the last take, and whether changes were lost meanwhile."""
        with self.lock:
            paths, lost, self.paths, self.lost = self.paths, self.lost, set(), False
        return paths, lost


class Watcher:
    """Tells ``changes`` of every change below ``folders`` until stopped."""

    def __init__(self, folders: list[Path], changes: Changes, reporter: Reporter) -> None:
        self.folders = folders
        self.changes = changes
        self.reporter = reporter
        self.polling = os.environ.get("SITEGEN_WATCH", "").strip() == "poll"
        self.observer = self._start()

    def _start(self) -> Observing:
        observer = None if self.polling else self._system()
        if observer is None:
            self.polling = True
            observer = self._watch(PollingObserver(timeout=POLL_SECONDS))
        return observer

    def _system(self) -> Observing | None:
        """The system's watcher over every folder; None (and why, told) if it cannot watch them all."""
        observer = None
        seconds = f"{POLL_SECONDS:g}"
        try:
            observer = self._watch(_system_observer())
        except OSError as exc:  # e.g. no inotify instance left (fs.inotify.max_user_instances)
            reason = exc.strerror or str(exc)
            self.reporter.info(
                _(
                    "cannot watch for saves ({reason}): looking for changes every {seconds} s instead",
                    reason=reason,
                    seconds=seconds,
                )
            )
            return None
        missed: int = getattr(observer, "missed", 0)
        if missed:
            _stop(observer)
            self.reporter.info(
                _(
                    "{count} folders cannot be watched with inotify (raise fs.inotify.max_user_watches if the "
                    "system's watches ran out): looking for changes every {seconds} s instead",
                    count=f"{missed:,}",
                    seconds=seconds,
                )
            )
            return None
        return observer

    def _watch(self, observer: Observing) -> Observing:
        try:
            for folder in self.folders:
                observer.schedule(self.changes, str(folder), recursive=True, event_filter=WATCHED_EVENTS)
            observer.start()
        except OSError:
            _stop(observer)
            raise
        return observer

    def restart(self) -> None:
        """Watch afresh (after lost changes: folders made meanwhile have no watch yet)."""
        old, self.observer = self.observer, self._start()
        _stop(old)

    def stop(self) -> None:
        _stop(self.observer)


def _stop(observer: Observing) -> None:
    observer.stop()
    if observer.is_alive():
        observer.join(timeout=5)


def _system_observer() -> Observing:
    if sys.platform.startswith("linux"):
        from sitegen.preview.inotify import InotifyObserver

        return InotifyObserver()
    return Observer()
