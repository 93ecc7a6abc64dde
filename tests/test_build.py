"""Building: golden output, determinism, atomic replacement and refusing dangerous output dirs."""

from __future__ import annotations

import filecmp
import posixpath
import shutil
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from sitegen.plan.urls import _relpath
from tests.helpers import write_site

SITES = Path(__file__).parent / "sites"
GOLDEN = Path(__file__).parent / "golden"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pages(root: Path) -> dict[str, bytes]:
    """The tree without the search index, which tests/test_search.py checks."""
    return {k: v for k, v in tree(root).items() if not k.startswith("search/")}


def build(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--lang", "en", "--content", str(content), "--output", str(output), *extra])


def test_minimal_site_matches_golden(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    out = tmp_path / "output"
    assert build(SITES / "minimal" / "content", out) == 0
    golden = GOLDEN / "minimal"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden, ignore=lambda folder, names: ["search"] if Path(folder) == out else [])
    assert pages(out) == tree(golden), "output differs from tests/golden/minimal (see CONTRIBUTING.md)"


def test_same_input_gives_byte_identical_output(tmp_path: Path) -> None:
    content = SITES / "minimal" / "content"
    assert build(content, tmp_path / "a") == 0
    assert build(content, tmp_path / "b") == 0
    comparison = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b"), comparison.diff_files


def test_build_date_comes_from_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = SITES / "minimal" / "content"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    assert build(content, tmp_path / "out") == 0
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "2027年1月1日" in home
    # Every notice of the minimal site has expired by then except the one without an expiry.
    notices = (tmp_path / "out" / "notices" / "index.html").read_text(encoding="utf-8")
    assert "防范电信诈骗提醒" in notices and "停水通知" not in notices


def test_build_date_without_epoch_or_git_is_the_latest_content_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    content = write_site(tmp_path, {})
    assert build(content, tmp_path / "out") == 0
    assert "2026年11月1日" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_a_districts_dates_are_read_by_workers_as_they_would_be_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a date from the environment, from PARALLEL_DATES_FROM folders whose dates are not
    known the dates are read by forked workers: the same build date (a mistyped year still set
    aside), the same dates kept for the next build, and site.yaml is not left parsed here (a
    district's tree would stay in this process and every worker forked from it)."""
    import datetime as dt

    from sitegen import build as build_module
    from sitegen import workers
    from sitegen.content.load import load_documents

    content = tmp_path / "content"
    count = build_module.PARALLEL_DATES_FROM + 9
    for index in range(count):
        folder = content / "neighborhoods" / f"n{index:03d}"
        (folder / "notices").mkdir(parents=True)
        (folder / "neighborhood.yaml").write_text(
            f"name: 小区{index}\nverified_on: 2026-03-{index % 28 + 1:02d}\n", encoding="utf-8"
        )
        if index % 5 == 0:
            day = "2029-01-01" if index == 10 else f"2026-0{index % 9 + 1}-15"  # one year mistyped
            (folder / "notices" / f"{day}-n.md").write_text(
                f"---\ntitle: 通知\ndate: {day}\n---\n正文\n", encoding="utf-8"
            )
    (content / "site.yaml").write_text("name: 社区\nverified_on: 2026-02-01\n", encoding="utf-8")

    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1 and items >= least)
    forked: list[int] = []
    run_forked = workers.run_forked
    monkeypatch.setattr(workers, "run_forked", lambda *args: [forked.append(args[0]), run_forked(*args)])
    found = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("SITEGEN_JOBS", jobs)
        documents = load_documents(content, "content")
        known: dict[str, Any] = {}
        found[jobs] = build_module.latest_content_date(documents, known), known
        assert documents.site_parsed == (jobs == "1")
    assert forked, "the dates were read by workers"
    assert found["1"] == found["2"]
    assert found["2"][0] == dt.date(2026, 9, 15)
    assert len(found["2"][1]) == count + 1
    # Known dates are not read again: one folder changed, read here.
    forked.clear()
    folder = content / "neighborhoods" / "n003"
    (folder / "neighborhood.yaml").write_text("name: 小区3\nverified_on: 2026-10-02\n", encoding="utf-8")
    documents = load_documents(content, "content")
    known = dict(found["2"][1])
    assert build_module.latest_content_date(documents, known) == dt.date(2026, 10, 2)
    assert forked == []


def test_a_large_site_yaml_is_checked_before_the_folders_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the build date known (SOURCE_DATE_EPOCH here), a large site.yaml is checked by a child
    forked before the neighborhood folders are read, from a process not yet grown by them; the same
    pages, and the next build, which knows site.yaml unchanged, starts no child for it."""
    from sitegen import build as build_module
    from sitegen import workers
    from sitegen.content import validate

    content = SITES / "minimal" / "content"
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1)
    events: list[str] = []
    start_alone, load_documents = validate.start_alone, build_module.load_documents
    monkeypatch.setattr(
        validate, "start_alone", lambda *args, **kw: [events.append("site"), start_alone(*args, **kw)][1]
    )
    monkeypatch.setattr(
        build_module, "load_documents", lambda *args: [events.append("folders"), load_documents(*args)][1]
    )
    assert build(content, tmp_path / "here") == 0
    assert events == ["folders"]
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 0)
    events.clear()
    assert build(content, tmp_path / "early") == 0
    assert events == ["site", "folders"]
    assert pages(tmp_path / "early") == pages(tmp_path / "here")
    events.clear()
    (content_copy := tmp_path / "content").mkdir()
    shutil.copytree(content, content_copy, dirs_exist_ok=True)
    assert build(content_copy, tmp_path / "again") == 0
    _edit_notice_and_build(content_copy, tmp_path / "again", events)


def test_without_a_date_a_large_site_yaml_is_checked_early_and_tells_its_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a date from the environment, the child checking a large site.yaml is still forked
    before the folders are read: it tells the dates site.yaml holds (site.yaml's is the latest here),
    is told the date the folders give, and checks; site.yaml is never parsed in this process. The
    same pages; the next build, site.yaml unchanged, starts no child for it."""
    from sitegen import build as build_module
    from sitegen import workers
    from sitegen.content import load, validate

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    content = tmp_path / "content"
    shutil.copytree(SITES / "minimal" / "content", content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace("verified_on: 2026-11-01", "verified_on: 2026-11-28"),
        encoding="utf-8",
    )
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1)
    events: list[str] = []
    start_alone, load_documents, load_site = validate.start_alone, build_module.load_documents, load._load_site
    monkeypatch.setattr(
        validate, "start_alone", lambda *args, **kw: [events.append("site"), start_alone(*args, **kw)][1]
    )
    monkeypatch.setattr(
        build_module, "load_documents", lambda *args: [events.append("folders"), load_documents(*args)][1]
    )
    monkeypatch.setattr(load, "_load_site", lambda *args: [events.append("site.yaml here"), load_site(*args)][1])
    assert build(content, tmp_path / "here") == 0
    assert events == ["folders", "site.yaml here"]
    assert "2026年11月28日" in (tmp_path / "here" / "index.html").read_text(encoding="utf-8")
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 0)
    for output in ("early", "checked"):
        events.clear()
        if output == "early":
            assert build(content, tmp_path / output) == 0
        else:
            assert main(["check", "--content", str(content)]) == 0
        assert events == ["site", "folders"]
    assert pages(tmp_path / "early") == pages(tmp_path / "here")
    _edit_notice_and_build(content, tmp_path / "early", events)


def _edit_notice_and_build(content: Path, output: Path, events: list[str]) -> None:
    """A notice of the minimal site edited and built again: only the folders read, no child for site.yaml."""
    notice = content / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n请提前储水。\n", encoding="utf-8")
    events.clear()
    assert build(content, output) == 0
    assert events == ["folders"]
    assert "请提前储水" in (output / "lanting" / "notices" / "2026-11-20-water.html").read_text(encoding="utf-8")


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    out = tmp_path / "output"
    assert build(content, out) == 0
    before = tree(out)
    (content / "site.yaml").write_text("name: [broken\n", encoding="utf-8")
    assert build(content, out) == 1
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sitegen-cache", "content", "output"], "no staging leftovers"


def test_template_error_leaves_previous_output_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(tmp_path, {})
    out = tmp_path / "output"
    assert build(content, out) == 0
    before = tree(out)
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "neighborhood.html").write_text("{{ neighborhood.no_such_field }}", encoding="utf-8")
    assert build(content, out, "--theme", str(tmp_path / "theme")) == 1
    assert "no_such_field" in capsys.readouterr().err
    assert tree(out) == before


def test_refuses_to_replace_a_directory_it_did_not_create(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_site(tmp_path, {})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    assert build(content, precious) == 1
    assert "not written by sitegen" in capsys.readouterr().err
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "years of work"


@pytest.mark.parametrize("where", ["content", "content/out", ".", "theme", "theme/x"])
def test_refuses_output_in_or_around_sources(tmp_path: Path, where: str) -> None:
    content = write_site(tmp_path, {})
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    assert build(content, tmp_path / where, "--theme", str(tmp_path / "theme")) == 1
    assert (content / "site.yaml").is_file()


def test_rebuild_removes_pages_that_no_longer_exist(tmp_path: Path) -> None:
    content = write_site(
        tmp_path, {"neighborhoods/qinghe/neighborhood.yaml": "name: 清河苑\nverified_on: 2026-11-01\n"}
    )
    out = tmp_path / "output"
    assert build(content, out) == 0
    assert (out / "qinghe" / "index.html").is_file()
    shutil.rmtree(content / "neighborhoods" / "qinghe")
    assert build(content, out) == 0
    assert not (out / "qinghe").exists()


def test_base_url_makes_canonical_links(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    assert build(content, tmp_path / "out", "--base-url", "https://example.org/jinhua/") == 0
    page = (tmp_path / "out" / "hexie" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/jinhua/hexie/index.html">' in page
    assert 'href="../index.html"' in page


def test_private_people_never_reach_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(SITES / "minimal" / "content", out) == 0
    everything = b"".join(pages(out).values()).decode("utf-8")
    assert "不公开的人" not in everything and "0666" not in everything
    # Volunteers' phones are private unless marked public.
    assert "0013" not in everything and "吴阿姨" in everything
    assert "139 0000 0014" in everything and "139 0000 0012" in everything


def test_markdown_cannot_inject_markup(tmp_path: Path) -> None:
    notice = """\
        ---
        title: <script>alert(1)</script>
        date: 2026-11-20
        ---
        <script>alert(2)</script><img src=x onerror=alert(3)> <b onclick="alert(4)">b</b> {{ site.name }}
        """
    content = write_site(tmp_path, {"neighborhoods/hexie/notices/2026-11-20-x.md": notice})
    assert build(content, tmp_path / "out") == 0
    page = (tmp_path / "out" / "hexie" / "notices" / "2026-11-20-x.html").read_text(encoding="utf-8")
    assert "<script" not in page and "onerror" not in page and "onclick" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ site.name }}" in page


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_rebuild_reuses_qr_codes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """The codes a build made, here or in its workers (which set them aside until the build saves
    them), are drawn from the cache by the next build."""
    import sitegen.plan.qr

    calls = []
    real_encode = sitegen.plan.qr.encode

    def counting_encode(payload: str, level: str) -> list[str]:
        calls.append(payload)
        return real_encode(payload, level)

    monkeypatch.setattr(sitegen.plan.qr, "encode", counting_encode)
    handed_back: list[int] = []
    merge = sitegen.plan.qr.QrCache.merge
    monkeypatch.setattr(
        sitegen.plan.qr.QrCache, "merge", lambda cache, codes: [handed_back.append(len(codes)), merge(cache, codes)]
    )
    content = SITES / "minimal" / "content"
    monkeypatch.setenv("SITEGEN_JOBS", jobs)
    assert build(content, tmp_path / "out") == 0
    first = tree(tmp_path / "out")
    assert len(calls) > 5 or jobs != "1"  # workers encode in processes of their own
    codes = tmp_path / ".sitegen-cache" / "out" / "qr"
    assert list(codes.glob("*.json")) and not list(codes.glob("*.tmp"))
    assert handed_back and set(handed_back) == {0}  # the codes did not pass through the main process
    calls.clear()
    monkeypatch.setenv("SITEGEN_JOBS", "1")
    shutil.rmtree(tmp_path / "out")  # every page rendered again
    assert build(content, tmp_path / "out") == 0
    assert calls == []
    assert tree(tmp_path / "out") == first


def test_personal_mobiles_can_be_masked_on_web_pages(tmp_path: Path) -> None:
    site = (SITES / "minimal" / "content" / "site.yaml").read_text(encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(SITES / "minimal" / "content", content)
    (content / "site.yaml").write_text(site + "mask_personal_mobiles: true\n", encoding="utf-8")
    assert build(content, tmp_path / "out") == 0
    page = (tmp_path / "out" / "lanting" / "index.html").read_text(encoding="utf-8")
    # Volunteers who agreed to publish (building head 周大爷, unit head 郑叔叔) are masked, not dialable ...
    assert "139 **** 0012" in page and "139 **** 0014" in page and "0021" not in page
    assert "0012" not in page.replace("139 **** 0012", "") and "tel:13900000014" not in page
    # ... official roles stay whole.
    assert 'href="tel:13900000010"' in page and 'href="tel:13900000001"' in page
    # Print sheets, posted inside the building, keep the whole number.
    card = (tmp_path / "out" / "lanting" / "print" / "building-1.html").read_text(encoding="utf-8")
    assert "139 0000 0012" in card


@pytest.mark.parametrize(
    "link",
    ["[x](javascript:alert(1))", "[x]( JavaScript:alert(1) )", '<a href="jav&#x09;ascript:alert(1)">x</a>',
     "[x](data:text/html;base64,PHNjcmlwdD4=)", "<vbscript:msgbox>", "[x][r]\n\n[r]: javascript:alert(1)"],
)  # fmt: skip
def test_check_rejects_dangerous_link_schemes(tmp_path: Path, link: str, capsys: pytest.CaptureFixture[str]) -> None:
    notice = f"---\ntitle: 通知\ndate: 2026-11-20\n---\n请看 {link}\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/notices/2026-11-20-x.md": notice})
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    out = capsys.readouterr().out
    assert "notices/2026-11-20-x.md:" in out and "which is not allowed" in out


def test_safe_links_pass(tmp_path: Path) -> None:
    links = "[网站](https://example.org/a_(b)) [电话](tel:110) [信](mailto:a@b.cn) [本页](../index.html)"
    notice = f"---\ntitle: 通知\ndate: 2026-11-20\n---\n{links}\n"
    content = write_site(tmp_path, {"neighborhoods/hexie/notices/2026-11-20-x.md": notice})
    assert main(["check", "--lang", "en", "--strict", "--content", str(content)]) == 0


@pytest.mark.parametrize(
    ("target", "start"),
    [
        ("assets/site.css", "n00001/notices"),
        ("n00001/index.html", "n00001/print"),
        ("n00001/print/index.html", "n00001/print"),
        ("index.html", "."),
        ("n00001", "n00001/print"),
        ("en/n00001/index.html", "n00001"),
        ("a/b/c.html", "a/b/c.html"),
        # Not plain paths: these take posixpath.relpath's way.
        ("a//b.html", "c"),
        ("./a.html", "b/../c"),
        ("../up.html", "a"),
        ("a/", "a/b/"),
    ],
)
def test_links_between_output_paths_match_posixpath(target: str, start: str) -> None:
    assert _relpath(target, start) == posixpath.relpath(target, start)


def _claiming(monkeypatch: pytest.MonkeyPatch, slug: str, dests: list[str]) -> None:
    """Make the neighborhood ``slug`` plan, besides its pages, copies of its home page at ``dests``."""
    import dataclasses

    from sitegen.plan import routes

    real = routes.neighborhood_pages

    def pages(site: Any, model: Any) -> list[routes.Output]:
        found = real(site, model)
        if model.slug == slug:
            found += [dataclasses.replace(found[0], dest=dest) for dest in dests]
        return found

    monkeypatch.setattr(routes, "neighborhood_pages", pages)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("dests", "told"),
    [
        (["notices/index.html"], "notices/index.html"),  # a community page
        (["LANTING/index.html"], "LANTING/index.html"),  # another neighborhood's, as a case-blind disk sees it
        (["qinghe/index.html"], "qinghe/index.html"),  # one of its own
    ],
)
def test_two_files_for_one_place_stop_the_build_and_fail_the_check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    jobs: str,
    dests: list[str],
    told: str,
) -> None:
    """Each neighborhood's files are planned in a worker of their own (SITEGEN_JOBS=2): a file that
    another group's, or its own, already goes to is still found, and nothing is written."""
    monkeypatch.setenv("SITEGEN_JOBS", jobs)
    content, out = SITES / "minimal" / "content", tmp_path / "output"
    assert build(content, out) == 0
    before = tree(out)
    _claiming(monkeypatch, "qinghe", dests)
    capsys.readouterr()
    assert build(content, out, "--clean") == 1
    said = "".join(capsys.readouterr())
    assert f"site.yaml:1:1: error: this would be written to `{told}`, where the site puts" in said, said
    assert tree(out) == before
    assert main(["check", "--lang", "en", "--content", str(content)]) == 1
    assert f"error: this would be written to `{told}`, where the site puts" in "".join(capsys.readouterr())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_names_of_one_key_in_two_groups_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """The files' names are compared across groups as 8-byte keys; two names of one key that go to
    two places are told apart (here every name has the same key), and the build goes on."""
    from sitegen import build as pipeline

    monkeypatch.setenv("SITEGEN_JOBS", jobs)
    content = SITES / "minimal" / "content"
    assert build(content, tmp_path / "before") == 0
    monkeypatch.setattr(pipeline, "_name_key", lambda dest: 7)
    assert build(content, tmp_path / "after") == 0
    assert tree(tmp_path / "after") == tree(tmp_path / "before")
    capsys.readouterr()
    assert main(["check", "--lang", "en", "--content", str(content)]) == 0
    # And a real collision is still found among them.
    _claiming(monkeypatch, "qinghe", ["LANTING/index.html"])
    assert build(content, tmp_path / "after", "--clean") == 1
    assert "this would be written to `LANTING/index.html`" in "".join(capsys.readouterr())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_whole_build_leaves_the_manifests_in_the_cache_not_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Each neighborhood's manifest is written into the cache as it is made (by its worker), and the
    state reads it from there when asked for: no process holds a district's manifests."""
    from sitegen.build import build as build_site
    from sitegen.config import load_config
    from sitegen.publish.state import BuildState
    from sitegen.report import ConsoleReporter

    monkeypatch.setenv("SITEGEN_JOBS", jobs)
    config = load_config(str(SITES / "minimal" / "content"), str(tmp_path / "output"))
    assert config.cache_dir is not None
    state = BuildState(str(config.output_dir.resolve()), cache_dir=config.cache_dir)
    build_site(config, ConsoleReporter(quiet=True), state)
    assert state.made and state.manifests == {} and state.unsaved == set()
    for slug in state.made:
        manifest = state.manifest(slug)
        assert manifest is not None and len(manifest) == state.sizes[slug]
        assert all((config.output_dir / dest).is_file() for dest in manifest)
    assert not list(config.cache_dir.glob("*.tmp"))  # the folder it was written in took the old one's place
