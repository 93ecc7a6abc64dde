"""The pipeline, top to bottom: read, validate, plan, render, write."""

from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen import exports, printables, routes
from sitegen.config import SiteConfig
from sitegen.digest import FileDigests
from sitegen.errors import BuildAborted, ContentError, SitegenError, has_errors
from sitegen.load import Documents, load_documents
from sitegen.model import Site
from sitegen.parallel import render_into
from sitegen.parse import Node
from sitegen.pdf import find_chromium, print_sheets
from sitegen.qr import QrCache
from sitegen.render import make_env
from sitegen.report import Reporter, Stopwatch
from sitegen.schema import parse_date
from sitegen.state import BuildState, Digests, context_key, digests, inputs_signature
from sitegen.validate import validate_site
from sitegen.write import (
    apply_changes,
    check_output_dir,
    copy_static,
    output_intact,
    staging,
    static_hashes,
)

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))


@dataclass
class CheckResult:
    site: Site | None
    problems: list[ContentError] = field(default_factory=list)


@dataclass
class BuildResult:
    pages: int
    problems: list[ContentError]
    rendered: int = 0


def _dates_in(node: Node | None, found: list[dt.date]) -> None:
    if node is None:
        return
    for key, entry in node.entries.items():
        if key in ("date", "verified_on") and entry.value.kind == "scalar":
            date = parse_date(entry.value.text)
            if date:
                found.append(date)
        _dates_in(entry.value, found)
    for item in node.items:
        _dates_in(item, found)


def _git_date(content_dir: Path) -> dt.date | None:
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=content_dir,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = done.stdout.strip()
    if done.returncode or not stamp.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(stamp), CHINA_TIME).date()


def date_from_environment(content_dir: Path) -> dt.date | None:
    """The build date from ``SOURCE_DATE_EPOCH``, else from the last git commit of the content; or None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise SitegenError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), CHINA_TIME).date()
    return _git_date(content_dir)


def latest_content_date(documents: Documents) -> dt.date:
    """The latest ``date`` or ``verified_on`` written in the content."""
    found: list[dt.date] = []
    for doc in [documents.site, *documents.notices]:
        _dates_in(doc.root if doc else None, found)
    for files in documents.neighborhoods:
        was_parsed = files.parsed
        files.parse()
        for doc in [files.document, *files.notices]:
            _dates_in(doc.root if doc else None, found)
        if not was_parsed:
            files.forget()
            files.parsed = False
    return max(found, default=dt.date(2000, 1, 1))


def build_date(documents: Documents) -> dt.date:
    """The date the site is built "as of", never the clock, so builds are reproducible.

    In order: ``SOURCE_DATE_EPOCH``; the date of the last git commit touching the content; the
    latest ``date`` or ``verified_on`` written in the content.
    """
    return date_from_environment(documents.content_dir) or latest_content_date(documents)


def _base_url_warning(documents: Documents, site: Site | None, config: SiteConfig) -> list[ContentError]:
    if site is None or config.base_url or site.base_url or documents.site is None:
        return []
    return [
        documents.site.problem(
            1,
            1,
            "no `base_url`, so the print sheets get no QR codes linking to the website "
            "(name cards, notice boards, service and building sheets, grid overview); "
            "service codes fall back to dialling the number, and no sitemaps are written",
            "add `base_url: https://…` (the address the site is published at) to site.yaml, or use --base-url",
            "warning",
        )
    ]


@contextmanager
def few_collections() -> Iterator[None]:
    """Pause the cycle collector while content is read and checked.

    Reading makes millions of small objects and no reference cycles; the collector, woken again and
    again by them, would walk all of them each time (for a district, most of the time spent).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check(config: SiteConfig, reporter: Reporter) -> CheckResult:
    """Read and validate the content; report every problem; write nothing."""
    if not config.content_dir.is_dir():
        raise SitegenError(f"the content directory {config.content_dir} does not exist")
    with few_collections():
        documents = load_documents(config.content_dir, config.display_root)
        site, problems = validate_site(documents, build_date(documents))
    problems += _base_url_warning(documents, site, config)
    reporter.problems(problems)
    return CheckResult(site, problems)


def _settings(config: SiteConfig) -> tuple[object, ...]:
    return (config.base_url, config.pdf, tuple(str(d.resolve()) for d in config.theme_dirs))


def _checked(config: SiteConfig, state: BuildState, reporter: Reporter) -> tuple[Site, Documents, list[ContentError]]:
    """Load and validate, reusing the neighborhoods the state knows; raise BuildAborted on errors."""
    if not config.content_dir.is_dir():
        raise SitegenError(f"the content directory {config.content_dir} does not exist")
    known_date = date_from_environment(config.content_dir)
    # Without a known date, the date comes from all the content: cached neighborhoods cannot stand.
    key = context_key(config.content_dir, known_date, _settings(config)) if known_date else ""
    files = FileDigests(state.files)
    with few_collections():
        documents = load_documents(config.content_dir, config.display_root, files)
        state.files = files.keep()
        today = known_date or latest_content_date(documents)
        site, problems = validate_site(documents, today, state.neighborhoods, key)
    present = {files.slug for files in documents.neighborhoods}
    for slug in [s for s in state.neighborhoods if s not in present]:
        del state.neighborhoods[slug]
    problems += _base_url_warning(documents, site, config)
    documents.forget_text()  # the model holds what pages need; the parsed files are big
    reporter.problems(problems)
    if site is None or has_errors(problems, strict=config.strict):
        raise BuildAborted(problems)
    return site, documents, problems


def build(config: SiteConfig, reporter: Reporter, state: BuildState | None = None, clean: bool = False) -> BuildResult:
    """Build the site into ``config.output_dir``, or change nothing if anything fails.

    Only what changed since the last build is rendered again: the state of the last build comes
    from ``state`` (the preview server keeps it in memory) or from the cache directory.
    """
    protected = [("content", config.content_dir), *(("theme", d) for d in config.theme_dirs)]
    check_output_dir(config.output_dir, protected)
    if config.pdf:
        find_chromium()  # before any work: without a browser there is nothing to print with
    keep = state is None
    if clean:
        state = BuildState(str(config.output_dir.resolve()))
    state = state or BuildState.load(config.cache_dir, config.output_dir)
    clock = Stopwatch(reporter)
    environment = (os.environ.get("SOURCE_DATE_EPOCH", ""), _git_date(config.content_dir))
    signature = inputs_signature(config.content_dir, config.theme_dirs, (_settings(config), environment))
    if signature == state.inputs and output_intact(config.output_dir, state.manifest):
        reporter.problems(state.problems)
        reporter.info(f"nothing changed; {config.output_dir} is up to date")
        return BuildResult(0, state.problems, 0)
    site, documents, problems = _checked(config, state, reporter)
    clock.lap(f"checked {len(documents.neighborhoods)} neighborhoods")
    base_url = (config.base_url or site.base_url).rstrip("/")
    codes = QrCache(config.cache_dir / "qr" if config.cache_dir else None)
    outputs = [*routes.plan_outputs(site), *printables.plan_print_outputs(site, base_url, codes)]
    outputs += exports.plan_exports(site, base_url, outputs)
    routes.check_unique(outputs)
    env = make_env(config.theme_dirs, config.cache_dir / "templates" if config.cache_dir else None)
    sums = digests(documents, config.theme_dirs, (_settings(config), site.today))
    manifest = plan_manifest(outputs, sums, config)
    changed = [o for o in outputs if state.manifest.get(o.dest) != manifest[o.dest]]
    incremental = output_intact(config.output_dir, state.manifest) and len(changed) <= len(outputs) // 2
    clock.lap(f"planned {len(outputs)} pages, {len(changed)} to render")

    def render(output: routes.Output) -> bytes:
        return render_output(env, output, site, base_url, assets, config.pdf)

    if incremental:
        assets = static_hashes(config.theme_dirs)
        files = {o.dest: render(o) for o in changed}
        written = apply_changes(config.output_dir, files, manifest, state.manifest, config.theme_dirs)
        clock.lap(f"rendered and wrote {written} files")
        if config.pdf:
            _print(config.output_dir, changed, site, reporter)
    else:
        with staging(config.output_dir) as stage:
            assets = copy_static(config.theme_dirs, stage)
            render_into(outputs, render, stage, codes)
            clock.lap(f"rendered and wrote {len(outputs)} pages")
            if config.pdf:
                _print(stage, outputs, site, reporter)
    state.inputs, state.manifest, state.problems = signature, manifest, problems
    codes.save()
    if keep:
        state.save(config.cache_dir)
    reporter.info(f"built {len(outputs)} pages into {config.output_dir} ({len(changed)} rendered)")
    return BuildResult(len(outputs), problems, len(changed))


def _print(root: Path, outputs: list[routes.Output], site: Site, reporter: Reporter) -> None:
    jobs = printables.pdf_jobs(outputs)
    if jobs:
        reporter.info(f"printing {len(jobs)} PDFs with headless Chromium …")
        print_sheets(root, jobs, site.today)


def plan_manifest(outputs: list[routes.Output], sums: Digests, config: SiteConfig) -> dict[str, str]:
    """The fingerprint of every file the build writes (pages and other files, and PDFs of sheets)."""
    manifest = {o.dest: sums.fingerprint(o.template, o.sources) for o in outputs}
    if config.pdf:
        for html, pdf in printables.pdf_jobs(outputs):
            manifest[pdf] = manifest[html]
    return manifest


def render_output(
    env: jinja2.Environment,
    output: routes.Output,
    site: Site,
    base_url: str,
    assets: dict[str, str],
    pdf: bool = False,
) -> bytes:
    """Render one page to bytes; template mistakes become SitegenErrors naming the template line."""
    if output.make is not None:
        return output.make()
    try:
        template = env.get_template(output.template)
        html = template.render(site=site, page=output, base_url=base_url, assets=assets, pdf=pdf, **output.values())
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(f"{exc.filename}:{exc.lineno}: template error: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise SitegenError(f"while rendering {output.dest} with {output.template}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise SitegenError(f"the theme has no template {exc.name!r}") from exc
    return html.encode("utf-8")
