"""Incremental builds give exactly what a clean build gives, and rebuild nothing when nothing changed."""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build as run_build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.report import ListReporter
from tests.conftest import BUILD_EPOCH, ROOT, children

MINIMAL = ROOT / "tests" / "sites" / "minimal" / "content"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--lang", "en", "--content", str(content), "--output", str(output), *extra])


def rendered(content: Path, output: Path, theme: Path | None = None) -> int:
    config = load_config(str(content), str(output), str(theme) if theme else None)
    return run_build(config, ListReporter()).rendered


# Edits an editor makes, each a function of the workspace (content and theme folders).
Edit = Callable[[Path, random.Random], None]


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit_notice_text(root: Path, rng: random.Random) -> None:
    notices = sorted((root / "content").rglob("notices/*.md"))
    _append(rng.choice(notices), f"\n补充说明 {rng.randint(1, 999)}：请相互转告。\n")


def add_notice(root: Path, rng: random.Random) -> None:
    day = rng.randint(10, 28)
    path = (
        root / "content" / "neighborhoods" / "lanting" / "notices" / f"2026-11-{day:02d}-extra-{rng.randint(1, 99)}.md"
    )
    path.write_text(
        f"---\ntitle: 临时通知 {day}\ndate: 2026-11-{day:02d}\npinned: {rng.choice(['true', 'false'])}\n---\n内容。\n",
        encoding="utf-8",
    )


def delete_notice(root: Path, rng: random.Random) -> None:
    notices = sorted((root / "content").rglob("notices/*.md"))
    if len(notices) > 1:
        rng.choice(notices).unlink()


def rename_neighborhood(root: Path, rng: random.Random) -> None:
    path = root / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("name: 清河苑", f"name: 清河苑{rng.randint(1, 9)}", 1).replace(
            "name: 清河苑" + "1" * 0, "name: 清河苑"
        ),
        encoding="utf-8",
    )


def add_building(root: Path, rng: random.Random) -> None:
    _append(
        root / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml",
        f'  - id: B{rng.randint(1, 99)}\n    grid: "02"\n',
    )


def change_site(root: Path, rng: random.Random) -> None:
    path = root / "content" / "site.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("兰亭路1号", f"兰亭路{rng.randint(2, 99)}号", 1), encoding="utf-8"
    )


def change_person(root: Path, rng: random.Random) -> None:
    """A new phone number for one of the community's people: the pages that show them change."""
    path = root / "content" / "site.yaml"
    person = rng.choice(["zhang-min", "li-hua", "zhao-gang", "wang-li"])
    found = re.compile(rf"(\n  {person}:\n(?:    .*\n)*?    phone: (?:139 0000|029-0000) )\d{{4}}")
    number = f"{rng.randint(1000, 9999)}"
    path.write_text(found.sub(lambda m: m.group(1) + number, path.read_text(encoding="utf-8"), 1), encoding="utf-8")


def change_grid(root: Path, rng: random.Random) -> None:
    """A grid of site.yaml gets a new name or worker, or a person no page shows is added."""
    path = root / "content" / "site.yaml"
    text = path.read_text(encoding="utf-8")
    choice = rng.randrange(3)
    if choice == 0:
        text = re.sub(r"name: 第二网格\d*", f"name: 第二网格{rng.randint(1, 9)}", text, count=1)
    elif choice == 1:
        worker = f"worker: {{name: 陈静, phone: 139 0000 {rng.randint(1000, 9999)}}}"
        text = re.sub(r"worker: \{name: 陈静, phone: 139 0000 \d{4}\}", worker, text, count=1)
    else:
        person = f"  extra-{rng.randint(1, 99)}:\n    name: 新人\n    phone: 139 0000 0777\n"
        text = text.replace("people:\n", "people:\n" + person, 1)
    path.write_text(text, encoding="utf-8")


def change_pact(root: Path, rng: random.Random) -> None:
    _append(root / "content" / "neighborhoods" / "lanting" / "pact.md", f"{rng.randint(4, 9)}. 爱护绿化。\n")


def change_theme(root: Path, rng: random.Random) -> None:
    templates = root / "theme" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    base = (ROOT / "themes" / "default" / "templates" / "base.html").read_text(encoding="utf-8")
    skip = '{{ _("Skip to content") }}'
    (templates / "base.html").write_text(base.replace(skip, f"跳到正文{rng.randint(1, 9)}"), encoding="utf-8")


def translate_notice(root: Path, rng: random.Random) -> None:
    notices = sorted(p for p in (root / "content").rglob("notices/*.md") if not p.name.endswith(".en.md"))
    if notices:
        english = rng.choice(notices).with_suffix(".en.md")
        english.write_text(f"Notice in English, version {rng.randint(1, 99)}.\n", encoding="utf-8")


def translate_name(root: Path, rng: random.Random) -> None:
    path = root / "content" / "neighborhoods" / "lanting" / "neighborhood.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"  en: Lanting Estate\d*", f"  en: Lanting Estate{rng.randint(1, 9)}", text), encoding="utf-8"
    )


def switch_languages(root: Path, rng: random.Random) -> None:
    path = root / "content" / "site.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("languages: [zh, en]", "languages: [zh]")
        if rng.random() < 0.5
        else text.replace("languages: [zh]\n", "languages: [zh, en]\n"),
        encoding="utf-8",
    )


def add_meeting(root: Path, rng: random.Random) -> None:
    path = root / "content" / "neighborhoods" / "lanting" / "neighborhood.yaml"
    meeting = f"  - name: 议事会{rng.randint(1, 9)}\n    repeat: weekly\n    weekday: monday\n"
    meeting += '    start: "09:00"\n    place: 会所\n'
    after = "    place: 小区议事厅\n"
    path.write_text(path.read_text(encoding="utf-8").replace(after, after + meeting, 1), encoding="utf-8")


def new_neighborhood(root: Path, rng: random.Random) -> None:
    folder = root / "content" / "neighborhoods" / f"extra-{rng.randint(1, 3)}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "neighborhood.yaml").write_text("name: 新小区\nverified_on: 2026-11-01\n", encoding="utf-8")


def remove_neighborhood(root: Path, rng: random.Random) -> None:
    extra = sorted((root / "content" / "neighborhoods").glob("extra-*"))
    if extra:
        shutil.rmtree(rng.choice(extra))


def regrid_building(root: Path, rng: random.Random) -> None:
    """Move a building to another grid: the grids' coverage on the community pages changes."""
    path = root / "content" / "neighborhoods" / "lanting" / "neighborhood.yaml"
    text = path.read_text(encoding="utf-8")
    old, new = ('grid: "01"', 'grid: "02"') if 'grid: "01"' in text else ('grid: "02"', 'grid: "01"')
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def touch_without_change(root: Path, rng: random.Random) -> None:
    path = rng.choice(sorted((root / "content").rglob("*.yaml")))
    path.write_bytes(path.read_bytes())


EDITS: list[Edit] = [
    edit_notice_text, add_notice, delete_notice, rename_neighborhood, add_building,
    change_site, change_pact, change_theme, new_neighborhood, remove_neighborhood,
    regrid_building, touch_without_change, add_meeting, translate_notice, translate_name, switch_languages,
    change_person, change_grid,
]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_equal_clean_builds_after_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    shutil.copytree(MINIMAL, tmp_path / "content")
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    out = tmp_path / "out"
    theme = ["--theme", str(tmp_path / "theme")]
    assert build(tmp_path / "content", out, *theme) == 0
    for step in range(8):
        edit = rng.choice(EDITS)
        edit(tmp_path, rng)
        assert build(tmp_path / "content", out, *theme) == 0, edit.__name__
        clean = tmp_path / f"clean-{step}"
        assert build(tmp_path / "content", clean, *theme) == 0
        assert tree(out) == tree(clean), f"after {edit.__name__} (step {step})"


def _stats(root: Path) -> dict[str, tuple[int, int]]:
    return {os.path.realpath(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("seed", [4, 5])
def test_the_preview_equals_clean_builds_after_random_edits(tmp_path: Path, seed: int) -> None:
    """The preview is told only which files changed, and renders pages when asked: still the same bytes."""
    from sitegen.preview.serve import Preview

    rng = random.Random(seed)
    shutil.copytree(MINIMAL, tmp_path / "content")
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    config = load_config(str(tmp_path / "content"), str(tmp_path / "unused"), str(tmp_path / "theme"))
    preview = Preview(config, ListReporter())
    try:
        preview.rebuild()
        for step in range(8):
            # Two edits, each built: pages the first left waiting wait on through the second.
            for edit in (rng.choice(EDITS), rng.choice(EDITS)):
                before = _stats(tmp_path)
                edit(tmp_path, rng)
                after = _stats(tmp_path)
                touched = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
                preview.rebuild(touched)
                assert preview.problems == [], edit.__name__
            preview.render_pending()
            clean = tmp_path / f"clean-{step}"
            assert build(tmp_path / "content", clean, "--theme", str(tmp_path / "theme")) == 0
            # The preview makes no search index (see tests/test_search.py); everything else is equal.
            clean_pages = {k: v for k, v in tree(clean).items() if not k.startswith("search/")}
            assert tree(preview.site) == clean_pages, f"after {edit.__name__} (step {step})"
    finally:
        preview.close()


def test_a_page_left_waiting_lets_go_of_its_build_and_is_planned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page the preview has not rendered yet holds all that its build checked and planned (for a
    district, tens of MB): the next build lets it go before it checks anything, plans the page
    again and hands it back; through a build that fails too. The pages are those of a clean build."""
    import gc
    import weakref

    import sitegen.build as building
    from sitegen.preview.serve import Preview

    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    preview = Preview(load_config(str(content), str(tmp_path / "unused")), ListReporter())
    lanting, qinghe = content / "neighborhoods" / "lanting", content / "neighborhoods" / "qinghe"
    try:
        preview.rebuild()
        _append(lanting / "notices" / "2026-11-20-water.md", "\n补充说明：请相互转告。\n")
        preview.rebuild({str(lanting / "notices" / "2026-11-20-water.md")}, behind=False)
        waiting = {dest for dest, make in preview.pending.items() if make.group == "lanting"}
        assert waiting and {make.group for make in preview.pending.values()} == {"", "lanting"}
        last_build = weakref.ref(next(iter(preview.pending.values())).make.args[0])  # type: ignore[attr-defined]
        alive: list[bool] = []
        check = building._checked

        def checking(*args: Any, **kwargs: Any) -> Any:
            gc.collect()
            alive.append(last_build() is not None)
            return check(*args, **kwargs)

        monkeypatch.setattr(building, "_checked", checking)
        _append(qinghe / "neighborhood.yaml", "address: 清河路2号\n")
        preview.rebuild({str(qinghe / "neighborhood.yaml")}, behind=False)
        assert alive == [False]
        assert preview.problems == [] and preview.unplanned == {}
        assert waiting <= {dest for dest, make in preview.pending.items() if make.group == "lanting"}

        # A build that fails keeps the pages to plan; the next that succeeds plans them, though
        # site.yaml is then as it was (no change since the last good build).
        site = content / "site.yaml"
        good = site.read_text(encoding="utf-8")
        site.write_text(good + "\nname: [\n", encoding="utf-8")
        preview.rebuild({str(site)}, behind=False)
        assert preview.problems and preview.pending == {}
        assert waiting <= set(preview.unplanned)
        site.write_text(good, encoding="utf-8")
        preview.rebuild({str(site)}, behind=False)
        assert preview.problems == [] and preview.unplanned == {}
        assert waiting <= set(preview.pending)
        preview.render_pending()
        clean = tmp_path / "clean"
        assert build(content, clean) == 0
        assert tree(preview.site) == {k: v for k, v in tree(clean).items() if not k.startswith("search/")}
    finally:
        preview.close()


def checked_neighborhoods(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the neighborhoods checked from now on, in order (the list fills as they are)."""
    from sitegen.content.validate import SiteValidator

    checked: list[str] = []
    check_neighborhood = SiteValidator.check_neighborhood

    def spy(self: SiteValidator, files: Any, *args: Any) -> Any:
        checked.append(files.slug)
        return check_neighborhood(self, files, *args)

    monkeypatch.setattr(SiteValidator, "check_neighborhood", spy)
    return checked


def test_an_edit_reads_only_the_state_of_the_edited_neighborhood(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.publish.state import BuildState

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    _append(tmp_path / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml", "address: 清河路2号\n")
    config = load_config(str(tmp_path / "content"), str(out))
    state = BuildState.load(config.cache_dir, out)
    assert len(state.made) == 2 and state.manifests == {}
    checked = checked_neighborhoods(monkeypatch)
    result = run_build(config, ListReporter(), state)
    assert 0 < result.rendered < result.pages / 2
    assert checked == ["qinghe"]  # the other neighborhood is known by its summary
    assert set(state.manifests) == {"qinghe"}  # and the list of its files was not even read


def test_without_a_date_from_the_environment_an_edit_still_checks_only_its_neighborhood(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Content outside git, without SOURCE_DATE_EPOCH: the date comes from the dates written in the
    content, which the state keeps by folder; a later date moves it, and everything follows."""
    from sitegen.publish.state import BuildState

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(MINIMAL, content)
    assert build(content, out) == 0
    config = load_config(str(content), str(out))
    checked = checked_neighborhoods(monkeypatch)
    _append(content / "neighborhoods" / "qinghe" / "neighborhood.yaml", "address: 清河路2号\n")
    assert run_build(config, ListReporter(), BuildState.load(config.cache_dir, out)).rendered > 0
    assert checked == ["qinghe"]
    assert "2026年11月20日" in (out / "index.html").read_text(encoding="utf-8")  # as of lanting's newest notice

    checked.clear()
    (content / "neighborhoods" / "qinghe" / "notices").mkdir()
    later = content / "neighborhoods" / "qinghe" / "notices" / "2026-11-30-meeting.md"
    later.write_text("---\ntitle: 居民议事会\ndate: 2026-11-30\n---\n周五晚七点，活动室。\n", encoding="utf-8")
    assert run_build(config, ListReporter(), BuildState.load(config.cache_dir, out)).rendered > 0
    assert sorted(checked) == ["lanting", "qinghe"]  # checked again as of the new date
    shutil.copytree(content, tmp_path / "again")
    assert build(tmp_path / "again", tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_summaries_withhold_notice_texts_which_the_community_pages_read_again(tmp_path: Path) -> None:
    """The state keeps each neighborhood's notices without their text; the community's lists, feed
    and home page still show it, in every language it is written in, also when a build knows the
    neighborhood only by its summary."""
    from sitegen.content.model import WITHHELD
    from sitegen.publish.state import BuildState

    shutil.copytree(MINIMAL, tmp_path / "content")
    notices = tmp_path / "content" / "neighborhoods" / "lanting" / "notices"
    _append(notices / "2026-11-20-water.md", "停水期间消防用水不受影响。\n")
    _append(notices / "2026-11-20-water.en.md", "Water for firefighting is not affected.\n")
    (tmp_path / "content" / "notices" / "2026-11-15-anti-fraud.md").unlink()  # the home page shows lanting's
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0

    def shown() -> list[str]:
        pages = ("notices/index.html", "en/notices/index.html", "feed.xml")
        return [(out / page).read_text(encoding="utf-8") for page in pages]

    def texts_shown() -> None:
        zh, en, feed = shown()
        assert "因管道维修" in zh and "Because of pipe repairs" in en
        assert "消防用水不受影响" in feed  # the whole text, not an excerpt
        home = (out / "index.html").read_text(encoding="utf-8")
        assert "因管道维修" in home  # the newest notice, on the first screen

    texts_shown()
    state = BuildState.load(load_config(str(tmp_path / "content"), str(out)).cache_dir, out)
    summaries = [entry.summary for entry in state.checked.neighborhoods.values() if entry.summary is not None]
    held = [notice for summary in summaries for notice in summary.notices]
    assert len(held) == 2 and all(notice.body is WITHHELD for notice in held)
    before = shown()
    # Another neighborhood changes: the community's lists are made again, lanting is known by its summary.
    _append(tmp_path / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml", "address: 清河路2号\n")
    assert build(tmp_path / "content", out) == 0
    texts_shown()
    assert shown() == before


def test_the_state_is_saved_in_parts_and_read_back_as_it_was_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build state's file digests, neighborhoods' results, site.yaml's grids and people are pickled
    in parts after the rest (each part lets go of what pickling it held); read back, the state is the
    one the build held, and the grids' coverage shares the summaries and site context of the results
    as it did."""
    from sitegen import cache
    from sitegen.publish import state as states
    from sitegen.publish.state import STATE_FILE, BuildState

    monkeypatch.setattr(states, "STATE_PART", 1)
    saved: list[BuildState] = []
    save = BuildState.save

    def spy(self: BuildState) -> None:
        # The files' digests were put aside as they were found: the build no longer holds them.
        assert self.files == {} and self.aside is not None and self.aside.stat().st_size > 0
        saved.append(self)
        save(self)

    monkeypatch.setattr(BuildState, "save", spy)
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    [held] = saved
    config = load_config(str(tmp_path / "content"), str(out))
    assert config.cache_dir is not None
    assert not list(config.cache_dir.glob("files-*"))  # the file they were put aside in is gone
    loaded = BuildState.load(config.cache_dir, out)
    files = digests_of(config)
    assert len(held.checked.neighborhoods) == 2 and len(files) > 10
    assert (loaded.files, loaded.made, loaded.community) == (files, held.made, held.community)
    assert loaded.checked == held.checked
    coverage = loaded.checked.coverage
    assert coverage is not None and [s.slug for s in coverage[1]] == ["lanting", "qinghe"]
    assert coverage[0] is loaded.checked.site
    assert all(s is loaded.checked.neighborhoods[s.slug].summary for s in coverage[1])
    # The covered grids are the site context's, each with what it covers (pickled apart, by grid).
    site = loaded.checked.site
    assert site is not None and [g.id for g in coverage[2]] == list(site.grids)
    assert any(g.coverage for g in coverage[2])
    for grid in coverage[2]:
        assert grid.coverage or grid is site.grids[grid.id]
        assert all(getattr(grid, f) is getattr(site.grids[grid.id], f) for f in ("name", "head", "worker", "police"))
    covered = sum(1 for g in coverage[2] if g.coverage)
    payload = cache.read(config.cache_dir / STATE_FILE, states._state_key(str(out.resolve())))
    assert payload is not None
    assert site.people  # the minimal site's community people, pickled apart too
    parts = 1 + len(files) + len(held.checked.neighborhoods) + len(site.grids) + len(site.people) + covered
    assert len(list(cache.load_parts(payload))) == parts
    # A build from the state read back changes nothing.
    assert rendered(tmp_path / "content", out) == 0


def digests_of(config: Any) -> dict[str, bytes]:
    """The digests of the files a build of ``config`` reads, found afresh."""
    from sitegen.content.digest import FileDigests
    from sitegen.content.load import load_documents
    from sitegen.publish.state import theme_digest

    files = FileDigests()
    load_documents(config.content_dir, "", files)
    theme_digest(config.theme_dirs, files)
    return files.keep()


def test_the_files_digests_saved_are_those_of_the_files_read_now(tmp_path: Path) -> None:
    """Put aside as a build finds them, the files' digests saved are those of the files there now: a
    file removed is forgotten, one added is known; a build that changes nothing leaves nothing aside."""
    from sitegen.publish.state import BuildState

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    config = load_config(str(tmp_path / "content"), str(out))
    assert config.cache_dir is not None
    notices = tmp_path / "content" / "neighborhoods" / "lanting" / "notices"
    gone = notices / "2026-10-01-lift.md"
    assert str(gone) in BuildState.load(config.cache_dir, out).files
    gone.unlink()
    added = notices / "2026-11-21-added.md"
    added.write_text((notices / "2026-11-20-water.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert build(tmp_path / "content", out) == 0
    files = BuildState.load(config.cache_dir, out).files
    assert str(gone) not in files and str(added) in files and files == digests_of(config)
    assert rendered(tmp_path / "content", out) == 0
    assert not list(config.cache_dir.glob("files-*"))


def cache_folder_of(workspace: Path) -> Path:
    """The cache folder of a build of ``workspace``'s content into its ``out``."""
    cache_dir = load_config(str(workspace / "content"), str(workspace / "out")).cache_dir
    assert cache_dir is not None
    return cache_dir


def test_files_digests_that_cannot_be_put_aside_are_found_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitegen.publish import state as states
    from sitegen.publish.state import BuildState

    class FullDisk(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    opened = states.FilesAside.__init__

    def on_a_full_disk(self: states.FilesAside, path: Path) -> None:
        opened(self, path)
        assert self.stream is not None
        self.stream.close()
        self.stream = FullDisk()

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    with monkeypatch.context() as patched:
        patched.setattr(states.FilesAside, "__init__", on_a_full_disk)
        assert build(tmp_path / "content", out) == 0
        assert not list(cache_folder_of(tmp_path).glob("files-*"))
    config = load_config(str(tmp_path / "content"), str(out))
    assert config.cache_dir is not None
    assert BuildState.load(config.cache_dir, out).files == {}  # not known: not saved
    assert rendered(tmp_path / "content", out) == 0  # found again, and nothing changed
    assert BuildState.load(config.cache_dir, out).files == digests_of(config)


def test_the_coverage_goes_when_a_summary_it_names_is_not_read_back() -> None:
    from dataclasses import replace

    from sitegen.content.model import Coverage, Grid, NeighborhoodSummary
    from sitegen.content.validate import CachedNeighborhood, SiteContext, ValidationCache

    a, b, c = (NeighborhoodSummary(slug, slug.upper()) for slug in "abc")
    grids = {gid: Grid(gid, f"grid {gid}") for gid in ("01", "02", "03")}
    people = {"w1": {"name": "W"}, "h1": {"name": "H"}}
    context = SiteContext("key", "", {}, grids, people, [])
    covered = (
        replace(grids["01"], coverage=(Coverage("a", "A", ("1",)),)),
        grids["02"],
        replace(grids["03"], coverage=(Coverage("b", "B", ("2", "3")), Coverage("c", "C", ("1",)))),
    )
    held = ValidationCache(
        context, {"a": CachedNeighborhood(("k", "a"), a, []), "b": CachedNeighborhood(("k", "b"), b, [])}
    )
    held.coverage = (context, (a, b, c), covered)

    def read_back(neighborhoods: dict[str, CachedNeighborhood]) -> ValidationCache:
        shell, apart = held.without_neighborhoods()
        assert shell.neighborhoods == {} and shell.site is not None and shell.site.grids == shell.site.people == {}
        assert shell.coverage == (shell.site, ("a", "b", c), ())
        assert apart == {
            "grids": grids,
            "people": people,
            "covers": {"01": covered[0].coverage, "03": covered[2].coverage},
        }
        covers: dict[str, object] = {}
        for name, items in [
            ("neighborhoods", list(neighborhoods.items())),
            *((k, list(v.items())) for k, v in apart.items()),
        ]:
            assert shell.take_apart(name, items, covers)
        assert not shell.take_apart("files", [], covers)
        shell.restore_coverage(covers)
        return shell

    shell = read_back(held.neighborhoods)
    assert shell.coverage is not None and all(x is y for x, y in zip(shell.coverage[1], (a, b, c), strict=True))
    assert shell.coverage[0] is shell.site and shell.site == context
    assert shell.coverage[2] == covered and shell.coverage[2][1] is grids["02"]
    assert list(shell.site.people) == ["w1", "h1"]  # in their order
    assert held.coverage[0] is context and context.grids == grids  # the cache set apart is as it was
    assert context.people == people
    shell = read_back({"a": held.neighborhoods["a"]})  # b's result was not read back
    assert shell.coverage is None
    # Grids made from another site context than the one read back are not put back either.
    shell, apart = held.without_neighborhoods()
    shell.neighborhoods, shell.site = dict(held.neighborhoods), replace(context)
    shell.restore_coverage(apart["covers"])
    assert shell.coverage is None


@pytest.mark.parametrize("damage", [b"not a pickle", None])
def test_a_damaged_or_foreign_neighborhood_cache_means_a_whole_build(tmp_path: Path, damage: bytes | None) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    config = load_config(str(tmp_path / "content"), str(out))
    assert config.cache_dir is not None
    shard = config.cache_dir / "outputs" / "qinghe.json"
    path = tmp_path / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: A", "  - id: C", 1), encoding="utf-8")
    if damage is None:  # a later build wrote the file and was killed before it saved its state
        saved = (config.cache_dir / "build-state.pickle").read_bytes()
        assert build(tmp_path / "content", out) == 0
        (config.cache_dir / "build-state.pickle").write_bytes(saved)
    else:
        shard.write_bytes(damage)
    assert build(tmp_path / "content", out) == 0
    clean = tmp_path / "clean"
    assert build(tmp_path / "content", clean) == 0
    assert tree(out) == tree(clean)


def test_a_failed_incremental_build_changes_nothing(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    before = tree(out)
    _append(tmp_path / "content" / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.md", "更多\n")
    _append(tmp_path / "content" / "site.yaml", "office: twice\n")  # duplicate key: an error
    assert build(tmp_path / "content", out) == 1
    assert tree(out) == before


def test_nothing_is_rendered_again_when_nothing_changed(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert rendered(tmp_path / "content", out) > 20
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert rendered(tmp_path / "content", out) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def test_an_edit_in_one_neighborhood_renders_only_its_pages_and_the_community_pages(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    total = rendered(tmp_path / "content", out)
    _append(tmp_path / "content" / "neighborhoods" / "qinghe" / "neighborhood.yaml", "address: 清河路2号\n")
    again = rendered(tmp_path / "content", out)
    assert 0 < again < total / 2


def _district(content: Path) -> None:
    """The minimal site with three more neighborhoods, one of them in a third grid of its own."""
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = text.replace("people:\n", "people:\n  sun-li:\n    name: 孙丽\n    phone: 139 0000 0031\n", 1)
    grid = '  - id: "03"\n    name: 第三网格\n    head: wang-li\n    worker: sun-li\n'
    site.write_text(text.replace("chain:\n", grid + "chain:\n", 1), encoding="utf-8")
    for slug, name in (("beiyuan", "北苑"), ("nanyuan", "南苑"), ("xiyuan", "西苑")):
        shutil.copytree(content / "neighborhoods" / "qinghe", content / "neighborhoods" / slug)
        path = content / "neighborhoods" / slug / "neighborhood.yaml"
        text = path.read_text(encoding="utf-8").replace("name: 清河苑", f"name: {name}", 1)
        path.write_text(text.replace('grid: "02"', 'grid: "03"') if slug == "xiyuan" else text, encoding="utf-8")


EVERY = {"lanting", "qinghe", "beiyuan", "nanyuan", "xiyuan"}


@pytest.mark.parametrize(
    ("old", "new", "checked", "remade"),
    [
        # The worker of the third grid, which only xiyuan's buildings are in.
        ("phone: 139 0000 0031", "phone: 139 0000 0032", {"xiyuan"}, {"xiyuan"}),
        # The worker of the second grid, written in place: most neighborhoods, so all are made again
        # (and checked again for their models).
        ("phone: 139 0000 0004}", "phone: 139 0000 0005}", EVERY, EVERY),
        # A volunteer of the first grid, whose phone number is not published: no page shows it.
        ("phone: 139 0000 0003", "phone: 139 0000 0013", set(), set()),
        # Someone no grid names.
        ("people:\n", "people:\n  new:\n    name: 新人\n    phone: 139 0000 0777\n", set(), set()),
        # What every page shows, but no neighborhood's check uses.
        ("兰亭路1号", "兰亭路2号", EVERY, EVERY),
    ],
    ids=["one grid's worker", "another grid's worker", "an unpublished number", "a person unnamed", "the office"],
)
def test_a_site_yaml_edit_makes_again_only_the_neighborhoods_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, checked: set[str], remade: set[str]
) -> None:
    """A district's site.yaml lists every grid and its people: a new phone number for one grid's
    worker checks and makes the pages of that grid's neighborhoods again, and the community's, not
    the rest."""
    import sitegen.build

    monkeypatch.setenv("SITEGEN_JOBS", "1")
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(MINIMAL, content)
    _district(content)
    assert build(content, out) == 0
    rendered: list[str] = []
    render_output = sitegen.build.render_output

    def spy(env: Any, output: Any, *args: Any) -> Any:
        rendered.append(output.dest)
        return render_output(env, output, *args)

    monkeypatch.setattr(sitegen.build, "render_output", spy)
    checking = checked_neighborhoods(monkeypatch)
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    assert old in text
    site.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert build(content, out) == 0
    assert set(checking) == checked
    folders = {dest.removeprefix("en/").split("/")[0] for dest in rendered}
    assert folders & EVERY == remade
    assert "index.html" in folders  # the community's pages show every grid
    assert build(content, tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_while_site_yaml_stands_a_cached_check_is_taken_without_digesting_what_it_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A district's 20,000 grids would be digested again on every edit of a notice otherwise."""
    from sitegen.content.uses import UsesDigest

    monkeypatch.setenv("SITEGEN_JOBS", "1")
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    _district(content)
    assert build(content, tmp_path / "out") == 0
    digested: list[object] = []
    digest = UsesDigest.__call__
    monkeypatch.setattr(UsesDigest, "__call__", lambda self, uses: [digested.append(uses), digest(self, uses)][1])
    checking = checked_neighborhoods(monkeypatch)
    _append(content / "neighborhoods" / "xiyuan" / "neighborhood.yaml", "address: 西苑路1号\n")
    assert build(content, tmp_path / "out") == 0
    assert checking == ["xiyuan"] and len(digested) == 1  # the edited one's, to keep with it
    edit = content / "site.yaml"
    edit.write_text(edit.read_text(encoding="utf-8").replace("0031", "0032"), encoding="utf-8")
    assert build(content, tmp_path / "out") == 0
    after_site = len(digested)
    assert after_site > 2  # what each cached check used, as site.yaml now has it
    _append(content / "neighborhoods" / "qinghe" / "neighborhood.yaml", "address: 清河路2号\n")
    assert build(content, tmp_path / "out") == 0
    assert len(digested) == after_site + 1


@pytest.mark.parametrize("edit", [translate_name, regrid_building], ids=lambda e: e.__name__)
def test_grid_coverage_follows_names_and_buildings(tmp_path: Path, edit: Callable[[Path, random.Random], None]) -> None:
    """The grids' coverage is kept while no edit changes it: a new English name or a moved building does."""
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    edit(tmp_path, random.Random(1))
    assert build(tmp_path / "content", out) == 0
    assert build(tmp_path / "content", tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")


@pytest.mark.parametrize(
    ("edit", "measured"), [(edit_notice_text, False), (regrid_building, True), (translate_name, False)]
)
def test_the_grid_sheets_are_measured_again_only_when_what_they_show_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Edit, measured: bool
) -> None:
    """Every build plans the grid overview's sheets; measuring them again is left out while the grids stay."""
    from sitegen.plan import fit

    split_grids = fit.split_grids
    calls: list[int] = []

    def spy(*args: Any) -> Any:
        calls.append(1)
        return split_grids(*args)

    monkeypatch.setattr(fit, "split_grids", spy)
    monkeypatch.setenv("SITEGEN_JOBS", "1")
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    assert calls == [1]
    calls.clear()
    edit(tmp_path, random.Random(2))
    assert build(tmp_path / "content", out) == 0
    assert calls == ([1] if measured else [])
    assert build(tmp_path / "content", tmp_path / "clean") == 0
    assert tree(out) == tree(tmp_path / "clean")


@pytest.mark.parametrize("alone", [False, True])
def test_a_districts_grid_overview_is_split_by_a_worker_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alone: bool
) -> None:
    """From SPLIT_ALONE_FROM grids, the overview is split into sheets by a forked worker (whose memory
    goes with it), sent what it needs (from the forker where the build keeps one): the site without
    its neighborhoods and notices. The sheets are the same as when the process that plans them
    splits them."""
    from sitegen import workers
    from sitegen.plan import fit, printables

    log = tmp_path / "split.log"
    split_grids, run_alone = fit.split_grids, printables.run_alone

    def spied_split(*args: Any) -> Any:
        with log.open("a") as stream:
            stream.write(f"split {os.getpid()}\n")
            stream.write(f"neighborhoods {len(args[0].neighborhoods)}\n")
            stream.write(f"grids {len(args[0].grids)}\n")
        return split_grids(*args)

    def spied_run_alone(*args: Any, **kwargs: Any) -> Any:
        with log.open("a") as stream:
            stream.write(f"asked {os.getpid()}\n")
            stream.write(f"sent {kwargs.get('sent', False)}\n")
        return run_alone(*args, **kwargs)

    monkeypatch.setattr(fit, "split_grids", spied_split)
    monkeypatch.setattr(printables, "run_alone", spied_run_alone)
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    # Other tests may leave threads behind, which stops forking; SITEGEN_JOBS still decides here.
    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1)
    shutil.copytree(MINIMAL, tmp_path / "content")
    assert build(tmp_path / "content", tmp_path / "here") == 0
    # A few grids: split where the sheets are planned, from the whole site.
    assert log.read_text().split()[::2] == ["split", "neighborhoods", "grids"]
    assert log.read_text().split()[3] != "0"
    grids = log.read_text().split()[5]
    assert grids != "0"
    log.unlink()
    if alone:
        monkeypatch.setattr(printables, "SPLIT_ALONE_FROM", 1)
    assert build(tmp_path / "content", tmp_path / "out") == 0
    said = dict(line.split() for line in log.read_text().splitlines())
    if alone:
        assert said.keys() == {"asked", "sent", "split", "neighborhoods", "grids"} and said["asked"] != said["split"]
        assert said["sent"] == "True" and said["neighborhoods"] == "0"
    else:
        assert said.keys() == {"split", "neighborhoods", "grids"}
    assert said["grids"] == grids  # sent apart from the site, every one arrives
    assert tree(tmp_path / "out") == tree(tmp_path / "here")


def test_a_file_that_fails_to_render_after_others_were_written_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that changes some files renders each as it writes it, into a copy of the output: one
    failing after others were written leaves the output as it was, and the next build makes it right."""
    from sitegen import build as building

    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    out = tmp_path / "out"
    assert build(content, out) == 0
    before = tree(out)
    _append(content / "neighborhoods" / "lanting" / "notices" / "2026-10-01-lift.md", "\n补充说明：请相互转告。\n")
    asked: list[str] = []
    render_output, build_changes = building.render_output, building._build_changes

    def failing(*args: Any) -> bytes:
        asked.append(args[1].dest)
        if len(asked) == 6:  # "changes only", then five files
            raise RuntimeError("the fifth file fails")
        return render_output(*args)

    def changes(*args: Any) -> Any:
        asked.append("changes only")
        return build_changes(*args)

    monkeypatch.setattr(building, "render_output", failing)
    monkeypatch.setattr(building, "_build_changes", changes)
    assert build(content, out) != 0
    assert asked.pop(0) == "changes only" and len(asked) == 5
    assert tree(out) == before
    monkeypatch.undo()
    assert build(content, tmp_path / "fresh") == 0
    fresh = tree(tmp_path / "fresh")
    assert any(fresh[dest] != before.get(dest) for dest in asked[:4]), "some files were written before the failure"
    assert build(content, out) == 0
    assert tree(out) == fresh


def test_an_edited_site_yaml_is_checked_after_the_last_builds_context_was_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state's site context (and the grids' coverage made from it) is of no use once site.yaml
    changed: it is let go before the new one is checked, not held beside it (50 MB at 10,000
    neighborhoods)."""
    from sitegen.content import validate

    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    assert build(content, tmp_path / "out") == 0
    held: list[tuple[bool, bool]] = []
    checked_site = validate.SiteValidator._checked_site

    def spied(self: validate.SiteValidator) -> Any:
        assert self.cache is not None
        held.append((self.cache.site is not None, self.cache.coverage is not None))
        return checked_site(self)

    monkeypatch.setattr(validate.SiteValidator, "_checked_site", spied)
    assert build(content, tmp_path / "out") == 0
    assert held == []  # nothing changed: the state's context stands
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("029-0000 1000", "029-0000 1999"), encoding="utf-8")
    assert build(content, tmp_path / "out") == 0
    assert held == [(False, False)]
    assert "029-0000 1999" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_clean_rebuilds_an_output_changed_by_hand(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    (out / "lanting" / "index.html").unlink()
    (out / "index.html").write_text("edited by hand", encoding="utf-8")
    assert build(tmp_path / "content", out, "--clean") == 0
    clean = tmp_path / "clean"
    assert build(tmp_path / "content", clean) == 0
    assert tree(out) == tree(clean)


def test_an_emptied_output_is_rebuilt_whole(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    assert build(tmp_path / "content", out) == 0
    before = tree(out)
    shutil.rmtree(out)
    out.mkdir()
    assert build(tmp_path / "content", out) == 0
    assert tree(out) == before


def test_two_outputs_in_one_folder_keep_their_own_state_and_stay_incremental(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    first, second = tmp_path / "site", tmp_path / "site-en"
    total = rendered(tmp_path / "content", first)
    assert rendered(tmp_path / "content", second) == total
    for step in range(3):
        change_pact(tmp_path, random.Random(step))
        for out in (first, second):
            assert 0 < rendered(tmp_path / "content", out) < total, f"{out.name}: a whole build after step {step}"
    assert tree(first) == tree(second)
    assert sorted(p.name for p in (tmp_path / ".sitegen-cache").iterdir()) == [
        "site",
        "site-en",
        "site-en.lock",
        "site.lock",
    ]


def test_a_changed_program_makes_every_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.publish.state

    shutil.copytree(MINIMAL, tmp_path / "content")
    out = tmp_path / "out"
    total = rendered(tmp_path / "content", out)
    assert rendered(tmp_path / "content", out) == 0
    monkeypatch.setattr(sitegen.publish.state, "code_version", lambda: "another program")
    assert rendered(tmp_path / "content", out) == total


def test_checking_and_rendering_on_two_cores_give_the_same_bytes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    # The workers' results carry problems too: a warning must come back, in its place.
    stale = content / "neighborhoods" / "fengqi-jiayuan" / "neighborhood.yaml"
    stale.write_text(stale.read_text(encoding="utf-8").replace("verified_on: 2026-11-18", "verified_on: 2020-01-01"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    outputs, reports = {}, {}
    build = [sys.executable, "-m", "sitegen", "build", "--lang", "en", "--content", str(content)]
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        command = [*build, "--output", str(out)]
        done = subprocess.run(command, env={**env, "SITEGEN_JOBS": jobs}, check=True, capture_output=True, text=True)
        outputs[jobs], reports[jobs] = tree(out), done.stdout
        # The second build with the state the workers' results left finds nothing to do.
        again = subprocess.run(command, env={**env, "SITEGEN_JOBS": jobs}, check=True, capture_output=True, text=True)
        assert "nothing changed" in again.stderr and again.stdout == done.stdout
    assert "warning" in reports["1"]
    assert outputs["1"] == outputs["2"] and reports["1"] == reports["2"]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_work_run_alone_hands_back_its_result_or_its_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_alone`` runs in a child of its own, from the main process or from a worker; an error there
    is raised here, and a child that dies is reported with what it was doing."""
    from sitegen import workers
    from sitegen.errors import SitegenError

    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "forkable", lambda items, least: True)  # even with other tests' threads
    here = os.getpid()
    assert workers.run_alone(lambda: (os.getpid(), os.getppid(), "好"), "working")[1:] == (here, "好")
    assert workers.run_alone(os.getpid, "working") != here
    # From inside a worker of a pool: the worker goes on with its next item afterwards.
    nested = workers.fork_map(lambda i: (i, workers.run_alone(lambda: i * i, "squaring")), range(20), 1)
    assert nested == [(i, i * i) for i in range(20)]

    def fails() -> None:
        raise SitegenError("没有网格")

    with pytest.raises(SitegenError, match="没有网格"):
        workers.run_alone(fails, "working")
    with pytest.raises(workers.WorkerFailed, match="SIGKILL.*splitting the grids"):
        workers.run_alone(lambda: os.kill(os.getpid(), signal.SIGKILL), "splitting the grids")
    monkeypatch.setattr(workers, "forkable", lambda items, least: False)  # threads, one job: here
    assert workers.run_alone(os.getpid, "working") == here


def _parent_and_size() -> tuple[int, int]:
    """This process's parent and resident set in MB (sent to the forker: a module's function)."""
    with open(f"/proc/{os.getpid()}/status") as stream:
        rss = next(int(line.split()[1]) for line in stream if line.startswith("VmRSS:"))
    return os.getppid(), rss // 1024


def _parent_and_length(text: str) -> tuple[int, int]:
    return os.getppid(), len(text)


def _parent_and_items(name: str, items: list[Any]) -> tuple[int, str, list[Any]]:
    return os.getppid(), name, items


def _parent_and_list(items: list[Any]) -> tuple[int, list[Any]]:
    return os.getppid(), items


def _fails() -> None:
    from sitegen.errors import SitegenError

    raise SitegenError("没有网格")


def _dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_work_in_parts_is_pickled_a_part_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """InParts goes to the forker as its function, then pickles of SENT_PART items at most, each on
    its own (a pickle's memo lasts as long as it does); read back, it is the same work."""
    import functools
    import io
    import pickle

    from sitegen import workers

    monkeypatch.setattr(workers, "SENT_PART", 7)
    items = [(number, f"网格{number}") for number in range(100)]
    for work_items, parts in [(items, 15), (items[:7], 1), ([], 0)]:
        stream = io.BytesIO()
        workers._send(workers.InParts(functools.partial(_parent_and_items, "第一"), work_items), stream)
        stream.seek(0)
        pickles = []
        while stream.tell() < len(stream.getvalue()):
            pickles.append(pickle.load(stream))
        assert len(pickles) == 1 + parts
        assert all(isinstance(part, list) and 0 < len(part) <= 7 for part in pickles[1:])
        assert [item for part in pickles[1:] for item in part] == work_items
        stream.seek(0)
        assert workers._sent(stream)() == (os.getppid(), "第一", work_items)
    stream = io.BytesIO()
    workers._send(functools.partial(_parent_and_length, "网格"), stream)  # any other work: one pickle
    stream.seek(0)
    assert workers._sent(stream)() == (os.getppid(), 2)
    assert stream.tell() == len(stream.getvalue())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident sets from /proc: Linux only")
def test_work_sent_to_the_forker_starts_from_this_process_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work that needs nothing of this process but itself (sent pickled) runs in a child of the forker,
    forked while this process was small: it does not start with what this process came to hold."""
    import functools
    import time

    from sitegen import workers
    from sitegen.errors import SitegenError

    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "fork_safe", lambda: True)  # even with other tests' threads
    monkeypatch.setattr(workers, "_forker", None)
    workers.keep_forker()
    forker = workers._forker
    assert forker is not None
    try:
        held = b"x" * (150 * 2**20)  # what the process came to hold (a district's state)
        parent, size = workers.run_alone(_parent_and_size, "measuring", sent=True)
        assert parent == forker.pid and size < _parent_and_size()[1] - 120
        parent, size = workers.run_alone(_parent_and_size, "measuring")  # not sent: forked from here
        assert parent == os.getpid() and size > 150
        with pytest.raises(SitegenError, match="没有网格"):
            workers.run_alone(_fails, "working", sent=True)
        with pytest.raises(workers.WorkerFailed, match="SIGKILL.*checking site.yaml"):
            workers.run_alone(_dies, "checking site.yaml", sent=True)
        sleeping = workers.start_alone(functools.partial(time.sleep, 60), "sleeping", sent=True)
        started = time.monotonic()
        sleeping.cancel()
        assert time.monotonic() - started < 10
        assert workers.run_alone(_parent_and_size, "measuring", sent=True)[0] == forker.pid  # it goes on
        # Work larger than a message of the socket (a district's site for the grid overview) is sent too.
        large = functools.partial(_parent_and_length, "网" * (4 * 2**20))
        assert workers.run_alone(large, "measuring", sent=True) == (forker.pid, 4 * 2**20)
        # Many items go in parts, each pickled on its own, and arrive all and in order.
        monkeypatch.setattr(workers, "SENT_PART", 7)
        items = [(number, f"网格{number}") for number in range(100)]
        in_parts = workers.InParts(functools.partial(_parent_and_items, "第一"), items)
        assert workers.run_alone(in_parts, "measuring", sent=True) == (forker.pid, "第一", items)
        assert workers.run_alone(workers.InParts(_parent_and_list, []), "measuring", sent=True) == (forker.pid, [])
        assert workers.run_alone(workers.InParts(_parent_and_list, items[:7]), "m", sent=True)[1] == items[:7]
        here = os.getpid()
        marker = "好"
        assert workers.run_alone(lambda: (os.getppid(), marker), "closure", sent=True) == (here, "好")  # not sent
        # A worker forked from here sees the forker, but its children are forked from the worker.
        nested = workers.fork_map(
            lambda i: (os.getpid(), workers.run_alone(_parent_and_size, "m", sent=True)[0]), [1, 2], 1
        )
        assert all(worker == parent != forker.pid for worker, parent in nested)
        os.kill(forker.pid, signal.SIGKILL)
        os.waitpid(forker.pid, 0)
        assert workers.run_alone(_parent_and_size, "measuring", sent=True)[0] == os.getpid()  # gone: from here
        del held
    finally:
        workers.drop_forker()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="processes read from /proc: Linux only")
def test_a_build_checks_an_edited_large_site_yaml_from_a_forker_made_before_its_state_was_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_checks: Callable[[], list[tuple[int, int]]]
) -> None:
    """`sitegen build` loads the last build's state (a district's: 100 MB and more) before it finds
    site.yaml edited; the child that checks it again is forked by a forker made before that, and
    the forker ends with the build."""
    import sitegen.build
    from sitegen import workers

    monkeypatch.setattr(workers, "fork_safe", lambda: True)  # even with other tests' threads
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(MINIMAL, content)
    assert build(content, out) == 0
    ((_first, first_parent),) = site_checks()
    assert first_parent != os.getpid()  # a forker's child in a cold build too
    before_state: list[set[int]] = []
    starting_state = sitegen.build._starting_state

    def loading(*args: Any) -> Any:
        before_state.append(children(os.getpid()))
        return starting_state(*args)

    monkeypatch.setattr(sitegen.build, "_starting_state", loading)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("139 0000 0001", "139 0000 0009", 1), encoding="utf-8")
    assert build(content, out) == 0
    assert "139 0000 0009" in (out / "index.html").read_text(encoding="utf-8")
    (_, parent) = site_checks()[-1]
    assert len(site_checks()) == 2 and parent in before_state[0] and parent != os.getpid()
    assert parent not in children(os.getpid())  # the forker ended with the build


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_memory_freed_by_python_is_given_back_to_the_system() -> None:
    """Large objects freed (a district's pages made once) leave their memory with the C allocator;
    give_back_memory hands it back, so a long-lived preview and the workers forked from a process
    do not keep it. Measured in a process of its own."""
    script = """
import os
from sitegen.workers import give_back_memory

def rss():
    with open(f"/proc/{os.getpid()}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) // 1024

kept, pages = [], []
for i in range(10_000):  # pages, each beside something kept (the allocator gives back no hole by itself)
    pages.append(f"{i:08d}" * (2_000 + i % 3_000))
    kept.append(bytes(600))
made = rss()
del pages
freed = rss()
give_back_memory()
print(made, freed, rss())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    made, freed, given = map(int, done.stdout.split())
    assert made - freed < (made - given) / 2, "freed, but kept by the allocator until given back"
    assert made - given > 150, (made, freed, given)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_forked_workers_end_at_once_on_sigterm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool ends its workers with SIGTERM; a handler of the parent's (the preview's), inherited, could
    leave a worker waiting for its next task for ever, and the build with it."""
    from sitegen import workers

    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "forkable", lambda items, least: True)  # even with other tests' threads
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        seen = workers.fork_map(lambda index: (os.getpid(), signal.getsignal(signal.SIGTERM)), range(40), 1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert {pid for pid, _handler in seen} - {os.getpid()}, "the work was not done by forked workers"
    assert {handler for _pid, handler in seen} == {signal.SIG_DFL}


def test_fingerprints_are_kept_for_a_group_not_for_a_whole_district(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that makes thousands of neighborhoods keeps a bounded number of pages' fingerprints,
    and each is what it would be if none were kept."""
    from sitegen.cache import hash_parts
    from sitegen.publish import state as states

    monkeypatch.setattr(states, "FINGERPRINTS_KEPT", 64)
    sources = {f"nb:n{i:04d}": f"digest {i}" for i in range(1000)}
    sums = states.Digests("common", sources)
    rng = random.Random(7)
    for _ in range(5000):
        slug = f"n{rng.randrange(1200):04d}"  # some name no input: their digest is "?"
        template = rng.choice(["neighborhood.html", "notice.html", "print/card.html"])
        expected = hash_parts("common", template, sources.get(f"nb:{slug}", "?"))
        assert sums.fingerprint(template, (f"nb:{slug}",)) == expected
        assert len(sums.made) <= 64
