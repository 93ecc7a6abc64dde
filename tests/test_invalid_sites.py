"""Each site under tests/sites/invalid/ must fail `sitegen check` with exactly the expected text, in English
(``expected_error.txt``) and in Chinese, the default (``expected_error.zh.txt``); `sitegen build` must
report the same and write nothing (or, for a site with warnings only, build it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main

INVALID = Path(__file__).parent / "sites" / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if (p / "expected_error.txt").is_file())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", CASES)
def test_invalid_site(
    case: str, lang: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = INVALID / case
    monkeypatch.chdir(folder)
    code = main(["check", "--content", "content", "--lang", lang])
    out = capsys.readouterr().out
    expected = (folder / ("expected_error.txt" if lang == "en" else "expected_error.zh.txt")).read_text(
        encoding="utf-8"
    )
    assert out == expected
    assert code == (1 if " error: " in expected else 0)


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_build_says_the_same(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = INVALID / case
    monkeypatch.chdir(folder)
    out = tmp_path / "output"
    code = main(["build", "--content", "content", "--output", str(out), "--lang", "en"])
    captured = capsys.readouterr()
    expected = (folder / "expected_error.txt").read_text(encoding="utf-8")
    assert "internal error" not in captured.err
    assert captured.out == expected
    if " error: " in expected:
        assert code == 1 and not out.exists()
    else:
        assert code == 0 and (out / "index.html").is_file()


def test_chinese_is_the_default(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(INVALID / "many-problems-at-once")
    assert main(["check", "--content", "content"]) == 1
    out, err = capsys.readouterr()
    assert out == (INVALID / "many-problems-at-once" / "expected_error.zh.txt").read_text(encoding="utf-8")
    assert "提示：您是不是想写 `address`？" in out
    assert "content：有问题（11 个错误）" in err


def test_there_are_invalid_sites() -> None:
    assert len(CASES) >= 60
