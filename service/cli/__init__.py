"""The `accessgraph` command: one subcommand module per concern, each with `register(subparsers)`.

Building the parser imports no heavy module (neo4j, strawberry, starlette, uvicorn, boto3): each command
imports what it needs when it runs, so `--help` and quick questions start fast.

Exit codes: 0 success; 1 a finding (trust-review --fail-on, admins --fail-on-escalation) or another
accessgraph error; 2 bad input or question; 3 database unavailable; 4 provisioning failed; 5 a load's write
failed; 70 an internal error (a bug: run again with -v for the traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
import traceback
from collections.abc import Sequence

from service.errors import AccessgraphError

# Each module defines `register(subparsers) -> None` and sets `func(args) -> int` on its parsers.
INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h)
# Newlines stay: a failed load lists, a line each, what was written and what kept its previous snapshot.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_COMMAND_MODULES = (
    "service.cli.neo4j",
    "service.cli.simulate",
    "service.cli.load",
    "service.cli.serve",
    "service.cli.questions",
    "service.cli.escalation",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accessgraph",
        description="Who can reach what in AWS IAM, answered from a Neo4j graph.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Strawberry logs every resolver error with its traceback, and the driver each retry over several
        # lines, before the CLI reports the error in one (load's progress notes each retry in one line).
        logging.getLogger("strawberry").setLevel(logging.CRITICAL + 1)
        logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        code: int = args.func(args)
    except AccessgraphError as exc:
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted", prefix="accessgraph: ")
        return 130
    except Exception as exc:
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        _error(
            f"internal error ({type(exc).__name__}: {exc}); this is a bug"
            + ("" if args.verbose else " (run with -v for the traceback)"),
            prefix="accessgraph: ",
        )
        return INTERNAL_ERROR
    return code


def _error(message: str, prefix: str = "accessgraph: error: ") -> None:
    """The message on stderr, control characters (from a file name, an ARN typed in) shown escaped."""
    line = _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), message)
    print(prefix + line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
