"""Documented cases: empty things (statement lists, condition blocks, boundary lists, string values) and
legal strings that name no action."""

from __future__ import annotations

from .casekit import ALICE, DEV, FULL_ACCESS, A, Case, allow, ctx, deny, doc

GRAMMAR = "IAM UG > Grammar of the IAM JSON policy language > policy_document (statement list)"
ACTION = "IAM UG > IAM JSON policy elements: Action (service:action, matched as written)"
NOTACTION = "IAM UG > IAM JSON policy elements: NotAction (matches every action not listed)"
CONDITION = "IAM UG > IAM JSON policy elements: Condition (a block with no test adds no test)"
EMPTY_STRING = "IAM UG > IAM JSON policy elements: Condition operators > String condition operators"
BOUNDARY = "IAM UG > Permissions boundaries for IAM entities (an entity has one boundary or none)"

EMPTY = {"Version": "2012-10-17", "Statement": []}

CASES: list[Case] = [
    Case("empty-statement-list-allows-nothing", GRAMMAR, "ImplicitlyDenied", identity=(EMPTY,)),
    Case("empty-statement-list-beside-allow", GRAMMAR, "Allowed", identity=(EMPTY, *FULL_ACCESS)),
    Case("empty-statement-list-as-resource-policy", GRAMMAR, "ImplicitlyDenied", resource_policy=EMPTY),
    Case("empty-statement-list-as-boundary", BOUNDARY, "ImplicitlyDenied", identity=FULL_ACCESS, boundary=(EMPTY,)),
    Case("empty-statement-list-as-scp-level", GRAMMAR, "ImplicitlyDenied", identity=FULL_ACCESS, scps=((EMPTY,),)),
    Case("empty-statement-list-as-rcp", GRAMMAR, "Allowed", identity=FULL_ACCESS, rcps=((EMPTY,),)),
    Case("empty-boundary-list-with-role", BOUNDARY, "Allowed", principal=DEV, identity=FULL_ACCESS, boundary=()),
    Case("empty-condition-block-is-unconditional", CONDITION, "Allowed", identity=(doc(allow(condition={})),)),
    Case(
        "empty-operator-block-is-unconditional",
        CONDITION,
        "Allowed",
        identity=(doc(allow(condition={"StringEquals": {}})),),
    ),
    Case("empty-condition-deny-applies", CONDITION, "ExplicitlyDenied", identity=(doc(allow(), deny(condition={})),)),
    Case(
        "empty-string-value-matches-empty-value",
        EMPTY_STRING,
        "Allowed",
        complete=True,
        identity=(doc(allow(condition={"StringEquals": {"s3:prefix": ""}})),),
        context=ctx(("s3:prefix", "")),
    ),
    Case(
        "empty-string-value-other-value",
        EMPTY_STRING,
        "ImplicitlyDenied",
        complete=True,
        identity=(doc(allow(condition={"StringEquals": {"s3:prefix": ""}})),),
        context=ctx(("s3:prefix", "a/")),
    ),
    Case(
        "empty-string-like-pattern",
        EMPTY_STRING,
        "ImplicitlyDenied",
        complete=True,
        identity=(doc(allow(condition={"StringLike": {"aws:username": ""}})),),
    ),
    Case("empty-sid", GRAMMAR, "Allowed", identity=(doc(allow(sid="")),)),
    Case(
        "action-with-comma-names-nothing", ACTION, "ImplicitlyDenied", identity=(doc(allow("s3:GetObject,PutObject")),)
    ),
    Case("action-with-space-names-nothing", ACTION, "ImplicitlyDenied", identity=(doc(allow(" s3:GetObject ")),)),
    Case("action-with-inner-space-names-nothing", ACTION, "ImplicitlyDenied", identity=(doc(allow("s3:Get Object")),)),
    Case(
        "notaction-with-comma-matches-everything",
        NOTACTION,
        "Allowed",
        identity=(doc(allow(None, not_action="s3:GetObject, PutObject")),),
    ),
    Case(
        "notaction-with-space-deny-applies",
        NOTACTION,
        "ExplicitlyDenied",
        identity=(doc(allow(), deny(None, not_action=" s3:GetObject")),),
    ),
    Case("action-unknown-service-names-nothing", ACTION, "ImplicitlyDenied", identity=(doc(allow("s4:GetObject")),)),
    Case("action-empty-name-names-nothing", ACTION, "ImplicitlyDenied", identity=(doc(allow("s3:")),)),
    Case("action-wildcard-prefix", ACTION, "Allowed", identity=(doc(allow("*3:Get*")),)),
    Case(
        "statement-object-not-list",
        GRAMMAR,
        "Allowed",
        principal=ALICE,
        identity=({"Version": "2012-10-17", "Statement": allow("s3:*", "arn:aws:s3:::*")},),
    ),
    Case(
        "resource-policy-other-account-resource-empty",
        GRAMMAR,
        "ImplicitlyDenied",
        resource_account=A,
        resource_policy={"Statement": []},
        identity=(),
    ),
]
