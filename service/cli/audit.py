"""`accessgraph audit`: the findings of the GraphQL `findings` field, for scripts and CI.

It asks the audit in-process, as who-can does (a whole organization's findings through Strawberry would
cost more than the audit), and writes `--format json` as a list of findings in the GraphQL `Finding`'s
fields; the checks that could not run are in that list too (severity `unchecked`), so a CI job reading the
json sees them, and on stderr for the other formats.

Exit codes (besides those of every command): 1 when a finding is in a --fail-on category, or a --fail-on
check could not run (the gate cannot say it passed).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from service.cli import jsonout
from service.cli.baseline import apply_baseline, baseline_options
from service.cli.batch import without_cycle_collection
from service.cli.questions import FORMATS, _print_rows, fail_on_categories
from service.errors import QueryError

if TYPE_CHECKING:  # imported when the audit runs: the driver and the evaluator cost most of a run
    from service.audit import Audit, AuditSettings

UNCHECKED = "unchecked"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser(
        "audit",
        help="where the loaded accounts depart from the tutorial's best practices (CIS AWS Foundations v3.0.0)",
        description="Findings with evidence and CIS control (docs/audit.md), most severe first. Checks the loaded "
        "data cannot decide are listed as unchecked, never as passed. Exit code 1 when a finding is in a --fail-on "
        "category or a --fail-on check could not run; 0 otherwise.",
    )
    audit.add_argument("--account", metavar="ACCOUNT_ID", help="only this account (default: every loaded account)")
    audit.add_argument(
        "--fail-on", default="", metavar="CATEGORY[,CATEGORY]", help="exit 1 on a finding in these categories"
    )
    audit.add_argument("--max-key-age", type=int, default=90, metavar="DAYS", help="access key age limit (default 90)")
    audit.add_argument("--max-unused", type=int, default=90, metavar="DAYS", help="unused window (default 90)")
    audit.add_argument("--as-of", metavar="TIME", help="measure ages from this ISO 8601 time instead of now")
    audit.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    baseline_options(audit)
    audit.set_defaults(func=_audit)


def _audit(args: argparse.Namespace) -> int:
    with without_cycle_collection():  # the organization's findings and their json, made and dropped once
        return _audit_run(args)


def _audit_run(args: argparse.Namespace) -> int:
    from service.audit import CATEGORY_NAMES, settings_at

    fail_on = fail_on_categories(args.fail_on, CATEGORY_NAMES)
    if args.account is not None and not (len(args.account) == 12 and args.account.isdigit()):
        raise QueryError(f"--account must be a 12-digit account id, not {args.account!r}")
    settings = settings_at(args.as_of, args.max_key_age, args.max_unused)
    audit = _run(args.account, settings)
    from service.history.baseline import audit_identity

    # A baseline accepts findings, never a check that could not run: those still fail a gate naming them.
    listed, judged = apply_baseline(args, [f.as_json() for f in audit.findings], audit_identity)
    if args.format == "json":
        print(jsonout.dumps(listed + _unchecked_json(audit)))
    else:
        rows = [
            {
                "severity": str(f["severity"]),
                "category": str(f["category"]),
                "entity": str(f["entity"]["arn"]),
                "evidence": "; ".join(f"{k}={_text(v)}" for k, v in f["evidence"].items()),
                "cis": str(f["cis"]),
            }
            for f in listed
        ]
        _print_rows(rows, args.format)
        for u in audit.unchecked:
            print(f"audit: could not check {u.category}: {u.reason}", file=sys.stderr)
    failing = [f for f in judged if f["category"] in fail_on]
    undecided = sorted({u.category for u in audit.unchecked if u.category in fail_on})
    if failing:
        print(f"audit: {len(failing)} finding(s) in {', '.join(sorted(fail_on))}", file=sys.stderr)
    if undecided:
        print(f"audit: --fail-on checks that could not run: {', '.join(undecided)}", file=sys.stderr)
    return 1 if failing or undecided else 0


def _run(account: str | None, settings: AuditSettings) -> Audit:
    import asyncio

    from service.audit import findings
    from service.database import Neo4jSettings
    from service.database.reader import GraphReader
    from service.reachability import Reachability

    async def run() -> Audit:
        reader = GraphReader(Neo4jSettings.resolve(), timeout=300.0)
        try:
            return await findings(Reachability(reader), reader, account, settings)
        finally:
            await reader.close()

    return asyncio.run(run())


def audit_json(audit: Audit) -> list[dict[str, Any]]:
    """The findings as the GraphQL `Finding` answers them (evidence as an object), then the unchecked checks."""
    return [f.as_json() for f in audit.findings] + _unchecked_json(audit)


def _unchecked_json(audit: Audit) -> list[dict[str, Any]]:
    from service.audit.catalogue import CATEGORIES

    return [
        {
            "category": u.category,
            "severity": UNCHECKED,
            "accountId": u.account_id,
            "entity": {"arn": u.account_id, "kind": "account"},
            "evidence": {"reason": u.reason},
            "recommendation": "Load the data that decides this check",
            "cis": CATEGORIES[u.category].cis,
        }
        for u in audit.unchecked
    ]


def _text(value: object) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
