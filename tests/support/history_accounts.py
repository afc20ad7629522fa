"""The history tests' accounts (issue #17): account A before and after the issue's four changes, and account B
that trusts A. Loaded by the integration tests, made into worlds by the unit tests."""

from __future__ import annotations

import copy

from tests.support.gaad import Account, allow, trust, trusts

A, B = "111111111111", "222222222222"


def account_a() -> Account:
    """Admins may assume any role; AdminRole and OldRole trust the account, ChainRole trusts AdminRole,
    DeployRole trusts alice by ARN. carol holds ReadOnly (v1)."""
    a = Account(A)
    admins_policy = a.policy("AssumeAnything", allow("sts:AssumeRole"))
    a.policy("ReadOnly", allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    admins = a.group("Admins", managed=[admins_policy])
    a.user("alice", groups=["Admins"])
    a.user("bob")
    a.user("carol", managed=[a.arn("policy", "ReadOnly")])
    a.role("AdminRole", trust(trusts({"AWS": A})), inline=[allow("sts:AssumeRole")])
    a.role("OldRole", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    a.role("ChainRole", trust(trusts({"AWS": a.arn("role", "AdminRole")})))
    a.role("DeployRole", trust(trusts({"AWS": a.arn("user", "alice")})))
    assert admins
    return a


def changed_a(before: Account) -> Account:
    """The four changes of the issue: a trust statement gains a principal, a user joins Admins, a policy
    version changes, a role is deleted."""
    a = copy.deepcopy(before)
    deploy = next(r for r in a.roles if r["RoleName"] == "DeployRole")
    deploy["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] = [
        a.arn("user", "alice"), a.arn("user", "carol")
    ]
    next(u for u in a.users if u["UserName"] == "bob")["GroupList"] = ["Admins"]
    read_only = next(p for p in a.policies if p["PolicyName"] == "ReadOnly")
    read_only["DefaultVersionId"] = "v2"
    read_only["PolicyVersionList"] = [{
        "Document": {"Version": "2012-10-17", "Statement": [
            allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])]},
        "VersionId": "v2", "IsDefaultVersion": True, "CreateDate": "2025-02-01T00:00:00+00:00",
    }]
    a.roles = [r for r in a.roles if r["RoleName"] != "OldRole"]
    return a


def account_b(*, with_temp: bool = True) -> Account:
    """A role trusting account A (its admins reach it), and a user that goes away."""
    b = Account(B)
    b.role("AuditRole", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    b.user("dave")
    if with_temp:
        b.user("temp")
    return b
