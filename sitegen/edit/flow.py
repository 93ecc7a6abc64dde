"""Every change goes the same way: its form, then the check and the list of changes, then the save."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jinja2

from sitegen.edit import yamltext as yt
from sitegen.edit.access import Session
from sitegen.edit.drafts import Draft, after_neighborhood, describe
from sitegen.edit.editor import Checked, Conflict, Editor, Refused
from sitegen.edit.fields import RAW, Form, Widget
from sitegen.edit.folder import ContentFolder, Owner, digest
from sitegen.errors import ContentError, SitegenError
from sitegen.i18n import Message, _, translate

BASE = "base:"
KEPT_TEXTS = 256
NAME_FIELD = "editor"


@dataclass
class Request:
    method: str
    path: str
    form: Form
    session: Session


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def redirect(location: str) -> Response:
    return Response(303, b"", headers=[("Location", location)])


@dataclass
class Task:
    """One form of the editor: what it shows, the draft it makes, and the files it is made from."""

    title: str
    owner: Owner
    back: str
    files: list[str]
    make: Callable[[ContentFolder, Form, dict[str, str]], Draft]  # the draft, from the files of a folder
    widgets: Callable[[Form | None, str], list[Widget]] | None = None
    intro: str = ""
    after: str = ""  # where to go once saved (default: back)


def owner_url(owner: Owner) -> str:
    return f"/n/{owner.slug}/" if owner.slug else "/community/"


class Flow:
    """Shows a task's form, checks what it makes and lists the changes, and saves what was checked."""

    def __init__(self, editor: Editor, env: jinja2.Environment, lang: str, signed: bool) -> None:
        self.editor, self.env, self.lang, self.signed = editor, env, lang, signed
        self.folder = editor.folder
        self.seen: OrderedDict[str, bytes] = OrderedDict()  # texts forms were made from, by digest

    def say(self, message: Message | str) -> str:
        return str(translate(message, self.lang))

    def problem(self, problem: ContentError) -> str:
        return _problem_text(problem, self.lang)

    def render(self, template: str, request: Request, status: int = 200, **values: Any) -> Response:
        flash, request.session.flash = request.session.flash, []
        values.setdefault("title", "")
        html = self.env.get_template(template).render(
            csrf=request.session.csrf,
            site_name=self.folder.site_name(),
            signed=self.signed,
            inside=request.session.signed_in,
            flash=flash,
            editor_name=request.session.name or self.editor.default_name,
            owner_url=owner_url,
            **values,
        )
        return Response(status, html.encode("utf-8"))

    def message(self, request: Request, title: str, text: str, status: int = 200, back: str = "/") -> Response:
        return self.render("message.html", request, status, title=title, text=text, back=back)

    def run(
        self,
        request: Request,
        task: Task,
        action: str,
        fixed: dict[str, str] | None = None,
        removable: bool = False,
    ) -> Response:
        """Show the task's form; on a post, check it and show the changes, or save what was checked."""
        fixed = fixed or {}
        form = request.form if request.method == "POST" else None
        step = (form or {}).get("step", "")
        values: dict[str, Any] = dict(
            task=task, action=action, fixed=fixed, removable=removable, problems=[], review=None
        )
        if task.widgets is None and form is not None and "step" not in form:
            # An action (pin, take down, undo …): its changes are shown for review at once.
            bases = {BASE + rel: self._seen(rel) for rel in task.files}
            return self._review(request, task, values, {**form, **fixed, **bases})
        if form is None or step.startswith("add:"):
            bases = {rel: self._seen(rel) for rel in task.files} if form is None else {}
            widgets = task.widgets(form, step[4:]) if task.widgets else []
            hidden = {**fixed, **{BASE + rel: base for rel, base in bases.items()}, **self._bases(form)}
            return self.render("form.html", request, title=task.title, widgets=widgets, hidden=hidden, **values)
        return self._review(request, task, values, form)

    def _seen(self, rel: str) -> str:
        """The digest of a file as a form is made from it; its text is kept to tell what the form changed."""
        data = self.folder.read(rel)
        known = digest(data)
        if data is not None:
            self.seen[known] = data
            self.seen.move_to_end(known)
            while len(self.seen) > KEPT_TEXTS:
                self.seen.popitem(last=False)
        return known

    def _conflict(
        self, request: Request, task: Task, page: dict[str, Any], form: Form, bases: dict[str, str]
    ) -> Response:
        """Files changed since the form was opened: nothing is saved; the worker sees what they had changed."""
        conflicts = [rel for rel, base in bases.items() if self.folder.digest(rel) != base]
        then = {rel: self.seen[base].decode("utf-8") for rel, base in bases.items() if base in self.seen}
        try:
            draft = task.make(self.folder.as_of(then), form, bases)
            page["conflict"] = [describe(c, self.lang) for c in draft.changes]
        except (SitegenError, yt.YamlSyntaxError):
            page["conflict"] = []
        page["problems"] = [self.say(Conflict(conflicts).args[0])]
        return self.render("form.html", request, 409, **page)

    def _bases(self, form: Form | None) -> dict[str, str]:
        return {k: v for k, v in (form or {}).items() if k.startswith(BASE)}

    def _review(self, request: Request, task: Task, values: dict[str, Any], form: Form) -> Response:
        bases = {k[len(BASE) :]: v for k, v in form.items() if k.startswith(BASE)}
        hidden = {**values["fixed"], **self._bases(form)}
        widgets: list[Widget] = task.widgets(form, "") if task.widgets else []
        page = dict(values, title=task.title, widgets=widgets, hidden=hidden)
        if any(self.folder.digest(rel) != base for rel, base in bases.items()):
            return self._conflict(request, task, page, form, bases)
        try:
            draft = task.make(self.folder, form, bases)
        except (Conflict, Refused, SitegenError, yt.YamlSyntaxError) as exc:
            page["problems"] = [self.say(exc.args[0] if exc.args else str(exc))]
            return self.render("form.html", request, 409 if isinstance(exc, Conflict) else 422, **page)
        if self.editor.conflicts(draft):  # a file the draft makes was made meanwhile
            return self._conflict(request, task, page, form, draft.bases)
        if draft.missing:
            _attach(widgets, {name: [self.say(m)] for name, m in draft.missing.items()})
            page["problems"] = [self.say(_("some fields need your attention; see the messages below"))]
            return self.render("form.html", request, 422, **page)
        if draft.empty:
            page["problems"] = [self.say(_("nothing has changed yet"))]
            return self.render("form.html", request, 200, **page)
        checked = self.editor.check(draft)
        self._place(draft, checked, widgets, page)
        if checked.blocking:
            return self.render("form.html", request, 422, **page)
        if form.get("step") == "save" and form.get("reviewed") == draft.token:
            return self._save(request, draft, form, task, page)
        self.editor.workspace.keep(draft.token, draft.files)
        if form.get("step") == "save":
            page["problems"] = [self.say(_("the form changed after you checked it; look at the changes again"))]
        page["review"] = self._review_values(draft, checked)
        return self.render("form.html", request, **page)

    def _review_values(self, draft: Draft, checked: Checked) -> dict[str, Any]:
        preview = f"/preview/{draft.token}/{draft.preview}" if draft.preview else ""
        warnings = [p for p in checked.new if not p.is_error]
        return {
            "subject": draft.subject(self.lang),
            "changes": [describe(c, self.lang) for c in draft.changes],
            "token": draft.token,
            "preview": preview,
            "warnings": [_problem_text(p, self.lang) for p in warnings],
            "files": sorted(draft.files),
        }

    def _place(self, draft: Draft, checked: Checked, widgets: list[Widget], page: dict[str, Any]) -> None:
        """Put each problem of the draft at its input; the others (and other files' new errors) above the form."""
        at: dict[str, list[str]] = {}
        elsewhere = []
        if draft.raw:
            _mark_lines(widgets, self.editor.display(draft.rel), checked, self.lang)
        located = _locator(draft) if not draft.raw else (lambda line, column: RAW)
        shown = self.editor.display(draft.rel) if draft.rel else None
        for problem in checked.new:
            name = located(problem.line, problem.column) if problem.path == shown else None
            text = _problem_text(problem, self.lang, with_place=name is None)
            if name == RAW:
                continue
            if name:
                at.setdefault(name, []).append(text)
            elif problem.is_error:
                elsewhere.append(text)
        unplaced = _attach(widgets, at)
        if checked.blocking:
            page["problems"] = [self.say(_("the change was not saved: the check found problems (see below)"))]
        page["problems"] = [*page["problems"], *elsewhere, *unplaced]

    def _save(self, request: Request, draft: Draft, form: Form, task: Task, page: dict[str, Any]) -> Response:
        name = " ".join(form.get(NAME_FIELD, "").split())[:60]
        if not name:
            page["problems"] = [self.say(_("write your name, so that the record says who made the change"))]
            page["review"] = self._review_values(draft, self.editor.check(draft))
            page["name_missing"] = True
            return self.render("form.html", request, 422, **page)
        request.session.name = name
        try:
            saved = self.editor.save(draft, name)
        except (Conflict, Refused) as exc:
            page["problems"] = [self.say(exc.args[0])]
            return self.render("form.html", request, 409, **page)
        note = [self.say(_("Saved: {subject}", subject=saved.subject))]
        if saved.push_error:
            note.append(
                self.say(
                    _("The save is kept on this computer, but pushing it failed: {reason}", reason=saved.push_error)
                )
            )
        elif saved.pushed:
            note.append(self.say(_("Pushed.")))
        request.session.flash = note
        after = task.after or (after_neighborhood(draft) if draft.files and not task.files else "") or task.back
        return redirect(after + "#main")  # a fragment of its own: the form's #review is not carried over


def _problem_text(problem: ContentError, lang: str, with_place: bool = False) -> str:
    message = str(translate(problem.message, lang))
    if problem.hint:
        message += " — " + str(translate(problem.hint, lang))
    if with_place:
        message = f"{problem.path}:{problem.line}: {message}"
    return message


def _mark_lines(widgets: list[Widget], shown: str, checked: Checked, lang: str) -> None:
    """The raw editor shows every problem of its file beside its line."""
    for widget in widgets:
        widget.marks = {}
        for problem in checked.own:
            if problem.path == shown:
                widget.marks.setdefault(problem.line, []).append(_problem_text(problem, lang))


def _locator(draft: Draft) -> Callable[[int, int], str | None]:
    """Finds the input a problem's line and column are at, in the draft's YAML file."""
    text = draft.files.get(draft.rel) if draft.rel else None
    if not text or not draft.names:
        return lambda line, column: None
    try:
        data = yt.load_front_matter(text).facts.data if draft.offset else yt.load(text).data
    except yt.YamlSyntaxError:
        return lambda line, column: None
    spots = list(yt.walk_lines(data))

    def find(line: int, column: int) -> str | None:
        best: yt.Path_ | None = None
        for spot_line, spot_column, path in spots:
            if (spot_line + draft.offset, spot_column) <= (line, column):
                best = path
        while best is not None:
            if best in draft.names:
                return draft.names[best]
            best = best[:-1] if best else None
        return None

    return find


def _attach(widgets: list[Widget], at: dict[str, list[str]]) -> list[str]:
    """Give each widget its problems; return those no widget took."""
    left = dict(at)

    def visit(widget: Widget) -> None:
        for name in (widget.name, f"{widget.name}.@mode", f"{widget.name}.@ref", f"{widget.name}~en"):
            if name in left:
                widget.problems += left.pop(name)
        for child in [*widget.children, *widget.items]:
            visit(child)

    for widget in widgets:
        visit(widget)
    return [text for texts in left.values() for text in texts]
