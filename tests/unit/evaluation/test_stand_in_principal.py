"""A stand-in principal (an account that is not loaded, or `*`) leaves its own attributes undecided."""

from __future__ import annotations

from service.evaluation import parse_policy
from service.evaluation.engine import evaluate
from service.evaluation.request import Principal, Request

TRUST = parse_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc", "aws:PrincipalAccount": "999988887777"}},
            }
        ],
    },
    name="trust",
)
WILLING = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, name="willing"
)


def _decide(principal: Principal) -> tuple[str, str | None]:
    request = Request(principal=principal, action="sts:AssumeRole", resource="arn:aws:iam::111122223333:role/R")
    decision = evaluate(request, identity_policies=(WILLING,), resource_policy=TRUST, resource_kind="role-trust")
    return decision.decision, decision.describe() if decision.condition is not None else None


def test_a_stand_in_leaves_its_organization_undecided_but_knows_its_account() -> None:
    # IAM UG > AWS global condition context keys > aws:PrincipalOrgID: unknown for an unloaded account
    stand_in = Principal("arn:aws:iam::999988887777:user/*", "999988887777", "user", attributes_known=False)
    assert _decide(stand_in) == ("Allowed", 'aws:PrincipalOrgID StringEquals "o-abc"')
    elsewhere = Principal("arn:aws:iam::123456789012:user/*", "123456789012", "user", attributes_known=False)
    assert _decide(elsewhere)[0] == "ImplicitlyDenied"


def test_a_known_principal_outside_any_organization_is_decided() -> None:
    # IAM UG > aws:PrincipalOrgID: a principal in no organization does not have the key
    known = Principal("arn:aws:iam::999988887777:user/x", "999988887777", "user")
    assert _decide(known)[0] == "ImplicitlyDenied"
