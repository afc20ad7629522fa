"""Trust policies -> TRUSTS rows: every principal kept, accounts not fanned out, nothing silently dropped."""

from __future__ import annotations

import json
from typing import Any

from loaders.gaad import merge_pages, transform_gaad
from loaders.rows import TrustRow
from tests.support.samples import ACCOUNT_A, gaad, role


def trusts(principal: Any, *roles: dict[str, Any], document: dict[str, Any] | None = None) -> list[TrustRow]:
    subject = role("Subject", principal)
    if document is not None:
        subject["AssumeRolePolicyDocument"] = document
    account = transform_gaad(merge_pages([gaad(roles=[subject, *roles])], "t.json"))
    return [row for row in account.trusts if row.role_arn.endswith("/Subject")]


def targets(rows: list[TrustRow]) -> list[tuple[str, str]]:
    return [(row.target_kind, row.target) for row in rows]


def test_account_root_and_bare_id_delegate_to_the_account() -> None:
    rows = trusts({"AWS": ["arn:aws:iam::222222222222:root", "333333333333"]})
    assert targets(rows) == [("account", "222222222222"), ("account", "333333333333")]
    assert rows[0].principal == "arn:aws:iam::222222222222:root" and rows[0].principal_type == "AWS"


def test_user_and_role_arns_are_principals_in_their_account() -> None:
    rows = trusts({"AWS": ["arn:aws:iam::222222222222:user/dana", "arn:aws:iam::222222222222:role/ops/Deploy"]})
    assert targets(rows) == [
        ("principal", "arn:aws:iam::222222222222:user/dana"),
        ("principal", "arn:aws:iam::222222222222:role/ops/Deploy"),
    ]
    assert {row.target_account_id for row in rows} == {"222222222222"}


def test_assumed_role_maps_to_the_role() -> None:
    same_account = role("Pathed", {"Service": "ec2.amazonaws.com"}, path="/team/")
    rows = trusts(
        {"AWS": [f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Pathed/session-1",
                 "arn:aws:sts::222222222222:assumed-role/Ops/bob"]},
        same_account,
    )
    assert targets(rows) == [
        ("principal", f"arn:aws:iam::{ACCOUNT_A}:role/team/Pathed"),
        ("assumed-role", "arn:aws:iam::222222222222:role/Ops"),
    ]
    assert rows[1].role_name == "Ops"


def test_external_principals() -> None:
    rows = trusts({
        "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
        "Federated": "arn:aws:iam::111111111111:saml-provider/corp",
        "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        "AWS": ["AROAEXAMPLEDELETEDROLE1", "*", "arn:aws:sts::222222222222:federated-user/carol"],
    })
    assert [(r.external_kind, r.external_value) for r in rows] == [
        ("service", "ec2.amazonaws.com"),
        ("service", "lambda.amazonaws.com"),
        ("federated", "arn:aws:iam::111111111111:saml-provider/corp"),
        ("canonical", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),
        ("unknown-id", "AROAEXAMPLEDELETEDROLE1"),
        ("any", "*"),
        ("other", "arn:aws:sts::222222222222:federated-user/carol"),
    ]
    assert rows[0].target == "service:ec2.amazonaws.com"


def test_everyone() -> None:
    assert targets(trusts("*")) == [("external", "any:*")]


def test_statement_details_are_on_the_edge() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Deny", "Effect": "Deny", "Principal": {"AWS": "222222222222"}, "NotAction": "sts:TagSession",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
         "Condition": {"StringEquals": {"sts:ExternalId": "x", "aws:PrincipalTag/team": "a"}}},
    ]}
    deny, allow = trusts(None, document=document)
    assert (deny.statement_index, deny.sid, deny.effect, deny.actions, deny.not_actions) == (
        0, "Deny", "Deny", None, ("sts:TagSession",)
    )
    assert allow.actions == ("sts:AssumeRole", "sts:TagSession")
    assert allow.condition_keys == ("aws:PrincipalTag/team", "sts:ExternalId")
    assert json.loads(allow.conditions or "") == document["Statement"][1]["Condition"]


def test_not_principal_is_recorded_never_ignored() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"},
    ]}
    (row,) = trusts(None, document=document)
    assert row.not_principal and row.target == "any:*"
    assert json.loads(row.principal) == {"AWS": "arn:aws:iam::222222222222:root"}


def test_repeated_principal_values_give_one_edge() -> None:
    assert len(trusts({"AWS": ["222222222222", "222222222222"]})) == 1
