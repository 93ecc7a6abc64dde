"""Rewrite the ``expected_error.txt`` (English) and ``expected_error.zh.txt`` (Chinese) of invalid-site
cases from what ``sitegen check`` prints now.

Run by hand, never by the test suite:

    python tests/sites/invalid/regenerate.py               # every case
    python tests/sites/invalid/regenerate.py duplicate-key # only the named cases

It runs ``sitegen check --content content`` inside each case folder with the same build date as
the tests (tests/conftest.py) and prints each output. Read every changed file before committing
it: the expected text is only right if it points at the right line and column and a
community worker would understand it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from sitegen.cli import main as sitegen_main  # noqa: E402
from tests.conftest import BUILD_EPOCH  # noqa: E402


def regenerate(case: Path, lang: str) -> bool:
    """Rewrite one case's expected output in ``lang``; return whether it changed."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(case)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = sitegen_main(["check", "--content", "content", "--lang", lang])
    finally:
        os.chdir(previous)
    expected = case / ("expected_error.txt" if lang == "en" else f"expected_error.{lang}.txt")
    old = expected.read_text(encoding="utf-8") if expected.is_file() else None
    expected.write_text(out.getvalue(), encoding="utf-8")
    print(f"== {case.name} (exit {code}){' CHANGED' if old != out.getvalue() else ''}")
    print(out.getvalue(), end="")
    if "internal error" in err.getvalue():
        print(f"!! sitegen crashed: {err.getvalue()}")
    return old != out.getvalue()


def run(names: list[str]) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_EPOCH
    cases = [HERE / name for name in names] if names else sorted(p for p in HERE.iterdir() if (p / "content").is_dir())
    changed = sum(regenerate(case, lang) for case in cases for lang in ("en", "zh"))
    print(f"{len(cases)} cases, {changed} changed")


if __name__ == "__main__":
    run(sys.argv[1:])
