"""The command line: exit codes, messages, and the scaffold an editor starts from."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import sitegen
from sitegen.arguments import ARGPARSE_MESSAGES
from sitegen.cli import _parser, main
from sitegen.i18n import LANGUAGES, translate
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
    out = capsys.readouterr().out
    # (a site without the neighborhoods/ folder is an error too, reported first)
    assert out.startswith("content/neighborhoods:1:1: error: there is no `neighborhoods/` folder")
    assert "\ncontent/site.yaml:1:1: error: site.yaml: `office` (社区办公) is missing" in out


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
    assert capsys.readouterr().err.startswith("用法：sitegen")  # argparse's words are translated too


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    assert capsys.readouterr().out == f"sitegen {sitegen.__version__}\n"


def test_argparse_speaks_the_language_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--lang", "fr"]) == 2
    assert capsys.readouterr().err == (
        "用法：sitegen check [-h] [--debug] [-q] [--content DIR] [--lang {zh,en}]\n"
        "                 [--base-url URL] [--strict]\n"
        "sitegen check：错误：参数 --lang：无效的选择：'fr'（可以选：'zh', 'en'）\n"
    )
    assert main(["new", "neighborhood", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: sitegen new neighborhood [-h]")
    assert err.endswith("sitegen new neighborhood: error: the following arguments are required: slug\n")
    assert main(["build", "--help"]) == 0
    help = capsys.readouterr().out
    assert (
        help.startswith("用法：sitegen build") and "选项:" in help and "-h, --help            显示本帮助并退出" in help
    )
    assert "-o DIR, --output DIR  输出目录（默认：output）" in help
    assert main(["-h"]) == 0
    assert "-V, --version  显示版本号并退出" in capsys.readouterr().out


def test_argparse_messages_keep_their_placeholders_in_every_language() -> None:
    placeholders = re.compile(r"%\(\w+\)[sr]|%[sr]")
    for message in ARGPARSE_MESSAGES:
        for lang in LANGUAGES:
            said = str(translate(message, lang))
            assert said and sorted(placeholders.findall(said)) == sorted(placeholders.findall(message)), said


@pytest.mark.parametrize(
    ("argv", "usage", "hint"),
    [
        (["biuld"], "sitegen [-h]", "did you mean `sitegen build`?"),
        (["chek", "--content", "x"], "sitegen [-h]", "did you mean `sitegen check`?"),
        (["build", "--outptu", "x"], "sitegen build [-h]", "did you mean `--output`?"),
        (["build", "--base-ulr=https://a/"], "sitegen build [-h]", "did you mean `--base-url`?"),
        (["new", "stie"], "sitegen new [-h]", "did you mean `sitegen new site`?"),
        (["new", "site", "--nmae", "x"], "sitegen new site [-h]", "did you mean `--name`?"),
        (["serve", "--prot", "8001"], "sitegen serve [-h]", "did you mean `--port`?"),
    ],
)
def test_a_mistyped_command_or_option_gets_did_you_mean(
    argv: list[str], usage: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {usage}") and err.endswith(f"\n{hint}\n"), err
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"用法：{usage}")


def test_no_hint_when_nothing_is_alike(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" not in err and "invalid choice: 'frobnicate'" in err


def test_short_options_as_peers_have_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/hexie/neighborhood.yaml": "name: 和谐家园\nverified_on: 2025-01-01\n"}
    )
    theme = tmp_path / "theme" / "static"
    theme.mkdir(parents=True)
    (theme / "extra.css").write_text("p {}\n", encoding="utf-8")
    argv = ["build", "-q", "--content", str(content), "-o", str(tmp_path / "out"), "-t", str(theme.parent)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "assets" / "extra.css").is_file()
    assert "verified_on" in out and err == ""  # -q: the problems, nothing else
    assert main(["check", "--quiet", "--strict", "--content", str(content)]) == 1
    assert capsys.readouterr().err == ""
    assert main(["check", "-q", "--content", str(tmp_path / "nope")]) == 1
    assert "sitegen：错误：内容目录" in capsys.readouterr().err  # errors are said even when quiet
    args = _parser().parse_args(["serve", "-p", "8001", "-t", "x", "-q"])
    assert (args.port, args.theme, args.quiet) == (8001, "x", True)
    assert _parser().parse_args(["schema", "-o", "s"]).output == "s"


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


def test_every_commented_line_of_the_scaffold_is_valid_when_uncommented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_site(tmp_path, {"site.yaml": _site_with_people()})
    assert main(["new", "neighborhood", "demo", "--content", str(content)]) == 0
    path = content / "neighborhoods" / "demo" / "neighborhood.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=")  # for editors, not an example line
    uncommented = [lines[0]] + [line[2:] if line.startswith("# ") else line for line in lines[1:]]
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    # Valid, but its example people, companies and numbers must be replaced: each is a warning.
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    assert _only_example_warnings(capsys.readouterr().out) >= 10


def _only_example_warnings(out: str) -> int:
    """How many warnings name an example value of `sitegen new`; fails on any other problem."""
    problems = [line for line in out.splitlines() if not line.startswith(" ")]
    examples = [p for p in problems if "is an example that `sitegen new` wrote" in p or "still the folder name" in p]
    assert examples == problems, "\n".join(p for p in problems if p not in examples)
    return len(examples)


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


def test_new_site_writes_a_community_that_checks_and_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "jinxiu"
    assert main(["new", "site", str(root), "--name", "锦绣社区", "--lang", "en"]) == 0
    assert f"wrote {root}/content: a community to make your own" in capsys.readouterr().err
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    notice = f"content/notices/{dt.date.today().isoformat()}-welcome.md"
    assert written == {
        ".gitignore",
        "README.md",
        "content/site.yaml",
        notice,
        "content/neighborhoods/hexie-jiayuan/neighborhood.yaml",
        "content/neighborhoods/hexie-jiayuan/pact.md",
        "schema/site.schema.json",
        "schema/neighborhood.schema.json",
        "schema/notice.schema.json",
    }
    site = (root / "content" / "site.yaml").read_text(encoding="utf-8")
    assert site.startswith("# yaml-language-server: $schema=../schema/site.schema.json\n")
    neighborhood = (root / "content" / "neighborhoods" / "hexie-jiayuan" / "neighborhood.yaml").read_text("utf-8")
    assert neighborhood.startswith("# yaml-language-server: $schema=../../../schema/neighborhood.schema.json\n")
    content = str(root / "content")
    assert main(["check", "--lang", "en", "--content", content]) == 0
    out = capsys.readouterr().out
    assert out.count(": warning: ") == 1 and "warning: no `base_url`" in out, out  # the thing to fill in first
    assert main(["check", "--strict", "--base-url", "https://jinxiu.example.org/", "--content", content]) == 0
    assert capsys.readouterr().out == ""
    out_dir = tmp_path / "out"
    assert main(["build", "--content", content, "--output", str(out_dir)]) == 0
    home = (out_dir / "index.html").read_text(encoding="utf-8")
    assert "锦绣社区" in home and "社区网站开通了" in home and "和谐家园" in home
    assert (out_dir / "hexie-jiayuan" / "index.html").is_file()
    assert "output/" in (root / ".gitignore").read_text(encoding="utf-8")


def test_new_site_in_the_current_folder_and_never_over_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("ours\n", encoding="utf-8")
    assert main(["new", "site"]) == 0
    assert (tmp_path / "content" / "site.yaml").is_file()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "ours\n"  # kept
    site = (tmp_path / "content" / "site.yaml").read_bytes()
    capsys.readouterr()
    assert main(["new", "site", "--lang", "en"]) == 1
    assert "content already exists" in capsys.readouterr().err
    assert (tmp_path / "content" / "site.yaml").read_bytes() == site


def test_every_commented_line_of_the_site_scaffold_is_valid_when_uncommented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "site", str(tmp_path), "--name", "锦绣社区"]) == 0
    for path in (tmp_path / "content").rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        uncommented = [lines[0]] + [re.sub(r"^(\s*)# (?!#)", r"\1", line) for line in lines[1:]]
        path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    site = (tmp_path / "content" / "site.yaml").read_text(encoding="utf-8")
    assert "base_url: https://" in site and "  - id: disputes" in site and "    worker: zhang-min" in site
    capsys.readouterr()
    assert main(["check", "--lang", "en", "--content", str(tmp_path / "content")]) == 0
    _only_example_warnings(capsys.readouterr().out)
