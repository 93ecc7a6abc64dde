"""Search: the index beside the pages, kept in step with them page by page, and the search page in a browser."""

from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import build as run_build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.publish import search
from sitegen.report import ListReporter
from tests.conftest import ROOT, SITES
from tests.test_site_quality import MEASURE

MINIMAL = SITES["minimal"]
NOTICE = "lanting/notices/2026-11-20-water.html"


def build(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *extra])


def bundle(out: Path) -> dict[str, bytes]:
    root = out / search.BUNDLE
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fragments(out: Path) -> dict[str, dict[str, str]]:
    """Each indexed page as the index holds it, by its address."""
    found = {}
    for path in (out / search.BUNDLE).glob("*/p/*.json"):
        data = json.loads(path.read_bytes())
        found[data["url"]] = data
    return found


def indexed_text(out: Path) -> str:
    """Everything the index holds of the pages, as text."""
    return "\n".join(f"{page['title']}\n{page['text']}" for _url, page in sorted(fragments(out).items()))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "content")
    return tmp_path / "content"


def test_website_pages_mark_their_main_content_and_sheets_are_left_out(built_site: Path) -> None:
    marked = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html") if search.MARK in p.read_bytes()}
    assert "index.html" in marked and any(p.endswith("/notices/archive.html") for p in marked)
    # Printed sheets, the 404 page and the search page itself are not search results.
    assert not [p for p in marked if "/print/" in p and not p.endswith("print/index.html")]
    assert "404.html" not in marked and "search.html" not in marked
    # Nor the contact page of each service (its neighborhood's page lists the same service).
    assert not [p for p in marked if "/contact/" in p]
    assert any("/contact/" in p.as_posix() for p in built_site.rglob("*.html"))
    home = (built_site / "index.html").read_text(encoding="utf-8")
    main_part = home.split("<main", 1)[1].split("</main>", 1)[0]
    assert "data-search-body" in main_part.split(">", 1)[0]  # on <main>: not the header or the footer
    assert sorted(fragments(built_site)) == sorted(marked)  # every page marked, and only those


def test_the_index_holds_main_content_but_not_the_footer_or_sheets(built_site: Path) -> None:
    pages = fragments(built_site)
    assert not [url for url in pages if "/print/" in url and not url.endswith("print/index.html")]
    assert "search.html" not in pages and "404.html" not in pages
    text = indexed_text(built_site)
    assert "信息更新至" not in text  # the footer of every page
    assert "信息更新至" in (built_site / "index.html").read_text(encoding="utf-8")
    notices = [
        page for url, page in pages.items() if "/notices/" in url and not url.endswith(("index.html", "archive.html"))
    ]
    assert notices and all(page["title"] and page["date"] for page in notices)
    assert all(not page["text"].startswith(page["title"] + "\n") for page in notices)  # the title is apart


def test_chinese_words_inside_sentences_are_indexed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(SITES["example"], out) == 0
    assert sorted(p.name for p in (out / search.BUNDLE).iterdir() if p.is_dir()) == ["en", "zh-cn"]
    meta = json.loads((out / search.BUNDLE / "zh-cn" / "meta.json").read_bytes())
    words = json.loads(
        (out / search.BUNDLE / "zh-cn" / "w" / f"{search.bucket('火器', meta['buckets'])}.json").read_bytes()
    )
    holding = {words["火器"][at : at + search.KEY] for at in range(0, len(words["火器"]), search.RECORD)}
    urls = {
        json.loads(p.read_bytes())["url"]
        for k in holding
        for p in (out / search.BUNDLE / "zh-cn" / "p").glob(f"{k}.json")
    }
    assert urls and all("灭火器" in (out / url).read_text(encoding="utf-8") for url in urls)


def page_html(title: str, text: str, *, lang: str = "zh-CN", low: bool = False, day: str = "") -> str:
    dated = f'<p data-search-ignore><time datetime="{day}" data-search-date>{day}</time></p>' if day else ""
    marked = "<p data-search-ignore data-search-low>旧</p>" if low else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{title} · 站</title></head><body><header><h1>站</h1></header>'
        f"<main data-search-body>{marked}<h1>{title}</h1>{dated}<p>{text}</p>"
        "<nav data-search-ignore>导航</nav></main><footer>页脚</footer></body></html>"
    )


def test_a_page_is_read_as_the_search_page_needs_it() -> None:
    html = page_html("楼道清理通知", "周六上午清理楼道杂物，请配合。<br>电话 139 0000 0001", low=True, day="2026-11-21")
    page = search.read_page("a/b.html", html.encode())
    assert (page.lang, page.title, page.date, page.low, page.order) == (
        "zh-cn",
        "楼道清理通知",
        "2026-11-21",
        True,
        "2026-11-21",
    )
    assert page.text == "周六上午清理楼道杂物，请配合。\n电话 139 0000 0001"
    assert "导航" not in page.text and "页脚" not in page.text and "旧" not in page.text
    records = page.records("abcdefgh")
    assert {"楼", "楼道", "道清", "139", "0001"} <= set(records) and "站" not in records
    assert all(len(r) == search.RECORD and r.startswith("abcdefgh") for r in records.values())
    # Words of the title weigh more than words only in the text; the record carries the date.
    assert records["楼道"][search.KEY] > records["杂物"][search.KEY]
    assert records["楼道"][search.KEY + 1 :] == records["杂物"][search.KEY + 1 :] != "000"
    # Full-width letters and digits are the plain ones; letters are in lower case; traditional
    # characters are themselves.
    assert list(search.words("ＡＢＣ１２ 電話")) == ["abc12", "電", "話", "電話"]
    assert search.read_page("x.html", page_html("T", "x", lang="en").encode()).lang == "en"


def test_page_keys_are_those_of_the_set_of_pages() -> None:
    pages = [f"n{i}/notices/{i}.html" for i in range(3000)]
    keys = search.page_keys(pages)
    assert len(set(keys.values())) == len(pages)
    assert all(re.fullmatch(f"[{search.KEY_ALPHABET}]{{{search.KEY}}}", key) for key in keys.values())
    assert search.page_keys(reversed(pages)) == keys
    assert search.page_keys(pages[:10])["n5/notices/5.html"] == keys["n5/notices/5.html"]


# --- the index changed page by page is the index made whole ---------------------------------------------

TEXTS = ["停水通知", "電梯維修", "消防演练", "Water cut", "垃圾分类", "锦华名苑", "𠀋𡈽字", "ＡＢＣ１２３", "楼道", "x"]
edits = st.lists(
    st.tuples(
        st.sampled_from(["write", "remove"]),
        st.integers(0, 14),
        st.lists(st.sampled_from(TEXTS), min_size=0, max_size=6),
        st.booleans(),
        st.sampled_from(["zh-CN", "en", "zh-TW"]),
    ),
    min_size=1,
    max_size=12,
)


def _apply(root: Path, pages: dict[str, str], edit: tuple[str, int, list[str], bool, str]) -> str:
    what, number, chosen, low, lang = edit
    name = f"p{number % 5}/{number}.html"
    if what == "remove":
        pages.pop(name, None)
        (root / name).unlink(missing_ok=True)
    else:
        pages[name] = page_html(
            " ".join(chosen[:2]) or "无题", "，".join(chosen), lang=lang, low=low, day="2026-01-0" + str(1 + number % 9)
        )
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(pages[name], encoding="utf-8")
    return name


@settings(max_examples=60, deadline=None)
@given(first=edits, then=st.lists(edits, min_size=1, max_size=4))
def test_an_index_changed_page_by_page_is_the_whole_index_of_the_same_pages(
    tmp_path_factory: pytest.TempPathFactory, first: list[Any], then: list[list[Any]]
) -> None:
    """Builds that each change some pages (written, removed, in other languages, dated or not)
    leave the index a whole build makes of the pages in the end, byte for byte."""
    root = tmp_path_factory.mktemp("site")
    pages: dict[str, str] = {}
    for edit in first:
        _apply(root, pages, edit)
    search.index_site(root, sorted(pages))
    for batch in then:
        before = sorted(pages)
        changed = [_apply(root, pages, edit) for edit in batch]
        search.index_site(root, sorted(pages), changed, before)
    again = tmp_path_factory.mktemp("whole")
    for name, html in pages.items():
        (again / name).parent.mkdir(parents=True, exist_ok=True)
        (again / name).write_text(html, encoding="utf-8")
    search.index_site(again, sorted(pages))
    assert bundle(root) == bundle(again)


def test_many_pages_changed_make_the_index_whole_and_a_page_the_index_holds_alone(tmp_path: Path) -> None:
    random.seed(7)
    names = [f"n{i}/index.html" for i in range(40)]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(page_html(name, " ".join(random.sample(TEXTS, 4))), encoding="utf-8")
    whole = search.index_site(tmp_path, names)
    assert whole is not None and whole.touched is None and whole.read == 40
    (tmp_path / names[3]).write_text(page_html("新标题", "新的内容"), encoding="utf-8")
    one = search.index_site(tmp_path, names, [names[3], "n5/print/index.html"], names)
    assert one is not None and one.read == 1 and one.touched
    assert all(path.startswith("search/zh-cn/") for path in one.touched) and len(one.touched) < 40
    assert search.index_site(tmp_path, names, ["n5/print/index.html"], names) is None  # not indexed: nothing
    many = search.index_site(tmp_path, names, names[:20], names)
    assert many is not None and many.touched is None  # half the pages: made whole, it is faster


INDEX_IN_PARTS = """
import sys
from pathlib import Path
from sitegen import workers
from sitegen.publish import search
run_forked = workers.run_forked
def spy(tasks, *args):
    print("forked", tasks)
    run_forked(tasks, *args)
workers.run_forked = spy
root = Path(sys.argv[1])
search.index_site(root, search.indexed_pages(root))
"""


def test_a_whole_index_made_on_every_core_is_the_one_made_in_one_process(tmp_path: Path) -> None:
    random.seed(11)
    pages = [f"n{i % 13}/notices/{i}.html" for i in range(120)]
    for number, name in enumerate(pages):
        chosen = random.sample(TEXTS, 5)
        html = page_html(chosen[0], "，".join(chosen), lang=random.choice(["zh-CN", "en"]), low=number % 3 == 0)
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(html, encoding="utf-8")
    made = {}
    for jobs in ("1", "2"):
        # In a process of its own, which runs no other thread and may fork; SITEGEN_JOBS set,
        # workers are forked however few the pages.
        done = subprocess.run(
            [sys.executable, "-c", INDEX_IN_PARTS, str(tmp_path)],
            env={**os.environ, "SITEGEN_JOBS": jobs},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.split() == (["forked", "8"] if jobs == "2" else []), done.stdout + done.stderr
        made[jobs] = bundle(tmp_path)
    assert made["1"] == made["2"] and len([name for name in made["1"] if "/p/" in name]) == len(pages)


# --- in a build -------------------------------------------------------------------------------------------


def test_index_survives_incremental_builds_and_follows_edits(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    first = bundle(out)
    assert search.STAMP in first and "zh-cn/meta.json" in first

    reporter = ListReporter()
    result = run_build(load_config(str(site), str(out)), reporter)
    assert result.rendered == 0 and bundle(out) == first  # a no-op build leaves the index alone

    notice = site / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n请带好水桶到南门取水。\n", encoding="utf-8")
    assert build(site, out) == 0
    second = bundle(out)
    assert second != first and "南门取水" in indexed_text(out)
    changed = {name for name in second if first.get(name) != second[name]}
    assert changed and len(changed) < len(second) // 4  # some word files and the page's own
    assert not list(out.glob(".search*")) and not list(tmp_path.glob(".out.*"))  # no leftovers

    clean = tmp_path / "clean"
    assert build(site, clean) == 0
    assert bundle(clean) == second  # the incremental index is the clean build's, byte for byte


def test_an_edit_reads_only_the_pages_it_changed(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An incremental build knows which pages hold indexed content from the last build and the pages
    it made: it reads no other page, and the index is the clean build's after pages come and go."""
    out = tmp_path / "out"
    assert build(site, out) == 0
    looked: list[str] = []
    read_page = search.read_page

    def spy(url: str, html: bytes) -> search.Page:
        looked.append(url)
        return read_page(url, html)

    monkeypatch.setattr(search, "indexed_pages", lambda root: pytest.fail("every page read"))
    monkeypatch.setattr(search, "read_page", spy)
    notices = site / "neighborhoods" / "lanting" / "notices"
    (notices / "2026-11-21-meeting.md").write_text(
        "---\ntitle: 楼道清理通知\ndate: 2026-11-21\n---\n周六上午清理楼道杂物，请配合。\n", encoding="utf-8"
    )
    assert build(site, out) == 0
    assert "楼道杂物" in indexed_text(out)
    assert "lanting/notices/2026-11-21-meeting.html" in looked and len(looked) < 12, looked
    for path in notices.glob("2026-11-20-water*.md"):
        path.unlink()
    assert build(site, out) == 0
    assert "停水" not in indexed_text(out)
    monkeypatch.undo()
    clean = tmp_path / "clean"
    assert build(site, clean) == 0
    assert bundle(out) == bundle(clean)


def test_only_changed_pages_change_the_index(tmp_path: Path) -> None:
    site = tmp_path / "content"
    shutil.copytree(SITES["example"], site)
    out = tmp_path / "out"
    config = load_config(str(site), str(out))
    reporter = ListReporter()
    run_build(config, reporter)
    assert any("indexed the pages for search" in m for m in reporter.messages)
    stamp = (out / search.BUNDLE / search.STAMP).stat().st_mtime_ns
    before = bundle(out)
    # A file the pages do not show: the neighborhood's pages are rendered again, to the same bytes.
    (site / "neighborhoods" / "lanting-huayuan" / "unrelated.txt").write_text("x", encoding="utf-8")
    reporter = ListReporter()
    assert run_build(config, reporter).rendered > 0
    assert not any("indexed" in m for m in reporter.messages)
    assert (out / search.BUNDLE / search.STAMP).stat().st_mtime_ns == stamp and bundle(out) == before


def test_an_index_of_an_earlier_version_is_made_again_and_pagefind_s_removed(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    first = bundle(out)
    (out / search.BUNDLE / search.STAMP).write_text("format 0\n", encoding="utf-8")
    (out / "pagefind").mkdir()
    (out / "pagefind" / "pagefind.js").write_text("old", encoding="utf-8")
    notice = site / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n南门取水。\n", encoding="utf-8")
    assert build(site, out) == 0
    assert not (out / "pagefind").exists() and bundle(out) != first and "南门取水" in indexed_text(out)
    clean = tmp_path / "clean"
    assert build(site, clean) == 0
    assert bundle(out) == bundle(clean)


def _full_disk(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failing_index_leaves_the_previous_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(search, "_write_new", _full_disk)
    capsys.readouterr()
    assert build(site, out, "--clean") == 1  # a whole build is staged: nothing changes
    said = capsys.readouterr().err
    assert "Traceback" not in said and "internal error" not in said
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_an_index_that_failed_to_update_is_made_by_the_next_build(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    notice = site / "neighborhoods" / "lanting" / "notices" / "2026-11-20-water.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n南门取水。\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with monkeypatch.context() as patch:
        patch.setattr(search, "_replace", _full_disk)
        assert build(site, out) == 1
    # An incremental build is all or nothing: the pages and the index stay as they were.
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert build(site, out) == 0
    assert (out / search.BUNDLE / search.STAMP).is_file() and "南门取水" in indexed_text(out)
    clean = tmp_path / "clean"
    assert build(site, clean) == 0
    assert bundle(out) == bundle(clean)


def test_search_false_gives_no_search_page_link_or_index(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + "search: false\n", "utf-8")
    assert build(site, out) == 0
    assert not (out / "search.html").exists() and not (out / search.BUNDLE).exists()
    assert "search.html" not in (out / "index.html").read_text(encoding="utf-8")
    assert "data-search-body" in (out / "index.html").read_text(encoding="utf-8")


def test_the_preview_server_does_not_index(site: Path, tmp_path: Path) -> None:
    from sitegen.preview.serve import Preview

    preview = Preview(load_config(str(site), str(tmp_path / "out")), ListReporter())
    try:
        preview.rebuild()
        assert (preview.site / "search.html").is_file() and not (preview.site / search.BUNDLE).exists()
    finally:
        preview.close()


# --- in a browser -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_for_hosting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built once into <root>/some/sub/path."""
    root = tmp_path_factory.mktemp("host")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1795348800")
        assert build(SITES["example"], root / "some" / "sub" / "path") == 0
    return root


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A plain web server for ``folder``; yields its address."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def hosted(built_for_hosting: Path) -> Iterator[str]:
    """The example site served by a plain web server under a sub-path, /some/sub/path/."""
    with serving(built_for_hosting) as address:
        yield address + "some/sub/path/"


@pytest.fixture(scope="module", params=["sub-path", "root"])
def anywhere(request: pytest.FixtureRequest, built_for_hosting: Path) -> Iterator[str]:
    """The example site served under a sub-path and at a server's root."""
    if request.param == "sub-path":
        with serving(built_for_hosting) as address:
            yield address + "some/sub/path/"
    else:
        with serving(built_for_hosting / "some" / "sub" / "path") as address:
            yield address


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _search(page: Any, query: str) -> list[str]:
    page.wait_for_selector("#search-status", state="attached")  # after a click, the search page may still load
    page.evaluate("() => { document.getElementById('search-status').textContent = ''; }")
    page.fill("#search-query", query)
    page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
    return [a.get_attribute("href") for a in page.query_selector_all("#search-results li > a")]


def _results(page: Any, query: str) -> list[dict[str, str]]:
    """Each result of ``query``: its link, the line with its dates (and mark) and its excerpt."""
    _search(page, query)
    return page.eval_on_selector_all(
        "#search-results li",
        """items => items.map(li => ({
            href: li.querySelector('a').getAttribute('href'),
            title: li.querySelector('a').textContent,
            meta: li.querySelector('.result-meta')?.textContent ?? '',
            excerpt: li.querySelector('.result-excerpt').textContent,
        }))""",
    )


@pytest.mark.browser
def test_a_chinese_query_finds_the_right_page_from_a_sub_path(hosted: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(hosted + "index.html")
    page.click(".search-link")
    assert page.url == hosted + "search.html"
    links = _search(page, "消防救援站")
    assert links and links[0] == hosted + "fengqi-jiayuan/notices/2026-11-18-fire-evacuation-drill.html"
    assert "消防疏散演练" in page.inner_text("#search-results li")
    assert _search(page, "锦华名苑")[0] == hosted + "jinhua-mingyuan/index.html"
    assert _search(page, "zqxjw") == [] and "没有找到" in page.inner_text("#search-status")
    # The query is kept in the address, so a search can be shared and reloaded.
    page.goto(hosted + "search.html?q=" + "停电")
    page.wait_for_selector("#search-results li")
    assert any("power-outage" in (a.get_attribute("href") or "") for a in page.query_selector_all("#search-results a"))
    context.close()
    assert all(url.startswith(hosted) for url in asked)  # nothing from anywhere else


@pytest.mark.browser
def test_search_results_are_accessible_and_phone_sized(hosted: str, browser: Any, axe_source: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(hosted + "search.html?q=停水")
    page.wait_for_selector("#search-results li")
    assert page.evaluate(MEASURE) == []
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('#search-results p, #search-results a, .search-form input')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 18
    context.close()


@pytest.mark.browser
def test_without_javascript_no_search_is_offered(hosted: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(hosted + "index.html")
    assert not page.is_visible(".search-link")
    page.goto(hosted + "search.html")
    assert not page.is_visible(".search-form")
    assert "需要浏览器允许运行脚本" in page.inner_text("main")
    context.close()


@pytest.mark.browser
def test_opened_from_disk_the_search_page_explains_itself(tmp_path: Path, browser: Any) -> None:
    out = tmp_path / "out"
    assert build(MINIMAL, out) == 0
    page = browser.new_page()
    page.goto((out / "search.html").as_uri() + "?q=停水")
    page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
    assert "直接打开网页时不能搜索" in page.inner_text("#search-status")
    page.close()


def test_the_search_script_loads_only_from_the_site() -> None:
    script = (ROOT / "themes" / "default" / "static" / "search.js").read_text(encoding="utf-8")
    assert "://" not in script and 'form.getAttribute("data-index")' in script and "location.href" in script
    # The index is the one at the site's root, from every edition (en/search.html asks ../search/en/).
    page = (ROOT / "themes" / "default" / "templates" / "search.html").read_text(encoding="utf-8")
    assert "data-index=\"{{ url('search/') }}\"" in page


EXPIRED_NOTICE = "jinhua-mingyuan/notices/2026-09-08-water-tank-cleaning.html"
CURRENT_NOTICE = "jixiechang-jiashuyuan/notices/2026-11-20-water-outage-buildings-3-4.html"


@pytest.mark.browser
def test_current_notices_come_before_expired_ones_and_lists_last(hosted: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(hosted + "search.html")
    results = _results(page, "停水")
    page.close()
    links = [r["href"].removeprefix(hosted) for r in results]
    assert links[0] == CURRENT_NOTICE  # the current water cut, although the expired one says 停水 in its title too
    expired = links.index(EXPIRED_NOTICE)
    lists = [i for i, link in enumerate(links) if link.endswith(("archive.html", "notices/index.html"))]
    assert lists and min(lists) > expired  # the lists of notices after the notices they list
    # The expired notice says so, with its dates; current ones show their dates unmarked.
    assert results[expired]["meta"].startswith("已过期") and "2026年9月8日" in results[expired]["meta"]
    assert "有效期至2026年9月10日" in results[expired]["meta"]
    assert not results[0]["meta"].startswith("已过期") and "2026年11月20日" in results[0]["meta"]
    assert all(not r["meta"].startswith("已过期") for r in results[:expired])
    # Excerpts do not repeat the title and start at a sentence or clause, not inside a word.
    for result in results:
        assert not result["excerpt"].startswith(result["title"][:6]), result
    assert results[0]["excerpt"].startswith("3号楼、4号楼停水")
    assert results[expired]["excerpt"].startswith("1–7号楼停水")


@pytest.mark.browser
def test_expired_notices_come_newest_first(hosted: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(hosted + "search.html")
    results = _results(page, "纪要")
    page.close()
    marked = [r for r in results if r["meta"].startswith("已过期")]
    assert [r["href"].removeprefix(hosted) for r in marked] == [
        "qingyuan-xiaoqu/notices/2026-11-02-october-council-minutes.html",
        "jixiechang-jiashuyuan/notices/2026-10-12-council-minutes-elevator-survey.html",
    ]
    first_marked = results.index(marked[0])
    assert all(r["meta"].startswith("已过期") for r in results[first_marked : first_marked + len(marked)])
    dates = [re.search(r"(\d{4})年(\d+)月(\d+)日", r["meta"]).groups() for r in marked]  # type: ignore[union-attr]
    assert [tuple(map(int, d)) for d in dates] == sorted((tuple(map(int, d)) for d in dates), reverse=True)


@pytest.mark.browser
def test_english_search_works_at_the_root_and_under_a_sub_path(anywhere: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(anywhere + "en/index.html")
    page.click(".search-link")
    assert page.url == anywhere + "en/search.html"
    results = _results(page, "power cut")
    assert results[0]["href"] == anywhere + "en/jinhua-mingyuan/notices/2026-11-19-power-outage-buildings-8-12.html"
    assert results[0]["title"] == "Planned power cut in buildings 8 to 12 on Tuesday 24 November"
    assert "November 19, 2026" in results[0]["meta"] and "valid until November 24, 2026" in results[0]["meta"]
    assert not results[0]["excerpt"].startswith("Planned power cut")
    assert "pages found" in page.inner_text("#search-status")
    # An expired notice is marked in English too, after the current ones; results stay in the edition.
    results = _results(page, "fire")
    links = [r["href"].removeprefix(anywhere) for r in results]
    expired = links.index("en/notices/2026-10-09-fire-safety-inspection.html")
    assert results[expired]["meta"] == "Expired October 9, 2026 · valid until October 31, 2026"
    assert expired > 0 and not any(r["meta"].startswith("Expired") for r in results[:expired])
    assert all(link.startswith("en/") for link in links)
    context.close()
    assert all(url.startswith(anywhere) for url in asked)
    assert any(url == anywhere + "search/en/meta.json" for url in asked)  # the index at the site's root


@pytest.mark.browser
def test_phone_numbers_in_excerpts_can_be_tapped(hosted: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(hosted + "search.html")
    _search(page, "2701")
    tels = page.eval_on_selector_all(
        "#search-results .result-excerpt a[href^='tel:']",
        "links => links.map(a => [a.getAttribute('href'), a.textContent, a.getClientRects().length])",
    )
    page.close()
    assert ["tel:02900002701", "029-0000 2701", 1] in tels  # whole, on one line


# Words the page and the browser must cut alike: traditional and rare characters (outside the
# Basic Multilingual Plane too), full-width letters and digits, capitals, words among others.
ODD_WORDS = ["臺灣電視", "𠀋𡈽字典", "ＡＢＣ１２３", "Ürümqi", "MiXeD", "a1b2c3", "龘靐齉", "x", "電", "0299"]


@pytest.mark.browser
def test_the_browser_cuts_queries_as_the_index_cut_the_pages(
    built_for_hosting: Path, tmp_path: Path, browser: Any
) -> None:
    site = built_for_hosting / "some" / "sub" / "path"
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(site / "search.html", root / "search.html")
    shutil.copytree(site / "assets", root / "assets")
    pages = []
    for number, word in enumerate(ODD_WORDS):
        name = f"odd/{number}.html"
        filler = "，".join(w for w in ODD_WORDS if w != word and word not in w and w not in word)[:12]
        (root / "odd").mkdir(exist_ok=True)
        (root / name).write_text(page_html(f"第{number}页", f"前文{word}后文 {filler}"), encoding="utf-8")
        pages.append(name)
    search.index_site(root, pages)
    page = browser.new_page()
    with serving(root) as address:
        page.goto(address + "search.html")
        for number, word in enumerate(ODD_WORDS):
            other = {"ＡＢＣ１２３": "abc123", "Ürümqi": "ÜRÜMQI", "MiXeD": "mixed"}.get(word, word)
            for asked in {word, other}:
                links = _search(page, asked)
                assert address + f"odd/{number}.html" in links, (word, asked, links)
            # The start of a word finds it too (not a lone Chinese character, which is a word).
            if not search._CHINESE.match(word) and len(word) > 2:
                assert address + f"odd/{number}.html" in _search(page, other[:2]), word
    page.close()
