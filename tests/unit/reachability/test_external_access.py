"""externalAccess (#14): loaded resources and roles that grant principals outside their account, with who,
which actions, the conditions and the categories (docs/resource-policies.md)."""

from __future__ import annotations

from typing import Any

import pytest

from service.database.records import PublicAccessBlockRecord, ResourceRecord
from service.errors import QueryError
from service.reachability.external_access import external_access
from service.reachability.model import ExternalFinding

from .fake_source import FakeAccount, FakeOrganization, FakeSource, document, run, trusting

A, B, C = "111111111111", "222222222222", "333333333333"
ORG = "o-aaaa1111"
BUCKET = "arn:aws:s3:::reports"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RESTRICT = PublicAccessBlockRecord(True, True, True, True)


def _statement(principal: Any, action: str | list[str] = "s3:GetObject", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": f"{BUCKET}/*", **extra}


def bucket(*statements: dict[str, Any], **extra: Any) -> ResourceRecord:
    return ResourceRecord(BUCKET, "AWS::S3::Bucket", A, "us-east-1", document(*statements), **extra)


def queue(*statements: dict[str, Any]) -> ResourceRecord:
    return ResourceRecord(QUEUE, "AWS::SQS::Queue", A, "us-east-1", document(*statements))


def findings(*resources: ResourceRecord, category: str | None = None, **kw: Any) -> list[ExternalFinding]:
    org = FakeOrganization(ORG, A, accounts={A: ["r-root", A], B: ["r-root", B]})
    source = FakeSource(FakeAccount(A), FakeAccount(B), organization=org, resources=resources, **kw)
    return run(external_access(source, category=category))


def test_a_foreign_account_root_is_outside_the_account_not_the_organization() -> None:
    [found] = findings(bucket(_statement({"AWS": f"arn:aws:iam::{B}:root"})))
    assert (found.who, found.principal.arn, found.principal.kind) == ("account", f"arn:aws:iam::{B}:root", "account")
    assert found.categories == ("outside-account",)
    assert found.resource.kind == "s3-bucket" and found.actions == ("s3:GetObject",)
    assert found.condition is None and '"Principal"' in (found.statement or "")


def test_a_role_of_an_account_outside_the_organization() -> None:
    [found] = findings(bucket(_statement({"AWS": f"arn:aws:iam::{C}:role/etl"})))
    assert (found.principal.kind, found.principal.account_id) == ("role", C)
    assert found.categories == ("outside-account", "outside-organization")


def test_own_account_principals_are_not_findings() -> None:
    assert findings(bucket(_statement({"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{A}:user/alice"]}))) == []


def test_a_public_bucket_and_block_public_access() -> None:
    """S3 UG, "Blocking public access" > RestrictPublicBuckets: a public policy grants nothing outside the
    account, "including non-public delegation to specific accounts"."""
    public = (_statement("*"), _statement({"AWS": B}, Sid="ToB"))
    [anyone, to_b] = sorted(findings(bucket(*public)), key=lambda f: f.who, reverse=True)
    assert anyone.who == "anyone" and anyone.categories == ("outside-account", "outside-organization", "public")
    assert to_b.who == "account"
    assert findings(bucket(*public, public_access_block=RESTRICT)) == []
    assert findings(bucket(*public, account_public_access_block=RESTRICT)) == []
    # A policy that is not public keeps its cross-account grants under RestrictPublicBuckets.
    assert len(findings(bucket(public[1], public_access_block=RESTRICT))) == 1


def test_principal_org_id_is_decided_into_the_organization() -> None:
    """IAM UG, "aws:PrincipalOrgID": the question knows the caller's organization, so it is the grantee."""
    own = _statement("*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})
    [found] = findings(bucket(own))
    assert (found.who, found.principal.arn, found.categories) == ("organization", ORG, ("outside-account",))
    assert found.condition is None
    other = _statement(
        "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-other"}, "Bool": {"aws:SecureTransport": "true"}}
    )
    [found] = findings(bucket(other))
    assert found.categories == ("outside-account", "outside-organization")
    assert found.condition_text == 'aws:SecureTransport Bool "true"'


def test_a_queue_open_to_a_service_with_and_without_source_arn() -> None:
    """IAM UG, "The confused deputy problem": without aws:SourceArn/aws:SourceAccount any account's use of the
    service reaches the queue."""
    bare = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
    }
    [found] = findings(queue(bare))
    assert (found.who, found.categories, found.resource.kind) == (
        "service",
        ("service-without-source-condition",),
        "sqs-queue",
    )
    own_topic = {**bare, "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:orders"}}}
    assert findings(queue(own_topic)) == []
    foreign_topic = {**bare, "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{C}:orders"}}}
    [found] = findings(queue(foreign_topic))
    assert found.categories == ("outside-account", "outside-organization")
    assert found.condition_text == f'aws:SourceArn ArnEquals "arn:aws:sns:us-east-1:{C}:orders"'


def test_roles_come_from_the_trust_review_and_categories_filter() -> None:
    account = FakeAccount(A)
    account.role("vendor", trust=trusting({"AWS": f"arn:aws:iam::{C}:root"}))
    source = FakeSource(account, resources=[bucket(_statement("*"))])
    everything = run(external_access(source))
    assert [(f.resource.kind, f.who) for f in everything] == [("role", "account"), ("s3-bucket", "anyone")]
    assert everything[0].actions == ("sts:AssumeRole",)
    public = run(external_access(source, category="public"))
    assert [f.resource.arn for f in public] == [BUCKET]
    with pytest.raises(QueryError, match="unknown category"):
        run(external_access(source, category="nope"))


def test_deny_statements_and_resources_without_policy_give_nothing() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*"}
    assert findings(bucket(deny)) == []
    assert findings(ResourceRecord(KEY, "AWS::KMS::Key", A, "us-east-1", None)) == []


# IAM UG, "Policy evaluation logic" > "Determining whether a request is allowed or denied within an account":
# an explicit Deny in the resource policy overrides its Allow, so a finding is what is left after the Denys.
def _deny(
    principal: Any = "*", action: str | list[str] = "s3:*", resource: str = f"{BUCKET}/*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": resource, **extra}


def test_an_unconditional_deny_of_everyone_takes_the_grant_away() -> None:
    assert findings(bucket(_statement({"AWS": B}), _deny())) == []
    assert findings(bucket(_statement("*"), _deny(action="*", resource="*"))) == []


def test_a_deny_that_misses_an_action_or_resource_of_the_grant_leaves_it() -> None:
    grant = _statement({"AWS": B}, action=["s3:GetObject", "s3:PutObject"])
    [kept] = findings(bucket(grant, _deny(action="s3:Put*")))
    assert kept.actions == ("s3:GetObject", "s3:PutObject") and kept.notes == ()
    [kept] = findings(bucket(_statement({"AWS": B}), _deny(resource=f"{BUCKET}/private/*")))
    assert kept.notes == ()
    assert findings(bucket(_statement({"AWS": B}, action="s3:Get*"), _deny(action="s3:*"))) == []


def test_a_deny_naming_the_grantee_or_its_account_takes_only_that_grant_away() -> None:
    two = _statement({"AWS": [f"arn:aws:iam::{B}:role/etl", f"arn:aws:iam::{C}:root"]})
    [left] = findings(bucket(two, _deny({"AWS": f"arn:aws:iam::{B}:root"})))
    assert left.principal.arn == f"arn:aws:iam::{C}:root"
    [left] = findings(bucket(two, _deny({"AWS": C})))
    assert left.principal.arn == f"arn:aws:iam::{B}:role/etl"


def test_deny_outside_the_organization_narrows_a_public_grant_to_the_organization() -> None:
    """The common guard: Allow anyone, Deny StringNotEquals aws:PrincipalOrgID (IAM UG, "aws:PrincipalOrgID")."""
    guard = _deny(Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}})
    [found] = findings(bucket(_statement("*"), guard))
    assert (found.who, found.principal.arn, found.categories) == ("organization", ORG, ("outside-account",))
    assert found.condition is None and found.notes == ("narrowed by Deny statement 1",)
    # An account in the organization keeps its grant; one outside loses it.
    [kept] = findings(bucket(_statement({"AWS": [B, C]}), guard))
    assert kept.principal.arn == f"arn:aws:iam::{B}:root" and kept.notes == ()


def test_deny_outside_listed_accounts_keeps_just_those_accounts() -> None:
    guard = _deny(Condition={"StringNotEquals": {"aws:PrincipalAccount": [B, C]}})
    found = findings(bucket(_statement("*"), guard))
    assert sorted((f.principal.arn, f.categories) for f in found) == [
        (f"arn:aws:iam::{B}:root", ("outside-account",)),
        (f"arn:aws:iam::{C}:root", ("outside-account", "outside-organization")),
    ]


def test_a_deny_on_a_condition_the_question_cannot_decide_is_kept_as_unless() -> None:
    guard = _deny(Condition={"Bool": {"aws:SecureTransport": "false"}})
    [found] = findings(bucket(_statement({"AWS": B}), guard))
    assert found.condition is not None and found.condition.describe() == 'NOT aws:SecureTransport Bool "false"'
    assert found.categories == ("outside-account",) and found.notes == ("narrowed by Deny statement 1",)
    # With the organization guard besides: the organization keeps the grant, anyone else only when not a
    # service caller the guard exempts.
    both = _deny(
        Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}, "Bool": {"aws:PrincipalIsAWSService": "false"}}
    )
    found = findings(bucket(_statement("*"), both))
    assert sorted((f.who, f.condition.describe() if f.condition else None) for f in found) == [
        ("anyone", 'NOT aws:PrincipalIsAWSService Bool "false"'),
        ("organization", None),
    ]


def test_a_not_principal_deny_leaves_the_grant() -> None:
    spare_b = {"Effect": "Deny", "NotPrincipal": {"AWS": B}, "Action": "s3:*", "Resource": f"{BUCKET}/*"}
    [kept] = findings(bucket(_statement({"AWS": B}), spare_b))
    assert kept.principal.arn == f"arn:aws:iam::{B}:root"
