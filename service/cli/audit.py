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
import json
import sys
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from service.cli.questions import FORMATS, _print_rows, fail_on_categories
from service.errors import QueryError

if TYPE_CHECKING:  # imported when the audit runs: the driver and the evaluator cost most of a run
    from service.audit import Audit, AuditSettings, Finding

UNCHECKED = "unchecked"
_string = encode_basestring_ascii  # json.dumps of a str: the C escaper, \u-escaping non-ASCII


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
    audit.set_defaults(func=_audit)


def _audit(args: argparse.Namespace) -> int:
    from service.audit import CATEGORY_NAMES, settings_at

    fail_on = fail_on_categories(args.fail_on, CATEGORY_NAMES)
    if args.account is not None and not (len(args.account) == 12 and args.account.isdigit()):
        raise QueryError(f"--account must be a 12-digit account id, not {args.account!r}")
    settings = settings_at(args.as_of, args.max_key_age, args.max_unused)
    audit = _run(args.account, settings)
    if args.format == "json":
        print(json_text(audit))
    else:
        rows = [
            {
                "severity": f.severity,
                "category": f.category,
                "entity": f.subject.arn,
                "evidence": "; ".join(f"{k}={_text(v)}" for k, v in f.evidence),
                "cis": f.cis,
            }
            for f in audit.findings
        ]
        _print_rows(rows, args.format)
        for u in audit.unchecked:
            print(f"audit: could not check {u.category}: {u.reason}", file=sys.stderr)
    failing = [f for f in audit.findings if f.category in fail_on]
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


def json_text(audit: Audit) -> str:
    """`json.dumps(audit_json(audit), indent=2)`: the same text, made from the findings directly. An
    organization's 118k findings took 4 s through dicts and the standard library's indenting encoder, which
    is pure Python (its C encoder has no indent on Python 3.11); here each finding is one format of strings
    escaped by the C escaper."""
    items = [_finding_text(f) for f in audit.findings] + [_indented(u, 1) for u in _unchecked_json(audit)]
    return "[\n  " + ",\n  ".join(items) + "\n]" if items else "[]"


def _finding_text(finding: Finding) -> str:
    about = _ABOUT.get(finding.category) or _ABOUT.setdefault(finding.category, _about(finding))
    evidence = ",\n      ".join(f"{_string(key)}: {_scalar(value)}" for key, value in finding.evidence_map.items())
    return _FINDING.format(
        about[0], about[1], _string(finding.account_id), _string(finding.subject.arn), _string(finding.subject.kind),
        "{\n      " + evidence + "\n    }" if evidence else "{}", about[2], about[3],
    )


# A finding as json.dumps(..., indent=2) writes it inside the list (Finding.as_json's keys, in its order).
_FINDING = (
    '{{\n    "category": {0},\n    "severity": {1},\n    "accountId": {2},\n    "entity": {{\n      "arn": {3},\n'
    '      "kind": {4}\n    }},\n    "evidence": {5},\n    "recommendation": {6},\n    "cis": {7}\n  }}'
)


def _about(finding: Finding) -> tuple[str, str, str, str]:
    return (_string(finding.category), _string(finding.severity), _string(finding.recommendation),
            _string(finding.cis))


_ABOUT: dict[str, tuple[str, str, str, str]] = {}


def _indented(value: object, depth: int) -> str:
    if isinstance(value, dict) and value:
        inner = "\n" + "  " * (depth + 1)
        items = [f"{_string(str(k))}: {_indented(v, depth + 1)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "}"
    return _scalar(value)


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if type(value) is int:
        return int.__repr__(value)
    return _CONSTANTS[value] if value is None or isinstance(value, bool) else json.dumps(value)


_CONSTANTS = {None: "null", True: "true", False: "false"}


def _text(value: object) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
