"""Profile a cold build with py-spy and say where the time goes, by stage of the build and by function.

    python benchmarks/profile_build.py city 1000 /tmp/prof      # make_city.py's district, profiled
    python benchmarks/profile_build.py records 1000 /tmp/prof   # the peers benchmark's records
    python benchmarks/profile_build.py summarise /tmp/prof/city-1000.txt   # a profile taken before

`city` and `records` write the content, then build it once with ``SITEGEN_JOBS=1`` (everything in one
process, so that one profile sees all of it) under ``py-spy record --format raw``, with search on,
as the default is, sampled 50 times a second without pausing the program (``--nonblocking``: on a
busy machine, py-spy's pauses starved the build, which then barely ran). The raw profile is
collapsed stacks, one line per distinct stack and its sample count; speedscope opens it as it is.

Each sample is put in the stage of the innermost frame that belongs to one (an import anywhere in
the stack makes it "imports"): the standard library's frames count for the code that called them.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "peers"))

EPOCH = "1795348800"  # 2026-11-22, as bench.py

# (stage, pattern on "function (file:line)"), tried in order on each frame from the innermost out.
STAGES: list[tuple[str, re.Pattern[str]]] = [
    ("QR encoding", re.compile(r"\((qrcode/|sitegen/plan/qr\.py)")),
    ("site plans drawn", re.compile(r"\(sitegen/plan/mapdraw\.py")),
    # Laying plans out (where each name and sign goes) happens while the content is checked.
    ("site plans laid out", re.compile(r"\(sitegen/content/(placement|planlayout|planitems|geometry)\.py")),
    ("Markdown", re.compile(r"\((markdown/|nh3/|sitegen/content/markdown\.py)")),
    ("Jinja rendering", re.compile(r"\((jinja2/|markupsafe/|sitegen/render/|[^()]*\.(html|xml|txt|json):)")),
    ("feeds, calendars, vCards", re.compile(r"\((feedgen/|icalendar/|lxml/|sitegen/plan/(feeds|vcard|meetings)\.py)")),
    ("search index", re.compile(r"\(sitegen/publish/search\.py")),
    ("writing", re.compile(r"\(sitegen/publish/(write|state)\.py")),
    ("reading and checking", re.compile(r"\((yaml/|sitegen/content/)")),
    ("planning", re.compile(r"\(sitegen/plan/")),
    ("workers and pickling", re.compile(r"\((multiprocessing/|sitegen/workers\.py)")),
]
IMPORT = re.compile(r"^_find_and_load \(")
# py-spy names a template by its file's base name: these are the print kit's (print/base.html is only
# ever reached through print/page.html or print/all.html).
PRINT_TEMPLATE = re.compile(r"\((page|all|parts|name-card|notice-board|services|building|evacuation|grids)\.html:")
TEMPLATE = re.compile(r"\([^()]*\.html:")
MACRO_CALL = re.compile(r"^Macro\.__call__ \(jinja2/runtime\.py")
MAKE_MODULE = re.compile(r"^(Template\.make_module|TemplateModule\.__init__) \(jinja2/environment\.py")


def parse(path: Path) -> Iterator[tuple[list[str], int]]:
    for line in path.read_text("utf-8").splitlines():
        stack, _space, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def stage_of(frames: list[str]) -> str:
    if any(IMPORT.match(frame) for frame in frames):
        return "imports"
    for frame in reversed(frames):
        for stage, pattern in STAGES:
            if pattern.search(frame):
                return stage
    return "other (build.py, garbage collector, start-up)"


def function_of(frame: str) -> str:
    """A frame without its line number: the function and its file."""
    return re.sub(r":\d+\)$", ")", frame)


def summarise(path: Path, top: int = 25, out: TextIO | None = None) -> None:
    stages: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    files: collections.Counter[str] = collections.Counter()
    macro = collections.Counter[str]()
    samples = 0
    for frames, count in parse(path):
        samples += count
        stages[stage_of(frames)] += count
        own[function_of(frames[-1])] += count
        for name in {function_of(f) for f in frames}:
            total[name] += count
        leaf_file = re.search(r"\(([^:()]*)", frames[-1])
        files[leaf_file.group(1) if leaf_file else "?"] += count
        if any(PRINT_TEMPLATE.search(f) for f in frames):
            macro["in print templates"] += count
            calls = [i for i, f in enumerate(frames) if MACRO_CALL.match(f)]
            if calls:
                macro["in print templates, inside a macro call"] += count
                if not any(TEMPLATE.search(f) for f in frames[calls[-1] :]):
                    macro["in print templates, in Jinja's macro call itself (not the macro's body)"] += count
            if any(MAKE_MODULE.match(f) for f in frames):
                macro["in print templates, making the module of an `import … with context`"] += count
    write = (out or sys.stdout).write
    write(f"{samples:,} samples in {path.name}\n\n| stage | share of samples |\n| --- | ---: |\n")
    for stage, count in stages.most_common():
        write(f"| {stage} | {100 * count / samples:.1f} % |\n")
    for title, counter in (("self", own), ("total (in the stack)", total), ("self, by file", files)):
        write(f"\n| function, by {title} | % |\n| --- | ---: |\n")
        for name, count in counter.most_common(top):
            write(f"| `{name}` | {100 * count / samples:.1f} |\n")
    if macro:
        write("\n| print templates | % of all samples |\n| --- | ---: |\n")
        for name, count in macro.items():
            write(f"| {name} | {100 * count / samples:.1f} |\n")


def record(workload: str, count: int, work: Path) -> Path:
    content = work / f"{workload}-{count}-content"
    output = work / f"{workload}-{count}-output"
    if not content.exists():
        if workload == "city":
            from make_city import make_city

            make_city(count, content)
        else:
            import records

            records.write_sitegen(records.make_records(count), content)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(SOURCE_DATE_EPOCH=EPOCH, SITEGEN_JOBS="1", PYTHONPATH=str(REPOSITORY))
    profile = work / f"{workload}-{count}.txt"
    command = [
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
    started = time.perf_counter()
    child = subprocess.Popen(
        ["py-spy", "record", "--nonblocking", "-r", "50", "-f", "raw", "-o", str(profile), "--", *command], env=env
    )
    _pid, status, _usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    # py-spy's resource use does not always include the build's (it may not wait for it): time only.
    print(f"build: {time.perf_counter() - started:.1f} s wall under py-spy (exit {child.returncode})")
    return profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["city", "records", "summarise"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if args.what == "summarise":
        summarise(Path(args.args[0]), args.top)
        return
    if shutil.which("py-spy") is None:
        sys.exit("needs py-spy: pip install py-spy")
    count, work = int(args.args[0]), Path(args.args[1])
    work.mkdir(parents=True, exist_ok=True)
    summarise(record(args.what, count, work), args.top)


if __name__ == "__main__":
    main()
