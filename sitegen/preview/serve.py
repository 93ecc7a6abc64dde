"""Preview while editing: build, serve on loopback, rebuild on every save, and reload open pages."""

from __future__ import annotations

import dataclasses
import functools
import gc
import http.server
import json
import multiprocessing
import os
import queue
import shutil
import signal
import socketserver
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sitegen.build import Deferred, build
from sitegen.config import SiteConfig
from sitegen.content.validate import large_site
from sitegen.errors import BuildAborted, SitegenError
from sitegen.i18n import _, translate
from sitegen.preview.watch import Changes, Watcher
from sitegen.publish.state import BuildState
from sitegen.publish.write import write_page
from sitegen.report import ListReporter, Reporter
from sitegen.workers import fork_child, fork_safe, give_back_memory, keep_forker, run_alone

EVENTS_PATH = "/__sitegen__/events"
DEBOUNCE_SECONDS = 0.05
RENDER_BEHIND_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
# From this many neighborhoods, each page the preview renders after a build is rendered by a child
# forked for it (where forking is possible: in the builder of `sitegen serve`). Rendering a
# district's pages takes memory (its home page is 1.4 MB at 10,000 neighborhoods) that the preview,
# which lives long, kept in part after each edit (8-14 MB more after the page of a neighborhood's
# sheets, edit after edit); a child's goes with it.
RENDER_ALONE_FROM = 1000
# Such a child renders the pages left to render one after another for this long, then ends and
# hands back how many it rendered: forking the builder of a district (200 MB) takes far longer than
# rendering most pages, and a page a browser asks for waits no longer than this.
RENDER_BATCH_SECONDS = 0.25

# Injected into every HTML page the preview serves (never into `sitegen build` output): reloads the
# page after a build, or shows the build's problems over it. Problems are shown as text, never HTML.
LIVE_SCRIPT = """<script>
(() => {
  const loaded = %(generation)d;
  const source = new EventSource("%(events)s");
  let box = null;
  function show(problems) {
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#fff;color:#1a1a1a;" +
        "padding:16px;font:16px/1.6 monospace;white-space:pre-wrap;border-top:8px solid #b00000";
      document.body.appendChild(box);
    }
    box.textContent = %(banner)s + "\\n\\n" +
      problems.join("\\n\\n");
  }
  source.addEventListener("build", (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length) show(state.problems);
    else if (state.generation !== loaded || box) location.reload();
  });
})();
</script>
"""


class Preview:
    """One preview: builds into a private folder and tells listeners when a build ends.

    After the first build, a rebuild is told which files changed and renders nothing itself: the
    pages to render again wait in ``pending``. A page a browser asks for is rendered on the spot
    (:meth:`fresh`), and a background thread renders the rest, so an open page reloads as soon as
    the content has been checked.
    """

    def __init__(self, config: SiteConfig, reporter: Reporter) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
        output = self.folder / "site"
        # No search index: the preview makes pages when they are asked for, the index needs them all.
        self.config = dataclasses.replace(
            config, output_dir=output, cache_dir=self.folder / "cache", pdf=False, index_search=False
        )
        self.reporter = reporter
        self.state = BuildState(str(output.resolve()), cache_dir=self.config.cache_dir)
        self.generation = 0
        self.problems: list[str] = []
        self.finished = threading.Condition()
        self.building = threading.Lock()
        self.rendering = threading.Lock()
        self.pending: dict[str, Deferred] = {}
        # Pages the last good build handed back whose renderers were let go unrendered: the next build
        # that succeeds plans them again (see rebuild), with their groups.
        self.unplanned: dict[str, str] = {}
        self.built = False
        self.frozen = False
        self.closed = False

    @property
    def site(self) -> Path:
        return self.config.output_dir

    def rebuild(self, touched: set[str] | None = None, behind: bool = True) -> None:
        """Build now; afterwards every listener hears of the new generation (and its problems).

        The pages left to render are rendered by a thread of their own, unless ``behind`` is false
        (then whoever calls renders them with :meth:`render_next`).
        """
        # No page renders while a build runs: a page left waiting must not come back after the build
        # removed it.
        with self.building, self.rendering:
            if self.closed:
                return
            started = time.perf_counter()
            problems: list[str] = []
            # A page the last build left waiting holds all that build checked and planned (a district's
            # site: tens of MB), which this build would hold again beside it: let it go, and have
            # this build plan the page again and hand it back (or remove it, if it is no longer made).
            self.unplanned.update((dest, make.group) for dest, make in self.pending.items())
            self.pending = {}
            try:
                known = touched if self.built else None
                result = build(
                    self.config, ListReporter(), self.state, touched=known, defer=self.built, again=self.unplanned
                )
                self.pending, self.unplanned = result.pending, {}
                self.built = True
                seconds = f"{time.perf_counter() - started:.2f}"
                summary = _("rebuilt in {seconds} s ({count} pages rendered)", seconds=seconds, count=result.rendered)
            except BuildAborted as exc:
                problems = [p.format(self.config.lang) for p in exc.problems if p.is_error or self.config.strict]
                summary = _("the content has problems: {count} shown in the browser", count=len(problems))
                self.reporter.problems([p for p in exc.problems if p.is_error])
            except SitegenError as exc:
                summary = translate(exc.args[0] if exc.args else str(exc), self.config.lang)
                problems = [f"sitegen: {summary}"]
            except Exception as exc:  # noqa: BLE001 - the preview must outlive any bug
                problems = [_internal_error(exc)]
                summary = _("internal error: {error}", error=str(exc))
            if not self.frozen and self.built:
                # The first build's state lives as long as the preview: collect its garbage once, and
                # keep later collections (during every rebuild) from walking it again and again.
                gc.collect()
                gc.freeze()
                self.frozen = True
            give_back_memory()  # what the build took beyond what it keeps: the preview lives long
            self.reporter.info(summary)
            self._announce(problems)
        if self.pending and behind:
            threading.Thread(target=self._render_behind, daemon=True).start()

    def _render_behind(self) -> None:
        """Render what the last build left, after open pages had a moment to ask for themselves."""
        time.sleep(RENDER_BEHIND_SECONDS)
        while self.render_next():
            time.sleep(0)  # a page asked for by a browser goes next

    def render_next(self) -> bool:
        """Render the next of the pages the last build left to render (where pages are rendered by a
        child, as many as it renders in RENDER_BATCH_SECONDS); False if none was left."""
        with self.rendering:
            if self.closed or not self.pending:
                return False
            if self._alone():
                self._render_batch()
            else:
                dest = next(iter(self.pending))
                self._render(dest, self.pending.pop(dest))
            if not self.pending:
                give_back_memory()  # what rendering the pages took
            return True

    def _announce(self, problems: list[str]) -> None:
        with self.finished:
            self.generation += 1
            self.problems = problems
            self.finished.notify_all()

    def fresh(self, dest: str) -> None:
        """Render ``dest`` now if the last build left it to render."""
        with self.rendering:
            make = self.pending.pop(dest, None)
            if make is not None:
                self._render(dest, make)

    def render_pending(self) -> None:
        """Render every page the last build left to render."""
        while self.render_next():
            pass

    def _alone(self) -> bool:
        """Whether pages are rendered by children of this process (a district's: see RENDER_ALONE_FROM)."""
        return len(self.state.made) >= RENDER_ALONE_FROM

    def _render(self, dest: str, make: Callable[[], bytes]) -> None:
        if self.closed:
            return
        try:
            if self._alone():
                run_alone(functools.partial(_make_and_write, self.site, dest, make), _("rendering {page}", page=dest))
            else:
                _make_and_write(self.site, dest, make)
        except Exception as exc:  # noqa: BLE001 - shown in the browser like a content problem
            self._failed(self._failure(exc))

    def _render_batch(self) -> None:
        """Render the next pages left to render in one child, for RENDER_BATCH_SECONDS at most."""
        if self.closed:
            return
        pages = self.pending

        def batch() -> tuple[int, list[str]]:
            # In the child, which sees ``pages`` as they were when it was forked (never changed there).
            failures = []
            end = time.monotonic() + RENDER_BATCH_SECONDS
            done = 0
            for dest, make in pages.items():
                try:
                    _make_and_write(self.site, dest, make)
                except Exception as exc:  # noqa: BLE001 - said by the preview, as a page rendered alone
                    failures.append(self._failure(exc))
                done += 1
                if time.monotonic() >= end:
                    break
            return done, failures

        first = next(iter(pages))
        try:
            done, failures = run_alone(batch, _("rendering {page}", page=first))
        except Exception as exc:  # noqa: BLE001 - the child died: taken for the first page's failure
            done, failures = 1, [self._failure(exc)]
        for _page in range(done):
            pages.pop(next(iter(pages)))
        for message in failures:
            self._failed(message)

    def _failure(self, exc: Exception) -> str:
        """What the browser shows of a page that failed to render."""
        if isinstance(exc, SitegenError):
            return f"sitegen: {translate(exc.args[0], self.config.lang)}"
        return _internal_error(exc)

    def _failed(self, message: str) -> None:
        self.reporter.info(message.splitlines()[0])
        self._announce([*self.problems, message])

    def state_message(self) -> str:
        return json.dumps({"generation": self.generation, "problems": self.problems}, ensure_ascii=False)

    def close(self) -> None:
        """Remove the preview's folder, once a build or a page under way is done (it would write again)."""
        self.closed = True  # nothing builds or renders from now on
        with self.building, self.rendering:
            shutil.rmtree(self.folder, ignore_errors=True)


class BuildingAlone:
    """A preview whose builds run in a forked process of its own, which answers the server by a pipe.

    The server runs threads (one per request, the watcher's, the rebuild loop's), and a process that
    runs threads cannot fork safely: a preview built in it built on one core, and what a build took
    for a while (splitting a district's grid overview, rendering its home page) stayed in the
    server for good, edit after edit. Forked before any thread starts, the builder runs one thread
    and forks its workers and children as `sitegen build` does. It builds when told to, renders a
    page when asked for it (:meth:`fresh`), and renders the pages left to render while nobody asks;
    the server hears of each generation from it. Same interface as :class:`Preview` for the server.
    """

    def __init__(self, preview: Preview) -> None:
        self.config, self.reporter, self.folder = preview.config, preview.reporter, preview.folder
        self.generation = 0
        self.problems: list[str] = []
        self.finished = threading.Condition()
        self.talking = threading.Lock()  # one question at a time, and its answer
        self.answers: queue.SimpleQueue[tuple[str, ...] | None] = queue.SimpleQueue()
        self.closed = False
        self.gone = False
        here, there = multiprocessing.Pipe()

        def builds() -> None:
            # Ctrl-C and SIGTERM are the server's to handle: it ends this process when it stops. Its
            # failure is said on the terminal; the server tells the browser.
            here.close()
            _build_alone(preview, there)

        pid = fork_child(builds)
        there.close()
        self.pid: int | None = pid
        self.connection = here
        threading.Thread(target=self._listen, daemon=True).start()

    @property
    def site(self) -> Path:
        return self.config.output_dir

    def _listen(self) -> None:
        """Hear the builder: each new generation told to listeners, answers to whoever asked."""
        while True:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                break
            if message[0] == "generation":
                self._announce(message[1], message[2])
            else:
                self.answers.put(message)
        self.answers.put(None)

    def _announce(self, generation: int, problems: list[str]) -> None:
        with self.finished:
            self.generation, self.problems = generation, problems
            self.finished.notify_all()

    def _ask(self, *question: Any) -> None:
        """Tell the builder what to do, and wait until it has."""
        with self.talking:
            if self.gone or self.closed:
                return
            try:
                self.connection.send(question)
                answered = self.answers.get() is not None
            except OSError:
                answered = False
            if not answered and not self.closed:
                self.gone = True
                message = _("the preview's builder stopped; stop sitegen serve and start it again")
                self.reporter.info(message)
                self._announce(self.generation + 1, [f"sitegen: {translate(message, self.config.lang)}"])

    def rebuild(self, touched: set[str] | None = None) -> None:
        """Build now (see :meth:`Preview.rebuild`); the new generation is known here once this returns."""
        self._ask("rebuild", touched)

    def fresh(self, dest: str) -> None:
        """Have ``dest`` rendered now if the last build left it to render."""
        self._ask("fresh", dest)

    def state_message(self) -> str:
        return json.dumps({"generation": self.generation, "problems": self.problems}, ensure_ascii=False)

    def close(self) -> None:
        """End the builder, whatever it was doing, and remove the preview's folder."""
        self.closed = True
        pid, self.pid = self.pid, None
        if pid is not None:
            # Its workers end with it (they die with their parent) before it can be waited for.
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.connection.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _build_alone(preview: Preview, connection: Connection) -> None:
    """The builder's life (see :class:`BuildingAlone`): until the server is gone.

    With a large site.yaml, it keeps a forker made before the first build (see workers.Forker): an
    edit of site.yaml is checked by a child forked from there, not from the builder that holds
    the district by then.
    """
    if large_site(preview.config.content_dir):
        keep_forker()
    told = preview.generation
    behind = 0.0  # when the pages left to render start rendering, if no page is asked for first
    while True:
        wait = max(0.0, behind - time.monotonic()) if preview.pending else None
        answer = None
        if connection.poll(wait):
            try:
                question = connection.recv()
            except (EOFError, OSError):
                return
            if question[0] == "rebuild":
                preview.rebuild(question[1], behind=False)
                behind = time.monotonic() + RENDER_BEHIND_SECONDS  # open pages ask for themselves first
            else:
                preview.fresh(question[1])
            answer = ("done",)
        else:
            preview.render_next()
        if preview.generation != told:
            told = preview.generation
            connection.send(("generation", told, preview.problems))
        if answer is not None:
            sys.stdout.flush()  # the problems it reported: this process never exits, it is ended
            connection.send(answer)


def builder(preview: Preview) -> Preview | BuildingAlone:
    """What builds the preview: a process of its own where this one may fork (see :class:`BuildingAlone`)."""
    if fork_safe():
        return BuildingAlone(preview)
    return preview


def _make_and_write(site: Path, dest: str, make: Callable[[], bytes]) -> None:
    write_page(site, dest, make())


def _internal_error(exc: Exception) -> str:
    return f"sitegen: internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"


def _rebuild_loop(preview: Preview | BuildingAlone, changes: Changes, watcher: Watcher, stop: threading.Event) -> None:
    while not stop.is_set():
        if not changes.pending.wait(timeout=0.5):
            continue
        while time.monotonic() - changes.last_change < DEBOUNCE_SECONDS:
            time.sleep(DEBOUNCE_SECONDS / 4)
        changes.pending.clear()
        touched, lost = changes.take()
        if lost:
            # Too many changes at once for the system's queue (a checkout, a copy): which files changed
            # is not known, and new folders may have no watch. Watch afresh, then look at everything.
            preview.reporter.info(_("too many changes at once to follow one by one: looking at every file"))
            watcher.restart()
            preview.rebuild()
        else:
            preview.rebuild(touched)


def _handler(preview: Preview | BuildingAlone) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(preview.site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the terminal shows builds, not every request

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def parse_request(self) -> bool:
            """Refuse a path that names no file on any system (a NUL byte, text that is not UTF-8)."""
            if not super().parse_request():
                return False
            try:  # as SimpleHTTPRequestHandler.translate_path reads it
                path = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0], errors="surrogatepass")
                os.fsencode(path)
            except UnicodeError:
                path = "\0"
            if "\0" in path:
                self.send_error(http.HTTPStatus.BAD_REQUEST, "Bad request path")
                return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?", 1)[0] == EVENTS_PATH:
                self._events()
                return
            path = Path(self.translate_path(self.path))
            if path.is_dir() or self.path.split("?", 1)[0].endswith("/"):
                path = path / "index.html"
            if path.is_relative_to(preview.site):
                preview.fresh(path.relative_to(preview.site).as_posix())
            if path.suffix == ".html" or not preview.site.is_dir():
                self._page(path)
                return
            super().do_GET()

        def _page(self, path: Path) -> None:
            status = 200
            if not path.is_file():
                status, path = 404, preview.site / "404.html"
            html = path.read_text(encoding="utf-8") if path.is_file() else _waiting_page()
            if not preview.site.is_dir():
                status = 503
            banner = translate(
                _("sitegen: the last change could not be built. Fix this and save again."), preview.config.lang
            )
            script = LIVE_SCRIPT % {
                "generation": preview.generation,
                "events": EVENTS_PATH,
                "banner": json.dumps(banner),
            }
            body = (html.replace("</body>", script + "</body>", 1) if "</body>" in html else html + script).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with preview.finished:
                        if preview.generation == seen:
                            preview.finished.wait(timeout=KEEPALIVE_SECONDS)
                        generation, message = preview.generation, preview.state_message()
                    if generation != seen:
                        self.wfile.write(f"event: build\ndata: {message}\n\n".encode())
                        seen = generation
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


def _waiting_page() -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>sitegen</title></head>'
        "<body><p>sitegen: there is no site to show yet.</p></body></html>"
    )


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The connections the system keeps waiting while the server takes the one before: a page opened
    # by several browsers, each asking for its styles, scripts and the reload events at once. With
    # socketserver's 5, more were refused and each retried a second later.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away is no error (anything else is a bug, shown as such)."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def interrupter(owner: int) -> Callable[[int, object], None]:
    """A SIGTERM handler that interrupts the preview as Ctrl-C does (workers it forked just end)."""

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            os._exit(128 + signum)
        raise KeyboardInterrupt

    return interrupt


def serve(config: SiteConfig, reporter: Reporter, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until interrupted (Ctrl-C, or SIGTERM); return the exit code. The preview's folder goes with it."""
    preview = builder(Preview(config, reporter))  # forked before any thread here starts
    # `kill` stops the preview as Ctrl-C does, so that its folder (a whole site) is removed.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupter(os.getpid())) if in_main else None
    try:
        return _serve(preview, config, reporter, host, port)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        preview.close()


def listen(host: str, port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> _Server:
    """A threading web server on ``host:port`` (port 0: a free one); SitegenError if it cannot listen there."""
    try:
        return _Server((host, port), handler)
    except OSError as exc:
        raise SitegenError(
            _(
                "cannot listen on {host}:{port} ({reason}); try another --port",
                host=host,
                port=port,
                reason=exc.strerror,
            )
        ) from exc


def _serve(preview: Preview | BuildingAlone, config: SiteConfig, reporter: Reporter, host: str, port: int) -> int:
    server = listen(host, port, _handler(preview))
    try:
        preview.rebuild()
    except KeyboardInterrupt:
        server.server_close()
        raise
    changes = Changes()
    folders = [f for f in {config.content_dir.resolve(), *(d.resolve() for d in config.theme_dirs)} if f.is_dir()]
    watcher = Watcher(folders, changes, reporter)
    stop = threading.Event()
    rebuilding = threading.Thread(target=_rebuild_loop, args=(preview, changes, watcher, stop), daemon=True)
    rebuilding.start()
    bound_port = server.server_address[1]
    address = f"http://{host}:{bound_port}/"
    reporter.info(
        _("serving {content} at {address} — press Ctrl-C to stop", content=str(config.content_dir), address=address)
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        reporter.info(_("stopped"))
    finally:
        stop.set()
        server.server_close()
        rebuilding.join(timeout=5)
        watcher.stop()
    return 0
