"""What sending a district's grids to the forker costs the process that sends them: one pickle of
every grid, or the grids in parts (``sitegen.workers.InParts``).

    python benchmarks/sent_memory.py [GRIDS]   # 20,000 by default

Makes GRIDS grids of the model's classes (a head, a worker, two helpers and a police officer each,
covering ten buildings of two neighborhoods), then in a child of its own for each way, resets the
kernel's peak resident set, pickles the work into a temporary file as the forker is sent it, and
prints how far the peak rose over the resident set before, and what was left resident after.
Linux only (/proc/self/clear_refs).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile

from memory import peak_rss, rss_and_pss

from sitegen import workers
from sitegen.content.model import Coverage, Grid, Person
from sitegen.content.phone import Phone


def person(number: int, role: str) -> Person:
    return Person(name=f"网格员{number}", role=role, phone=Phone(f"1390000{number:04d}", f"139 0000 {number:04d}"))


def grid(number: int) -> Grid:
    buildings = tuple(f"{b}号楼" for b in range(1, 11))
    return Grid(
        id=f"g{number}",
        name=f"第{number}网格",
        households=500,
        head=person(number, "网格长"),
        worker=person(number, "网格员"),
        helpers=(person(number, "协管员"), person(number + 1, "协管员")),
        police=person(number, "社区民警"),
        coverage=tuple(Coverage(f"xq{number}-{k}", f"小区{number}-{k}", buildings) for k in range(2)),
    )


def measure(name: str, work: object) -> None:
    before = rss_and_pss(os.getpid())[0] // 1024
    with open("/proc/self/clear_refs", "w") as stream:
        stream.write("5")  # the peak resident set starts again from here
    with tempfile.TemporaryFile() as file:
        workers._send(work, file)  # type: ignore[arg-type]
        size = file.tell()
        peak, after = peak_rss(os.getpid()) // 1024, rss_and_pss(os.getpid())[0] // 1024
    rise, left = peak - before, after - before
    print(f"{name:>10}: {before} MB before, peak +{rise} MB, left +{left} MB; {size // 1024} KB pickled")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    grids = tuple(grid(number) for number in range(count))
    print(f"{count} grids")
    for name, work in [("one pickle", functools.partial(len, grids)), ("in parts", workers.InParts(len, grids))]:
        pid = os.fork()
        if pid == 0:
            measure(name, work)
            sys.stdout.flush()
            os._exit(0)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
