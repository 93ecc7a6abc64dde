"""Saving: a draft checked as `sitegen check` checks, written only if nothing new is wrong, and committed to git."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sitegen.config import SiteConfig
from sitegen.content.load import NEIGHBORHOOD_FILE, NEIGHBORHOODS_DIR
from sitegen.edit.drafts import Draft
from sitegen.edit.fields import Change
from sitegen.edit.folder import ContentFolder, Owner, digest
from sitegen.edit.repository import GitError, Repository
from sitegen.edit.workspace import Workspace, new_problems
from sitegen.errors import ContentError, SitegenError
from sitegen.i18n import _


@dataclass
class Checked:
    """What the check says of a draft: problems it brings (errors stop the save), and those in its own files."""

    new: list[ContentError]
    own: list[ContentError]  # every problem in the files the draft changes
    before: list[ContentError]  # the content's problems without the draft

    @property
    def blocking(self) -> list[ContentError]:
        return [p for p in self.new if p.is_error]


@dataclass
class Saved:
    """A save that was committed; ``pushed`` says whether the push worked, ``push_error`` why not."""

    sha: str
    subject: str
    pushed: bool = False
    push_error: str = ""


class Conflict(SitegenError):
    """A file of the draft changed on disk since the form was opened: nothing is overwritten."""

    def __init__(self, rels: list[str]) -> None:
        super().__init__(_("changed by someone else since you opened this page: {files}", files=", ".join(rels)))
        self.rels = rels


class Refused(SitegenError):
    """The save cannot be made as it is (new errors, files changed by hand and not committed …)."""


@dataclass
class Editor:
    """The editor's state: where the content is, its git repository, the private copy for checks."""

    config: SiteConfig
    folder: ContentFolder
    repository: Repository
    workspace: Workspace
    push: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    default_name: str = ""  # git's user.name, offered until a worker writes theirs

    def display(self, rel: str) -> str:
        """A content file's path as problems name it."""
        root = self.config.display_root
        return f"{root.rstrip('/')}/{rel}" if root and root != "." else rel

    def conflicts(self, draft: Draft) -> list[str]:
        return [rel for rel, base in draft.bases.items() if self.folder.digest(rel) != base]

    def check(self, draft: Draft) -> Checked:
        """Check the content as it would be with the draft, against the content as it is."""
        before = self.workspace.check({})
        after = self.workspace.check(draft.files)
        shown = {self.display(rel) for rel in draft.files}
        own = [p for p in after if p.path in shown]
        return Checked(new_problems(before, after), own, before)

    def save(self, draft: Draft, editor: str) -> Saved:
        """Check the draft, write its files and commit them; undo the writes if the commit fails."""
        with self.lock:
            conflicts = self.conflicts(draft)
            if conflicts:
                raise Conflict(conflicts)
            checked = self.check(draft)
            if checked.blocking:
                raise Refused(_("the change brings new errors; nothing was saved"))
            by_hand = self.repository.uncommitted(list(draft.files))
            if by_hand:
                raise Refused(
                    _(
                        "these files have changes that were not committed, made outside the editor: {files}; "
                        "commit or discard them first (git), so that this save records only your change",
                        files=", ".join(by_hand),
                    )
                )
            before = {rel: self.folder.text(rel) for rel in draft.files}
            try:
                for rel, text in draft.files.items():
                    self.folder.write(rel, text)
                sha = self.repository.commit(list(draft.files), draft.message(editor), editor)
            except (GitError, OSError, SitegenError) as exc:
                for rel, text in before.items():
                    self.folder.write(rel, text)
                raise Refused(_("the change could not be saved: {reason}", reason=str(exc))) from exc
            saved = Saved(sha, draft.subject())
        if self.push:
            try:
                self.repository.push()
                saved.pushed = True
            except GitError as exc:
                saved.push_error = str(exc)
        return saved

    def undo_draft(self) -> Draft:
        """The draft that undoes the last save: its files as they were before it."""
        saves = self.repository.saves(1)
        if not saves:
            raise Refused(_("nothing has been saved yet"))
        last = saves[0]
        if not last.by_editor:
            raise Refused(
                _("the last change ({subject}) was not saved in the editor; undo it with git", subject=last.subject)
            )
        parent = self.repository.parent(last.sha)
        files: dict[str, str | None] = {}
        bases = {}
        for rel in self.repository.files_of(last.sha):
            now = self.folder.read(rel)
            then = self.repository.text_at(last.sha, rel)
            if digest(now) != digest(then.encode() if then is not None else None):
                raise Conflict([rel])
            files[rel] = self.repository.text_at(parent, rel) if parent else None
            bases[rel] = digest(now)
        undone = Change((), [last.subject], last.subject, "", "undo")
        draft = Draft(Owner("", "", "", self.folder.community().record, "index.html"), files, bases, [undone])
        draft.summary = _("undo: {subject}", subject=last.subject)
        draft.preview = _page_of(files)
        draft.reverts = last.sha
        return draft


def _page_of(files: dict[str, str | None]) -> str:
    """The page of the website that shows the files' neighborhood (or the home page)."""
    for rel in files:
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == NEIGHBORHOODS_DIR:
            return f"{parts[1]}/index.html"
    return "index.html"


def owner_of(folder: ContentFolder, rel: str) -> Owner:
    """Whose file ``rel`` is: a neighborhood's (its folder) or the community's."""
    parts = rel.split("/")
    if (
        len(parts) > 2
        and parts[0] == NEIGHBORHOODS_DIR
        and (folder.root / parts[0] / parts[1] / NEIGHBORHOOD_FILE).is_file()
    ):
        return folder.neighborhood(parts[1])
    return folder.community()
