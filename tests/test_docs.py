"""Keep docs/content-format.md true: every key is documented, and every example file passes `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sitegen.cli import main
from sitegen.content.format import SCHEMAS
from sitegen.content.load import RESERVED_SLUGS
from sitegen.content.notices import STALE_AFTER_DAYS
from sitegen.content.schema import Field, walk_fields
from tests.helpers import write_site

DOC = Path(__file__).resolve().parent.parent / "docs" / "content-format.md"
TEXT = DOC.read_text(encoding="utf-8")

# `<!-- example: KIND -->` right before a fenced block marks a complete file of that kind.
MARKER = re.compile(r"<!-- example: (?P<kind>[^>]*?) -->")
EXAMPLE = re.compile(r"<!-- example: (?P<kind>[^>]*?) -->[ \t]*\n```[\w-]*\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
YAML_BLOCK = re.compile(r"(?P<before>[^\n]*)\n```yaml\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)

# Where each kind of example is written, next to the minimal companion files of write_site.
EXAMPLE_PATHS = {
    "site.yaml": ["site.yaml"],
    "neighborhood.yaml": ["neighborhoods/hexie/neighborhood.yaml"],
    "notice": ["notices/2026-11-20-example.md", "neighborhoods/hexie/notices/2026-11-20-example.md"],
}


def _fields() -> list[tuple[str, Field]]:
    found: list[tuple[str, Field]] = []
    for name, record in SCHEMAS.items():

        def visit(path: str, spec: Field, name: str = name) -> None:
            found.append((f"{name}: {path}", spec))

        walk_fields(record, visit)
    return found


def _examples() -> list[tuple[str, str]]:
    return [(m["kind"], m["body"]) for m in EXAMPLE.finditer(TEXT)]


def test_every_key_is_documented() -> None:
    missing = sorted({f"{where} (`{spec.key}`)" for where, spec in _fields() if f"`{spec.key}`" not in TEXT})
    assert not missing, f"keys missing from {DOC.name}: {missing}"


def test_every_key_has_its_chinese_label_beside_it() -> None:
    lines = TEXT.splitlines()
    missing = sorted(
        f"{where}: `{spec.key}` {spec.label}"
        for where, spec in _fields()
        if spec.label and not any(f"`{spec.key}`" in line and spec.label in line for line in lines)
    )
    assert not missing, f"no line of {DOC.name} shows these keys with their labels: {missing}"


def test_every_example_marker_is_followed_by_a_block_of_a_known_kind() -> None:
    kinds = [m["kind"] for m in MARKER.finditer(TEXT)]
    assert len(kinds) == len(_examples()), "an `<!-- example: … -->` comment is not right before a ``` block"
    assert set(kinds) <= set(EXAMPLE_PATHS), f"unknown example kinds: {set(kinds) - set(EXAMPLE_PATHS)}"
    assert set(kinds) == set(EXAMPLE_PATHS), f"no complete example of {set(EXAMPLE_PATHS) - set(kinds)}"


@pytest.mark.parametrize(
    ("kind", "body"),
    _examples(),
    ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(_examples(), start=1)],
)
def test_example_passes_check(kind: str, body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(tmp_path, {path: body for path in EXAMPLE_PATHS[kind]})
    code = main(["check", "--lang", "en", "--content", str(content)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == "", f"the example gives warnings:\n{out}"


def test_yaml_blocks_are_valid_yaml() -> None:
    """Fragments too: only blocks right after `<!-- wrong -->` may show broken YAML."""
    for match in YAML_BLOCK.finditer(TEXT):
        if "<!-- wrong -->" in match["before"]:
            continue
        try:
            yaml.safe_load(match["body"])
        except yaml.YAMLError as exc:
            pytest.fail(f"a ```yaml block in {DOC.name} is not valid YAML:\n{match['body']}\n{exc}")


def test_reserved_folder_names_and_stale_limit_are_documented() -> None:
    assert all(f"`{slug}`" in TEXT for slug in RESERVED_SLUGS)
    assert f"more than {STALE_AFTER_DAYS} days" in TEXT
