"""A cache that cannot lie: damaged build state is made afresh, never used, and `--clean` reads none of it."""

from __future__ import annotations

import os
import pickle
import random
import re
import shutil
import zlib
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest

from sitegen import cache
from sitegen.cli import main
from tests.conftest import ROOT

MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"
NOTICE = Path("neighborhoods") / "lanting" / "notices" / "2026-11-20-water.md"
QR_CODE = re.compile(
    r'<svg class="qr-code"[^>]*viewBox="0 0 (\d+) \d+"[^>]*data-qr-payload="([^"]*)"[^>]*>.*?d="([^"]*)"'
)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build(content: Path, out: Path, *extra: str) -> int:
    return main(["build", "--lang", "en", "--content", str(content), "--output", str(out), *extra])


def edit(content: Path, text: str) -> None:
    """An editor's change: a line added to a notice, and a new address for the community office."""
    notice = content / NOTICE
    notice.write_text(notice.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    site = content / "site.yaml"
    address = f"兰亭路{zlib.crc32(text.encode()) % 90 + 2}号"
    site.write_text(re.sub("兰亭路[0-9]+号", address, site.read_text(encoding="utf-8")), encoding="utf-8")


def clean_build(content: Path, where: Path) -> dict[str, bytes]:
    shutil.rmtree(where, ignore_errors=True)
    assert build(content, where / "out") == 0
    return tree(where / "out")


_decoded: dict[tuple[int, str], list[str]] = {}


def undecodable_codes(out: Path) -> list[str]:
    """Every QR code in the output that does not scan to the payload it claims (each code decoded once)."""
    from tests.test_print import decode_svg_path

    wrong = []
    for path in sorted(out.rglob("*.html")):
        for size, payload, d in QR_CODE.findall(path.read_text(encoding="utf-8")):
            key = (int(size), d)
            if key not in _decoded:
                _decoded[key] = decode_svg_path(int(size), d)
            if _decoded[key] != [unescape(payload)]:
                wrong.append(f"{path.relative_to(out)}: {unescape(payload)!r} scans as {_decoded[key]!r}")
    return wrong


# --- damage ---------------------------------------------------------------------------------------------

Damage = Callable[[Path, random.Random], None]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _entries(root: Path) -> list[Path]:
    """The cache's entries (not the copy of the output kept there, which the "spare" damage covers)."""
    return [p for p in _files(root) if "spare" not in p.relative_to(root).parts[:2]]


def truncate(root: Path, rng: random.Random) -> None:
    for path in _entries(root):
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))] if data else b"")


def flip_keeping_it_loadable(root: Path, rng: random.Random) -> None:
    """Change letters and digits inside each entry for others of their kind: JSON stays JSON, a pickle
    mostly a pickle, compiled templates compiled templates (with other constants)."""
    kinds = [b"0123456789", b"abcdef", b"ghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    for path in _entries(root):
        data = bytearray(path.read_bytes())
        header = len(cache.MAGIC) + cache.DIGEST_SIZE + 1
        places = [i for i in range(header, len(data)) if chr(data[i]).isalnum() and data[i] < 128]
        for place in rng.sample(places, min(3, len(places))):
            kind = next(k for k in kinds if data[place] in k)
            data[place] = rng.choice([c for c in kind if c != data[place]])
        path.write_bytes(bytes(data))


def random_bytes(root: Path, rng: random.Random) -> None:
    for path in _entries(root):
        path.write_bytes(rng.randbytes(max(1, path.stat().st_size)))


def wrong_types(root: Path, rng: random.Random) -> None:
    """Entries of another type: plain JSON and pickles of other values, and sealed entries of the wrong shape."""
    for index, path in enumerate(_entries(root)):
        if index % 2:
            path.write_bytes(rng.choice([b"[]", b"{}", b"null", b'"text"', pickle.dumps(42), pickle.dumps({"a": 1})]))
        else:
            # Sealed for the right key (as if written by a faulty program): only its shape is wrong.
            out = root.parent / "out"
            keys = {
                "build-state.pickle": f"build state\0{out}",
                "spare.json": f"spare\0{out}",
                "qr": f"qr codes\0{path.stem}",
                "outputs": f"files of a neighborhood\0{out}\0{path.stem}",
            }
            key = keys.get(path.name, keys.get(path.parent.name, ""))
            path.write_bytes(cache.seal(key, rng.choice([b"[1, 2]", b'{"x": [3]}', pickle.dumps([1]), b""])))


def folders_for_files(root: Path, rng: random.Random) -> None:
    for path in _entries(root):
        path.unlink()
        path.mkdir()
        (path / "inside").write_text("x", encoding="utf-8")


def files_for_folders(root: Path, rng: random.Random) -> None:
    """Each of the cache's folders, the output's own cache folder, the spare, and their folders a file."""
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if rng.random() < 0.5 or path.name in ("qr", "templates", "outputs", "spare"):
            shutil.rmtree(path)
            path.write_text("not a folder", encoding="utf-8")


def the_cache_is_a_file(root: Path, rng: random.Random) -> None:
    shutil.rmtree(root)
    root.write_bytes(rng.randbytes(100))


def half_gone(root: Path, rng: random.Random) -> None:
    """Half of every file of the cache removed: entries, the copy of the output, the lock."""
    files = _files(root)
    for path in rng.sample(files, len(files) // 2):
        path.unlink()


def spare_damaged(root: Path, rng: random.Random) -> None:
    """The copy of the output kept in the cache: files removed, replaced by others, added."""
    files = [p for p in _files(root) if "spare" in p.relative_to(root).parts[:2]]
    assert files, "no copy of the output in the cache"
    for path in rng.sample(files, max(1, len(files) // 10)):
        path.unlink()
    for path in rng.sample(files, max(1, len(files) // 10)):
        if path.exists():
            path.unlink()
            path.write_bytes(b"replaced")
    (files[0].parent / "added.html").write_text("added", encoding="utf-8")


DAMAGES: list[Damage] = [
    truncate,
    flip_keeping_it_loadable,
    random_bytes,
    wrong_types,
    folders_for_files,
    files_for_folders,
    the_cache_is_a_file,
    half_gone,
    spare_damaged,
]


@pytest.mark.parametrize("clean", [False, True], ids=["", "clean"])
@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
def test_a_damaged_cache_gives_what_a_clean_build_gives(tmp_path: Path, damage: Damage, clean: bool) -> None:
    work = tmp_path / "work"
    shutil.copytree(MINIMAL, work / "content")
    out = work / "out"
    assert build(work / "content", out) == 0
    edit(work / "content", "第一次修改")
    assert build(work / "content", out) == 0  # incremental: the cache now holds every kind of entry
    kinds = {p.parent.name if p.parent.name != "out" else p.name for p in (work / ".sitegen-cache").rglob("*")}
    assert {"build-state.pickle", "outputs", "plans", "qr", "templates", "spare", "spare.json"} <= kinds, kinds
    damage(work / ".sitegen-cache", random.Random(damage.__name__))
    for step, text in enumerate(["第二次修改", "第三次修改"]):
        edit(work / "content", text)
        assert build(work / "content", out, *(["--clean"] if clean and step == 0 else [])) == 0
        assert tree(out) == clean_build(work / "content", tmp_path / "clean"), f"after {damage.__name__}, step {step}"
        assert undecodable_codes(out) == []
    assert sorted(p.name for p in work.iterdir()) == [".sitegen-cache", "content", "out"]


@pytest.mark.parametrize("entries", ["templates", "qr", "plans"])
def test_damaged_entries_are_never_used_on_any_number_of_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: str
) -> None:
    """Every byte of compiled templates, QR codes or site plans' layouts flipped behind their seal: with
    one process and with workers, each is made afresh, none is used (they would crash the interpreter
    or misprint)."""
    monkeypatch.setenv("SITEGEN_JOBS", "1")
    work = tmp_path / "work"
    shutil.copytree(MINIMAL, work / "content")
    out = work / "out"
    assert build(work / "content", out) == 0
    folder = work / ".sitegen-cache" / "out" / entries
    for jobs in ("1", "2"):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            payload = bytes(b ^ 0x5A for b in data[len(cache.MAGIC) + cache.DIGEST_SIZE + 1 :])
            path.write_bytes(data[: len(cache.MAGIC) + cache.DIGEST_SIZE + 1] + payload)
        monkeypatch.setenv("SITEGEN_JOBS", jobs)
        edit(work / "content", f"用 {jobs} 个进程")  # site.yaml too: every page is made again
        assert build(work / "content", out) == 0
        assert tree(out) == clean_build(work / "content", tmp_path / "clean")
        assert undecodable_codes(out) == []


def test_site_plans_are_laid_out_once_and_kept_for_the_next_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checker lays out every plan; the drawer, a later whole build and `sitegen check` take the
    layouts from the cache. A changed site plan is laid out again, and its old layouts are removed."""
    from sitegen.content import planlayout

    monkeypatch.setenv("SITEGEN_JOBS", "1")  # one process: every layout made is counted here
    made: list[str] = []
    real = planlayout._made

    def counting(site_map, building, rotation, style):  # type: ignore[no-untyped-def]
        made.append(f"{building.id if building else ''} {style.name}")
        return real(site_map, building, rotation, style)

    monkeypatch.setattr(planlayout, "_made", counting)
    monkeypatch.setattr(planlayout, "_layouts", planlayout.OrderedDict())  # nothing kept in memory
    work = tmp_path / "work"
    shutil.copytree(MINIMAL, work / "content")
    out = work / "output"  # where `sitegen check` looks for the cache: the default output's
    assert build(work / "content", out) == 0
    plans = work / ".sitegen-cache" / "output" / "plans"
    first = sorted(made)
    assert len(first) == len(set(first)) > 1, "each plan is laid out once"
    assert len(list(plans.glob("*.pickle"))) == 1
    made.clear()
    edit(work / "content", "修改")  # site.yaml too: everything is checked and drawn again
    assert build(work / "content", out) == 0
    assert made == []
    assert tree(out) == clean_build(work / "content", tmp_path / "clean")
    made.clear()
    monkeypatch.chdir(work)
    planlayout._last = None  # as a new process: what `check` uses is read from the cache
    assert main(["check", "--content", "content"]) == 0
    assert made == []
    map_file = work / "content" / "neighborhoods" / "lanting" / "neighborhood.yaml"
    text = map_file.read_text(encoding="utf-8")
    assert "north: " in text
    map_file.write_text(re.sub(r"north: [0-9.]+", "north: 12", text), encoding="utf-8")
    edit(work / "content", "再修改")
    assert build(work / "content", out) == 0
    assert sorted(made) == first
    assert len(list(plans.glob("*.pickle"))) == 1, "the layouts of the plan as it was are removed"


def test_clean_reads_nothing_of_the_cache_and_writes_it_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    shutil.copytree(MINIMAL, work / "content")
    out = work / "out"
    assert build(work / "content", out) == 0
    edit(work / "content", "修改")
    assert build(work / "content", out) == 0
    before = {p: p.stat().st_mtime_ns for p in _files(work / ".sitegen-cache")}
    read: list[Path] = []
    real_read = cache.read

    def spy(path: Path, key: str) -> bytes | None:
        read.append(path)
        return real_read(path, key)

    monkeypatch.setattr(cache, "read", spy)
    edit(work / "content", "再修改")
    assert build(work / "content", out, "--clean") == 0
    assert read, "the build reads its cache through sitegen.cache.read"
    assert [p for p in read if p in before and p.exists() and p.stat().st_mtime_ns == before[p]] == []
    assert tree(out) == clean_build(work / "content", tmp_path / "clean")
    after = {p: p.stat().st_mtime_ns for p in _files(work / ".sitegen-cache")}
    entries = [p for p in after if p.name.endswith((".pickle", ".json", ".cache"))]
    assert entries and all(p not in before or after[p] != before[p] for p in entries), "the cache was not written anew"


def test_entries_are_bound_to_their_key_and_program(monkeypatch: pytest.MonkeyPatch) -> None:
    sealed = cache.seal("key one", b"payload")
    assert cache.unseal("key one", sealed) == b"payload"
    assert cache.unseal("key two", sealed) is None
    assert cache.unseal("key one", sealed[:-1]) is None
    assert cache.unseal("key one", sealed[:-1] + b"P") is None
    monkeypatch.setattr(cache, "code_version", lambda: "another program")
    assert cache.unseal("key one", sealed) is None


def test_data_pickled_into_its_entry_is_sealed_as_written_whole(tmp_path: Path) -> None:
    """write_data (the build state) seals what it pickles as it writes it: the same entry as
    write(dump_data(...)), refused for another key or with any byte of it changed."""
    value = {"manifests": {f"n{i:05d}/index.html": f"{i:064x}" for i in range(20_000)}, "名": ("四", None, 1.5)}
    assert cache.write_data(tmp_path / "state", "state key", value)
    data = (tmp_path / "state").read_bytes()
    assert cache.unseal("state key", data) == cache.dump_data(value)
    assert cache.load_data(cache.read(tmp_path / "state", "state key")) == value
    assert cache.read(tmp_path / "state", "another key") is None
    for at in (0, len(cache.MAGIC) + 3, len(data) // 2, len(data) - 1):
        (tmp_path / "state").write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
        assert cache.read(tmp_path / "state", "state key") is None
    assert [p.name for p in tmp_path.iterdir()] == ["state"]


def test_the_state_refuses_to_run_code_from_a_pickle() -> None:
    class Evil:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError):
        cache.load_data(pickle.dumps(Evil()))
    with pytest.raises(pickle.UnpicklingError):
        cache.load_data(pickle.dumps(shutil.rmtree))


def test_the_context_key_follows_site_yaml_without_holding_it(tmp_path: Path) -> None:
    """The key of what every neighborhood's check depends on changes with any byte of site.yaml, and
    is worked out on every rebuild: a district's site.yaml is hashed as it is read, not held."""
    import datetime as dt
    import tracemalloc

    from sitegen.publish.state import context_key

    site = tmp_path / "site.yaml"
    site.write_text("name: 社区\ngrids:\n" + "".join(f"  - id: 'g{i}'\n    name: 第{i}网格\n" for i in range(200_000)))
    assert site.stat().st_size > 5_000_000
    today = dt.date(2026, 11, 22)
    tracemalloc.start()
    try:
        key = context_key(tmp_path, today)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert context_key(tmp_path, today) == key != context_key(tmp_path, today + dt.timedelta(days=1))
    with site.open("r+b") as stream:
        stream.seek(3_000_000)
        stream.write(b"#")
    assert context_key(tmp_path, today) != key
    site.unlink()
    assert context_key(tmp_path, today) != key
