"""Build the same records with Hugo, MkDocs, a plain Python loop and sitegen, and compare them in one run.

    python benchmarks/peers/run.py                 # N = 1,000, three rounds
    python benchmarks/peers/run.py 1000 --rounds 5 --keep /tmp/peers   # keep the folders to look at

Needs `hugo` on PATH (Debian: `apt-get install hugo`) and MkDocs (`pip install mkdocs`); a tool
that is missing is left out with a note. `records.py` (beside this file) says what a record is for
each tool. Every build runs as its own process, measured with ``os.wait4``: wall time, CPU time in
user and system mode of the process and every child it waited for (Hugo's threads, sitegen's
workers, Pagefind), and the peak resident set of the largest of them (``ru_maxrss``; forked workers
share their parent's pages, so this is not a sum).

For each tool and round: a cold build into an empty folder, then one record's body edited (a
sentence appended) and the same command again. What that second command does differs by tool and
is the tool's own behaviour, not a setting of this benchmark:

- plain loop, Hugo (`hugo`), MkDocs (`mkdocs build`): everything again. Hugo's incremental
  rebuilds live only in `hugo server`; MkDocs' `build --dirty` reads and renders only the pages
  whose source is newer than their output, and says that lists and navigation may then be wrong
  (measured too, as "MkDocs --dirty");
- sitegen: the changed neighborhood only (its build state is kept beside the output).

Rounds rotate the order of the tools; nothing is deleted until every round is done (on a file system
that is slow to create files soon after many were deleted, as ext4 without a journal is, deleting
one tool's output would slow the next one's build). Prints Markdown tables for benchmarks/README.md:
medians with the range over rounds, and every figure as a ratio to the plain loop's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

EPOCH = "1795348800"  # 2026-11-22, as bench.py
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(
    SOURCE_DATE_EPOCH=EPOCH,
    PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH", "")])),
)


@dataclass
class Run:
    seconds: float
    user: float
    system: float
    peak_mb: float
    files: int = 0

    @property
    def cpu(self) -> float:
        return self.user + self.system


def measured(command: list[str], cwd: Path, log: Path) -> Run:
    """Run ``command`` to the end as a child of this process; its wall time and resource use."""
    with log.open("ab") as stream:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=stream, stderr=stream, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}); see {log}")
    return Run(seconds, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024)


def count_files(folder: Path) -> int:
    return sum(len(names) for _root, _dirs, names in os.walk(folder))


@dataclass(frozen=True)
class Tool:
    """One way of building the records: its label, source folder kind, and command line."""

    label: str
    kind: str  # which records.py content it builds
    available: bool

    def command(self, source: Path, output: Path, work: Path) -> list[str]:
        if self.kind == "plain":
            return [sys.executable, str(HERE / "plain.py"), str(source), str(output)]
        if self.kind == "hugo":
            return ["hugo", "--quiet", "-s", str(source), "-d", str(output), "--cacheDir", str(work / "hugo-cache")]
        if self.kind == "mkdocs":
            config = "mkdocs-search.yml" if "search" in self.label else "mkdocs.yml"
            dirty = ["--dirty"] if "--dirty" in self.label else []
            return ["mkdocs", "build", "-q", *dirty, "-f", str(source / config), "-d", str(output)]
        return [
            sys.executable,
            "-m",
            "sitegen",
            "build",
            "--lang",
            "en",
            "--content",
            str(source),
            "--output",
            str(output),
        ]


def tools() -> list[Tool]:
    hugo = shutil.which("hugo") is not None
    mkdocs = shutil.which("mkdocs") is not None
    return [
        Tool("plain loop", "plain", True),
        Tool("Hugo", "hugo", hugo),
        Tool("MkDocs", "mkdocs", mkdocs),
        Tool("MkDocs --dirty", "mkdocs", mkdocs),
        Tool("MkDocs, search plugin", "mkdocs", mkdocs),
        Tool("sitegen", "sitegen", True),
        Tool("sitegen, search on", "sitegen-search", True),
    ]


def version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    except OSError:
        return "missing"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return (
        f"{datetime.date.today()}, {os.cpu_count()} × {model}, {memory:.0f} GiB, {platform.platform(terse=True)}, "
        f"Python {platform.python_version()}; {version(['hugo', 'version'])}; {version(['mkdocs', '--version'])}"
    )


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Results:
    cold: dict[str, list[Run]] = field(default_factory=dict)
    edit: dict[str, list[Run]] = field(default_factory=dict)


def prepare(count: int, work: Path) -> dict[str, Path]:
    """Write every tool's content once; sitegen twice (search off, the default on)."""
    records.write_all(count, work / "source")
    sources = {kind: work / "source" / kind for kind in records.TOOLS}
    shutil.copytree(sources["sitegen"], work / "source" / "sitegen-search")
    sources["sitegen-search"] = work / "source" / "sitegen-search"
    with (sources["sitegen"] / "site.yaml").open("a", encoding="utf-8") as stream:
        stream.write("search: false\n")
    # MkDocs --dirty edits its own copy, so that the full MkDocs rebuild sees the same content.
    shutil.copytree(sources["mkdocs"], work / "source" / "mkdocs-dirty")
    shutil.copytree(sources["mkdocs"], work / "source" / "mkdocs-search")
    return sources


def source_of(tool: Tool, sources: dict[str, Path], work: Path) -> Path:
    if tool.kind == "mkdocs" and "--dirty" in tool.label:
        return work / "source" / "mkdocs-dirty"
    if tool.kind == "mkdocs" and "search" in tool.label:
        return work / "source" / "mkdocs-search"
    return sources[tool.kind]


def measure(count: int, rounds: int, work: Path) -> Results:
    sources = prepare(count, work)
    chosen = [t for t in tools() if t.available]
    results = Results()
    log = work / "builds.log"
    serial = 0
    for round_ in range(rounds):
        order = chosen[round_ % len(chosen) :] + chosen[: round_ % len(chosen)]
        for tool in order:
            source = source_of(tool, sources, work)
            output = work / f"out-{round_}" / tool.label.replace(" ", "-").replace(",", "")
            output.parent.mkdir(parents=True, exist_ok=True)
            command = tool.command(source, output, output.parent)
            print(f"round {round_ + 1}: {tool.label} (load {load()})", file=sys.stderr, flush=True)
            cold = measured(command, source, log)
            cold.files = count_files(output)
            serial += 1
            records.edit(tool.kind.removesuffix("-search"), source, serial)
            edited = measured(command, source, log)
            results.cold.setdefault(tool.label, []).append(cold)
            results.edit.setdefault(tool.label, []).append(edited)
            with (work / "results.jsonl").open("a", encoding="utf-8") as stream:  # for a run cut short
                stream.write(
                    json.dumps({"round": round_, "tool": tool.label, "cold": vars(cold), "edit": vars(edited)})
                )
                stream.write("\n")
    return results


def load_results(path: Path) -> Results:
    """The builds a run measured (and wrote down as it went), complete rounds of the plain loop first."""
    results = Results()
    for line in path.read_text("utf-8").splitlines():
        entry = json.loads(line)
        results.cold.setdefault(entry["tool"], []).append(Run(**entry["cold"]))
        results.edit.setdefault(entry["tool"], []).append(Run(**entry["edit"]))
    rounds = min(len(runs) for runs in results.cold.values())
    for runs in [*results.cold.values(), *results.edit.values()]:
        del runs[rounds:]
    return results


def spread(values: list[float], form: str) -> str:
    middle = statistics.median(values)
    if len(values) == 1:
        return form.format(middle)
    return f"{form.format(middle)} ({form.format(min(values))}–{form.format(max(values))})"


def report(count: int, results: Results) -> None:
    """Print the figures, and every figure as a ratio to the plain loop's of the same round."""
    base, base_edit = results.cold["plain loop"], results.edit["plain loop"]
    figures = {
        "records/s": lambda r: count / r.seconds,
        "files/s": lambda r: r.files / r.seconds,
        "CPU per record": lambda r: r.cpu / count,
        "CPU per file": lambda r: r.cpu / r.files,
        "peak memory": lambda r: r.peak_mb,
    }

    def each(runs: list[Run], figure: Callable[[Run], float]) -> list[float]:
        return [figure(r) for r in runs]

    print(f"N = {count:,} records.\n")
    print(
        "| tool | files | cold build: wall | CPU (user + system) | records/s | files/s | CPU per record "
        "| peak memory | one record edited: wall | CPU |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, runs in results.cold.items():
        edits = results.edit[label]
        wall, edit_wall = (
            spread(each(runs, lambda r: r.seconds), "{:.1f}"),
            spread(each(edits, lambda r: r.seconds), "{:.2f}"),
        )
        print(
            f"| {label} | {statistics.median(r.files for r in runs):,.0f} | {wall} s "
            f"| {spread(each(runs, lambda r: r.cpu), '{:.2f}')} s ({statistics.median(r.user for r in runs):.2f} + "
            f"{statistics.median(r.system for r in runs):.2f}) | {spread(each(runs, figures['records/s']), '{:.0f}')} "
            f"| {spread(each(runs, figures['files/s']), '{:.0f}')} "
            f"| {spread(each(runs, lambda r: 1000 * r.cpu / count), '{:.2f}')} ms "
            f"| {spread(each(runs, figures['peak memory']), '{:.0f}')} MB "
            f"| {edit_wall} s | {spread(each(edits, lambda r: r.cpu), '{:.2f}')} s |"
        )
    print("\nAs ratios to the plain loop's figure in the same round (median, and range over rounds):\n")
    print(f"| tool | {' | '.join(figures)} | one record edited: wall | CPU |")
    print("| --- |" + " ---: |" * (len(figures) + 2))
    for label, runs in results.cold.items():
        cells = [[a / b for a, b in zip(each(runs, f), each(base, f), strict=True)] for f in figures.values()]
        edits = results.edit[label]
        cells.append([a.seconds / b.seconds for a, b in zip(edits, base_edit, strict=True)])
        cells.append([a.cpu / b.cpu for a, b in zip(edits, base_edit, strict=True)])
        print(f"| {label} | " + " | ".join(f"{spread(c, '{:.2f}')} ×" for c in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    parser.add_argument("--report", type=Path, help="only print the tables of the builds a kept folder measured")
    args = parser.parse_args()
    if args.report:
        report(args.count, load_results(args.report / "results.jsonl"))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    print(machine())
    print(f"load average before: {load()}", flush=True)
    try:
        results = measure(args.count, args.rounds, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {load()}\n")
    report(args.count, results)


if __name__ == "__main__":
    main()
