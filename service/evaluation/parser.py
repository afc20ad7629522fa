"""Policy documents in, `Policy` out; anything AWS would reject raises `PolicyError`.

Accepted forms: a dict, a JSON string, or the URL-encoded JSON the raw IAM API returns. Every element
AWS lets be "a string or a list" may be either. Checks follow IAM's policy grammar and Access Analyzer's
validation messages closely enough that a loader can use this as its validator, but this parser is not
context-aware: whether `Principal` may appear (resource policies only) is checked by
`check_policy_kind`, which `evaluate` calls for every policy it is given.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal

from service.errors import PolicyError

from .operators import reads_value
from .policy import (
    VERSION_2008,
    VERSION_2012,
    ConditionClause,
    Effect,
    Policy,
    PolicyWarning,
    PrincipalSet,
    SetQualifier,
    Statement,
)

PolicyKind = Literal["identity", "boundary", "session", "scp", "rcp", "resource"]

CONDITION_OPERATORS: dict[str, str] = {
    name.lower(): name
    for name in (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    )
}

_TOP_LEVEL_FIELDS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_PRINCIPAL_TYPES = {
    "AWS": "aws",
    "Service": "service",
    "Federated": "federated",
    "CanonicalUser": "canonical_user",
}
# IAM refuses an action with no service prefix ("Actions/Conditions must be prefaced by a vendor") or with
# more than one colon ("Actions/Condition can contain only one colon"), and stores anything else as written:
# "s3:Get Object", " s3:GetObject" or "s3:GetObject,s3:PutObject" are legal strings that name no action.
_ACTION_COLONS = 1


class _Where:
    """Where in the document we are, so every error names the policy, statement and field."""

    __slots__ = ("policy", "sid", "statement")

    def __init__(self, policy: str) -> None:
        self.policy = policy
        self.statement: int | None = None
        self.sid: str | None = None

    def error(self, message: str, field: str | None = None) -> PolicyError:
        return PolicyError(message, policy=self.policy, statement=self.statement, sid=self.sid, field=field)


def parse_policy(
    document: str | Mapping[str, Any],
    *,
    name: str,
    kind: PolicyKind | None = None,
) -> Policy:
    """Parse one policy document.

    Args:
        document: a dict, a JSON string, or a URL-encoded JSON string.
        name: how errors and explanations refer to this policy (e.g. its ARN or "inline:alice/s3").
        kind: when given, also check the elements that policy type requires or forbids
            (see `check_policy_kind`).

    Raises:
        PolicyError: the document is not a policy AWS would accept; the message names the statement and
            field at fault.
    """
    where = _Where(name)
    raw = _decode(document, where)
    unknown = sorted(str(k) for k in raw if k not in _TOP_LEVEL_FIELDS)
    if unknown:
        raise where.error(f"unknown top-level field {unknown[0]!r}", unknown[0])
    version = raw.get("Version")
    if version is not None and version not in (VERSION_2012, VERSION_2008):
        raise where.error(f"Version must be {VERSION_2012!r} or {VERSION_2008!r}, not {_show(version)}", "Version")
    policy_id = raw.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise where.error("Id must be a string", "Id")
    if "Statement" not in raw:
        raise where.error("missing required field Statement", "Statement")
    body = raw["Statement"]
    items = [body] if isinstance(body, Mapping) else body
    if not isinstance(items, list | tuple):
        raise where.error("Statement must be an object or a list of objects", "Statement")
    # An empty list is a policy AWS stores and that says nothing: it allows and denies nothing.
    statements = tuple(_statement(i, item, where) for i, item in enumerate(items))
    warnings = tuple(w for st in statements for w in condition_value_warnings(name, st))
    policy = Policy(
        name=name, version=version, statements=statements, source_document=raw, id=policy_id, warnings=warnings
    )
    if kind is not None:
        check_policy_kind(policy, kind)
    return policy


def check_policy_kind(policy: Policy, kind: PolicyKind) -> None:
    """Check the elements that depend on where a policy is attached.

    Identity policies, boundaries, session policies and SCPs must not name a `Principal` and need a
    `Resource` or `NotResource`; resource policies and RCPs must name a `Principal` or `NotPrincipal`, and
    RCPs cannot use `NotPrincipal`.
    A resource policy may omit `Resource` (role trust policies do): it then means the resource it is
    attached to.

    Raises:
        PolicyError: naming the statement and field at fault.
    """
    where = _Where(policy.name)
    for st in policy.statements:
        where.statement, where.sid = st.index, st.sid
        if kind in ("resource", "rcp"):
            if st.principals is None and st.not_principals is None:
                raise where.error(f"a {_KIND_NAMES[kind]} must name a Principal or NotPrincipal", "Principal")
            if kind == "rcp" and st.not_principals is not None:  # IAM UG, NotPrincipal: "SCPs and RCPs don't"
                raise where.error("a resource control policy cannot have a NotPrincipal element", "NotPrincipal")
        else:
            for field, value in (("Principal", st.principals), ("NotPrincipal", st.not_principals)):
                if value is not None:
                    raise where.error(f"a {_KIND_NAMES[kind]} cannot have a {field} element", field)
            if st.resources is None and st.not_resources is None:
                raise where.error(f"a {_KIND_NAMES[kind]} needs a Resource or NotResource", "Resource")


_KIND_NAMES: dict[PolicyKind, str] = {
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "resource": "resource-based policy",
}


def _decode(document: object, where: _Where) -> Mapping[str, Any]:
    if isinstance(document, str):
        text = document.strip()
        try:
            decoded: object = json.loads(text)
        except (ValueError, RecursionError):
            try:
                decoded = json.loads(urllib.parse.unquote(text))
            except (ValueError, RecursionError):
                raise where.error("document is neither JSON nor URL-encoded JSON") from None
        document = decoded
    if not isinstance(document, Mapping):
        raise where.error(f"a policy document must be a JSON object, not {_kind_of(document)}")
    for key in document:
        if not isinstance(key, str):
            raise where.error(f"field names must be strings, not {_show(key)}")
    return document


def _statement(index: int, raw: object, where: _Where) -> Statement:
    where.statement, where.sid = index, None
    if not isinstance(raw, Mapping):
        raise where.error(f"a statement must be a JSON object, not {_kind_of(raw)}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise where.error("Sid must be a string", "Sid")
    where.sid = sid
    unknown = sorted(str(k) for k in raw if k not in _STATEMENT_FIELDS)
    if unknown:
        raise where.error(f"unknown field {unknown[0]!r}", unknown[0])
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise where.error(f'Effect must be "Allow" or "Deny", not {_show(effect)}', "Effect")
    actions, not_actions = _pair(raw, "Action", "NotAction", where, required=True)
    for field, values in (("Action", actions), ("NotAction", not_actions)):
        for action in values or ():
            if action != "*" and action.count(":") != _ACTION_COLONS:
                rule = "has no service prefix" if ":" not in action else "has more than one colon"
                raise where.error(f"{action!r} {rule}: expected service:Name (e.g. s3:GetObject) or *", field)
    resources, not_resources = _pair(raw, "Resource", "NotResource", where, required=False)
    for field, values in (("Resource", resources), ("NotResource", not_resources)):
        for resource in values or ():
            if resource != "*" and not resource.startswith(("arn:", "*")):
                raise where.error(f"{resource!r} is not an ARN or *", field)
    if "Principal" in raw and "NotPrincipal" in raw:
        raise where.error("a statement cannot have both Principal and NotPrincipal", "NotPrincipal")
    principals = _principals(raw["Principal"], "Principal", where) if "Principal" in raw else None
    not_principals = _principals(raw["NotPrincipal"], "NotPrincipal", where) if "NotPrincipal" in raw else None
    conditions = _conditions(raw["Condition"], where) if "Condition" in raw else ()
    typed_effect: Effect = "Allow" if effect == "Allow" else "Deny"
    return Statement(
        index=index,
        sid=sid,
        effect=typed_effect,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=principals,
        not_principals=not_principals,
        conditions=conditions,
    )


def _pair(
    raw: Mapping[str, Any], field: str, not_field: str, where: _Where, *, required: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    if field in raw and not_field in raw:
        raise where.error(f"a statement cannot have both {field} and {not_field}", not_field)
    if field not in raw and not_field not in raw:
        if required:
            raise where.error(f"missing required field {field} (or {not_field})", field)
        return None, None
    present = field if field in raw else not_field
    values = _strings(raw[present], present, where)
    return (values, None) if present == field else (None, values)


def _strings(value: object, field: str, where: _Where) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        raise where.error("must not be an empty list", field)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise where.error(f"values must be strings, not {_kind_of(item)} {_show(item)}", field)
        if not item:
            raise where.error("values must not be empty strings", field)
        out.append(item)
    return tuple(out)


def _principals(value: object, field: str, where: _Where) -> PrincipalSet:
    if value == "*":
        return PrincipalSet(everyone=True)
    if not isinstance(value, Mapping) or not value:
        raise where.error('must be "*" or an object such as {"AWS": "<account id or ARN>"}', field)
    parts: dict[str, tuple[str, ...]] = {}
    for ptype, pvalue in value.items():
        attr = _PRINCIPAL_TYPES.get(ptype) if isinstance(ptype, str) else None
        if attr is None:
            raise where.error(
                f"unknown principal type {_show(ptype)}: expected AWS, Service, Federated or CanonicalUser",
                field,
            )
        parts[attr] = _strings(pvalue, f"{field}.{ptype}", where)
    aws = parts.get("aws", ())
    everyone = "*" in aws
    return PrincipalSet(
        everyone=everyone,
        aws=tuple(v for v in aws if v != "*"),
        service=parts.get("service", ()),
        federated=parts.get("federated", ()),
        canonical_user=parts.get("canonical_user", ()),
    )


def _conditions(value: object, where: _Where) -> tuple[ConditionClause, ...]:
    if not isinstance(value, Mapping):
        raise where.error("Condition must be an object of {operator: {key: value}}", "Condition")
    # `{}`, and an operator with `{}`, are stored by AWS and add no test: the statement is unconditional.
    clauses: list[ConditionClause] = []
    for operator, block in value.items():
        field = f"Condition.{operator}"
        if not isinstance(operator, str):
            raise where.error(f"operator must be a string, not {_show(operator)}", "Condition")
        base, qualifier, if_exists = _operator(operator, where, field)
        if not isinstance(block, Mapping):
            raise where.error("must be an object of {key: value}", field)
        for key, raw_values in block.items():
            if not isinstance(key, str) or not key:
                raise where.error(f"condition key must be a non-empty string, not {_show(key)}", field)
            values = _condition_values(raw_values, where, f"{field}.{key}")
            if base == "Null" and any(v.lower() not in ("true", "false") for v in values):
                raise where.error('Null takes "true" or "false"', f"{field}.{key}")
            clauses.append(ConditionClause(operator, base, qualifier, if_exists, key, values))
    return tuple(clauses)


def _operator(operator: str, where: _Where, field: str) -> tuple[str, SetQualifier | None, bool]:
    qualifier: SetQualifier | None = None
    rest = operator
    prefix, sep, tail = operator.partition(":")
    if sep:
        if prefix.lower() == "forallvalues":
            qualifier = "ForAllValues"
        elif prefix.lower() == "foranyvalue":
            qualifier = "ForAnyValue"
        else:
            raise where.error(f"unknown set qualifier {prefix!r}: expected ForAllValues or ForAnyValue", field)
        rest = tail
    if_exists = rest.lower().endswith("ifexists")
    if if_exists:
        rest = rest[: -len("ifexists")]
    base = CONDITION_OPERATORS.get(rest.lower())
    if base is None:
        raise where.error(f"unknown condition operator {operator!r}", field)
    if base == "Null" and (if_exists or qualifier):
        raise where.error("Null cannot be combined with IfExists or a set qualifier", field)
    return base, qualifier, if_exists


def _condition_values(value: object, where: _Where, field: str) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        raise where.error("must not be an empty list", field)
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str):
            out.append(item)
        elif isinstance(item, int | float):
            try:
                out.append(repr(item) if isinstance(item, float) else str(item))
            except ValueError:  # an integer too long for Python to print
                raise where.error("number is too long", field) from None
        else:
            raise where.error(f"values must be strings, numbers or booleans, not {_kind_of(item)}", field)
    return tuple(out)


def condition_value_warnings(policy: str, statement: Statement) -> tuple[PolicyWarning, ...]:
    """Condition values the operator cannot read (a date that is no date, a CIDR such as `/99`).

    IAM Access Analyzer reports them as errors ("Invalid condition data type"); where such a document is
    stored anyway, no request value can equal, fall in or compare with it: the value matches nothing (so a
    negated operator holds unless another of its values matches). That can quietly switch a Deny off, so
    every one is reported. Loaders get these through `parse_policy` (`Policy.warnings`).
    """
    out: list[PolicyWarning] = []
    for clause in statement.conditions:
        for value in clause.values:
            if "${" in value or reads_value(clause.base, value):
                continue
            out.append(
                PolicyWarning(
                    policy,
                    statement.index,
                    statement.sid,
                    clause.key,
                    f"{clause.operator} cannot read {value!r} ({_expected(clause.base)} expected):"
                    " it matches no request value (a Deny that relies on it may never apply)",
                )
            )
    return tuple(out)


_VALUE_KINDS = (
    ("Numeric", "a number"),
    ("Date", "an ISO 8601 date or epoch seconds"),
    ("IpAddress", "an IPv4 or IPv6 address or CIDR"),
    ("NotIpAddress", "an IPv4 or IPv6 address or CIDR"),
    ("Binary", "base-64"),
    ("Bool", "true or false"),
)


def _expected(base: str) -> str:
    return next((text for prefix, text in _VALUE_KINDS if base.startswith(prefix)), base)


def _kind_of(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _show(value: object) -> str:
    try:
        scalar = isinstance(value, str | int | float | bool | type(None))
        text = json.dumps(value) if scalar else _kind_of(value)
    except ValueError:
        text = _kind_of(value)
    return text if len(text) <= 60 else text[:57] + "..."
