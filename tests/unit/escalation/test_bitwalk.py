"""The walk back over every principal's ways in worked out ahead (bitwalk.py, reverse.py) finds what the walk
that makes every answer finds (test_walk.py's reference): the same principals, hops, order and answers, on
randomized organizations, whatever page is read first."""

from __future__ import annotations

import pytest

from service.reachability.edges import assume_edges
from service.reachability.escalation import reverse as reverse_module
from service.reachability.escalation.admitting import admitted_actor_accounts, trust_admits
from service.reachability.escalation.bitwalk import BitWalked, walk_bits
from service.reachability.escalation.graph import assume_changed, decide_after_gain, escalation_graph
from service.reachability.escalation.reverse import Reverse, build_reverse
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access
from service.reachability.who_can_assume import Assumers
from tests.unit.escalation.test_walk import _goal_walks, _organization, _shown
from tests.unit.reachability.fake_source import FakeSource, run


async def _reverse(source: FakeSource) -> tuple[Assumers, PrincipalIndex, Reverse]:
    index = PrincipalIndex()
    assumers = Assumers(index.view(source))
    entries = await assumers.view.entries(None)
    graph = await escalation_graph(index, assumers)
    edges = await assume_edges(graph.assumers, entries)
    return assumers, index, await build_reverse(graph, edges.bits())


async def _bit_walk(
    assumers: Assumers, index: PrincipalIndex, reverse: Reverse, role_arn: str, max_hops: int
) -> BitWalked:
    role = await assumers.role(role_arn)
    assert role is not None
    graph = await escalation_graph(index, assumers)
    goal = Access(role.ref, None, ((),), (), 0)
    targets = await assumers.view.trust_targets(role.arn)
    after_gain = decide_after_gain(assume_changed(role, trust_admits(role, targets)), role.arn)
    # (as the question asks it: the gains of the accounts the trust policy may admit a principal of alone)
    return await walk_bits(graph, reverse, goal, max_hops, after_gain, admitted_actor_accounts(role, targets))


_SEEDS = [*((seed, False) for seed in range(6)), *((seed, True) for seed in range(4))]


@pytest.mark.parametrize(("seed", "dense"), _SEEDS)
@pytest.mark.parametrize("max_hops", [2, 3])
def test_the_bit_walk_equals_the_walk_that_made_every_answer(seed: int, dense: bool, max_hops: int) -> None:
    # (each walk on a graph of its own, as test_walk.py compares them: a role's direct assumers' answers made
    # for another role first may list their paths in another order)
    source, roles = _organization(seed, dense)
    compared = 0
    for role_arn in roles:
        _, reference = run(_goal_walks(source, role_arn, max_hops))
        walked = run(_bit_walk(*run(_reverse(source)), role_arn, max_hops))
        assert len(walked) == len(reference), role_arn
        run(walked.prepare(0, len(walked)))
        assert _shown(walked) == _shown(reference), role_arn
        compared += len(reference)
    assert compared > 0


@pytest.mark.parametrize("seed", range(3))
def test_a_page_prepared_first_equals_the_same_slice_of_the_whole_answer(seed: int) -> None:
    source, roles = _organization(seed, True)
    for role_arn in roles:
        whole = run(_bit_walk(*run(_reverse(source)), role_arn, 3))
        run(whole.prepare(0, len(whole)))
        paged = run(_bit_walk(*run(_reverse(source)), role_arn, 3))
        middle = len(paged) // 2
        run(paged.prepare(middle, middle + 5))
        assert _shown(paged[middle : middle + 5]) == _shown(whole[middle : middle + 5])


@pytest.mark.parametrize(("seed", "dense"), _SEEDS[::2])
@pytest.mark.parametrize("first_run", [1, 2])
def test_the_last_hop_taking_found_principals_out_run_by_run_finds_the_same(
    seed: int, dense: bool, first_run: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (the last hop leaves out the techniques whose actors a principal before has a way for already, and the
    # direct assumers of the runs before: runs of 64 principals and more at 100k, of one or two here, so that
    # every organization here has several; the first way of each principal must stay the one the walk keeps)
    monkeypatch.setattr(reverse_module, "_FIRST_RUN", first_run)
    source, roles = _organization(seed, dense)
    for role_arn in roles:
        _, reference = run(_goal_walks(source, role_arn, 3))
        assumers, index, reverse = run(_reverse(source))
        walked = run(_bit_walk(assumers, index, reverse, role_arn, 3))
        run(walked.prepare(0, len(walked)))
        assert _shown(walked) == _shown(reference), role_arn
        expanded = {role_arn} | {access.principal.arn for access in walked if access.hops < 3}
        assert set(reverse._by_technique) <= expanded, "only the principals of the hops walked from keep actors"


@pytest.mark.parametrize(("seed", "dense"), _SEEDS[1::2])
def test_walks_sharing_one_generation_find_what_walks_of_their_own_find(seed: int, dense: bool) -> None:
    # (the last hops keep, per principal, the techniques they worked out and who may be each one's actor, for
    # the next questions of the generation (`Reverse._by_technique`, `_possible_on`), and every hop takes them
    # from there, whichever hop worked them out: every role asked in turn, then again the other way round,
    # on one reverse, finds the principals and hops each finds on a reverse of its own)
    source, roles = _organization(seed, dense)
    alone = {}
    for role_arn in roles:
        walked = run(_bit_walk(*run(_reverse(source)), role_arn, 3))
        run(walked.prepare(0, len(walked)))
        alone[role_arn] = [(access.principal.arn, access.hops) for access in walked]
    shared = run(_reverse(source))
    for role_arn in [*roles, *reversed(roles)]:
        walked = run(_bit_walk(*shared, role_arn, 3))
        run(walked.prepare(0, len(walked)))
        assert [(access.principal.arn, access.hops) for access in walked] == alone[role_arn], role_arn
    assert shared[2]._by_technique, "the last hops kept the techniques they worked out"
