"""The command line: exit codes, messages, and the scaffold an editor starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from tests.helpers import write_site


def test_check_valid_content_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(tmp_path, {})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "is valid (no problems)" in captured.err
    assert main(["check", "--content", str(content)]) == 0
    assert "检查通过（没有问题）" in capsys.readouterr().err


def test_check_reports_errors_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/hexie/neighborhood.yaml": "name: 和谐家园\nverified_on: 2026-13-01\n"}
    )
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"{content}/neighborhoods/hexie/neighborhood.yaml:2:14: "
        "error: `2026-13-01` is not a date: there is no month 13\n"
        "    verified_on: 2026-13-01\n"
        "    hint: months run from 1 to 12\n"
    )
    assert main(["check", "--content", str(content)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{content}/neighborhoods/hexie/neighborhood.yaml:2:14: "
        "error: `2026-13-01` 不是有效日期：没有 13 月\n"
        "    verified_on: 2026-13-01\n"
        "    提示：月份是 1 到 12\n"
    )
    assert "有问题（1 个错误）" in err


def test_build_speaks_the_language_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/hexie/neighborhood.yaml": "name: 和谐家园\nverified_on: 2026-13-01\n"}
    )
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 1
    assert "sitegen: 内容中有 1 个错误；没有写入任何文件" in capsys.readouterr().err
    assert main(["build", "--lang", "en", "--content", str(content), "--output", str(tmp_path / "out")]) == 1
    assert "sitegen: 1 error in the content; nothing was written" in capsys.readouterr().err


def test_paths_are_shown_as_the_content_dir_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_site(tmp_path, {"site.yaml": "name: x\n"}, minimal=False)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--lang", "en", "--content", "content"]) == 1
    assert capsys.readouterr().out.startswith("content/site.yaml:1:1: error: site.yaml: `office` (社区办公) is missing")


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/hexie/neighborhood.yaml": "name: 和谐家园\nverified_on: 2025-01-01\n"}
    )
    assert main(["check", "--content", str(content)]) == 0
    assert main(["check", "--strict", "--content", str(content)]) == 1


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["build", "--no-such-option"], ["new", "building", "x"], ["new", "neighborhood"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sitegen ")


def test_missing_content_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--lang", "en", "--content", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["check", "--content", str(tmp_path / "nope")]) == 1
    assert "sitegen：错误：内容目录" in capsys.readouterr().err


def test_new_neighborhood_passes_check_without_any_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(tmp_path, {})
    assert main(["new", "neighborhood", "qinghe-yuan", "--name", "清河苑: 北区", "--content", str(content)]) == 0
    written = content / "neighborhoods" / "qinghe-yuan" / "neighborhood.yaml"
    assert written.is_file() and (written.parent / "pact.md").is_file()
    capsys.readouterr()
    assert main(["check", "--strict", "--content", str(content)]) == 0
    assert capsys.readouterr().out == ""
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    assert "清河苑: 北区" in (tmp_path / "out" / "qinghe-yuan" / "index.html").read_text(encoding="utf-8")


def test_every_commented_line_of_the_scaffold_is_valid_when_uncommented(tmp_path: Path) -> None:
    content = write_site(tmp_path, {"site.yaml": _site_with_people()})
    assert main(["new", "neighborhood", "demo", "--content", str(content)]) == 0
    path = content / "neighborhoods" / "demo" / "neighborhood.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=")  # for editors, not an example line
    uncommented = [lines[0]] + [line[2:] if line.startswith("# ") else line for line in lines[1:]]
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    assert main(["check", "--strict", "--content", str(content)]) == 0


def _site_with_people() -> str:
    from tests.helpers import MINIMAL_SITE

    return MINIMAL_SITE + "people:\n  wang-li:\n    name: 王丽\n    phone: 139 0000 0002\n"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Qing He", "cannot be used as a folder name"),
        ("notices", "used by the site itself"),
        ("hexie", "already exists"),
    ],
)
def test_new_neighborhood_refuses_bad_slugs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], slug: str, message: str
) -> None:
    content = write_site(tmp_path, {})
    assert main(["new", "neighborhood", slug, "--lang", "en", "--content", str(content)]) == 1
    assert message in capsys.readouterr().err


def test_internal_errors_do_not_show_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_site(tmp_path, {})

    def broken(*args: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("sitegen.cli.check", broken)
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        main(["check", "--debug", "--content", str(content)])


def test_help_speaks_the_language_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "检查内容并列出所有问题；不写入任何文件。" in capsys.readouterr().out
    assert main(["check", "--lang", "en", "--help"]) == 0
    assert "Check the content and report every problem; write nothing." in capsys.readouterr().out
