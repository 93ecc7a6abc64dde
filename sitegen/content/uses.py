"""What checking a neighborhood looked up in site.yaml's grids and people: its result stands while they hold.

A district's site.yaml lists every grid and the people of each (20,000 grids and 60,000 people at
10,000 neighborhoods), and a neighborhood's check reads a handful of them: the grids its buildings
are in, the people it names by id. A new phone number for one grid worker changes the checked
result of that grid's neighborhoods, not of the district; so a cached result is kept with what its
check asked for, and stands while those entries are as they were.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sitegen.cache import hash_parts

Value = TypeVar("Value")


class Watched(Mapping[str, Value]):
    """A mapping that notes the keys asked for, and whether its keys were listed (or counted, or
    it was asked whether it is empty): a check that listed them depends on every key."""

    def __init__(self, data: Mapping[str, Value]) -> None:
        self.data = data
        self.asked: set[str] = set()
        self.listed = False
        self.emptiness = False

    def __getitem__(self, key: str) -> Value:
        self.asked.add(key)
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        self.listed = True
        return iter(self.data)

    def __len__(self) -> int:
        self.listed = True
        return len(self.data)

    def __bool__(self) -> bool:
        self.emptiness = True
        return bool(self.data)


@dataclass(frozen=True, slots=True)
class Looked:
    """What a check asked of one mapping: the keys, and whether it listed them or asked if there were any."""

    asked: tuple[str, ...] = ()
    listed: bool = False
    emptiness: bool = False

    @classmethod
    def of(cls, watched: Watched[Any] | None) -> Looked | None:
        """What was asked of ``watched``; None where there was nothing to ask (site.yaml unreadable)."""
        if watched is None:
            return None
        return cls(tuple(sorted(watched.asked)), watched.listed, watched.emptiness)


@dataclass(frozen=True, slots=True)
class Uses:
    """What one neighborhood's check looked up in site.yaml's grids and in its people."""

    grids: Looked | None
    people: Looked | None


class UsesDigest:
    """The digest of what a check used, as the entries stand now: equal digests, equal results.

    Each entry's text is made once (a grid is looked up by every neighborhood it covers).
    """

    def __init__(self, grids: Mapping[str, Any] | None, people: Mapping[str, Any] | None, frame: str) -> None:
        self.mappings = {"grids": grids, "people": people}
        self.frame = frame
        self._entries: dict[tuple[str, str], str] = {}
        self._keys: dict[str, str] = {}
        self._made: dict[Uses, str] = {}  # neighborhoods of one grid used the same

    def __call__(self, uses: Uses) -> str:
        made = self._made.get(uses)
        if made is None:
            made = self._made[uses] = hash_parts(
                self.frame, self._part("grids", uses.grids), self._part("people", uses.people)
            )
        return made

    def _part(self, name: str, looked: Looked | None) -> str:
        mapping = self.mappings[name]
        if looked is None or mapping is None:
            return f"{looked is None}{mapping is None}"
        parts = [self._entry(name, mapping, key) for key in looked.asked]
        if looked.listed:
            parts.append(self._every_key(name, mapping))
        if looked.emptiness:
            parts.append(str(bool(mapping)))
        return hash_parts(*parts)

    def _entry(self, name: str, mapping: Mapping[str, Any], key: str) -> str:
        made = self._entries.get((name, key))
        if made is None:
            made = self._entries[(name, key)] = hash_parts(key, repr(mapping.get(key)) if key in mapping else "-")
        return made

    def _every_key(self, name: str, mapping: Mapping[str, Any]) -> str:
        made = self._keys.get(name)
        if made is None:
            made = self._keys[name] = hash_parts(*mapping)
        return made
