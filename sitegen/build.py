"""The pipeline, top to bottom: read, validate, plan, render, write."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen import printables, routes
from sitegen.config import SiteConfig
from sitegen.errors import BuildAborted, ContentError, SitegenError, has_errors
from sitegen.load import Documents, load_documents
from sitegen.model import Site
from sitegen.parse import Node
from sitegen.pdf import find_chromium, print_sheets
from sitegen.qr import QrCache
from sitegen.render import make_env
from sitegen.report import Reporter
from sitegen.schema import parse_date
from sitegen.validate import validate_site
from sitegen.write import check_output_dir, copy_static, staging, write_file

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))


@dataclass
class CheckResult:
    site: Site | None
    problems: list[ContentError] = field(default_factory=list)


@dataclass
class BuildResult:
    pages: int
    problems: list[ContentError]


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


def build_date(documents: Documents) -> dt.date:
    """The date the site is built "as of", never the clock, so builds are reproducible.

    In order: ``SOURCE_DATE_EPOCH``; the date of the last git commit touching the content; the
    latest ``date`` or ``verified_on`` written in the content.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise SitegenError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), CHINA_TIME).date()
    committed = _git_date(documents.content_dir)
    if committed:
        return committed
    found: list[dt.date] = []
    docs = [documents.site] + [f.document for f in documents.neighborhoods]
    docs += documents.notices + [n for f in documents.neighborhoods for n in f.notices]
    for doc in docs:
        _dates_in(doc.root if doc else None, found)
    return max(found, default=dt.date(2000, 1, 1))


def check(config: SiteConfig, reporter: Reporter) -> CheckResult:
    """Read and validate the content; report every problem; write nothing."""
    if not config.content_dir.is_dir():
        raise SitegenError(f"the content directory {config.content_dir} does not exist")
    documents = load_documents(config.content_dir, config.display_root)
    site, problems = validate_site(documents, build_date(documents))
    if site is not None and not (config.base_url or site.base_url) and documents.site is not None:
        problems.append(
            documents.site.problem(
                1,
                1,
                "no `base_url`, so the print sheets get no QR codes linking to the website "
                "(name cards, notice boards, service and building sheets, grid overview); "
                "service codes fall back to dialling the number",
                "add `base_url: https://…` (the address the site is published at) to site.yaml, or use --base-url",
                "warning",
            )
        )
    reporter.problems(problems)
    return CheckResult(site, problems)


def build(config: SiteConfig, reporter: Reporter) -> BuildResult:
    """Build the whole site into ``config.output_dir``, or change nothing if anything fails."""
    protected = [("content", config.content_dir), *(("theme", d) for d in config.theme_dirs)]
    check_output_dir(config.output_dir, protected)
    if config.pdf:
        find_chromium()  # before any work: without a browser there is nothing to print with
    result = check(config, reporter)
    if result.site is None or has_errors(result.problems, strict=config.strict):
        raise BuildAborted(result.problems)
    site = result.site
    base_url = (config.base_url or site.base_url).rstrip("/")
    codes = QrCache(config.cache_dir / "qr" if config.cache_dir else None)
    outputs = [*routes.plan_outputs(site), *printables.plan_print_outputs(site, base_url, codes)]
    routes.check_unique(outputs)
    env = make_env(config.theme_dirs)
    with staging(config.output_dir) as stage:
        assets = copy_static(config.theme_dirs, stage)
        for output in outputs:
            write_file(stage, output.dest, render_output(env, output, site, base_url, assets, config.pdf))
        for dest, card in printables.vcard_files(site).items():
            write_file(stage, dest, card.encode("utf-8"))
        if config.pdf:
            jobs = printables.pdf_jobs(outputs)
            reporter.info(f"printing {len(jobs)} PDFs with headless Chromium …")
            print_sheets(stage, jobs, site.today)
    reporter.info(f"built {len(outputs)} pages into {config.output_dir}")
    return BuildResult(len(outputs), result.problems)


def render_output(
    env: jinja2.Environment,
    output: routes.Output,
    site: Site,
    base_url: str,
    assets: dict[str, str],
    pdf: bool = False,
) -> bytes:
    """Render one page to bytes; template mistakes become SitegenErrors naming the template line."""
    try:
        template = env.get_template(output.template)
        html = template.render(site=site, page=output, base_url=base_url, assets=assets, pdf=pdf, **output.context)
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(f"{exc.filename}:{exc.lineno}: template error: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise SitegenError(f"while rendering {output.dest} with {output.template}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise SitegenError(f"the theme has no template {exc.name!r}") from exc
    return html.encode("utf-8")
