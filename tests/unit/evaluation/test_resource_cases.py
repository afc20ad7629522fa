"""The resource-policy cases (#14): each names the AWS documentation section it follows."""

from __future__ import annotations

import pytest

from service.evaluation import Request, evaluate, parse_policy
from service.evaluation.resource_policies import is_public, resource_kind

from .cases_resource_policies import CASES, PUBLIC_READ, TO_ACCOUNT_B, ResourceCase


def _decide(item: ResourceCase):  # type: ignore[no-untyped-def]
    case = item.case
    return evaluate(
        Request(
            case.principal, case.action, case.resource, resource_account=case.resource_account, context=case.context
        ),
        identity_policies=[parse_policy(d, name=f"identity[{i}]") for i, d in enumerate(case.identity)],
        permissions_boundaries=None
        if case.boundary is None
        else [parse_policy(d, name="boundary") for d in case.boundary],
        resource_control_policies=None
        if case.rcps is None
        else [[parse_policy(d, name=f"rcp{n}") for d in level] for n, level in enumerate(case.rcps)],
        resource_policy=None if case.resource_policy is None else parse_policy(case.resource_policy, name="resource"),
        resource_kind=case.kind,
        restrict_public_buckets=item.restrict_public,
    )


def test_every_case_is_documented_and_unique() -> None:
    assert len({item.case.id for item in CASES}) == len(CASES)
    assert all(" > " in item.case.doc and "https://docs.aws.amazon.com/" in item.case.doc for item in CASES)


@pytest.mark.parametrize("item", CASES, ids=[item.case.id for item in CASES])
def test_resource_case(item: ResourceCase) -> None:
    case = item.case
    decision = _decide(item)
    shown = f"{decision.decision} {decision.describe()!r} {decision.explanation}"
    assert decision.decision == case.expect, shown
    if decision.decision == "Allowed":
        assert decision.describe() == (case.condition or ""), shown
    if case.why is not None:
        assert any(case.why in reason.why for reason in decision.explanation), shown


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}, True),
        ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}, True),
        ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:*", "Resource": "*"}, False),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:SourceAccount": "1111*"}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111111111111"}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:userid": "AROAEXAMPLE:*"}},
            },
            True,
        ),
    ],
)
def test_the_meaning_of_public(statement: dict[str, object], public: bool) -> None:
    """S3 UG, "Blocking public access" > "The meaning of 'public'"."""
    policy = parse_policy({"Version": "2012-10-17", "Statement": [statement]}, name="bucket")
    assert is_public(policy) is public


def test_public_fixtures() -> None:
    assert is_public(parse_policy(PUBLIC_READ, name="p"))
    assert not is_public(parse_policy(TO_ACCOUNT_B, name="p"))


def test_kms_keys_decide_as_key_policies() -> None:
    """KMS DG, "Key policies": IAM policies count only through the key policy."""
    assert resource_kind("AWS::KMS::Key") == "kms-key"
    assert resource_kind("AWS::S3::Bucket") == "generic"
