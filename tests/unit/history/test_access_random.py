"""The incremental access difference against the full re-decision, on randomized organizations and change
sets: asking only the roles `affected_roles` picks must find exactly what asking every role in both worlds
finds (the mix of issue #17's 1% reload: trust statements gaining principals, users joining or leaving
groups, policy versions changing, roles and users deleted, and more)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest

from service.history.access import access_changes
from service.history.store import World
from tests.support.gaad import Account, allow, deny, trust, trusts
from tests.unit.history.test_access import every_role
from tests.unit.history.worlds import world
from tests.unit.reachability.fake_source import run

ACCOUNTS = ("111111111111", "222222222222", "333333333333")
ACTIONS = ["sts:AssumeRole", "sts:*", "*", "s3:GetObject", "sts:Assume*", "ec2:*", "iam:PassRole"]
TEAMS = ("red", "blue")


def _statement(rng: random.Random) -> dict[str, Any]:
    action = rng.choice(ACTIONS)
    if rng.random() < 0.1:
        return deny(action)
    if rng.random() < 0.1:
        return {"Effect": "Allow", "NotAction": rng.choice(["s3:*", "sts:AssumeRole"]), "Resource": "*"}
    if rng.random() < 0.15:
        return allow(action, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    if rng.random() < 0.1:
        return allow([action, "s3:PutObject"], Condition={"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}})
    return allow(action)


def _principal(rng: random.Random, accounts: list[Account], own: Account) -> dict[str, Any]:
    other = rng.choice(accounts)
    pick = rng.random()
    if pick < 0.35:
        return {"AWS": f"arn:aws:iam::{other.id}:root"}
    if pick < 0.45:
        return {"AWS": other.id}
    if pick < 0.5:
        return {"AWS": "*"}
    if pick < 0.55:
        return {"Service": "lambda.amazonaws.com"}
    if pick < 0.6:
        return {"AWS": "arn:aws:iam::999999999999:root"}  # an account that is not loaded
    entities = [*(u["Arn"] for u in other.users), *(r["Arn"] for r in other.roles)]
    return {"AWS": rng.choice(entities)} if entities else {"AWS": own.id}


def organization(rng: random.Random) -> list[Account]:
    accounts = [Account(i) for i in ACCOUNTS]
    for a in accounts:
        policies = [a.policy(f"p{n}", *(_statement(rng) for _ in range(rng.randint(1, 2)))) for n in range(4)]
        for n in range(3):
            a.group(f"g{n}", managed=rng.sample(policies, rng.randint(0, 2)))
        boundary = a.policy("boundary", allow(rng.choice(["*", "sts:AssumeRole", "s3:*"])))
        for n in range(5):
            a.user(f"u{n}", groups=[f"g{g}" for g in range(3) if rng.random() < 0.35],
                   managed=rng.sample(policies, rng.randint(0, 1)),
                   boundary=boundary if rng.random() < 0.2 else None,
                   tags={"team": rng.choice(TEAMS)} if rng.random() < 0.5 else None)
    for a in accounts:  # roles after every user, so that trusts can name users (and earlier roles) anywhere
        policies = [p["Arn"] for p in a.policies]
        for n in range(6):
            statements = [trusts(_principal(rng, accounts, a)) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.15:
                statements[0]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            elif rng.random() < 0.15:
                statements[0]["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}
            a.role(f"r{n}", trust(*statements), managed=rng.sample(policies, rng.randint(0, 2)),
                   inline=[_statement(rng)] if rng.random() < 0.4 else [])
    return accounts


def _trust_gains_a_principal(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.roles:
        role = rng.choice(a.roles)
        role["AssumeRolePolicyDocument"]["Statement"].append(trusts(_principal(rng, accounts, a)))


def _user_joins_or_leaves(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.users:
        user = rng.choice(a.users)
        group = f"g{rng.randrange(3)}"
        groups = user["GroupList"]
        user["GroupList"] = [g for g in groups if g != group] if group in groups else [*groups, group]


def _policy_version(rng: random.Random, accounts: list[Account]) -> None:
    policy = rng.choice(rng.choice(accounts).policies)
    version = policy["PolicyVersionList"][0]
    version["Document"] = {"Version": "2012-10-17", "Statement": [_statement(rng) for _ in range(rng.randint(1, 2))]}
    number = int(policy["DefaultVersionId"][1:]) + 1
    version["VersionId"] = policy["DefaultVersionId"] = f"v{number}"


def _role_deleted(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.roles:
        a.roles.remove(rng.choice(a.roles))


def _user_deleted(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.users:
        a.users.remove(rng.choice(a.users))


def _role_policy(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.roles:
        rng.choice(a.roles)["RolePolicyList"] = [
            {"PolicyName": "changed", "PolicyDocument": {"Version": "2012-10-17", "Statement": [_statement(rng)]}}
        ]


def _statement_elsewhere(rng: random.Random, accounts: list[Account]) -> None:
    """A new version of a policy with one more statement, about sts:AssumeRole or (mostly) about other
    actions: the issue's mix, where most changes cannot change who assumes what."""
    policy = rng.choice(rng.choice(accounts).policies)
    version = policy["PolicyVersionList"][0]
    statements = version["Document"]["Statement"]
    extra = _statement(rng) if rng.random() < 0.3 else allow(rng.choice(["s3:ListBucket", "ec2:*", "sts:Get*"]))
    version["Document"] = {**version["Document"], "Statement": [*(statements if isinstance(statements, list)
                                                                  else [statements]), extra]}
    number = int(policy["DefaultVersionId"][1:]) + 1
    version["VersionId"] = policy["DefaultVersionId"] = f"v{number}"


def _group_policy(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    group = rng.choice(a.groups)
    attached = group["AttachedManagedPolicies"]
    policy = rng.choice(a.policies)
    if any(m["PolicyArn"] == policy["Arn"] for m in attached):
        group["AttachedManagedPolicies"] = [m for m in attached if m["PolicyArn"] != policy["Arn"]]
    else:
        group["AttachedManagedPolicies"] = [*attached, {"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}]


def _user_tag(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.users:
        rng.choice(a.users)["Tags"] = [{"Key": "team", "Value": rng.choice(TEAMS)}] if rng.random() < 0.8 else []


def _user_boundary(rng: random.Random, accounts: list[Account]) -> None:
    a = rng.choice(accounts)
    if a.users:
        user = rng.choice(a.users)
        if "PermissionsBoundary" in user:
            del user["PermissionsBoundary"]
        else:
            boundary = next(p["Arn"] for p in a.policies if p["PolicyName"] == "boundary")
            user["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}


def _role_gains_assume(rng: random.Random, accounts: list[Account]) -> None:
    """A role that may now assume others (or may no longer): a first hop of new or lost chains."""
    a = rng.choice(accounts)
    if a.roles:
        role = rng.choice(a.roles)
        role["RolePolicyList"] = [] if role["RolePolicyList"] and rng.random() < 0.5 else [
            {"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17",
                                                        "Statement": [allow("sts:AssumeRole")]}}
        ]


CHANGES: list[Callable[[random.Random, list[Account]], None]] = [
    _trust_gains_a_principal, _user_joins_or_leaves, _policy_version, _role_deleted, _user_deleted, _role_policy,
    _statement_elsewhere, _group_policy, _user_tag, _user_boundary, _role_gains_assume,
]


def changed_worlds(seed: int) -> tuple[World, World]:
    """The randomized organization of `seed`, and the same after one to four random changes."""
    rng = random.Random(seed)  # noqa: S311  (a test's reproducible choices, not secrets)
    accounts = organization(rng)
    before = world(*accounts)
    changed = copy.deepcopy(accounts)
    for _ in range(rng.randint(1, 4)):
        rng.choice(CHANGES)(rng, changed)
    return before, world(*changed, load="load-2")


@pytest.mark.parametrize("seed", range(80))
def test_incremental_access_changes_equal_the_full_re_decision(seed: int) -> None:
    before, after = changed_worlds(seed)
    found, _ = run(access_changes(before, after))
    assert found == run(every_role(before, after))
