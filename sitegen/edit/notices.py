"""Notices in the editor: post one under a readable ASCII file name, change it, pin or unpin it, take it down."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from ruamel.yaml.comments import CommentedMap

from sitegen.content import format as cf
from sitegen.content.load import SLUG_RE
from sitegen.edit import yamltext as yt
from sitegen.edit.drafts import Draft
from sitegen.edit.fields import PREFIX, Builder, Change, Form, Widget, english_of, say, text_of
from sitegen.edit.folder import ContentFolder, Owner
from sitegen.edit.reader import Reader
from sitegen.errors import SitegenError
from sitegen.i18n import Message, _, in_chinese

BODY, SLUG = f"{PREFIX}.@body", f"{PREFIX}.@slug"
ENGLISH_BODY = f"{BODY}~en"
MOST_WORDS = 8  # syllables or words of a title that go into a file name
MOST_SLUG = 48


def slug_of(text: str) -> str:
    """Lowercase ASCII words joined by dashes, from Chinese (in pinyin) or any other text."""
    words: list[str] = []
    for part in lazy_pinyin(unicodedata.normalize("NFKC", text)):
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().lower()
        words += re.findall(r"[a-z0-9]+", ascii_text)
    slug = "-".join(words[:MOST_WORDS])
    return slug[:MOST_SLUG].rstrip("-")


def file_name(date: str, title: str, asked: str, taken: set[str]) -> str:
    """``2026-11-25-ting-shui-tong-zhi.md``: the date, then the slug asked for or the title's; never one taken."""
    slug = slug_of(asked) or slug_of(text_of(title)) or "notice"
    stem = f"{date}-{slug}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else slug
    name, number = f"{stem}.md", 2
    while name in taken:
        name, number = f"{stem}-{number}.md", number + 1
    return name


def _title(front: yt.FrontMatter | None) -> str:
    return text_of(front.facts.data.get("title")) if front else ""


def _english_rel(rel: str) -> str:
    return rel.removesuffix(".md") + ".en.md"


@dataclass
class NoticeFiles:
    """A notice as it is on disk: its path, its facts and text, and its English text if there is one."""

    rel: str
    front: yt.FrontMatter
    english: str | None


def read(folder: ContentFolder, rel: str) -> NoticeFiles:
    text = folder.text(rel)
    if text is None:
        raise SitegenError(_("there is no notice {path}", path=rel))
    return NoticeFiles(rel, yt.load_front_matter(text), folder.text(_english_rel(rel)))


def widgets(
    folder: ContentFolder, owner: Owner, rel: str | None, form: Form | None, lang: str, today: str
) -> list[Widget]:
    """The inputs of a notice's form: its facts, its text (and English text), and for a new one its file name."""
    choices = folder.choices(owner)
    notice = read(folder, rel) if rel else None
    facts = notice.front.facts.data if notice else CommentedMap(date=today)
    shown = Builder(choices, form, lang).record(cf.NOTICE, facts, PREFIX)
    for widget in shown:
        if widget.name == f"{PREFIX}.pinned":
            widget.kind = "check"
    body = Widget("markdown", BODY, say(_("text of the notice"), lang), required=True)
    body.value = form.get(BODY, "") if form is not None else (notice.front.body.strip("\n") if notice else "")
    shown.append(body)
    if choices.english or (notice and notice.english is not None):
        english = Widget("markdown", ENGLISH_BODY, say(_("English text (optional)"), lang))
        english.value = (
            form.get(ENGLISH_BODY, "") if form is not None else (notice.english or "").strip("\n") if notice else ""
        )
        shown.append(english)
    if rel is None:
        slug = Widget("text", SLUG, say(_("file name (optional: made from the date and title)"), lang))
        slug.value = form.get(SLUG, "") if form is not None else ""
        slug.hint = say(_("lowercase letters, digits and dashes, e.g. water-outage"), lang)
        shown.append(slug)
    return shown


def _body(old: str, new: str) -> str:
    """The text as the file holds it: after a blank line, ending in one newline."""
    lead = old[: len(old) - len(old.lstrip("\n"))] if old.strip() else "\n"
    return lead + new.replace("\r\n", "\n").strip("\n") + "\n"


def draft(folder: ContentFolder, owner: Owner, rel: str | None, form: Form, bases: dict[str, str], today: str) -> Draft:
    """The draft of a notice's form: a new notice file, or the changed one."""
    notice = read(folder, rel) if rel else None
    front = notice.front if notice else yt.load_front_matter("---\n---\n")
    form = dict(form)
    pinned = text_of(front.facts.data.get("pinned")).lower()
    if f"{PREFIX}.pinned" not in form:
        form[f"{PREFIX}.pinned"] = pinned if pinned in ("false", "no", "否") else ""
    title = _title(front) or form.get(f"{PREFIX}.title", "").strip()
    where = [in_chinese(_("notice 「{title}」", title=title))] if notice else []
    reader = Reader(form, where)
    reader.record(cf.NOTICE, front.facts.data, PREFIX, (), None)
    changes = reader.changes
    new_body = form.get(BODY, "").replace("\r\n", "\n").strip()
    if not new_body:
        reader.missing[BODY] = _("write what residents need to know")
    if new_body != front.body.strip():
        changes.append(Change(("body",), [*where, in_chinese(_("text"))], front.body.strip(), new_body))
        front.body = _body(front.body, new_body)
    files: dict[str, str | None] = {}
    if rel is None:
        rel = _new_name(folder, owner, form)
        title = text_of(front.facts.data.get("title"))
        changes = [Change((), [in_chinese(_("notice 「{title}」", title=title))], "", rel.rsplit("/", 1)[-1], "add")]
    files[rel] = front.text()
    _english(folder, form, rel, notice, files, changes, where)
    made = Draft(owner, files, {path: bases.get(path, "") for path in files}, changes, preview=page_of(owner, rel))
    made.missing, made.names, made.rel, made.offset = reader.missing, reader.names, rel, 1
    if notice is None:
        made.summary = _("post the notice 「{title}」", title=title)
    return made


def _new_name(folder: ContentFolder, owner: Owner, form: Form) -> str:
    asked = form.get(SLUG, "").strip()
    taken = {path.rsplit("/", 1)[-1] for path in folder.notice_files(owner)}
    name = file_name(form.get(f"{PREFIX}.date", "").strip(), form.get(f"{PREFIX}.title", ""), asked, taken)
    if not SLUG_RE.match(name.removesuffix(".md")):
        raise SitegenError(_("cannot make a file name from {name}", name=name))
    return f"{owner.notices}/{name}"


def _english(
    folder: ContentFolder,
    form: Form,
    rel: str,
    notice: NoticeFiles | None,
    files: dict[str, str | None],
    changes: list[Change],
    where: list[str],
) -> None:
    if ENGLISH_BODY not in form:
        return
    new = form[ENGLISH_BODY].replace("\r\n", "\n").strip()
    old = (notice.english or "") if notice else ""
    if new == old.strip():
        return
    files[_english_rel(rel)] = new + "\n" if new else None
    if notice:
        changes.append(Change(("body", "en"), [*where, in_chinese(_("English text"))], old.strip(), new))


def page_of(owner: Owner, rel: str) -> str:
    """The notice's page on the website."""
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    return f"{owner.slug}/notices/{stem}.html" if owner.slug else f"notices/{stem}.html"


def pinning(folder: ContentFolder, owner: Owner, rel: str, pin: bool, base: str) -> Draft:
    """The draft that pins a notice (``pinned: true``) or unpins it (the line goes)."""
    notice = read(folder, rel)
    facts = notice.front.facts.data
    title = _title(notice.front)
    old = text_of(facts.get("pinned"))
    if pin:
        if "pinned" in facts:
            facts["pinned"] = yt.scalar("true", facts["pinned"])
        else:
            order = list(cf.NOTICE.fields)
            position = sum(1 for key in facts if key in order[: order.index("pinned")])
            facts.insert(position, "pinned", "true")
    elif "pinned" in facts:
        del facts["pinned"]
    what = [in_chinese(_("notice 「{title}」", title=title)), cf.NOTICE.fields["pinned"].label]
    changes = [Change(("pinned",), what, old, "true" if pin else "")] if (old == "true") != pin else []
    made = Draft(owner, {rel: notice.front.text()}, {rel: base}, changes, preview=owner.page)
    verb: Message = (
        _("pin the notice 「{title}」", title=title) if pin else _("unpin the notice 「{title}」", title=title)
    )
    made.summary = verb
    return made


def takedown(folder: ContentFolder, owner: Owner, rel: str, bases: dict[str, str]) -> Draft:
    """The draft that takes a notice down: its file (and its English text) go; git keeps them."""
    notice = read(folder, rel)
    title = _title(notice.front)
    files: dict[str, str | None] = {rel: None, **{path: None for path in folder.translations(rel)}}
    changes = [Change((), [in_chinese(_("notice 「{title}」", title=title))], rel.rsplit("/", 1)[-1], "", "remove")]
    made = Draft(owner, files, {path: bases.get(path, "") for path in files}, changes, preview=owner.page)
    made.summary = _("take down the notice 「{title}」", title=title)
    return made


@dataclass
class Listed:
    """A notice in the list of its owner's notices."""

    rel: str
    name: str
    title: str
    date: str
    expires: str
    pinned: bool
    english: str = ""


def listing(folder: ContentFolder, owner: Owner) -> list[Listed]:
    """The owner's notices, newest first, pinned ones first."""
    found = []
    for rel in folder.notice_files(owner):
        try:
            facts = read(folder, rel).front.facts.data
        except (SitegenError, yt.YamlSyntaxError):
            found.append(Listed(rel, rel.rsplit("/", 1)[-1], "", "", "", False))
            continue
        found.append(
            Listed(
                rel,
                rel.rsplit("/", 1)[-1],
                text_of(facts.get("title")),
                text_of(facts.get("date")),
                text_of(facts.get("expires")),
                text_of(facts.get("pinned")).lower() in ("true", "yes", "是"),
                english_of(facts.get("title")),
            )
        )
    found.sort(key=lambda n: (n.date, n.name), reverse=True)
    return sorted(found, key=lambda n: not n.pinned)
