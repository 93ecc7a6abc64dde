"""The committed JSON Schema matches the declared format, and valid content satisfies it."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sitegen.cli import main
from sitegen.content.format import json_schemas
from sitegen.content.load import FRONT_MATTER_RE, translation_of

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


MODELINE = re.compile(r"\A# yaml-language-server: \$schema=(\S+)\n")


def _schema_named_by(path: Path) -> Path:
    """The schema file a YAML file's first line points editors to, resolved as the editor does."""
    match = MODELINE.match(path.read_text(encoding="utf-8"))
    assert match, f"{path}: the first line should name the schema for editors"
    return (path.parent / match.group(1)).resolve()


def test_shipped_yaml_names_its_schema_for_editors() -> None:
    content = ROOT / "content"
    files = [("site", content / "site.yaml")]
    files += [("neighborhood", p) for p in sorted(content.glob("neighborhoods/*/neighborhood.yaml"))]
    assert len(files) > 2
    for kind, path in files:
        schema = _schema_named_by(path)
        assert schema == ROOT / "schema" / f"{kind}.schema.json", path
        data = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        jsonschema.validate(data, json.loads(schema.read_text(encoding="utf-8")))


def test_a_new_neighborhood_names_a_schema_that_exists_in_a_new_project(tmp_path: Path) -> None:
    content = tmp_path / "project" / "content"
    content.mkdir(parents=True)
    assert main(["new", "neighborhood", "hexie-jiayuan", "--content", str(content), "--name", "和谐家园"]) == 0
    path = content / "neighborhoods" / "hexie-jiayuan" / "neighborhood.yaml"
    schema = _schema_named_by(path)
    assert schema == tmp_path / "project" / "schema" / "neighborhood.schema.json" and schema.is_file()
    assert json.loads(schema.read_text(encoding="utf-8")) == json_schemas()["neighborhood"]
    data = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    jsonschema.validate(data, json.loads(schema.read_text(encoding="utf-8")))
    # A project that keeps its own schema/ keeps it: a second scaffold writes nothing there.
    (schema.parent / "site.schema.json").write_text("{}", encoding="utf-8")
    assert main(["new", "neighborhood", "qinghe", "--content", str(content)]) == 0
    assert (schema.parent / "site.schema.json").read_text(encoding="utf-8") == "{}"


def test_in_this_repository_a_new_neighborhood_points_at_the_committed_schema(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    assert main(["new", "neighborhood", "hexie-jiayuan", "--content", str(tmp_path / "content")]) == 0
    path = tmp_path / "content" / "neighborhoods" / "hexie-jiayuan" / "neighborhood.yaml"
    assert _schema_named_by(path) == tmp_path / "schema" / "neighborhood.schema.json"
    assert main(["check", "--content", str(tmp_path / "content")]) == 0
