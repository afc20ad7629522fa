"""bench/synthetic_escalation.py: seeded escalation-prone grants that generate.py adds to every account."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

from bench.generate import generate
from bench.synthetic_escalation import KINDS, POLICY_PREFIX, SERVICE_OF, add_escalation_grants
from bench.synthetic_iam import account_gaad
from bench.synthetic_org import plan


def _account(principals: int = 600, seed: int = 3) -> tuple[str, dict]:  # type: ignore[type-arg]
    org = plan(principals, 1, seed)
    return org.accounts[0].id, account_gaad(org, org.accounts[0])


def _granted(gaad: dict) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """Holder ARN -> the statements of its escalation- inline policy."""
    found = {}
    for key, inline in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList")):
        for entity in gaad[key]:
            for policy in entity.get(inline) or ():
                if policy["PolicyName"].startswith(POLICY_PREFIX):
                    found[entity["Arn"]] = policy["PolicyDocument"]["Statement"]
    return found


def test_the_same_seed_gives_the_same_grants_and_another_seed_others() -> None:
    account, first = _account()
    again = copy.deepcopy(first)
    other = copy.deepcopy(first)
    one = add_escalation_grants(first, account_id=account, seed=1, fraction=0.1)
    assert add_escalation_grants(again, account_id=account, seed=1, fraction=0.1).kinds == one.kinds
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert add_escalation_grants(other, account_id=account, seed=2, fraction=0.1).kinds != one.kinds


def test_a_small_fraction_of_principals_gets_one_grant_each_and_nothing_else_changes() -> None:
    account, gaad = _account()
    before = copy.deepcopy(gaad)
    grants = add_escalation_grants(gaad, account_id=account, seed=1)
    principals = len(gaad["UserDetailList"]) + len(gaad["RoleDetailList"])
    assert 0 < len(grants.kinds) <= round(principals * 0.03)
    assert set(_granted(gaad)) == set(grants.kinds)
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"):
        assert [e["Arn"] for e in gaad[key]] == [e["Arn"] for e in before[key]]
    assert gaad["GroupDetailList"] == before["GroupDetailList"] and gaad["Policies"] == before["Policies"]


def test_every_kind_appears_and_each_points_at_what_it_needs() -> None:
    account, gaad = _account(1200)
    grants = add_escalation_grants(gaad, account_id=account, seed=1, fraction=0.3)
    assert set(Counter(grants.kinds.values())) == {kind for kind, _ in KINDS}
    roles = {role["Arn"]: role for role in gaad["RoleDetailList"]}
    groups = {group["Arn"] for group in gaad["GroupDetailList"]}
    for holder, statements in _granted(gaad).items():
        kind = grants.kinds[holder]
        resources = [s["Resource"] for s in statements if s["Resource"] != "*"]
        assert not any("/aws-service-role/" in r or "/aws-reserved/" in r for r in resources), holder
        if kind in SERVICE_OF:  # the passed role trusts the service the create actions belong to
            trust = json.dumps(roles[statements[0]["Resource"]]["AssumeRolePolicyDocument"])
            assert SERVICE_OF[kind][0] in trust
            assert statements[1]["Action"] == SERVICE_OF[kind][1]
        elif kind in ("put-self", "attach-self"):
            assert resources == [holder]
        elif kind == "join-group":
            assert ":user/" in holder and resources[0] in groups
        elif kind == "update-trust":
            assert resources[0] in roles and resources[0] != holder


def test_generate_adds_the_grants_to_every_account(tmp_path: Path) -> None:
    generate(tmp_path, 3000, accounts=3, seed=5)
    for path in sorted(tmp_path.glob("gaad-*.json")):
        assert _granted(json.loads(path.read_text())), f"{path.name} has no escalation grant"
