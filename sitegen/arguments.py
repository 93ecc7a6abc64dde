"""Read the command line in the reader's language: argparse's own words from the catalogs, and "did you mean"."""

from __future__ import annotations

import argparse
import contextlib
import difflib
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from sitegen.i18n import Message, _, ngettext, translate

# argparse's messages that users can see, as argparse writes them, so that the catalogs translate them.
ARGPARSE_MESSAGES = (
    _("usage: "),
    _("positional arguments"),
    _("options"),
    _("show this help message and exit"),
    _("show program's version number and exit"),
    _("%(prog)s: error: %(message)s\n"),
    _("argument %(argument_name)s: %(message)s"),
    _("invalid choice: %(value)r (choose from %(choices)s)"),
    _("invalid %(type)s value: %(value)r"),
    _("the following arguments are required: %s"),
    _("one of the arguments %s is required"),
    _("unrecognized arguments: %s"),
    _("expected one argument"),
    _("expected at most one argument"),
    _("expected at least one argument"),
    ngettext("expected %s argument", "expected %s arguments", 2),
    _("ambiguous option: %(option)s could match %(matches)s"),
    _("ignored explicit argument %r"),
    _("not allowed with argument %s"),
    _("unexpected option string: %s"),
)


@contextlib.contextmanager
def argparse_speaking(lang: str) -> Iterator[None]:
    """While inside, argparse says its words (usage, help headings, errors) in ``lang``."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def say(message: str) -> str:
        return str(translate(Message(message), lang))

    def say_n(singular: str, plural: str, count: int) -> str:
        return str(translate(Message(singular, plural, count), lang))

    argparse._, argparse.ngettext = say, say_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class UsageError(Exception):
    """The command line is wrong: ``parser`` (the command's own) tells how to use it."""

    def __init__(self, parser: Parser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that knows its options and commands, and raises UsageError instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options: list[str] = []
        self.commands: dict[str, Parser] = {}
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.options += action.option_strings
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices  # filled as commands are added
        return action

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


def diagnose(parser: Parser, argv: Sequence[str]) -> tuple[Parser, list[Message]]:
    """The parser of the command ``argv`` names (to show its usage), and a "did you mean" for each
    command or option in ``argv`` that is unknown but like one that is known."""
    hints: list[Message] = []
    words = list(argv)
    while parser.commands:
        index = next((i for i, word in enumerate(words) if not word.startswith("-")), None)
        hints += _options_like(parser, words[:index])
        if index is None:
            return parser, hints
        command = words[index]
        if command not in parser.commands:
            near = difflib.get_close_matches(command, parser.commands, n=1, cutoff=0.6)
            return parser, hints + [_("did you mean `{words}`?", words=f"{parser.prog} {n}") for n in near]
        parser, words = parser.commands[command], words[index + 1 :]
    return parser, hints + _options_like(parser, words)


def _options_like(parser: Parser, words: Sequence[str]) -> list[Message]:
    hints = []
    long_options = [option for option in parser.options if option.startswith("--")]
    for word in words:
        option = word.split("=", 1)[0]
        if not option.startswith("--") or any(known.startswith(option) for known in long_options):
            continue  # not an option, or one argparse takes (options may be shortened)
        hints += [_("did you mean `{words}`?", words=n) for n in difflib.get_close_matches(option, long_options, n=1)]
    return hints


def explain(parser: Parser, argv: Sequence[str], error: UsageError, lang: str) -> str:
    """What to print for a usage error: the usage of the command meant, the error, and what was likely meant."""
    command, hints = diagnose(parser, argv)
    said = str(translate(Message("%(prog)s: error: %(message)s\n"), lang))
    text = command.format_usage() + said % {"prog": command.prog, "message": error.message}
    return text + "".join(f"{translate(hint, lang)}\n" for hint in hints)
