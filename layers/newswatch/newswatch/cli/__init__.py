"""The ``newswatch`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers) -> None``, which adds its parser and sets ``handler`` (a function taking
the parsed arguments and returning an exit code). Modules are imported only to register, so a
command pays at run time only for what it uses.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from newswatch.errors import NewswatchError

# The modules that make up the CLI, in the order `newswatch --help` lists them.
COMMAND_MODULES = (
    "extract",
    "match",
    "watchlists",
    "local",
    "rejections",
    "subscriptions",
    "stories",
    "dlq",
)

Handler = Callable[[argparse.Namespace], int]


class CommandParser(argparse.ArgumentParser):
    """A sub-command's parser: its description (the module docstring) keeps its line breaks."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(**kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="Extract news articles, match watchlists, and run the alerting stack.",
    )
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(f"newswatch.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except NewswatchError as error:
        print(f"newswatch: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
