"""Reading content files into located YAML nodes: positions, encodings, and hostile input.

Nothing in here may raise: every bad input becomes a ContentError with a file, line and column.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.content import load
from sitegen.content import parse as yaml_parse
from sitegen.content.load import load_documents, load_markdown_file, load_yaml_file
from sitegen.content.parse import Node, RawDocument, parse_yaml
from sitegen.errors import ContentError


def parse(text: str, line_offset: int = 0) -> tuple[Node | None, list[ContentError]]:
    """Parse ``text`` as the YAML of a file called t.yaml."""
    doc = RawDocument("t.yaml", "t.yaml", text.split("\n"), None)
    return parse_yaml(doc, text, line_offset)


def parse_ok(text: str) -> Node:
    root, problems = parse(text)
    assert problems == []
    assert root is not None
    return root


def read_yaml(tmp_path: Path, data: bytes) -> tuple[RawDocument | None, list[ContentError]]:
    path = tmp_path / "neighborhood.yaml"
    path.write_bytes(data)
    return load_yaml_file(path, "neighborhood.yaml", "content")


def read_notice(tmp_path: Path, text: str) -> tuple[RawDocument | None, list[ContentError]]:
    path = tmp_path / "water.md"
    path.write_bytes(text.encode("utf-8"))
    return load_markdown_file(path, "notices/water.md", "content", front_matter=True)


def where(problem: ContentError) -> tuple[int, int, str]:
    return problem.line, problem.column, problem.message


# --- positions ---------------------------------------------------------------------------------


def test_top_level_keys_and_values_have_line_and_column() -> None:
    root = parse_ok("name: 和谐家园\nverified_on: 2026-11-01\n")
    entry = root.entries["verified_on"]
    assert (entry.line, entry.column) == (2, 1)
    assert (entry.value.line, entry.value.column) == (2, 14)


def test_nested_keys_and_list_items_have_line_and_column() -> None:
    root = parse_ok("buildings:\n  - id: 1\n    units:\n      - id: 2\n        head: li-na\n")
    buildings = root.entries["buildings"].value
    assert (buildings.kind, buildings.line, buildings.column) == ("seq", 2, 3)
    building = buildings.items[0]
    assert (building.kind, building.line, building.column) == ("map", 2, 5)
    assert (building.entries["id"].value.line, building.entries["id"].value.column) == (2, 9)
    units = building.entries["units"]
    assert (units.line, units.column) == (3, 5)
    unit = units.value.items[0]
    assert (unit.line, unit.column) == (4, 9)
    head = unit.entries["head"]
    assert (head.line, head.column, head.value.column) == (5, 9, 15)


def test_flow_list_items_have_their_own_columns() -> None:
    root = parse_ok("hours: [周一, 周二]\n")
    items = root.entries["hours"].value.items
    assert [(i.text, i.line, i.column) for i in items] == [("周一", 1, 9), ("周二", 1, 13)]


def test_line_offset_shifts_every_position() -> None:
    root, problems = parse("title: 停水\ndate: 2026-11-20\n", line_offset=1)
    assert problems == []
    assert root is not None
    assert root.line == 2
    assert root.entries["date"].line == 3


def test_scalars_keep_the_text_as_written() -> None:
    # YAML 1.1 would turn these into the number 1, 900 (sexagesimal) and False.
    root = parse_ok('grid: 01\nquoted: "01"\nstart: 15:00\npublic: no\nhead:\n')
    assert root.entries["grid"].value.text == "01"
    assert not root.entries["grid"].value.quoted
    assert root.entries["quoted"].value.quoted
    assert root.entries["start"].value.text == "15:00"
    assert root.entries["public"].value.text == "no"
    assert root.entries["head"].value.is_null


def test_an_alias_is_located_at_its_anchor() -> None:
    root = parse_ok("a: &x 长安路\nb: *x\n")
    assert root.entries["b"].value.text == "长安路"
    assert root.entries["b"].line == 2


# --- notices: front matter ---------------------------------------------------------------------


def test_front_matter_positions_count_the_opening_dashes(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "---\ntitle: 停水\ndate: 2026-11-20\n---\n明天停水。\n")
    assert problems == []
    assert doc is not None and doc.root is not None
    assert doc.root.entries["title"].line == 2
    assert (doc.root.entries["date"].value.line, doc.root.entries["date"].value.column) == (3, 7)
    assert doc.body == "明天停水。\n"
    assert doc.body_line == 5


def test_front_matter_syntax_error_has_the_file_line(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "---\ntitle: 停水\ndate: 2026-11-20\n  bad: x\n---\n正文\n")
    assert [p.line for p in problems] == [4]
    assert problems[0].path == "content/notices/water.md"


def test_notice_without_front_matter(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "title: 停水\n\n正文\n")
    assert doc is None
    assert [where(p) for p in problems] == [(1, 1, "the notice does not start with a `---` block of facts")]


def test_empty_front_matter(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "---\n---\n正文\n")
    assert [where(p) for p in problems] == [(1, 1, "the `---` block is empty")]


def test_front_matter_with_bom_and_crlf(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "\ufeff---\r\ntitle: 停水\r\ndate: 2026-11-20\r\n---\r\n正文\r\n")
    assert problems == []
    assert doc is not None and doc.root is not None
    assert doc.root.entries["date"].line == 3
    assert doc.body == "正文\n"


def test_tabs_in_the_markdown_body_are_not_yaml_errors(tmp_path: Path) -> None:
    doc, problems = read_notice(
        tmp_path, "---\ntitle: 停水\ndate: 2026-11-20\n---\n停水范围：\n\n\t- 1号楼\n\t- 2号楼\n"
    )
    assert problems == []


def test_unclosed_front_matter_says_the_closing_line_is_missing(tmp_path: Path) -> None:
    doc, problems = read_notice(tmp_path, "---\ntitle: 停水\ndate: 2026-11-20\n\n明天停水。\n")
    assert len(problems) == 1
    assert "does not start" not in problems[0].message
    assert "clos" in problems[0].message + problems[0].hint


# --- duplicate keys ----------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_and_the_first_value_kept() -> None:
    root, problems = parse("name: 和谐家园\ngrid: '01'\nname: 阳光小区\n")
    assert [where(p) for p in problems] == [(3, 1, "duplicate key `name` (first given on line 1)")]
    assert problems[0].hint == "a key may appear only once in a mapping; delete one of them"
    assert root is not None and root.entries["name"].value.text == "和谐家园"


def test_duplicate_key_in_a_nested_mapping() -> None:
    root, problems = parse("buildings:\n  - id: 1\n    floors: 6\n    floors: 7\n")
    assert [where(p) for p in problems] == [(4, 5, "duplicate key `floors` (first given on line 3)")]


# --- tabs --------------------------------------------------------------------------------------


def test_tab_indentation_is_one_problem_at_the_tab() -> None:
    root, problems = parse("buildings:\n\t- id: 1\n")
    assert root is None
    assert [where(p) for p in problems] == [(2, 1, "a tab is used for indentation")]
    assert problems[0].hint == "YAML indentation must use spaces; replace the tab with two spaces"


def test_tab_after_spaces_is_found_at_its_column() -> None:
    _root, problems = parse("buildings:\n  - id: 1\n  \t  floors: 6\n")
    assert (problems[0].line, problems[0].column) == (3, 3)
    assert "→" in problems[0].format()


def test_every_tab_indented_line_is_reported() -> None:
    _root, problems = parse("office:\n\taddress: 测试路\n\tphone: 110\n")
    assert [(p.line, p.message) for p in problems] == [
        (2, "a tab is used for indentation"),
        (3, "a tab is used for indentation"),
    ]


def test_tab_after_a_colon_is_read_as_a_space() -> None:
    # YAML allows a tab between the colon and the value (only indentation must be spaces).
    root, problems = parse("name:\t和谐家园\n")
    assert problems == [] and root is not None and root.entries["name"].value.text == "和谐家园"


def test_a_trailing_tab_is_whitespace() -> None:
    root, problems = parse("name: 一号楼\t\n")
    assert problems == [] and root is not None and root.entries["name"].value.text == "一号楼"


def test_a_tab_in_the_indentation_is_shown_as_an_arrow() -> None:
    _root, problems = parse("a:\n\tb: 1\n")
    assert len(problems) == 1 and "→b: 1" in problems[0].format()


def test_a_tab_inside_block_text_is_allowed() -> None:
    root, problems = parse("intro: |\n  第一行\n  \t第二行\n")
    assert problems == []


# --- encodings and bytes -----------------------------------------------------------------------


def test_bom_is_ignored(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, "\ufeffname: 和谐家园\n".encode())
    assert problems == []
    assert doc is not None and doc.root is not None
    assert (doc.root.entries["name"].line, doc.root.entries["name"].column) == (1, 1)
    assert "name" in doc.root.entries


def test_crlf_lines(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, b"name: x\r\naddress: y\r\n")
    assert problems == []
    assert doc is not None and doc.root is not None
    assert doc.lines[:2] == ["name: x", "address: y"]
    assert doc.root.entries["address"].line == 2
    assert doc.root.entries["address"].value.text == "y"


def test_old_mac_line_ends(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, b"name: x\raddress: y\r")
    assert problems == []
    assert doc is not None and doc.root is not None
    assert doc.root.entries["address"].line == 2


def test_gbk_bytes_are_named_as_gbk(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, "name: x\naddress: 长安路88号\n".encode("gbk"))
    assert doc is None
    assert [where(p) for p in problems] == [(2, 10, "the file is saved in GBK (a Windows Chinese encoding), not UTF-8")]
    assert problems[0].path == "content/neighborhood.yaml"
    assert problems[0].hint == "save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)"


def test_latin1_bytes(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, "name: x\naddress: Café\n".encode("latin-1"))
    assert doc is None
    assert [where(p) for p in problems] == [(2, 13, "the file is not UTF-8 text")]


def test_nul_bytes(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, b"name: x\naddress: a\x00b\n")
    assert doc is None
    assert [where(p) for p in problems] == [(2, 11, "the file contains NUL bytes; it is not a text file")]


def test_binary_garbage(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, bytes(range(256)) * 4)
    assert doc is None
    assert len(problems) == 1


def test_control_character_is_located_and_explained(tmp_path: Path) -> None:
    _doc, problems = read_yaml(tmp_path, b"name: x\naddress: a\x01b\n")
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column) == (2, 11)
    assert "\n" not in problems[0].message
    assert "<unicode string>" not in problems[0].message


def test_unicode_line_separator_does_not_shift_lines(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, 'address: "长安路\u202888号"\ngrid: "01"\n'.encode())
    assert problems == [] and doc is not None and doc.root is not None
    assert doc.root.entries["grid"].line == 2


# --- empty and odd files -----------------------------------------------------------------------


def test_empty_text_parses_to_nothing_without_problems() -> None:
    assert parse("") == (None, [])


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \n", b"# only a comment\n", "\ufeff".encode()])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    doc, problems = read_yaml(tmp_path, data)
    assert doc is not None and doc.root is None
    assert [where(p) for p in problems] == [(1, 1, "the file is empty")]


@pytest.mark.parametrize(
    ("text", "holds"),
    [("- a\n- b\n", "a list"), ("和谐家园\n", "`和谐家园`"), ("~\n", "nothing")],
)
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str, holds: str) -> None:
    doc, problems = read_yaml(tmp_path, text.encode())
    assert doc is not None and doc.root is None
    assert [p.message for p in problems] == [f"the file must hold `key: value` lines, but it holds {holds}"]


def test_multi_document_file() -> None:
    root, problems = parse("name: a\n---\nname: b\n")
    assert root is None
    assert [where(p) for p in problems] == [(2, 1, "YAML syntax error: the file holds more than one YAML document")]


def test_a_leading_document_marker_is_fine() -> None:
    root = parse_ok("---\nname: a\n")
    assert root.entries["name"].line == 2


def test_merge_key_is_refused_and_the_other_keys_kept() -> None:
    root, problems = parse("base: &b {floors: 6}\nbuilding:\n  <<: *b\n  id: 1\n")
    assert [where(p) for p in problems] == [(3, 3, "YAML merge keys (`<<`) are not supported")]
    assert root is not None
    building = root.entries["building"].value
    assert list(building.entries) == ["id"]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("? [a, b]\n: c\nname: x\n", 1, 3), ("{a: 1}: c\nname: x\n", 1, 1), ("[a]: c\nname: x\n", 1, 1)],
)
def test_non_scalar_key(text: str, line: int, column: int) -> None:
    root, problems = parse(text)
    assert [where(p) for p in problems] == [(line, column, "a key must be plain text")]
    assert root is not None and list(root.entries) == ["name"]


def test_python_tags_are_never_executed_only_read_as_text() -> None:
    root = parse_ok("a: !!python/object/apply:os.system [rm]\nb: !!python/name:os.system x\n")
    assert root.entries["b"].value.text == "x"


def test_custom_tags_are_refused() -> None:
    _root, problems = parse("name: x\nb: !custom x\n")
    assert [where(p) for p in problems] == [(2, 4, "YAML tags like `!custom` are not supported")]
    assert problems[0].hint == "if this is text, put it in quotes"


def test_undefined_alias() -> None:
    _root, problems = parse("a: *nope\n")
    assert [where(p) for p in problems] == [
        (1, 4, "YAML syntax error: an alias `*name` refers to an anchor `&name` that does not exist")
    ]


# --- syntax errors -----------------------------------------------------------------------------


def test_colon_inside_a_value() -> None:
    _root, problems = parse("name: x\naddress: 长安路: 88号\n")
    assert [where(p) for p in problems] == [(2, 13, "YAML syntax error: a `:` appears where it cannot")]
    assert "put the whole value in quotes" in problems[0].hint


@pytest.mark.parametrize("quote", ['"', "'"])
def test_unclosed_quote_points_at_the_opening_quote(quote: str) -> None:
    _root, problems = parse(f"name: 和谐家园\naddress: {quote}长安路88号\ngrid: 01\n")
    assert [where(p) for p in problems] == [(2, 10, "YAML syntax error: a quote is opened but never closed")]
    assert problems[0].hint == "close the quoted text with the same quote mark it starts with"


def test_unclosed_quote_before_another_quoted_value() -> None:
    _root, problems = parse('name: 和谐家园\naddress: "长安路88号\ngrid: "01"\n')
    assert [(p.line, p.column) for p in problems] == [(2, 10)]


def test_text_after_a_closing_quote() -> None:
    _root, problems = parse('name: "1号楼"（东）\n')
    assert [where(p) for p in problems] == [(1, 12, "YAML syntax error: text continues after a closing quote")]


def test_key_indented_differently() -> None:
    _root, problems = parse("office:\n  address: 测试路\n phone: 110\n")
    assert [where(p) for p in problems] == [
        (
            3,
            2,
            "the indentation is wrong: this line starts in column 2, but the lines under `office:` (line 1) "
            "begin in column 3",
        )
    ]
    assert problems[0].hint == (
        "move it to column 3 if it belongs to that block, or to column 1 if it belongs to the block around it"
    )


def test_chinese_colon_after_a_key() -> None:
    _root, problems = parse("name：和谐家园\nverified_on: 2026-11-01\n")
    assert [where(p) for p in problems] == [(1, 5, "YAML syntax error: a Chinese colon `：` follows the key")]


def test_no_space_after_the_colon() -> None:
    _root, problems = parse("name: x\nverified_on:2026-11-01\n")
    assert [where(p) for p in problems] == [(2, 12, "YAML syntax error: there is no space after the colon")]


@pytest.mark.parametrize(("value", "column"), [("*安居物业", 8), ("&安居物业", 8), ("@安居物业", 7), ("`安居物业`", 7)])
def test_value_starting_with_a_reserved_character(value: str, column: int) -> None:
    _root, problems = parse(f"name: {value}\n")
    assert [(p.line, p.column) for p in problems] == [(1, column)]
    assert problems[0].hint == "put the value in quotes"


def test_misaligned_list_item_is_explained_in_plain_words() -> None:
    _root, problems = parse("buildings:\n  - id: 1\n - id: 2\n")
    assert [(p.line, p.column) for p in problems] == [(3, 2)]
    assert "<block" not in problems[0].message
    assert problems[0].hint


def test_unclosed_bracket_is_explained_in_plain_words() -> None:
    _root, problems = parse("hours: [周一, 周二\ngrid: '01'\n")
    assert len(problems) == 1
    assert problems[0].line == 1
    assert "but got" not in problems[0].message


# --- size limits -------------------------------------------------------------------------------


def test_alias_bomb_is_stopped_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    started = time.process_time()  # the work done, not the time a busy machine takes
    root, problems = parse("\n".join(lines) + "\n")
    assert time.process_time() - started < 5  # expanding it all would take minutes and gigabytes
    assert root is None
    assert [p.message for p in problems] == [
        "the file expands to more than 100,000 values or nests more than 60 levels deep"
    ]
    assert problems[0].line == 1


def test_ten_thousand_nested_brackets() -> None:
    root, problems = parse("x: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert root is None
    assert [where(p) for p in problems] == [(1, 1, "the YAML is nested too deeply")]


def test_unclosed_nested_brackets() -> None:
    root, problems = parse("[" * 10_000)
    assert root is None
    assert len(problems) == 1


def test_deep_block_nesting_is_refused() -> None:
    text = "x:\n" + "".join("  " * depth + "- \n" for depth in range(1, 100))
    root, problems = parse(text)
    assert root is None
    assert [p.message for p in problems] == [
        "the file expands to more than 100,000 values or nests more than 60 levels deep"
    ]


def test_deep_nesting_points_at_its_line() -> None:
    _root, problems = parse("name: x\nmap: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert problems[0].line == 2


def test_too_many_values_without_aliases_does_not_blame_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_parse, "MAX_NODES", 50)
    _root, problems = parse("buildings:\n" + "".join(f"  - id: {i}\n" for i in range(60)))
    assert len(problems) == 1
    assert "alias" not in problems[0].message + problems[0].hint


def test_file_over_two_megabytes(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path, b"# " + b"x" * load.MAX_FILE_BYTES + b"\n")
    assert doc is None
    assert [where(p) for p in problems] == [(1, 1, "the file is larger than 2 MB")]


def test_site_yaml_may_grow_with_a_city(tmp_path: Path) -> None:
    """site.yaml lists every grid and person: 10,000 neighborhoods write about 6 MB and 600,000 values."""
    people = "".join(f"  p{i}: {{name: 网格员{i}, phone: 139 0000 {i % 10000:04d}}}\n" for i in range(60_000))
    (tmp_path / "site.yaml").write_text("name: 示例社区\npeople:\n" + people, encoding="utf-8")
    assert (tmp_path / "site.yaml").stat().st_size > load.MAX_FILE_BYTES
    doc, problems = load._load_site(tmp_path, "content")
    assert problems == [] and doc is not None and doc.root is not None
    assert len(doc.root.entries["people"].value.entries) == 60_000


def test_site_yaml_has_a_limit_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_SITE_BYTES", 3_000_000)
    (tmp_path / "site.yaml").write_bytes(b"# " + b"x" * 3_000_000 + b"\n")
    doc, problems = load._load_site(tmp_path, "content")
    assert doc is None
    assert [where(p) for p in problems] == [(1, 1, "the file is larger than 3 MB")]


def test_a_long_file_keeps_exact_positions() -> None:
    root = parse_ok("buildings:\n" + "".join(f"  - id: {i}\n    floors: 6\n" for i in range(2000)))
    last = root.entries["buildings"].value.items[-1]
    assert (last.entries["id"].value.text, last.line, last.column) == ("1999", 4000, 5)


# --- whole content directories -----------------------------------------------------------------


def test_load_documents_collects_problems_from_every_file(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "neighborhoods" / "a").mkdir(parents=True)
    (content / "neighborhoods" / "b").mkdir(parents=True)
    (content / "notices").mkdir()
    (content / "site.yaml").write_bytes("name: 社区\n".encode("gbk"))
    (content / "neighborhoods" / "a" / "neighborhood.yaml").write_text("name: x\nname: y\n", encoding="utf-8")
    (content / "neighborhoods" / "b" / "neighborhood.yaml").write_text("\tname: x\n", encoding="utf-8")
    (content / "notices" / "a.md").write_text("no front matter\n", encoding="utf-8")
    documents = load_documents(content, "content")
    for files in documents.neighborhoods:
        files.parse()
    assert documents.site is None  # site.yaml is read when first asked for
    problems = documents.problems + documents.site_problems
    problems += [p for files in documents.neighborhoods for p in files.problems]
    # The key given twice is left to the checker, which tells a line indented wrongly from a repeat.
    first = documents.neighborhoods[0].document
    assert first is not None and [entry.line for _map, entry, _first in first.duplicates] == [2]
    assert sorted((p.path, p.line) for p in problems) == [
        ("content/neighborhoods/b/neighborhood.yaml", 1),
        ("content/notices/a.md", 1),
        ("content/site.yaml", 1),
    ]


def test_load_documents_on_an_empty_folder(tmp_path: Path) -> None:
    documents = load_documents(tmp_path, "content")
    assert documents.site is None
    assert [(p.path, p.message) for p in documents.site_problems] == [("content/site.yaml", "the file is missing")]


# --- the tree made from the parser's events, against PyYAML's composer ----------------------------------


def _both_ways(text: str, line_offset: int = 0) -> tuple[object, object]:
    """``text`` parsed as a build parses it, and again through PyYAML's composer only."""
    first = parse(text, line_offset)
    fast = yaml_parse._events_tree

    def unusual(*_args: object) -> None:
        raise yaml_parse._Unusual

    yaml_parse._events_tree = unusual  # type: ignore[assignment]
    try:
        second = parse(text, line_offset)
    finally:
        yaml_parse._events_tree = fast
    return [first[0], [vars(p) for p in first[1]]], [second[0], [vars(p) for p in second[1]]]


_PIECES = [*"ab1 :-\n\"'\\&*!#[]{},|>?~\t<", "é", "网格", "\\u00e9", "  ", "x: "]
_YAMLISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@given(_YAMLISH, st.integers(0, 3))
@settings(max_examples=600, deadline=None)
def test_the_tree_made_from_events_is_the_composers(text: str, line_offset: int) -> None:
    """Plain documents get their tree from the parser's events (PyYAML's composer makes a tree of its
    own first, most of what a large file takes); anything else is composed: the same either way."""
    made, composed = _both_ways(text, line_offset)
    assert made == composed


SHIPPED = Path(__file__).resolve().parent.parent / "content"


@pytest.mark.parametrize("path", sorted(SHIPPED.rglob("*.yaml")), ids=lambda p: p.relative_to(SHIPPED).as_posix())
def test_shipped_files_and_edits_of_them_parse_alike_both_ways(path: Path) -> None:
    import random

    text = path.read_text(encoding="utf-8")
    made, composed = _both_ways(text)
    assert made == composed and made[0] is not None
    edits = ["", " ", "\n", ": ", "- ", '"a\\x"', "'", "&a ", "*a", "!t ", "{", "[", "\t", "<<: ", "? ", "---\n"]
    chosen = random.Random(path.name)
    for _ in range(30):
        start = chosen.randrange(len(text) + 1)
        edited = text[:start] + chosen.choice(edits) + text[start + chosen.randrange(6) :]
        made, composed = _both_ways(edited)
        assert made == composed, edited


@pytest.mark.parametrize("keep_digests", [True, False])
def test_many_folders_are_read_by_workers_as_they_would_be_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_digests: bool
) -> None:
    """From PARALLEL_LOAD_FROM folders, forked workers read them: the same folders in the same
    order, the same digests, and (for the next build) the same digests of every file seen; folders
    known unchanged are taken as they are, in their place."""
    from sitegen import workers
    from sitegen.content.digest import FileDigests

    content = tmp_path / "content"
    count = load.PARALLEL_LOAD_FROM + 13
    for index in range(count):
        folder = content / "neighborhoods" / f"n{index:04d}"
        (folder / "notices").mkdir(parents=True)
        (folder / "neighborhood.yaml").write_text(f"name: 小区{index}\n", encoding="utf-8")
        for notice in range(index % 4):
            (folder / "notices" / f"2026-01-0{notice + 1}-n.md").write_text(
                f"# 通知{index}-{notice}\n", encoding="utf-8"
            )
        if index % 7 == 0:
            (folder / "pact.md").write_text("公约\n", encoding="utf-8")
    (content / "site.yaml").write_text("name: 社区\n", encoding="utf-8")

    def read(jobs: str, unchanged: dict[str, load.NeighborhoodFiles] | None = None) -> tuple[object, ...]:
        monkeypatch.setenv("SITEGEN_JOBS", jobs)
        digests = FileDigests() if keep_digests else None
        documents = load_documents(content, "content", digests, unchanged)
        folders = [
            (n.slug, n.digest, n.main_digest, n.notices_digest, n.notice_digests, n.folder, n.parsed)
            for n in documents.neighborhoods
        ]
        return documents, folders, documents.sources, dict(digests.seen) if digests else None

    # Other tests may leave threads behind, which stops forking; SITEGEN_JOBS still decides here.
    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1)
    forked: list[int] = []
    run_forked = workers.run_forked
    monkeypatch.setattr(workers, "run_forked", lambda *args: [forked.append(args[0]), run_forked(*args)])
    here = read("1")
    assert forked == []
    by_workers = read("2")
    assert forked  # the folders were read by workers
    assert by_workers[1:] == here[1:]
    assert len(here[1]) == count and [f[0] for f in here[1]] == sorted(f[0] for f in here[1])  # type: ignore[arg-type]
    if keep_digests:
        assert len(here[3]) == sum(1 + index % 4 + (index % 7 == 0) for index in range(count)) + 1  # type: ignore[arg-type]
    else:
        assert here[3] is None
    # Folders known unchanged are not read again, and keep their place among those read.
    documents = here[0]
    assert isinstance(documents, load.Documents)
    unchanged = {n.slug: n for n in documents.neighborhoods[::3]}
    again = read("2", unchanged)
    assert again[1] == here[1] and again[2] == here[2]
    assert all(again[0].neighborhoods[i] is documents.neighborhoods[i] for i in range(0, count, 3))  # type: ignore[attr-defined]


TEXT_OF_LINES = st.text(alphabet=st.sampled_from("ab 名😀\ud800\n\r\t"), max_size=40)


@given(TEXT_OF_LINES, st.integers(-12, 12), st.integers(-12, 12))
def test_lines_are_those_split_gives(text: str, start: int, stop: int) -> None:
    """A document keeps its text and where its lines start; its lines are still those of split("\\n")."""
    lines, split = yaml_parse.Lines(text), text.split("\n")
    assert len(lines) == len(split) and list(lines) == split and lines == split
    assert lines[start:stop] == split[start:stop] and lines[start:] == split[start:] and lines[::-1] == split[::-1]
    for index in (start, stop):
        if -len(split) <= index < len(split):
            assert lines[index] == split[index]
        else:
            with pytest.raises(IndexError):
                lines[index]
    doc = RawDocument("t.yaml", "t.yaml", lines, None)
    for number in range(0, len(split) + 2):
        assert doc.problem(number, 1, "m").source_line == (split[number - 1] if 0 < number <= len(split) else "")


def test_sources_name_each_neighborhood_and_notice_digest(tmp_path: Path) -> None:
    """Documents.sources answers the names pages give their sources (routes.Output.sources) from each
    folder's own digests; names of nothing are missing, as a table of them would say."""
    content = tmp_path / "content"
    for slug, notices in (("east", ["2026-01-01-a.md", "2026-01-02-b.md"]), ("west", [])):
        folder = content / "neighborhoods" / slug
        (folder / "notices").mkdir(parents=True)
        (folder / "neighborhood.yaml").write_text(f"name: {slug}\n", encoding="utf-8")
        for name in notices:
            (folder / "notices" / name).write_text(f"# {name}\n", encoding="utf-8")
    (content / "site.yaml").write_text("name: 社区\n", encoding="utf-8")
    documents = load_documents(content, "content")
    sources, east = documents.sources, documents.by_slug()["east"]
    assert sources["nb:east"] == east.main_digest and sources["nbn:east"] == east.notices_digest
    assert sources["file:east/notices/2026-01-01-a.md"] == east.notice_digests["2026-01-01-a.md"]
    assert len({sources["nb:east"], sources["nbn:east"], sources["nb:west"], sources["nbn:west"]}) == 4
    table = dict(sources)
    assert sorted(table) == sorted(
        ["site", "notices", "buildings", "allnotices", "all", "nb:east", "nbn:east", "nb:west", "nbn:west"]
        + ["file:east/notices/2026-01-01-a.md", "file:east/notices/2026-01-02-b.md"]
    )
    assert len(sources) == len(table) and all(sources[key] == value for key, value in table.items())
    for missing in (
        "file:east/notices/2026-01-03-c.md",
        "file:east/2026-01-01-a.md",
        "file:west/notices/2026-01-01-a.md",
        "file:north/notices/2026-01-01-a.md",
        "nb:north",
        "nbx:east",
        "east",
    ):
        assert missing not in sources and sources.get(missing, "?") == "?"
        with pytest.raises(KeyError):
            sources[missing]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.one_of(
            st.binary(min_size=32, max_size=32).map(bytes.hex),
            st.sampled_from(["missing", "unreadable", "special"]),
        ),
        max_size=40,
    )
)
def test_a_digest_table_answers_as_the_dict_it_was_made_from(digests: dict[str, str]) -> None:
    import pickle

    from sitegen.content.digest import DigestTable

    table = DigestTable(digests)
    for kept in (table, pickle.loads(pickle.dumps(table))):
        assert list(kept) == list(digests)  # the order of the walk that found them
        assert len(kept) == len(digests)
        assert kept == digests
        assert all(kept[name] == digest and name in kept for name, digest in digests.items())
        assert "nothing-by-this-name" not in kept or "nothing-by-this-name" in digests
        with pytest.raises(KeyError):
            kept["/" + "x" * 31]  # longer than any name made above


def test_a_known_digest_is_reused_while_the_files_time_and_size_hold(tmp_path: Path) -> None:
    """What a build keeps of each file (packed) gives the next build the same digest without reading
    the file, and a file whose size or time changed is read again."""
    import hashlib
    import os
    import pickle

    from sitegen.content.digest import FileDigests

    path = tmp_path / "notice.md"
    path.write_text("停水通知\n", encoding="utf-8")
    first = FileDigests()
    digest = first.file(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.file(tmp_path / "gone.md") == "missing"
    known = pickle.loads(pickle.dumps(first.keep()))  # as the state keeps it
    # The same size and time, other bytes: the digest is taken from what was known.
    info = path.stat()
    path.write_text("停电通知\n", encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    again = FileDigests(known)
    assert again.file(path) == digest
    assert again.keep()[str(path)] is known[str(path)]  # kept as it was
    # Another time: read again.
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert FileDigests(known).file(path) == hashlib.sha256("停电通知\n".encode()).hexdigest()
    # What is no digest (a file that could not be read, a device) is kept as it is.
    from sitegen.content.digest import _packed, _unpacked

    for said in ("unreadable", "special", "missing", digest):
        assert _unpacked(_packed(-5, 123, said)) == (-5, 123, said)
