"""A technique's later actions decided for the few actors allowed the earlier ones (`_may_among`,
binding.py): the service's own action of a PassRole technique (ec2:RunInstances...) is decided for those who
may pass the role, not for every principal of the account allowed it, and answers as deciding all of them."""

from __future__ import annotations

import pytest

from service.reachability.escalation import binding
from service.reachability.escalation.graph import escalation_graph
from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, run, trusting

A = "111122223333"


def _account() -> tuple[FakeSource, str, str]:
    a = FakeAccount(A)
    passed = a.role("passed", [a.policy("PassedAdmin", allow("*"))], trust=trusting({"Service": "ec2.amazonaws.com"}))
    attacker = a.user(
        "attacker",
        [a.policy("Escalate", allow("iam:PassRole", passed), allow("ec2:RunInstances"), allow("s3:GetObject"))],
    )
    # (eight principals allowed ec2:RunInstances and not iam:PassRole, each with policies of its own)
    for n in range(8):
        a.user(f"runner-{n}", [a.policy(f"Run{n}", allow(["ec2:RunInstances", f"s3:Get{n}*"]))])
    return FakeSource(a), attacker, passed


def _escalations(source: FakeSource, attacker: str) -> tuple[list[Access], Reachability]:
    reachability = Reachability(source)
    return list(run(reachability.escalations(attacker, max_hops=1))), reachability


def test_the_service_action_is_decided_for_those_who_may_pass_the_role_alone() -> None:
    source, attacker, passed = _account()
    answers, reachability = _escalations(source, attacker)
    found = [a for a in answers if a.principal.arn == passed]
    assert found and any(step.technique == "ec2-001" for path in found[0].paths for step in path)
    graph = run(escalation_graph(reachability.index, reachability.assumers))
    classified = {key[0] for key in graph.checkers[A]._classified}
    assert "iam:passrole" in classified  # (the first action: every candidate of the account)
    assert "ec2:runinstances" not in classified  # (the second: the attacker alone)


def test_the_answers_are_those_of_every_candidate_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    source, attacker, _ = _account()
    few, _ = _escalations(source, attacker)
    monkeypatch.setattr(binding, "_FEW", 10**9)  # (never few: the account's candidates all classified)
    source, attacker, _ = _account()
    every, reachability = _escalations(source, attacker)
    graph = run(escalation_graph(reachability.index, reachability.assumers))
    assert "ec2:runinstances" in {key[0] for key in graph.checkers[A]._classified}
    assert [(a.principal, a.condition, list(a.paths), a.notes) for a in few] == [
        (a.principal, a.condition, list(a.paths), a.notes) for a in every
    ]
