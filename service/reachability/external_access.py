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
from service.evaluation.formula import Cond, Not
from service.evaluation.policy import ConditionClause
from service.evaluation.request import arn_account, is_account_id, parse_iam_arn
from service.evaluation.resource_policies import is_public, is_public_statement
from service.evaluation.wildcards import has_wildcard, pattern_covers, patterns_meet, string_like
from service.reachability.handback import HandBack
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
    hand_back = HandBack()  # (24,000 findings at 100k principals: handback.py)
    found: list[ExternalFinding] = []
    for record in resources:
        found += resource_findings(record, organizations)
        await hand_back()
    for trust in trusts:
        if finding := role_finding(trust):
            found.append(finding)
        await hand_back()
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
    denials = [st for st in policy.statements if st.effect == "Deny"]
    for st in policy.statements:
        if st.effect != "Allow":
            continue
        covering = [deny for deny in denials if _covers(deny, st)]
        for granted in _grantees(st):
            if restricted and granted.who != "service":
                continue
            for grantee, unless, notes in _after_denials(policy, granted, covering, organizations):
                categories = _categories(st, grantee, record.account_id, own_org, organizations)
                if not categories:
                    continue
                condition = conj([_condition(policy, st, grantee.decided) or True, *unless])
                out.append(
                    ExternalFinding(
                        resource=ref,
                        principal=grantee.principal,
                        who=grantee.who,
                        actions=_actions(st),
                        condition=None if isinstance(condition, bool) else condition,
                        categories=categories,
                        statement_index=st.index,
                        sid=st.sid,
                        statement=statement_json(record.policy or "", st.index),
                        notes=notes,
                    )
                )
    return out


# --- the policy's Deny statements against each grant ---------------------------------------------------
#
# IAM UG, "Policy evaluation logic": an explicit Deny in the resource policy wins over its Allow. A Deny
# that meets every action and resource of the Allow and names the grantee (or everyone) takes the grant
# away; with a condition, the grant holds only where that condition does not. aws:PrincipalAccount and
# aws:PrincipalOrgID under a negated operator are decided for the grantee where its account or organization
# is known: the usual "Deny everyone outside the organization" narrows a public grant to the organization.

_NEGATED_EQUALS = frozenset(("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"))
_PRINCIPAL_SCOPE_KEYS = frozenset(("aws:principalaccount", "aws:principalorgid"))


def _after_denials(
    policy: Policy, grantee: _Grantee, denials: list[Statement], organizations: Mapping[str, str]
) -> list[tuple[_Grantee, list[Condition], tuple[str, ...]]]:
    """The grantee as the Deny statements that cover its grant leave it: nothing when one takes the grant
    away, else the grantee (or, for anyone, the accounts or organizations a Deny keeps) with the Deny
    conditions that must not hold and a note per Deny that narrowed it."""
    held: list[tuple[_Grantee, list[Condition], tuple[str, ...]]] = [(grantee, [], ())]
    for deny in denials:
        after: list[tuple[_Grantee, list[Condition], tuple[str, ...]]] = []
        for current, unless, notes in held:
            if not _names(deny, current):
                after.append((current, unless, notes))
                continue
            note = f"narrowed by Deny statement {deny.index}" + (f" ({deny.sid})" if deny.sid else "")
            for kept, applies in _deny_outcome(policy, deny, current, organizations):
                if applies is True:
                    continue  # the Deny takes the grant away
                if applies is False and kept is current:
                    after.append((current, unless, notes))  # the Deny spares it
                    continue
                extra: list[Condition] = [] if isinstance(applies, bool) else [Not(applies)]
                after.append((kept, unless + extra, (*notes, note)))
        held = after
    return held


def _covers(deny: Statement, allow: Statement) -> bool:
    """Whether the Deny meets every action and resource the Allow grants (wildcards compared as patterns)."""
    return _all_covered(deny.actions, deny.not_actions, allow.actions, allow.not_actions, lower=True) and (
        _all_covered(deny.resources, deny.not_resources, allow.resources, allow.not_resources, lower=False)
    )


def _all_covered(
    patterns: tuple[str, ...] | None,
    excluded: tuple[str, ...] | None,
    granted: tuple[str, ...] | None,
    granted_except: tuple[str, ...] | None,
    *,
    lower: bool,
) -> bool:
    def fold(value: str) -> str:
        return value.lower() if lower else value

    if granted is None:  # NotAction / NotResource: everything but a list, covered only by "*"
        return patterns is not None and "*" in patterns and granted_except is not None
    if patterns is not None:
        return all(any(_pattern_covers(fold(p), fold(g)) for p in patterns) for g in granted)
    return all(not any(patterns_meet(fold(x), fold(g)) for x in excluded or ()) for g in granted)


def _pattern_covers(outer: str, inner: str) -> bool:
    """`pattern_covers`, with the shapes policies mostly use answered without building its automaton: every
    bucket's policy names its own ARNs, so its cache rarely helps."""
    if outer == "*" or outer == inner:
        return True
    wild = outer.count("*") + outer.count("?")
    if wild == 0:
        return False  # a literal covers only itself
    if wild == 1 and outer.endswith("*"):
        return inner.startswith(outer[:-1])
    return pattern_covers(outer, inner)


def _names(deny: Statement, grantee: _Grantee) -> bool:
    """Whether the Deny's Principal takes in everyone the grant names. A NotPrincipal Deny is left out (the
    grant is kept): which principals it spares is not decided here."""
    principals = deny.principals
    if principals is None:
        return False
    if principals.everyone or "*" in principals.aws:
        return True
    if grantee.who == "service":
        return grantee.principal.arn in principals.service
    if grantee.who != "account" or grantee.account is None:
        return False
    named = set(principals.aws)
    return bool(named & {grantee.principal.arn, grantee.account, f"arn:aws:iam::{grantee.account}:root"})


def _deny_outcome(
    policy: Policy, deny: Statement, grantee: _Grantee, organizations: Mapping[str, str]
) -> list[tuple[_Grantee, Cond]]:
    """(grantee, when the Deny applies to it): False, it never does; True, always; else the condition. For
    anyone, a negated aws:PrincipalOrgID / aws:PrincipalAccount clause keeps just the organizations / accounts
    it lists, each denied by the Deny's other clauses."""
    clauses = list(deny.conditions)
    undecided: list[Condition] = []
    for clause in clauses:
        key = clause.key_lower
        if key not in _PRINCIPAL_SCOPE_KEYS or clause.base not in _NEGATED_EQUALS or clause.qualifier is not None:
            undecided.append(_test(policy, deny, clause))
            continue
        if grantee.who == "anyone" and grantee.principal.kind == "any":
            if any(has_wildcard(v) for v in clause.values):
                undecided.append(_test(policy, deny, clause))
                continue
            # The Deny spares the listed accounts or organizations; anyone else keeps the grant only where
            # the Deny's other clauses do not hold.
            rest = conj(_test(policy, deny, c) for c in clauses if c is not clause)
            kept: list[tuple[_Grantee, Cond]] = [(_kept(key, value), False) for value in clause.values]
            return kept if rest is True else [*kept, (grantee, rest)]
        spared = _spared(clause, grantee, organizations)
        if spared is None:
            undecided.append(_test(policy, deny, clause))
        elif spared:
            return [(grantee, False)]  # the grantee is one the Deny spares
    return [(grantee, conj(undecided))]


def _spares(operator: str, value: str, scope: str) -> bool:
    if operator == "StringNotLike":
        return string_like(value, scope)
    return value.lower() == scope.lower() if operator == "StringNotEqualsIgnoreCase" else value == scope


def _kept(key: str, value: str) -> _Grantee:
    if key == "aws:principalaccount":
        return _account(value)
    return _Grantee(NodeRef(value, "organization", value, None), "organization", None, value)


def _spared(clause: ConditionClause, grantee: _Grantee, organizations: Mapping[str, str]) -> bool | None:
    """Whether the grantee's account (aws:PrincipalAccount) or organization (aws:PrincipalOrgID) is one the
    clause lists; None when that is not known. An account that is in no loaded organization is in none of
    the listed organizations when they are all loaded (a loaded organization lists all its accounts)."""
    if clause.key_lower == "aws:principalaccount":
        scope = grantee.account if grantee.who == "account" else None
    elif grantee.who == "organization":
        scope = grantee.organization
    elif grantee.who == "account" and grantee.account is not None:
        scope = organizations.get(grantee.account)
        if scope is None:
            loaded = set(organizations.values())
            return False if clause.base != "StringNotLike" and set(clause.values) <= loaded else None
    else:
        scope = None
    if scope is None:
        return None
    return any(_spares(clause.base, value, scope) for value in clause.values)


def _test(policy: Policy, st: Statement, clause: ConditionClause) -> Test:
    return Test(clause.key, clause.operator, clause.values, policy.name, st.index, st.sid, "resource")


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
