"""The example deployment workflows in docs/examples/: valid YAML, real sitegen commands, output/ published."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.cli import _parser
from tests.conftest import ROOT

CHINA = dt.timezone(dt.timedelta(hours=8))
EXAMPLES = ROOT / "docs" / "examples"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))
GITHUB = [p for p in WORKFLOWS if "jobs" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _scripts(path: Path) -> list[str]:
    """Every shell line the workflow runs (GitHub `run:` blocks, GitLab `script:` items)."""
    data = _load(path)
    lines: list[str] = []
    for job in (data.get("jobs") or {}).values():
        for step in job.get("steps", []):
            lines += str(step.get("run", "")).splitlines()
    for job in data.values():
        if isinstance(job, dict) and "script" in job:
            lines += [str(line) for line in job["script"]]
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _sitegen_commands(path: Path) -> list[list[str]]:
    commands = []
    for line in _scripts(path):
        for part in re.split(r"&&|;", line):
            words = shlex.split(part)
            if words[:1] == ["sitegen"]:
                commands.append(words[1:])
            elif words[:3] == ["python", "-m", "sitegen"]:
                commands.append(words[3:])
    return commands


def test_there_are_examples_for_each_host() -> None:
    assert {p.name for p in WORKFLOWS} == {"github-pages.yml", "gitlab-pages.yml", "rsync-deploy.yml"}
    assert not (ROOT / ".github" / "workflows" / "pages.yml").exists()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_workflow_builds_with_options_sitegen_has(path: Path) -> None:
    commands = _sitegen_commands(path)
    assert [c[0] for c in commands] == ["build"], path.name
    for argv in commands:
        args = _parser().parse_args(argv)  # an unknown option exits (and fails the test)
        assert args.command == "build" and args.output == "output"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_build_date_is_set_before_building(path: Path) -> None:
    lines = _scripts(path)
    build = next(i for i, line in enumerate(lines) if line.startswith("sitegen build"))
    epoch = [line for line in lines[:build] if line.startswith("export SOURCE_DATE_EPOCH=")]
    assert epoch, f"{path.name} sets no SOURCE_DATE_EPOCH before building"
    assert "fetch-depth" not in path.read_text(encoding="utf-8")  # needless when the date is set


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_build_date_is_the_start_of_the_day_in_china(path: Path) -> None:
    line = next(line for line in _scripts(path) if line.startswith("export SOURCE_DATE_EPOCH="))
    now = dt.datetime(2026, 11, 22, 20, 30, tzinfo=CHINA)  # 12:30 UTC
    # The workflow's own line, with `date +%s` answering the moment above.
    script = f"date() {{ echo {int(now.timestamp())}; }}; {line}; echo $SOURCE_DATE_EPOCH"
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert int(done.stdout) == int(dt.datetime(2026, 11, 22, tzinfo=CHINA).timestamp())


def test_github_pages_uploads_the_output_folder() -> None:
    data = _load(EXAMPLES / "github-pages.yml")
    steps = data["jobs"]["build"]["steps"]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "output"
    assert data["permissions"] == {}
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_gitlab_pages_publishes_the_output_folder_as_public() -> None:
    data = _load(EXAMPLES / "gitlab-pages.yml")
    assert "mv output public" in data["pages"]["script"]
    assert data["pages"]["artifacts"]["paths"] == ["public"]


def test_rsync_copies_the_output_folder_from_secrets() -> None:
    lines = _scripts(EXAMPLES / "rsync-deploy.yml")
    rsync = [shlex.split(line) for line in lines if line.startswith("rsync ")]
    assert rsync and "output/" in rsync[0] and "--delete" in rsync[0]
    assert rsync[0][-1] == "$DEPLOY_TARGET"


@pytest.mark.parametrize("path", GITHUB, ids=lambda p: p.name)
def test_github_workflows_start_on_push_and_every_day(path: Path) -> None:
    data = _load(path)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) >= {"push", "schedule"}


def test_the_guides_link_every_example() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for path in WORKFLOWS:
        assert f"(examples/{path.name})" in guide
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
