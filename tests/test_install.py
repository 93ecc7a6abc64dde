"""sitegen installed from its wheel, outside any checkout: it carries its theme and catalogs and builds any content."""

from __future__ import annotations

import email
import filecmp
import shutil
import zipfile
from pathlib import Path

import pytest

import sitegen
from sitegen.cli import main
from sitegen.i18n import compiled_name
from tests.conftest import ROOT, Installed

THEME = ROOT / "themes" / "default"


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_wheel_carries_the_theme_and_the_catalogs(installed: Installed) -> None:
    assert installed.wheel
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    theme = {f"sitegen/themes/default/{name}" for name in _files(THEME)}
    assert any(name.endswith("templates/index.html") for name in theme)
    assert theme <= names, sorted(theme - names)
    assert {"sitegen/locale/zh/LC_MESSAGES/sitegen.po", "sitegen/locale/en/LC_MESSAGES/sitegen.po"} <= names
    # Compiled as sitegen keeps them (hatch_build.py): an installed sitegen never compiles them.
    for lang in ("zh", "en"):
        source = (ROOT / "sitegen" / "locale" / lang / "LC_MESSAGES" / "sitegen.po").read_bytes()
        assert f"sitegen/locale/{lang}/LC_MESSAGES/{compiled_name(source)}" in names
    assert "sitegen/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "content/", "docs/", "themes/"))]


def test_the_wheel_says_what_it_is(installed: Installed) -> None:
    assert installed.wheel
    with zipfile.ZipFile(installed.wheel) as wheel:
        (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(wheel.read(metadata))
        licence = wheel.read(metadata.replace("METADATA", "licenses/LICENSE")).decode("utf-8")
    assert meta["Name"] == "shequ-sitegen" and meta["Version"] == sitegen.__version__
    assert meta["License-Expression"] == "MIT" and licence.startswith("MIT License")
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Changelog", "Documentation"} <= set(urls)
    classifiers = meta.get_all("Classifier")
    assert "Natural Language :: Chinese (Simplified)" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert meta["Requires-Python"] == ">=3.11"


def test_sitegen_runs_from_the_wheel_not_from_the_checkout(installed: Installed) -> None:
    code = "import sitegen, sitegen.config; print(sitegen.__file__); print(sitegen.config.default_theme())"
    done = installed.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    module, theme = (Path(line) for line in done.stdout.splitlines())
    assert module.is_relative_to(installed.bin.parent) and not module.is_relative_to(ROOT)
    assert theme == module.parent / "themes" / "default"
    for flag in ("--version", "-V"):
        done = installed.run("sitegen", flag)
        assert (done.returncode, done.stdout) == (0, f"sitegen {sitegen.__version__}\n")


def test_the_wheel_builds_the_shipped_content_as_the_checkout_does(installed: Installed, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", installed.home / "content", dirs_exist_ok=True)
    done = installed.run("sitegen", "build", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "sitegen: error" not in done.stderr
    from_wheel = installed.home / "output"
    from_checkout = tmp_path / "output"
    assert main(["build", "--content", str(ROOT / "content"), "--output", str(from_checkout)]) == 0
    assert _files(from_wheel) == _files(from_checkout)
    names = sorted(_files(from_checkout))
    assert len(names) > 100
    same, different, errors = filecmp.cmpfiles(from_wheel, from_checkout, names, shallow=False)
    assert (different, errors) == ([], [])
    # It wrote nothing where it is installed: its catalogs came compiled.
    assert installed.wheel
    found = installed.run("python", "-c", "import sitegen; print(sitegen.__file__)")
    locale = Path(found.stdout.strip()).parent / "locale"
    shipped = {n.removeprefix("sitegen/locale/") for n in zipfile.ZipFile(installed.wheel).namelist()}
    assert _files(locale) <= shipped, sorted(_files(locale) - shipped)


def test_the_schema_the_wheel_writes_is_the_repositorys(installed: Installed) -> None:
    done = installed.run("sitegen", "schema", "--output", "schema")
    assert done.returncode == 0, done.stderr
    written = installed.home / "schema"
    assert _files(written) == _files(ROOT / "schema")
    for name in _files(written):
        assert (written / name).read_bytes() == (ROOT / "schema" / name).read_bytes(), name


def test_an_editable_install_of_the_checkout_finds_the_theme_at_the_top(tmp_path: Path) -> None:
    editable = Installed.create(tmp_path / "venv", tmp_path / "home", "--no-build-isolation", "-e", str(ROOT))
    code = "import sitegen, sitegen.config; print(sitegen.__file__); print(sitegen.config.default_theme())"
    done = editable.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    module, theme = (Path(line) for line in done.stdout.splitlines())
    assert (module, theme) == (ROOT / "sitegen" / "__init__.py", THEME)
    minimal = ROOT / "tests" / "sites" / "minimal" / "content"
    done = editable.run("sitegen", "build", "--content", str(minimal), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.parametrize("override", ["templates/base.html", "static/site.css"])
def test_a_theme_given_with_theme_overrides_the_installed_one(
    installed: Installed, tmp_path: Path, override: str
) -> None:
    theme = installed.home / f"my-theme-{Path(override).stem}"
    (theme / override).parent.mkdir(parents=True)
    original = (THEME / override).read_text(encoding="utf-8")
    marker = "<!-- my theme -->" if override.endswith(".html") else "/* my theme */"
    (theme / override).write_text(original.replace("\n", f"\n{marker}\n", 1), encoding="utf-8")
    minimal = ROOT / "tests" / "sites" / "minimal" / "content"
    out = tmp_path / "out"
    done = installed.run("sitegen", "build", "--content", str(minimal), "--output", str(out), "--theme", str(theme))
    assert done.returncode == 0, done.stderr
    written = out / ("index.html" if override.endswith(".html") else "assets/site.css")
    assert marker in written.read_text(encoding="utf-8")


def test_a_community_started_with_the_wheel_checks_and_builds(installed: Installed) -> None:
    folder = installed.home / "jinxiu"
    done = installed.run("sitegen", "new", "site", str(folder), "--name", "锦绣社区")
    assert done.returncode == 0, done.stderr
    done = installed.run("sitegen", "check", "--strict", "--base-url", "https://jinxiu.example.org/", cwd=folder)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    done = installed.run("sitegen", "build", "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "锦绣社区" in (folder / "output" / "index.html").read_text(encoding="utf-8")
