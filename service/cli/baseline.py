"""`--baseline FILE --new-only` for review commands: a CI gate fails only on findings a previous run did not
have. A review adds both flags with `baseline_options(parser)` and filters with one `apply_baseline` call,
passing its finding identity (service/history/baseline.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from service.errors import QueryError


def baseline_options(parser: argparse.ArgumentParser) -> None:
    """--baseline FILE --new-only, for any review command whose --format json is a list of findings."""
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE",
        help="a previous run's --format json: findings in it do not fail the gate",
    )
    parser.add_argument("--new-only", action="store_true", help="list only findings not in --baseline")


def apply_baseline(
    args: argparse.Namespace, findings: Sequence[dict[str, Any]], identity: Callable[[Any], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the findings to list, the findings the gate judges): with --baseline the gate judges only the new
    ones; with --new-only those are also all that is listed.

    Raises:
        QueryError: --new-only without --baseline.
        InputError: the baseline file is unreadable or not such a list.
    """
    from service.history.baseline import new_findings, read_baseline

    if args.baseline is None:
        if args.new_only:
            raise QueryError("--new-only needs --baseline FILE (a previous run's --format json)")
        return list(findings), list(findings)
    fresh = [dict(f) for f in new_findings(findings, read_baseline(args.baseline, identity), identity)]
    return (fresh if args.new_only else list(findings)), fresh
