"""The editor's pages: the overviews, and the task behind each form (see ``flow`` for how a task goes)."""

from __future__ import annotations

from collections.abc import Callable

from sitegen.content.markdown import render_markdown
from sitegen.edit import notices, pages, sections
from sitegen.edit.drafts import Draft
from sitegen.edit.editor import owner_of
from sitegen.edit.fields import Form
from sitegen.edit.flow import Flow, Request, Response, Task, owner_url
from sitegen.edit.folder import ContentFolder, OutsideContent, Owner
from sitegen.edit.workspace import today
from sitegen.i18n import _


class Views(Flow):
    """Renders the pages of one editor, in one language."""

    # Overviews.

    def home(self, request: Request) -> Response:
        saves = self.editor.repository.saves(5)
        return self.render(
            "home.html",
            request,
            title=self.say(_("What do you want to change?")),
            community=self.folder.community(),
            neighborhoods=self.folder.neighborhoods(),
            saves=saves,
        )

    def owner(self, request: Request, owner: Owner) -> Response:
        if request.method == "POST":
            return self._owner_action(request, owner)
        data = self.folder.yaml(owner.rel) or {}
        return self.render(
            "owner.html",
            request,
            title=owner.name,
            owner=owner,
            sections=sections.sections(owner),
            notices=notices.listing(self.folder, owner),
            expired=lambda notice: bool(notice.expires) and notice.expires < today().isoformat(),
            verified=str(data.get("verified_on") or "") if isinstance(data, dict) else "",
            today=today().isoformat(),
            files=[rel for rel in self.folder.files() if owner_of(self.folder, rel).slug == owner.slug],
            has_pact=bool(owner.slug),
        )

    def _owner_action(self, request: Request, owner: Owner) -> Response:
        form = request.form
        action, rel = form.get("do", ""), form.get("notice", "")
        back = owner_url(owner)
        if rel and (not rel.startswith(owner.notices + "/") or rel not in self.folder.notice_files(owner)):
            return self.message(request, self.say(_("Not found")), self.say(_("there is no such notice")), 404, back)
        tasks: dict[str, Callable[[ContentFolder, Form, dict[str, str]], Draft]] = {
            "pin": lambda d, f, b: notices.pinning(d, owner, rel, True, b.get(rel, "")),
            "unpin": lambda d, f, b: notices.pinning(d, owner, rel, False, b.get(rel, "")),
            "takedown": lambda d, f, b: notices.takedown(d, owner, rel, b),
            "verify": lambda d, f, b: sections.verified_today(d, owner, today().isoformat(), b.get(owner.rel, "")),
        }
        if action not in tasks:
            return self.message(request, self.say(_("Not found")), self.say(_("unknown action")), 404, back)
        files = [owner.rel] if action == "verify" else [rel, *self.folder.translations(rel)]
        title = {
            "pin": _("Pin a notice"),
            "unpin": _("Unpin a notice"),
            "takedown": _("Take a notice down"),
            "verify": _("Mark the contact data as checked today"),
        }[action]
        task = Task(self.say(title), owner, back, files, tasks[action])
        return self.run(request, task, f"{back}?do={action}", {"do": action, "notice": rel})

    def section(self, request: Request, owner: Owner, ident: str) -> Response:
        part = sections.section(owner, ident)
        if part.kind == "keys":
            return self.run(request, self._section_task(owner, part, None), request.path)
        listed = sections.items(self.folder.yaml(owner.rel) or {}, owner, part)
        return self.render("section.html", request, title=self.say(part.title), owner=owner, part=part, items=listed)

    def _section_task(self, owner: Owner, part: sections.Section, item: str | None) -> Task:
        back = owner_url(owner) if part.kind == "keys" else f"{owner_url(owner)}s/{part.id}/"
        title = self.say(part.title)
        if part.kind != "keys":
            title = (
                self.say(_("{section}: new", section=title))
                if item is None
                else self.say(_("{section}: {item}", section=title, item=self._item_title(owner, part, item)))
            )
        return Task(
            title,
            owner,
            back,
            [owner.rel],
            lambda folder, form, bases: sections.draft(folder, owner, part, item, form, bases.get(owner.rel, "")),
            lambda form, adding: sections.widgets(self.folder, owner, part, item, form, self.lang, adding),
        )

    def _item_title(self, owner: Owner, part: sections.Section, item: str) -> str:
        for found in sections.items(self.folder.yaml(owner.rel) or {}, owner, part):
            if found.key == item:
                return found.title
        raise OutsideContent(self.say(_("there is no such item: {name}", name=item)))

    def item(self, request: Request, owner: Owner, ident: str, item: str) -> Response:
        part = sections.section(owner, ident)
        if part.kind == "keys":
            raise OutsideContent(self.say(_("there is no such item: {name}", name=item)))
        key = None if item == "new" else item
        if key is not None:
            self._item_title(owner, part, key)  # the item exists
        if request.method == "POST" and request.form.get("do") == "remove" and key is not None:
            task = Task(
                self.say(_("Remove: {name}", name=self._item_title(owner, part, key))),
                owner,
                f"{owner_url(owner)}s/{part.id}/",
                [owner.rel],
                lambda folder, form, bases: sections.removal(folder, owner, part, key, bases.get(owner.rel, "")),
            )
            return self.run(request, task, request.path, {"do": "remove"})
        return self.run(request, self._section_task(owner, part, key), request.path, removable=key is not None)

    # Notices, the pact, a new neighborhood, the raw editor.

    def notice(self, request: Request, owner: Owner, name: str) -> Response:
        rel = None if name == "new" else f"{owner.notices}/{name}"
        if rel is not None and rel not in self.folder.notice_files(owner):
            raise OutsideContent(self.say(_("there is no such notice")))
        day = today().isoformat()
        files = [rel, *self.folder.translations(rel)] if rel else []
        if rel:
            files = sorted({*files, rel.removesuffix(".md") + ".en.md"})
        task = Task(
            self.say(_("Post a notice") if rel is None else _("Change a notice")),
            owner,
            owner_url(owner),
            files,
            lambda folder, form, bases: notices.draft(folder, owner, rel, form, bases, day),
            lambda form, adding: notices.widgets(self.folder, owner, rel, form, self.lang, day),
        )
        return self.run(request, task, request.path)

    def pact(self, request: Request, owner: Owner) -> Response:
        task = Task(
            self.say(_("Resident pact")),
            owner,
            owner_url(owner),
            [owner.pact, owner.pact.removesuffix(".md") + ".en.md"],
            lambda folder, form, bases: pages.pact_draft(folder, owner, form, bases),
            lambda form, adding: pages.pact_widgets(self.folder, owner, form, self.lang),
        )
        return self.run(request, task, request.path)

    def new_neighborhood(self, request: Request) -> Response:
        community = self.folder.community()

        def make(folder: ContentFolder, form: Form, bases: dict[str, str]) -> Draft:
            return pages.neighborhood_draft(folder, form, today())

        task = Task(
            self.say(_("Add a neighborhood")),
            community,
            "/",
            [],
            make,
            lambda form, adding: pages.neighborhood_widgets(form, self.lang),
            intro=self.say(_("A new neighborhood starts from a commented example; fill in its name card next.")),
        )
        return self.run(request, task, request.path)

    def raw(self, request: Request, rel: str) -> Response:
        if not rel:
            return self.render("files.html", request, title=self.say(_("All content files")), files=self.folder.files())
        self.folder.editable(rel)
        if self.folder.read(rel) is None:
            raise OutsideContent(self.say(_("there is no file {path}", path=rel)))
        return pages.raw_page(self, request, rel)

    def history(self, request: Request) -> Response:
        if request.method == "POST":
            task = Task(
                self.say(_("Undo the last save")),
                self.folder.community(),
                "/history",
                [],
                lambda folder, form, bases: self.editor.undo_draft(),
            )
            return self.run(request, task, "/history", {"do": "undo"})
        return self.render("history.html", request, title=self.say(_("Saves")), saves=self.editor.repository.saves(30))

    def markdown(self, request: Request) -> Response:
        return Response(200, str(render_markdown(request.form.get("text", ""))).encode("utf-8"))

    def preview(self, request: Request, token: str, dest: str) -> Response:
        path, problems = self.editor.workspace.page(token, dest or "index.html")
        if path is None:
            text = (
                "\n".join(problems)
                if problems
                else self.say(_("This preview is no longer kept; check the change again."))
            )
            return self.message(request, self.say(_("No preview")), text, 404)
        kind = {
            ".html": "text/html; charset=utf-8",
            ".css": "text/css",
            ".svg": "image/svg+xml",
            ".js": "text/javascript",
        }
        return Response(200, path.read_bytes(), kind.get(path.suffix, "application/octet-stream"))
