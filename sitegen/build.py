"""The pipeline, top to bottom: read, validate, plan, render, write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import os
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen import exports, printables, routes, search
from sitegen.config import SiteConfig
from sitegen.digest import FileDigests
from sitegen.errors import BuildAborted, ContentError, SitegenError, has_errors
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, catalogs_digest, localize, translate
from sitegen.load import NEIGHBORHOODS_DIR, Documents, NeighborhoodFiles, load_documents
from sitegen.model import Neighborhood, Site, SiteMap
from sitegen.parallel import render_into
from sitegen.parse import Node
from sitegen.pdf import find_chromium, print_sheets
from sitegen.qr import QrCache
from sitegen.render import make_env
from sitegen.report import Reporter, Stopwatch
from sitegen.schema import parse_date
from sitegen.state import (
    BuildState,
    Digests,
    code_version,
    context_key,
    digests,
    hash_parts,
    inputs_signature,
    theme_digest,
)
from sitegen.validate import SiteValidator, sorted_problems, validate_content
from sitegen.write import (
    apply_changes,
    check_output_dir,
    copy_static,
    output_intact,
    staging,
    static_hashes,
)

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))

# Paths the preview server saw change since its last build (None: look at every file).
Touched = Collection[str] | None


@dataclass
class CheckResult:
    site: Site | None
    problems: list[ContentError] = field(default_factory=list)
    neighborhoods: list[Neighborhood] = field(default_factory=list)


@dataclass
class BuildResult:
    pages: int
    problems: list[ContentError]
    rendered: int = 0
    pending: dict[str, Callable[[], bytes]] = field(default_factory=dict)  # see build(defer=True)
    removed: set[str] = field(default_factory=set)  # files an incremental build removed
    whole: bool = False  # every file was written afresh (neither incremental nor a no-op)


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
            raise SitegenError(_("SOURCE_DATE_EPOCH must be a number of seconds, not {epoch}", epoch=repr(epoch)))
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
    if site is None or config.base_url or site.base_url:
        return []
    return [
        ContentError(
            documents.site_display,
            1,
            1,
            _(
                "no `base_url`, so the print sheets get no QR codes linking to the website "
                "(name cards, notice boards, service and building sheets, grid overview); "
                "service codes fall back to dialling the number, and no sitemaps are written"
            ),
            "warning",
            _("add `base_url: https://…` (the address the site is published at) to site.yaml, or use --base-url"),
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


def _require_content(config: SiteConfig) -> None:
    if not config.content_dir.is_dir():
        raise SitegenError(_("the content directory {path} does not exist", path=str(config.content_dir)))


def check(config: SiteConfig, reporter: Reporter) -> CheckResult:
    """Read and validate the content; report every problem; write nothing."""
    _require_content(config)
    with few_collections():
        documents = load_documents(config.content_dir, config.display_root)
        validated = validate_content(documents, build_date(documents))
    problems = validated.problems + _base_url_warning(documents, validated.site, config)
    reporter.problems(problems)
    return CheckResult(validated.site, problems, validated.neighborhoods)


def _settings(config: SiteConfig) -> tuple[object, ...]:
    themes = tuple(str(d.resolve()) for d in config.theme_dirs)
    return (config.base_url, config.pdf, themes, catalogs_digest())


@dataclass
class Checked:
    """The checked content of one build: the site, the documents, and the checker that can give models."""

    site: Site
    documents: Documents
    validator: SiteValidator
    problems: list[ContentError]

    def model(self, files: NeighborhoodFiles) -> Neighborhood:
        """A neighborhood's whole model (checked now, or checked again when the cache only summarised it)."""
        model = self.validator.model(files)
        if model is None:  # its problems stopped the build before it got here
            raise SitegenError(_("the neighborhood {slug} could not be checked", slug=files.slug))
        return model


def _read(config: SiteConfig, state: BuildState, touched: Touched) -> tuple[Documents, str]:
    """Find the content files and the theme's, with digests of each (reusing what the state knows)."""
    _require_content(config)
    files = FileDigests(state.files)
    unchanged = _unchanged_folders(state, touched)
    documents = load_documents(config.content_dir, config.display_root, files, unchanged)
    theme = theme_digest(config.theme_dirs, files)
    state.files = {**state.files, **files.keep()} if unchanged else files.keep()
    state.documents = documents
    return documents, theme


def _checked(
    config: SiteConfig, state: BuildState, reporter: Reporter, known_date: dt.date | None, documents: Documents
) -> Checked:
    """Check the content, reusing what the state knows; raise BuildAborted on errors."""
    # Without a known date, the date comes from all the content: cached results cannot stand.
    key = context_key(config.content_dir, known_date, _settings(config)) if known_date else ""
    with few_collections():
        today = known_date or latest_content_date(documents)
        validator = SiteValidator(documents, today, state.checked, key)
        site = validator.run()
    present = {files.slug for files in documents.neighborhoods}
    for slug in [s for s in state.checked.neighborhoods if s not in present]:
        del state.checked.neighborhoods[slug]
    problems = sorted_problems(validator.problems) + _base_url_warning(documents, site, config)
    reporter.problems(problems)
    if site is None or has_errors(problems, strict=config.strict):
        raise BuildAborted(problems)
    return Checked(site, documents, validator, problems)


def _unchanged_folders(state: BuildState, touched: Touched) -> dict[str, NeighborhoodFiles] | None:
    """The neighborhood folders read by the last build that no touched path lies in."""
    if touched is None or state.documents is None:
        return None
    folder = os.path.join(os.path.realpath(state.documents.content_dir), NEIGHBORHOODS_DIR) + os.sep
    changed = {path[len(folder) :].split(os.sep, 1)[0] for path in touched if path.startswith(folder)}
    return {files.slug: files for files in state.documents.neighborhoods if files.slug not in changed}


@dataclass
class Plan:
    """The files of one build, by group: the community's, and each neighborhood's that is made again."""

    community: list[routes.Output]
    neighborhoods: dict[str, list[routes.Output]]

    def outputs(self) -> list[routes.Output]:
        return [*self.community, *(o for group in self.neighborhoods.values() for o in group)]


def _plan(checked: Checked, base_url: str, codes: QrCache, slugs: list[str]) -> Plan:
    """Plan the community's files and those of the neighborhoods ``slugs`` (in site order)."""
    site = checked.site
    sheets = printables.SheetPlanner(site, base_url, codes)
    # The web pages in every language of the site (routes.plan_editions); the print kit is Chinese.
    community = [*routes.plan_editions(routes.plan_community_outputs(site), site.languages), *sheets.community()]
    community += exports.plan_community_exports(site, base_url, exports.listed(community))
    by_slug = {files.slug: files for files in checked.documents.neighborhoods}
    groups = {}
    for slug in slugs:
        model = checked.model(by_slug[slug])
        pages = routes.plan_editions(routes.neighborhood_pages(site, model), site.languages)
        group = [*pages, *sheets.neighborhood(model)]
        groups[slug] = group + exports.plan_neighborhood_exports(site, model, base_url, exports.listed(group))
    return Plan(community, groups)


def _group_fingerprints(checked: Checked, sums: Digests) -> dict[str, str]:
    """One fingerprint per neighborhood of every input its files may show: while it holds, they stand."""
    sources = checked.documents.sources
    return {
        n.slug: hash_parts(sums.common, sources[f"nb:{n.slug}"], sources[f"nbn:{n.slug}"], sources["notices"])
        for n in checked.site.neighborhoods
    }


@contextmanager
def collecting() -> Iterator[None]:
    """Let the cycle collector run while many pages are rendered, but never over what exists already.

    (Freezing the objects made so far also keeps forked workers from copying them.)
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
        gc.unfreeze()


def build(
    config: SiteConfig,
    reporter: Reporter,
    state: BuildState | None = None,
    clean: bool = False,
    touched: Touched = None,
    defer: bool = False,
) -> BuildResult:
    """Build the site into ``config.output_dir``, or change nothing if anything fails.

    Only what changed since the last build is made again: the state of the last build comes from
    ``state`` (the preview server keeps it in memory) or from the cache directory.

    The preview server tells more: ``touched``, the paths that changed since the last build with
    this state (nothing else is looked at), and ``defer``: the pages to render again are handed
    back in ``BuildResult.pending`` instead of being rendered, so that the server can render the
    page a browser asks for first.
    """
    with few_collections():
        return _build(config, reporter, state, clean, touched, defer)


def _build(
    config: SiteConfig, reporter: Reporter, state: BuildState | None, clean: bool, touched: Touched, defer: bool
) -> BuildResult:
    protected = [(_("content"), config.content_dir), *((_("theme"), d) for d in config.theme_dirs)]
    check_output_dir(config.output_dir, protected)
    if config.pdf:
        find_chromium()  # before any work: without a browser there is nothing to print with
    keep = state is None
    if state is None or clean:
        state = BuildState(str(config.output_dir.resolve()), cache_dir=config.cache_dir)
        if not clean:
            state = BuildState.load(config.cache_dir, config.output_dir)
    clock = Stopwatch(reporter)
    known_date = date_from_environment(config.content_dir)
    intact = output_intact(config.output_dir, state.community)
    documents, theme = _read(config, state, touched)
    signature = inputs_signature(documents, theme, (_settings(config), known_date, config.index_search))
    if signature == state.inputs and intact:
        reporter.problems(state.problems)
        reporter.info(_("nothing changed; {output} is up to date", output=str(config.output_dir)))
        return BuildResult(0, state.problems, 0)
    checked = _checked(config, state, reporter, known_date, documents)
    site, problems = checked.site, checked.problems
    clock.lap(f"checked {len(checked.documents.neighborhoods)} neighborhoods")
    base_url = (config.base_url or site.base_url).rstrip("/")
    codes = QrCache(config.cache_dir / "qr" if config.cache_dir else None)
    # Compiled templates are kept per program: another sitegen may compile them differently.
    templates = config.cache_dir / "templates" / code_version()[:16] if config.cache_dir else None
    env = make_env(config.theme_dirs, templates)
    sums = digests(checked.documents, theme, (_settings(config), site.today))
    fingerprints = _group_fingerprints(checked, sums)
    stale = [slug for slug, made in fingerprints.items() if state.made.get(slug) != made]
    incremental = intact and len(stale) <= len(fingerprints) // 2
    # What the changed and the removed neighborhoods had written, to compare and to remove.
    known = {slug: state.manifest(slug) for slug in [*stale, *(s for s in state.made if s not in fingerprints)]}
    earlier = {slug: manifest or {} for slug, manifest in known.items()}
    incremental = incremental and all(known[slug] is not None for slug in known if slug in state.made)
    for slug in [s for s in state.made if s not in fingerprints]:
        state.drop(slug)
    pending: dict[str, Callable[[], bytes]] = {}
    removed: set[str] = set()
    plan = _plan(checked, base_url, codes, stale if incremental else list(fingerprints))
    outputs = plan.outputs()
    routes.check_unique(outputs)
    community = plan_manifest(plan.community, sums, config)
    manifests = {slug: plan_manifest(group, sums, config) for slug, group in plan.neighborhoods.items()}

    def render(output: routes.Output) -> bytes:
        return render_output(env, output, site, base_url, assets, config.pdf)

    if incremental:
        changed = [o for o in plan.community if state.community.get(o.dest) != community[o.dest]]
        manifest, previous = dict(community), dict(state.community)
        for slug, group in plan.neighborhoods.items():
            changed += [o for o in group if earlier[slug].get(o.dest) != manifests[slug][o.dest]]
            manifest.update(manifests[slug])
        for old in earlier.values():
            previous.update(old)
        removed = set(previous) - set(manifest)
        clock.lap(f"planned {len(outputs)} files of {len(stale)} neighborhoods and the community")
        assets = static_hashes(config.theme_dirs)
        if defer:
            pending = {o.dest: functools.partial(render, o) for o in changed}
            apply_changes(config.output_dir, {}, manifest, previous, config.theme_dirs)
        else:
            files = {o.dest: render(o) for o in changed}
            written = apply_changes(config.output_dir, files, manifest, previous, config.theme_dirs)
            clock.lap(f"rendered {len(changed)} files, wrote {len(written)}")
            gone = any(dest.endswith(".html") for dest in set(previous) - set(manifest))
            _index(config.output_dir, site, gone or search.any_indexed(written, files), config, reporter)
        if config.pdf:
            _print(config.output_dir, changed, site, reporter)
    else:
        changed = outputs
        clock.lap(f"planned {len(outputs)} files")
        with staging(config.output_dir) as stage:
            assets = copy_static(config.theme_dirs, stage)
            with collecting():
                render_into(outputs, render, stage, codes)
            clock.lap(f"rendered and wrote {len(outputs)} files")
            if config.pdf:
                _print(stage, outputs, site, reporter)
            _index(stage, site, True, config, reporter)
    for slug, group in plan.neighborhoods.items():
        state.set_manifest(slug, manifests[slug], fingerprints[slug], len(group))
    state.inputs, state.community, state.problems = signature, community, problems
    codes.save()
    if keep:
        state.save()
    pages = len(plan.community) + sum(state.sizes.values())
    if defer:
        return BuildResult(pages, problems, len(changed), pending, removed, not incremental)
    reporter.info(
        _(
            "built {count} pages into {output} ({rendered} rendered)",
            count=pages,
            output=str(config.output_dir),
            rendered=len(changed),
        )
    )
    return BuildResult(pages, problems, len(changed))


def _print(root: Path, outputs: list[routes.Output], site: Site, reporter: Reporter) -> None:
    jobs = printables.pdf_jobs(outputs)
    if jobs:
        reporter.info(_("printing {count} PDFs with headless Chromium …", count=len(jobs)))
        print_sheets(root, jobs, site.today)


def _index(root: Path, site: Site, pages_changed: bool, config: SiteConfig, reporter: Reporter) -> None:
    if not site.search:
        shutil.rmtree(root / search.BUNDLE, ignore_errors=True)
    elif config.index_search and search.index_site(root, pages_changed, reporter):
        reporter.info(_("indexed the pages for search into {folder}/", folder=search.BUNDLE))


def plan_manifest(outputs: list[routes.Output], sums: Digests, config: SiteConfig) -> dict[str, str]:
    """The fingerprint of every file the build writes (pages and other files, and PDFs of sheets)."""
    manifest = {o.dest: sums.fingerprint(o.template, o.sources) for o in outputs}
    if config.pdf:
        for html, pdf in printables.pdf_jobs(outputs):
            manifest[pdf] = manifest[html]
    return manifest


_localized: dict[str, tuple[Site, Site]] = {}


def _localized_site(site: Site, lang: str) -> Site:
    """The site with its text in ``lang``, made once per site and language."""
    made = _localized.get(lang)
    if made is None or made[0] is not site:
        made = _localized[lang] = (site, localize(site, lang, (SiteMap,)))
    return made[1]


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
    values = dict(output.values())
    lang = values.pop("lang", DEFAULT_LANGUAGE)
    if lang != DEFAULT_LANGUAGE:
        site, values = _localized_site(site, lang), localize(values, lang, (SiteMap,))
    page = dataclasses.replace(output, title=translate(output.title, lang))
    try:
        template = env.get_template(output.template)
        html = template.render(
            site=site,
            page=page,
            base_url=base_url,
            assets=assets,
            pdf=pdf,
            lang=lang,
            lang_tag=LANGUAGES[lang],
            **values,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(
            _("{file}:{line}: template error: {problem}", file=exc.filename, line=exc.lineno, problem=exc.message)
        ) from exc
    except jinja2.UndefinedError as exc:
        raise SitegenError(
            _(
                "while rendering {dest} with {template}: {problem}",
                dest=output.dest,
                template=output.template,
                problem=exc.message,
            )
        ) from exc
    except jinja2.TemplateNotFound as exc:
        raise SitegenError(_("the theme has no template {name}", name=repr(exc.name))) from exc
    return html.encode("utf-8")
