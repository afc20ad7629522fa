"""Parsing: accepted forms, and validation messages that name policy, statement, Sid and field."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from service.errors import PolicyError
from service.evaluation import (
    Policy,
    PrincipalSet,
    Request,
    check_policy_kind,
    evaluate,
    parse_policy,
    principal_from_arn,
)

GRAMMAR = "IAM UG > Grammar of the IAM JSON policy language"
VALID: dict[str, Any] = {
    "Version": "2012-10-17",
    "Id": "example",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:List*"],
            "Resource": "arn:aws:s3:::reports/*",
            "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["env", 7, True]}},
        }
    ],
}


def test_accepts_dict_json_and_url_encoded_forms() -> None:
    text = json.dumps(VALID)
    forms = (VALID, text, urllib.parse.quote(text), f"  {text}\n")
    parsed = [parse_policy(form, name="p") for form in forms]
    assert all(p == parsed[0] for p in parsed)
    statement = parsed[0].statements[0]
    assert statement.sid == "Read" and statement.actions == ("s3:GetObject", "s3:List*")
    clause = statement.conditions[0]
    assert (clause.base, clause.qualifier, clause.if_exists) == ("StringLike", "ForAnyValue", True)
    assert clause.values == ("env", "7", "true")


def test_statement_may_be_one_object_and_scalars_may_stand_for_lists() -> None:
    policy = parse_policy({"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"}}, name="p")
    assert policy.version is None and not policy.variables_enabled
    assert policy.statements[0].not_actions == ("iam:*",)
    assert policy.statements[0].not_resources == ("*",)


def test_principal_forms() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}},
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": ["111111111111"], "Service": "ec2.amazonaws.com", "Federated": "x"},
                },
            ],
        },
        name="trust",
        kind="resource",
    )
    everyone = PrincipalSet(everyone=True)
    assert policy.statements[0].principals == everyone == policy.statements[1].principals
    third = policy.statements[2].principals
    assert third is not None and third.aws == ("111111111111",) and third.service == ("ec2.amazonaws.com",)


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        ([], "", "must be a JSON object"),
        ("not json at all", "", "neither JSON nor URL-encoded JSON"),
        ({"Statement": "s3:*"}, "field 'Statement'", "an object or a list"),
        ({"Version": "2012-10-17"}, "field 'Statement'", "missing required field Statement"),
        ({"Version": "2020-01-01", "Statement": {}}, "field 'Version'", "Version must be"),
        ({"Statement": {}, "Extra": 1}, "field 'Extra'", "unknown top-level field"),
        ({"Statement": [{"Effect": "allow", "Action": "s3:x"}]}, "statement 0, field 'Effect'", '"allow"'),
        ({"Statement": [{"Effect": "Allow"}]}, "statement 0, field 'Action'", "missing required field Action"),
        (
            {"Statement": [{"Sid": "Both", "Effect": "Allow", "Action": "s3:x", "NotAction": "s3:y"}]},
            "statement 0 (Sid 'Both'), field 'NotAction'",
            "both Action and NotAction",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": [1]}]}, "field 'Action'", "not a number 1"),
        ({"Statement": [{"Effect": "Allow", "Action": []}]}, "field 'Action'", "empty list"),
        ({"Statement": [{"Effect": "Allow", "Action": "s3GetObject"}]}, "field 'Action'", "has no service prefix"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Resource": "bucket"}]},
            "field 'Resource'",
            "not an ARN",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Resource": "*", "NotResource": "*"}]},
            "field 'NotResource'",
            "both Resource and NotResource",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Principal": "*", "NotPrincipal": "*"}]},
            "field 'NotPrincipal'",
            "both Principal and NotPrincipal",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Principal": {"User": "bob"}}]},
            "field 'Principal'",
            "unknown principal type",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Condition": {"StringEqualz": {"k": "v"}}}]},
            "field 'Condition.StringEqualz'",
            "unknown condition operator",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:x", "Condition": {"ForSomeValues:StringLike": {"k": "v"}}}
                ]
            },
            "field 'Condition.ForSomeValues:StringLike'",
            "unknown set qualifier",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Condition": {"NullIfExists": {"k": "true"}}}]},
            "field 'Condition.NullIfExists'",
            "Null cannot be combined",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Condition": {"Null": {"k": "maybe"}}}]},
            "field 'Condition.Null.k'",
            'Null takes "true" or "false"',
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Condition": {"StringEquals": {"k": {"a": 1}}}}]},
            "field 'Condition.StringEquals.k'",
            "strings, numbers or booleans",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "s3:x", "Sid": 5}]}, "field 'Sid'", "Sid must be a string"),
    ],
)
def test_validation_messages_name_the_place(document: Any, where: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, name="team-policy")
    text = str(caught.value)
    assert text.startswith("policy 'team-policy'")
    assert where in text and message in text, text


def test_policy_error_carries_structured_fields() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy({"Statement": [{"Effect": "Allow", "Action": "s3:x"}, {"Sid": "Two", "Effect": "Nope"}]}, name="p")
    error = caught.value
    assert (error.policy, error.statement, error.sid, error.field) == ("p", 1, "Two", "Effect")


@pytest.mark.parametrize(
    ("kind", "statement", "field"),
    [
        ("identity", {"Effect": "Allow", "Action": "s3:x", "Resource": "*", "Principal": "*"}, "Principal"),
        (
            "boundary",
            {"Effect": "Allow", "Action": "s3:x", "Resource": "*", "NotPrincipal": {"AWS": "1"}},
            "NotPrincipal",
        ),
        ("scp", {"Effect": "Allow", "Action": "s3:x"}, "Resource"),
        ("session", {"Effect": "Allow", "Action": "s3:x"}, "Resource"),
        ("resource", {"Effect": "Allow", "Action": "s3:x", "Resource": "*"}, "Principal"),
        ("rcp", {"Effect": "Allow", "Action": "s3:x", "Resource": "*"}, "Principal"),
    ],
)
def test_elements_forbidden_or_required_by_policy_type(kind: Any, statement: dict[str, Any], field: str) -> None:
    policy = parse_policy({"Version": "2012-10-17", "Statement": [statement]}, name="p")
    with pytest.raises(PolicyError) as caught:
        check_policy_kind(policy, kind)
    assert caught.value.field == field


def test_evaluate_flags_a_principal_in_an_identity_policy() -> None:
    """Documented choice: the parser accepts `Principal` anywhere; `evaluate` rejects it where AWS would."""
    policy = parse_policy(
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]}, name="x"
    )
    alice = principal_from_arn("arn:aws:iam::111111111111:user/alice")
    with pytest.raises(PolicyError, match="identity-based policy cannot have a Principal"):
        evaluate(Request(alice, "s3:GetObject", "*"), identity_policies=[policy])


def test_huge_numbers_and_odd_keys_are_errors_not_crashes() -> None:
    with pytest.raises(PolicyError):
        parse_policy(
            {"Statement": [{"Effect": "Allow", "Action": "s3:x", "Condition": {"NumericEquals": {"k": 10**5000}}}]},
            name="p",
        )
    with pytest.raises(PolicyError):
        parse_policy({1: "x"}, name="p")  # type: ignore[dict-item]
    with pytest.raises(PolicyError):
        parse_policy("[" * 100_000, name="p")


def test_policies_compare_by_content_not_source() -> None:
    a = parse_policy(VALID, name="p")
    b = parse_policy(json.dumps(VALID, indent=4), name="p")
    assert a == b and hash(a) == hash(b)
    assert isinstance(a, Policy) and a.source_document["Id"] == "example"


NOTPRINCIPAL_DOC = "IAM UG > AWS JSON policy elements: NotPrincipal > Key points (not in trust policies, SCPs, RCPs)"


def test_notprincipal_is_refused_in_rcps_and_role_trust_policies() -> None:
    """NOTPRINCIPAL_DOC: AWS refuses both; the message names the statement and the rule."""
    rcp = parse_policy(
        {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "111111111111"}, "Action": "s3:*", "Resource": "*"}]},
        name="rcp-1",
    )
    with pytest.raises(PolicyError, match="resource control policy cannot have a NotPrincipal") as caught:
        check_policy_kind(rcp, "rcp")
    assert caught.value.policy == "rcp-1" and caught.value.statement == 0
    trust = parse_policy(
        {"Statement": [{"Sid": "T", "Effect": "Allow", "NotPrincipal": {"AWS": "1"}, "Action": "sts:AssumeRole"}]},
        name="trust",
    )
    request = Request(principal_from_arn("arn:aws:iam::111111111111:user/a"), "sts:AssumeRole", "arn:aws:iam::1:role/r")
    with pytest.raises(PolicyError, match="role trust policy cannot have a NotPrincipal") as caught:
        evaluate(request, resource_policy=trust, resource_kind="role-trust")
    assert caught.value.sid == "T"
    assert evaluate(request, resource_policy=trust, resource_kind="generic").decision == "Allowed"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "s3:GetObject,PutObject", "Resource": "*"},
        {"Effect": "Allow", "Action": " s3:GetObject ", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "s3:", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {}}},
        {"Sid": "", "Effect": "Allow", "Action": "*", "Resource": "*"},
    ],
)
def test_what_aws_stores_parses(statement: dict[str, Any]) -> None:
    """GRAMMAR: AWS stores these; an action that names no real action is a string like any other."""
    policy = parse_policy({"Version": "2012-10-17", "Statement": [statement]}, name="p")
    assert policy.statements[0].conditions == ()
    assert parse_policy({"Version": "2012-10-17", "Statement": []}, name="empty").statements == ()


@pytest.mark.parametrize(
    ("action", "rule"),
    [("s3GetObject", "has no service prefix"), ("", "values must not be empty"), ("a:b:c", "more than one colon")],
)
def test_actions_aws_refuses(action: str, rule: str) -> None:
    with pytest.raises(PolicyError, match=rule):
        parse_policy({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}, name="p")


def test_policies_are_checked_even_when_aws_decides_alone() -> None:
    """A request AWS refuses (or always grants) still has its policies checked for what their type forbids."""
    bad = parse_policy({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}, name="b")
    alice = principal_from_arn("arn:aws:iam::111111111111:user/alice")
    slr = "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    for action, resource in (("iam:DeleteRole", slr), ("sts:GetCallerIdentity", "*")):
        with pytest.raises(PolicyError, match="cannot have a Principal"):
            evaluate(Request(alice, action, resource), identity_policies=[bad])
