"""docs/editor-guide.md stays true: its files exist, its snippets pass `sitegen check`, its messages are real."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "editor-guide.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^ *```(\w*)\n(.*?)^ *```", GUIDE, re.S | re.M)
NEW_NOTICE = "content/neighborhoods/lanting-huayuan/notices/2026-11-25-water-outage.md"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def test_every_content_file_named_exists() -> None:
    named = set(re.findall(r"(content/[\w/.-]+?\.(?:yaml|md))", GUIDE))
    assert len(named) >= 3
    assert [p for p in named if p != NEW_NOTICE and not (ROOT / p).is_file()] == []


def test_every_output_file_named_is_built(tmp_path: Path) -> None:
    named = set(re.findall(r"`output/([^`*<>]+?\.html)`", GUIDE))
    assert len(named) >= 7
    assert main(["build", "--content", str(ROOT / "content"), "--output", str(tmp_path / "output")]) == 0
    assert [p for p in named if not (tmp_path / "output" / p).is_file()] == []


def test_the_phone_change_passes_the_check(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml_blocks = [body for kind, body in BLOCKS if kind == "yaml" and "property_manager:" in body]
    before, after = yaml_blocks
    path = content / "neighborhoods" / "lanting-huayuan" / "neighborhood.yaml"
    text = path.read_text(encoding="utf-8")
    assert before in text  # the guide quotes the file as it is
    path.write_text(text.replace(before, after), encoding="utf-8")
    assert main(["check", "--content", "content"]) == 0
    assert "lanting-huayuan/neighborhood.yaml" not in capsys.readouterr().out


def test_the_example_notice_passes_the_check(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (notice,) = [body for kind, body in BLOCKS if kind == "markdown"]
    (content.parent / NEW_NOTICE).write_text(notice, encoding="utf-8")
    assert main(["check", "--content", "content"]) == 0
    assert "2026-11-25-water-outage" not in capsys.readouterr().out


def test_the_sample_error_is_what_check_prints(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = next(body for kind, body in BLOCKS if kind == "" and ": error: " in body)
    path = content / "neighborhoods" / "lanting-huayuan" / "neighborhood.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("property_phone: 029-0000 2501", "property_phone: 0000 25"), encoding="utf-8")
    assert main(["check", "--content", "content"]) == 1
    assert sample in capsys.readouterr().out


def test_the_commands_named_exist() -> None:
    commands = set(re.findall(r"^sitegen (\w+)", "\n".join(body for _, body in BLOCKS), re.M))
    assert commands == {"check", "edit", "new", "pdf", "serve"}
    for command in commands:
        assert main([command, "--help"]) == 0


def test_the_new_neighborhood_is_written_where_the_guide_says(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (command,) = re.findall(r"^sitegen new (.*)$", "\n".join(body for _, body in BLOCKS), re.M)
    assert main(["new", *command.split()]) == 0
    listed = re.findall(r"^  (\S+\.(?:yaml|md)) ", GUIDE.split("## 五、新增一个小区", 1)[1], re.M)
    folder = content / "neighborhoods" / "ruihe-jiayuan"
    assert sorted(p.name for p in folder.iterdir()) == sorted(listed) == ["neighborhood.yaml", "pact.md"]
    assert 'name: "瑞和家园"' in (folder / "neighborhood.yaml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--content", "content"]) == 0
    assert "ruihe-jiayuan" not in capsys.readouterr().out
