"""sitegen edit keeps the content safe: a password and a session cookie off this computer, CSRF tokens, requests
limited in size, nothing written outside the content folder; saves are committed, pushed, or refused whole."""

from __future__ import annotations

import http.client
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.edit.access import hash_password, verify_password
from sitegen.edit.folder import ContentFolder, OutsideContent
from tests.conftest import ROOT
from tests.edit_helpers import Client, EditorProcess, git

PASSWORD = "correct horse battery"
CARD = "/n/lanting-huayuan/s/card/"
LANTING = "neighborhoods/lanting-huayuan/neighborhood.yaml"


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[EditorProcess]:
    process = EditorProcess(tmp_path / "site", ROOT / "content")
    yield process
    assert process.stop() == 0, "".join(process.log)


def test_listening_elsewhere_needs_a_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edit", "--content", str(ROOT / "content"), "--host", "0.0.0.0", "--no-browser"]) == 1
    assert "SITEGEN_EDIT_PASSWORD" in capsys.readouterr().err


def test_passwords_are_kept_as_scrypt_hashes() -> None:
    made = hash_password(PASSWORD)
    assert made.startswith("scrypt$32768$8$1$") and PASSWORD not in made
    assert made != hash_password(PASSWORD)  # a new salt each time
    assert verify_password(PASSWORD, made) and not verify_password(PASSWORD + "x", made)
    assert not verify_password(PASSWORD, "md5$abc") and not verify_password(PASSWORD, "scrypt$1$2")


def test_hash_password_prints_a_hash_for_the_password_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "edit", "--hash-password"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert verify_password(PASSWORD, done.stdout.strip())


def _signed_in_client(process: EditorProcess) -> Client:
    client = Client(process.url)
    status, _headers, page = client.request("GET", "/")
    assert status == 401 and 'name="password"' in page
    fields, _page = client.form("/login")
    status, _headers, page = client.request("POST", "/login", {**fields, "password": "wrong password"})
    assert status == 401 and "密码不对" in page
    anonymous = client.cookie
    status, headers, _page = client.request("POST", "/login", {**fields, "password": PASSWORD, "name": "王芳"})
    assert status == 303 and client.cookie != anonymous
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
    return client


def test_another_address_asks_for_the_password_and_then_keeps_a_session(tmp_path: Path) -> None:
    process = EditorProcess(tmp_path / "site", ROOT / "content", "--host", "127.0.0.2", SITEGEN_EDIT_PASSWORD=PASSWORD)
    try:
        client = _signed_in_client(process)
        status, _headers, page = client.request("GET", "/")
        assert status == 200 and "兰亭花园" in page
        status, page = client.save(CARD, {"f.property_phone": "029-0000 2509"})
        assert status == 200 and "已保存" in page
        assert git(process.root, "log", "-1", "--format=%an").strip() == "王芳"
        stranger = Client(process.url)
        assert stranger.request("GET", CARD)[0] == 401
    finally:
        assert process.stop() == 0


def test_the_password_file_may_hold_a_hash(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(hash_password(PASSWORD) + "\n", encoding="utf-8")
    process = EditorProcess(tmp_path / "site", ROOT / "content", "--host", "127.0.0.2", "--password-file", str(secret))
    try:
        _signed_in_client(process)
    finally:
        assert process.stop() == 0


def test_too_many_wrong_passwords_make_one_wait(tmp_path: Path) -> None:
    process = EditorProcess(tmp_path / "site", ROOT / "content", "--host", "127.0.0.2", SITEGEN_EDIT_PASSWORD=PASSWORD)
    try:
        client = Client(process.url)
        fields, _page = client.form("/login")
        statuses = [client.request("POST", "/login", {**fields, "password": "nope"})[0] for _ in range(6)]
        assert statuses[:5] == [401] * 5 and statuses[5] == 429
        assert client.request("POST", "/login", {**fields, "password": PASSWORD})[0] == 429
    finally:
        assert process.stop() == 0


def test_forms_need_their_csrf_token_and_this_origin(editor: EditorProcess) -> None:
    client = Client(editor.url)
    fields, _page = client.form(CARD)
    fields["f.property_phone"] = "029-0000 2509"
    before = (editor.content / LANTING).read_bytes()
    assert client.request("POST", CARD, {**fields, "csrf": "forged", "step": "review"})[0] == 403
    headers = {"Origin": "http://evil.example"}
    assert client.request("POST", CARD, {**fields, "step": "review"}, headers)[0] == 403
    other = Client(editor.url)  # another browser: its own session, so this token is worth nothing there
    assert other.request("POST", CARD, {**fields, "step": "review"})[0] == 403
    status, _headers, page = client.request("POST", CARD, {**fields, "step": "review"})
    assert status == 200 and 'name="reviewed"' in page
    assert (editor.content / LANTING).read_bytes() == before


def test_on_this_computer_it_answers_only_to_its_own_names(editor: EditorProcess) -> None:
    client = Client(editor.url)
    assert client.request("GET", "/", headers={"Host": "evil.example"})[0] == 421
    assert client.request("GET", "/", headers={"Host": "localhost"})[0] == 200


def _announced(url: str, cookie: str, length: str | None) -> int:
    """The status of a POST that says it is ``length`` bytes long and sends nothing."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    connection.putrequest("POST", CARD)
    connection.putheader("Cookie", cookie)
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    if length is not None:
        connection.putheader("Content-Length", length)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_oversize_and_odd_requests_are_refused(editor: EditorProcess) -> None:
    client = Client(editor.url)
    fields, _page = client.form(CARD)
    assert _announced(editor.url, client.cookie, "5000000") == 413
    assert _announced(editor.url, client.cookie, None) == 411
    assert client.request("POST", CARD, fields, {"Content-Type": "text/plain"})[0] == 415
    many = {f"x{i}": "" for i in range(30_000)}
    assert client.request("POST", CARD, {**fields, **many})[0] == 413
    assert editor.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    "path", ["/raw/../site.yaml", "/raw/%2e%2e/%2e%2e/etc/passwd", "/raw/.git/config", "/raw//etc/passwd", "/raw/x.py"]
)
def test_no_path_leads_out_of_the_content_folder(editor: EditorProcess, path: str) -> None:
    status, _headers, page = Client(editor.url).request("GET", path)
    assert status == 404, page


def test_a_link_out_of_the_content_folder_is_never_followed(editor: EditorProcess, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: 外面\n", encoding="utf-8")
    (editor.content / "neighborhoods" / "link.yaml").symlink_to(outside)
    client = Client(editor.url)
    assert client.request("GET", "/raw/neighborhoods/link.yaml")[0] == 404
    fields, _page = client.form("/raw/site.yaml")
    status, _h, _p = client.request("POST", "/raw/neighborhoods/link.yaml", {**fields, "text": "name: 改\n"})
    assert status == 404 and outside.read_text(encoding="utf-8") == "name: 外面\n"


def test_the_content_folder_refuses_paths_that_leave_it(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "up").symlink_to(tmp_path)
    folder = ContentFolder(tmp_path / "content")
    for rel in ["../x.yaml", "/etc/passwd", ".git/config", "a/../../x.yaml", "up/x.yaml", "", "a//b.yaml"]:
        with pytest.raises(OutsideContent):
            folder.write(rel, "x: 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_markdown_previews_are_sanitized(editor: EditorProcess) -> None:
    client = Client(editor.url)
    fields, _page = client.form("/")
    status, _headers, html = client.request(
        "POST", "/markdown", {"csrf": fields["csrf"], "text": "**粗**<script>alert(1)</script>[x](javascript:alert(1))"}
    )
    assert status == 200 and "<strong>粗</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_a_file_changed_by_hand_and_not_committed_is_not_saved_over(editor: EditorProcess) -> None:
    path = editor.content / LANTING
    by_hand = path.read_text(encoding="utf-8").replace("residents: 1455", "residents: 1456")
    path.write_text(by_hand, encoding="utf-8")
    status, page = Client(editor.url).save(CARD, {"f.property_phone": "029-0000 2509"})
    assert status == 409 and "还没有提交" in page
    assert path.read_text(encoding="utf-8") == by_hand and len(editor.git("log", "--format=%H").split()) == 1


def test_a_commit_that_fails_leaves_the_files_as_they_were(editor: EditorProcess) -> None:
    hook = editor.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'the hook says no' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before = (editor.content / LANTING).read_bytes()
    status, page = Client(editor.url).save(CARD, {"f.property_phone": "029-0000 2509"})
    assert status == 409 and "the hook says no" in page
    assert (editor.content / LANTING).read_bytes() == before and editor.git("status", "--porcelain") == ""


def test_push_sends_each_save_and_a_failed_push_keeps_the_commit(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    process = EditorProcess(tmp_path / "site", ROOT / "content", "--push")
    try:
        process.git("remote", "add", "origin", str(remote))
        process.git("push", "-q", "-u", "origin", "main")
        status, page = Client(process.url).save(CARD, {"f.property_phone": "029-0000 2509"})
        assert status == 200 and "已推送" in page
        assert git(remote, "log", "-1", "--format=%s").strip() == "兰亭花园：更新物业服务电话"
        process.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
        status, page = Client(process.url).save(CARD, {"f.property_phone": "029-0000 2510"})
        assert status == 200 and "推送失败" in page and "gone.git" in page
        assert process.git("log", "-1", "--format=%s").strip() == "兰亭花园：更新物业服务电话"
        assert "2510" in (process.content / LANTING).read_text(encoding="utf-8")
    finally:
        assert process.stop() == 0


def test_content_outside_git_is_refused_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text("name: 测试社区\n", encoding="utf-8")
    assert main(["edit", "--content", str(content), "--no-browser"]) == 1
    assert "git init" in capsys.readouterr().err
