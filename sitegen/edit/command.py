"""`sitegen edit` on the command line: its options, and starting the editor (or hashing a password)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.i18n import _, translate
from sitegen.report import Reporter


def add_arguments(sub: argparse.ArgumentParser, say: Callable[[str], str]) -> None:
    sub.add_argument(
        "--host", default="127.0.0.1", help=say(_("address to listen on (default: 127.0.0.1, this computer only)"))
    )
    sub.add_argument(
        "-p", "--port", type=int, default=8001, help=say(_("port to listen on (default: 8001; 0 picks a free one)"))
    )
    sub.add_argument("--push", action="store_true", help=say(_("push every save to the remote repository")))
    sub.add_argument(
        "--password-file",
        metavar="FILE",
        help=say(_("file holding the password (or its hash) that other computers must give; see --hash-password")),
    )
    sub.add_argument(
        "--hash-password",
        action="store_true",
        help=say(_("ask for a password, print its hash (for --password-file) and stop")),
    )
    sub.add_argument("--no-browser", action="store_true", help=say(_("do not open the editor in a browser")))


def _open_later(url: str) -> None:
    """Open the editor in the user's browser, where there is a desktop to show it on."""
    desktop = sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if desktop:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()


def run(args: argparse.Namespace, reporter: Reporter) -> int:
    from sitegen.edit.access import MIN_PASSWORD, hash_password

    if args.hash_password:
        prompt = str(translate(_("password: "), args.lang))
        password = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().strip()
        if len(password) < MIN_PASSWORD:
            raise SitegenError(_("the password must be at least {count} characters long", count=MIN_PASSWORD))
        print(hash_password(password))
        return 0
    from sitegen.edit.server import edit

    config = load_config(args.content, lang=args.lang)
    password_file = Path(args.password_file) if args.password_file else None
    opener = None if args.no_browser else _open_later
    return edit(config, reporter, args.host, args.port, args.push, password_file, opener)
