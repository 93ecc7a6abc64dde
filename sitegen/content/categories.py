"""Who to call for what: the issue categories of site.yaml, and each neighborhood's own parties for them."""

from __future__ import annotations

import difflib
from dataclasses import replace

from sitegen.content.model import Category
from sitegen.content.parse import Entry
from sitegen.content.people import People
from sitegen.content.schema import Checker, Rec
from sitegen.i18n import _

# The keys that name who handles a category: a neighborhood that gives one names a new party.
PARTY = ("handler", "phone", "contact")


def make_category(rec: Rec, people: People) -> Category:
    return Category(
        rec["id"],
        rec["name"],
        rec["handler"],
        rec["promise"],
        rec.get("examples", ""),
        rec.get("phone"),
        people.resolve(rec.get("contact"), "contact"),
    )


def neighborhood_categories(
    ctx: Checker, rec: Rec, categories: tuple[Category, ...] | None, people: People
) -> tuple[Category, ...]:
    """site.yaml's categories as they are in this neighborhood (``who_to_call:`` names its own parties).

    ``categories`` is None when site.yaml could not be read: the ids are not checked then.
    """
    own: dict[str, Rec] = rec.get("who_to_call", {})
    known = {c.id: c for c in categories or ()}
    if categories is not None:
        entries = rec.node.entries["who_to_call"].value.entries if own else {}
        for key in own:
            if key not in known:
                _unknown(ctx, entries[key], key, list(known))
    return tuple(
        _here(category, own[category.id], people) if category.id in own else category for category in known.values()
    )


def _here(category: Category, rec: Rec, people: People) -> Category:
    """``category`` with what the neighborhood wrote: a new party replaces handler, phone and contact."""
    changed = replace(category, promise=rec.get("promise", category.promise))
    if not any(key in rec.node.entries for key in PARTY):
        return changed
    return replace(
        changed,
        handler=rec.get("handler", category.handler),
        phone=rec.get("phone"),
        contact=people.resolve(rec.get("contact"), "contact"),
    )


def _unknown(ctx: Checker, where: Entry, key: str, known: list[str]) -> None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        hint = _("did you mean `{key}`?", key=close[0])
    else:
        hint = _("categories in site.yaml: {ids}", ids=", ".join(f"`{k}`" for k in known))
    ctx.report(where, _("site.yaml has no category with the id `{id}`", id=key), hint)
