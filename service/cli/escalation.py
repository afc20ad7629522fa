"""`accessgraph escalations | admins`: privilege escalation for scripts and CI.

Both ask the reachability layer in-process, as who-can does, and write `--format json` as `[Access]` in the
shape of the GraphQL selection ESCALATION_ACCESS_FIELDS (service/cli/questions.py): for `escalations`,
`principal` is what is reached; for `admins`, the administrator or the principal that can become one.

`admins --fail-on-escalation` exits 1 when any principal that is not an administrator can become one (a CI
gate); 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from service.cli.questions import _check_limit, _output_options, _print_accesses, _within_limit, ask


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    escalations = subparsers.add_parser(
        "escalations",
        help="everything a principal can become or gain by assuming roles and escalation techniques",
    )
    escalations.add_argument("principal_arn", metavar="ARN", help="a user or role ARN")
    escalations.add_argument("--max-hops", type=int, default=3, help="steps of every kind (default 3)")
    _output_options(escalations)
    escalations.set_defaults(func=_escalations)

    admins = subparsers.add_parser(
        "admins",
        help="administrators of their account, and who can become one",
        description="Lists the principals allowed every action on every resource of their account "
        "(docs/escalation-questions.md) and, unless --no-escalation, those that can become one. Exit code 1 "
        "with --fail-on-escalation when any non-administrator can become one; 0 otherwise.",
    )
    admins.add_argument("--account", metavar="ACCOUNT_ID", help="only principals of this account")
    admins.add_argument("--no-escalation", action="store_true", help="only those that are administrators now")
    admins.add_argument("--max-hops", type=int, default=3, help="steps of every kind (default 3)")
    admins.add_argument(
        "--fail-on-escalation", action="store_true", help="exit 1 when any non-administrator can become one"
    )
    _output_options(admins)
    admins.set_defaults(func=_admins)


def _escalations(args: argparse.Namespace) -> int:
    _check_limit(args.limit)
    accesses = ask(lambda reachability: reachability.escalations(args.principal_arn, args.max_hops))
    _print_accesses(_within_limit(accesses, args.limit, "escalations", technique=True), args.format, technique=True)
    return 0


def _admins(args: argparse.Namespace) -> int:
    _check_limit(args.limit)
    escalation = not args.no_escalation
    accesses = ask(lambda reachability: reachability.admins(args.account, escalation, args.max_hops))
    _print_accesses(_within_limit(accesses, args.limit, "admins", technique=True), args.format, technique=True)
    escalating = [access for access in accesses if access.hops > 0]
    if args.fail_on_escalation and escalating:
        print(f"admins: {len(escalating)} principal(s) can become an administrator", file=sys.stderr)
        return 1
    return 0
