"""The example deployment workflows in docs/examples/: valid YAML, real sitegen commands, and their shell
steps run end to end against the wheel, output/ published with the PDFs (or without them when Chromium fails)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.cli import _parser, main
from tests.conftest import CHROMIUM, ROOT, Installed, missing

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
        for part in re.split(r"&&|\|\||;|\(|\)", line):
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
def test_the_workflow_builds_and_prints_with_options_sitegen_has(path: Path) -> None:
    commands = _sitegen_commands(path)
    assert [c[0] for c in commands] == ["build", "pdf"], path.name
    for argv in commands:
        args = _parser().parse_args(argv)  # an unknown option raises a usage error (and fails the test)
        assert args.output == "output"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_build_date_is_set_in_each_shell_that_builds(path: Path) -> None:
    for step in _steps(path):
        lines = [line.strip() for line in step.script.splitlines()]
        for i, line in enumerate(lines):
            if re.search(r"\bsitegen (build|pdf)\b", line):
                epoch = [x for x in lines[:i] if x.startswith("export SOURCE_DATE_EPOCH=")]
                assert epoch, f"{path.name}: no SOURCE_DATE_EPOCH before `{line}` in its shell"
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
    assert triggers["schedule"] == [{"cron": "5 16 * * *"}]  # 00:05 China time
    assert "60 days" in path.read_text(encoding="utf-8")  # and why it may stop


def test_the_guide_says_what_the_60_day_rule_means() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = guide.split("## The daily rebuild", 1)[1].split("\n## ", 1)[0]
    assert "60 days" in section and "Enable workflow" in section and "verified_on" in section


def test_the_guides_link_every_example() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for path in WORKFLOWS:
        assert f"(examples/{path.name})" in guide
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- the workflows' shell steps, run against the wheel -------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One shell of a workflow: a GitHub step's `run:`, or a GitLab job's whole `script:`."""

    script: str
    shell: tuple[str, ...]
    may_fail: bool = False  # GitHub's continue-on-error
    env: dict[str, str] = field(default_factory=dict)


def _steps(path: Path) -> list[Step]:
    data = _load(path)
    steps = []
    for job in (data.get("jobs") or {}).values():
        # In a container GitHub runs `sh -e`; on the runner itself, `bash -e`.
        shell = ("sh", "-e", "-c") if job.get("container") else ("bash", "-e", "-c")
        for step in job.get("steps", []):
            if "run" in step:
                env = {k: str(v) for k, v in (step.get("env") or {}).items()}
                steps.append(Step(step["run"], shell, bool(step.get("continue-on-error")), env))
    for job in data.values():
        if isinstance(job, dict) and "script" in job:
            steps.append(Step("\n".join(job["script"]), ("bash", "-e", "-o", "pipefail", "-c")))
    return steps


SECRETS = {
    "DEPLOY_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n",
    "DEPLOY_KNOWN_HOSTS": "host ssh-ed25519 AAAA",
}


def _stub(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    (folder / name).chmod(0o755)


def _run_workflow(path: Path, installed: Installed, work: Path, *, apt_fails: bool, chromium: str) -> Path:
    """Run every shell step of the workflow in ``work`` (a checkout holding content/), as the CI host would.

    sitegen is installed by the workflow's own pip line, from a folder holding only the wheel; apt-get
    only records what it was asked for (or fails, as with a mirror out of reach).
    """
    assert installed.wheel
    venv = work.parent / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True)
    stubs = work.parent / "stubs"
    _stub(stubs, "apt-get", f'echo "$@" >> {work.parent / "apt.log"}' + ("; exit 100" if apt_fails else ""))
    home = work.parent / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH", "SITEGEN_CHROMIUM")}
    env |= {
        "PATH": f"{stubs}{os.pathsep}{venv / 'bin'}{os.pathsep}{env['PATH']}",
        "HOME": str(home),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(installed.wheel.parent),
        # The environment sees the test environment's packages, sitegen among them when it is installed
        # there (editable, as CI does): the workflow's pip line must install the wheel regardless, and
        # take its dependencies from what is seen.
        "PIP_IGNORE_INSTALLED": "1",
        "PIP_NO_DEPS": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "DEPLOY_TARGET": f"{work.parent / 'www'}/",
    }
    if chromium:
        env["SITEGEN_CHROMIUM"] = chromium
    for step in _steps(path):
        step_env = {**env, **{k: _secret(v, env) for k, v in step.env.items()}}
        done = subprocess.run([*step.shell, step.script], cwd=work, env=step_env, capture_output=True, text=True)
        assert done.returncode == 0 or step.may_fail, f"{path.name}: {step.script}\n{done.stdout}{done.stderr}"
    assert (venv / "bin" / "sitegen").is_file()  # the workflow's pip line installed the wheel
    return work


def _secret(value: str, env: dict[str, str]) -> str:
    found = re.fullmatch(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", value)
    return (SECRETS.get(found.group(1)) or env[found.group(1)]) if found else value


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A community's repository as `sitegen new site` starts it."""
    assert main(["new", "site", str(tmp_path / "repo"), "--name", "锦绣社区", "-q"]) == 0
    return tmp_path / "repo"


def _pdf_links(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if ".pdf" in p.read_text(encoding="utf-8")]


def test_github_pages_publishes_the_site_and_its_pdfs(installed: Installed, checkout: Path) -> None:
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    _run_workflow(EXAMPLES / "github-pages.yml", installed, checkout, apt_fails=False, chromium="")
    site = checkout / "output"  # what actions/upload-pages-artifact uploads (see the test above)
    assert "锦绣社区" in (site / "index.html").read_text(encoding="utf-8")
    pdfs = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf"))
    assert "hexie-jiayuan/print/name-card.pdf" in pdfs and "hexie-jiayuan/print/all-sheets.pdf" in pdfs
    assert (site / "hexie-jiayuan" / "print" / "name-card.pdf").read_bytes().startswith(b"%PDF-")
    assert 'href="name-card.pdf"' in (site / "hexie-jiayuan" / "print" / "index.html").read_text(encoding="utf-8")
    asked = (checkout.parent / "apt.log").read_text(encoding="utf-8")
    assert "install -y -qq --no-install-recommends chromium fonts-noto-cjk" in asked


def test_gitlab_pages_publishes_the_site_when_chromium_cannot_be_installed(
    installed: Installed, checkout: Path
) -> None:
    _run_workflow(EXAMPLES / "gitlab-pages.yml", installed, checkout, apt_fails=True, chromium="")
    site = checkout / "public"
    assert (site / "index.html").is_file() and (site / "hexie-jiayuan" / "print" / "name-card.html").is_file()
    assert not (checkout / "output").exists()
    assert not list(site.rglob("*.pdf")) and _pdf_links(site) == []  # no link to a PDF that is not there


def test_rsync_copies_the_site_to_the_host_when_printing_fails(installed: Installed, checkout: Path) -> None:
    www = checkout.parent / "www"
    www.mkdir()
    (www / "old-page.html").write_text("gone\n", encoding="utf-8")
    broken = checkout.parent / "stubs" / "broken-chromium"
    _stub(broken.parent, broken.name, "exit 1")
    _run_workflow(EXAMPLES / "rsync-deploy.yml", installed, checkout, apt_fails=False, chromium=str(broken))
    assert "锦绣社区" in (www / "index.html").read_text(encoding="utf-8")
    assert not (www / "old-page.html").exists()  # --delete
    assert not list(www.rglob("*.pdf")) and _pdf_links(www) == []
    key = checkout.parent / "home" / ".ssh" / "deploy_key"
    assert key.read_text(encoding="utf-8") == SECRETS["DEPLOY_KEY"] + "\n" and key.stat().st_mode & 0o777 == 0o600
    asked = (checkout.parent / "apt.log").read_text(encoding="utf-8")
    assert "rsync openssh-client" in asked and "chromium fonts-noto-cjk" in asked
