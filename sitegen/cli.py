"""Parse the command line and run build, check, serve, edit, new or schema; map errors to exit codes."""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.arguments import Parser, UsageError, argparse_speaking, explain
from sitegen.build import build, check
from sitegen.config import load_config
from sitegen.content.format import write_schemas
from sitegen.content.scaffold import new_neighborhood, new_site, schema_for_editors
from sitegen.edit import command as edit_command
from sitegen.errors import BuildAborted, SitegenError, has_errors
from sitegen.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, translate
from sitegen.report import ConsoleReporter, summarize

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _parser(lang: str = DEFAULT_LANGUAGE) -> Parser:
    """The command line's parser, its help in ``lang`` (argparse's own words too: make it and use it
    inside ``argparse_speaking(lang)``). Short options as MkDocs, Pelican and Zola have them."""

    def say(message: str) -> str:
        return str(translate(message, lang))

    parser = Parser(prog="sitegen", description=say(_("Build a community's website and print kit from YAML content.")))
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"sitegen {__version__}",
        help=say(_("show program's version number and exit")),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, within: Any = commands) -> Parser:
        sub: Parser = within.add_parser(name, help=help, description=help)
        sub.add_argument("--debug", action="store_true", help=say(_("show a traceback on internal errors")))
        sub.add_argument("-q", "--quiet", action="store_true", help=say(_("say only what is wrong")))
        return sub

    def content_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--content",
            default="content",
            metavar="DIR",
            help=say(_("content directory (default: content)")),
        )
        lang_option(sub)

    def lang_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--lang",
            default=DEFAULT_LANGUAGE,
            choices=list(LANGUAGES),
            help=say(_("language of the messages: zh, Simplified Chinese (the default), or en, English")),
        )

    sub = command("build", say(_("Check the content and build the website into the output directory.")))
    content_option(sub)
    sub.add_argument(
        "-o", "--output", default="output", metavar="DIR", help=say(_("output directory (default: output)"))
    )
    sub.add_argument("-t", "--theme", metavar="DIR", help=say(_("theme directory overriding the default theme")))
    sub.add_argument("--base-url", default="", metavar="URL", help=say(_("absolute address the site is published at")))
    sub.add_argument("--strict", action="store_true", help=say(_("treat warnings as errors")))
    sub.add_argument("--pdf", action="store_true", help=say(_("also print every sheet to PDF with headless Chromium")))
    sub.add_argument("--clean", action="store_true", help=say(_("forget earlier builds: render and write everything")))

    sub = command("pdf", say(_("Build, then print every sheet to PDF with headless Chromium (same options as build).")))
    content_option(sub)
    sub.add_argument(
        "-o", "--output", default="output", metavar="DIR", help=say(_("output directory (default: output)"))
    )
    sub.add_argument("-t", "--theme", metavar="DIR", help=say(_("theme directory overriding the default theme")))
    sub.add_argument("--base-url", default="", metavar="URL", help=say(_("absolute address the site is published at")))
    sub.add_argument("--strict", action="store_true", help=say(_("treat warnings as errors")))

    sub = command("serve", say(_("Preview the site on this computer, rebuilding and reloading on every save.")))
    content_option(sub)
    sub.add_argument("-t", "--theme", metavar="DIR", help=say(_("theme directory overriding the default theme")))
    sub.add_argument("--base-url", default="", metavar="URL", help=say(_("absolute address the site is published at")))
    sub.add_argument("--strict", action="store_true", help=say(_("treat warnings as errors")))
    sub.add_argument(
        "--host", default="127.0.0.1", help=say(_("address to listen on (default: 127.0.0.1, this computer only)"))
    )
    sub.add_argument(
        "-p", "--port", type=int, default=8000, help=say(_("port to listen on (default: 8000; 0 picks a free one)"))
    )

    sub = command("edit", say(_("Edit the content in a browser; every save is checked and committed to git.")))
    content_option(sub)
    edit_command.add_arguments(sub, say)

    sub = command("check", say(_("Check the content and report every problem; write nothing.")))
    content_option(sub)
    sub.add_argument("--base-url", default="", metavar="URL", help=say(_("absolute address the site is published at")))
    sub.add_argument("--strict", action="store_true", help=say(_("treat warnings as errors")))

    new_help = say(_("Write a commented example an editor fills in."))
    new = commands.add_parser("new", help=new_help, description=new_help)
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    sub = command("neighborhood", say(_("Write a commented neighborhood into the content directory.")), kinds)
    content_option(sub)
    sub.add_argument("slug", help=say(_("folder name used in web addresses, e.g. hexie-jiayuan")))
    sub.add_argument("--name", default="", help=say(_("the neighborhood's name, e.g. 和谐家园")))
    sub = command("site", say(_("Start a community of your own: a complete, commented content folder.")), kinds)
    sub.add_argument("dir", nargs="?", default=".", metavar="DIR", help=say(_("where to write (default: here)")))
    sub.add_argument("--name", default="", help=say(_("the community's name, e.g. 锦华社区")))
    lang_option(sub)

    sub = command("schema", say(_("Write the JSON Schema of each content file, for editors.")))
    sub.add_argument("-o", "--output", default="schema", metavar="DIR", help=say(_("where to write (default: schema)")))
    return parser


def _run(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    if args.command == "check":
        config = load_config(content=args.content, base_url=args.base_url, strict=args.strict, lang=args.lang)
        result = check(config, reporter)
        failed = result.site is None or has_errors(result.problems, strict=config.strict)
        summary = summarize(result.problems)
        if failed:
            reporter.info(_("{root}: has problems ({summary})", root=config.display_root, summary=summary))
        else:
            reporter.info(_("{root}: is valid ({summary})", root=config.display_root, summary=summary))
        return EXIT_ERROR if failed else EXIT_OK
    if args.command in ("build", "pdf"):
        pdf = args.command == "pdf" or args.pdf
        config = load_config(args.content, args.output, args.theme, args.base_url, args.strict, pdf, args.lang)
        if args.whole_process:
            # The process ends after the build: no cycle collection over what it made, during or after.
            gc.disable()
        built = build(config, reporter, clean=getattr(args, "clean", False))
        if args.whole_process:
            gc.freeze()
        if built.problems:
            reporter.info(summarize(built.problems))
        return EXIT_OK
    if args.command == "serve":
        config = load_config(args.content, theme=args.theme, base_url=args.base_url, strict=args.strict, lang=args.lang)
        if not config.content_dir.is_dir():
            raise SitegenError(_("the content directory {path} does not exist", path=str(config.content_dir)))
        from sitegen.preview.serve import serve  # the web server and the file watcher only for this command

        return serve(config, reporter, args.host, args.port)
    if args.command == "edit":
        return edit_command.run(args, reporter)
    if args.command == "new" and args.kind == "site":
        content = new_site(Path(args.dir), args.name)
        reporter.info(_("wrote {path}: a community to make your own", path=str(content)))
        reporter.info(_("next: fill in {path}, then run `sitegen check` and `sitegen build`", path=str(content)))
        return EXIT_OK
    if args.command == "new":
        path = new_neighborhood(Path(args.content), args.slug, args.name)
        reporter.info(_("wrote {path}; fill it in, then run `sitegen check`", path=str(path)))
        for schema in schema_for_editors(Path(args.content)):
            reporter.info(
                _("wrote {path} (editors use it for completion and to show mistakes as you type)", path=str(schema))
            )
        return EXIT_OK
    if args.command == "schema":
        for path in write_schemas(Path(args.output)):
            reporter.info(_("wrote {path}", path=str(path)))
        return EXIT_OK
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run sitegen; return 0 on success, 1 on content or build errors, 2 on usage errors."""
    whole_process = argv is None  # run from the command line, not called by other code
    argv = list(sys.argv[1:] if argv is None else argv)
    asked = [a.split("=", 1)[-1] for a in argv if a.startswith("--lang=")]
    asked += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"]
    lang = asked[-1] if asked and asked[-1] in LANGUAGES else DEFAULT_LANGUAGE
    with argparse_speaking(lang):
        parser = _parser(lang)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        except UsageError as exc:
            print(explain(parser, argv, exc, lang), file=sys.stderr, end="")
            return EXIT_USAGE
    reporter = ConsoleReporter(lang=getattr(args, "lang", DEFAULT_LANGUAGE), quiet=args.quiet)
    args.whole_process = whole_process
    try:
        return _run(args, reporter)
    except BuildAborted as exc:
        reporter.error(f"sitegen: {translate(exc.args[0], reporter.lang)}")
        return EXIT_ERROR
    except SitegenError as exc:
        if args.debug:
            traceback.print_exc()
        reporter.error(_("sitegen: error: {problem}", problem=exc.args[0] if exc.args else ""))
        return EXIT_ERROR
    except KeyboardInterrupt:
        reporter.error(_("sitegen: interrupted"))
        return 130
    except Exception as exc:
        if args.debug:
            raise
        reporter.error(
            _(
                "sitegen: internal error: {error}\n"
                "This is a bug in sitegen, not in your content. Run again with --debug for details.",
                error=f"{type(exc).__name__}: {exc}",
            )
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
