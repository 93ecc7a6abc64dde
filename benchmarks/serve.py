"""Measure how fast `sitegen serve` answers many browsers at once.

    python benchmarks/serve.py                 # 20 clients, 50 requests each, the example community
    python benchmarks/serve.py 20 50 CONTENT   # clients, requests per client, content folder

Starts the preview on a free port, waits for its first build, then measures two things, each client
a process of its own (so that clients connect at the same moment, as browsers do) asking for pages,
styles and sheets, each request on a new connection as the preview's HTTP/1.0 answers need:

- **steady** — every client asks again as soon as it has its answer;
- **busy** — every client asks once at the same moment while the preview is busy (stopped with
  SIGSTOP for 0.3 s, as a rebuild or a page rendered on demand keeps it from accepting), then the
  preview goes on; the time counts from the preview going on. Connections beyond what the system
  queues for the preview meanwhile are dropped, and the clients try again a second later.

Prints the latency of the requests (median, 90th and 99th percentile, worst) and any that failed,
as Markdown table rows for benchmarks/README.md.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "index.html", "assets/site.css", "assets/print.css", "search.html", "no/such/page.html"]
PAUSE = 0.3


def start(content: Path) -> tuple[subprocess.Popen[str], tuple[str, int]]:
    command = [sys.executable, "-m", "sitegen", "serve", "--lang", "en", "--content", str(content), "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in server.stderr or []], daemon=True).start()
            parts = urllib.parse.urlsplit(found.group(1))
            return server, (parts.hostname or "127.0.0.1", parts.port or 80)
    raise SystemExit("the preview did not start")


def _fetch(address: tuple[str, int], path: str) -> int:
    """One request on a new connection, with as little work on the client's side as can be: its status."""
    with socket.create_connection(address, timeout=30) as connection:
        connection.sendall(f"GET /{path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def _client(address: tuple[str, int], number: int, rounds: int, resumed: Any, barrier: Any, answers: Any) -> None:
    """Requests one after another (``resumed`` None), or one a round while the preview is stopped."""
    times, errors = [], []
    if resumed is None:
        barrier.wait()
    for index in range(rounds):
        if resumed is not None:
            barrier.wait()  # the preview is stopped: ask now
        path = PAGES[(number + index) % len(PAGES)]
        began = time.monotonic()
        try:
            status = _fetch(address, path)
        except (OSError, ValueError, IndexError) as error:
            errors.append(f"{path}: {error!r}")
            status = 0
        if status not in (0, 200, 404):
            errors.append(f"{path}: {status}")
        elif status:
            # Busy: from the moment the preview went on (the clocks are the system's monotonic clock).
            times.append(time.monotonic() - (began if resumed is None else resumed.value))
        if resumed is not None:
            barrier.wait()  # every client has its answer
    answers.put((times, errors))


def run(server: subprocess.Popen[str], address: tuple[str, int], clients: int, rounds: int, steady: bool) -> Any:
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(clients if steady else clients + 1), context.Queue()
    resumed = None if steady else context.Value("d", 0.0)
    processes = [
        context.Process(target=_client, args=(address, n, rounds, resumed, barrier, answers)) for n in range(clients)
    ]
    for process in processes:
        process.start()
    if resumed is not None:
        for _round in range(rounds):
            server.send_signal(signal.SIGSTOP)
            barrier.wait()
            time.sleep(PAUSE)  # the clients connect meanwhile
            resumed.value = time.monotonic()
            server.send_signal(signal.SIGCONT)
            barrier.wait()
    times: list[float] = []
    errors: list[str] = []
    for _process in processes:
        got_times, got_errors = answers.get()
        times += got_times
        errors += got_errors
    for process in processes:
        process.join()
    return sorted(times), errors


def row(name: str, clients: int, times: list[float], errors: list[str]) -> str:
    quantiles = statistics.quantiles(times, n=100, method="inclusive")
    return (
        f"| {name} | {clients} | {len(times) + len(errors):,} | {statistics.median(times) * 1000:.1f} ms "
        f"| {quantiles[89] * 1000:.1f} ms | {quantiles[98] * 1000:.1f} ms | {times[-1] * 1000:.0f} ms | {len(errors)} |"
    )


def main(arguments: list[str]) -> None:
    clients = int(arguments[0]) if arguments else 20
    requests = int(arguments[1]) if len(arguments) > 1 else 50
    content = Path(arguments[2]) if len(arguments) > 2 else ROOT / "content"
    server, address = start(content)
    try:
        run(server, address, 2, 5, True)  # warm up
        steady = run(server, address, clients, requests, True)
        busy = run(server, address, clients, 10, False)
    finally:
        server.send_signal(signal.SIGCONT)
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    print("| load | clients | requests | median | p90 | p99 | worst | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(row("steady", clients, *steady))
    print(row("busy", clients, *busy))
    for error in [*steady[1], *busy[1]][:10]:
        print(error, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
