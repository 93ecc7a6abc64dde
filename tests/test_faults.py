"""Faults from outside: killed builds, two builds at once, a full disk, dead workers, orphaned programs.

Whatever happens, a reader of the output sees the previous build or the new one, byte for byte,
and the next build gives what a clean build gives, leaving nothing behind.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.conftest import BUILD_EPOCH, ROOT

MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"
KILL_SWITCH = ROOT / "tests" / "kill_switch.py"
NOTICE = Path("neighborhoods") / "lanting" / "notices" / "2026-11-20-water.md"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process sessions are POSIX")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONPATH": str(ROOT), **extra}


def build_args(content: Path, out: Path, *extra: str) -> list[str]:
    return ["build", "--lang", "en", "--content", str(content), "--output", str(out), *extra]


def build(content: Path, out: Path, *extra: str) -> int:
    return main(build_args(content, out, *extra))


def session_processes(session: int) -> list[str]:
    """The processes of a session still running (not zombies), as "pid name"."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(f"{stat.parent.name} {name}")
    return found


def survivors(session: int, seconds: float = 10.0) -> list[str]:
    """The processes of a killed build's session that are still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def leftovers(work: Path) -> list[str]:
    """Anything a build left that is neither the content, the output nor the cache, and half-written entries."""
    found = [p.name for p in work.iterdir() if p.name not in ("content", "out", ".sitegen-cache")]
    found += [str(p.relative_to(work)) for p in (work / "out").rglob("*") if ".tmp" in p.name or ".new-" in p.name]
    cache = work / ".sitegen-cache"
    if cache.is_dir():
        found += [str(p.relative_to(work)) for p in cache.rglob("*.tmp")]
    return found


# --- killed at seeded random points -------------------------------------------------------------------


def edit_notice(content: Path) -> None:
    path = content / NOTICE
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明：请相互转告。\n", encoding="utf-8")


def edit_site(content: Path) -> None:
    path = content / "site.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("兰亭路1号", "兰亭路8号", 1), encoding="utf-8")


def two_versions(tmp_path: Path, edit: Callable[[Path], None]) -> tuple[dict[str, Path], dict[str, dict[str, bytes]]]:
    """Content A (the minimal site) and B (A edited), and what clean builds of each give."""
    versions = {"A": tmp_path / "A", "B": tmp_path / "B"}
    shutil.copytree(MINIMAL, versions["A"])
    shutil.copytree(MINIMAL, versions["B"])
    edit(versions["B"])
    clean = {}
    for name, content in versions.items():
        assert build(content, tmp_path / "clean" / name) == 0
        clean[name] = tree(tmp_path / "clean" / name)
    return versions, clean


def _use(content: Path, source: Path) -> None:
    shutil.rmtree(content)
    shutil.copytree(source, content)


def _count(work: Path, jobs: str) -> int:
    done = subprocess.run(
        [sys.executable, str(KILL_SWITCH), str(work), "0", *build_args(work / "content", work / "out")],
        env=environment(SITEGEN_JOBS=jobs),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1].removeprefix("operations: "))


@posix_only
@pytest.mark.parametrize(
    ("edit", "jobs", "seed"),
    [(edit_notice, "1", 15), (edit_site, "2", 23)],
    ids=["incremental", "whole-on-two-cores"],
)
def test_a_build_killed_at_random_points_leaves_the_old_or_the_new_output(
    tmp_path: Path, edit: Callable[[Path], None], jobs: str, seed: int
) -> None:
    """Kill builds that go from A to B and back at 2 × 10 seeded random file operations of each."""
    versions, clean = two_versions(tmp_path, edit)
    work = tmp_path / "work"
    shutil.copytree(versions["A"], work / "content")
    assert build(work / "content", work / "out") == 0
    # How many operations each way takes (the count runs build B, then A again).
    _use(work / "content", versions["B"])
    operations = {"B": _count(work, jobs)}
    _use(work / "content", versions["A"])
    operations["A"] = _count(work, jobs)
    assert min(operations.values()) > 50, operations
    rng = random.Random(seed)
    points = {name: rng.sample(range(1, count + 1), 10) for name, count in operations.items()}
    killed = 0
    for step in range(20):
        old, new = ("A", "B") if step % 2 == 0 else ("B", "A")
        _use(work / "content", versions[new])
        point = points[new][step // 2]
        process = subprocess.Popen(
            [sys.executable, str(KILL_SWITCH), str(work), str(point), *build_args(work / "content", work / "out")],
            env=environment(SITEGEN_JOBS=jobs),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        killed += process.wait() == -signal.SIGKILL
        where = f"killed at operation {point} of about {operations[new]} from {old} to {new} (pid {process.pid})"
        assert survivors(process.pid) == [], where
        assert tree(work / "out") in (clean[old], clean[new]), where
        # The next build finishes the job and leaves nothing behind.
        assert build(work / "content", work / "out") == 0, where
        assert tree(work / "out") == clean[new], where
        assert leftovers(work) == [], where
    assert killed >= 15, f"only {killed} of 20 builds were killed"


# --- two builds at once ---------------------------------------------------------------------------------


@posix_only
def test_a_second_build_waits_while_another_holds_the_output(tmp_path: Path) -> None:
    from sitegen.config import load_config
    from sitegen.publish.lock import lock_file, locked
    from sitegen.report import ListReporter

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    config = load_config(str(tmp_path / "content"), str(out))
    with locked(lock_file(out, config.cache_dir), out, ListReporter()):
        process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", *build_args(tmp_path / "content", out)],
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"waiting for another sitegen (process {os.getpid()}) that is building into {out}" in first
        time.sleep(1)
        assert process.poll() is None and not out.exists(), "the second build went ahead"
    rest = process.communicate(timeout=300)[0]
    assert process.returncode == 0, rest
    assert (out / "index.html").is_file()


@posix_only
def test_the_lock_of_a_dead_build_is_taken_over(tmp_path: Path) -> None:
    from sitegen.config import load_config
    from sitegen.publish.lock import lock_file

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    config = load_config(str(tmp_path / "content"), str(out))
    lock = lock_file(out, config.cache_dir)
    lock.parent.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock.write_text(f"{dead.pid}\n", encoding="ascii")
    started = time.monotonic()
    assert build(tmp_path / "content", out) == 0
    assert time.monotonic() - started < 120
    assert lock.read_text(encoding="ascii") == ""  # released


@posix_only
def test_builds_started_together_into_one_output_leave_a_whole_output(tmp_path: Path) -> None:
    versions, clean = two_versions(tmp_path, edit_notice)
    out = tmp_path / "work" / "out"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "sitegen", *build_args(versions[name], out)],
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("A", "B", "A", "B")
    ]
    reports = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], reports
    assert tree(out) in (clean["A"], clean["B"])
    assert any("waiting for another sitegen" in report for report in reports)
    # Whichever came last, the next build of either version is exact.
    assert build(versions["A"], out) == 0
    assert tree(out) == clean["A"]


# --- a full disk ------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (Linux, as root); skipped with the reason where mounting is not permitted."""
    if not sys.platform.startswith("linux"):
        pytest.skip("a small disk is made with a Linux tmpfs")
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs for a small disk needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill the disk until only ``leave`` bytes are free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "ab") as stream:
        stream.truncate(0)
        chunk = b"\0" * (1 << 20)
        need = max(0, free - leave)
        while need > 0:
            try:
                stream.write(chunk[: min(need, len(chunk))])
                stream.flush()
            except OSError:
                break
            need -= min(need, len(chunk))


# Bytes left free before a build. An edited notice writes a few pages and a few dozen small files
# of the search index (under 64 KB of a tmpfs); a whole build writes the whole site again.
NOTICE_ROOM = [0, 4096, 8 << 10, 16 << 10, 32 << 10, 64 << 10, 1 << 20]
WHOLE_ROOM = [0, 4096, 64 << 10, 256 << 10, 512 << 10, 1 << 20, 2 << 20]


@pytest.mark.parametrize(
    ("edit", "seed", "room"), [(edit_notice, 3, NOTICE_ROOM), (edit_site, 4, WHOLE_ROOM)], ids=["incremental", "whole"]
)
def test_a_full_disk_is_reported_and_changes_nothing(
    small_disk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[Path], None],
    seed: int,
    room: list[int],
) -> None:
    # The references are built on the small disk too, as the builds that fill it.
    versions, clean = two_versions(small_disk / "references", edit)
    work = small_disk / "work"
    shutil.copytree(versions["A"], work / "content")
    out = work / "out"
    assert build(work / "content", out) == 0
    rng = random.Random(seed)
    failures = 0
    for step in range(8):
        old, new = ("A", "B") if step % 2 == 0 else ("B", "A")
        _use(work / "content", versions[new])
        fill(small_disk, rng.choice(room))
        capsys.readouterr()
        code = build(work / "content", out)
        said = "".join(capsys.readouterr())
        (small_disk / "filler").unlink()
        if code == 0:
            assert tree(out) == clean[new]
        else:
            failures += 1
            assert re.search(rf"not enough space in {re.escape(str(work))}: about \d+ MB needed, \d+ MB free", said), (
                said
            )
            assert "internal error" not in said and "Traceback" not in said
            assert tree(out) == clean[old], f"step {step}: the output changed"
            assert build(work / "content", out) == 0, f"step {step}: the build after the full disk"
            assert tree(out) == clean[new], f"step {step}: the build after the full disk"
        assert leftovers(work) == [], f"step {step}"
    assert failures >= 4, f"only {failures} of 8 builds found the disk full"


# --- workers and programs that die, or outlive the build --------------------------------------------------

DYING_WORKER = """
import os, signal, sys
from sitegen import build as pipeline
from sitegen.cli import main

parent = os.getpid()  # SITEGEN_JOBS=2: even two neighborhoods are checked and rendered by workers
real = {name!r} == "render" and pipeline._Run.render
def render(run, output, assets, pdfs=None):
    if os.getpid() != parent and output.dest == "qinghe/index.html":
        os.kill(os.getpid(), signal.{signal})
    return real(run, output, assets, pdfs)
if real:
    pipeline._Run.render = render
else:
    from sitegen.content import validate
    check = validate.SiteValidator.check_neighborhood
    def checking(self, files, *args):
        if os.getpid() != parent and files.slug == "qinghe":
            os.kill(os.getpid(), signal.{signal})
        return check(self, files, *args)
    validate.SiteValidator.check_neighborhood = checking
sys.exit(main(sys.argv[1:]))
"""


@posix_only
@pytest.mark.parametrize(
    ("stage", "killed", "said"),
    [
        ("render", "SIGKILL", "killed by signal SIGKILL) while making the files of the neighborhood qinghe"),
        ("render", "SIGSEGV", "killed by signal SIGSEGV) while making the files of the neighborhood qinghe"),
        ("check", "SIGKILL", "killed by signal SIGKILL) while checking the neighborhood qinghe"),
    ],
)
def test_a_worker_that_dies_ends_the_build_with_a_clear_error(
    tmp_path: Path, stage: str, killed: str, said: str
) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    before = tree(out)
    edit_site(tmp_path / "content")
    script = DYING_WORKER.format(name=stage, signal=killed)
    done = subprocess.run(
        [sys.executable, "-c", script, *build_args(tmp_path / "content", out, "--clean")],
        env=environment(SITEGEN_JOBS="2"),
        capture_output=True,
        text=True,
        timeout=300,  # a pool that waits for the dead worker would hang here
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"sitegen: error: a worker process ended unexpectedly ({said}" in done.stderr, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert tree(out) == before


@posix_only
def test_a_killed_build_leaves_no_chromium_running(tmp_path: Path) -> None:
    chromium = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        from tests.conftest import missing

        missing(f"Chromium not found at {chromium}; install Debian's chromium package")
    work = tmp_path / "work"
    shutil.copytree(MINIMAL, work / "content")
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", *build_args(work / "content", work / "out", "--pdf")],
        env=environment(SITEGEN_CHROMIUM=str(chromium)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if any("chrom" in p for p in session_processes(process.pid)):
            break
        time.sleep(0.05)
    assert any("chrom" in p for p in session_processes(process.pid)), "the build never started Chromium"
    time.sleep(1)  # printing
    process.kill()
    process.wait()
    assert survivors(process.pid) == []
    assert build(work / "content", work / "out") == 0
    assert leftovers(work) == []
