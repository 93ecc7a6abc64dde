"""What the preview's watchers tell besides watchdog's own events: that changes were lost."""

from __future__ import annotations

from watchdog.events import FileSystemEvent


class LostEvents(FileSystemEvent):
    """The watcher missed changes below ``src_path``: anything there may have changed."""

    event_type = "lost"
    is_directory = True
