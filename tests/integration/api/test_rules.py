"""Graph-level tests, against the real server, one per evaluation rule. Each names the AWS documentation
section it follows (IAM User Guide unless said otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import QueryError
from tests.integration.api.conftest import Load, who_can, who_can_assume
from tests.support.gaad import Account, allow, deny, organization, trust, trusts

A, B = "111122223333", "444455556666"
BUCKET = "arn:aws:s3:::reports/q1.csv"


def test_group_deny_beats_user_allow(load: Load, tmp_path: Path) -> None:
    # "Policy evaluation logic" > explicit deny in any policy overrides an allow
    a = Account(A)
    a.group("NoDelete", inline=[deny("s3:DeleteObject")])
    a.user("bob", groups=["NoDelete"], inline=[allow("s3:*")])
    a.user("carol", inline=[allow("s3:*")])
    load(a.write(tmp_path))
    answers = who_can("s3:DeleteObject", BUCKET)
    assert a.arn("user", "carol") in answers
    assert a.arn("user", "bob") not in answers
    assert a.arn("user", "bob") in who_can("s3:GetObject", BUCKET)


def test_not_action_allows_everything_else(load: Load, tmp_path: Path) -> None:
    # "IAM JSON policy elements: NotAction" > Allow with NotAction
    a = Account(A)
    a.user("na", inline=[{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
    load(a.write(tmp_path))
    assert a.arn("user", "na") in who_can("s3:DeleteObject", BUCKET)
    assert a.arn("user", "na") not in who_can("iam:CreateUser", f"arn:aws:iam::{A}:user/x")


def test_not_resource_without_resource(load: Load, tmp_path: Path) -> None:
    # "IAM JSON policy elements: NotResource" > Allow with NotResource matches every other resource
    a = Account(A)
    a.user("nr", inline=[{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secrets/*"}])
    load(a.write(tmp_path))
    assert a.arn("user", "nr") in who_can("s3:GetObject", BUCKET)
    assert a.arn("user", "nr") not in who_can("s3:GetObject", "arn:aws:s3:::secrets/key")


def test_permissions_boundary_intersects_identity_policies(load: Load, tmp_path: Path) -> None:
    # "Permissions boundaries for IAM entities" > effective permissions = identity ∩ boundary
    a = Account(A)
    boundary = a.policy("OnlyS3Read", allow("s3:GetObject"))
    a.user("bounded", inline=[allow("s3:*")], boundary=boundary)
    load(a.write(tmp_path))
    assert a.arn("user", "bounded") in who_can("s3:GetObject", BUCKET)
    assert a.arn("user", "bounded") not in who_can("s3:DeleteObject", BUCKET)


def test_scps_must_allow_at_every_level(load: Load, tmp_path: Path) -> None:
    # "Service control policies (SCPs)" > an Allow is needed at the root, each OU and the account
    a, b = Account(A), Account(B)
    a.user("in-ou", inline=[allow("*")])
    b.user("at-root", inline=[allow("*")])
    full = {"Version": "2012-10-17", "Statement": [allow("*")]}
    only_s3 = {"Version": "2012-10-17", "Statement": [allow("s3:*")]}
    org = organization(
        tmp_path,
        accounts={A: "ou-team", B: "r-root"},
        levels={"r-root": [full], "ou-team": [only_s3], A: [full], B: [full]},
    )
    load(a.write(tmp_path), b.write(tmp_path), org)
    s3 = who_can("s3:GetObject", BUCKET)
    assert {a.arn("user", "in-ou"), b.arn("user", "at-root")} <= set(s3)
    ec2 = who_can("ec2:RunInstances", "*")
    assert b.arn("user", "at-root") in ec2
    assert a.arn("user", "in-ou") not in ec2  # the OU level allows only s3


def test_scp_deny_at_one_level_denies(load: Load, tmp_path: Path) -> None:
    # "Service control policies (SCPs)" > a Deny at any level applies
    a = Account(A)
    a.user("admin", inline=[allow("*")])
    full = {"Version": "2012-10-17", "Statement": [allow("*")]}
    no_delete = {"Version": "2012-10-17", "Statement": [allow("*"), deny("s3:DeleteObject")]}
    org = organization(tmp_path, accounts={A: "ou-team"}, levels={"r-root": [full], "ou-team": [no_delete], A: [full]})
    load(a.write(tmp_path), org)
    assert a.arn("user", "admin") not in who_can("s3:DeleteObject", BUCKET)
    assert a.arn("user", "admin") in who_can("s3:PutObject", BUCKET)


def test_account_root_trust_delegates_to_identity_policies(load: Load, tmp_path: Path) -> None:
    # "IAM JSON policy elements: Principal" > AWS account principals: the account's admins delegate
    a = Account(A)
    role = a.role("Delegated", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    a.user("allowed", inline=[allow("sts:AssumeRole", role)])
    a.user("not-allowed", inline=[allow("s3:*")])
    load(a.write(tmp_path))
    answers = who_can_assume(role)
    assert a.arn("user", "allowed") in answers
    assert a.arn("user", "not-allowed") not in answers


def test_resource_in_another_account_needs_a_resource_policy(load: Load, tmp_path: Path) -> None:
    # "Cross-account policy evaluation logic" > without a resource-based policy, only the resource's own
    # account can be allowed. An S3 ARN names no account: resourceAccount says which it is.
    a, b = Account(A), Account(B)
    a.user("admin-a", inline=[allow("*")])
    b.user("admin-b", inline=[allow("*")])
    load(a.write(tmp_path), b.write(tmp_path))
    table = f"arn:aws:dynamodb:us-east-1:{A}:table/orders"
    assert set(who_can("dynamodb:DeleteItem", table)) == {a.arn("user", "admin-a")}
    assert set(who_can("s3:DeleteObject", BUCKET, resource_account=B)) == {b.arn("user", "admin-b")}
    # No account known: the bucket could be in either, so both admins are named.
    assert set(who_can("s3:DeleteObject", BUCKET)) == {a.arn("user", "admin-a"), b.arn("user", "admin-b")}
    with pytest.raises(QueryError, match="12-digit"):
        who_can("s3:DeleteObject", BUCKET, resource_account="not-an-account")
    with pytest.raises(QueryError, match=f"is in account {A}"):
        who_can("dynamodb:DeleteItem", table, resource_account=B)


def test_same_account_direct_trust_needs_no_identity_allow(load: Load, tmp_path: Path) -> None:
    # "Policy evaluation logic" > same account: a resource-based policy naming the principal suffices
    a = Account(A)
    user = a.arn("user", "named")
    a.user("named")
    role = a.role("Direct", trust(trusts({"AWS": user})))
    load(a.write(tmp_path))
    answers = who_can_assume(role)
    assert user in answers
    assert [s["kind"] for s in answers[user]["paths"][0]["steps"]] == ["assumes"]


def test_cross_account_needs_both_sides(load: Load, tmp_path: Path) -> None:
    # "Cross-account policy evaluation logic" > identity policy in the caller's account AND the trust policy
    a, b = Account(A), Account(B)
    role = a.role("Shared", trust(trusts({"AWS": [b.arn("user", "willing"), b.arn("user", "unwilling")]})))
    b.user("willing", inline=[allow("sts:AssumeRole", role)])
    b.user("unwilling")
    b.user("not-named", inline=[allow("sts:AssumeRole", role)])
    load(a.write(tmp_path), b.write(tmp_path))
    answers = who_can_assume(role)
    assert b.arn("user", "willing") in answers
    assert b.arn("user", "unwilling") not in answers
    assert b.arn("user", "not-named") not in answers


def test_trust_deny_wins(load: Load, tmp_path: Path) -> None:
    # "Policy evaluation logic" > an explicit Deny in the resource-based (trust) policy
    a = Account(A)
    blocked = a.arn("user", "blocked")
    role = a.role(
        "Guarded",
        trust(
            trusts({"AWS": f"arn:aws:iam::{A}:root"}),
            trusts({"AWS": blocked}, effect="Deny"),
        ),
    )
    a.user("blocked", inline=[allow("sts:AssumeRole", role)])
    a.user("welcome", inline=[allow("sts:AssumeRole", role)])
    load(a.write(tmp_path))
    answers = who_can_assume(role)
    assert a.arn("user", "welcome") in answers
    assert blocked not in answers


def test_tag_session_only_trust_grants_no_assume(load: Load, tmp_path: Path) -> None:
    # LESSONS: an sts:TagSession-only statement is not an assume grant
    a = Account(A)
    user = a.arn("user", "tagger")
    a.user("tagger", inline=[allow("sts:*")])
    role = a.role("TagOnly", trust({"Effect": "Allow", "Principal": {"AWS": user}, "Action": "sts:TagSession"}))
    load(a.write(tmp_path))
    assert user not in who_can_assume(role)


def test_role_chains_follow_max_hops(load: Load, tmp_path: Path) -> None:
    # STS API reference "AssumeRole" > role chaining: each hop is one sts:AssumeRole
    a = Account(A)
    target = a.role("Target", trust(trusts({"AWS": a.arn("role", "Middle")})))
    a.role("Middle", trust(trusts({"AWS": a.arn("user", "starter")})), inline=[allow("sts:AssumeRole", target)])
    a.user("starter")
    load(a.write(tmp_path))
    one = who_can_assume(target, 1)
    assert set(one) == {a.arn("role", "Middle")}
    two = who_can_assume(target, 2)
    assert a.arn("user", "starter") in two and two[a.arn("user", "starter")]["hops"] == 2
    kinds = [(s["from"]["name"], s["to"]["name"]) for s in two[a.arn("user", "starter")]["paths"][0]["steps"]]
    assert kinds[0] == ("starter", "Middle") and kinds[-1] == ("Middle", "Target")
    # who can delete via a role: Middle can't, but a role it reaches can
    a2 = Account(B)
    writer = a2.role("Writer", trust(trusts({"AWS": a2.arn("user", "dev")})), inline=[allow("s3:DeleteObject")])
    a2.user("dev")
    load(a2.write(tmp_path))
    assert a2.arn("user", "dev") not in who_can("s3:DeleteObject", BUCKET, 0)
    chained = who_can("s3:DeleteObject", BUCKET, 1)
    assert writer in chained and a2.arn("user", "dev") in chained


def test_conditional_answers_carry_their_conditions(load: Load, tmp_path: Path) -> None:
    # "IAM JSON policy elements: Condition" > undecided conditions are returned, never dropped
    a = Account(A)
    a.user("mfa", inline=[allow("s3:DeleteObject", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})])
    a.user(
        "ip",
        inline=[allow("s3:*"), deny("s3:DeleteObject", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
    )
    load(a.write(tmp_path))
    answers = who_can("s3:DeleteObject", BUCKET)
    mfa = answers[a.arn("user", "mfa")]
    assert [(c["key"], c["values"], c["negated"]) for c in mfa["conditions"]] == [
        ("aws:MultiFactorAuthPresent", ["true"], False)
    ]
    ip = answers[a.arn("user", "ip")]
    assert [(c["key"], c["negated"]) for c in ip["conditions"]] == [("aws:SourceIp", True)]
    assert ip["conditionText"].startswith("NOT ")


def test_unknown_managed_policy_is_reported_not_dropped(load: Load, tmp_path: Path) -> None:
    # IAM-SEMANTICS "Data facts": a policy missing from GAAD is data to report
    a = Account(A)
    a.user("opaque", managed=["arn:aws:iam::aws:policy/NotInThisFile"])
    load(a.write(tmp_path))
    answer = who_can("s3:GetObject", BUCKET)[a.arn("user", "opaque")]
    assert answer["conditions"][0]["key"] == "accessgraph:UnknownPolicy"
    assert "NotInThisFile" in answer["notes"][0]


def test_trust_to_unloaded_account_and_anyone(load: Load, tmp_path: Path) -> None:
    # "IAM JSON policy elements: Principal" > accounts not loaded and "*" appear as external principals
    a = Account(A)
    role = a.role(
        "Vendor",
        trust(
            trusts({"AWS": "999988887777"}, Condition={"StringEquals": {"sts:ExternalId": "v-1"}}),
            trusts({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
        ),
    )
    load(a.write(tmp_path))
    answers = who_can_assume(role)
    vendor = answers["arn:aws:iam::999988887777:root"]
    assert vendor["principal"]["kind"] == "account"
    # either statement admits the vendor's principals: the ExternalId one, or "*" if they are in o-abc
    assert {c["key"] for c in vendor["conditions"]} == {"sts:ExternalId", "aws:PrincipalOrgID"}
    assert " OR " in vendor["conditionText"]
    assert "not loaded" in vendor["notes"][0]
    anyone = answers["*"]
    assert [(c["key"], c["values"]) for c in anyone["conditions"]] == [("aws:PrincipalOrgID", ["o-abc"])]
