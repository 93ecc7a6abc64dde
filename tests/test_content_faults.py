"""What an editor's machine puts in a content folder besides good files, and text that hides its meaning.

Named pipes, sockets and devices, names that are not UTF-8, folders that cannot be read, invisible
characters, control characters written as escapes, a year mistyped far ahead: each is a located
message from `check` and the same from `build`, never a hang or an internal error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.build import settled_date
from sitegen.cli import main
from sitegen.content.parse import RawDocument, parse_yaml
from tests.conftest import BUILD_EPOCH, ROOT
from tests.helpers import write_site

NOTICE = "---\ntitle: 停水通知\ndate: {date}\n---\n请提前储水，咨询电话 139 0000 0301。\n"
TIMEOUT = 120  # seconds: far more than any check of a small site takes; a hang would wait for ever


def run(*argv: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """sitegen in a process of its own, which may not hang."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": BUILD_EPOCH, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *argv, "--lang", "en"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def check_and_build(content: Path, tmp_path: Path) -> tuple[str, str]:
    """Run check and build; both must fail with the same located problems and write nothing."""
    checked = run("check", "--content", str(content))
    built = run("build", "--content", str(content), "--output", str(tmp_path / "output"))
    for done in (checked, built):
        assert done.returncode == 1, done.stdout + done.stderr
        assert "internal error" not in done.stderr
    assert checked.stdout == built.stdout
    assert not (tmp_path / "output").exists()
    return checked.stdout, checked.stderr


# --- special files -----------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
@pytest.mark.parametrize(
    "rel",
    [
        "site.yaml",
        "neighborhoods/hexie/neighborhood.yaml",
        "neighborhoods/hexie/pact.md",
        "neighborhoods/hexie/pact.en.md",
        "neighborhoods/hexie/notices/2026-11-20-water.md",
        "neighborhoods/hexie/notices/2026-11-20-water.en.md",
        "neighborhoods/hexie/photos/gate.jpg",
        "notices/2026-11-20-water.md",
        "neighborhoods",
        "neighborhoods/qinghe",
        "notices",
        "README.md",
    ],
)
def test_a_named_pipe_anywhere_is_named_and_nothing_waits(rel: str, tmp_path: Path) -> None:
    content = write_site(tmp_path, {"neighborhoods/hexie/pact.md": "1. 爱护公共设施。\n"})
    path = content / rel
    if path.is_dir():
        for inner in sorted(path.rglob("*"), reverse=True):
            inner.rmdir() if inner.is_dir() else inner.unlink()
        path.rmdir()
    elif path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    out, _err = check_and_build(content, tmp_path)
    message = "error: this is a named pipe (FIFO), not a file; sitegen reads only files and folders"
    assert f"content/{rel}:1:1: {message}" in out.replace(str(tmp_path) + "/", "")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets are a POSIX feature")
def test_a_socket_is_named(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    (content / "notices").mkdir()
    # A socket's path must be short: bind it in a short folder and move it into the content.
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        listener = socket.socket(socket.AF_UNIX)
        try:
            listener.bind(os.path.join(short, "s"))
            os.rename(os.path.join(short, "s"), content / "notices" / "2026-11-20-water.md")
            out, _err = check_and_build(content, tmp_path)
        finally:
            listener.close()
    assert "notices/2026-11-20-water.md:1:1: error: this is a socket, not a file" in out


def test_a_device_is_named_and_never_read(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    target = content / "neighborhoods" / "hexie" / "pact.md"
    try:
        os.mknod(target, 0o644 | 0o020000, os.makedev(1, 5))  # a character device: /dev/zero
    except (OSError, AttributeError):
        try:
            target.symlink_to("/dev/zero")  # a link to one is the same to sitegen
        except OSError:
            pytest.skip("cannot make a device file or a link to one here")
    out, _err = check_and_build(content, tmp_path)
    assert "neighborhoods/hexie/pact.md:1:1: error: " in out


# --- names that are not UTF-8 ---------------------------------------------------------------------------


def _odd_name(folder: Path, name: bytes) -> Path:
    try:
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))
        path.write_text("x", encoding="utf-8") if name.endswith(b".md") else path.mkdir()
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("neighborhoods", b"\xba\xcd\xd0\xb3"),  # 和谐 in GBK: partly valid UTF-8 by chance
        ("neighborhoods/hexie/notices", b"caf\xe9.md"),
        ("notices", b"\xcd\xa3\xcb\xae\xa1.md"),
        (".", b"\xd7\xca\xc1\xcf"),  # 资料
        ("neighborhoods/hexie", b"\xd5\xd5\xc6\xac"),  # 照片
    ],
)
def test_a_name_that_is_not_utf8_is_shown_safely(folder: str, name: bytes, tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    (content / folder).mkdir(parents=True, exist_ok=True)
    _odd_name(content / folder, name)
    out, _err = check_and_build(content, tmp_path)
    out.encode("utf-8")  # printable as it is
    shown = name.decode("utf-8", "backslashreplace")
    where = f"{folder}/{shown}" if folder != "." else shown
    relative = out.replace(str(content) + "/", "content/")
    assert f"content/{where}:1:1: error: the name `{shown}` is not valid UTF-8 text" in relative


# --- folders that cannot be read ---------------------------------------------------------------------------


@pytest.fixture
def readable_tmp() -> Iterator[Path]:
    """A temporary folder every user may enter (pytest's own is its owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="sitegen-"))
    folder.chmod(0o755)
    yield folder
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o700)
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _check_as_someone_else(content: Path) -> tuple[int, str]:
    """`sitegen check` in a child process, as a user without special rights when run by root (root reads
    every folder, whatever its permissions say). The child is forked: it needs no Python of its own."""
    import encodings.gb18030  # noqa: F401  (what the child may need, loaded while it can be)
    import encodings.utf_8_sig  # noqa: F401

    from sitegen.i18n import translations

    translations("en")
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's work is judged by the parent
        code = 70
        try:
            os.close(reading)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = main(["check", "--lang", "en", "--content", str(content)])
            os.write(writing, out.getvalue().encode("utf-8"))
        finally:
            os._exit(code)
    os.close(writing)
    with os.fdopen(reading, "rb") as stream:
        said = stream.read().decode("utf-8")
    _pid, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status), said


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX permissions, tested in a forked child")
@pytest.mark.parametrize(
    ("rel", "mode"),
    [
        ("neighborhoods/qinghe", 0o000),
        ("neighborhoods/hexie/notices", 0o300),
        ("notices", 0o000),
        ("neighborhoods/hexie/neighborhood.yaml", 0o000),
        ("neighborhoods", 0o300),
    ],
)
def test_what_cannot_be_read_is_located(rel: str, mode: int, readable_tmp: Path) -> None:
    content = write_site(
        readable_tmp,
        {
            "neighborhoods/qinghe/neighborhood.yaml": "name: 清河苑\nverified_on: 2026-11-01\n",
            "neighborhoods/hexie/notices/2026-11-20-water.md": NOTICE.format(date="2026-11-20"),
            "notices/2026-11-20-water.md": NOTICE.format(date="2026-11-20"),
        },
    )
    for path in [content, *content.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (content / rel).chmod(mode)
    code, said = _check_as_someone_else(content)
    assert code == 1, said
    assert "internal error" not in said
    assert re.search(rf"{re.escape(str(content / rel))}:1:1: error: cannot read the (folder|file): ", said), said


# --- text that hides its meaning ---------------------------------------------------------------------------


def test_bidi_and_zero_width_characters_never_reach_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(
        tmp_path,
        {
            "neighborhoods/hexie/neighborhood.yaml": (
                "name: 和谐\u202e家园\nverified_on: 2026-11-01\ngrid: '01'\nproperty_phone: 139\u200b0000\u200b0301\n"
                'property_manager:\n  name: "李\\u202e强"\n  phone: "139 0000\\u2066 0302"\nbuildings:\n  - id: 1\n'
            ),
            "neighborhoods/hexie/notices/2026-11-20-water.md": NOTICE.format(date="2026-11-20").replace(
                "咨询电话", "咨询电话\u202e"
            ),
        },
    )
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("warning: the ") == 5 and "U+202E RIGHT-TO-LEFT OVERRIDE" in out
    assert "\u202e" not in out and "\u200b" not in out  # the messages never print them either
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.html")]
    assert not any(re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", page) for page in pages)
    page = (tmp_path / "out" / "hexie" / "index.html").read_text(encoding="utf-8")
    assert 'href="tel:13900000301"' in page and 'href="tel:13900000302"' in page and "和谐家园" in page


def test_an_emoji_keeps_its_joiner(tmp_path: Path) -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    content = write_site(tmp_path, {"notices/2026-11-20-party.md": NOTICE.format(date="2026-11-20") + family + "\n"})
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    assert family in (tmp_path / "out" / "notices" / "2026-11-20-party.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("escape", ["\\x07", "\\a", "\\0", "\\e", "\\x1b", "\\u0085x\\x00"])
def test_a_control_character_written_as_an_escape_is_an_error(escape: str, tmp_path: Path) -> None:
    content = write_site(tmp_path, {"notices/2026-11-20-water.md": NOTICE.format(date="2026-11-20")})
    notice = content / "notices" / "2026-11-20-water.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("title: 停水通知", f'title: "停水{escape}通知"'))
    out, _err = check_and_build(content, tmp_path)
    assert "notices/2026-11-20-water.md:2:8: error: the text contains a control character" in out


# --- the date a site is built as of ----------------------------------------------------------------------


def test_one_mistyped_year_does_not_move_the_build_date() -> None:
    day = dt.date
    assert settled_date([day(2026, 11, 1), day(2026, 11, 20), day(2099, 11, 20)]) == day(2026, 11, 20)
    assert settled_date([day(2026, 11, 20), day(2099, 1, 1), day(2209, 1, 1)]) == day(2026, 11, 20)
    assert settled_date([day(2026, 11, 20), day(2027, 6, 1)]) == day(2027, 6, 1)  # within a year: real
    assert settled_date([day(2099, 1, 1)]) == day(2099, 1, 1)
    assert settled_date([]) == day(2000, 1, 1)


def test_without_a_date_from_outside_a_typo_archives_nothing(tmp_path: Path) -> None:
    content = write_site(
        tmp_path,
        {
            "notices/2026-11-18-water.md": NOTICE.format(date="2026-11-18").replace(
                "---\n请", "expires: 2026-11-30\n---\n请"
            ),
            "notices/2026-11-20-typo.md": NOTICE.format(date="2099-11-20"),
        },
    )
    out = tmp_path / "out"
    done = run("build", "--content", str(content), "--output", str(out), env={"SOURCE_DATE_EPOCH": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "notices/2026-11-20-typo.md:3:7: warning: `date: 2099-11-20` is more than a year after 2026-11-18" in (
        done.stdout
    )
    current = (out / "notices" / "index.html").read_text(encoding="utf-8")
    assert "2026-11-18-water.html" in current  # still current: it expires on 30 November


# --- where a problem inside a block of text is ----------------------------------------------------------


def test_positions_inside_a_block_scalar_are_the_files() -> None:
    text = "name: x\nintro: |\n  第一行\n\n    缩进的一行 [a](b)\nnext: 1\n"
    doc = RawDocument("t.yaml", "t.yaml", text.split("\n"), None)
    root, problems = parse_yaml(doc, text)
    assert root is not None and not problems
    node = root.entries["intro"].value
    offset = node.text.index("[a]")
    assert doc.position(node, offset) == (5, 11)
    assert doc.position(node, node.text.index("第一行")) == (3, 3)


def test_positions_inside_folded_and_quoted_text_are_found_on_their_line() -> None:
    text = 'a: >\n  一行\n  两行 [x](y)\nb: "一 \n  二 [z](w)"\n'
    doc = RawDocument("t.yaml", "t.yaml", text.split("\n"), None)
    root, _problems = parse_yaml(doc, text)
    assert root is not None
    folded, quoted = root.entries["a"].value, root.entries["b"].value
    assert doc.position(folded, folded.text.index("[x]")) == (3, 6)
    assert doc.position(quoted, quoted.text.index("[z]")) == (5, 5)
