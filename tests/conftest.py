"""Fixtures named after the pipeline's stages, and the --update-golden option."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main

# 2026-11-22 12:00 UTC: every test builds "as of" the same day.
BUILD_EPOCH = "1795348800"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from the current output")


@pytest.fixture(autouse=True)
def _fixed_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)


REQUIRE_BROWSER = os.environ.get("SITEGEN_REQUIRE_BROWSER") == "1"
CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("SITEGEN_VNU_JAR", ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def missing(reason: str) -> None:
    """Skip for a missing tool, or fail when CI requires every tool (SITEGEN_REQUIRE_BROWSER=1)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (SITEGEN_REQUIRE_BROWSER=1 requires it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command line that runs the Nu HTML Checker."""
    if shutil.which("java") is None:
        missing("Java is not installed; the Nu HTML Checker needs a JRE")
    if not VNU_JAR.is_file():
        missing(f"vnu.jar not found at {VNU_JAR}; run `npm ci` in the repository")
    return ["java", "-Xss2m", "-jar", str(VNU_JAR)]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing(f"axe-core not found at {AXE_JS}; run `npm ci` in the repository")
    return AXE_JS.read_text(encoding="utf-8")


SITES = {"example": ROOT / "content", "minimal": ROOT / "tests" / "sites" / "minimal" / "content"}


@pytest.fixture(scope="session", params=sorted(SITES))
def built_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example content and the minimal test site, each built once as of the test date."""
    out = tmp_path_factory.mktemp(request.param) / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        assert main(["build", "--content", str(SITES[request.param]), "--output", str(out)]) == 0
    return out


@dataclass(frozen=True)
class Installed:
    """sitegen installed in a virtual environment of its own, run from an empty folder."""

    bin: Path  # the environment's scripts: python, sitegen
    home: Path  # an empty folder outside the repository to run in
    wheel: Path | None = None

    @classmethod
    def create(cls, venv: Path, home: Path, *install: str, wheel: Path | None = None) -> Installed:
        """A new environment at ``venv`` that sees the test environment's packages, with ``pip install
        --no-deps *install`` done in it (by this pip: the environment has none of its own)."""
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True)
        home.mkdir(exist_ok=True)
        made = cls(venv / ("Scripts" if os.name == "nt" else "bin"), home, wheel)
        pip = [sys.executable, "-m", "pip", "--python", str(made.bin / "python"), "install", "--no-deps"]
        done = made.run(*pip, "--no-index", "--no-cache-dir", *install)
        assert done.returncode == 0, done.stdout + done.stderr
        return made

    def env(self, **extra: str) -> dict[str, str]:
        """The environment to run it in: nothing that would import sitegen from the checkout."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.bin.parent)
        return {**env, "SOURCE_DATE_EPOCH": BUILD_EPOCH, **extra}

    def run(self, *argv: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, cwd=cwd or self.home, env=self.env(**env), capture_output=True, text=True, timeout=600
        )


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel as a release would, and install it alone into a new environment.

    The environment sees the test environment's packages (``--system-site-packages``) so that sitegen's
    dependencies need no download; sitegen itself comes from the wheel, which tests assert.
    """
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(root), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, f"building the wheel failed (is hatchling installed?)\n{built.stdout}{built.stderr}"
    (wheel,) = root.glob("*.whl")
    return Installed.create(root / "venv", root / "home", str(wheel), wheel=wheel)


def children(pid: int) -> set[int]:
    """The processes ``pid`` forked that are still there (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _site_checked_and_noted(*args: Any) -> Any:
    """site.yaml checked as sitegen has it checked by a child of its own, noting which process checked it."""
    from sitegen.content import validate

    with open(os.environ["SITEGEN_TEST_NOTES"], "a") as out:
        out.write(f"{os.getpid()} {os.getppid()}\n")
    return validate.__dict__["_checked_site_as_shipped"](*args)


@pytest.fixture
def site_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[tuple[int, int]]]:
    """Every site.yaml taken as large, so checked by a child of its own (see validate.SITE_ALONE_FROM);
    the function returned tells each such check's process and its parent, in the order they ran."""
    from sitegen.content import validate

    notes = tmp_path / "site-checks.txt"
    monkeypatch.setenv("SITEGEN_TEST_NOTES", str(notes))
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 1)
    monkeypatch.setitem(validate.__dict__, "_checked_site_as_shipped", validate._site_checked_from_file)
    # Work sent to a forker is pickled by reference: its child finds this function under the name it
    # was sent by.
    monkeypatch.setattr(validate, "_site_checked_from_file", _site_checked_and_noted)
    monkeypatch.setattr(_site_checked_and_noted, "__module__", validate.__name__)
    monkeypatch.setattr(_site_checked_and_noted, "__qualname__", "_site_checked_from_file")

    def checks() -> list[tuple[int, int]]:
        if not notes.exists():
            return []
        return [(int(pid), int(parent)) for pid, parent in (line.split() for line in notes.read_text().splitlines())]

    return checks
