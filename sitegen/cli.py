"""Parse the command line and run build, check, new or schema; map errors to exit codes."""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from sitegen import __version__
from sitegen.build import build, check
from sitegen.config import load_config
from sitegen.content_schema import write_schemas
from sitegen.errors import BuildAborted, SitegenError, has_errors
from sitegen.report import ConsoleReporter, summarize
from sitegen.scaffold import new_neighborhood, schema_for_editors

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Build a community's website and print kit from YAML content.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
        return sub

    def content_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--content",
            default="content",
            metavar="DIR",
            help="content directory (default: content)",
        )

    sub = command("build", "Check the content and build the website into the output directory.")
    content_option(sub)
    sub.add_argument("--output", default="output", metavar="DIR", help="output directory (default: output)")
    sub.add_argument("--theme", metavar="DIR", help="theme directory overriding the default theme")
    sub.add_argument("--base-url", default="", metavar="URL", help="absolute address the site is published at")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
    sub.add_argument("--pdf", action="store_true", help="also print every sheet to PDF with headless Chromium")
    sub.add_argument("--clean", action="store_true", help="forget earlier builds: render and write everything")

    sub = command("pdf", "Build, then print every sheet to PDF with headless Chromium (same options as build).")
    content_option(sub)
    sub.add_argument("--output", default="output", metavar="DIR", help="output directory (default: output)")
    sub.add_argument("--theme", metavar="DIR", help="theme directory overriding the default theme")
    sub.add_argument("--base-url", default="", metavar="URL", help="absolute address the site is published at")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    sub = command("serve", "Preview the site on this computer, rebuilding and reloading on every save.")
    content_option(sub)
    sub.add_argument("--theme", metavar="DIR", help="theme directory overriding the default theme")
    sub.add_argument("--base-url", default="", metavar="URL", help="absolute address the site is published at")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
    sub.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)"
    )
    sub.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")

    sub = command("check", "Check the content and report every problem; write nothing.")
    content_option(sub)
    sub.add_argument("--base-url", default="", metavar="URL", help="absolute address the site is published at")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    sub = command("new", "Write a commented example an editor fills in.")
    content_option(sub)
    sub.add_argument("kind", choices=["neighborhood"], help="what to create")
    sub.add_argument("slug", help="folder name used in web addresses, e.g. hexie-jiayuan")
    sub.add_argument("--name", default="", help="the neighborhood's name, e.g. 和谐家园")

    sub = command("schema", "Write the JSON Schema of each content file, for editors.")
    sub.add_argument("--output", default="schema", metavar="DIR", help="where to write (default: schema)")
    return parser


def _run(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    if args.command == "check":
        config = load_config(content=args.content, base_url=args.base_url, strict=args.strict)
        result = check(config, reporter)
        failed = result.site is None or has_errors(result.problems, strict=config.strict)
        state = "has problems" if failed else "is valid"
        reporter.info(f"{config.display_root}: {state} ({summarize(result.problems)})")
        return EXIT_ERROR if failed else EXIT_OK
    if args.command in ("build", "pdf"):
        pdf = args.command == "pdf" or args.pdf
        config = load_config(args.content, args.output, args.theme, args.base_url, args.strict, pdf)
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
        config = load_config(args.content, theme=args.theme, base_url=args.base_url, strict=args.strict)
        if not config.content_dir.is_dir():
            raise SitegenError(f"the content directory {config.content_dir} does not exist")
        from sitegen.serve import serve  # the web server and the file watcher only for this command

        return serve(config, reporter, args.host, args.port)
    if args.command == "new":
        path = new_neighborhood(Path(args.content), args.slug, args.name)
        reporter.info(f"wrote {path}; fill it in, then run `sitegen check`")
        for schema in schema_for_editors(Path(args.content)):
            reporter.info(f"wrote {schema} (editors use it for completion and to show mistakes as you type)")
        return EXIT_OK
    if args.command == "schema":
        for path in write_schemas(Path(args.output)):
            reporter.info(f"wrote {path}")
        return EXIT_OK
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run sitegen; return 0 on success, 1 on content or build errors, 2 on usage errors."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    reporter = ConsoleReporter()
    args.whole_process = argv is None  # run from the command line, not called by other code
    try:
        return _run(args, reporter)
    except BuildAborted as exc:
        reporter.info(f"sitegen: {exc}")
        return EXIT_ERROR
    except SitegenError as exc:
        if args.debug:
            traceback.print_exc()
        reporter.info(f"sitegen: error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        reporter.info("sitegen: interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        reporter.info(
            f"sitegen: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in sitegen, not in your content. Run again with --debug for details."
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
