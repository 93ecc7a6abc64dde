"""For the editor's tests: forms posted as a browser would post them, and a `sitegen edit` process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
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
