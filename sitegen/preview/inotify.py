"""watchdog's inotify observer (Linux), made to hold up with tens of thousands of folders.

watchdog answers a queue overflow by dropping every watch and adding them again; dropping a watch
queues an event, so with more folders than the queue holds (16,384 by default) that overflows the
queue again, for ever. Here an overflow only tells the handler, with a :class:`LostEvents`, and the
preview watches afresh with a new observer (see :class:`sitegen.preview.watch.Watcher`). A folder that
cannot be watched (the system's watches ran out) is counted, so the preview can poll instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from watchdog.observers.api import DEFAULT_OBSERVER_TIMEOUT, BaseObserver
from watchdog.observers.inotify import InotifyEmitter, InotifyWatchGroup
from watchdog.observers.inotify_c import InotifyFD

from sitegen.preview.events import LostEvents


@dataclass
class _Group(InotifyWatchGroup):
    emitter: _Emitter | None = field(default=None, kw_only=True)
    missed: int = field(default=0, init=False)

    def on_queue_overflow(self) -> None:
        if self.is_active and self.emitter is not None:
            self.emitter.queue_event(LostEvents(self.path))

    def _add_callback(self, path: bytes) -> None:
        super()._add_callback(path)
        if path not in self._active_callbacks_by_path and os.path.isdir(path):
            self.missed += 1  # the folder is there, but has no watch
            if self.is_active:
                self.on_queue_overflow()


class _Emitter(InotifyEmitter):
    group: _Group | None = None

    def on_thread_start(self) -> None:
        self.group = _Group(
            self._inotify_fd,
            os.fsencode(self.watch.path),
            is_recursive=self.watch.is_recursive,
            event_mask=self.get_event_mask_from_filter(),
            follow_symlink=self.watch.follow_symlink,
            emitter=self,
        )
        self._inotify = self.group


class InotifyObserver(BaseObserver):
    """watchdog's ``InotifyObserver`` with the emitter above, on an inotify instance of its own."""

    def __init__(self) -> None:
        self._inotify_fd = InotifyFD()
        self._inotify_fd.start()
        super().__init__(_Emitter, timeout=DEFAULT_OBSERVER_TIMEOUT, inotify_fd=self._inotify_fd)

    @property
    def missed(self) -> int:
        """How many folders have no watch: the system's watches (``fs.inotify.max_user_watches``) ran out."""
        return sum(e.group.missed for e in self.emitters if isinstance(e, _Emitter) and e.group is not None)

    def on_thread_stop(self) -> None:
        super().on_thread_stop()
        self._inotify_fd.stop()
        self._inotify_fd.join()
