"""The trust review: which roles trust principals outside their account or organization, and on which
conditions."""

from __future__ import annotations

import json
from collections.abc import Mapping

from service.database.records import CrossAccountTrustRecord
from service.database.source import GraphSource
from service.evaluation.formula import Condition, Test, conj
from service.evaluation.request import arn_account
from service.evaluation.scopes import Scope, scope_of
from service.reachability.handback import HandBack
from service.reachability.model import NodeRef, TrustFinding
from service.reachability.paths import statement_json
from service.reachability.snapshot import trust_statements

CATEGORIES = (
    "outside-account",
    "outside-organization",
    "any-principal",
    "unloaded-account",
    "external-without-external-id",
    "without-mfa",
)
_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}


def restricts_organization(key_lower: str) -> bool:
    """Whether a condition on the key restricts the caller's account or organization: a key of that scope,
    or aws:PrincipalArn, whose patterns name the account."""
    return scope_of(key_lower) in (Scope.ACCOUNT, Scope.ORGANIZATION) or key_lower == "aws:principalarn"


async def cross_account_trusts(
    source: GraphSource, *, account_id: str | None = None, outside_organization_only: bool = False
) -> list[TrustFinding]:
    read = await trust_statements(source, account_id)
    findings = []
    hand_back = HandBack()  # (17,000 findings at 100k principals: handback.py)
    for record in read.records:
        await hand_back()
        finding = _finding(record, read.organizations)
        if finding is None or (outside_organization_only and not finding.outside_organization):
            continue
        findings.append(finding)
    return findings


def _finding(row: CrossAccountTrustRecord, organizations: Mapping[str, str]) -> TrustFinding | None:
    if row.effect != "Allow":
        return None
    kind, external = row.target_kind, row.external_kind
    role_account = row.role_account_id
    if kind == "external" and external == "service":
        return None  # an AWS service acting for this account, not another account
    trusted_account = row.trusted_account_id
    if kind == "external" and external == "federated":
        trusted_account = arn_account(str(row.external_value))
    everyone = row.not_principal or (kind == "external" and external == "any")
    if not everyone and trusted_account == role_account:
        return None
    role_org = organizations.get(role_account)
    trusted_org = organizations.get(trusted_account) if trusted_account else None
    same_org = None if role_org is None else (trusted_org == role_org and not everyone)
    outside_org = everyone or trusted_account is None or not same_org
    tests = _condition_tests(row)
    keys = {test.key.lower(): test for test in tests}
    has_external_id = any(
        k == "sts:externalid" and not t.operator.startswith(("Null", "StringNot")) for k, t in keys.items()
    )
    requires_mfa = any(k in _MFA_KEYS for k in keys)
    restricts_org = any(restricts_organization(k) for k in keys)
    categories = ["outside-account"]
    if outside_org:
        categories.append("outside-organization")
    if everyone:
        categories.append("any-principal")
    if trusted_account and not row.trusted_account_loaded:
        categories.append("unloaded-account")
    if outside_org and not has_external_id and not restricts_org and external != "federated":
        categories.append("external-without-external-id")
    if not requires_mfa:
        categories.append("without-mfa")
    combined = conj(tests) if tests else True
    condition: Condition | None = None if isinstance(combined, bool) else combined
    return TrustFinding(
        role=NodeRef(row.role_arn, "role", row.role_name, role_account),
        trusted=_trusted_ref(row, trusted_account, everyone),
        trusted_account_id=trusted_account,
        trusted_account_loaded=row.trusted_account_loaded,
        same_organization=same_org,
        outside_organization=outside_org,
        statement_index=row.statement_index,
        sid=row.sid,
        effect=row.effect,
        condition=condition,
        has_external_id=has_external_id,
        requires_mfa=requires_mfa,
        restricts_organization=restricts_org,
        statement=statement_json(row.trust_policy, row.statement_index) if row.trust_policy else None,
        categories=tuple(categories),
    )


def _trusted_ref(row: CrossAccountTrustRecord, account: str | None, everyone: bool) -> NodeRef:
    kind = row.target_kind
    if everyone:
        label = "everyone except the NotPrincipal list" if row.not_principal else "any AWS principal"
        return NodeRef("*", "any", label, None)
    if kind == "account":
        return NodeRef(f"arn:aws:iam::{row.target}:root", "account", row.target, account)
    if kind == "external":
        return NodeRef(row.target, str(row.external_kind), str(row.external_value), account)
    if kind == "placeholder":
        return NodeRef(row.target, "principal", row.target.rsplit("/", 1)[-1], account)
    return NodeRef(row.target, kind, row.target_name, account)


def _condition_tests(row: CrossAccountTrustRecord) -> list[Test]:
    text = row.conditions
    if not text:
        return []
    block = json.loads(text)
    tests = []
    for operator, clauses in sorted(block.items()):
        for key, values in sorted(clauses.items()):
            shown = (values,) if isinstance(values, (str, int, float, bool)) else tuple(values)
            tests.append(
                Test(
                    key=key,
                    operator=operator,
                    values=tuple(_text(v) for v in shown),
                    policy=f"{row.role_name} trust policy",
                    statement=row.statement_index,
                    sid=row.sid,
                    policy_type="resource",
                )
            )
    return tests


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
