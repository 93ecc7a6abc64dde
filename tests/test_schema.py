"""The committed JSON Schema matches the declared format, and valid content satisfies it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sitegen.cli import main
from sitegen.content_schema import json_schemas
from sitegen.load import FRONT_MATTER_RE, translation_of

ROOT = Path(__file__).resolve().parent.parent
SITES = [ROOT / "content", ROOT / "tests" / "sites" / "minimal" / "content"]


def test_committed_schema_is_up_to_date(tmp_path: Path) -> None:
    assert main(["schema", "--output", str(tmp_path)]) == 0
    for name in json_schemas():
        committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        generated = (tmp_path / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == generated, f"schema/{name}.schema.json is stale: run `sitegen schema`"


def test_schemas_are_valid_json_schema() -> None:
    for schema in json_schemas().values():
        jsonschema.Draft202012Validator.check_schema(schema)


def _plain(value: Any) -> Any:
    """YAML values as an editor's YAML 1.2 tooling sees them (dates stay text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _files(content: Path) -> list[tuple[str, Any]]:
    found = [("site", yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8")))]
    for path in sorted(content.glob("neighborhoods/*/neighborhood.yaml")):
        found.append(("neighborhood", yaml.safe_load(path.read_text(encoding="utf-8"))))
    for path in sorted(content.glob("**/notices/*.md")):
        if translation_of(path.name):
            continue  # a notice's text in another language: Markdown only
        match = FRONT_MATTER_RE.match(path.read_text(encoding="utf-8"))
        assert match, path
        found.append(("notice", yaml.safe_load(match.group(1))))
    return found


@pytest.mark.parametrize("content", SITES, ids=["example", "minimal"])
def test_valid_content_satisfies_the_json_schema(content: Path) -> None:
    schemas = json_schemas()
    for kind, data in _files(content):
        jsonschema.validate(_plain(data), schemas[kind])
