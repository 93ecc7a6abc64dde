"""Each site under tests/sites/invalid/ must fail `sitegen check` with exactly the expected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main

INVALID = Path(__file__).parent / "sites" / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if (p / "expected_error.txt").is_file())


@pytest.mark.parametrize("case", CASES)
def test_invalid_site(case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = INVALID / case
    monkeypatch.chdir(folder)
    code = main(["check", "--content", "content"])
    out = capsys.readouterr().out
    expected = (folder / "expected_error.txt").read_text(encoding="utf-8")
    assert out == expected
    assert code == (1 if " error: " in expected else 0)


def test_there_are_invalid_sites() -> None:
    assert len(CASES) >= 20
