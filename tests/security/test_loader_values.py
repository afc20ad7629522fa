"""Issue #18 item 7: what the loader accepts, every question answers; what AWS could never return (a newline
in a trust principal's ARN, a control character in a name, path or tag) is refused at load, naming the
file, the entity and the field. Syntax from the IAM API reference (CreateRole, CreateUser, TagRole) and
the IAM JSON policy elements reference (Principal)."""

from __future__ import annotations

from typing import Any

import pytest

from loaders.gaad import merge_pages, transform_gaad
from service.errors import InputError
from tests.support.samples import ACCOUNT_A, allow, gaad, role, user

ROLE = f"arn:aws:iam::{ACCOUNT_A}:role/Target"


def load(document: dict[str, Any]) -> None:
    transform_gaad(merge_pages([document], "gaad-odd.json"))


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(InputError) as caught:
        load(document)
    return str(caught.value)


@pytest.mark.parametrize(
    ("principal", "field"),
    [
        ({"AWS": "arn:aws:iam::222222222222:user/a\nb"}, "Principal.AWS"),
        ({"AWS": "arn:aws:iam::222222222222:role/a b"}, "Principal.AWS"),
        ({"AWS": "arn:aws:iam::222222222222:root\x00"}, "Principal.AWS"),
        ({"AWS": "arn:aws:sts::222222222222:assumed-role/R/s\u2028"}, "Principal.AWS"),
        ({"AWS": "arn:aws:iam::2222:root"}, "Principal.AWS"),
        ({"AWS": "arn:aws:s3:::bucket"}, "Principal.AWS"),
        ({"AWS": "Jesse"}, "Principal.AWS"),
        ({"Service": "ec2.amazonaws.com\n"}, "Principal.Service"),
        ({"Service": "ec2 amazonaws com"}, "Principal.Service"),
        ({"Federated": "arn:aws:iam::222222222222:saml-provider/Okta\r"}, "Principal.Federated"),
        ({"CanonicalUser": "not-hex"}, "Principal.CanonicalUser"),
    ],
)
def test_a_trust_principal_aws_could_not_return_is_refused(principal: Any, field: str) -> None:
    message = refused(gaad(roles=[role("Target", principal)]))
    assert message.startswith("gaad-odd.json: role 'Target' trust policy (AssumeRolePolicyDocument): statement 0")
    assert f" {field}: " in message
    assert "\n" not in message  # shown escaped, as repr


def test_not_principal_values_are_checked_too() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:user/x\ny"}, "Action": "sts:*"},
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
    ]}
    message = refused(gaad(roles=[role("Target", "*", AssumeRolePolicyDocument=document)]))
    assert "statement 0 NotPrincipal.AWS: 'arn:aws:iam::222222222222:user/x\\ny'" in message


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": ["222222222222", "arn:aws:iam::222222222222:root", "AROAABCDEFGHIJKLMNOPQ",
                 "arn:aws:iam::222222222222:user/path/with+=,.@_-/name", "arn:aws-cn:iam::222222222222:role/x",
                 "arn:aws:sts::222222222222:assumed-role/R/session@example.com",
                 "arn:aws:sts::222222222222:federated-user/bob"]},
        {"Service": ["ec2.amazonaws.com", "states.eu-west-1.amazonaws.com", "ec2.amazonaws.com.cn"]},
        {"Federated": ["arn:aws:iam::222222222222:saml-provider/Okta", "cognito-identity.amazonaws.com",
                       "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"]},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    ],
)
def test_every_principal_syntax_aws_uses_still_loads(principal: Any) -> None:
    load(gaad(roles=[role("Target", principal)]))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"UserName": "a\nb"}, "UserName 'a\\nb' is not an IAM name"),
        ({"UserName": "Jesse\x1b[31m"}, "is not an IAM name"),
        ({"UserName": "Zoë"}, "is not an IAM name"),
        ({"Path": "/team\n/"}, "Path '/team\\n/' is not an IAM path"),
        ({"Path": "team/"}, "is not an IAM path"),
        ({"UserId": "AIDA\tX"}, "UserId 'AIDA\\tX' is not an IAM id"),
        ({"Arn": f"arn:aws:iam::{ACCOUNT_A}:user/a\nb"}, "is not an IAM user ARN"),
        ({"Tags": [{"Key": "team\n", "Value": "x"}]}, "Tags[0].Key 'team\\n' holds a character"),
        ({"Tags": [{"Key": "team", "Value": "x\u200by"}]}, "Tags[0].Value"),
        ({"CreateDate": "2025-01-01\ud800"}, "CreateDate '2025-01-01\\ud800' is not Unicode text"),
        ({"UserPolicyList": [{"PolicyName": "p\n", "PolicyDocument": allow("s3:*")}]}, "PolicyName 'p\\n'"),
    ],
)
def test_user_fields_aws_could_not_return_are_refused(change: dict[str, Any], expected: str) -> None:
    message = refused(gaad(users=[{**user("Jesse"), **change}], roles=[role("Target", {"AWS": ACCOUNT_A})]))
    assert message.startswith("gaad-odd.json: user ")
    assert expected in message


def test_tags_with_letters_spaces_and_symbols_iam_allows_still_load() -> None:
    tags = [{"Key": "Équipe / owner", "Value": "Zoë +=.:@_-"}, {"Key": "empty", "Value": ""}]
    load(gaad(users=[user("Jesse", Tags=tags)], roles=[role("Target", {"AWS": ACCOUNT_A})]))


def test_a_role_name_with_a_newline_is_refused_naming_the_field() -> None:
    odd = {**role("Target", {"AWS": ACCOUNT_A}), "RoleName": "Tar\nget"}
    assert "RoleName 'Tar\\nget' is not an IAM name" in refused(gaad(roles=[odd]))
