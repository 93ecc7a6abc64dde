"""How well the site's own search page ranks pages, next to Pagefind indexing the same pages.

    python benchmarks/search_quality.py OUTPUT [--queries N] [--lang zh|en|all] [--json FILE]

OUTPUT is a built site. Every indexed page (an element with ``data-search-body`` or
``data-pagefind-body``) gives its title (its first ``h1`` there, without ignored text) as a query.
Each query is asked of Pagefind (a fresh index of a copy of OUTPUT, through its JS API) and of the
site's ``search.html?q=…`` in headless Chromium. A title shared by several pages asks for the first
of them by path ("exact page"); "same title" counts any of them. Pagefind ranks by its own
measures only (the site's search page also puts expired notices and lists of notices last).

Needs Pagefind, which sitegen does not: ``pip install 'pagefind[extended]'``; and Chromium at
/usr/bin/chromium with Playwright for Python.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from pagefind.service import get_executable
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

MARKS = ("data-search-body", "data-pagefind-body")
IGNORES = ("data-search-ignore", "data-pagefind-ignore")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CHROMIUM_ARGS = "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
TOP = 3
Query = tuple[str, str]  # language, title
Pages = dict[str, Query]  # path below the site's root → its query
Counts = dict[str, int]
Answer = tuple[list[str], float | None]  # the search page's first paths, milliseconds until shown
PAGEFIND_JS = """async ({q, top}) => {
  window.__pf = window.__pf || import('/pagefind_ref/pagefind.js')
    .then(async (pf) => { await pf.options({baseUrl: '/'}); return pf; });
  const r = await (await window.__pf).search(q);
  return Promise.all(r.results.slice(0, top).map(async (x) => (await x.data()).url));
}"""
# Milliseconds since the navigation began, once the search page says what it found (false before).
SHOWN = "() => (document.getElementById('search-status')?.textContent || '').trim() !== '' && performance.now()"
SITE_RESULTS = """(top) => [...document.querySelectorAll('#search-results a.result-title')]
  .slice(0, top).map((a) => a.href)"""


class PageReader(HTMLParser):
    """Reads a page's ``<html lang>``, whether it marks content for the index, and the title there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.marked = False
        self.parts: list[str] = []
        self.title_done = False
        self.stack: list[tuple[str, bool, bool, bool]] = []  # tag, in body, ignored, in the title

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag in VOID:
            return
        body, ignored, title = self.stack[-1][1:] if self.stack else (False, False, False)
        body = body or bool(names & set(MARKS))
        self.marked = self.marked or body
        ignored = ignored or (body and bool(names & set(IGNORES)))
        title = title or (body and tag == "h1" and not self.title_done)
        self.stack.append((tag, body, ignored, title))

    def handle_endtag(self, tag: str) -> None:
        if not any(entry[0] == tag for entry in self.stack):
            return
        while self.stack:
            popped, _, _, title = self.stack.pop()
            if popped == tag:
                self.title_done = self.title_done or (title and tag == "h1")
                return

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][3] and not self.stack[-1][2]:
            self.parts.append(data)

    @property
    def title(self) -> str:
        """The title's text, whitespace collapsed."""
        return " ".join("".join(self.parts).split())


def language(lang: str) -> str:
    """The primary language subtag: ``zh-CN`` → ``zh``."""
    return lang.split("-")[0].lower()


def find_pages(root: Path) -> tuple[Pages, dict[str, str]]:
    """The indexed pages with a title (path → (language, title)), and each language's search page."""
    pages: Pages = {}
    search_pages: dict[str, str] = {}
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if path.name == "search.html" or any(mark.encode() in data for mark in MARKS):
            reader = PageReader()
            reader.feed(data.decode("utf-8", errors="replace"))
            reader.close()
            if reader.marked and reader.title:
                pages[rel] = (language(reader.lang), reader.title)
            if path.name == "search.html" and not reader.marked:
                search_pages.setdefault(language(reader.lang), rel)
    return pages, search_pages


def pick_queries(pages: Pages, count: int | None, lang: str) -> list[Query]:
    """The distinct (language, title) pairs, sorted, then ``count`` of them evenly spaced."""
    distinct = sorted({page for page in pages.values() if lang in ("all", page[0])})
    if count is None or count >= len(distinct):
        return distinct
    return [distinct[i * len(distinct) // count] for i in range(count)]


def site_path(url: str) -> str:
    """A result's address as a path below the site's root: ``/a/`` → ``a/index.html``."""
    path = unquote(urlparse(url).path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def reference_copy(output: Path, folder: Path) -> Path:
    """Copy the site, mark its indexed pages for Pagefind, and index them into ``pagefind_ref/``."""
    copy = folder / "site"
    shutil.copytree(output, copy)
    for page in copy.rglob("*.html"):
        data = page.read_bytes()
        if b"data-search-body" in data:
            data = data.replace(b"data-search-body", b"data-pagefind-body")
            page.write_bytes(data.replace(b"data-search-ignore", b"data-pagefind-ignore"))
    command = [str(get_executable()), "--site", str(copy), "--output-path", str(copy / "pagefind_ref"), "--silent"]
    subprocess.run(command, check=True)
    return copy


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 in a thread; yields the root address."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def ask_pagefind(page: Page, root: str, queries: list[Query], start: dict[str, str]) -> list[list[str]]:
    """Pagefind's first paths for each query, asked from an indexed page of the query's language."""
    found: list[list[str]] = []
    here = None
    for lang, title in queries:
        if here != lang:
            page.goto(root + quote(start[lang]))
            here = lang
        found.append([site_path(url) for url in page.evaluate(PAGEFIND_JS, {"q": title, "top": TOP})])
    return found


def ask_site(page: Page, root: str, queries: list[Query], search: dict[str, str]) -> list[Answer]:
    """The search page's first paths for each query, and milliseconds from navigation to results shown."""
    answers: list[Answer] = []
    for lang, title in queries:
        page.goto(root + quote(search[lang]) + "?q=" + quote(title, safe=""))
        try:
            shown = page.wait_for_function(SHOWN, timeout=10_000).json_value()
        except PlaywrightTimeout:
            answers.append(([], None))
            continue
        answers.append(([site_path(u) for u in page.evaluate(SITE_RESULTS, TOP)], shown))
    return answers


def score(queries: list[Query], results: list[list[str]], pages: Pages) -> Counts:
    """How many queries put the asked page first, a page of that title first, the page in the top 3, nothing."""
    first_with = {page: path for path, page in sorted(pages.items(), reverse=True)}  # the first path wins
    counts = {"exact page first": 0, "same title first": 0, f"asked page in top {TOP}": 0, "no result": 0}
    for query, paths in zip(queries, results, strict=True):
        asked = first_with[query]
        counts["exact page first"] += bool(paths) and paths[0] == asked
        counts["same title first"] += bool(paths) and pages.get(paths[0]) == query
        counts[f"asked page in top {TOP}"] += asked in paths
        counts["no result"] += not paths
    return counts


def share(count: int, total: int) -> str:
    """A count and its share of the total."""
    return f"{count} ({count / max(total, 1):.0%})"


def report(n: int, site: Counts, reference: Counts, times: list[float], disagree: list[dict[str, object]]) -> None:
    """Print the table for ``n`` queries, and the queries where the engines' first results differ."""
    print(f"| {n} queries | site | Pagefind |\n| --- | ---: | ---: |")
    for key in site:
        print(f"| {key} | {share(site[key], n)} | {share(reference[key], n)} |")
    if times:
        median, p90 = statistics.median(times), sorted(times)[math.ceil(0.9 * len(times)) - 1]  # nearest rank
        print(f"| results shown (median / p90) | {median:.0f} / {p90:.0f} ms | – |")
    print(f"| timed out (10 s) | {n - len(times)} | – |")
    print(f"\nFirst results differ for {len(disagree)} queries" + (":" if disagree else "."))
    for item in disagree[:10]:
        print(f"- [{item['lang']}] {item['query']}: site {item['site'] or '–'}, Pagefind {item['pagefind'] or '–'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a built site")
    parser.add_argument("--queries", type=int, default=None, help="at most this many queries (default: all)")
    parser.add_argument("--lang", choices=("zh", "en", "all"), default="all")
    parser.add_argument("--json", type=Path, help="also write the figures and every query's results here")
    args = parser.parse_args()
    began = time.perf_counter()
    pages, search_pages = find_pages(args.output)
    queries = [q for q in pick_queries(pages, args.queries, args.lang) if q[0] in search_pages]
    start = {lang: path for path, (lang, _) in reversed(pages.items())}  # each language's first page
    with tempfile.TemporaryDirectory(prefix="search-quality-") as folder:
        copy = reference_copy(args.output, Path(folder))
        with serving(copy) as root, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS.split())
            page = browser.new_page()
            reference_paths = ask_pagefind(page, root, queries, start)
            answers = ask_site(page, root, queries, search_pages)
            browser.close()
    site_paths = [paths for paths, _ in answers]
    site, reference = score(queries, site_paths, pages), score(queries, reference_paths, pages)
    times = [ms for _, ms in answers if ms is not None]
    rows: list[dict[str, object]] = [
        {"lang": lang, "query": title, "site": s[0] if s else None, "pagefind": r[0] if r else None}
        for (lang, title), s, r in zip(queries, site_paths, reference_paths, strict=True)
    ]
    disagree = [row for row in rows if row["site"] != row["pagefind"]]
    report(len(queries), site, reference, times, disagree)
    print(f"\n{len(pages)} indexed pages with a title; {time.perf_counter() - began:.0f} s in all")
    if args.json:
        for row, s, r, (_, ms) in zip(rows, site_paths, reference_paths, answers, strict=True):
            row.update(site_top=s, pagefind_top=r, ms=ms)
        figures = {"queries": len(queries), "site": site, "pagefind": reference, "ms": times, "results": rows}
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
