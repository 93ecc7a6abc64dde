"""The pipeline, top to bottom: read, validate, plan, render, write."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import gc
import hashlib
import itertools
import math
import multiprocessing
import os
import shutil
import subprocess
import tempfile
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from sitegen import cache
from sitegen.cache import code_version, hash_parts
from sitegen.config import SiteConfig
from sitegen.content import planlayout
from sitegen.content.digest import FileDigests
from sitegen.content.load import NEIGHBORHOODS_DIR, NOTICES_DIR, Documents, NeighborhoodFiles, load_documents
from sitegen.content.model import Neighborhood, Notice, Site
from sitegen.content.parse import Node, RawDocument
from sitegen.content.schema import parse_date
from sitegen.content.validate import SiteContext, SiteValidator, large_site, sorted_problems
from sitegen.errors import BuildAborted, ContentError, SitegenError, has_errors
from sitegen.i18n import Message, _, catalogs_digest
from sitegen.plan import exports, measure, printables, routes
from sitegen.plan.qr import QrCache, encoder
from sitegen.publish import search
from sitegen.publish.lock import lock_file, locked
from sitegen.publish.pdf import PRINTED, find_chromium, linked, pdf_entries, print_sheets, to_print
from sitegen.publish.spare import SPARE_DIR, changing, refresh
from sitegen.publish.state import (
    BuildState,
    Digests,
    context_key,
    digests,
    inputs_signature,
    output_identity,
    theme_digest,
)
from sitegen.publish.write import (
    DiskFull,
    apply_changes,
    check_output_dir,
    copy_static,
    out_of_space,
    output_intact,
    recover,
    staging,
    static_hashes,
    tree_size,
    write_file,
)
from sitegen.render.environment import make_env
from sitegen.render.page import render_output
from sitegen.report import Reporter, Stopwatch
from sitegen.workers import Alone, fork_map, forker_kept, give_back_memory

# Layouts of the site plans, in the cache folder (sitegen.content.planlayout).
LAYOUTS_DIR = "plans"
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))

# Paths the preview server saw change since its last build (None: look at every file).
Touched = Collection[str] | None


@dataclass
class CheckResult:
    site: Site | None
    problems: list[ContentError] = field(default_factory=list)


@dataclass(frozen=True)
class Deferred:
    """A page a build left to render (see build(defer=True)): ``make()`` renders it; ``group`` is the
    group of files it belongs to, the community's (``COMMUNITY``) or a neighborhood's slug."""

    group: str
    make: Callable[[], bytes]

    def __call__(self) -> bytes:
        return self.make()


@dataclass
class BuildResult:
    pages: int
    problems: list[ContentError]
    rendered: int = 0
    pending: dict[str, Deferred] = field(default_factory=dict)  # see build(defer=True)
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


# A date more than this after every other date in the content is taken for a typo (2099 for 2026).
OUTLIER_DAYS = 366


def settled_date(dates: list[dt.date]) -> dt.date:
    """The latest of ``dates`` that is not far ahead of all the others.

    One mistyped year must not move the date a site is built as of (it would archive every current
    notice): a latest date more than a year after the next one is set aside, as often as needed.
    """
    ordered = sorted(set(dates))
    while len(ordered) > 1 and (ordered[-1] - ordered[-2]).days > OUTLIER_DAYS:
        ordered.pop()
    return ordered[-1] if ordered else dt.date(2000, 1, 1)


# The dates found in the content (as ordinals), by where: each neighborhood folder by its name, and
# site.yaml with the community's notices under "", each with the digest of what they were found in.
ContentDates = dict[str, tuple[str, tuple[int, ...]]]
SITE_DATES = ""


# From this many folders whose dates are not known, they are read on every core (see latest_content_date).
PARALLEL_DATES_FROM = 40


def latest_content_date(
    documents: Documents, known: ContentDates | None = None, told: SiteDatesTold | None = None
) -> dt.date:
    """The latest ``date`` or ``verified_on`` written in the content, but for dates far ahead of all the others.

    ``known``: the dates an earlier build found, which are taken as they are where what they were
    found in has the same digest (only the rest is read), and which the dates read now replace.
    ``told``: site.yaml's dates, told by the child checking it (see :class:`SiteDatesTold`), which
    is then not read here.

    What is read is read by forked workers when there is much of it: a district's folders are
    parsed in a minute and a half on one core, and the main process, which every later worker is
    forked from, would keep the memory site.yaml's tree took (or keep the tree: a district's
    site.yaml is then checked where it was parsed, not in a worker of its own).
    """
    known = {} if known is None else known
    sources = documents.sources
    wanted: list[tuple[str, str, NeighborhoodFiles | None]] = [
        (SITE_DATES, f"{sources.get('site', '')}\0{sources.get('notices', '')}", None)
    ]
    wanted += [(files.slug, files.digest, files) for files in documents.neighborhoods]
    todo = [(name, digest, files) for name, digest, files in wanted if known.get(name, ("",))[0] != digest]
    site_job = todo.pop(0) if todo and todo[0][0] == SITE_DATES and told is not None else None

    def read(job: tuple[str, str, NeighborhoodFiles | None]) -> tuple[int, ...]:
        files = job[2]
        docs = _folder_documents(files) if files is not None else iter([documents.site, *documents.notices])
        written: list[dt.date] = []
        for doc in docs:
            _dates_in(doc.root if doc else None, written)
        return tuple(sorted({date.toordinal() for date in written}))

    def reading(job: tuple[str, str, NeighborhoodFiles | None]) -> Message:
        files = job[2]
        where = (
            documents.site_display if files is None else os.path.join(files.display_root, NEIGHBORHOODS_DIR, files.slug)
        )
        return _("reading the dates written in {file}", file=where)

    for (name, digest, _files), days in zip(todo, fork_map(read, todo, PARALLEL_DATES_FROM, reading), strict=True):
        known[name] = (digest, days)
    if site_job is not None and told is not None:
        site_days = told.site_dates()
        if site_days is None:  # the child died first (its result will say why): read here
            known[SITE_DATES] = (site_job[1], read(site_job))
        else:
            written: list[dt.date] = []
            for notice in documents.notices:
                _dates_in(notice.root, written)
            known[SITE_DATES] = (site_job[1], tuple(sorted({*site_days, *(date.toordinal() for date in written)})))
    for gone in known.keys() - {name for name, _digest, _files in wanted}:
        del known[gone]
    return _settled_days(day for name, _digest, _files in wanted for day in known[name][1])


def _settled_days(days: Iterable[int]) -> dt.date:
    """:func:`settled_date` of days given as ordinals (a district's folders give 100,000, of a few hundred dates)."""
    return settled_date([dt.date.fromordinal(day) for day in set(days)])


class SiteDatesTold:
    """Between this process and the child that checks a large site.yaml before the build date is
    known (the date comes from the dates written in all the content, site.yaml's among them): the
    child tells the dates site.yaml holds as soon as it has parsed it, so site.yaml is not parsed
    here too, and waits to be told the date (see SiteValidator.check_site_early)."""

    def __init__(self) -> None:
        self.here, self.there = multiprocessing.Pipe()
        self.dates: tuple[int, ...] | None = None

    def wait(self, site: RawDocument | None) -> dt.date:
        """In the child: tell site.yaml's dates, then wait for the build date."""
        self.here.close()
        written: list[dt.date] = []
        _dates_in(site.root if site else None, written)
        self.there.send(tuple(sorted({date.toordinal() for date in written})))
        ordinal: int = self.there.recv()
        return dt.date.fromordinal(ordinal)

    def started(self) -> None:
        """Here, once the child is forked: its end of the pipe is its own (so its end is seen here)."""
        self.there.close()

    def site_dates(self) -> tuple[int, ...] | None:
        """site.yaml's dates, as the child told them; None if it ended before."""
        if self.dates is None:
            try:
                self.dates = self.here.recv()
            except (EOFError, OSError):
                return None
        return self.dates

    def tell(self, today: dt.date) -> None:
        """Tell the child the build date (it may have ended: its result will say why)."""
        try:
            self.here.send(today.toordinal())
        except OSError:
            pass

    def close(self) -> None:
        self.here.close()
        self.there.close()


def _folder_documents(files: NeighborhoodFiles) -> Iterator[RawDocument | None]:
    """A neighborhood folder's parsed files, let go afterwards unless they were held before."""
    was_parsed = files.parsed
    files.parse()
    try:
        yield from [files.document, *files.notices]
    finally:
        if not was_parsed:
            files.forget()
            files.parsed = False


def build_date(documents: Documents) -> dt.date:
    """The date the site is built "as of", never the clock, so builds are reproducible.

    In order: ``SOURCE_DATE_EPOCH``; the date of the last git commit touching the content; the
    latest ``date`` or ``verified_on`` written in the content that is not far ahead of all the
    others (:func:`settled_date`).
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
    """Read and validate the content, and plan the files a build would write; report every problem; write nothing.

    As a build, it holds the neighborhoods' summaries, and their models one at a time (see
    SiteValidator.spill): the files of each are planned, and only where they go is kept (see
    :func:`_planned_collisions`).
    """
    _require_content(config)
    layouts = planlayout.layouts_kept(_layouts_dir(config), writable=False)
    known_date = config.today or date_from_environment(config.content_dir)
    with few_collections(), layouts, _spill_folder(None) as spill, _site_checked_early(config, known_date) as started:
        early, told = started
        documents = load_documents(config.content_dir, config.display_root)
        today = known_date or latest_content_date(documents, None, told)
        if told is not None:
            told.tell(today)
        validator = SiteValidator(documents, today)
        validator.spill, validator.early = spill, early
        site = validator.run()
        problems = sorted_problems(validator.problems) + _base_url_warning(documents, site, config)
        if site is not None and not has_errors(problems):
            base_url = (config.base_url or site.base_url).rstrip("/")
            collided = _planned_collisions(Checked(site, documents, validator, problems), base_url)
            problems += _collision_problems(collided, documents)
    reporter.problems(problems)
    return CheckResult(site, problems)


@contextmanager
def _site_checked_early(
    config: SiteConfig,
    today: dt.date | None,
    keyed: bool = False,
    cached: SiteContext | None = None,
    dates: ContentDates | None = None,
) -> Iterator[tuple[Alone[tuple[SiteContext, str]] | None, SiteDatesTold | None]]:
    """A large site.yaml checked by a child forked now, before the neighborhood folders are read
    (see SiteValidator.check_site_early), for a validator with the build's context key (``keyed``)
    or none; None when the state's ``cached`` context stands (for the date of the last build's
    ``dates`` when the date is not known yet). With it, when the date is not known yet (it comes
    from the folders), what tells the child the date (see :class:`SiteDatesTold`)."""
    key = functools.partial(_context_key, config) if keyed else _no_key
    told, likely = None, None
    when: dt.date | Callable[[RawDocument | None], dt.date]
    if today is None:
        told = SiteDatesTold()
        when, likely = told.wait, latest_known_date(dates) if dates else None
    else:
        when = today
    early = SiteValidator.check_site_early(config.content_dir, config.display_root, when, key, cached, likely)
    del cached  # not held while the build runs: the validator lets it go when site.yaml changed
    if told is not None:
        told.started()
        if early is None:
            told.close()
            told = None
    try:
        yield early, told
    finally:
        if early is not None:
            early.cancel()  # when the build stopped before taking it
        if told is not None:
            told.close()


def _context_key(config: SiteConfig, today: dt.date) -> str:
    return context_key(config.content_dir, today, _settings(config))


def _no_key(_today: dt.date) -> str:
    return ""


def latest_known_date(dates: ContentDates) -> dt.date:
    """The date of the content whose dates an earlier build found: the date that build was built as of."""
    return _settled_days(day for _digest, days in dates.values() for day in days)


def _layouts_dir(config: SiteConfig) -> Path | None:
    return config.cache_dir / LAYOUTS_DIR if config.cache_dir else None


def _settings(config: SiteConfig) -> tuple[object, ...]:
    themes = tuple(str(d.resolve()) for d in config.theme_dirs)
    return (config.base_url, themes, catalogs_digest(), encoder())


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


def _read(config: SiteConfig, state: BuildState, touched: Touched, saved: bool = False) -> tuple[Documents, str]:
    """Find the content files and the theme's, with digests of each (reusing what the state knows).

    ``saved``: the state is saved once the build ends, and not used before; the digests found are
    then put aside for it as they are found (see BuildState.files_aside).
    """
    _require_content(config)
    files = FileDigests(state.files)
    unchanged = _unchanged_folders(state, touched)
    aside = state.files_aside() if saved and not unchanged else None
    if aside is not None:
        files.send = aside.add
    try:
        documents = load_documents(config.content_dir, config.display_root, files, unchanged)
        theme = theme_digest(config.theme_dirs, files)
    except BaseException:
        if aside is not None:
            aside.discard()
        raise
    if aside is not None:
        aside.add(files.keep().items())
        state.put_aside(aside)
    elif unchanged:  # the files of the folders not read are as the state knows them
        state.files.update(files.keep())  # in place: a district's state knows 120,000 files
    else:
        state.files = files.keep()
    state.documents = documents
    return documents, theme


def _checked(
    config: SiteConfig,
    state: BuildState,
    reporter: Reporter,
    known_date: dt.date | None,
    documents: Documents,
    spill: Path | None = None,
    early: Alone[tuple[SiteContext, str]] | None = None,
    told: SiteDatesTold | None = None,
) -> Checked:
    """Check the content, reusing what the state knows; raise BuildAborted on errors.

    ``spill``: a folder where checking workers leave the models they make (see SiteValidator.spill);
    ``early``: site.yaml being checked already (see SiteValidator.early), ``told`` what tells it the
    date when it was started before the date was known.
    """
    # Without a date from the environment, the date comes from all the content: from the dates the
    # state knows, of the folders that did not change, and those of the rest, read now.
    with few_collections():
        today = known_date or latest_content_date(documents, state.dates, told)
        if told is not None:
            told.tell(today)
        key = _context_key(config, today)
        frame = hash_parts(code_version(), today, _settings(config))  # the context key but site.yaml
        validator = SiteValidator(documents, today, state.checked, key, frame)
        validator.spill, validator.early = spill, early
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
    """The files of one build, by group: the community's, and each neighborhood's that is made again.

    The manifests give each file's fingerprint, by group (see :func:`plan_manifest`).
    """

    community: list[routes.Output]
    neighborhoods: dict[str, list[routes.Output]]
    community_manifest: dict[str, str] = field(default_factory=dict)
    manifests: dict[str, dict[str, str]] = field(default_factory=dict)
    # Of each group made (COMMUNITY, and each neighborhood): how many files, and its (sheet, PDF)
    # pairs. A whole build plans the files in its workers, and only these come back (see _make_groups).
    sizes: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # A whole build's: the folder its workers wrote the manifests in (of every neighborhood made
    # whose manifest is not in ``manifests``; see BuildState.manifests_folder).
    written: Path | None = None
    printed: dict[str, bool] = field(default_factory=dict)  # of each neighborhood: whether each sheet has its PDF
    dropped: int = 0  # PDFs of sheets that changed since they were printed, removed

    def __post_init__(self) -> None:
        self.sizes[COMMUNITY] = len(self.community)
        self.jobs[COMMUNITY] = printables.pdf_jobs(self.community)
        for slug, group in self.neighborhoods.items():
            self.sizes[slug] = len(group)
            self.jobs[slug] = printables.pdf_jobs(group)

    def outputs(self) -> list[routes.Output]:
        return [*self.community, *(o for group in self.neighborhoods.values() for o in group)]


def _plan_groups(
    checked: Checked, base_url: str, codes: QrCache, models: Iterable[Neighborhood], kept: dict[str, Any] | None = None
) -> tuple[list[routes.Output], dict[str, list[routes.Output]]]:
    """The community's files, and the files of each of ``models`` by slug (``kept``: see SheetPlanner)."""
    site = checked.site
    sheets = printables.SheetPlanner(site, base_url, codes, kept)
    community = _community_group(sheets, checked, base_url)
    return community, {model.slug: _neighborhood_group(sheets, site, base_url, model) for model in models}


def _community_group(sheets: printables.SheetPlanner, checked: Checked, base_url: str) -> list[routes.Output]:
    """The community's files: web pages in every language of the site (routes.plan_editions), the
    print kit (in Chinese) and the data files. The notices they show are read again for their text."""
    site, texts = checked.site, checked.documents.notice_texts()
    pages = routes.plan_community_outputs(site, texts)
    community = [*routes.plan_editions(pages, site.languages), *sheets.community()]
    return community + exports.plan_community_exports(site, base_url, exports.listed(community), texts)


def _neighborhood_group(
    sheets: printables.SheetPlanner, site: Site, base_url: str, model: Neighborhood
) -> list[routes.Output]:
    """One neighborhood's files: its pages in every language, its sheets, its cards and data files."""
    group = [*routes.plan_editions(routes.neighborhood_pages(site, model), site.languages), *sheets.neighborhood(model)]
    return group + exports.plan_neighborhood_exports(site, model, base_url, exports.listed(group))


def _plan(checked: Checked, base_url: str, codes: QrCache, slugs: list[str], kept: dict[str, Any]) -> Plan:
    """Plan the community's files and those of the neighborhoods ``slugs`` (in site order)."""
    by_slug = checked.documents.by_slug()
    models = (checked.model(by_slug[slug]) for slug in slugs)
    return Plan(*_plan_groups(checked, base_url, codes, models, kept))


@dataclass(frozen=True)
class Claim:
    """A file a build writes, as much of it as a collision is reported with: where it goes, its
    title, and the notice that makes it (its neighborhood, "" for the community's, and its slug)."""

    dest: str
    title: str
    notice: tuple[str, str] | None


def _claims(outputs: Iterable[routes.Output]) -> list[Claim]:
    claims = []
    for output in outputs:
        notice = output.context.get("notice")
        made_by = (notice.neighborhood, notice.slug) if isinstance(notice, Notice) else None
        claims.append(Claim(output.dest, output.title, made_by))
    return claims


def _collision_problems(pairs: Iterable[tuple[Claim, Claim]], documents: Documents) -> list[ContentError]:
    """Two files the build would write to one place, each reported at the content file that makes it."""
    problems = []
    for first, second in pairs:
        blamed = next((c for c in (second, first) if c.notice is not None), None)
        if blamed is not None and blamed.notice is not None:
            neighborhood, slug = blamed.notice
            folder = f"{NEIGHBORHOODS_DIR}/{neighborhood}/{NOTICES_DIR}" if neighborhood else NOTICES_DIR
            path = os.path.join(documents.display_root, folder, f"{slug}.md")
        else:
            path = documents.site_display
        other = first if blamed is second else second
        problems.append(
            ContentError(
                path,
                1,
                1,
                _("this would be written to `{dest}`, where the site puts {page}", dest=second.dest, page=other.title),
                "error",
                _("rename the file"),
            )
        )
    return sorted_problems(problems)


def _group_fingerprints(checked: Checked, sums: Digests) -> dict[str, str]:
    """One fingerprint per neighborhood of every input its files may show: while it holds, they stand.

    Of site.yaml, a neighborhood's files show the site's own values (name, office, emergency
    numbers, categories, meetings, the community notices…) and what its model took: its grids and
    their people, the community's people it names (see validate.model_digest). Not the rest: a
    district's site.yaml lists every grid and grid worker, and a new phone number for one of them
    made every page of the district again.
    """
    sources = checked.documents.sources
    cached = checked.validator.cache.neighborhoods if checked.validator.cache is not None else {}
    shown = hash_parts(sums.frame, _shown_everywhere(checked.site), checked.validator.area_code)
    fingerprints = {}
    for n in checked.site.neighborhoods:
        entry = cached.get(n.slug)
        model = entry.model if entry is not None and entry.model else sums.common  # unknown: all of site.yaml
        own = (sources[f"nb:{n.slug}"], sources[f"nbn:{n.slug}"], sources["notices"])
        fingerprints[n.slug] = hash_parts(shown, model, *own)
    return fingerprints


def _shown_everywhere(site: Site) -> tuple[Site, int]:
    """The site as a neighborhood's pages may show it: without the lists of every grid and every
    neighborhood (only the community's pages show them), but with how many grids there are."""
    return replace(site, grids=(), neighborhoods=()), len(site.grids)


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
    again: Mapping[str, str] | None = None,
) -> BuildResult:
    """Build the site into ``config.output_dir``, or change nothing if anything fails.

    Only what changed since the last build is made again: the state of the last build comes from
    ``state`` (the preview server keeps it in memory) or from the cache directory.

    The preview server tells more: ``touched``, the paths that changed since the last build with
    this state (nothing else is looked at), and ``defer``: the pages to render again are handed
    back in ``BuildResult.pending`` instead of being rendered, so that the server can render the
    page a browser asks for first. ``again`` (with ``defer``) names pages an earlier build handed
    back that were never rendered, each with its group (see :class:`Deferred`): they are planned
    again and handed back too, whether they changed or not, unless they are no longer made.

    One build at a time writes an output: another one waits for it (see :mod:`sitegen.publish.lock`).
    A full disk is reported as such, and leaves the output as it was.
    """
    protected = [(_("content"), config.content_dir), *((_("theme"), d) for d in config.theme_dirs)]
    check_output_dir(config.output_dir, protected)
    if config.pdf:
        find_chromium()  # before any work: without a browser there is nothing to print with
    # A build that loads its state from the cache holds a district's by the time it finds site.yaml
    # edited; the child that checks site.yaml again is forked from a forker made before (see
    # SiteValidator.check_site_early). The preview's builder keeps one of its own.
    forker = forker_kept(state is None and large_site(config.content_dir))
    with few_collections(), forker, locked(lock_file(config.output_dir, config.cache_dir), config.output_dir, reporter):
        try:
            _tidy(config, clean)
            with planlayout.layouts_kept(_layouts_dir(config)), _spill_folder(config.cache_dir) as spill:
                return _build(config, reporter, state, clean, touched, (defer, again or {}), spill)
        except DiskFull as exc:
            raise SitegenError(_no_space(exc.folder, exc.needed)) from exc
        except OSError as exc:
            if not out_of_space(exc):
                raise
            folder = Path(exc.filename).parent if isinstance(exc.filename, str) else config.output_dir.parent
            raise SitegenError(_no_space(folder, 0)) from exc


@contextmanager
def _spill_folder(cache_dir: Path | None) -> Iterator[Path | None]:
    """A folder for the neighborhoods' models while a build or check runs (see SiteValidator.spill).

    In the build's cache folder, named as an entry being written, so that what a killed build left
    there is swept by the next (see :func:`_tidy`); without one (``sitegen check`` writes nothing of
    its own there), in the system's temporary folder. None when neither can be written: the models
    are then kept in memory.
    """
    if cache_dir is not None:
        folder = cache_dir / f"models-{os.getpid()}{cache.TEMPORARY}"
        try:
            cache.remove(folder)
            folder.mkdir(parents=True)
        except OSError:
            pass
        else:
            try:
                yield folder
            finally:
                cache.remove(folder)
            return
    try:
        temporary = tempfile.TemporaryDirectory(prefix="sitegen-models-", ignore_cleanup_errors=True)
    except OSError:
        yield None
        return
    with temporary as name:
        yield Path(name)


def _tidy(config: SiteConfig, clean: bool) -> None:
    """Put right what killed builds left beside the output and in the cache folder, and a damaged cache folder.

    With ``clean``, the cache folder is emptied: nothing of it is read.
    """
    recover(config.output_dir)
    if config.cache_dir is None:
        return
    if clean:
        cache.remove(config.cache_dir)
    if cache.folder(config.cache_dir):
        cache.sweep(config.cache_dir, skip=SPARE_DIR)


def _no_space(folder: Path, needed: int) -> str:
    """What to say when the disk is full: where, about how much the build needs, and how much is free."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    megabyte = 1024 * 1024
    needed = max(needed, free + megabyte)  # what was free, the build used up, and needed more
    return _(
        "not enough space in {folder}: about {needed} MB needed, {free} MB free; the output was left as it was",
        folder=str(folder),
        needed=max(1, math.ceil(needed / megabyte)),
        free=free // megabyte,
    )


@dataclass
class _Run:
    """What every step of one build after checking shares: the checked site and how to render its files."""

    config: SiteConfig
    reporter: Reporter
    clock: Stopwatch
    checked: Checked
    base_url: str
    codes: QrCache
    env: jinja2.Environment
    sums: Digests
    fingerprints: dict[str, str]  # per neighborhood, of every input its files may show
    pdfs: set[str] = field(default_factory=set)  # the PDFs of the sheets made now, after this build
    indexed: list[str] | None = None  # the pages that mark content for the search index, if known

    def render(self, output: routes.Output, assets: dict[str, str], pdfs: set[str] | None = None) -> bytes:
        """The output's bytes; ``pdfs``: the PDFs its group holds after the build, if not ``self.pdfs``."""
        pdfs = self.pdfs if pdfs is None else pdfs
        return render_output(self.env, output, self.checked.site, self.base_url, assets, pdfs)

    def manifest(self, outputs: list[routes.Output], previous: dict[str, str]) -> dict[str, str]:
        return plan_manifest(outputs, self.sums, self.config, previous)


@dataclass
class _Written:
    """What a build made: the files rendered, those handed back to render later, and those removed."""

    rendered: int
    pending: dict[str, Deferred] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)


def _build(
    config: SiteConfig,
    reporter: Reporter,
    state: BuildState | None,
    clean: bool,
    touched: Touched,
    deferring: tuple[bool, Mapping[str, str]],
    spill: Path | None = None,
) -> BuildResult:
    """Read, and stop there if nothing changed; else check, plan, and build the whole site or only what changed.

    ``deferring``: whether to hand back the pages to render, and the pages to hand back again (see build).
    """
    defer, again = deferring
    keep = state is None  # a state of our own is saved in the cache; the preview keeps its own in memory
    state = _starting_state(config, state, clean)
    clock = Stopwatch(reporter)
    known_date = config.today or date_from_environment(config.content_dir)
    intact = output_intact(config.output_dir, state.community)
    with _site_checked_early(config, known_date, True, state.checked.site, state.dates) as (early, told):
        known = bool(state.files)  # the files' digests of the last build (not if they could not be saved)
        documents, theme = _read(config, state, touched, keep)
        signature = inputs_signature(documents, theme, (_settings(config), known_date, config.index_search, config.pdf))
        if signature == state.inputs and intact and not again:
            if keep and not known and state.aside is not None:
                state.save()  # with the files' digests, found again now
            state.drop_aside()  # else the saved state stands as it is
            reporter.problems(state.problems)
            reporter.info(_("nothing changed; {output} is up to date", output=str(config.output_dir)))
            return BuildResult(0, state.problems, 0)
        checked = _checked(config, state, reporter, known_date, documents, spill, early, told)
    clock.lap(f"checked {len(checked.documents.neighborhoods)} neighborhoods")
    run = _start(config, reporter, clock, checked, theme)
    stale = [slug for slug, made in run.fingerprints.items() if state.made.get(slug) != made]
    # Printing PDFs, the neighborhoods whose sheets lack some are looked at too (their pages are not
    # made again unless they link to the new PDFs); so are those of pages to hand back again.
    due = {slug for slug in run.fingerprints if config.pdf and slug not in state.printed}
    due = (due | {group for group in again.values() if group in run.fingerprints}) - set(stale)
    earlier = _earlier_manifests(state, [*stale, *due], run.fingerprints)
    incremental = intact and len(stale) <= len(run.fingerprints) // 2 and earlier is not None
    slugs = [slug for slug in run.fingerprints if slug in due or slug in stale]
    made = slugs if incremental else list(run.fingerprints)
    previous = _printed_before(state, earlier if intact else {})
    previous[COMMUNITY] = state.community if intact else {}
    if incremental and earlier is not None:
        plan = _planned(run, state.print_plans, slugs, previous)
        written = _build_changes(run, state, plan, earlier, (defer, again), keep)
    else:
        written, plan = _build_whole(run, state, made, keep, previous)
        # Every site plan was drawn: the layouts this build did not use are old.
        planlayout.prune_layouts()
    state.output_id = output_identity(config.output_dir)
    _tell_dropped(run, plan)
    _remember(run, state, plan, signature)
    if keep:
        give_back_memory()  # saving the state takes memory of its own on top of what is held
        state.save()
    pages, rendered = plan.sizes[COMMUNITY] + sum(state.sizes.values()), written.rendered
    if defer:
        return BuildResult(pages, checked.problems, rendered, written.pending, written.removed, not incremental)
    reporter.info(
        _(
            "built {count} pages into {output} ({rendered} rendered)",
            count=pages,
            output=str(config.output_dir),
            rendered=rendered,
        )
    )
    return BuildResult(pages, checked.problems, rendered)


def _starting_state(config: SiteConfig, state: BuildState | None, clean: bool) -> BuildState:
    """The state the build starts from: the one given, the last build's from the cache, or none (``clean``)."""
    if state is not None and not clean:
        return state
    if clean:  # and _tidy emptied the cache folder: nothing of it is read
        return BuildState(str(config.output_dir.resolve()), cache_dir=config.cache_dir)
    return BuildState.load(config.cache_dir, config.output_dir)


def _start(config: SiteConfig, reporter: Reporter, clock: Stopwatch, checked: Checked, theme: str) -> _Run:
    """Everything rendering needs once the content is checked: base URL, QR codes, templates, fingerprints."""
    base_url = (config.base_url or checked.site.base_url).rstrip("/")
    codes = QrCache(config.cache_dir / "qr" if config.cache_dir else None)
    templates = config.cache_dir / "templates" if config.cache_dir else None
    env = make_env(config.theme_dirs, templates)
    sums = digests(checked.documents, theme, (_settings(config), checked.site.today))
    fingerprints = _group_fingerprints(checked, sums)
    return _Run(config, reporter, clock, checked, base_url, codes, env, sums, fingerprints)


def _earlier_manifests(
    state: BuildState, stale: list[str], fingerprints: dict[str, str]
) -> dict[str, dict[str, str]] | None:
    """What the changed and the removed neighborhoods wrote last time, to compare and to remove.

    None when a manifest the last build wrote is lost: then only a whole build is sure. The removed
    neighborhoods are forgotten.
    """
    gone = [slug for slug in state.made if slug not in fingerprints]
    known = {slug: state.manifest(slug) for slug in [*stale, *gone]}
    lost = any(known[slug] is None for slug in known if slug in state.made)
    for slug in gone:
        state.drop(slug)
    return None if lost else {slug: manifest or {} for slug, manifest in known.items()}


def _planned(run: _Run, kept: dict[str, Any], slugs: list[str], previous: dict[str, dict[str, str]]) -> Plan:
    """The community's files and those of the neighborhoods ``slugs``, with their manifests (``kept``:
    see SheetPlanner); a build stops here if two of them go to one place."""
    plan = _plan(run.checked, run.base_url, run.codes, slugs, kept)
    _stop_if_collided(routes.collisions(_claims(plan.outputs())), run)
    plan.community_manifest = run.manifest(plan.community, previous[COMMUNITY])
    plan.manifests = {slug: run.manifest(group, previous[slug]) for slug, group in plan.neighborhoods.items()}
    run.pdfs = {dest for m in (plan.community_manifest, *plan.manifests.values()) for dest in m if _is_pdf(m, dest)}
    for name, jobs, manifest in _groups(plan):
        plan.dropped += _dropped(manifest, previous[name])
        if name != COMMUNITY:
            plan.printed[name] = _printed_all(jobs, manifest)
    return plan


def _build_whole(
    run: _Run, state: BuildState, slugs: list[str], keep: bool, previous: dict[str, dict[str, str]]
) -> tuple[_Written, Plan]:
    """Render every file into a staging folder and swap it in for the output in one step.

    The files of the community and of the neighborhoods ``slugs`` are made by workers (see
    _make_groups), which fork from a process that holds no more than the checked content. The PDFs
    kept from before (their sheets did not change) come along; the others are printed. With
    ``keep`` (the build keeps its own state), the new output is then copied by hard links into the
    cache folder, for the next incremental build to change and swap in.
    """
    config = run.config
    try:
        with staging(config.output_dir) as stage:
            assets = copy_static(config.theme_dirs, stage)
            plan = Plan([], {}, written=state.manifests_folder())
            with collecting():
                made = _make_groups(run, [COMMUNITY, *slugs], previous, (assets, stage), state, plan.written)
                state.print_plans.update(made[COMMUNITY].kept or {})  # as the community's planning left it
                jobs = _take_made(run, plan, made)
            total = sum(plan.sizes.values())
            run.clock.lap(f"rendered and wrote {total} files")
            _print(stage, jobs, run.checked.site, run.reporter)
            if _indexing(run.checked.site, config):
                run.indexed = search.indexed_pages(stage)
            _index(stage, run.checked.site, config, run.reporter, run.indexed)
    except DiskFull as exc:
        # About as much as the output the build replaces, or as the files written so far promise
        # (as many files as the last build wrote, when known).
        before = tree_size(config.output_dir)[0] if config.output_dir.is_dir() else 0
        expected = len(state.community) + sum(state.sizes.values())
        promised = exc.written * max(1.0, (expected + 1) / max(1, exc.files))
        exc.needed = max(before, int(promised))
        raise
    if keep:
        refresh(config.output_dir, config.cache_dir)
    return _Written(total), plan


# Below this many neighborhoods, a whole build makes their files in this process.
PARALLEL_NEIGHBORHOODS_FROM = 4
# Texts a worker keeps measured (a neighborhood's sheets measure about a thousand, a district's grid
# sheet about as many; see measure.forget).
MEASURED_IN_A_WORKER = 1 << 14


@dataclass
class _Made:
    """What a worker made of one group of files, as much as the build keeps of them."""

    manifest: dict[str, str] | None  # None: written into the build's folder of manifests
    size: int
    names: array[int]  # its files' names as keys (see _name_key), sorted; PDFs left out
    due: list[tuple[str, str]]  # its (sheet, PDF) pairs to print
    printed: bool  # whether its every sheet has its PDF after the build
    dropped: int  # PDFs of its sheets that changed since they were printed, removed
    collided: list[tuple[Claim, Claim]]  # two of its files that would be written to one place
    codes: dict[str, Any]  # the QR codes made on the way, where they could not be set aside (see QrCache)
    kept: dict[str, Any] | None = None  # the community's: what planning its print kit worked out


def _make_groups(
    run: _Run,
    groups: list[str],
    previous: Mapping[str, dict[str, str]],
    into: tuple[dict[str, str], Path],
    state: BuildState,
    folder: Path | None,
) -> dict[str, _Made]:
    """Plan, render and write the files of each group (``COMMUNITY`` or a neighborhood's slug), one
    group at a time, on every core.

    A worker reads a neighborhood's model (see SiteValidator.spill), plans its files, renders them
    into the staging folder (``into``: the theme's assets, the folder), copies the PDFs kept from
    before (``previous``: what each group wrote before) and writes their manifest into ``folder``
    (when given, and if it can): no process holds more than one group's files, however large the
    district. The community's files are planned with what the state kept of the last planning of
    its print kit (see SheetPlanner), handed back as it leaves it.
    """
    checked, config = run.checked, run.config
    files = checked.documents.by_slug()
    assets, stage = into

    def make(group: str) -> _Made:
        community = group == COMMUNITY
        sheets = printables.SheetPlanner(
            checked.site, run.base_url, run.codes, state.print_plans if community else None
        )
        outputs = _group(sheets, checked, run.base_url, group, files)
        before = previous[group]
        manifest = run.manifest(outputs, before)
        pdfs = {dest for dest in manifest if _is_pdf(manifest, dest)}
        for output in outputs:
            write_file(stage, output.dest, run.render(output, assets, pdfs))
            # A district's community has a thousand grid sheets, which share few texts.
            measure.forget(beyond=MEASURED_IN_A_WORKER)
        jobs = printables.pdf_jobs(outputs)
        wanted = _pdf_jobs(jobs, manifest)
        due = to_print(wanted, manifest, before, config.output_dir)
        for _html, pdf in (job for job in wanted if job not in due):
            shutil.copy2(config.output_dir / pdf, stage / pdf)
        collided = routes.collisions(_claims(outputs))
        measure.forget(beyond=0 if community else MEASURED_IN_A_WORKER)
        give_back_memory()  # what making the group's largest pages took, a worker would keep for good
        names = _name_keys(dest for dest in manifest if not _is_pdf(manifest, dest))
        made = _Made(
            manifest,
            len(outputs),
            names,
            due,
            _printed_all(jobs, manifest),
            _dropped(manifest, before),
            collided,
            {},
            sheets.planner.kept if community else None,
        )
        codes = run.codes.take_new(keep=False)
        if not run.codes.set_aside(codes):
            made.codes = codes
        if (
            not community
            and folder is not None
            and state.write_manifest(folder, group, manifest, run.fingerprints[group])
        ):
            made.manifest = None
        return made

    def making(group: str) -> Message:
        if group == COMMUNITY:
            return _("making the files of the community")
        return _("making the files of the neighborhood {slug}", slug=group)

    made = fork_map(make, groups, PARALLEL_NEIGHBORHOODS_FROM, making)
    run.clock.lap(f"rendered and wrote the files of the community and {len(groups) - 1} neighborhoods")
    return dict(zip(groups, made, strict=True))


def _name_key(dest: str) -> int:
    """A file's name as a number, the same for names that differ only in case (file systems that
    ignore case would write them to one place)."""
    return int.from_bytes(hashlib.blake2b(dest.lower().encode("utf-8"), digest_size=8).digest(), "big")


def _name_keys(dests: Iterable[str]) -> array[int]:
    """The keys of a group's files (see _name_key), sorted: 8 bytes a file."""
    return array("Q", sorted(map(_name_key, dests)))


def _planned_collisions(checked: Checked, base_url: str) -> list[tuple[Claim, Claim]]:
    """Every two files a build would write to one place, found by planning one group at a time."""
    sheets = printables.SheetPlanner(checked.site, base_url, QrCache(None))
    files = checked.documents.by_slug()
    pairs: list[tuple[Claim, Claim]] = []
    names: dict[str, array[int]] = {}
    for group in [COMMUNITY, *(summary.slug for summary in checked.site.neighborhoods)]:
        outputs = _group(sheets, checked, base_url, group, files)
        pairs += routes.collisions(_claims(outputs))
        names[group] = _name_keys(output.dest for output in outputs)
        measure.forget(beyond=0 if group == COMMUNITY else MEASURED_IN_A_WORKER)
    across = _shared_names(names)
    return pairs + (_claimed_across(checked, base_url, across) if across else [])


def _group(
    sheets: printables.SheetPlanner, checked: Checked, base_url: str, group: str, files: dict[str, NeighborhoodFiles]
) -> list[routes.Output]:
    """The files of one group: the community's (``COMMUNITY``) or a neighborhood's, by its slug."""
    if group == COMMUNITY:
        return _community_group(sheets, checked, base_url)
    return _neighborhood_group(sheets, checked.site, base_url, checked.model(files[group]))


def _take_made(run: _Run, plan: Plan, made: dict[str, _Made]) -> list[tuple[str, str]]:
    """Add what the workers made to the plan, and hand back the (sheet, PDF) pairs to print; stop the
    build if two files go to one place.

    Collisions inside a group were found by its worker; those between the community and a
    neighborhood, or two neighborhoods, are found here by the files' names.
    """
    pairs: list[tuple[Claim, Claim]] = []
    jobs: list[tuple[str, str]] = []
    for name, group in made.items():
        run.codes.merge(group.codes)
        if name == COMMUNITY:
            plan.community_manifest = group.manifest or {}
        else:
            if group.manifest is not None:
                plan.manifests[name] = group.manifest
            plan.printed[name] = group.printed
        plan.sizes[name] = group.size
        plan.dropped += group.dropped
        pairs += group.collided
        jobs += group.due
    across = _shared_names({name: group.names for name, group in made.items()})
    if across:
        pairs += _claimed_across(run.checked, run.base_url, across)
    _stop_if_collided(pairs, run)
    return jobs


# The names of all the files of a district are looked through in this many parts (each a sixteenth of
# the keys), so that no more than a part of them is held in a set at a time.
NAME_PARTS = 16


def _shared_names(names: dict[str, array[int]]) -> list[tuple[int, str, str]]:
    """The names two groups both write to, as keys (see _name_key): (key, a group, a later group)."""
    holders: dict[int, list[str]] = {}  # of the keys held by more than one group
    step = (1 << 64) // NAME_PARTS
    for part in range(NAME_PARTS):
        low, high = part * step, (part + 1) * step if part < NAME_PARTS - 1 else 1 << 64
        owners: dict[int, str] = {}
        for name, keys in names.items():
            for key in keys[bisect.bisect_left(keys, low) : bisect.bisect_left(keys, high)]:
                first = owners.setdefault(key, name)
                if first != name:
                    groups = holders.setdefault(key, [first])
                    if name not in groups:
                        groups.append(name)
    return [(key, a, b) for key, groups in holders.items() for a, b in itertools.combinations(groups, 2)]


def _claimed_across(checked: Checked, base_url: str, across: list[tuple[int, str, str]]) -> list[tuple[Claim, Claim]]:
    """The two files of each of ``across`` that go to one place (planned again to say which).

    Two names of one key that differ (by more than case) go to two places: no pair.
    """
    files = checked.documents.by_slug()
    sheets = printables.SheetPlanner(checked.site, base_url, QrCache(None))
    claims: dict[str, dict[int, list[Claim]]] = {}
    for name in {group for _key, *groups in across for group in groups}:
        keyed = claims[name] = {}
        for claim in _claims(_group(sheets, checked, base_url, name, files)):
            keyed.setdefault(_name_key(claim.dest), []).append(claim)
    pairs = []
    for key, first, second in across:
        theirs = {claim.dest.lower(): claim for claim in claims[first].get(key, [])}
        pairs += [(theirs[c.dest.lower()], c) for c in claims[second].get(key, []) if c.dest.lower() in theirs]
    return pairs


def _stop_if_collided(pairs: list[tuple[Claim, Claim]], run: _Run) -> None:
    """Report files the build would write to one place, and stop it."""
    collided = _collision_problems(pairs, run.checked.documents)
    if collided:
        run.reporter.problems(collided)
        raise BuildAborted(collided)


def _build_changes(
    run: _Run,
    state: BuildState,
    plan: Plan,
    earlier: dict[str, dict[str, str]],
    deferring: tuple[bool, Mapping[str, str]],
    keep: bool,
) -> _Written:
    """Render only the files whose fingerprints changed, write them and remove those no longer made.

    The changes are made in a copy of the output that then takes its place in one step (see
    :func:`sitegen.publish.spare.changing`; with ``keep``, the copy kept in the cache folder). When
    deferring (the preview's own folder), the files are not rendered but handed back, each as a
    :class:`Deferred`, with those an earlier build handed back unrendered (see build), and the
    output is changed in place.
    """
    (defer, again), config, site = deferring, run.config, run.checked.site
    community = plan.community_manifest
    changed = [
        (COMMUNITY, o) for o in plan.community if state.community.get(o.dest) != community[o.dest] or o.dest in again
    ]
    manifest, previous = dict(community), dict(state.community)
    for slug, group in plan.neighborhoods.items():
        made = plan.manifests[slug]
        changed += [(slug, o) for o in group if earlier[slug].get(o.dest) != made[o.dest] or o.dest in again]
        manifest.update(made)
    for old in earlier.values():
        previous.update(old)
    removed = set(previous) - set(manifest)
    run.clock.lap(f"planned {len(plan.outputs())} files of {len(plan.neighborhoods)} neighborhoods and the community")
    assets = static_hashes(config.theme_dirs)
    if defer:
        pending = {o.dest: Deferred(group, functools.partial(_render_with, run, assets, o)) for group, o in changed}
        apply_changes(config.output_dir, {}, manifest, previous, config.theme_dirs)
        return _Written(len(changed), pending, removed)
    files = _Rendering(run, assets, [o for _group, o in changed])
    try:
        with changing(config.output_dir, config.cache_dir if keep else None) as copy:
            with collecting():  # rendering leaves cycles (Jinja's contexts): 50 MB for a district's community
                written = apply_changes(copy.root, files, manifest, previous, config.theme_dirs)
            copy.touched.update(written, removed)
            run.clock.lap(f"rendered {len(changed)} files, wrote {len(written)}")
            if state.indexed is not None:
                run.indexed = search.updated_pages(state.indexed, files.marked, removed)
            elif _indexing(site, config):  # a state from before the list was kept
                run.indexed = search.indexed_pages(copy.root)
            copy.touched.add(search.BUNDLE)  # until it is known which of the index's files changed
            touched = _index(copy.root, site, config, run.reporter, run.indexed, {*written, *removed}, state.indexed)
            copy.touched.discard(search.BUNDLE)
            copy.touched.update(touched)
            jobs = []
            for name, group_jobs, made in _groups(plan):
                before = state.community if name == COMMUNITY else earlier[name]
                jobs += to_print(_pdf_jobs(group_jobs, made), made, before, copy.root)
            copy.touched.update(pdf for _html, pdf in jobs)
            _print(copy.root, jobs, site, run.reporter)
    except DiskFull as exc:
        bundle = config.output_dir / search.BUNDLE
        exc.needed = files.needed(config.output_dir) + (tree_size(bundle)[0] if bundle.is_dir() else 0)
        raise
    return _Written(len(changed), {}, removed)


class _Rendering:
    """The changed files of a build, each rendered when it is written and let go once it is (the
    community's files of a district are 50 MB together); of each, whether the search index holds it
    is kept, and how large it was.

    An error rendering one stops the build inside the copy of the output it was changing, which is
    then dropped: the output stays as it was.
    """

    def __init__(self, run: _Run, assets: dict[str, str], outputs: list[routes.Output]) -> None:
        self.run, self.assets, self.outputs = run, assets, outputs
        self.marked: dict[str, bool] = {}  # the files rendered so far, whether each marks content
        self.size = 0  # their bytes

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for output in self.outputs:
            data = self.run.render(output, self.assets)
            self.marked[output.dest] = search.marks_content(output.dest, data)
            self.size += len(data)
            yield output.dest, data

    def needed(self, output_dir: Path) -> int:
        """About how many bytes the files take: those rendered, and the rest as large as they were."""
        rest = 0
        for output in self.outputs:
            if output.dest not in self.marked:
                try:
                    rest += (output_dir / output.dest).stat().st_size
                except OSError:
                    pass
        return self.size + rest


def _render_with(run: _Run, assets: dict[str, str], output: routes.Output) -> bytes:
    return run.render(output, assets)


def _remember(run: _Run, state: BuildState, plan: Plan, signature: str) -> None:
    """Note in the state what this build read and made, for the next build to compare with."""
    if plan.written is not None:
        state.replace_manifests(plan.written)
    for slug, size in plan.sizes.items():
        if slug == COMMUNITY:
            continue
        state.set_manifest(slug, plan.manifests.get(slug), run.fingerprints[slug], size)
        if plan.printed[slug]:
            state.printed.add(slug)
        else:
            state.printed.discard(slug)
    state.inputs, state.community, state.problems = signature, plan.community_manifest, run.checked.problems
    state.indexed = run.indexed
    run.codes.save()


# ----------------------------------------------------------------------------------------------
# PDFs: kept in the output (and in its manifests) until their sheet changes; printed where wanted

COMMUNITY = ""  # the community's group of files, beside each neighborhood's


def _is_pdf(manifest: dict[str, str], dest: str) -> bool:
    return manifest[dest].startswith(PRINTED)


def _groups(plan: Plan) -> Iterator[tuple[str, list[tuple[str, str]], dict[str, str]]]:
    """Each group of files made now: its name, its (sheet, PDF) pairs and its manifest."""
    yield COMMUNITY, plan.jobs[COMMUNITY], plan.community_manifest
    for slug, manifest in plan.manifests.items():
        yield slug, plan.jobs[slug], manifest


def _pdf_jobs(jobs: list[tuple[str, str]], manifest: dict[str, str]) -> list[tuple[str, str]]:
    """The (sheet, PDF) pairs of a group whose PDF the output holds after this build."""
    return [(html, pdf) for html, pdf in jobs if pdf in manifest]


def _printed_all(jobs: list[tuple[str, str]], manifest: dict[str, str]) -> bool:
    """Whether every sheet of a group has its PDF after this build."""
    return all(pdf in manifest for _html, pdf in jobs)


def _dropped(manifest: dict[str, str], before: dict[str, str]) -> int:
    """How many PDFs a group had that it no longer has (their sheets changed and were not printed again)."""
    return sum(1 for dest, made in before.items() if made.startswith(PRINTED) and dest not in manifest)


class _Before(dict[str, dict[str, str]]):
    """What each group made now had written before (for the PDFs that may be kept), by group.

    Known only while the output is intact; of the neighborhoods that did not change, read from the
    state when asked for (without keeping it), and only where a PDF was ever printed.
    """

    def __init__(self, state: BuildState, known: dict[str, dict[str, str]], read: bool) -> None:
        super().__init__(known)
        self.state, self.read = state, read

    def __missing__(self, slug: str) -> dict[str, str]:
        return (self.state.read_manifest(slug) or {}) if self.read else {}


def _printed_before(state: BuildState, earlier: dict[str, dict[str, str]] | None) -> _Before:
    """What each neighborhood made now had written before (see _Before); ``earlier``: what the changed
    ones wrote (None: not known for sure, nothing is kept)."""
    if earlier is None:
        return _Before(state, {}, False)
    # PDFs were printed into this output: those of unchanged sheets stay.
    return _Before(state, earlier, bool(state.printed))


def _tell_dropped(run: _Run, plan: Plan) -> None:
    """Say so when PDFs of sheets that changed were removed (a build that does not print)."""
    if not run.config.pdf and plan.dropped:
        run.reporter.info(
            _(
                "removed {count} PDFs of sheets that changed since they were printed; `sitegen pdf` prints them again",
                count=plan.dropped,
            )
        )


def _print(root: Path, jobs: list[tuple[str, str]], site: Site, reporter: Reporter) -> None:
    if jobs:
        reporter.info(_("printing {count} PDFs with headless Chromium …", count=len(jobs)))
        print_sheets(root, jobs, site.today, reporter.info)


def _indexing(site: Site, config: SiteConfig) -> bool:
    return site.search and config.index_search


def _index(
    root: Path,
    site: Site,
    config: SiteConfig,
    reporter: Reporter,
    pages: list[str] | None,
    changed: Iterable[str] | None = None,
    before: list[str] | None = None,
) -> list[str]:
    """Bring the search index of the pages under ``root`` up to date; the paths below ``root`` changed.

    ``pages``: the pages that mark content for the index, when known (else they are looked for);
    ``changed``: the files written or removed since the index was made of the pages ``before``
    (either None: the index is made whole).
    """
    gone = search.remove_legacy(root)
    if not site.search:
        if not (root / search.BUNDLE).exists():
            return gone
        shutil.rmtree(root / search.BUNDLE)
        return [*gone, search.BUNDLE]
    if not config.index_search:
        return gone
    if pages is None:
        pages = search.indexed_pages(root)
    done = search.index_site(root, pages, changed, before)
    if done is None:
        return gone
    reporter.info(_("indexed the pages for search into {folder}/", folder=search.BUNDLE))
    return [*gone, *(done.touched if done.touched is not None else [search.BUNDLE])]


def plan_manifest(
    outputs: list[routes.Output], sums: Digests, config: SiteConfig, previous: dict[str, str]
) -> dict[str, str]:
    """The fingerprint of every file the build writes or keeps: pages and other files, and the PDFs
    of sheets (those printed now, and those printed before from a sheet that did not change).

    A page that links to PDFs (a sheet to its own, a print index to those beside it) has those
    links in its fingerprint, so it is made again when they come or go.
    """
    manifest = {o.dest: sums.fingerprint(o.template, o.sources) for o in outputs}
    jobs = printables.pdf_jobs(outputs)
    pdfs = pdf_entries(jobs, manifest, previous, config.output_dir, config.pdf)
    own = dict(jobs)
    for output in outputs:
        if output.template in printables.LINKING_TEMPLATES:
            links = linked(output.dest, own.get(output.dest), set(pdfs))
            if links:
                manifest[output.dest] = hash_parts(manifest[output.dest], *links)
    manifest.update(pdfs)
    return manifest
