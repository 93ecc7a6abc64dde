"""Find the example values `sitegen new` writes that an editor left in, so that none is published unnoticed."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator

from sitegen.content.parse import Node, RawDocument, parse_yaml
from sitegen.content.scaffold import NEIGHBORHOOD_TEMPLATE
from sitegen.content.schema import Checker
from sitegen.i18n import Message, _

# The keys whose example values stand for something real: who, which company, where, which number.
_PERSON_SLOTS = {"property_manager", "community_leader", "instructor", "head", "worker", "police", "contact"}
_SAMPLE_KEYS: dict[str, Message] = {
    "property_company": _("name of the company"),
    "org": _("name of the organisation"),
    "partner": _("name of the partner"),
    "address": _("address"),
    "phone": _("phone number"),
    "property_phone": _("phone number"),
}
_COMMENTED = re.compile(r"^# ( *)(?=[^\s#])")


def _examples_in(node: Node, parent: str) -> Iterator[tuple[str, Message]]:
    for key, entry in node.entries.items():
        value = entry.value
        if value.kind == "scalar" and not value.is_null:
            text = value.text.strip()
            if key == "name" and parent in _PERSON_SLOTS:
                yield text, _("name of the person")
            elif key == "name" and parent == "services":
                yield text, _("name of the service")
            elif key in _SAMPLE_KEYS and not (key.endswith("phone") and len(re.sub(r"\D", "", text)) <= 5):
                yield text, _SAMPLE_KEYS[key]  # (short service numbers such as 12345 are real)
        yield from _examples_in(value, key if value.kind != "scalar" else parent)
    for item in node.items:
        yield from _examples_in(item, parent)


@functools.cache
def example_values() -> dict[str, Message]:
    """The example people, companies, addresses and phone numbers of the scaffold, with what each stands for.

    Read from the scaffold itself, its commented lines made active, so they can never drift apart.
    """
    text = NEIGHBORHOOD_TEMPLATE.format(name=json.dumps(""), today=dt.date(2000, 1, 1).isoformat())
    lines = [_COMMENTED.sub(r"\1", line) for line in text.split("\n")]
    doc = RawDocument("scaffold", "scaffold", lines, None)
    root, _problems = parse_yaml(doc, "\n".join(lines))
    return dict(_examples_in(root, "")) if root is not None else {}


def _example_nodes(root: Node, examples: dict[str, Message]) -> list[Node]:
    """The values in ``root`` that are example values (a loop, not recursion: a file may be large)."""
    found, todo = [], [root]
    while todo:
        node = todo.pop()
        if node.kind == "scalar":
            if not node.is_null and node.text.strip() in examples:
                found.append(node)
        elif node.kind == "map":
            todo.extend(entry.value for entry in node.entries.values())
        else:
            todo.extend(node.items)
    return sorted(found, key=lambda n: (n.line, n.column))


def check_examples(ctx: Checker, root: Node, slug: str) -> None:
    """Warn about every example value of `sitegen new` still in a neighborhood, and a name that is its folder's."""
    examples = example_values()
    for node in _example_nodes(root, examples):
        ctx.report(
            node,
            _("`{value}` is an example that `sitegen new` wrote, not real content", value=node.text.strip()),
            _("replace it with the real {what}, or delete the line", what=examples[node.text.strip()]),
            "warning",
        )
    name = root.entries.get("name")
    if name is not None and name.value.kind == "scalar" and name.value.text.strip() == slug:
        ctx.report(
            name.value,
            _("the name is still the folder name `{slug}`, as `sitegen new` wrote it", slug=slug),
            _("write the neighborhood's name as residents know it, e.g. 和谐家园"),
            "warning",
        )
