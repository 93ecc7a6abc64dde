"""Trust: private data never reaches any output, hostile text stays inert, killed builds lose nothing."""

from __future__ import annotations

import gzip
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.cli import main
from sitegen.content.format import NEIGHBORHOOD, NOTICE, SITE
from sitegen.content.load import FRONT_MATTER_RE, translation_of
from sitegen.content.schema import Either, ListOf, MapOf, Record, Text
from tests.conftest import BUILD_EPOCH, ROOT

SITES = {"example": ROOT / "content", "minimal": ROOT / "tests" / "sites" / "minimal" / "content"}
VOLUNTEER_SLOTS = {
    ("buildings", "head"),
    ("units", "head"),
    ("grids", "helpers"),
    ("clubs", "contact"),
    ("projects", "contact"),
}


# --- privacy ------------------------------------------------------------------------------------------


def _phone_forms(phone: Any) -> set[str]:
    digits = re.sub(r"\D", "", str(phone))
    forms = {digits}
    if len(digits) == 11 and digits.startswith("1"):
        forms |= {f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"}
    elif digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        local = digits[area:]
        forms |= {f"{digits[:area]}-{local[:-4]} {local[-4:]}", f"{digits[:area]}-{local}"}
    return {f for f in forms if len(re.sub(r"\D", "", f)) >= 7}


def private_values(content: Path) -> set[str]:
    """Every name and phone that the content marks not public, read straight from the YAML.

    A phone hidden in one place (a volunteer slot) but published in another (an official one) is public.
    """
    found: set[str] = set()
    shown: set[str] = set()
    files = [content / "site.yaml", *sorted(content.glob("neighborhoods/*/neighborhood.yaml"))]
    shared = (yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8")) or {}).get("people") or {}

    def visit(value: Any, slot: tuple[str, str], local: dict[str, Any]) -> None:
        if isinstance(value, str):
            value = local.get(value) or shared.get(value)
        if not isinstance(value, dict) or "name" not in value:
            return
        if value.get("public") is False:
            found.add(str(value["name"]))
            found.update(_phone_forms(value.get("phone", "")))
            return
        default_public = slot not in VOLUNTEER_SLOTS
        if "phone" in value:
            published = value.get("phone_public", default_public)
            (shown if published else found).update(_phone_forms(value["phone"]))

    def walk(data: Any, parent: str, local: dict[str, Any]) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in ("head", "helpers", "contact", "worker", "police", "property_manager",
                           "community_leader", "instructor"):  # fmt: skip
                    for item in value if isinstance(value, list) else [value]:
                        visit(item, (parent, key), local)
                walk(value, key, local)
        elif isinstance(data, list):
            for item in data:
                walk(item, parent, local)

    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        local = data.get("people") or {}
        for person in {**local, **(shared if path.name == "site.yaml" else {})}.values():
            if isinstance(person, dict) and person.get("public") is False:
                visit(person, ("people", "people"), {})
        walk(data, "", local)
    return found - shown


ZERO_WIDTH_SPACE = "\u200b".encode()


def readable(path: Path) -> bytes:
    """A file's bytes as text would show them: the search index's gzipped files unpacked, and without
    the zero-width spaces Pagefind puts between the Chinese words it found."""
    data = path.read_bytes()
    if data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    return data.replace(ZERO_WIDTH_SPACE, b"")


@pytest.mark.parametrize("name", sorted(SITES))
def test_private_values_appear_in_no_output_byte(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    content = SITES[name]
    secrets = private_values(content)
    assert secrets, "the site should exercise privacy"
    out = tmp_path / "out"
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(out)]) == 0
    leaks = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = readable(path)
        leaks += [f"{path.relative_to(out)}: {s}" for s in secrets if s.encode("utf-8") in data]
    assert leaks == []


# --- hostile text ---------------------------------------------------------------------------------------

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "'><svg onload=window.__pwned=3>",
    "javascript:window.__pwned=4",
    "{{ site.name }}{% raw %}{% endraw %}",
    "</textarea></title><b onmouseover=window.__pwned=5>hover</b>",
    "&lt;script&gt;&amp;&#x3C;",
    "\u202e\u200b零宽\ufeff" + "很长的文字" * 8,
    "𠀀𪚥 emoji 🧯🚒 ١٢٣",
    "' OR 1=1 --",
]
HOSTILE_MARKDOWN = (
    '<script>window.__pwned=6</script>\n\n<iframe src="https://example.org"></iframe>\n\n'
    '<a href="https://example.org" onclick="window.__pwned=7">x</a> <img src=x onerror=window.__pwned=8>\n\n'
    "<style>body{display:none}</style> {{ 7*7 }} [ok](https://example.org/?q=<b>)\n"
)


def _hostile(record: Record, data: Any, strings: itertools.cycle[str]) -> Any:
    """The same data with every plain text field replaced by hostile strings (within its length limit)."""
    if not isinstance(data, dict):
        return data
    result = dict(data)
    for key, value in data.items():
        spec = record.fields.get(key)
        if spec is None:
            continue
        kind = spec.type
        if isinstance(kind, Either) and isinstance(value, dict):
            result[key] = _hostile(kind.mapping, value, strings)  # type: ignore[arg-type]
        elif isinstance(kind, Text) and isinstance(value, str):
            result[key] = next(strings)[: kind.max_length]
        elif isinstance(kind, Text) and isinstance(value, dict):  # the text in each language
            result[key] = {lang: next(strings)[: kind.max_length] for lang in value}
        elif isinstance(kind, Record):
            result[key] = _hostile(kind, value, strings)
        elif isinstance(kind, ListOf) and isinstance(value, list):
            item = kind.item
            if isinstance(item, Record):
                result[key] = [_hostile(item, v, strings) for v in value]
            elif isinstance(item, Either):
                result[key] = [_hostile(item.mapping, v, strings) if isinstance(v, dict) else v for v in value]  # type: ignore[arg-type]
            elif isinstance(item, Text):
                result[key] = [next(strings)[: item.max_length] for _ in value]
        elif isinstance(kind, MapOf) and isinstance(value, dict) and isinstance(kind.value, Record):
            result[key] = {k: _hostile(kind.value, v, strings) for k, v in value.items()}
    return result


def _dump(data: Any) -> str:
    def dates_as_text(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dates_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dates_as_text(v) for v in value]
        return value.isoformat() if hasattr(value, "isoformat") else value

    return yaml.safe_dump(dates_as_text(data), allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site with every text field and every Markdown body made hostile, built."""
    source = SITES["minimal"]
    content = tmp_path_factory.mktemp("hostile") / "content"
    strings = itertools.cycle(HOSTILE)
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        target = content / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        if path.name == "site.yaml":
            data = _hostile(SITE, yaml.safe_load(text), strings)
            data["intro"] = HOSTILE_MARKDOWN
            text = _dump(data)
        elif path.name == "neighborhood.yaml":
            text = _dump(_hostile(NEIGHBORHOOD, yaml.safe_load(text), strings))
        elif path.parent.name == "notices" and not translation_of(path.name):
            match = FRONT_MATTER_RE.match(text)
            assert match
            front = _hostile(NOTICE, yaml.safe_load(match.group(1)), strings)
            text = f"---\n{_dump(front)}---\n{HOSTILE_MARKDOWN}"
        elif path.suffix == ".md":
            text = HOSTILE_MARKDOWN
        target.write_text(text, encoding="utf-8")
    out = content.parent / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        assert main(["build", "--lang", "en", "--content", str(content), "--output", str(out)]) == 0
    return out


def test_hostile_text_reached_the_pages(hostile_site: Path) -> None:
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in home or "window.__pwned" in home
    assert "{{ site.name }}" in home or "{{ 7*7 }}" in home


def test_hostile_text_is_inert_in_a_browser(hostile_site: Path, browser: Any) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    problems = {}
    for path in sorted(hostile_site.rglob("*.html")):
        page.goto(path.as_uri())
        found = page.evaluate(
            """() => {
                const bad = [];
                if (window.__pwned) bad.push('script ran: ' + window.__pwned);
                for (const el of document.querySelectorAll('*')) {
                    for (const attr of el.attributes) {
                        if (/^on/i.test(attr.name)) bad.push(`${el.tagName} ${attr.name}`);
                        // A title or a page description is text, never followed: it may start with anything.
                        const description = el.tagName === 'META' && el.getAttribute('name') === 'description';
                        const text = description || attr.name === 'title';
                        const link = /^\\s*javascript:/i.test(attr.value);
                        if (link && !text) bad.push(`${el.tagName} ${attr.name}=javascript:`);
                    }
                }
                // The search page's form and script are the theme's own (only there, only those).
                const onSearch = location.pathname.endsWith('/search.html');
                const own = e => onSearch && (e.matches('main > form.search-form')
                    || /^(\\.\\.\\/)*assets\\/search\\.js\\?v=/.test(e.getAttribute('src') || ''));
                for (const tag of ['script', 'iframe', 'object', 'embed', 'style', 'img', 'textarea', 'form']) {
                    // The print index's own previews are the only frames sitegen writes.
                    const all = [...document.body.querySelectorAll(tag)];
                    const n = all.filter(e => !e.closest('.preview') && !own(e)).length;
                    if (n) bad.push(`${n} <${tag}>`);
                }
                return bad;
            }"""
        )
        if found:
            problems[str(path.relative_to(hostile_site))] = found
    page.close()
    assert dialogs == []
    assert problems == {}


# What sitegen writes (organisations carry Apple's X-ABShowAs, and a label on their number, grouped as item1.*).
VCARD_PROPERTIES = {
    "BEGIN",
    "VERSION",
    "N",
    "FN",
    "ORG",
    "TITLE",
    "TEL",
    "URL",
    "NOTE",
    "X-ABSHOWAS",
    "X-ABLABEL",
    "END",
}


def test_hostile_text_keeps_feeds_calendars_cards_and_data_well_formed(hostile_site: Path) -> None:
    import json
    from xml.etree import ElementTree

    import icalendar

    from tests.test_site_quality import parse

    titles = []
    for path in hostile_site.rglob("*.xml"):
        root = ElementTree.parse(path).getroot()
        titles += [t.text or "" for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>window.__pwned=1</script>" in t or "<svg onload" in t for t in titles), "hostile titles"
    for path in hostile_site.rglob("*.ics"):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        assert {c.name for c in cal.walk()} <= {"VCALENDAR", "VTIMEZONE", "STANDARD", "VEVENT"}, path
        assert all(len(e.get("SUMMARY", "")) > 0 and "RRULE" in e for e in cal.walk("VEVENT"))
    for path in hostile_site.rglob("*.vcf"):
        lines = path.read_bytes().decode("utf-8").replace("\r\n ", "").split("\r\n")
        # A property's name, without the group that ties a number to its label (item1.TEL, item1.X-ABLabel).
        names = [re.sub(r"^item\d+\.", "", line.partition(":")[0].split(";")[0]).upper() for line in lines if line]
        assert set(names) <= VCARD_PROPERTIES and names.count("BEGIN") == names.count("END"), path
    for path in hostile_site.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in hostile_site.rglob("*.html"):
        for block in parse(path).data_blocks:
            json.loads(block)  # the element ended where sitegen ended it, not inside the content
            assert "<" not in block and ">" not in block


def test_no_template_syntax_in_content_is_evaluated(hostile_site: Path) -> None:
    for path in hostile_site.rglob("*.html"):
        assert ">49<" not in path.read_text(encoding="utf-8"), path


# --- killed builds ----------------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killing_a_build_half_way_leaves_the_previous_output(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    out = tmp_path / "output"
    command = [sys.executable, "-m", "sitegen", "build", "--content", str(SITES["example"]), "--output", str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    before = _tree(out)
    for delay in (0.3, 0.6, 0.9, 1.2):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _tree(out) == before, f"killed after {delay}s"
    # The next build cleans up what the killed ones left behind.
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sitegen-cache", "output"]


def test_a_build_killed_between_the_two_renames_is_recovered(tmp_path: Path) -> None:
    from sitegen.publish.write import MARKER, recover

    out = tmp_path / "output"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    (out / "index.html").write_text("old", encoding="utf-8")
    # A dead process (pid 999999 does not exist) moved the output away and died.
    out.rename(tmp_path / ".output.old-999999")
    (tmp_path / ".output.tmp-999999").mkdir()
    recover(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_files_linked_from_outside_the_content_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import write_site

    secret = tmp_path / "secret.md"
    secret.write_text("1. 银行卡密码 123456\n", encoding="utf-8")
    outside_folder = tmp_path / "elsewhere"
    outside_folder.mkdir()
    (outside_folder / "neighborhood.yaml").write_text("name: 外部\nverified_on: 2026-11-01\n", encoding="utf-8")
    content = write_site(tmp_path, {})
    (content / "neighborhoods" / "hexie" / "pact.md").symlink_to(secret)
    (content / "neighborhoods" / "linked").symlink_to(outside_folder)
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    out = capsys.readouterr().out
    assert "hexie/pact.md:1:1: error: the file is a link to a place outside the content folder" in out
    assert "linked/neighborhood.yaml:1:1: error: the file is a link to a place outside the content folder" in out
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
