"""Measure sitegen on synthetic cities: cold, no-op and one-notice builds, preview latency, memory.

    python benchmarks/bench.py            # N = 100 and 1,000
    python benchmarks/bench.py 100 10000  # any sizes

Prints a Markdown table for benchmarks/README.md. Every build runs in its own process; peak memory
is the largest resident set of the build process or any of its workers (GNU time's %M).

Nothing is deleted until every size is measured: on a file system that makes new files slower for a
while after many were deleted (ext4 without a journal, as here), removing one city's 100,000 files
would slow the next city's cold build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_city import make_city  # noqa: E402

EPOCH = "1795348800"  # 2026-11-22, like the tests
# As on an editor's machine: Python keeps compiled modules (some environments turn that off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(SOURCE_DATE_EPOCH=EPOCH, PYTHONUNBUFFERED="1")


@dataclass
class Run:
    seconds: float  # wall
    user: float  # CPU in user mode, of the command and its children
    system: float  # CPU in the kernel, of the command and its children
    peak_mb: int  # the largest resident set of the command or any of its children
    log: str  # its stderr

    @property
    def cpu(self) -> float:
        return self.user + self.system


def timed(command: list[str]) -> Run:
    """Run one command (with ENV) and measure it; stop everything if it fails."""
    wrapped = ["/usr/bin/time", "-f", "%M %U %S", *command]
    started = time.perf_counter()
    done = subprocess.run(wrapped, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    peak_kb, user, system = done.stderr.strip().splitlines()[-1].split()
    return Run(seconds, float(user), float(system), int(peak_kb) // 1024, done.stderr)


def edit_notice(content: Path, serial: int) -> Path:
    """Append a sentence to one notice (always the same one) and return it."""
    notice = sorted((content / "neighborhoods").glob("*/notices/*.md"))[7]
    with notice.open("a", encoding="utf-8") as stream:
        stream.write(f"\n补充说明 {serial}。\n")
    return notice


def edit_grid_worker(content: Path, serial: int) -> None:
    """Give the worker of the first grid a new phone number in site.yaml (the pages of that grid's
    neighborhoods show it, and the community's)."""
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    found = re.search(r"\n  w1:\n    name: .*\n    phone: (.*)\n", text)
    assert found is not None
    start, end = found.span(1)
    site.write_text(f"{text[:start]}139 0900 {serial % 10000:04d}{text[end:]}", encoding="utf-8")


def serve_latency(content: Path, rounds: int = 9) -> float:
    """Median seconds from saving a notice to its page being served rebuilt, in `sitegen serve`."""
    command = [sys.executable, "-m", "sitegen", "serve", "--content", str(content), "--port", "0"]
    server = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    url = ""
    while not url:
        line = server.stderr.readline()
        if not line:
            raise SystemExit("sitegen serve stopped")
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        url = match.group(1) if match else ""
    threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()  # type: ignore[union-attr]
    events: list[tuple[float, dict[str, object]]] = []

    def listen() -> None:
        with urllib.request.urlopen(url + "__sitegen__/events", timeout=600) as stream:
            for raw in stream:
                if raw.startswith(b"data: "):
                    events.append((time.perf_counter(), json.loads(raw[6:])))

    threading.Thread(target=listen, daemon=True).start()
    # A listener hears the current generation at once: 0 while the first build still runs.
    while not any(int(event.get("generation", 0)) >= 1 for _at, event in events):  # type: ignore[call-overload]
        time.sleep(0.01)
    # Edits come once the first build's files are on disk, not while the system still writes them out
    # (at N = 1,000 that is 1.5 GB; saving a file then waits for the disk).
    os.sync()
    latencies = []
    try:
        for serial in range(rounds):
            seen = len(events)
            notice = edit_notice(content, 1000 + serial)
            saved = time.perf_counter()
            while len(events) == seen:
                time.sleep(0.001)
            page = f"{notice.parent.parent.name}/notices/{notice.stem}.html"
            with urllib.request.urlopen(url + page, timeout=60) as response:
                body = response.read().decode("utf-8")
            assert f"补充说明 {1000 + serial}" in body
            latencies.append(time.perf_counter() - saved)
            time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return statistics.median(latencies)


def measure_builds(count: int, folder: Path) -> dict[str, float]:
    """Make a city of ``count`` neighborhoods in ``folder`` and time its builds."""
    content, output = folder / "content", folder / "output"
    make_city(count, content)
    # The search index is measured on its own (search.py), so that these figures compare with
    # those of builds before sitegen made it (Pagefind made it whole again after every change).
    with (content / "site.yaml").open("a", encoding="utf-8") as stream:
        stream.write("search: false\n")
    build = [
        sys.executable,
        "-m",
        "sitegen",
        "build",
        "--lang",
        "en",
        "--content",
        str(content),
        "--output",
        str(output),
    ]
    first = timed(build)
    pages = int(re.search(r"built (\d+) pages", first.log).group(1))  # type: ignore[union-attr]
    sheets = sum(1 for _ in output.glob("*/print/*.html"))
    again = timed(build)
    edit_notice(content, 1)
    edited = timed(build)
    rendered = int(re.search(r"\((\d+) rendered\)", edited.log).group(1))  # type: ignore[union-attr]
    edit_grid_worker(content, 1)
    site_edited = timed(build)
    site_rendered = int(re.search(r"\((\d+) rendered\)", site_edited.log).group(1))  # type: ignore[union-attr]
    return {
        "neighborhoods": count,
        "pages": pages,
        "sheets": sheets,
        "cold": first.seconds,
        "cold_user": first.user,
        "cold_system": first.system,
        "noop": again.seconds,
        "edit": edited.seconds,
        "edit_rendered": rendered,
        "site_edit": site_edited.seconds,
        "site_edit_rendered": site_rendered,
        "pages_per_s": pages / first.seconds,
        "sheets_per_s": sheets / first.seconds,
        "peak_mb": max(first.peak_mb, again.peak_mb, edited.peak_mb, site_edited.peak_mb),
    }


def main(sizes: list[int]) -> None:
    folders = [Path(tempfile.mkdtemp(prefix=f"sitegen-bench-{n}-")) for n in sizes]
    try:
        rows = [measure_builds(n, folder) for n, folder in zip(sizes, folders, strict=True)]
        # The previews come after every cold build: each removes its own folder of files when it stops.
        for row, folder in zip(rows, folders, strict=True):
            row["serve"] = serve_latency(folder / "content")
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        "| N | files | sheets | cold build (CPU user + system) | no-op rebuild | one notice edited "
        "| a grid worker's number edited (site.yaml) | edit → reloaded in serve | files/s | sheets/s | peak memory |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['neighborhoods']:,} | {r['pages']:,} | {r['sheets']:,} "
            f"| {r['cold']:.1f} s ({r['cold_user']:.0f} + {r['cold_system']:.0f} s) | {r['noop']:.2f} s "
            f"| {r['edit']:.2f} s ({r['edit_rendered']:.0f} files) "
            f"| {r['site_edit']:.2f} s ({r['site_edit_rendered']:.0f} files) | {r['serve'] * 1000:.0f} ms "
            f"| {r['pages_per_s']:.0f} | {r['sheets_per_s']:.0f} | {r['peak_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
