"""Shared decisions (service/reachability/sharing.py): a decision on assuming one role serves the next role
of the same trust document exactly when nothing that decides it looks at the role itself."""

from __future__ import annotations

from typing import Any

import pytest

from service.evaluation import parse_policy
from service.reachability import who_can_assume
from service.reachability.index import PrincipalIndex
from service.reachability.profiles import OrgContext, Role
from service.reachability.questions import Reachability
from service.reachability.sharing import RoleFacts
from tests.unit.reachability.fake_source import (
    FakeAccount,
    FakeOrganization,
    FakeSource,
    allow,
    document,
    run,
    trusting,
)

A, B = "111122223333", "444455556666"
IN_ORG = trusting({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-test"}})


def _role(trust: dict[str, Any]) -> Role:
    text = document(trust)
    return Role(
        f"arn:aws:iam::{A}:role/r", "r", A, text, parse_policy(text, name="r trust policy"), OrgContext.outside(A)
    )


def test_role_facts_hold_for_a_trust_policy_about_the_principal_only() -> None:
    assert RoleFacts.of(_role(IN_ORG)) is not None
    on_tags = trusting({"AWS": "*"}, Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}})
    assert RoleFacts.of(_role(on_tags)) is None


def _organization(*accounts: FakeAccount) -> FakeOrganization:
    org = FakeOrganization("o-test", "999999999999", accounts={a.id: ["r-root", a.id] for a in accounts})
    for level in ("r-root", *(a.id for a in accounts)):
        org.attach(level, "full", allow("*"))  # (an SCP must allow at every level)
    return org


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decided: list[str] = []
    original = who_can_assume.decide

    def decide(profile: Any, action: str, target: Any) -> Any:
        decided.append(profile.arn)
        return original(profile, action, target)

    monkeypatch.setattr(who_can_assume, "decide", decide)
    return decided


def test_roles_of_one_trust_document_share_their_decisions(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    for account in (a, b):
        account.role("org-reader", trust=IN_ORG)
        hop = account.policy("Hop", allow("sts:AssumeRole", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
        account.user("hopper", [hop])
    source, index = FakeSource(a, b, organization=_organization(a, b)), PrincipalIndex()
    decided = _counting(monkeypatch)
    first = run(Reachability(source, index).who_can_assume(a.arn("role", "org-reader")))
    made = len(decided)
    second = run(Reachability(source, index).who_can_assume(b.arn("role", "org-reader")))
    assert len(decided) == made  # no new decision
    policies = {leaf.test.policy for x in second for leaf in x.conditions if leaf.test.policy_type == "resource"}
    assert policies == {"org-reader trust policy"}
    assert {x.principal.arn for x in first} - {"*"} == {a.arn("user", "hopper"), b.arn("user", "hopper")}
    assert {x.principal.arn for x in second} - {"*"} == {a.arn("user", "hopper"), b.arn("user", "hopper")}


def test_a_statement_on_the_resource_account_keeps_decisions_per_role(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    home = allow("sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceAccount": A}})
    for account in (a, b):
        account.role("org-reader", trust=IN_ORG)
    a.user("homebody", [a.policy("Home", home)])
    source, index = FakeSource(a, b, organization=_organization(a, b)), PrincipalIndex()
    decided = _counting(monkeypatch)
    first = run(Reachability(source, index).who_can_assume(a.arn("role", "org-reader")))
    made = len(decided)
    second = run(Reachability(source, index).who_can_assume(b.arn("role", "org-reader")))
    assert len(decided) > made
    assert a.arn("user", "homebody") in {x.principal.arn for x in first}
    assert a.arn("user", "homebody") not in {x.principal.arn for x in second}
