"""Render one planned output to bytes with the theme's templates, in the output's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Container

import jinja2

from sitegen.content.model import Site, SiteMap
from sitegen.errors import SitegenError
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, localize, translate
from sitegen.plan.routes import Output

_localized: dict[str, tuple[Site, Site]] = {}


def _localized_site(site: Site, lang: str) -> Site:
    """The site with its text in ``lang``, made once per site and language."""
    made = _localized.get(lang)
    if made is None or made[0] is not site:
        made = _localized[lang] = (site, localize(site, lang, (SiteMap,)))
    return made[1]


def render_output(
    env: jinja2.Environment,
    output: Output,
    site: Site,
    base_url: str,
    assets: dict[str, str],
    pdf: Container[str] = (),
) -> bytes:
    """Render one page to bytes; template mistakes become SitegenErrors naming the template line.

    ``pdf`` holds the PDFs of sheets the output will hold, for the print pages to link to.
    """
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
