"""A change not yet saved: the new text of each file, what changed in words, and the commit message that says so."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sitegen.content.load import NEIGHBORHOOD_FILE, NEIGHBORHOODS_DIR
from sitegen.edit import yamltext as yt
from sitegen.edit.fields import Change
from sitegen.edit.folder import Owner
from sitegen.i18n import DEFAULT_LANGUAGE, Message, _, translate

MOST_NAMED = 3  # changes named in a commit's first line; the rest are counted


@dataclass
class Draft:
    """Files to write (None: to remove), the digests they were made from, and the changes in words."""

    owner: Owner
    files: dict[str, str | None]
    bases: dict[str, str]
    changes: list[Change]
    summary: str = ""  # overrides the summary made from the changes
    preview: str = ""  # the page of the website to look at
    after: str = ""  # where the editor goes once it is saved
    missing: dict[str, Message] = field(default_factory=dict)  # input name → why it cannot be saved yet
    names: dict[yt.Path_, str] = field(default_factory=dict)  # path in ``rel``'s new data → input name
    rel: str = ""  # the YAML file the form edits
    offset: int = 0  # lines before the YAML of ``rel`` (a notice's first `---`)
    reverts: str = ""  # the commit an undo reverts
    raw: bool = False  # the raw editor's: problems are shown beside the lines

    @property
    def token(self) -> str:
        """Names this draft: the same files with the same texts give the same token."""
        digest = hashlib.sha256()
        for rel in sorted(self.files):
            text = self.files[rel]
            digest.update(f"{rel}\0{'-' if text is None else text}\0{self.bases.get(rel, '')}\0".encode())
        return digest.hexdigest()[:24]

    @property
    def empty(self) -> bool:
        return not self.changes

    def subject(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The commit's first line: whose information, then what changed (兰亭花园：更新物业经理电话)."""
        said = str(translate(self.summary, lang)) if self.summary else summarize(self.changes, lang)
        if not self.owner.name:
            return said
        return str(translate(_("{owner}: {summary}", owner=self.owner.name, summary=said), lang))

    def message(self, editor: str) -> str:
        """The whole commit message, in Chinese: the subject, each change, and who made it."""
        lines = [self.subject(), ""]
        if self.reverts:
            lines.append(str(translate(_("This reverts commit {sha}.", sha=self.reverts), DEFAULT_LANGUAGE)))
        else:
            lines += [f"- {describe(change, DEFAULT_LANGUAGE)}" for change in self.changes]
        lines += ["", str(translate(_("Edited by: {name}", name=editor), DEFAULT_LANGUAGE))]
        return "\n".join(lines) + "\n"


def what(change: Change, lang: str) -> str:
    """Where a change is, in words: 3号楼楼栋长电话 (in English, the keys of its path)."""
    if lang == DEFAULT_LANGUAGE:
        return "".join(change.what)
    return " › ".join(str(step) for step in change.path)


VERBS = {"change": _("change {what}"), "add": _("add {what}"), "remove": _("remove {what}")}


def describe(change: Change, lang: str) -> str:
    """One change in a line: what, and its value before and after."""
    where = what(change, lang)
    if change.kind == "add":
        return str(translate(_("added {what}: {new}", what=where, new=_short(change.new)), lang))
    if change.kind == "remove":
        return str(translate(_("removed {what} ({old})", what=where, old=_short(change.old)), lang))
    return str(translate(_("{what}: {old} → {new}", what=where, old=_short(change.old), new=_short(change.new)), lang))


def _short(text: str, most: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= most else line[: most - 1] + "…"


def summarize(changes: list[Change], lang: str = DEFAULT_LANGUAGE) -> str:
    """What changed, in a few words: 更新物业经理电话、物业经理姓名等4项."""
    if not changes:
        return str(translate(_("no change"), lang))
    groups: list[str] = []
    for kind, verb in VERBS.items():
        named: list[str] = []
        for change in changes:
            if change.kind == kind and what(change, lang) not in named:
                named.append(what(change, lang))
        if not named:
            continue
        listed = str(translate(_(", "), lang)).join(named[:MOST_NAMED])
        if len(named) > MOST_NAMED:
            listed = str(translate(_("{first} and {count} more", first=listed, count=len(named) - MOST_NAMED), lang))
        groups.append(str(translate(Message(verb.msgid, values={"what": listed}), lang)))
    return str(translate(_("; "), lang)).join(groups)


def after_neighborhood(draft: Draft) -> str:
    """Once a new neighborhood is saved, its name card is filled in next."""
    for rel in draft.files:
        parts = rel.split("/")
        if len(parts) == 3 and parts[0] == NEIGHBORHOODS_DIR and parts[2] == NEIGHBORHOOD_FILE:
            return f"/n/{parts[1]}/s/card/"
    return ""
