"""`accessgraph who-can-assume | who-can | trust-review | resource-review`: the API's answers for scripts and CI.

`who-can-assume` and `who-can` ask the reachability layer the API's resolvers ask, in-process, and write
`--format json` in exactly the shape of the GraphQL `Access` selection below (a test holds the two equal);
they skip Strawberry and Starlette, which would triple a small account's run time. `trust-review` runs
its GraphQL query in-process, and so does `resource-review` (the `externalAccess` question). Table, csv and
markdown are views of the same answers.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from service.cli import jsonout
from service.cli.baseline import apply_baseline, baseline_options
from service.cli.batch import without_cycle_collection
from service.errors import AccessgraphError, QueryError

if TYPE_CHECKING:  # imported when a question runs: the driver and the evaluator cost most of a run
    from service.evaluation.formula import Leaf
    from service.reachability import Reachability, model

FORMATS = ("table", "json", "csv", "markdown")
# The GraphQL selection `--format json` mirrors (access_json writes these fields, in this order).
ACCESS_FIELDS = """
  principal { arn kind name accountId }
  conditions { key operator values negated policy statement }
  conditionText
  paths { steps { from { arn kind name } to { arn kind name } kind via statement } }
  notes
  hops
"""
# With escalation, every step also names its technique (null for the steps of other kinds).
ESCALATION_ACCESS_FIELDS = ACCESS_FIELDS.replace("kind via statement }", "kind via statement technique }")
# The GraphQL questions whose `Access` answers the json of who-can-assume and who-can equals.
WHO_CAN_ASSUME = f"""query($roleArn: String!, $maxHops: Int, $limit: Int) {{
  whoCanAssume(roleArn: $roleArn, maxHops: $maxHops, limit: $limit) {{ {ACCESS_FIELDS} }}
}}"""
WHO_CAN_ASSUME_ESCALATING = f"""query($roleArn: String!, $maxHops: Int, $limit: Int) {{
  whoCanAssume(roleArn: $roleArn, maxHops: $maxHops, limit: $limit, escalation: true) {{ {ESCALATION_ACCESS_FIELDS} }}
}}"""
ESCALATIONS = f"""query($principalArn: String!, $maxHops: Int, $limit: Int) {{
  escalations(principalArn: $principalArn, maxHops: $maxHops, limit: $limit) {{ {ESCALATION_ACCESS_FIELDS} }}
}}"""
ADMINS = f"""query($accountId: String, $escalation: Boolean!, $maxHops: Int, $limit: Int) {{
  admins(accountId: $accountId, escalation: $escalation, maxHops: $maxHops, limit: $limit) {{
    {ESCALATION_ACCESS_FIELDS}
  }}
}}"""
WHO_CAN = f"""query($action: String!, $resource: String!, $maxHops: Int, $limit: Int, $resourceAccount: String) {{
  whoCan(action: $action, resource: $resource, maxHops: $maxHops, limit: $limit, resourceAccount: $resourceAccount) {{
    {ACCESS_FIELDS}
  }}
}}"""
TRUST_REVIEW = """query($accountId: String, $outside: Boolean!, $after: String) {
  crossAccountTrustsPage(accountId: $accountId, outsideOrganizationOnly: $outside, first: 10000, after: $after) {
    totalCount endCursor items {
    role { arn name accountId } trusted { arn kind name accountId } trustedAccountId trustedAccountLoaded
    sameOrganization outsideOrganization statementIndex sid
    conditions { key operator values negated } conditionText
    hasExternalId requiresMfa restrictsOrganization statement categories
  } }
}"""

# resource-review: every page of externalAccess; `--format json` writes RESOURCE_FINDING_FIELDS of each.
RESOURCE_REVIEW = """query($accountId: String, $after: String) {
  externalAccess(accountId: $accountId, first: 10000, after: $after) {
    totalCount endCursor items {
    resource { arn kind } principal { arn kind } who actions
    conditions { key operator values negated policy statement } conditionText categories statement
  } }
}"""
RESOURCE_FINDING_FIELDS = ("resource", "principal", "actions", "conditions", "conditionText", "categories", "statement")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    assume = subparsers.add_parser("who-can-assume", help="every principal that can assume a role")
    assume.add_argument("role_arn", metavar="ROLE_ARN")
    assume.add_argument("--max-hops", type=int, default=1, help="follow role chains this deep (default 1)")
    _escalation_option(assume)
    _output_options(assume)
    assume.set_defaults(func=_who_can_assume)

    who = subparsers.add_parser("who-can", help="every principal allowed to do ACTION on RESOURCE")
    who.add_argument("action", metavar="ACTION", help="such as s3:DeleteObject")
    who.add_argument("resource", metavar="RESOURCE", help="an ARN, such as arn:aws:s3:::bucket/key")
    who.add_argument("--max-hops", type=int, default=0, help="also principals reaching one by assuming roles")
    who.add_argument(
        "--resource-account",
        metavar="ACCOUNT_ID",
        help="the resource's account when its ARN names none (an S3 bucket); without it such a resource is "
        "taken to be in each caller's own account",
    )
    _escalation_option(who)
    _output_options(who)
    who.set_defaults(func=_who_can)

    review = subparsers.add_parser(
        "trust-review",
        help="roles that trust principals outside their account or organization",
        description="Lists trust statements that reach outside a role's account. Exit code 1 when a finding "
        "falls in a --fail-on category ({categories}); 0 otherwise.",
        formatter_class=_CategoriesNamed,
    )
    review.add_argument("--account", help="only roles of this account")
    review.add_argument("--outside-organization-only", action="store_true", help="only trusts leaving the org")
    review.add_argument(
        "--fail-on",
        default="",
        metavar="CATEGORY[,CATEGORY]",
        help="exit 1 when any finding is in one of these categories",
    )
    review.add_argument("--format", choices=FORMATS, default="table")
    baseline_options(review)
    review.set_defaults(func=_trust_review)

    resources = subparsers.add_parser(
        "resource-review",
        help="loaded resources and roles granting principals outside their account",
        description="Lists the grants of loaded resource policies (S3, KMS, SQS, SNS, Lambda, Secrets Manager, "
        "ECR) and role trust policies to principals outside their account (the externalAccess question). "
        "Exit code 1 when a finding falls in a --fail-on category ({categories}); 0 otherwise; 2 on bad input.",
        formatter_class=_ResourceCategoriesNamed,
    )
    resources.add_argument("--account", help="only the resources and roles of this account")
    resources.add_argument(
        "--fail-on",
        default="",
        metavar="CATEGORY[,CATEGORY]",
        help="exit 1 when any finding is in one of these categories",
    )
    resources.add_argument("--format", choices=FORMATS, default="table")
    baseline_options(resources)
    resources.set_defaults(func=_resource_review)


class _CategoriesNamed(argparse.HelpFormatter):
    """Names the trust-review categories when that help is shown: reachability imports the driver."""

    def _format_text(self, text: str) -> str:
        from service.reachability import CATEGORIES

        return super()._format_text(text.replace("{categories}", ", ".join(CATEGORIES)))


def _escalation_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--escalation",
        action="store_true",
        help="also principals that get there by a privilege-escalation technique (docs/escalation.md); "
        "--max-hops then counts steps of every kind",
    )


class _ResourceCategoriesNamed(argparse.HelpFormatter):
    """Names the resource-review categories when that help is shown."""

    def _format_text(self, text: str) -> str:
        from service.reachability.external_access import CATEGORIES

        return super()._format_text(text.replace("{categories}", ", ".join(CATEGORIES)))


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.add_argument("--limit", type=int, default=10000, help="fail rather than print more (default 10000)")


def ask(question: Callable[[Reachability], Awaitable[Sequence[model.Access]]]) -> Sequence[model.Access]:
    """Ask the graph one question through the reachability layer, as the API's resolvers do."""
    import asyncio

    from service.database import Neo4jSettings
    from service.database.reader import GraphReader
    from service.reachability import Reachability

    async def run() -> Sequence[model.Access]:
        reader = GraphReader(Neo4jSettings.resolve(), timeout=300.0)
        try:
            return await question(Reachability(reader))
        finally:
            await reader.close()

    with without_cycle_collection():
        return asyncio.run(run())


def run_query(query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run a query against the API's schema in-process; accessgraph errors come back as AccessgraphError."""
    import asyncio

    return asyncio.run(_run(query, variables))


def run_pages(query: str, variables: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """Every item of a paged field (`items`, `endCursor`; the query takes `$after`), in one run: the pages
    share one context, so the answer is worked out once and read a page at a time (a CI gate sees them all)."""
    import asyncio

    async def pages() -> list[dict[str, Any]]:
        from service.api.context import Context, Limits
        from service.database import Neo4jSettings
        from service.database.reader import GraphReader

        limits = Limits()
        reader = GraphReader(Neo4jSettings.resolve(), timeout=300.0)
        try:
            context = Context(reader=reader, limits=limits)
            items: list[dict[str, Any]] = []
            after = None
            while True:
                page = (await _run(query, {**variables, "after": after}, context))[field]
                items += page["items"]
                if (after := page["endCursor"]) is None:
                    return items
        finally:
            await reader.close()

    with without_cycle_collection():
        return asyncio.run(pages())


async def _run(query: str, variables: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from service.api.app import build_schema
    from service.api.context import Context, Limits
    from service.database import Neo4jSettings
    from service.database.reader import GraphReader

    reader = None
    if context is None:  # one question: a context of its own
        reader = GraphReader(Neo4jSettings.resolve(), timeout=300.0)
        context = Context(reader=reader, limits=Limits())
    try:
        result = await build_schema(context.limits, dev=True).execute(
            query, variable_values=variables, context_value=context
        )
    finally:
        if reader is not None:
            await reader.close()
    for error in result.errors or ():
        original = error.original_error
        if isinstance(original, AccessgraphError):
            raise original
        raise QueryError(error.message) from original
    assert result.data is not None
    return result.data


def _who_can_assume(args: argparse.Namespace) -> int:
    _check_limit(args.limit)
    accesses = ask(lambda reachability: reachability.who_can_assume(args.role_arn, args.max_hops, args.escalation))
    shown = _within_limit(accesses, args.limit, "who-can-assume", technique=args.escalation)
    _print_accesses(shown, args.format, technique=args.escalation)
    return 0


def _who_can(args: argparse.Namespace) -> int:
    _check_limit(args.limit)
    accesses = ask(
        lambda reachability: reachability.who_can(
            args.action, args.resource, args.max_hops, args.resource_account, args.escalation
        )
    )
    _print_accesses(
        _within_limit(accesses, args.limit, "who-can", technique=args.escalation),
        args.format,
        technique=args.escalation,
    )
    return 0


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise QueryError(f"--limit must be at least 1, not {limit}")


def _within_limit(
    accesses: Sequence[model.Access], limit: int, command: str, *, technique: bool = False
) -> list[dict[str, Any]]:
    """Whole answers up to the limit, as the API's `limit` argument; never cut silently."""
    if len(accesses) > limit:
        raise QueryError(f"{command} has {len(accesses)} principals, more than --limit {limit}: pass a larger --limit")
    return [access_json(access, technique=technique) for access in accesses]


def access_json(access: model.Access, *, technique: bool = False) -> dict[str, Any]:
    """`access` as the GraphQL `Access` type answers ACCESS_FIELDS (service/api/types.py: Access.of); with
    `technique`, as it answers ESCALATION_ACCESS_FIELDS."""
    found = _access_json(access)
    if technique:
        for path, steps in zip(access.paths, found["paths"], strict=True):
            for step, shown in zip(path, steps["steps"], strict=True):
                shown["technique"] = step.technique
    return found


def _access_json(access: model.Access) -> dict[str, Any]:
    return {
        "principal": _node(access.principal, account=True),
        "conditions": [_condition(leaf) for leaf in access.conditions],
        "conditionText": access.condition_text,
        "paths": [
            {
                "steps": [
                    {"from": _node(step.source), "to": _node(step.target), "kind": step.kind, "via": step.via,
                     "statement": step.statement}
                    for step in path
                ]
            }
            for path in access.paths
        ],
        "notes": list(access.notes),
        "hops": access.hops,
    }


def _node(ref: model.NodeRef, *, account: bool = False) -> dict[str, Any]:
    node = {"arn": ref.arn, "kind": ref.kind, "name": ref.name}
    return {**node, "accountId": ref.account_id} if account else node


def _condition(leaf: Leaf) -> dict[str, Any]:
    where = None
    if leaf.statement is not None:
        where = str(leaf.statement) + (f" ({leaf.test.sid})" if leaf.test.sid else "")
    return {"key": leaf.key, "operator": leaf.operator, "values": list(leaf.values), "negated": leaf.negated,
            "policy": leaf.policy or None, "statement": where}


def _trust_review(args: argparse.Namespace) -> int:
    from service.reachability import CATEGORIES

    fail_on = fail_on_categories(args.fail_on, CATEGORIES)
    variables = {"accountId": args.account, "outside": args.outside_organization_only}
    findings = run_pages(TRUST_REVIEW, variables, "crossAccountTrustsPage")
    from service.history.baseline import trust_identity

    findings, judged = apply_baseline(args, findings, trust_identity)
    if args.format == "json":
        print(jsonout.dumps(findings))
    else:
        rows = [
            {
                "role": f["role"]["arn"],
                "trusted": f["trusted"]["arn"],
                "account loaded": "yes" if f["trustedAccountLoaded"] else "no",
                "in org": {True: "yes", False: "no", None: "-"}[f["sameOrganization"]],
                "conditions": f["conditionText"] or "none",
                "categories": " ".join(f["categories"]),
            }
            for f in findings
        ]
        _print_rows(rows, args.format)
    return gate("trust-review", judged, fail_on)


def gate(command: str, judged: Sequence[dict[str, Any]], fail_on: set[str]) -> int:
    """A review's exit code: 1, said on stderr, when a judged finding is in a `--fail-on` category."""
    failing = [f for f in judged if fail_on & set(f["categories"])]
    if failing:
        print(f"{command}: {len(failing)} finding(s) in {', '.join(sorted(fail_on))}", file=sys.stderr)
        return 1
    return 0


def fail_on_categories(text: str, categories: Sequence[str]) -> set[str]:
    """The categories a `--fail-on A,B` gate names; an unknown one is an error naming the choices."""
    fail_on = {c.strip() for c in text.split(",") if c.strip()}
    if unknown := fail_on - set(categories):
        raise QueryError(f"unknown --fail-on categories {sorted(unknown)}; choose from {', '.join(categories)}")
    return fail_on


def _resource_review(args: argparse.Namespace) -> int:
    from service.reachability.external_access import CATEGORIES

    fail_on = fail_on_categories(args.fail_on, CATEGORIES)
    findings = run_pages(RESOURCE_REVIEW, {"accountId": args.account}, "externalAccess")
    from service.history.baseline import resource_identity

    findings, judged = apply_baseline(args, findings, resource_identity)
    if args.format == "json":
        print(jsonout.dumps([{key: f[key] for key in RESOURCE_FINDING_FIELDS} for f in findings]))
    else:
        rows = [
            {
                "resource": f["resource"]["arn"],
                "kind": f["resource"]["kind"],
                "principal": f["principal"]["arn"],
                "who": f["who"],
                "actions": " ".join(f["actions"]),
                "conditions": f["conditionText"] or "none",
                "categories": " ".join(f["categories"]),
            }
            for f in findings
        ]
        _print_rows(rows, args.format)
    return gate("resource-review", judged, fail_on)


def _print_accesses(accesses: list[dict[str, Any]], fmt: str, *, technique: bool = False) -> None:
    if fmt == "json":
        print(jsonout.dumps(accesses))
        return
    rows: list[dict[str, str]] = []
    for access in accesses:
        principal = access["principal"]
        first_path = access["paths"][0]["steps"] if access["paths"] else []
        rows.append(
            {
                "principal": principal["arn"],
                "kind": principal["kind"],
                "conditions": access["conditionText"] or "none",
                "path": " → ".join(
                    [first_path[0]["from"]["name"] or first_path[0]["from"]["arn"]]
                    + [f"{s['to']['name'] or s['to']['arn']}" for s in first_path]
                )
                if first_path
                else "",
                "via": "; ".join(s["via"] for s in first_path if s["via"]),
                "notes": " ".join(access["notes"]),
            }
        )
        if technique:
            rows[-1]["technique"] = " ".join(s["technique"] for s in first_path if s.get("technique"))
            rows[-1]["hops"] = str(access["hops"])
    _print_rows(rows, fmt)


def _print_rows(rows: Sequence[dict[str, str]], fmt: str) -> None:
    if not rows:
        print("(none)" if fmt == "table" else "")
        return
    headers = list(rows[0])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    elif fmt == "markdown":
        print("| " + " | ".join(headers) + " |")
        print("|" + "---|" * len(headers))
        for row in rows:
            print("| " + " | ".join(str(row[h]).replace("|", "\\|") for h in headers) + " |")
    else:
        widths = {h: min(60, max(len(h), *(len(str(r[h])) for r in rows))) for h in headers}
        print("  ".join(h.upper().ljust(widths[h]) for h in headers).rstrip())
        for row in rows:
            print("  ".join(str(row[h])[: widths[h]].ljust(widths[h]) for h in headers).rstrip())
