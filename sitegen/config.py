"""Where sitegen reads and writes, as given on the command line: a frozen SiteConfig."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import sitegen
from sitegen.i18n import DEFAULT_LANGUAGE

CACHE_DIR = ".sitegen-cache"


@functools.cache
def default_theme() -> Path | None:
    """The default theme's folder, or None when this sitegen has none.

    An installed sitegen carries it as package data, ``sitegen/themes/default``; in a checkout (and an
    editable install of one) it is ``themes/default`` at the top of the repository.
    """
    package = resources.files(sitegen)
    if not isinstance(package, Path):  # imported from a zip file: templates must be files on disk
        return None
    for theme in (package / "themes" / "default", package.parent / "themes" / "default"):
        if theme.is_dir():
            return theme.resolve()
    return None


@dataclass(frozen=True)
class SiteConfig:
    """Paths and switches for one run; ``display_root`` is how content paths are printed, ``lang`` the
    language of messages."""

    content_dir: Path
    output_dir: Path
    theme_dirs: tuple[Path, ...]
    display_root: str
    base_url: str = ""
    strict: bool = False
    pdf: bool = False
    cache_dir: Path | None = None
    lang: str = DEFAULT_LANGUAGE
    index_search: bool = True  # index the pages when site.yaml has search on (`sitegen serve` does not)
    today: dt.date | None = None  # the date to build "as of" when the caller decides it (`sitegen edit`)


def cache_dir_of(output: Path) -> Path:
    """Where the build state of ``output`` is kept: ``.sitegen-cache/<name>/`` beside it.

    Beside the output (never inside it: the output is replaced whole), one folder per output, so
    that outputs built in turn in one folder each stay incremental. Every entry is sealed with the
    program that wrote it (sitegen.cache), so a new sitegen never uses what an older one wrote.
    """
    where = output.resolve()
    return where.parent / CACHE_DIR / where.name


def load_config(
    content: str = "content",
    output: str = "output",
    theme: str | None = None,
    base_url: str = "",
    strict: bool = False,
    pdf: bool = False,
    lang: str = DEFAULT_LANGUAGE,
) -> SiteConfig:
    """Build the SiteConfig; a theme given by the user comes before the default theme it extends."""
    themes = [Path(theme)] if theme else []
    default = default_theme()
    if default and all(t.resolve() != default for t in themes):
        themes.append(default)
    return SiteConfig(
        content_dir=Path(content),
        output_dir=Path(output),
        theme_dirs=tuple(themes),
        display_root=content.rstrip("/\\") or ".",
        base_url=base_url,
        strict=strict,
        pdf=pdf,
        cache_dir=cache_dir_of(Path(output)),
        lang=lang,
    )
