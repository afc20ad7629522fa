"""Every principal's technique actors worked out at once (`AccountChecker.actors_into`, grouping.py) are those of
its ways worked out one by one (`AccountChecker.ways`): the same mappings in the same order, on the randomized
organizations of test_walk.py and on every technique's minimal account and negative controls."""

from __future__ import annotations

import pytest

from service.reachability.escalation.graph import EscalationGraph, escalation_graph
from service.reachability.index import PrincipalIndex
from service.reachability.who_can_assume import Assumers
from tests.unit.escalation.scenarios import DECIDED, scenario, variants_of
from tests.unit.escalation.test_walk import _organization
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, run, trusting


async def _graphs(source: FakeSource) -> tuple[EscalationGraph, EscalationGraph]:
    """Two graphs of the same organization, each on an index of its own (nothing worked out is shared)."""
    found = []
    for _ in range(2):
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        await assumers.view.entries(None)
        found.append(await escalation_graph(index, assumers))
    return found[0], found[1]


async def _compared(source: FakeSource) -> int:
    grouped, one_by_one = await _graphs(source)
    compared = 0
    for arn, profile in sorted(grouped.profiles.items()):
        at_once = await grouped.checkers[profile.account_id].using(grouped.assumers).actors_into(arn)
        ways = await one_by_one.checkers[profile.account_id].using(one_by_one.assumers).ways(arn, None)
        assert [tuple(actors) for actors in at_once] == [tuple(way.actors) for way in ways], arn
        compared += sum(len(actors) for actors in at_once)
    return compared


@pytest.mark.parametrize(("seed", "dense"), [(seed, seed % 2 == 1) for seed in range(8)])
def test_the_actors_worked_out_at_once_are_those_of_the_ways_one_by_one(seed: int, dense: bool) -> None:
    source, _ = _organization(seed, dense)
    assert run(_compared(source)) > 0


def test_so_they_are_on_every_techniques_minimal_account_and_negative_controls() -> None:
    compared = 0
    for technique in DECIDED:
        for variant in ("applies", *variants_of(technique)):
            compared += run(_compared(scenario(technique, variant).source))
    assert compared > 0


def test_a_role_its_trust_policy_refuses_the_service_is_told_apart_from_one_it_admits() -> None:
    """Two roles of one target class for iam:PassRole, whose trust policies both name lambda.amazonaws.com; the
    second denies it too, so a technique that passes a role to Lambda has actors on the first only."""
    a = FakeAccount("111111111111")
    passer = a.policy("passer", allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))
    a.user("dev", [passer])
    lambda_service = {"Service": "lambda.amazonaws.com"}
    admitted = a.role("admitted", trust=trusting(lambda_service))
    refused = a.role("refused", trust=trusting(lambda_service))
    a.trust_policies[refused] = (
        '{"Version": "2012-10-17", "Statement": ['
        '{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}, '
        '{"Effect": "Deny", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    source = FakeSource(a)
    assert run(_compared(source)) > 0
    grouped, _ = run(_graphs(source))
    checker = grouped.checkers[a.id].using(grouped.assumers)
    assert a.arn("user", "dev") in {arn for actors in run(checker.actors_into(admitted)) for arn in actors}
    assert a.arn("user", "dev") not in {arn for actors in run(checker.actors_into(refused)) for arn in actors}
