"""Access changes: only the roles whose answer can have changed are asked, and that misses nothing (the
same changes as asking every role, over worlds built with each kind of change)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from service.history.access import AccessChange, access_changes, affected_roles
from service.history.source import FactSource
from service.history.store import World
from service.reachability import Reachability
from service.reachability.model import Access
from tests.support.gaad import Account, allow, trust, trusts
from tests.unit.history.worlds import world
from tests.unit.reachability.fake_source import run

A, B = "111111111111", "222222222222"


def accounts() -> tuple[Account, Account]:
    a = Account(A)
    assume = a.policy("AssumeAnything", allow("sts:AssumeRole"))
    a.policy("ReadOnly", allow("s3:GetObject"))
    a.group("Admins", managed=[assume])
    a.user("alice", groups=["Admins"])
    a.user("bob")
    a.user("carol", managed=[a.arn("policy", "ReadOnly")])
    a.role("AdminRole", trust(trusts({"AWS": A})), inline=[allow("sts:AssumeRole")])
    a.role("ChainRole", trust(trusts({"AWS": a.arn("role", "AdminRole")})))
    a.role("DeployRole", trust(trusts({"AWS": a.arn("user", "alice")})))
    a.role("Lambda", trust(trusts({"Service": "lambda.amazonaws.com"})))
    a.role("Anyone", trust(trusts({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})))
    b = Account(B)
    b.role("AuditRole", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    b.role("BChain", trust(trusts({"AWS": b.arn("role", "AuditRole")})))
    b.user("dave")
    return a, b


def bob_joins_admins(a: Account, b: Account) -> None:
    next(u for u in a.users if u["UserName"] == "bob")["GroupList"] = ["Admins"]


def trust_gains_carol(a: Account, b: Account) -> None:
    deploy = next(r for r in a.roles if r["RoleName"] == "DeployRole")
    principals = [a.arn("user", "alice"), a.arn("user", "carol")]
    deploy["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] = principals


def admin_role_deleted(a: Account, b: Account) -> None:
    a.roles = [r for r in a.roles if r["RoleName"] != "AdminRole"]


def read_only_grants_assume(a: Account, b: Account) -> None:
    policy = next(p for p in a.policies if p["PolicyName"] == "ReadOnly")
    policy["PolicyVersionList"][0]["Document"]["Statement"].append(allow("sts:AssumeRole"))
    policy["PolicyVersionList"][0]["VersionId"] = policy["DefaultVersionId"] = "v2"


def dave_leaves(a: Account, b: Account) -> None:
    b.users = []


def audit_role_gets_assume(a: Account, b: Account) -> None:
    next(r for r in b.roles if r["RoleName"] == "AuditRole")["RolePolicyList"] = [
        {"PolicyName": "chain", "PolicyDocument": {"Version": "2012-10-17", "Statement": [allow("sts:AssumeRole")]}}
    ]


CHANGES = [bob_joins_admins, trust_gains_carol, admin_role_deleted, read_only_grants_assume, dave_leaves,
           audit_role_gets_assume]


def worlds(*changes: Callable[[Account, Account], None]) -> tuple[World, World]:
    a, b = accounts()
    before = world(a, b)
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    for change in changes:
        change(a, b)
    return before, world(a, b, load="load-2")


async def _answers(reachability: Reachability, source: FactSource, role: str) -> dict[str, Access]:
    """The role's whole 2-hop whoCanAssume in one world, by principal."""
    if role not in source.trust:
        return {}
    return {access.principal.arn: access for access in await reachability.who_can_assume(role, 2)}


async def every_role(before: World, after: World) -> list[AccessChange]:
    """Ask every role in both worlds, whole (roles in ARN order, principals in ARN order within a role):
    what `access_changes` must give, field for field."""
    old, new = FactSource(before), FactSource(after)
    asked_old, asked_new = Reachability(old), Reachability(new)
    found = []
    for role in sorted({*old.trust, *new.trust}):
        was, now = await _answers(asked_old, old, role), await _answers(asked_new, new, role)
        for arn in sorted({*was, *now}):
            a, b = was.get(arn), now.get(arn)
            if a is not None and b is not None and (a.hops, a.condition_text) == (b.hops, b.condition_text):
                continue
            either = b or a
            assert either is not None
            found.append(AccessChange(
                role, arn, either.principal.kind, "gained" if a is None else "lost" if b is None else "changed",
                None if a is None else max(a.hops, 1), None if b is None else max(b.hops, 1),
                a.condition_text if a else None, b.condition_text if b else None,
            ))
    return found


def keys(changes: list[AccessChange]) -> set[tuple[str, str, str]]:
    return {(c.role, c.principal, c.change) for c in changes}


@pytest.mark.parametrize("changes", [[c] for c in CHANGES] + [CHANGES], ids=[c.__name__ for c in CHANGES] + ["all"])
def test_asking_only_affected_roles_finds_what_asking_every_role_finds(
    changes: list[Callable[[Account, Account], None]],
) -> None:
    before, after = worlds(*changes)
    found, admins = run(access_changes(before, after))
    assert found == run(every_role(before, after))
    assert admins == []


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def test_the_rule_leaves_out_roles_nothing_they_depend_on_changed() -> None:
    before, after = worlds(trust_gains_carol)
    old, new = FactSource(before), FactSource(after)
    # DeployRole's assumers changed; so may the chains through it into roles that trust anyone. Not those
    # that trust its account: DeployRole holds no policy that may allow sts:AssumeRole, so no trust admits
    # it through its account. ChainRole trusts only AdminRole, Lambda only a service, BChain only AuditRole.
    assert affected_roles(before, after, old, new) == {role(A, "DeployRole"), role(A, "Anyone")}

    before, after = worlds(bob_joins_admins)
    affected = affected_roles(before, after, FactSource(before), FactSource(after))
    # Trusting account A (directly or through a role of A) or anyone: asked. A service-only trust: not.
    assert affected == {role(A, n) for n in ("AdminRole", "ChainRole", "Anyone")} | {
        role(B, "AuditRole"), role(B, "BChain")
    }
    found, _ = run(access_changes(before, after))
    assert (role(B, "AuditRole"), f"arn:aws:iam::{A}:user/bob", "gained") in keys(found)
    assert (role(A, "ChainRole"), f"arn:aws:iam::{A}:user/bob", "gained") in keys(found)


def test_account_filter_reports_only_that_accounts_roles() -> None:
    before, after = worlds(bob_joins_admins)
    found, _ = run(access_changes(before, after, [B]))
    # bob reaches BChain through AuditRole (same-account trust by ARN grants alone).
    assert keys(found) == {
        (role(B, "AuditRole"), f"arn:aws:iam::{A}:user/bob", "gained"),
        (role(B, "BChain"), f"arn:aws:iam::{A}:user/bob", "gained"),
    }


def carol_reads_more(a: Account, b: Account) -> None:
    policy = next(p for p in a.policies if p["PolicyName"] == "ReadOnly")
    policy["PolicyVersionList"][0]["Document"]["Statement"].append(allow(["s3:ListBucket", "ec2:Describe*"]))
    policy["PolicyVersionList"][0]["VersionId"] = policy["DefaultVersionId"] = "v2"


def test_a_change_no_assume_decision_reads_changes_no_role() -> None:
    """The issue's mix is mostly this: a policy's new version about other actions, a group granting none.
    Whoever holds it decides every trust as before, so no role is asked because of it."""
    before, after = worlds(carol_reads_more)
    assert affected_roles(before, after, FactSource(before), FactSource(after)) == set()
    before, after = worlds(carol_reads_more, read_only_grants_assume)
    assert role(B, "AuditRole") in affected_roles(before, after, FactSource(before), FactSource(after))


def test_a_tag_a_trust_condition_reads_is_a_change() -> None:
    a, b = accounts()
    a.user("erin", managed=[a.arn("policy", "AssumeAnything")], tags={"team": "red"})
    b.role("TeamRole", trust(trusts({"AWS": A}, Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})))
    before = world(a, b)
    next(u for u in a.users if u["UserName"] == "erin")["Tags"] = [{"Key": "team", "Value": "blue"}]
    after = world(a, b, load="load-2")
    found, _ = run(access_changes(before, after))
    assert (role(B, "TeamRole"), f"arn:aws:iam::{A}:user/erin", "gained") in keys(found)
    assert found == run(every_role(before, after))
