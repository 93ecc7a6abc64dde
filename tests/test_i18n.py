"""Every message and theme string is translated in every language, and messages keep their meaning."""

from __future__ import annotations

import pickle
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sitegen.i18n import LANGUAGES, LOCALE_DIR, Message, _, load_catalog, ngettext, translate

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)s")


def _used_msgids() -> dict[str | tuple[str, str], str]:
    """Every msgid in sitegen's code and the theme's templates, found with Babel's own extractors and the
    mapping in pyproject.toml (the one `pybabel extract` uses), with where it is."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["babel"]
    method_map = [(m["pattern"], m["method"]) for m in config["mappings"]]
    options_map = {
        m["pattern"]: {k: str(v) for k, v in m.items() if k not in ("pattern", "method")} for m in config["mappings"]
    }
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, callback=None
    ):
        if isinstance(message, (list, tuple)):
            message = (message[0], message[1])
        found.setdefault(message, f"{filename}:{lineno}")
    return found


USED = _used_msgids()


def test_the_extractors_find_code_and_templates() -> None:
    places = " ".join(USED.values())
    assert "sitegen/content/validate.py" in places and "themes/default/templates/" in places
    assert "unknown key `{key}` in {what}" in USED
    assert len(USED) > 300


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_msgid_has_a_translation(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "sitegen.po").open("rb") as po:
        catalog = read_po(po)
    missing = []
    for msgid, where in USED.items():
        entry = catalog.get(msgid)
        strings = (entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]) if entry else []
        if not strings or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], f"untranslated in {lang}.po (run pybabel extract/update, see CONTRIBUTING.md)"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_translations_keep_every_placeholder(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "sitegen.po").open("rb") as po:
        catalog = read_po(po)
    wrong = []
    for entry in catalog:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, (list, tuple)) else [entry.id]
        strings = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        wanted = set(PLACEHOLDER.findall(ids[0]))
        wrong += [f"{ids[0]!r} → {s!r}" for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert wrong == []


def test_a_message_is_english_text_and_says_itself_in_chinese() -> None:
    message = _("`{value}` is not a date: there is no month {month}", value="2026-13-01", month=13)
    assert message == "`2026-13-01` is not a date: there is no month 13"
    assert translate(message, "zh") == "`2026-13-01` 不是有效日期：没有 13 月"
    assert translate(message, "en") == message
    assert translate("plain text", "zh") == "plain text"


def test_values_that_are_messages_are_translated_too() -> None:
    message = _("unknown key `{key}` in {what}", key="floor", what=_("a building"))
    assert message == "unknown key `floor` in a building"
    assert translate(message, "zh") == "楼栋中有不认识的键 `floor`"


def test_plurals() -> None:
    assert ngettext("{count} error", "{count} errors", 1) == "1 error"
    assert ngettext("{count} error", "{count} errors", 3) == "3 errors"
    assert translate(ngettext("{count} error", "{count} errors", 3), "zh") == "3 个错误"


def test_messages_survive_the_build_cache() -> None:
    message = _("the notice expired on {date} but is still pinned", date="2026-10-01")
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Message) and again == message
    assert translate(again, "zh") == "通知已于 2026-10-01 过期，但仍然置顶"


def _catalog_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "LC_MESSAGES"
    folder.mkdir()
    (folder / "sitegen.po").write_bytes((LOCALE_DIR / "zh" / "LC_MESSAGES" / "sitegen.po").read_bytes())
    return folder


def test_a_compiled_catalog_is_kept_beside_its_po_and_used_while_the_po_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiling a .po takes Babel longer than the rest of sitegen's start: the compiled catalog is kept,
    named by the .po's digest, used while the .po is the same, and made again when it changes or is
    damaged."""
    from sitegen import i18n

    folder = _catalog_folder(tmp_path)
    assert load_catalog(folder, "zh").gettext("Unit heads") == "单元长"
    (kept,) = folder.glob("sitegen-*.mo")
    assert kept.stat().st_mode & 0o777 == 0o644

    def not_compiled(source: bytes, lang: str) -> bytes:
        raise AssertionError("compiled again")

    with monkeypatch.context() as patched:
        patched.setattr(i18n, "compiled_catalog", not_compiled)
        catalog = load_catalog(folder, "zh")
    assert catalog.gettext("Unit heads") == "单元长"
    plural = ("the list needs at least {count} item", "the list needs at least {count} items")
    assert catalog.ngettext(*plural, 2) == "列表至少需要 {count} 项"

    po = folder / "sitegen.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "单元长"', 'msgstr "单元长（楼长）"'), encoding="utf-8"
    )
    assert load_catalog(folder, "zh").gettext("Unit heads") == "单元长（楼长）"
    (replaced,) = folder.glob("sitegen-*.mo")  # the older one removed
    assert replaced != kept

    replaced.write_bytes(replaced.read_bytes()[:100])  # cut short
    assert load_catalog(folder, "zh").gettext("Unit heads") == "单元长（楼长）"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_catalog_whose_folder_cannot_be_written_is_compiled_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen import i18n

    folder = _catalog_folder(tmp_path)

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(i18n.tempfile, "NamedTemporaryFile", read_only)
    assert load_catalog(folder, "zh").gettext("Unit heads") == "单元长"
    assert sorted(p.name for p in folder.iterdir()) == ["sitegen.po"]


def test_messages_need_no_babel_once_the_catalogs_are_compiled() -> None:
    """Babel's catalog and dates modules read every time zone of the system when imported (some 50 ms):
    a command that formats no date starts without them."""
    import subprocess
    import sys

    script = "import sys, sitegen.cli, sitegen.build; from sitegen.i18n import translations; "
    script += "translations('zh'); translations('en'); print(sorted(m for m in sys.modules if m.startswith('babel.')))"
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)  # compiles and keeps them
    shown = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert shown.strip() == "[]"
