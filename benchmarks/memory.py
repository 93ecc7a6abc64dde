"""Follow the memory of one sitegen command, stage by stage: which stage holds the peak, parent or workers.

    python benchmarks/memory.py build CONTENT OUTPUT   # any sitegen command line after the script's name
    python benchmarks/memory.py check CONTENT

Runs ``python -m sitegen <command> --content CONTENT [--output OUTPUT]`` as a child, with its standard
error on a terminal so that sitegen tells each stage as it ends, and reads every 0.1 s the resident
set (RSS) and proportional set (PSS: shared pages divided among the processes sharing them) of the
child and of every process it forked. Prints, per stage, the largest RSS of the main process, of
any one worker as sampled and as the kernel kept it (VmHWM: a peak between two samples), and the
largest PSS of all of them together; then the peak RSS the kernel counted (``ru_maxrss``, the
largest single process, as GNU time's %M) and CPU time.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EPOCH = "1795348800"  # 2026-11-22, as bench.py


def tree(root: int) -> dict[int, int]:
    """Every process below ``root`` (itself included), with its depth (``root`` 0, its children 1)."""
    found, queue = {}, [(root, 0)]
    while queue:
        pid, depth = queue.pop()
        found[pid] = depth
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as stream:
                    queue += [(int(child), depth + 1) for child in stream.read().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    return list(tree(pid))


def rss_and_pss(pid: int) -> tuple[int, int]:
    """Resident and proportional set of one process, in KB (0, 0 once it is gone)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def peak_rss(pid: int) -> int:
    """The largest resident set the process has had so far (VmHWM), in KB (0 once it is gone).

    Sampling RSS misses a peak that lasts less than a sample's interval; the kernel keeps this one.
    """
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(arguments: list[str]) -> None:
    if len(arguments) < 2:
        sys.exit(__doc__)
    command, content, rest = arguments[0], arguments[1], arguments[2:]
    line = [sys.executable, "-m", "sitegen", command, "--lang", "en", "--content", content]
    if command == "build" and rest:
        line += ["--output", rest[0]]
        rest = rest[1:]
    line += rest
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH", "")]))
    leader, follower = pty.openpty()
    started = time.perf_counter()
    child = subprocess.Popen(line, env=env, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    stages: list[tuple[float, str, int, int, int, int]] = []
    top_parent = top_worker = top_pss = 0
    peaks: dict[int, int] = {}  # each worker's VmHWM, kept while it lives (a worker may span stages)
    top_peak = 0
    pending = b""
    status = None
    while status is None:
        readable, _w, _x = select.select([leader], [], [], 0.1)
        if readable:
            try:
                pending += os.read(leader, 65536)
            except OSError:
                readable = []
        parent, _pss = rss_and_pss(child.pid)
        workers = descendants(child.pid)[1:]
        others = [rss_and_pss(pid) for pid in workers]
        top_parent = max(top_parent, parent)
        top_worker = max([top_worker, *(rss for rss, _ in others)])
        for pid in workers:
            peaks[pid] = max(peaks.get(pid, 0), peak_rss(pid))
        top_peak = max([top_peak, *peaks.values()])
        peaks = {pid: peak for pid, peak in peaks.items() if os.path.exists(f"/proc/{pid}")}
        top_pss = max(top_pss, _pss + sum(pss for _, pss in others))
        while b"\n" in pending:
            text, pending = pending.split(b"\n", 1)
            message = text.decode("utf-8", "replace").strip()
            if message.endswith("s)") or message.startswith(("built", "indexed", "checked")):
                stages.append((time.perf_counter() - started, message, top_parent, top_worker, top_peak, top_pss))
                top_parent = top_worker = top_pss = top_peak = 0
        pid, wait_status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            status = wait_status
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    stages.append((seconds, "(to the end)", top_parent, top_worker, top_peak, top_pss))
    print(
        "| at | stage (as sitegen tells it) | main process RSS | largest child RSS (worker) "
        "| largest child's peak (VmHWM) | all, PSS |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for at, message, parent, worker, peak, pss in stages:
        print(
            f"| {at:.1f} s | {message} | {parent / 1024:.0f} MB | {worker / 1024:.0f} MB | {peak / 1024:.0f} MB "
            f"| {pss / 1024:.0f} MB |"
        )
    print(
        f"\nexit {child.returncode}; {seconds:.1f} s wall, {usage.ru_utime:.1f} s user, {usage.ru_stime:.1f} s system; "
        f"peak RSS (ru_maxrss, largest process) {usage.ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
