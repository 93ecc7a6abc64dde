"""Print sheets to PDF with the headless Chromium (or Chrome, or Edge) installed on this machine."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import platform
import posixpath
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sitegen.errors import SitegenError
from sitegen.i18n import Message, _
from sitegen.publish.write import write_page
from sitegen.workers import die_with_parent

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "microsoft-edge", "msedge")
PLACES = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
)
TIMEOUT = 60.0

INSTALL_HINT: Message = _(
    "sitegen prints PDFs with a headless Chromium, Chrome or Edge. Install one "
    "(Debian/Ubuntu: `sudo apt install chromium`; macOS or Windows: install Google Chrome or Microsoft Edge), "
    "or name it with the SITEGEN_CHROMIUM environment variable."
)


def find_chromium() -> str:
    """The browser to print with: $SITEGEN_CHROMIUM, else one on PATH, else a usual install place."""
    named = os.environ.get("SITEGEN_CHROMIUM", "").strip()
    if named:
        if Path(named).is_file() or shutil.which(named):
            return shutil.which(named) or named
        raise SitegenError(
            _("SITEGEN_CHROMIUM names {named}, which does not exist. {advice}", named=repr(named), advice=INSTALL_HINT)
        )
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    for place in PLACES:
        if Path(place).is_file():
            return place
    raise SitegenError(_("no Chromium, Chrome or Edge was found. {advice}", advice=INSTALL_HINT))


class BrowserError(SitegenError):
    """Chromium failed or stopped answering while printing."""


class Browser:
    """A headless Chromium spoken to over the DevTools protocol on a pipe (no network, no ports)."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="sitegen-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        parent = os.getpid()

        def give_pipes() -> None:  # Chromium reads commands on fd 3 and answers on fd 4
            die_with_parent(parent)  # and ends with the build, however the build ends
            read, write = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        try:
            self.process = subprocess.Popen(
                [executable, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=False,
                preexec_fn=give_pipes,
            )
        except OSError as exc:
            raise BrowserError(f"cannot start {executable}: {exc}") from exc
        finally:
            os.close(to_browser_read)
            os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("Chromium stopped answering while printing")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed while printing")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as exc:
            raise BrowserError(f"Chromium is not running: {exc}") from exc
        deadline = time.monotonic() + TIMEOUT
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"Chromium: {method} failed: {answer['error'].get('message')}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self._events.append(answer)

    def wait_for(self, event: str, session: str) -> None:
        """Wait until ``event`` has arrived for ``session``."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    del self._events[index]
                    return
            self._events.append(self._read_message(deadline))

    def print_pdf(self, url: str) -> bytes:
        """Load ``url`` in a new tab, wait for it and its fonts, and print it at its CSS page size."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            self.send("Page.enable", session=session)
            self._events.clear()
            self.send("Page.navigate", {"url": url}, session)
            self.wait_for("Page.loadEventFired", session)
            self.send(
                "Runtime.evaluate",
                {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
                session,
            )
            printed = self.send(
                "Page.printToPDF",
                {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False},
                session,
            )
            return base64.b64decode(printed["data"])
        finally:
            self.send("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except SitegenError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


@contextmanager
def browser() -> Iterator[Browser]:
    """A running headless browser, closed afterwards; SitegenError with advice if there is none."""
    if platform.system() == "Windows":
        raise SitegenError(_("`sitegen pdf` needs Linux or macOS; on Windows, print the sheets from the browser"))
    running = Browser(find_chromium())
    try:
        yield running
    finally:
        running.close()


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def stable_pdf(data: bytes, day: dt.date) -> bytes:
    """The same PDF whatever the browser's run: dates set to ``day``, and the ids of the tagged
    structure (Chromium numbers them by the nodes its renderer made before) numbered from 1.

    Every change keeps each value's length, so the file's byte offsets stay valid; ids keep their
    order, so the sorted tree that names them stays sorted.
    """
    stamp = f"D:{day:%Y%m%d}000000".encode()
    data = _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (" + stamp, data)
    numbers = {n: f"{i:08d}".encode() for i, n in enumerate(sorted(set(_NODE_ID.findall(data)), key=int), 1)}
    return _NODE_ID.sub(lambda m: b"(node" + numbers[m.group(1)] + b")", data)


def print_sheets(root: Path, jobs: list[tuple[str, str]], day: dt.date, tell: Callable[[str], None]) -> int:
    """Print each ``(html, pdf)`` pair of paths below ``root``, telling ``tell`` of each; return how many."""
    with browser() as chromium:
        for number, (html, pdf) in enumerate(jobs, 1):
            tell(_("printing PDF {number} of {count}: {file}", number=number, count=len(jobs), file=pdf))
            data = chromium.print_pdf((root / html).resolve().as_uri())
            write_page(root, pdf, stable_pdf(data, day))  # replaced, never written in place
    return len(jobs)


# ----------------------------------------------------------------------------------------------
# PDFs in the build state: an addition to the sheets, kept until their sheet changes

PRINTED = "pdf "  # a PDF's entry in a manifest: this, then the fingerprint of the sheet it was printed from


def printed_from(fingerprint: str) -> str:
    return PRINTED + fingerprint


def pdf_entries(
    jobs: list[tuple[str, str]],
    sheets: Mapping[str, str],
    previous: Mapping[str, str],
    output_dir: Path,
    printing: bool,
) -> dict[str, str]:
    """The PDFs an output will hold after this build, each with the fingerprint of its sheet.

    When printing, every sheet has one. Otherwise only the PDFs printed before from a sheet that has
    not changed since are kept (and still on disk); a PDF of a sheet that changed would show
    outdated facts, and goes.
    """
    entries = {pdf: printed_from(sheets[html]) for html, pdf in jobs}
    if printing:
        return entries
    return {pdf: made for pdf, made in entries.items() if previous.get(pdf) == made and (output_dir / pdf).is_file()}


def to_print(
    jobs: list[tuple[str, str]], entries: Mapping[str, str], previous: Mapping[str, str], root: Path
) -> list[tuple[str, str]]:
    """The sheets to print: those whose PDF is wanted and missing, or printed from an earlier sheet."""
    return [
        (html, pdf)
        for html, pdf in jobs
        if pdf in entries and (previous.get(pdf) != entries[pdf] or not (root / pdf).is_file())
    ]


def linked(dest: str, own_pdf: str | None, pdfs: Set[str]) -> list[str]:
    """The PDFs a page links to: a sheet to its own; a print index to those in its folder."""
    if own_pdf is not None:
        return [own_pdf] if own_pdf in pdfs else []
    folder = posixpath.dirname(dest)
    return sorted(p for p in pdfs if posixpath.dirname(p) == folder)
