"""sitegen serve: rebuilds on save, reloads open pages, shows problems in the page, never dies, stops cleanly."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BUILD_EPOCH, ROOT, children

MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"
NOTICE = Path("neighborhoods/lanting/notices/2026-11-20-water.md")


class Server:
    """A `sitegen serve` process on a free loopback port, and a reader of its event stream."""

    def __init__(self, content: Path, **environment: str) -> None:
        env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONUNBUFFERED": "1", **environment}
        command = [sys.executable, "-m", "sitegen", "serve", "--lang", "en", "--content", str(content), "--port", "0"]
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.log: list[str] = []
        self.url = ""
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        while not self.url and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            self.log.append(line)
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                self.url = match.group(1)
        assert self.url, "".join(self.log)
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()
        self.events: list[dict[str, Any]] = []
        threading.Thread(target=self._listen, daemon=True).start()
        self.wait_for(lambda e: True)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def _listen(self) -> None:
        with urllib.request.urlopen(self.url + "__sitegen__/events", timeout=120) as stream:
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    self.events.append(json.loads(line[6:]))

    def wait_for(self, condition: Any, timeout: float = 30) -> dict[str, Any]:
        seen = len(self.events) if self.events else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events[max(0, seen - 1) :]:
                if condition(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no such event; events: {self.events}; log: {''.join(self.log)}")

    def next_build(self, timeout: float = 30) -> dict[str, Any]:
        generation = self.events[-1]["generation"]
        return self.wait_for(lambda e: e["generation"] > generation, timeout)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        self.drain.join(timeout=5)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    server = Server(content)
    yield server, content
    server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_pages_are_served_with_the_reload_script(served: tuple[Server, Path]) -> None:
    server, _content = served
    status, page = server.get("lanting/index.html")
    assert status == 200 and "兰亭小区" in page and "/__sitegen__/events" in page
    status, page = server.get("")
    assert status == 200 and "兰亭社区" in page
    status, page = server.get("no/such/page.html")
    assert status == 404 and "页面未找到" in page
    status, sheet = server.get("lanting/print/name-card.html")
    assert status == 200 and "/__sitegen__/events" in sheet


def test_built_files_never_contain_the_reload_script(tmp_path: Path) -> None:
    from sitegen.cli import main

    assert main(["build", "--content", str(MINIMAL), "--output", str(tmp_path / "out")]) == 0
    for page in (tmp_path / "out").rglob("*.html"):
        assert "__sitegen__" not in page.read_text(encoding="utf-8"), page


def test_an_edit_rebuilds_and_is_served(served: tuple[Server, Path]) -> None:
    server, content = served
    edit(content / NOTICE, "请提前储水", "请提前储水（已更新）")
    event = server.next_build()
    assert event["problems"] == []
    assert "已更新" in server.get("lanting/notices/2026-11-20-water.html")[1]


def test_an_edit_is_seen_when_polling_too(tmp_path: Path) -> None:
    """SITEGEN_WATCH=poll (network drives, whose changes inotify misses) still rebuilds on a save."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    server = Server(content, SITEGEN_WATCH="poll")
    try:
        edit(content / NOTICE, "请提前储水", "请提前储水（轮询）")
        server.next_build()
        status, body = server.get("lanting/notices/2026-11-20-water.html")
        assert status == 200 and "请提前储水（轮询）" in body
    finally:
        assert server.stop() == 0


def test_reading_files_starts_no_build(served: tuple[Server, Path]) -> None:
    """Only changes count: opening and reading the content (a build does, an editor does) is not one."""
    server, content = served
    generation = server.events[-1]["generation"]
    for path in content.rglob("*"):
        if path.is_file():
            path.read_bytes()
    time.sleep(1.5)
    assert server.events[-1]["generation"] == generation


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_an_overflowing_event_queue_means_watching_afresh_and_looking_at_everything(tmp_path: Path) -> None:
    """More changes than the kernel queues (16,384 by default) while the preview is busy: it watches afresh,
    builds from every file, and sees saves at once again. With more folders than the queue holds, as a city
    has, watchdog alone would drop and add its watches again for ever, each time overflowing the queue."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    queue = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    for index in range(queue + 1000):
        (content / ".history" / f"{index // 100:04d}" / f"{index % 100:02d}").mkdir(parents=True)
    server = Server(content)
    try:
        first, second = content / NOTICE, content / "site.yaml"
        server.process.send_signal(signal.SIGSTOP)
        try:
            stat = Path(f"/proc/{server.process.pid}/stat")
            while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
                time.sleep(0.01)  # stopped: no thread of it reads events
            edit(first, "请提前储水", "请提前储水（队列溢出时改的）")
            for index in range(2 * queue):  # alternating, so that the kernel merges none of them
                os.utime(first if index % 2 else second)
        finally:
            server.process.send_signal(signal.SIGCONT)
        lost = "too many changes at once to follow one by one: looking at every file\nrebuilt in "
        deadline = time.monotonic() + 30
        while lost not in "".join(server.log) and time.monotonic() < deadline:
            time.sleep(0.05)
        log = "".join(server.log)
        assert log.count(lost) == 1 and "queue overflowed" not in log, log
        assert "请提前储水（队列溢出时改的）" in server.get("lanting/notices/2026-11-20-water.html")[1]
        edit(first, "（队列溢出时改的）", "（之后又改的）")
        server.next_build()
        assert "请提前储水（之后又改的）" in server.get("lanting/notices/2026-11-20-water.html")[1]
        ticks = os.sysconf("SC_CLK_TCK")
        before = time.monotonic(), _cpu_ticks(server.process.pid)
        time.sleep(3)
        idle = (_cpu_ticks(server.process.pid) - before[1]) / ticks / (time.monotonic() - before[0])
        assert idle < 0.5, f"the preview keeps {idle:.0%} of a core busy while nothing changes"
        assert "".join(server.log).count("too many changes at once") == 1
    finally:
        assert server.stop() == 0


def _cpu_ticks(pid: int) -> int:
    """User and system time a process has used, in clock ticks (proc(5))."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_folders_without_a_watch_mean_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the system's inotify watches run out, saves in the folders left unwatched would go unseen."""
    from watchdog.observers.polling import PollingObserver

    from sitegen.preview.watch import Changes, Watcher
    from sitegen.report import ListReporter

    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    from inotify_simple import INotify

    for index in range(5):
        (tmp_path / "content" / f"n{index}" / "notices").mkdir(parents=True)
    monkeypatch.delenv("SITEGEN_WATCH", raising=False)
    reporter = ListReporter()
    watcher = Watcher([tmp_path / "content"], Changes(), reporter)
    assert not isinstance(watcher.observer, PollingObserver) and reporter.messages == []
    watcher.stop()

    add_watch = INotify.add_watch

    def few_watches(self: INotify, path: str, mask: int) -> Any:
        if str(path).endswith("notices"):
            raise OSError(28, "No space left on device")  # ENOSPC: fs.inotify.max_user_watches ran out
        return add_watch(self, path, mask)

    monkeypatch.setattr(INotify, "add_watch", few_watches)
    watcher = Watcher([tmp_path / "content"], Changes(), reporter)
    try:
        assert isinstance(watcher.observer, PollingObserver)
        assert [str(m) for m in reporter.messages] == [
            "5 folders cannot be watched with inotify (raise fs.inotify.max_user_watches if the system's watches "
            "ran out): looking for changes every 1 s instead"
        ]
    finally:
        watcher.stop()


def test_no_inotify_left_means_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watchdog.observers.polling import PollingObserver

    from sitegen.preview import watch
    from sitegen.report import ListReporter

    def no_inotify() -> Any:
        raise OSError(24, "Too many open files")  # EMFILE: fs.inotify.max_user_instances reached

    (tmp_path / "content").mkdir()
    monkeypatch.delenv("SITEGEN_WATCH", raising=False)
    monkeypatch.setattr(watch, "_system_observer", no_inotify)
    reporter = ListReporter()
    watcher = watch.Watcher([tmp_path / "content"], watch.Changes(), reporter)
    try:
        assert isinstance(watcher.observer, PollingObserver)
        assert [str(m) for m in reporter.messages] == [
            "cannot watch for saves (Too many open files): looking for changes every 1 s instead"
        ]
    finally:
        watcher.stop()


def test_closing_waits_for_a_build_under_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during a rebuild: the build's last writes (its cache) must not come back after the folder went."""
    from sitegen.build import Deferred
    from sitegen.config import load_config
    from sitegen.errors import SitegenError
    from sitegen.preview import serve
    from sitegen.report import ListReporter

    preview = serve.Preview(load_config(str(MINIMAL), str(tmp_path / "unused")), ListReporter())
    preview.rebuild()
    preview.pending = {"late.html": Deferred("", lambda: b"<p>late</p>")}
    building = threading.Event()

    def slow_build(config: Any, *args: Any, **kwargs: Any) -> Any:
        building.set()
        time.sleep(0.5)
        (config.cache_dir / "qr").mkdir(parents=True, exist_ok=True)  # as a build saving its codes does
        raise SitegenError("stopped")

    monkeypatch.setattr(serve, "build", slow_build)
    builder = threading.Thread(target=preview.rebuild, args=({str(MINIMAL / NOTICE)},))
    builder.start()
    building.wait(timeout=10)
    preview.close()
    builder.join(timeout=10)
    preview.rebuild()
    preview.render_pending()
    assert not preview.folder.exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"


@pytest.fixture
def alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], tuple[Any, Path]]]:
    """Starts a preview built by a process of its own (what the test patched before is patched there),
    from this process running another thread (as the server does), with two workers to a build;
    gives it and the content it previews."""
    from sitegen.config import load_config
    from sitegen.preview import serve
    from sitegen.report import ListReporter

    if not sys.platform.startswith("linux"):
        pytest.skip("the builder is forked where forking is possible; these tests look at it in /proc (Linux)")
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    stop = threading.Event()
    server = threading.Thread(target=stop.wait, daemon=True)
    server.start()
    started: list[Any] = []

    def start() -> tuple[Any, Path]:
        config = load_config(str(content), str(tmp_path / "unused"))
        started.append(serve.BuildingAlone(serve.Preview(config, ListReporter())))
        return started[-1], content

    yield start
    for preview in started:
        preview.close()
    stop.set()


def test_builds_run_in_a_process_of_their_own_that_may_fork_workers(
    alone: Callable[[], tuple[Any, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server runs threads and must not fork; its builder runs none, so a district's edit is built
    on every core, and what a build takes for a while goes with the children it forks."""
    from sitegen import workers
    from sitegen.preview import serve

    record = tmp_path / "builds.txt"
    real_build = serve.build

    def build(*args: Any, **kwargs: Any) -> Any:
        with record.open("a") as out:  # in the builder: what it may do
            out.write(f"{os.getpid()} {workers.forkable(10, 1)} {threading.active_count()}\n")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(serve, "build", build)
    preview, content = alone()
    assert threading.active_count() > 1 and not workers.forkable(10, 1)  # here, as in the server
    builder_pid = preview.pid
    assert builder_pid in children(os.getpid())
    preview.rebuild()
    assert (preview.generation, preview.problems) == (1, [])
    edit(content / NOTICE, "停水", "停水（已延期）")
    preview.rebuild({str(content / NOTICE)})
    assert (preview.generation, preview.problems) == (2, [])
    builds = [line.split() for line in record.read_text().splitlines()]
    assert builds == [[str(builder_pid), "True", "1"]] * 2
    page = preview.site / "lanting/notices/2026-11-20-water.html"
    preview.fresh("lanting/notices/2026-11-20-water.html")  # rendered by the builder when asked for
    assert "停水（已延期）" in page.read_text(encoding="utf-8")
    preview.close()
    assert not _alive(builder_pid) and not preview.folder.exists()


@pytest.mark.parametrize("district", [False, True])
def test_a_districts_pages_are_rendered_by_children_of_the_builder(
    alone: Callable[[], tuple[Any, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, district: bool
) -> None:
    """From RENDER_ALONE_FROM neighborhoods, a page left to render is rendered by a child the builder
    forks for it, whose memory goes with it; a smaller site's in the builder."""
    from sitegen.preview import serve

    record = tmp_path / "rendered.txt"
    make_and_write = serve._make_and_write

    def recorded(site: Path, dest: str, make: Any) -> None:
        with record.open("a") as out:
            out.write(f"{os.getpid()} {dest}\n")
        make_and_write(site, dest, make)

    monkeypatch.setattr(serve, "_make_and_write", recorded)
    monkeypatch.setattr(serve, "RENDER_ALONE_FROM", 1 if district else 10**6)
    preview, content = alone()
    preview.rebuild()
    edit(content / NOTICE, "停水", "停水（已延期）")
    preview.rebuild({str(content / NOTICE)})
    preview.fresh("lanting/notices/2026-11-20-water.html")
    assert "停水（已延期）" in (preview.site / "lanting/notices/2026-11-20-water.html").read_text(encoding="utf-8")
    (pid, dest), *_rest = [line.split() for line in record.read_text().splitlines()]
    assert dest == "lanting/notices/2026-11-20-water.html"
    assert (int(pid) != preview.pid) == district and int(pid) != os.getpid()


def test_a_districts_pages_left_to_render_are_rendered_many_to_a_child(
    alone: Callable[[], tuple[Any, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder renders the pages a district's edit left in a child that renders one page after
    another for RENDER_BATCH_SECONDS, not in a child each (a fork of the builder takes longer than most
    pages); a page that fails there is said in the browser and the others are rendered all the same."""
    from sitegen.errors import SitegenError
    from sitegen.preview import serve

    record = tmp_path / "rendered.txt"
    make_and_write = serve._make_and_write
    failing = "lanting/index.html"

    def recorded(site: Path, dest: str, make: Any) -> None:
        with record.open("a") as out:
            out.write(f"{os.getpid()} {dest}\n")
        if dest == failing:
            raise SitegenError(f"cannot write {dest}")
        make_and_write(site, dest, make)

    monkeypatch.setattr(serve, "_make_and_write", recorded)
    monkeypatch.setattr(serve, "RENDER_ALONE_FROM", 1)
    monkeypatch.setattr(serve, "RENDER_BATCH_SECONDS", 60.0)
    preview, content = alone()
    preview.rebuild()
    edit(content / NOTICE, "停水", "停水（已延期）")
    preview.rebuild({str(content / NOTICE)})
    deadline = time.monotonic() + 60
    while not preview.problems and time.monotonic() < deadline:
        time.sleep(0.1)
    assert preview.problems == [f"sitegen: cannot write {failing}"]
    rendered = [line.split() for line in record.read_text().splitlines()]
    pids = {pid for pid, _dest in rendered}
    assert len(rendered) > 5 and failing in {dest for _pid, dest in rendered}
    assert len(pids) == 1 and int(pids.pop()) not in (preview.pid, os.getpid())
    for page in ("lanting/notices/2026-11-20-water.html", "lanting/print/notice-board.html"):
        assert "停水（已延期）" in (preview.site / page).read_text(encoding="utf-8")


def test_a_large_site_yaml_edited_is_checked_by_a_child_of_the_builders_forker(
    alone: Callable[[], tuple[Any, Path]], site_checks: Callable[[], list[tuple[int, int]]]
) -> None:
    """With a large site.yaml, the builder forks a forker before its first build; an edit of site.yaml
    is checked by a child forked from there (small), not from the builder, which holds the district
    by then (see workers.Forker)."""
    preview, content = alone()
    preview.rebuild()
    forkers = children(preview.pid)
    assert len(forkers) == 1  # the forker, forked before the first build, and nothing else left
    edit(content / "site.yaml", "139 0000 0004", "139 0000 0005")
    preview.rebuild({str(content / "site.yaml")})
    assert preview.problems == []
    preview.fresh("lanting/index.html")
    assert "139 0000 0005" in (preview.site / "lanting/index.html").read_text(encoding="utf-8")
    (first, first_parent), (pid, parent) = site_checks()
    assert first_parent in forkers and parent in forkers and pid != first


def test_the_builder_renders_what_is_left_while_nobody_asks(alone: Callable[[], tuple[Any, Path]]) -> None:
    preview, content = alone()
    preview.rebuild()
    edit(content / NOTICE, "停水", "停水（已延期）")
    preview.rebuild({str(content / NOTICE)})
    page = preview.site / "lanting/notices/2026-11-20-water.html"
    deadline = time.monotonic() + 20
    while "停水（已延期）" not in page.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "停水（已延期）" in page.read_text(encoding="utf-8")
    assert "停水（已延期）" in (preview.site / "lanting/index.html").read_text(encoding="utf-8")


def test_a_builder_that_died_is_said_in_the_browser_and_the_server_goes_on(
    alone: Callable[[], tuple[Any, Path]],
) -> None:
    preview, content = alone()
    preview.rebuild()
    os.kill(preview.pid, signal.SIGKILL)
    preview.rebuild({str(content / NOTICE)})
    assert preview.generation == 2
    assert preview.problems == ["sitegen: 预览的构建进程已停止：请停止 sitegen serve 后重新启动"]
    preview.fresh("lanting/index.html")  # answered at once: nobody is left to ask
    preview.rebuild()
    assert preview.generation == 2  # said once
    assert (preview.site / "lanting/index.html").is_file()  # the last site built, still served


def test_closing_ends_the_builder_and_its_workers_mid_build(
    alone: Callable[[], tuple[Any, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during a build: nothing the builder or its workers would still write comes back after the folder went."""
    from sitegen.preview import serve
    from sitegen.workers import fork_map

    started = tmp_path / "started"
    real_build = serve.build

    def slow_build(config: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("touched") is None:
            return real_build(config, *args, **kwargs)

        def write_late(item: int) -> None:
            started.write_text("", encoding="utf-8")
            time.sleep(1.0)
            (config.cache_dir / f"late-{item}").mkdir(parents=True, exist_ok=True)

        fork_map(write_late, list(range(16)), 1)  # two chunks of eight: a worker each
        time.sleep(1.0)
        (config.cache_dir / "late").mkdir(parents=True, exist_ok=True)

    monkeypatch.setattr(serve, "build", slow_build)
    preview, content = alone()
    preview.rebuild()
    rebuilding = threading.Thread(target=preview.rebuild, args=({str(content / NOTICE)},), daemon=True)
    rebuilding.start()
    deadline = time.monotonic() + 20
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children(preview.pid)
    assert len(workers) == 2
    preview.close()
    rebuilding.join(timeout=10)
    assert not rebuilding.is_alive()
    time.sleep(1.5)
    assert not preview.folder.exists()
    assert not any(_alive(pid) for pid in workers)


def test_problems_are_sent_and_the_last_good_site_stays(served: tuple[Server, Path]) -> None:
    server, content = served
    edit(content / "neighborhoods/lanting/neighborhood.yaml", "founded: 1998", "founded: 1998年")
    event = server.next_build()
    assert len(event["problems"]) == 1
    assert event["problems"][0].startswith(
        str(content / "neighborhoods/lanting/neighborhood.yaml") + ":5:10: error: `1998年` is not a whole number"
    )
    assert "hint: write digits only" in event["problems"][0]
    status, page = server.get("lanting/index.html")
    assert status == 200 and "1998年" in page  # the last good build, still served
    edit(content / "neighborhoods/lanting/neighborhood.yaml", "founded: 1998年", "founded: 1999")
    assert server.next_build()["problems"] == []
    assert "1999年" in server.get("lanting/index.html")[1]
    assert server.process.poll() is None


def test_the_server_survives_any_input(served: tuple[Server, Path]) -> None:
    server, content = served
    for data in (b"\xff\xfe\x00garbage", b"name: [", "名称：和谐".encode("gbk"), b""):
        (content / "site.yaml").write_bytes(data)
        assert server.next_build()["problems"], data
    assert server.process.poll() is None
    shutil.copy(MINIMAL / "site.yaml", content / "site.yaml")
    assert server.next_build()["problems"] == []


def test_editor_temporary_files_do_not_trigger_builds(served: tuple[Server, Path]) -> None:
    server, content = served
    generation = server.events[-1]["generation"]
    for name in (".site.yaml.swp", "site.yaml~", ".#site.yaml", "4913"):
        (content / name).write_text("x", encoding="utf-8")
    time.sleep(1.0)
    assert server.events[-1]["generation"] == generation


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sitegen-preview-*"))
    server = Server(content)
    assert server.stop() == 0
    assert "Traceback" not in "".join(server.log) and "stopped" in "".join(server.log)
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sitegen-preview-*")) <= before, "preview folder left"


def test_sigterm_stops_the_server_and_removes_its_folder(tmp_path: Path) -> None:
    """`kill` (as a service manager or a script stops it) must not leave a whole site in /tmp."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sitegen-preview-*"))
    server = Server(content)
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sitegen-preview-*")) - before, "no preview folder made"
    builders = children(server.process.pid) if sys.platform.startswith("linux") else set()
    assert builders or not sys.platform.startswith("linux"), "no process of its own builds the preview"
    server.process.send_signal(signal.SIGTERM)
    # SIGTERM alone: stop() would add a SIGINT if the server were still removing its folder.
    server.process.wait(timeout=20)
    assert server.stop() == 0
    assert "Traceback" not in "".join(server.log)
    assert not any(_alive(pid) for pid in builders)
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sitegen-preview-*")) <= before, "preview folder left"


# In a real browser: the open page reloads by itself, and shows problems until they are fixed.


def test_open_page_reloads_and_shows_problems(served: tuple[Server, Path], browser: Any) -> None:
    server, content = served
    page = browser.new_page()
    page.goto(server.url + "lanting/notices/2026-11-20-water.html")
    page.wait_for_timeout(300)  # the event stream is connected
    with page.expect_navigation(timeout=30_000):
        edit(content / NOTICE, "请提前储水", "请提前储水，谢谢配合")
    page.wait_for_selector("text=谢谢配合")
    edit(content / NOTICE, "  zh: 11月25日停水通知", "  zh: [11月25日停水通知")
    page.wait_for_selector("#sitegen-problems", timeout=30_000)
    text = page.inner_text("#sitegen-problems")
    assert "2026-11-20-water.md:3:" in text and "error:" in text
    with page.expect_navigation(timeout=30_000):
        edit(content / NOTICE, "  zh: [11月25日停水通知", "  zh: 11月25日停水通知")
    page.wait_for_load_state()
    assert page.query_selector("#sitegen-problems") is None
    page.close()


def test_the_inotify_observer_follows_new_renamed_and_removed_folders(tmp_path: Path) -> None:
    """Saves in a folder made, or renamed, after watching began are seen; a folder moved away is let go."""
    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    from sitegen.preview.inotify import InotifyObserver
    from sitegen.preview.watch import Changes

    watched, elsewhere = tmp_path / "content", tmp_path / "elsewhere"
    (watched / "old").mkdir(parents=True)
    changes = Changes()
    observer = InotifyObserver()
    observer.schedule(changes, str(watched))
    observer.start()

    def saved(path: Path) -> set[str]:
        path.write_text("x", encoding="utf-8")
        deadline = time.monotonic() + 5
        while str(path) not in changes.paths and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)
        return changes.take()[0]

    try:
        assert str(watched / "old" / "a.yaml") in saved(watched / "old" / "a.yaml")
        (watched / "new" / "notices").mkdir(parents=True)
        assert str(watched / "new" / "notices" / "b.md") in saved(watched / "new" / "notices" / "b.md")
        (watched / "new").rename(watched / "renamed")
        assert str(watched / "renamed" / "notices" / "c.md") in saved(watched / "renamed" / "notices" / "c.md")
        (watched / "renamed").rename(elsewhere)
        time.sleep(0.3)
        changes.take()
        assert saved(elsewhere / "notices" / "d.md") == set()
    finally:
        observer.stop()
        observer.join(timeout=5)
    assert not observer.is_alive()


def _raw_request(url: str, target: bytes) -> bytes:
    """The status line of the answer to a request for ``target`` sent as it is (no client checks it)."""
    import socket
    import urllib.parse

    address = urllib.parse.urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(b"GET /" + target + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    "target",
    [b"%00", b"lanting/%00index.html", b"a%00b/", b"index.html\x00.txt", b"%ED%A0%80.html", b"x%ff%00.css"],
)
def test_a_path_no_system_can_name_gets_400(served: tuple[Server, Path], target: bytes) -> None:
    server, _content = served
    assert _raw_request(server.url, target).startswith(b"HTTP/1.0 400")
    assert server.get("lanting/index.html")[0] == 200
    assert "Traceback" not in "".join(server.log)


def test_twenty_clients_at_once_are_all_answered(served: tuple[Server, Path]) -> None:
    """A page opened in many browsers at once (benchmarks/serve.py measures how fast: see its README)."""
    from sitegen.preview import serve

    # The listen queue holds every client at once: with socketserver's 5, the others were refused and
    # each tried again a second later.
    assert serve._Server.request_queue_size >= 64
    server, _content = served
    pages = ["", "lanting/index.html", "assets/site.css", "lanting/print/name-card.html", "no/such.html"]
    errors: list[str] = []
    start = threading.Barrier(20)

    def client(number: int) -> None:
        start.wait()
        for index in range(10):
            path = pages[(number + index) % len(pages)]
            try:
                status, _body = server.get(path)  # within 10 s
            except OSError as exc:  # refused, reset, timed out
                errors.append(f"{path}: {exc!r}")
                continue
            if status != (404 if path.startswith("no/") else 200):
                errors.append(f"{path}: {status}")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in clients) and errors == []
