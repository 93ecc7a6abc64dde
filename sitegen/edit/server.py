"""The editor's web server: requests in, pages out, each request checked for size, host, session and CSRF token."""

from __future__ import annotations

import http.cookies
import http.server
import importlib.resources
import os
import re
import signal
import threading
import traceback
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from sitegen.config import SiteConfig
from sitegen.edit.access import COOKIE, Session, Sessions, csrf_ok
from sitegen.edit.editor import Editor
from sitegen.edit.flow import Request, Response, redirect
from sitegen.edit.folder import ContentFolder, OutsideContent
from sitegen.edit.repository import Repository
from sitegen.edit.views import Views
from sitegen.edit.workspace import Workspace
from sitegen.errors import SitegenError
from sitegen.i18n import LANGUAGES, _, translate, translations
from sitegen.preview.serve import interrupter, listen
from sitegen.report import Reporter

MAX_REQUEST_BYTES = 4_000_000  # a form with a content file's largest text, twice (as typed and as it was)
MAX_FIELDS = 20_000
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
STATIC = {"edit.css": "text/css; charset=utf-8", "edit.js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
]
# The editor's own pages load nothing from elsewhere and are framed by nobody; previews are the site's pages.
EDITOR_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"
PREVIEW_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"


def make_env(lang: str) -> jinja2.Environment:
    """The templates of the editor, in ``lang``: strict and autoescaped, with the catalogs' texts."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sitegen.edit", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=lang, html_lang=LANGUAGES[lang])
    env.filters["say"] = lambda message: translate(message, lang)
    return env


class App:
    """Routes each request to the views, after the checks every request passes."""

    def __init__(self, editor: Editor, sessions: Sessions, lang: str, hosts: set[str]) -> None:
        self.editor, self.sessions, self.lang, self.hosts = editor, sessions, lang, hosts
        self.views = Views(editor, make_env(lang), lang, sessions.password is not None)
        self.routes: list[tuple[re.Pattern[str], Callable[..., Response]]] = [
            (re.compile(r"/"), self.views.home),
            (re.compile(r"/community/"), lambda r: self.views.owner(r, self.editor.folder.community())),
            (re.compile(r"/n/([a-z0-9-]+)/"), lambda r, s: self.views.owner(r, self.editor.folder.neighborhood(s))),
            (re.compile(r"/community/s/([a-z]+)/"), lambda r, p: self.views.section(r, self._owner(""), p)),
            (re.compile(r"/n/([a-z0-9-]+)/s/([a-z]+)/"), lambda r, s, p: self.views.section(r, self._owner(s), p)),
            (re.compile(r"/community/s/([a-z]+)/([^/]+)"), lambda r, p, i: self.views.item(r, self._owner(""), p, i)),
            (
                re.compile(r"/n/([a-z0-9-]+)/s/([a-z]+)/([^/]+)"),
                lambda r, s, p, i: self.views.item(r, self._owner(s), p, i),
            ),
            (re.compile(r"/community/notices/([^/]+)"), lambda r, n: self.views.notice(r, self._owner(""), n)),
            (re.compile(r"/n/([a-z0-9-]+)/notices/([^/]+)"), lambda r, s, n: self.views.notice(r, self._owner(s), n)),
            (re.compile(r"/n/([a-z0-9-]+)/pact"), lambda r, s: self.views.pact(r, self._owner(s))),
            (re.compile(r"/new"), self.views.new_neighborhood),
            (re.compile(r"/raw/(.*)"), self.views.raw),
            (re.compile(r"/history"), self.views.history),
            (re.compile(r"/markdown"), self.views.markdown),
            (re.compile(r"/preview/([0-9a-f]{24}|live)/(.*)"), self.views.preview),
        ]

    def _owner(self, slug: str) -> Any:
        return self.editor.folder.owner(slug)

    def handle(self, request: Request) -> Response:
        for pattern, view in self.routes:
            match = pattern.fullmatch(request.path)
            if match:
                return view(request, *match.groups())
        return self.views.message(request, self.say(_("Not found")), self.say(_("there is no such page")), 404)

    def say(self, message: str) -> str:
        return str(translate(message, self.lang))


def _handler(app: App) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "sitegen-edit"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve("GET", head=True)

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _send(self, response: Response, cookie: str = "", head: bool = False, policy: str = EDITOR_POLICY) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Content-Security-Policy", policy)
            if policy == EDITOR_POLICY:
                self.send_header("X-Frame-Options", "DENY")
            for name, value in [*SECURITY_HEADERS, *response.headers]:
                self.send_header(name, value)
            if cookie:
                self.send_header("Set-Cookie", f"{COOKIE}={cookie}; HttpOnly; SameSite=Strict; Path=/")
            self.end_headers()
            if not head:
                self.wfile.write(response.body)

        def _plain(self, status: int, text: str) -> None:
            self.close_connection = True
            self._send(Response(status, (text + "\n").encode(), "text/plain; charset=utf-8"))

        def _serve(self, method: str, head: bool = False) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if app.hosts and host not in app.hosts:
                # A page elsewhere reaching this server through a name of its own (DNS rebinding) is refused.
                self._plain(421, app.say(_("this editor answers only to {hosts}", hosts=", ".join(sorted(app.hosts)))))
                return
            path, _sep, query = self.path.partition("?")
            path = urllib.parse.unquote(path)
            if method == "GET" and path.startswith("/static/"):
                self._static(path[len("/static/") :], head)
                return
            cookie = http.cookies.SimpleCookie(self.headers.get("Cookie") or "")
            ident = cookie[COOKIE].value if COOKIE in cookie else ""
            session = app.sessions.get(ident)
            new_cookie = ""
            if session is None:
                ident, session = app.sessions.start(signed_in=app.sessions.password is None)
                new_cookie = ident
            form: dict[str, str] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            if method == "POST":
                posted = self._form()
                if posted is None:
                    return
                if not csrf_ok(session, posted.get("csrf", "")) or not self._same_origin():
                    self._send(self._refused(session, ident), new_cookie)
                    return
                form = posted
            if path in ("/login", "/logout") or not session.signed_in:
                response, signed = self._sign_in(path, method, form, session, ident)
                self._send(response, signed or new_cookie, head)
                return
            request = Request(method, path, form, session)
            try:
                response = app.handle(request)
            except OutsideContent as exc:
                response = app.views.message(request, app.say(_("Not found")), app.say(exc.args[0]), 404)
            except SitegenError as exc:
                response = app.views.message(request, app.say(_("Cannot do that")), app.say(exc.args[0]), 422)
            except Exception as exc:  # noqa: BLE001 - a bug shows as a page, and the editor goes on
                traceback.print_exc()
                text = app.say(_("internal error: {error}", error=f"{type(exc).__name__}: {exc}"))
                response = app.views.message(request, app.say(_("Something went wrong")), text, 500)
            policy = PREVIEW_POLICY if path.startswith("/preview/") else EDITOR_POLICY
            self._send(response, new_cookie, head, policy)

        def _form(self) -> dict[str, str] | None:
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                self._plain(411, app.say(_("the request must say how long it is")))
                return None
            if int(length) > MAX_REQUEST_BYTES:
                self._plain(
                    413, app.say(_("the request is too large (at most {size} MB)", size=MAX_REQUEST_BYTES // 1_000_000))
                )
                return None
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if kind != "application/x-www-form-urlencoded":
                self._plain(415, app.say(_("only forms can be sent here")))
                return None
            body = self.rfile.read(int(length)).decode("utf-8", "replace")
            try:
                pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
            except ValueError:
                self._plain(413, app.say(_("the form has too many fields")))
                return None
            return dict(pairs)

        def _same_origin(self) -> bool:
            """A form posted by a page of another site is refused, whatever it carries."""
            origin = self.headers.get("Origin")
            if origin is None:
                return True  # not sent by every browser; the CSRF token still is
            return urllib.parse.urlsplit(origin).netloc == self.headers.get("Host")

        def _refused(self, session: Session, ident: str) -> Response:
            text = app.say(_("this form has expired or was not sent from the editor; open the page again"))
            request = Request("GET", "/", {}, session)
            return app.views.message(request, app.say(_("Not sent")), text, 403)

        def _sign_in(
            self, path: str, method: str, form: dict[str, str], session: Session, ident: str
        ) -> tuple[Response, str]:
            """The sign-in page and what it does; with a new session's cookie once signed in."""
            request = Request(method, path, form, session)
            title = app.say(_("Sign in"))
            if path == "/logout" and method == "POST":
                app.sessions.end(ident)
                return redirect("/login"), ""
            if method == "POST" and path == "/login":
                waiting = app.sessions.waiting()
                if waiting:
                    text = app.say(_("too many wrong passwords; try again in {seconds} s", seconds=waiting))
                    return app.views.render("login.html", request, 429, title=title, error=text, next="/"), ""
                if app.sessions.sign_in(form.get("password", "")):
                    app.sessions.end(ident)  # a new session id once signed in: one known before is worth nothing
                    new_ident, fresh = app.sessions.start(signed_in=True)
                    fresh.name = " ".join(form.get("name", "").split())[:60]
                    target = form.get("next", "/")
                    return redirect(
                        target if target.startswith("/") and not target.startswith("//") else "/"
                    ), new_ident
                text = app.say(_("wrong password"))
                return app.views.render("login.html", request, 401, title=title, error=text, next="/"), ""
            if session.signed_in:
                return redirect("/"), ""
            target = path if path not in ("/login", "/logout") else "/"
            status = 200 if path == "/login" else 401
            return app.views.render("login.html", request, status, title=title, error="", next=target), ""

        def _static(self, name: str, head: bool) -> None:
            if name not in STATIC:
                self._plain(404, app.say(_("there is no such page")))
                return
            data = importlib.resources.files("sitegen.edit").joinpath("static", name).read_bytes()
            self._send(Response(200, data, STATIC[name]), head=head)

    return Handler


def edit(
    config: SiteConfig,
    reporter: Reporter,
    host: str = "127.0.0.1",
    port: int = 8001,
    push: bool = False,
    password_file: Path | None = None,
    opener: Callable[[str], None] | None = None,
) -> int:
    """Serve the editor until interrupted; return the exit code."""
    from sitegen.edit.access import password_hash

    password = password_hash(password_file)
    if host not in LOOPBACK and password is None:
        raise SitegenError(
            _(
                "listening on {host} lets other computers edit: set a password first "
                "(the environment variable SITEGEN_EDIT_PASSWORD, or --password-file)",
                host=host,
            )
        )
    folder = ContentFolder(config.content_dir)
    if not config.content_dir.is_dir():
        raise SitegenError(_("the content directory {path} does not exist", path=str(config.content_dir)))
    repository = Repository(config.content_dir)
    workspace = Workspace(config)
    editor = Editor(config, folder, repository, workspace, push, default_name=repository.user_name())
    try:
        server = listen(host, port, _handler(App(editor, Sessions(None), config.lang, set())))
    except SitegenError:
        workspace.close()
        raise
    bound = server.server_address[1]
    # On this computer only, the editor answers only to its own names; with a password, to any.
    hosts = LOOPBACK | {host.lower()} if password is None else set()
    app = App(editor, Sessions(password), config.lang, hosts)
    server.RequestHandlerClass = _handler(app)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{bound}/"
    reporter.info(
        _("editing {content} at {address} — press Ctrl-C to stop", content=str(config.content_dir), address=address)
    )
    if opener is not None:
        opener(address)
    threading.Thread(target=workspace.check, args=({},), daemon=True).start()  # the first check, made early
    # `kill` stops the editor as Ctrl-C does, so that its private copy of the content is removed.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupter(os.getpid())) if in_main else None
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        reporter.info(_("stopped"))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        server.server_close()
        workspace.close()
    return 0
