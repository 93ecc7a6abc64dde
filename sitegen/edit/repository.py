"""Git, the record of every save: commit the files of a save, push, and find the last save to undo."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.i18n import DEFAULT_LANGUAGE, _, translate

GIT_TIMEOUT = 60
PUSH_TIMEOUT = 120
# The line every save's message ends with; undo offers only saves made here.
EDITOR_LINE = str(translate(_("Edited by: {name}", name=""), DEFAULT_LANGUAGE))
_FIELD, _RECORD = "\x1f", "\x1e"


@dataclass
class Save:
    """A commit that changed the content."""

    sha: str
    subject: str
    author: str
    date: str
    by_editor: bool


class GitError(SitegenError):
    """git refused or failed; the message says why, in git's words."""


def _run(
    args: list[str], cwd: Path, timeout: int = GIT_TIMEOUT, env: dict[str, str] | None = None, stdin: str = ""
) -> str:
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    # A push that would ask for a password or a host key fails at once instead of waiting for ever.
    environment.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GitError(_("git took longer than {seconds} s and was stopped", seconds=timeout)) from exc
    except OSError as exc:
        raise GitError(_("cannot run git: {reason}", reason=exc.strerror or str(exc))) from exc
    if done.returncode:
        said = " ".join((done.stderr.strip() or done.stdout.strip()).split())
        raise GitError(said[-600:] or f"git {args[0]} failed ({done.returncode})")
    return done.stdout


class Repository:
    """The git repository that holds the content folder."""

    def __init__(self, content_dir: Path) -> None:
        if shutil.which("git") is None:
            raise SitegenError(_("git is not installed; the editor records every save with git"))
        folder = content_dir.resolve()
        try:
            top = _run(["rev-parse", "--show-toplevel"], folder).strip()
        except GitError as exc:
            raise SitegenError(
                _(
                    "{path} is not in a git repository, so saves could not be recorded; "
                    "run `git init` there and commit the content first",
                    path=str(content_dir),
                )
            ) from exc
        self.top = Path(top).resolve()
        prefix = folder.relative_to(self.top).as_posix()
        self.prefix = "" if prefix == "." else prefix

    def git(self, *args: str, timeout: int = GIT_TIMEOUT, env: dict[str, str] | None = None, stdin: str = "") -> str:
        return _run(list(args), self.top, timeout, env, stdin)

    def path(self, rel: str) -> str:
        """A content file's path as git names it, from the top of the repository."""
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def uncommitted(self, rels: list[str]) -> list[str]:
        """Those of the files that differ from the last commit (changed by hand and not committed)."""
        if not rels:
            return []
        out = self.git("status", "--porcelain", "-z", "--untracked-files=all", "--", *map(self.path, rels))
        changed = {entry[3:] for entry in out.split("\0") if len(entry) > 3}
        return [rel for rel in rels if self.path(rel) in changed]

    def user_name(self) -> str:
        """git's ``user.name`` here, or ""."""
        try:
            return self.git("config", "user.name").strip()
        except GitError:
            return ""

    def has_commits(self) -> bool:
        try:
            self.git("rev-parse", "--verify", "-q", "HEAD")
        except GitError:
            return False
        return True

    def _identity(self, editor: str) -> tuple[str, dict[str, str]]:
        """The commit's author (the worker who saved) and, where git knows nobody, its committer too."""
        try:
            email = self.git("config", "user.email").strip()
            configured = self.git("config", "user.name").strip()
        except GitError:
            email = configured = ""
        env = {} if configured else {"GIT_COMMITTER_NAME": editor, "GIT_COMMITTER_EMAIL": email}
        author = f"{editor} <{email if editor == configured else ''}>"
        return author, env

    def commit(self, rels: list[str], message: str, editor: str) -> str:
        """Commit exactly these files (as they are on disk) with ``message``; return the commit's id."""
        paths = [self.path(rel) for rel in rels]
        present = [p for p in paths if (self.top / p).exists()]
        gone = [p for p in paths if not (self.top / p).exists()]
        if present:
            self.git("add", "--", *present)
        if gone:
            self.git("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *gone)
        author, env = self._identity(editor)
        try:
            command = ["commit", "--quiet", f"--author={author}", "-F", "-", "--only", "--", *paths]
            self.git(*command, env=env, stdin=message)
        except GitError:
            if self.has_commits():
                self.git("reset", "--quiet", "--", *paths)  # what was staged for this commit, unstaged
            raise
        return self.git("rev-parse", "HEAD").strip()

    def saves(self, limit: int = 20) -> list[Save]:
        """The latest commits that changed the content, newest first."""
        if not self.has_commits():
            return []
        form = _FIELD.join(["%H", "%s", "%an", "%ad", "%B"]) + _RECORD
        out = self.git(
            "log", f"-n{limit}", "--date=format:%Y-%m-%d %H:%M", f"--format={form}", "--", self.prefix or "."
        )
        found = []
        for record in out.split(_RECORD):
            parts = record.strip("\n").split(_FIELD)
            if len(parts) == 5:
                sha, subject, author, date, body = parts
                found.append(Save(sha, subject, author, date, EDITOR_LINE.strip() in body))
        return found

    def files_of(self, sha: str) -> list[str]:
        """The content files a commit changed, below the content folder."""
        out = self.git(
            "diff-tree", "--no-commit-id", "--root", "-r", "--name-only", "-z", sha, "--", self.prefix or "."
        )
        start = f"{self.prefix}/" if self.prefix else ""
        return [p[len(start) :] for p in out.split("\0") if p and p.startswith(start)]

    def text_at(self, sha: str, rel: str) -> str | None:
        """A content file's text in a commit, or None if it did not exist there."""
        try:
            return self.git("show", f"{sha}:{self.path(rel)}")
        except GitError:
            return None

    def parent(self, sha: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "-q", f"{sha}^").strip()
        except GitError:
            return None

    def push(self) -> None:
        """Push the branch to its remote; GitError says why not."""
        self.git("push", "--quiet", timeout=PUSH_TIMEOUT)
