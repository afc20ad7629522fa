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
