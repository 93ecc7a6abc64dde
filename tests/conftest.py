"""Fixtures named after the pipeline's stages, and the --update-golden option."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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
