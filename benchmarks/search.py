"""Measure what the search index costs: builds of a synthetic city with `search` on and off.

    python benchmarks/search.py          # N = 100
    python benchmarks/search.py 100 1000 # any sizes

Prints a Markdown table for benchmarks/README.md: wall time and CPU time (user + system, of the
build and its workers) for a cold build and for one notice edited, and the index's size.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import edit_notice, timed  # noqa: E402
from make_city import make_city  # noqa: E402


def measure(count: int, search: bool, folder: Path) -> dict[str, float]:
    content, output = folder / "content", folder / "output"
    make_city(count, content)
    if not search:
        with (content / "site.yaml").open("a", encoding="utf-8") as stream:
            stream.write("search: false\n")
    build = [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--output", str(output)]
    first = timed(build)
    edit_notice(content, 1)
    edited = timed(build)
    index = output / "search"
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) if index.is_dir() else 0
    files = sum(1 for p in index.rglob("*") if p.is_file()) if index.is_dir() else 0
    return {
        "cold": first.seconds,
        "cold_cpu": first.cpu,
        "edit": edited.seconds,
        "edit_cpu": edited.cpu,
        "mb": size / 2**20,
        "files": files,
    }


def main(sizes: list[int]) -> None:
    # Nothing is deleted until the end, as in bench.py: deleting a city slows the next cold build.
    folders: list[Path] = []
    try:
        print("| N | search | cold build (CPU) | one notice edited (CPU) | index |")
        print("| ---: | --- | ---: | ---: | ---: |")
        for count in sizes:
            for search in (True, False):
                folders.append(Path(tempfile.mkdtemp(prefix=f"sitegen-search-{count}-")))
                r = measure(count, search, folders[-1])
                index = f"{r['files']:,.0f} files, {r['mb']:.1f} MB" if search else "–"
                print(
                    f"| {count:,} | {'on' if search else 'off'} | {r['cold']:.1f} s ({r['cold_cpu']:.1f} s) "
                    f"| {r['edit']:.2f} s ({r['edit_cpu']:.2f} s) | {index} |"
                )
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100])
