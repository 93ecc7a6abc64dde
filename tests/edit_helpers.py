"""For the editor's tests: forms posted as a browser would post them, and a `sitegen edit` process."""

from __future__ import annotations

import html.parser
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from sitegen.edit.fields import Form, Widget
from tests.conftest import BUILD_EPOCH


def posted(widgets: list[Widget], form: Form | None = None) -> Form:
    """The form a browser sends for these inputs, as they are shown."""
    form = {} if form is None else form
    for widget in widgets:
        if widget.kind in ("text", "textarea", "select", "lines", "markdown", "raw"):
            form[widget.name] = widget.value
            if widget.english is not None:
                form[f"{widget.name}~en"] = widget.english
        elif widget.kind == "check":
            if widget.value == "true":
                form[widget.name] = "true"
        elif widget.kind == "person":
            form[f"{widget.name}.@mode"] = widget.mode
            form[f"{widget.name}.@ref"] = widget.reference
            posted(widget.children, form)
        elif widget.kind == "group":
            posted(widget.children, form)
        elif widget.kind == "list":
            form[f"{widget.name}.#"] = str(len(widget.items))
            for item in widget.items:
                form[f"{item.name}.@"] = item.origin
                if item.removed:
                    form[f"{item.name}.~x"] = "on"
                posted([item] if item.kind == "person" else item.children, form)
    return form


def inputs(widgets: list[Widget]) -> list[Widget]:
    """Every input that holds one value, inside groups, lists and people too."""
    found = []
    for widget in widgets:
        if widget.kind in ("group", "person"):
            found += [widget] if widget.kind == "person" else []
            found += inputs(widget.children)
        elif widget.kind == "list":
            for item in widget.items:
                found += inputs([item] if item.kind == "person" else item.children)
        else:
            found.append(widget)
    return found


class EditorProcess:
    """A `sitegen edit` process on a free loopback port, over a git repository holding a copy of some content."""

    def __init__(self, root: Path, content: Path, *args: str, **environment: str) -> None:
        self.root = root
        self.content = root / "content"
        shutil.copytree(content, self.content)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "初始内容")
        env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONUNBUFFERED": "1", **IDENTITY, **environment}
        command = [
            sys.executable,
            "-m",
            "sitegen",
            "edit",
            "--content",
            str(self.content),
            "--port",
            "0",
            "--no-browser",
        ]
        self.process = subprocess.Popen(
            [*command, *args], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=root
        )
        self.log: list[str] = []
        self.url = ""
        assert self.process.stderr is not None
        deadline = time.monotonic() + 120
        while not self.url and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            self.log.append(line)
            match = re.search(r"(http://[\d.]+:\d+/)", line)
            if match:
                self.url = match.group(1)
        assert self.url, "".join(self.log)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


IDENTITY = {
    "GIT_AUTHOR_NAME": "测试",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "测试",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, **IDENTITY}
    )
    return done.stdout


class _Fields(html.parser.HTMLParser):
    """The fields of the editing form of a page (form.edit), as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.inside = False
        self.select = ""
        self.area = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in given:
            self.meta[given["name"]] = given.get("content", "")
        if tag == "form" and "edit" in given.get("class", "").split():
            self.inside = True
        if not self.inside or "name" not in given and tag != "option":
            return
        if tag == "input" and given.get("type") not in ("submit", "checkbox") or given.get("checked") is not None:
            if tag == "input":
                self.fields[given["name"]] = given.get("value", "")
        elif tag == "select":
            self.select = given["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in given:
            self.fields[self.select] = given.get("value", "")
        elif tag == "textarea":
            self.area = given["name"]
            self.fields[self.area] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = ""
        elif tag == "textarea":
            self.area = ""

    def handle_data(self, data: str) -> None:
        if self.area:
            self.fields[self.area] += data


class Client:
    """Talks to the editor as a browser does, without one: a cookie, and the fields of the page's form."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookie = ""

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        parts = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=300)
        body = urllib.parse.urlencode(fields or {}).encode() if method == "POST" else None
        sent = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        answer = {k.lower(): v for k, v in response.getheaders()}
        if "set-cookie" in answer:
            self.cookie = answer["set-cookie"].split(";", 1)[0]
        connection.close()
        return response.status, answer, text

    def form(self, path: str) -> tuple[dict[str, str], str]:
        """The page's form fields (with its CSRF token) and the page."""
        status, _headers, page = self.request("GET", path)
        assert status == 200, page
        parsed = _Fields()
        parsed.feed(page)
        return {"csrf": parsed.meta.get("csrf", ""), **parsed.fields}, page

    def save(self, path: str, changes: dict[str, str], name: str = "王芳") -> tuple[int, str]:
        """Change fields of the form at ``path``, check, and save; return the final status and page."""
        fields, _page = self.form(path)
        fields.update(changes)
        status, _headers, page = self.request("POST", path, {**fields, "step": "review"})
        if status != 200 or 'name="reviewed"' not in page:
            return status, page
        parsed = _Fields()
        parsed.feed(page)
        status, headers, page = self.request(
            "POST", path, {**parsed.fields, "csrf": fields["csrf"], "step": "save", "editor": name}
        )
        if status == 303:
            status, _headers, page = self.request("GET", headers["location"].split("#")[0])  # as browsers do
        return status, page
