"""What the escalation graph keeps for every question of a generation: a role anyone may assume keeps its
direct assumers of its own account (a walk of every account takes a hundred such roles at its last expanding
hop at 100k principals, their own accounts nearly all wanted each time), and what each trust policy names is
read into a `TrustRead` once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from service.reachability.escalation import graph as graph_module
from service.reachability.escalation.graph import build_escalation_index, escalation_graph
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access
from service.reachability.questions import Reachability
from service.reachability.who_can_assume import Assumers, DirectAssumers, TrustRead
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, run, trusting

A, B = "111111111111", "222222222222"


def _organization() -> tuple[FakeSource, list[str]]:
    """`goal-1` and `goal-2` trust `x`, which `wide` may assume; `wide` trusts anyone. Of `a`, `p` may
    assume `wide` by its trust policy alone, `q` is denied every sts:AssumeRole; `r` of `b` may, its own
    policy allowing it. So `p` and `r` are found 3 hops from each goal, through `wide`, and `q` is not."""
    a, b = FakeAccount(A), FakeAccount(B)
    goals = [a.arn("role", "goal-1"), a.arn("role", "goal-2")]
    to_goals = a.policy("to-goals", allow("sts:AssumeRole", goals))
    for goal in goals:
        a.role(goal.rsplit("/", 1)[1], trust=trusting({"AWS": a.arn("role", "x")}))
    a.role("x", [to_goals], trust=trusting({"AWS": a.arn("role", "wide")}))
    a.role("wide", [a.policy("to-x", allow("sts:AssumeRole", a.arn("role", "x")))], trust=trusting({"AWS": "*"}))
    a.user("p")
    a.user("q", [a.policy("no-roles", deny("sts:AssumeRole", "*"))])
    b.role("r", [b.policy("anywhere", allow("sts:AssumeRole", "*"))], trust=trusting({"Service": "ec2.amazonaws.com"}))
    return FakeSource(a, b), goals


def _shown(answers: Iterable[Access]) -> list[tuple[str, int, tuple[str, ...]]]:
    return [
        (a.principal.arn, a.hops, tuple(step.target.arn for step in a.paths[0]) if len(a.paths) else ())
        for a in answers
    ]


def test_a_role_anyone_may_assume_keeps_its_own_accounts_assumers_for_the_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source, goals = _organization()
    classified: list[tuple[str, str]] = []
    direct_parts_from = Assumers.direct_parts_from

    async def counted(self: Assumers, role: Any, account: str) -> DirectAssumers:
        classified.append((role.arn, account))
        return await direct_parts_from(self, role, account)

    monkeypatch.setattr(Assumers, "direct_parts_from", counted)
    shared = PrincipalIndex()
    kept = [list(run(Reachability(source, shared).who_can_assume(goal, 3, escalation=True))) for goal in goals]
    wide = f"arn:aws:iam::{A}:role/wide"
    assert classified.count((wide, A)) == 1  # (the first question works them out; the second reads them)
    p, q, r = f"arn:aws:iam::{A}:user/p", f"arn:aws:iam::{A}:user/q", f"arn:aws:iam::{B}:role/r"
    for goal, answers in zip(goals, kept, strict=True):
        at_three = {arn: path for arn, hops, path in _shown(answers) if hops == 3}
        # (anyone, and the other goal, a role of `a`, assume `wide` too)
        assert set(at_three) == {p, r, "*", *(g for g in goals if g != goal)}
        assert wide in at_three[p] and wide in at_three[r]
        assert q not in {a.principal.arn for a in answers}
    fresh = [list(run(Reachability(source, PrincipalIndex()).who_can_assume(g, 3, escalation=True))) for g in goals]
    assert [_shown(a) for a in kept] == [_shown(a) for a in fresh]


def test_what_a_trust_policy_names_is_read_once_a_generation() -> None:
    source, _ = _organization()
    index = PrincipalIndex()
    first = Assumers(index.view(source))
    graph = run(escalation_graph(index, first))
    wide = f"arn:aws:iam::{A}:role/wide"
    read = run(first.trust_read(wide))
    assert read == TrustRead.of(run(first.trust_targets(wide)))
    assert read.everyone
    second = Assumers(index.view(source))
    graph.using(second)
    assert run(second.trust_read(wide)) is read


def test_the_warm_up_reads_every_role_so_that_no_question_of_the_generation_reads_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`build_escalation_index` reads every role with its trust policy (at 100k principals the first walk of
    every account would read 26,000 of them at its hop before the last), a bounded number per read: the
    questions after it read none, and answer as a fresh index does."""
    monkeypatch.setattr(graph_module, "ROLES_READ_AT_ONCE", 2)
    source, goals = _organization()
    index = PrincipalIndex()
    source.reads.clear()
    run(build_escalation_index(index, source))
    assert source.reads["roles"] == 3  # (its 5 roles, 2 a read)
    assert source.reads["trust_targets_of"] == 3
    source.reads.clear()
    kept = [list(run(Reachability(source, index).who_can_assume(goal, 3, escalation=True))) for goal in goals]
    assert source.reads["roles"] == 0
    fresh = [list(run(Reachability(source, PrincipalIndex()).who_can_assume(g, 3, escalation=True))) for g in goals]
    assert [_shown(a) for a in kept] == [_shown(a) for a in fresh]
