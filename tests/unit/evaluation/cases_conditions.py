"""Documented cases: condition operators, missing keys, set operators, and undecided conditions."""

from __future__ import annotations

from typing import Any

from .casekit import Case, allow, ctx, deny, doc

STRING = "IAM UG > IAM JSON policy elements: Condition operators > String condition operators"
NUMERIC = "IAM UG > IAM JSON policy elements: Condition operators > Numeric condition operators"
DATE = "IAM UG > IAM JSON policy elements: Condition operators > Date condition operators"
BOOL = "IAM UG > IAM JSON policy elements: Condition operators > Boolean condition operators"
BINARY = "IAM UG > IAM JSON policy elements: Condition operators > Binary condition operators"
IP = "IAM UG > IAM JSON policy elements: Condition operators > IP address condition operators"
ARN = "IAM UG > IAM JSON policy elements: Condition operators > Amazon Resource Name (ARN) condition operators"
IFEXISTS = "IAM UG > IAM JSON policy elements: Condition operators > ...IfExists condition operators"
NULL = (
    "IAM UG > IAM JSON policy elements: Condition operators > Condition operator to check existence of condition keys"
)
MISSING = "IAM UG > IAM JSON policy elements: Condition operators (key not present: false; negated operators: true)"
MULTI = "IAM UG > Conditions with multiple context keys or values > Evaluation logic"
NEGATED = "IAM UG > Conditions with multiple context keys or values > Evaluation logic for negated matching operators"
SETS = "IAM UG > Set operators for multivalued context keys"
KEYS = "IAM UG > IAM policy elements: Variables and tags (key names are case-insensitive)"
GLOBAL = "IAM UG > AWS global condition context keys > Properties of the principal"
UNDECIDED = "IAM-SEMANTICS > Conditions (unknown context: return the condition, never guess) / IAM UG > Condition"


def cond(
    name: str,
    doc_section: str,
    expect: str,
    condition: dict[str, dict[str, Any]],
    context: dict[str, tuple[str, ...]] | None = None,
    *,
    complete: bool = True,
    effect: str = "Allow",
    text: str | None = None,
) -> Case:
    statements = [allow(condition=condition)] if effect == "Allow" else [allow(), deny(condition=condition)]
    return Case(
        f"cond-{name}",
        doc_section,
        expect,
        identity=(doc(*statements),),
        context=context or {},
        complete=complete,
        condition=text,
    )


TAGS3 = ("env", "team", "cost")
CASES: list[Case] = [
    # --- strings ---------------------------------------------------------------------------------
    cond(
        "string-equals",
        STRING,
        "Allowed",
        {"StringEquals": {"aws:RequestTag/env": "prod"}},
        ctx(("aws:RequestTag/env", "prod")),
    ),
    cond(
        "string-equals-case-sensitive",
        STRING,
        "ImplicitlyDenied",
        {"StringEquals": {"aws:RequestTag/env": "Prod"}},
        ctx(("aws:RequestTag/env", "prod")),
    ),
    cond(
        "string-equals-ignore-case",
        STRING,
        "Allowed",
        {"StringEqualsIgnoreCase": {"aws:RequestTag/env": "PROD"}},
        ctx(("aws:RequestTag/env", "prod")),
    ),
    cond(
        "string-not-equals-ignore-case",
        STRING,
        "ImplicitlyDenied",
        {"StringNotEqualsIgnoreCase": {"aws:RequestTag/env": "PROD"}},
        ctx(("aws:RequestTag/env", "prod")),
    ),
    cond(
        "string-not-equals-match",
        STRING,
        "ImplicitlyDenied",
        {"StringNotEquals": {"aws:RequestTag/env": "prod"}},
        ctx(("aws:RequestTag/env", "prod")),
    ),
    cond(
        "string-not-equals-other",
        STRING,
        "Allowed",
        {"StringNotEquals": {"aws:RequestTag/env": "prod"}},
        ctx(("aws:RequestTag/env", "dev")),
    ),
    cond(
        "string-not-equals-nor",
        NEGATED,
        "ImplicitlyDenied",
        {"StringNotEquals": {"aws:RequestTag/env": ["dev", "prod"]}},
        ctx(("aws:RequestTag/env", "dev")),
    ),
    cond(
        "string-values-or",
        MULTI,
        "Allowed",
        {"StringEquals": {"aws:RequestTag/env": ["dev", "prod"]}},
        ctx(("aws:RequestTag/env", "dev")),
    ),
    cond(
        "string-like-star",
        STRING,
        "Allowed",
        {"StringLike": {"aws:RequestTag/app": "*-prod"}},
        ctx(("aws:RequestTag/app", "billing-prod")),
    ),
    cond(
        "string-like-question",
        STRING,
        "ImplicitlyDenied",
        {"StringLike": {"aws:RequestTag/app": "app-?"}},
        ctx(("aws:RequestTag/app", "app-10")),
    ),
    cond(
        "string-like-case-sensitive",
        STRING,
        "ImplicitlyDenied",
        {"StringLike": {"aws:RequestTag/app": "*-PROD"}},
        ctx(("aws:RequestTag/app", "billing-prod")),
    ),
    cond(
        "string-like-dot-literal",
        STRING,
        "ImplicitlyDenied",
        {"StringLike": {"aws:UserAgent": "aws-cli/2.*"}},
        ctx(("aws:UserAgent", "aws-cli/2x1")),
    ),
    cond(
        "string-not-like",
        STRING,
        "Allowed",
        {"StringNotLike": {"aws:RequestTag/app": "*-prod"}},
        ctx(("aws:RequestTag/app", "billing-dev")),
    ),
    cond(
        "key-name-case-insensitive",
        KEYS,
        "Allowed",
        {"IpAddress": {"AWS:SOURCEIP": "203.0.113.0/24"}},
        ctx(("aws:SourceIp", "203.0.113.9")),
    ),
    cond(
        "keys-and",
        MULTI,
        "ImplicitlyDenied",
        {"StringEquals": {"aws:RequestTag/env": "prod", "aws:RequestTag/team": "red"}},
        ctx(("aws:RequestTag/env", "prod"), ("aws:RequestTag/team", "blue")),
    ),
    cond(
        "operators-and",
        MULTI,
        "ImplicitlyDenied",
        {"StringEquals": {"aws:RequestTag/env": "prod"}, "Bool": {"aws:SecureTransport": "true"}},
        ctx(("aws:RequestTag/env", "prod"), ("aws:SecureTransport", "false")),
    ),
    cond(
        "operators-and-all-hold",
        MULTI,
        "Allowed",
        {"StringEquals": {"aws:RequestTag/env": "prod"}, "Bool": {"aws:SecureTransport": "true"}},
        ctx(("aws:RequestTag/env", "prod"), ("aws:SecureTransport", "true")),
    ),
    # --- missing keys (context complete) ------------------------------------------------------------
    cond("missing-string-equals-false", MISSING, "ImplicitlyDenied", {"StringEquals": {"aws:SourceVpc": "vpc-1"}}),
    cond("missing-string-not-equals-true", MISSING, "Allowed", {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}),
    cond("missing-arn-not-like-true", MISSING, "Allowed", {"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}),
    cond("missing-if-exists-true", IFEXISTS, "Allowed", {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
    cond(
        "present-if-exists-compares",
        IFEXISTS,
        "ImplicitlyDenied",
        {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}},
        ctx(("aws:SourceVpc", "vpc-2")),
    ),
    cond(
        "missing-bool-deny-does-not-apply",
        MISSING,
        "Allowed",
        {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        effect="Deny",
    ),
    cond(
        "missing-bool-if-exists-deny-applies",
        IFEXISTS,
        "ExplicitlyDenied",
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        effect="Deny",
    ),
    cond("null-true-missing", NULL, "Allowed", {"Null": {"aws:TokenIssueTime": "true"}}),
    cond(
        "null-true-present",
        NULL,
        "ImplicitlyDenied",
        {"Null": {"aws:TokenIssueTime": "true"}},
        ctx(("aws:TokenIssueTime", "2024-01-01T00:00:00Z")),
    ),
    cond("null-false-missing", NULL, "ImplicitlyDenied", {"Null": {"aws:TokenIssueTime": "false"}}),
    cond(
        "null-false-present",
        NULL,
        "Allowed",
        {"Null": {"aws:TokenIssueTime": "false"}},
        ctx(("aws:TokenIssueTime", "2024-01-01T00:00:00Z")),
    ),
    cond(
        "null-unknown",
        NULL,
        "Allowed",
        {"Null": {"aws:TokenIssueTime": "false"}},
        complete=False,
        text='aws:TokenIssueTime Null "false"',
    ),
    cond(
        "null-derived-tag-decided",
        NULL,
        "ImplicitlyDenied",
        {"Null": {"aws:PrincipalTag/team": "true"}},
        complete=False,
    ),
    # --- set operators -----------------------------------------------------------------------------
    cond(
        "forall-subset",
        SETS,
        "Allowed",
        {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}},
        ctx(("aws:TagKeys", ("env", "team"))),
    ),
    cond(
        "forall-not-subset",
        SETS,
        "ImplicitlyDenied",
        {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}},
        ctx(("aws:TagKeys", ("env", "owner"))),
    ),
    cond("forall-missing-true", SETS, "Allowed", {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}}),
    cond(
        "forall-empty-true",
        SETS,
        "Allowed",
        {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}},
        ctx(("aws:TagKeys", ())),
    ),
    cond(
        "foranyvalue-overlap",
        SETS,
        "Allowed",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}},
        ctx(("aws:TagKeys", ("owner", "env"))),
    ),
    cond(
        "foranyvalue-disjoint",
        SETS,
        "ImplicitlyDenied",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}},
        ctx(("aws:TagKeys", ("owner", "team"))),
    ),
    cond("foranyvalue-missing-false", SETS, "ImplicitlyDenied", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}),
    cond(
        "forall-not-equals",
        SETS,
        "ImplicitlyDenied",
        {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}},
        ctx(("aws:TagKeys", ("env", "secret"))),
    ),
    cond(
        "foranyvalue-like",
        SETS,
        "Allowed",
        {"ForAnyValue:StringLike": {"aws:TagKeys": ["cost-*"]}},
        ctx(("aws:TagKeys", ("env", "cost-center"))),
    ),
    cond(
        "foranyvalue-deny",
        SETS,
        "ExplicitlyDenied",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}},
        ctx(("aws:TagKeys", ("owner",))),
        effect="Deny",
    ),
    cond("forall-if-exists-missing", SETS, "Allowed", {"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}),
    cond(
        "multivalued-without-qualifier-any",
        SETS,
        "Allowed",
        {"StringEquals": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/"}},
        ctx(("aws:PrincipalOrgPaths", ("o-a/r-b/ou-x/", "o-a/r-b/ou-c/"))),
    ),
]
