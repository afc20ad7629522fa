"""External access: which loaded resources and roles grant principals outside their account, what IAM Access
Analyzer reports, offline and explained (docs/resource-policies.md).

A finding is one grantee of one Allow statement. Conditions the question decides are turned into the grantee
(`Principal: "*"` with `aws:PrincipalAccount` or `aws:PrincipalOrgID` fixed values is that account or that
organization); every other condition is kept on the finding, never guessed. Roles come from the trust review
(trusts.py), told in the same shape.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.database.records import ResourceRecord
from service.database.source import GraphSource
from service.errors import QueryError
from service.evaluation import Condition, Policy, Statement, Test, conj, parse_policy
from service.evaluation.policy import ConditionClause
from service.evaluation.request import arn_account, is_account_id, parse_iam_arn
from service.evaluation.resource_policies import is_public, is_public_statement
from service.evaluation.wildcards import has_wildcard
from service.reachability.model import ExternalFinding, NodeRef, TrustFinding
from service.reachability.paths import statement_json
from service.reachability.resource_kinds import RESOURCE_KINDS
from service.reachability.trusts import cross_account_trusts

CATEGORIES = ("outside-account", "outside-organization", "public", "service-without-source-condition")

# IAM UG, "The confused deputy problem": the keys that tie a service principal's request to the resource (or
# account, or organization) it acts for.
_SOURCE_KEYS = frozenset(
    ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner")
)
_EQUALS = frozenset(("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"))


@dataclass(frozen=True)
class _Grantee:
    principal: NodeRef
    who: str
    account: str | None  # the account the grantee is in, when one
    organization: str | None = None  # for `who == "organization"`
    decided: frozenset[int] = frozenset()  # the statement's condition clauses the grantee stands for


async def external_access(
    source: GraphSource, *, account_id: str | None = None, category: str | None = None
) -> list[ExternalFinding]:
    """Every finding of the loaded resources and roles (of `account_id`, when given), with `category` when
    given, by resource ARN, statement and principal.

    Raises:
        QueryError: an unknown category.
    """
    if category is not None and category not in CATEGORIES:
        raise QueryError(f"unknown category {category!r}: expected one of {', '.join(CATEGORIES)}")
    # The three reads run side by side: the server reads the trusts while the driver decodes the resources.
    accounts, resources, trusts = await asyncio.gather(
        source.account_organization_ids(),
        source.account_resources(account_id),
        cross_account_trusts(source, account_id=account_id),
    )
    organizations = {record.account_id: record.organization_id for record in accounts}
    found = [f for record in resources for f in resource_findings(record, organizations)]
    found += [f for trust in trusts if (f := role_finding(trust))]
    if category is not None:
        found = [f for f in found if category in f.categories]
    return sorted(found, key=lambda f: (f.resource.arn, f.statement_index or 0, f.principal.arn))


def restricts_public(record: ResourceRecord) -> bool:
    """S3 Block Public Access RestrictPublicBuckets at the bucket or its account ("the most restrictive
    combination of the bucket-level and account-level settings")."""
    if record.type != "AWS::S3::Bucket":
        return False
    settings = (record.public_access_block, record.account_public_access_block)
    return any(s is not None and s.restrict_public_buckets for s in settings)


def resource_policy(record: ResourceRecord) -> Policy | None:
    return None if record.policy is None else parse_policy(record.policy, name=f"{record.arn} resource policy")


def resource_findings(record: ResourceRecord, organizations: Mapping[str, str]) -> list[ExternalFinding]:
    """The findings of one resource's policy. With RestrictPublicBuckets on and a public bucket policy, only
    service principals keep their grants (S3 UG, "Blocking public access")."""
    policy = resource_policy(record)
    if policy is None:
        return []
    restricted = restricts_public(record) and is_public(policy)
    ref = NodeRef(
        record.arn, RESOURCE_KINDS.get(record.type, "resource"), _resource_name(record.arn), record.account_id
    )
    own_org = organizations.get(record.account_id)
    out: list[ExternalFinding] = []
    for st in policy.statements:
        if st.effect != "Allow":
            continue
        for grantee in _grantees(st):
            if restricted and grantee.who != "service":
                continue
            categories = _categories(st, grantee, record.account_id, own_org, organizations)
            if not categories:
                continue
            out.append(
                ExternalFinding(
                    resource=ref,
                    principal=grantee.principal,
                    who=grantee.who,
                    actions=_actions(st),
                    condition=_condition(policy, st, grantee.decided),
                    categories=categories,
                    statement_index=st.index,
                    sid=st.sid,
                    statement=statement_json(record.policy or "", st.index),
                )
            )
    return out


def _grantees(st: Statement) -> Iterable[_Grantee]:
    if st.not_principals is not None:
        yield _Grantee(NodeRef("*", "any", "everyone except the NotPrincipal list", None), "anyone", None)
        return
    principals = st.principals
    if principals is None:
        return
    if principals.everyone or "*" in principals.aws:
        yield from _everyone(st)
    for value in principals.aws:
        if value == "*":
            continue
        if is_account_id(value):
            yield _account(value)
            continue
        parsed = parse_iam_arn(value)
        if parsed is None:
            continue  # a unique id: a deleted principal, which no request can come from
        account, resource = parsed[2], parsed[3]
        if resource == "root":
            yield _account(account)
        else:
            kind = resource.split("/", 1)[0]
            name = resource.rsplit("/", 1)[-1]
            yield _Grantee(
                NodeRef(value, "role" if kind == "assumed-role" else kind, name, account), "account", account
            )
    for service in principals.service:
        yield _Grantee(NodeRef(service, "service", service, None), "service", None)
    for provider in principals.federated:
        home = arn_account(provider)
        yield _Grantee(NodeRef(provider, "federated", provider.rsplit("/", 1)[-1], home), "account", home)


def _everyone(st: Statement) -> Iterable[_Grantee]:
    """`Principal: "*"`, narrowed by the condition keys the question decides: fixed aws:PrincipalAccount values
    are those accounts, fixed aws:PrincipalOrgID values those organizations."""
    for index, clause in enumerate(st.conditions):
        if _fixed(clause) and clause.key_lower == "aws:principalaccount":
            for value in clause.values:
                yield _Grantee(_account_ref(value), "account", value, None, frozenset((index,)))
            return
    for index, clause in enumerate(st.conditions):
        if _fixed(clause) and clause.key_lower == "aws:principalorgid":
            for value in clause.values:
                yield _Grantee(
                    NodeRef(value, "organization", value, None), "organization", None, value, frozenset((index,))
                )
            return
    yield _Grantee(NodeRef("*", "any", "any principal", None), "anyone", None)


def _account(account: str) -> _Grantee:
    return _Grantee(_account_ref(account), "account", account)


def _account_ref(account: str) -> NodeRef:
    return NodeRef(f"arn:aws:iam::{account}:root", "account", account, account)


def _categories(
    st: Statement, grantee: _Grantee, own: str, own_org: str | None, organizations: Mapping[str, str]
) -> tuple[str, ...]:
    """Empty when the grantee is within the resource's account (not external)."""
    if grantee.who == "account":
        if grantee.account == own:
            return ()
        other_org = organizations.get(grantee.account or "")
        same_org = own_org is not None and other_org == own_org
        return ("outside-account",) if same_org else ("outside-account", "outside-organization")
    if grantee.who == "organization":
        same_org = own_org is not None and grantee.organization == own_org
        return ("outside-account",) if same_org else ("outside-account", "outside-organization")
    sources = [c for c in st.conditions if c.key_lower in _SOURCE_KEYS and c.base in _EQUALS]
    if grantee.who == "service":
        if not sources:
            return ("service-without-source-condition",)
        return _source_categories(sources, own, own_org, organizations)
    if sources and not _source_categories(sources, own, own_org, organizations):
        return ()  # AWS services acting for this very account (aws:SourceAccount / aws:SourceArn of it)
    out = ["outside-account", "outside-organization"]
    if is_public_statement(st):
        out.append("public")
    return tuple(out)


def _source_categories(
    sources: list[ConditionClause], own: str, own_org: str | None, organizations: Mapping[str, str]
) -> tuple[str, ...]:
    """Where the source conditions (AND'd) let a service act from: nothing external when one of them keeps it
    to this account; outside the account only when one keeps it to this organization."""
    scopes = {_source_scope(clause, own, own_org, organizations) for clause in sources}
    if "own" in scopes:
        return ()
    return ("outside-account",) if "org" in scopes else ("outside-account", "outside-organization")


def _source_scope(clause: ConditionClause, own: str, own_org: str | None, organizations: Mapping[str, str]) -> str:
    """`own` (this account only), `org` (this organization only) or `outside`, as far as fixed values say."""
    key = clause.key_lower
    if key in ("aws:sourceorgid", "aws:sourceorgpaths"):
        in_org = own_org is not None and all(v == own_org or v.startswith(f"{own_org}/") for v in clause.values)
        return "org" if in_org and not any(has_wildcard(v) for v in clause.values) else "outside"
    accounts = [arn_account(v) if key == "aws:sourcearn" else v for v in clause.values]
    if any(a is None or has_wildcard(a) for a in accounts):
        return "outside"
    if all(a == own for a in accounts):
        return "own"
    in_org = own_org is not None and all(organizations.get(a or "") == own_org for a in accounts)
    return "org" if in_org else "outside"


def _fixed(clause: ConditionClause) -> bool:
    return (
        clause.base in _EQUALS
        and clause.qualifier is None
        and not clause.if_exists
        and bool(clause.values)
        and not any(has_wildcard(v) for v in clause.values)
    )


def _condition(policy: Policy, st: Statement, decided: frozenset[int]) -> Condition | None:
    tests = [
        Test(clause.key, clause.operator, clause.values, policy.name, st.index, st.sid, "resource")
        for index, clause in enumerate(st.conditions)
        if index not in decided
    ]
    combined = conj(tests)
    return None if isinstance(combined, bool) else combined


def _actions(st: Statement) -> tuple[str, ...]:
    if st.actions is not None:
        return st.actions
    return tuple(f"NOT {action}" for action in st.not_actions or ())


def _resource_name(arn: str) -> str:
    tail = arn.split(":", 5)[-1]
    return tail.rsplit("/", 1)[-1] if "/" in tail else tail.rsplit(":", 1)[-1]


def role_finding(trust: TrustFinding) -> ExternalFinding | None:
    """A trust review finding in the shape of the others: `any-principal` reads `public`."""
    categories = tuple(
        "public" if c == "any-principal" else c for c in trust.categories if c in (*CATEGORIES, "any-principal")
    )
    if not categories:
        return None
    kind = trust.trusted.kind
    who = "anyone" if kind == "any" else "account"
    return ExternalFinding(
        resource=trust.role,
        principal=trust.trusted,
        who=who,
        actions=_trust_actions(trust.statement),
        condition=trust.condition,
        categories=categories,
        statement_index=trust.statement_index,
        sid=trust.sid,
        statement=trust.statement,
    )


def _trust_actions(statement: str | None) -> tuple[str, ...]:
    if statement is None:
        return ()
    element = json.loads(statement)
    actions = element.get("Action", element.get("NotAction", ()))
    shown = (actions,) if isinstance(actions, str) else tuple(actions)
    return shown if "Action" in element else tuple(f"NOT {a}" for a in shown)
