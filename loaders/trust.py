"""Role trust policies -> `TRUSTS` rows: one per (statement, principal value).

The rows only narrow the candidates for "who can assume this role"; the evaluator decides from the
stored trust policy. So nothing is dropped: Deny statements, NotPrincipal statements, conditions and
principals nobody can resolve all get an edge.

Account principals (`arn:aws:iam::ACCT:root` or a bare id) point at the `:Account` node and are not
expanded to that account's principals: the account delegates, and its own identity policies decide.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from loaders.arns import ACCOUNT_ID, CANONICAL_USER, HOST_NAME, UNIQUE_ID, parse_arn, role_arn
from loaders.documents import statement_objects
from loaders.fields import Where
from loaders.rows import ExternalKind, TrustRow, TrustTargetKind
from service.evaluation import Policy, Statement

_EXTERNAL_KINDS: dict[str, ExternalKind] = {
    "Service": "service",
    "Federated": "federated",
    "CanonicalUser": "canonical",
}


def external_key(kind: ExternalKind, value: str) -> str:
    return f"{kind}:{value}"


def trust_rows(role: str, policy: Policy, *, role_arns_by_name: Mapping[str, str]) -> list[TrustRow]:
    """The TRUSTS rows of one role's (already validated) trust policy.

    `role_arns_by_name` maps the role names of the role's own account to their ARNs, so an assumed-role
    principal of the same account resolves to the role even when the role has a path.
    """
    rows: list[TrustRow] = []
    for statement, raw in zip(policy.statements, statement_objects(policy), strict=True):
        common = _statement_fields(statement, raw)
        if "NotPrincipal" in raw:
            rows.append(
                _external(role, "any", "*", common, principal_type="*",
                          principal=json.dumps(raw["NotPrincipal"], sort_keys=True), not_principal=True)
            )
            continue
        if "Principal" not in raw:
            continue  # the parser requires one of the two for trust policies
        seen: set[tuple[str, str]] = set()
        for principal_type, value in _principal_values(raw["Principal"]):
            if (principal_type, value) in seen:
                continue
            seen.add((principal_type, value))
            rows.append(_row(role, principal_type, value, common, role_arns_by_name))
    return rows


def check_principals(policy: Policy, where: Where) -> None:
    """Refuse a trust policy naming a principal AWS could never have saved (a newline in an ARN, say).

    Every value must have the syntax of its principal type; questions rely on it (the evaluator refuses
    such an ARN), so a value that loads is one every question can answer about.

    Raises:
        InputError: naming the file, the role, the statement and the principal value.
    """
    for statement in policy.statements:
        for field, principals in (("Principal", statement.principals), ("NotPrincipal", statement.not_principals)):
            if principals is None:
                continue
            for kind, values in (("AWS", principals.aws), ("Service", principals.service),
                                 ("Federated", principals.federated), ("CanonicalUser", principals.canonical_user)):
                for value in values:
                    if not _is_principal(kind, value):
                        raise where.error(
                            f"statement {statement.index}{f' (Sid {statement.sid!r})' if statement.sid else ''} "
                            f"{field}.{kind}: {value!r} is not {_EXPECTED[kind]}"
                        )


_EXPECTED = {
    "AWS": "an account id, an IAM or STS ARN, or a unique id (AROA…, AIDA…)",
    "Service": "a service principal such as ec2.amazonaws.com",
    "Federated": "a SAML or OIDC provider ARN or an identity provider host such as accounts.google.com",
    "CanonicalUser": "a canonical user id (64 hexadecimal digits)",
}


def _is_principal(kind: str, value: str) -> bool:
    if kind == "Service":
        return HOST_NAME.match(value) is not None
    if kind == "CanonicalUser":
        return CANONICAL_USER.match(value) is not None
    arn = parse_arn(value)
    if kind == "Federated":
        return HOST_NAME.match(value) is not None or (
            arn is not None and arn.service == "iam" and ACCOUNT_ID.match(arn.account) is not None
            and arn.resource_type in ("saml-provider", "oidc-provider")
        )
    if ACCOUNT_ID.match(value) or UNIQUE_ID.match(value):
        return True
    return arn is not None and arn.service in ("iam", "sts") and ACCOUNT_ID.match(arn.account) is not None


def _principal_values(principal: object) -> Iterator[tuple[str, str]]:
    if principal == "*":
        yield "*", "*"
        return
    assert isinstance(principal, Mapping)  # validated by parse_policy
    for principal_type, values in principal.items():
        for value in values if isinstance(values, list) else [values]:
            yield str(principal_type), str(value)


def _statement_fields(statement: Statement, raw: Mapping[str, Any]) -> dict[str, Any]:
    keys = sorted({clause.key for clause in statement.conditions})
    return {
        "statement_index": statement.index,
        "sid": statement.sid,
        "effect": statement.effect,
        "actions": statement.actions,
        "not_actions": statement.not_actions,
        "condition_keys": tuple(keys),
        "conditions": json.dumps(raw["Condition"], ensure_ascii=False) if "Condition" in raw else None,
    }


def _row(
    role: str,
    principal_type: str,
    value: str,
    common: dict[str, Any],
    role_arns_by_name: Mapping[str, str],
) -> TrustRow:
    if principal_type in _EXTERNAL_KINDS:
        return _external(role, _EXTERNAL_KINDS[principal_type], value, common, principal_type=principal_type)
    if value == "*":
        return _external(role, "any", "*", common, principal_type=principal_type)
    if ACCOUNT_ID.match(value):
        return _target(role, "account", value, value, common, principal_type, value)
    if UNIQUE_ID.match(value):
        return _external(role, "unknown-id", value, common, principal_type=principal_type)
    arn = parse_arn(value)
    if arn is not None and ACCOUNT_ID.match(arn.account):
        if arn.service == "iam" and arn.resource == "root":
            return _target(role, "account", arn.account, arn.account, common, principal_type, value)
        if arn.service == "iam" and arn.resource_type in ("user", "role"):
            return _target(role, "principal", value, arn.account, common, principal_type, value)
        parts = arn.resource.split("/")
        if arn.service == "sts" and parts[0] == "assumed-role" and len(parts) >= 2 and parts[1]:
            own = parse_arn(role)
            if own is not None and own.account == arn.account and parts[1] in role_arns_by_name:
                target = role_arns_by_name[parts[1]]
                return _target(role, "principal", target, arn.account, common, principal_type, value)
            target = role_arn(arn.partition, arn.account, parts[1])
            return _target(role, "assumed-role", target, arn.account, common, principal_type, value,
                           role_name=parts[1])
    return _external(role, "other", value, common, principal_type=principal_type)


def _target(
    role: str,
    kind: TrustTargetKind,
    target: str,
    account: str,
    common: dict[str, Any],
    principal_type: str,
    principal: str,
    *,
    role_name: str | None = None,
) -> TrustRow:
    return TrustRow(
        role_arn=role, target_kind=kind, target=target, target_account_id=account, role_name=role_name,
        external_kind=None, external_value=None, principal_type=principal_type, principal=principal,
        not_principal=False, **common,
    )


def _external(
    role: str,
    kind: ExternalKind,
    value: str,
    common: dict[str, Any],
    *,
    principal_type: str,
    principal: str | None = None,
    not_principal: bool = False,
) -> TrustRow:
    return TrustRow(
        role_arn=role, target_kind="external", target=external_key(kind, value), target_account_id=None,
        role_name=None, external_kind=kind, external_value=value, principal_type=principal_type,
        principal=value if principal is None else principal, not_principal=not_principal, **common,
    )
