"""Measure how fast `sitegen serve` answers many browsers at once.

    python benchmarks/serve.py                 # 20 clients, 50 requests each, the example community
    python benchmarks/serve.py 20 50 CONTENT   # clients, requests per client, content folder

Starts the preview on a free port, waits for its first build, then lets every client ask for pages,
styles and sheets one after another, each request on a new connection as the preview's HTTP/1.0
answers need. Prints the latency of the requests (median, 90th and 99th percentile, worst) and any
that failed, as a Markdown table row for benchmarks/README.md.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "index.html", "assets/site.css", "assets/print.css", "search.html", "no/such/page.html"]


def start(content: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "sitegen", "serve", "--lang", "en", "--content", str(content), "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in server.stderr or []], daemon=True).start()
            return server, found.group(1)
    raise SystemExit("the preview did not start")


def _client(url: str, number: int, requests: int, barrier: Any, answers: Any) -> None:
    """One browser: asks for pages one after another, each on a new connection."""
    times, errors = [], []
    barrier.wait()
    for index in range(requests):
        path = PAGES[(number + index) % len(PAGES)]
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(url + path, timeout=30) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            error.read()
        except OSError as error:
            errors.append(f"{path}: {error!r}")
            continue
        times.append(time.perf_counter() - began)
    answers.put((times, errors))


def run(url: str, clients: int, requests: int) -> tuple[list[float], list[str]]:
    """Every client in a process of its own, so that they connect at the same moment, as browsers do."""
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(clients), context.Queue()
    processes = [context.Process(target=_client, args=(url, n, requests, barrier, answers)) for n in range(clients)]
    for process in processes:
        process.start()
    times: list[float] = []
    errors: list[str] = []
    for _process in processes:
        got_times, got_errors = answers.get()
        times += got_times
        errors += got_errors
    for process in processes:
        process.join()
    return times, errors


def main(arguments: list[str]) -> None:
    clients = int(arguments[0]) if arguments else 20
    requests = int(arguments[1]) if len(arguments) > 1 else 50
    content = Path(arguments[2]) if len(arguments) > 2 else ROOT / "content"
    server, url = start(content)
    try:
        run(url, 2, 5)  # warm up
        times, errors = run(url, clients, requests)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    times.sort()
    quantiles = statistics.quantiles(times, n=100, method="inclusive")
    print("| clients | requests | median | p90 | p99 | worst | failed |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {clients} | {len(times) + len(errors):,} | {statistics.median(times) * 1000:.1f} ms "
        f"| {quantiles[89] * 1000:.1f} ms | {quantiles[98] * 1000:.1f} ms | {times[-1] * 1000:.0f} ms | {len(errors)} |"
    )
    for error in errors[:10]:
        print(error, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
