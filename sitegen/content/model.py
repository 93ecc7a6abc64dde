"""The community as validated objects: frozen dataclasses holding only what may be published.

They have slots: a district holds tens of thousands of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

from sitegen.content.phone import Phone


@dataclass(frozen=True, slots=True)
class Person:
    """A public person. Private people and private phones never reach the model."""

    name: str
    role: str = ""
    phone: Phone | None = None
    org: str = ""
    personal: bool = False  # a volunteer's own number rather than an official role's

    @property
    def masked_phone(self) -> str:
        """The phone with the middle of a mobile number hidden (139 **** 0101), for web pages."""
        if self.phone is None:
            return ""
        if not self.phone.is_mobile:
            return self.phone.label
        return f"{self.phone.digits[:3]} **** {self.phone.digits[7:]}"


@dataclass(frozen=True, slots=True)
class Office:
    address: str
    phone: Phone
    hours: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EmergencyNumber:
    name: str
    phone: Phone
    note: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    """An issue category: who handles it, how to reach them, and what they promise."""

    id: str
    name: str
    handler: str
    promise: str
    examples: str = ""
    phone: Phone | None = None
    contact: Person | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """The buildings of one neighborhood that a grid covers."""

    slug: str
    neighborhood: str
    buildings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grid:
    id: str
    name: str
    households: int | None = None
    head: Person | None = None
    worker: Person | None = None
    helpers: tuple[Person, ...] = ()
    police: Person | None = None
    coverage: tuple[Coverage, ...] = ()
    area: str = ""


@dataclass(frozen=True, slots=True)
class ChainLevel:
    name: str
    role: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Meeting:
    """A recurring meeting: weekly on a weekday, or monthly on a day or an nth weekday."""

    name: str
    repeat: str
    start: dt.time
    place: str
    weekday: str = ""
    week: str = ""
    day: int | None = None
    end: dt.time | None = None
    description: str = ""


class Withheld(str):
    """The text of a neighborhood's notice that its summary does not hold (see :func:`summarize`).

    Empty: the community's pages read the text again for the few notices they show
    (``Documents.notice_texts``). There is only one, :data:`WITHHELD`, also when unpickled.
    """

    __slots__ = ()

    def __new__(cls) -> Withheld:
        return WITHHELD

    def __reduce__(self) -> tuple[type[Withheld], tuple[()]]:
        return Withheld, ()


WITHHELD: Withheld = str.__new__(Withheld)


@dataclass(frozen=True, slots=True)
class Notice:
    """A dated notice; ``slug`` comes from its file name, ``neighborhood`` is '' for the community."""

    slug: str
    title: str
    date: dt.date
    body: str
    neighborhood: str = ""
    expires: dt.date | None = None
    pinned: bool = False
    source: str = ""

    def is_current(self, today: dt.date) -> bool:
        return self.expires is None or self.expires >= today


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    head: Person | None = None


@dataclass(frozen=True, slots=True)
class Building:
    id: str
    name: str
    head: Person | None = None
    units: tuple[Unit, ...] = ()
    grid: Grid | None = None
    floors: int | None = None
    households: int | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """An everyday service contact or an online service channel."""

    category: str
    name: str
    phone: Phone | None = None
    hours: str = ""
    address: str = ""
    url: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Project:
    """A co-building project or an interest club."""

    name: str
    partner: str = ""
    schedule: str = ""
    place: str = ""
    contact: Person | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Honour:
    year: int
    title: str
    name: str
    note: str = ""


XY = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MapBuilding:
    """A building on the site plan: its outline, its entrances (walkway points) and its notice board."""

    id: str
    name: str
    outline: tuple[XY, ...]
    entrances: tuple[str, ...]
    board: XY | None = None
    facing: float | None = None


@dataclass(frozen=True, slots=True)
class Landmark:
    """A structure drawn for orientation only (clubhouse, guard room, school)."""

    name: str
    outline: tuple[XY, ...]


@dataclass(frozen=True, slots=True)
class Gate:
    id: str
    name: str
    at: str
    exit: bool = True


@dataclass(frozen=True, slots=True)
class AssemblyPoint:
    id: str
    name: str
    at: str
    capacity: int | None = None
    area: tuple[XY, ...] = ()


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    at: XY
    note: str = ""


@dataclass(frozen=True, slots=True)
class Route:
    """The shortest walk from a building's entrance to the nearest assembly point."""

    building: str
    entrance: str
    assembly: str
    points: tuple[str, ...]
    length: float


@dataclass(frozen=True, slots=True)
class SiteMap:
    """A neighborhood's site plan in local metres (x to the right, y up), with north at ``north``°."""

    north: float
    points: dict[str, XY]
    paths: tuple[tuple[str, ...], ...]
    gates: tuple[Gate, ...]
    assembly_points: tuple[AssemblyPoint, ...]
    facilities: tuple[Facility, ...]
    buildings: tuple[MapBuilding, ...]
    routes: dict[str, Route]
    landmarks: tuple[Landmark, ...] = ()


@dataclass(frozen=True, slots=True)
class Neighborhood:
    """One residential compound (小区) with its name-card facts and everything it publishes."""

    slug: str
    name: str
    verified_on: dt.date
    order: int = 0
    address: str = ""
    founded: int | None = None
    households: int | None = None
    residents: int | None = None
    property_company: str = ""
    property_phone: Phone | None = None
    property_manager: Person | None = None
    community_leader: Person | None = None
    instructor: Person | None = None
    buildings: tuple[Building, ...] = ()
    pact: str = ""
    notices: tuple[Notice, ...] = ()
    services: tuple[Service, ...] = ()
    channels: tuple[Service, ...] = ()
    projects: tuple[Project, ...] = ()
    clubs: tuple[Project, ...] = ()
    honours: tuple[Honour, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    map: SiteMap | None = None
    # Who to call for what here: site.yaml's categories, with this neighborhood's own parties.
    categories: tuple[Category, ...] = ()

    def grids(self) -> tuple[Grid, ...]:
        """The grids covering this neighborhood's buildings, in building order, each once."""
        seen: dict[str, Grid] = {}
        for building in self.buildings:
            if building.grid and building.grid.id not in seen:
                seen[building.grid.id] = building.grid
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class NeighborhoodSummary:
    """What the community's own pages show of a neighborhood: they never need the rest of it.

    Incremental builds keep summaries of every neighborhood but check only the changed ones again.
    ``grid_buildings`` gives each building's grid id with the building's name. The ``notices`` are
    without their text (``WITHHELD``): a district's notices are most of what its summaries would
    hold, and the community's pages show the text of a few hundred at most.
    """

    slug: str
    name: str
    order: int = 0
    address: str = ""
    households: int | None = None
    residents: int | None = None
    building_count: int = 0
    # Each building's grid id and the building's name, one after the other (see building_grids): as
    # pairs, a district's 300,000 buildings took a tuple each, in every process of a build.
    grid_buildings: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()

    def building_grids(self) -> Iterator[tuple[str, str]]:
        """Each of its buildings that lies in a grid: the grid's id with the building's name."""
        names = iter(self.grid_buildings)
        return zip(names, names, strict=True)


def summarize(neighborhood: Neighborhood) -> NeighborhoodSummary:
    return NeighborhoodSummary(
        slug=neighborhood.slug,
        name=neighborhood.name,
        order=neighborhood.order,
        address=neighborhood.address,
        households=neighborhood.households,
        residents=neighborhood.residents,
        building_count=len(neighborhood.buildings),
        grid_buildings=tuple(name for b in neighborhood.buildings if b.grid for name in (b.grid.id, b.name)),
        notices=tuple(replace(notice, body=WITHHELD) for notice in neighborhood.notices),
    )


@dataclass(frozen=True, slots=True)
class Site:
    """The community (社区) as of ``today`` (the build date): what every page may show.

    ``neighborhoods`` are summaries; each neighborhood's own pages get its whole model beside the site.
    """

    name: str
    office: Office
    emergency: tuple[EmergencyNumber, ...]
    categories: tuple[Category, ...]
    today: dt.date
    district: str = ""
    street: str = ""
    base_url: str = ""
    intro: str = ""
    area_km2: str = ""
    households: int | None = None
    residents: int | None = None
    grids: tuple[Grid, ...] = ()
    chain: tuple[ChainLevel, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    neighborhoods: tuple[NeighborhoodSummary, ...] = ()
    notices: tuple[Notice, ...] = ()
    verified_on: dt.date | None = None
    mask_personal_mobiles: bool = False
    languages: tuple[str, ...] = ("zh",)
    search: bool = True
