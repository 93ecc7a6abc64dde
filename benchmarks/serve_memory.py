"""Follow the memory of `sitegen serve` through its first build, an edit of site.yaml and its undoing.

    python benchmarks/serve_memory.py CONTENT [OLD NEW] [--settle SECONDS]

Starts ``python -m sitegen serve --lang en --content CONTENT`` on a free port, with its standard
error on a terminal, and reads every 0.2 s the resident set of the server, of its builder (the
server's one child) and of every process below the builder, and the proportional set (PSS) of all
of them together. Once the first build is served, it replaces the first ``OLD`` in site.yaml by
``NEW`` (by default the phone number of ``make_city.py``'s grid worker ``w2``), waits for the
rebuild and SECONDS more (60 by default: the pages left waiting are rendered meanwhile), then puts
site.yaml back and does the same. site.yaml is put back however the run ends.

Prints, per phase, the preview's line that ended the build, and the highest RSS of the server, of
the builder (sampled, and VmHWM as the kernel kept it), of any process below the builder (its
depth: 2 a child of the builder, 3 a grandchild), and of all processes' PSS together.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from memory import EPOCH, HERE, peak_rss, rss_and_pss, tree

# make_city.py's w2: an edit of one person that shows on every page of the grid's neighborhoods.
OLD, NEW = "139 0100 0002", "139 0100 0992"
SAMPLE = 0.2


class Phase:
    def __init__(self, name: str) -> None:
        self.name, self.started, self.line = name, time.perf_counter(), ""
        self.ended = self.started
        self.server = self.builder = self.builder_peak = self.pss = 0
        self.below: dict[int, int] = {}  # depth: highest RSS or VmHWM of a process at that depth

    def sample(self, server: int) -> None:
        processes = tree(server)
        total = 0
        for pid, depth in processes.items():
            rss, pss = rss_and_pss(pid)
            total += pss
            if depth == 0:
                self.server = max(self.server, rss)
            elif depth == 1:
                self.builder = max(self.builder, rss)
                self.builder_peak = max(self.builder_peak, peak_rss(pid))
            else:
                self.below[depth] = max(self.below.get(depth, 0), rss, peak_rss(pid))
        self.pss = max(self.pss, total)
        self.ended = time.perf_counter()

    def row(self) -> str:
        def mb(kb: int) -> str:
            return f"{kb / 1024:.0f}"

        below = ", ".join(f"depth {depth}: {mb(kb)}" for depth, kb in sorted(self.below.items()))
        seconds = self.ended - self.started
        return (
            f"| {self.name} | {seconds:.0f} s | {mb(self.server)} | {mb(self.builder)} ({mb(self.builder_peak)}) "
            f"| {below or '–'} | {mb(self.pss)} | {self.line} |"
        )


def main(arguments: list[str]) -> None:
    settle = 60.0
    if "--settle" in arguments:
        at = arguments.index("--settle")
        settle = float(arguments[at + 1])
        del arguments[at : at + 2]
    if len(arguments) not in (1, 3):
        sys.exit(__doc__)
    content = Path(arguments[0])
    old, new = (arguments[1], arguments[2]) if len(arguments) == 3 else (OLD, NEW)
    site = content / "site.yaml"
    original = site.read_text(encoding="utf-8")
    if old not in original:
        sys.exit(f"{old!r} is not in {site}")
    line = [sys.executable, "-m", "sitegen", "serve", "--lang", "en", "--content", str(content), "--port", "0"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH", "")]))
    leader, follower = pty.openpty()
    server = subprocess.Popen(line, env=env, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    pending = b""
    phases = [Phase("first build")]

    def wait_for(*starts: str, longest: float) -> str:
        """Sample until the preview says a line that starts with one of ``starts`` (after its
        "sitegen: " prefix, if any), or ``longest`` seconds; the line."""
        nonlocal pending
        until = time.perf_counter() + longest
        while time.perf_counter() < until:
            readable, _w, _x = select.select([leader], [], [], SAMPLE)
            if readable:
                try:
                    pending += os.read(leader, 65536)
                except OSError:
                    raise SystemExit("the preview ended") from None
            phases[-1].sample(server.pid)
            while b"\n" in pending:
                text, pending = pending.split(b"\n", 1)
                said = text.decode("utf-8", "replace").strip()
                print(f"  {time.perf_counter() - phases[-1].started:7.1f} s  {said}", file=sys.stderr)
                if said.removeprefix("sitegen: ").startswith(starts):
                    return said
        return ""

    try:
        phases[-1].line = wait_for("serving", longest=24 * 3600)
        for name, text in [("the edit", original.replace(old, new, 1)), ("undone", original)]:
            phases.append(Phase(name))
            site.write_text(text, encoding="utf-8")
            phases[-1].line = wait_for("rebuilt", "the content has problems", "internal error", longest=3600)
            wait_for("\0", longest=settle)
    finally:
        site.write_text(original, encoding="utf-8")
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    print("| phase | took | server | builder (VmHWM) | below the builder | all (PSS) | the preview said |")
    print("| --- | ---: | ---: | ---: | --- | ---: | --- |")
    for phase in phases:
        print(phase.row())


if __name__ == "__main__":
    main(sys.argv[1:])
