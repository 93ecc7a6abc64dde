"""The editor's whole-file tasks: the resident pact, a new neighborhood, and any file's raw text."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import TYPE_CHECKING

from sitegen.content import format as cf
from sitegen.content.load import NEIGHBORHOODS_DIR
from sitegen.content.scaffold import check_slug, neighborhood_files
from sitegen.edit.drafts import Draft
from sitegen.edit.editor import owner_of
from sitegen.edit.fields import PREFIX, RAW, Change, Form, Widget, say
from sitegen.edit.flow import Request, Response, Task
from sitegen.edit.folder import ContentFolder, Owner
from sitegen.edit.notices import slug_of
from sitegen.errors import SitegenError
from sitegen.i18n import _, in_chinese

if TYPE_CHECKING:
    from sitegen.edit.views import Views

PACT, ENGLISH_PACT = f"{PREFIX}.@pact", f"{PREFIX}.@pact~en"
NAME, SLUG = f"{PREFIX}.name", f"{PREFIX}.@slug"
MOST_LINES_LISTED = 200


def _english_pact(owner: Owner) -> str:
    return owner.pact.removesuffix(".md") + ".en.md"


def pact_widgets(folder: ContentFolder, owner: Owner, form: Form | None, lang: str) -> list[Widget]:
    text = Widget("markdown", PACT, say(_("the pact, one rule per numbered line"), lang), required=True)
    text.value = form.get(PACT, "") if form is not None else (folder.text(owner.pact) or "").strip("\n")
    shown = [text]
    english = folder.text(_english_pact(owner))
    if folder.choices(owner).english or english is not None:
        widget = Widget("markdown", ENGLISH_PACT, say(_("English text (optional)"), lang))
        widget.value = form.get(ENGLISH_PACT, "") if form is not None else (english or "").strip("\n")
        shown.append(widget)
    return shown


def pact_draft(folder: ContentFolder, owner: Owner, form: Form, bases: dict[str, str]) -> Draft:
    files: dict[str, str | None] = {}
    changes = []
    missing = {}
    for name, rel, what in (
        (PACT, owner.pact, _("resident pact")),
        (ENGLISH_PACT, _english_pact(owner), _("English text")),
    ):
        if name not in form:
            continue
        old = folder.text(rel)
        new = form[name].replace("\r\n", "\n").strip("\n")
        if not new.strip() and name == PACT:
            missing[name] = _("write the rules residents agreed on")
            continue
        if new.strip() == (old or "").strip():
            continue
        files[rel] = new + "\n" if new.strip() else None
        changes.append(Change((rel,), [in_chinese(what)], (old or "").strip(), new.strip(), "change" if old else "add"))
    made = Draft(owner, files, {rel: bases.get(rel, "") for rel in files}, changes, preview=f"{owner.page}#pact")
    made.summary = _("edit the resident pact")
    made.missing = dict(missing)
    return made


def neighborhood_widgets(form: Form | None, lang: str) -> list[Widget]:
    name = Widget("text", NAME, say(_("name of the neighborhood, e.g. 和谐家园"), lang), required=True, maxlength=40)
    slug = Widget("text", SLUG, say(_("folder name in web addresses (optional: made from the name in pinyin)"), lang))
    slug.hint = say(_("lowercase letters, digits and dashes, e.g. hexie-jiayuan"), lang)
    if form is not None:
        name.value, slug.value = form.get(NAME, ""), form.get(SLUG, "")
    return [name, slug]


def neighborhood_draft(folder: ContentFolder, form: Form, today: dt.date) -> Draft:
    """The draft of a new neighborhood: the scaffold of `sitegen new neighborhood`, named as asked."""
    community = folder.community()
    name = " ".join(form.get(NAME, "").split())
    slug = form.get(SLUG, "").strip() or slug_of(name)
    made = Draft(community, {}, {}, [], preview="")
    if not name:
        made.missing[NAME] = _("fill this in")
        return made
    try:
        check_slug(slug)
    except SitegenError as exc:
        made.missing[SLUG] = exc.args[0]
        return made
    if (folder.root / NEIGHBORHOODS_DIR / slug).exists():
        made.missing[SLUG] = _("a neighborhood with this folder name exists already")
        return made
    made.files = dict(neighborhood_files(slug, name, today))
    made.bases = {rel: "" for rel in made.files}
    made.changes = [Change((), [f"{cf.NEIGHBORHOOD.fields['name'].label}「{name}」"], "", slug, "add")]
    made.summary = _("add the neighborhood {name} ({slug})", name=name, slug=slug)
    made.preview = f"{slug}/index.html"
    return made


def raw_widgets(views: Views, rel: str, form: Form | None) -> list[Widget]:
    text = views.folder.text(rel) or ""
    widget = Widget("raw", RAW, rel, value=form.get(RAW, "") if form is not None else text)
    if form is None:
        shown = views.editor.display(rel)
        for problem in views.editor.workspace.check({}):
            if problem.path == shown:
                widget.marks.setdefault(problem.line, []).append(views.problem(problem))
    return [widget]


def raw_draft(folder: ContentFolder, rel: str, form: Form, bases: dict[str, str]) -> Draft:
    """The draft of the raw editor: the file's whole new text, its changes listed line by line."""
    old = folder.text(rel) or ""
    text = form.get(RAW, "").replace("\r\n", "\n")
    if old.endswith("\n") and not text.endswith("\n"):
        text += "\n"
    changes = []
    matcher = difflib.SequenceMatcher(None, old.split("\n"), text.split("\n"), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = old.split("\n")[i1:i2], text.split("\n")[j1:j2]
        for offset in range(max(len(before), len(after))):
            line = in_chinese(_("line {number}", number=j1 + offset + 1 if offset < len(after) else j1 + len(after)))
            gone = before[offset] if offset < len(before) else ""
            came = after[offset] if offset < len(after) else ""
            kind = "change" if gone and came else "add" if came else "remove"
            changes.append(Change((j1 + offset + 1,), [line], gone, came, kind))
    owner = owner_of(folder, rel)
    draft = Draft(owner, {rel: text}, {rel: bases.get(rel, "")}, changes[:MOST_LINES_LISTED], preview=owner.page)
    draft.summary = _("edit {file}", file=rel.split("/", 2)[-1] if owner.slug else rel)
    draft.rel, draft.raw = rel, True
    return draft


def raw_page(views: Views, request: Request, rel: str) -> Response:
    owner = owner_of(views.folder, rel)
    task = Task(
        views.say(_("Edit {file}", file=rel)),
        owner,
        "/raw/",
        [rel],
        lambda folder, form, bases: raw_draft(folder, rel, form, bases),
        lambda form, adding: raw_widgets(views, rel, form),
    )
    return views.run(request, task, request.path)
