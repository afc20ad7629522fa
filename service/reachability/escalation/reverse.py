"""Every principal's one-step ways in, worked out ahead for a generation, as bits: who may assume each role
directly (`service/reachability/edges`) and who may become each principal by a technique
(`AccountChecker.actors_into`). A walk back over them (bitwalk.py) finds a hop of tens of thousands of
principals with a few thousand bit operations, instead of working out each principal's ways in as it goes.

Principals are numbered per group (their account, or none for a principal of no account: a service, anyone),
in ARN order within it: a set of principals is a bitset per group (`Bits`)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from service.evaluation.request import arn_account
from service.reachability.edges import AssumeEdges, assume_edges, indices
from service.reachability.escalation.graph import EscalationGraph
from service.reachability.handback import HandBack
from service.reachability.snapshot import freeze

log = logging.getLogger("accessgraph")

Bits = dict[str, int]  # group (account) → bits of its principals


def _group(arn: str) -> str:
    return arn_account(arn) or ""


@dataclass
class Reverse:
    """The ways in of every principal of a generation (see the module)."""

    edges: AssumeEdges
    arns: dict[str, list[str]]  # group → its principals in ARN order
    number: dict[str, tuple[str, int]]  # principal → (group, its number there)
    members: list[tuple[str, int]]  # per class of `edges`: its members (one account's)
    unknown: list[tuple[str, int]]  # per class: its members holding a policy not loaded
    alone: dict[int, Bits]  # per role number of `edges`: the assumers decided on their own
    actors: dict[str, tuple[int, ...]]  # per principal: its techniques' actor sets (numbers in `actor_sets`)
    actor_sets: list[tuple[str, int]]
    # The other way round, for making an answer: the class of each principal, the roles whose assumers decided
    # on their own hold it, and the principals it may become by a technique.
    class_of: dict[str, list[int]]  # (a principal may be in a class of candidates and one of everyone)
    alone_of: dict[str, int]  # principal → role numbers (bits)
    becomes: dict[str, set[str]]

    def bits(self, arns: Iterable[str]) -> Bits:
        found: Bits = {}
        for arn in arns:
            group, number = self.number[arn]
            found[group] = found.get(group, 0) | (1 << number)
        return found

    def arns_of(self, bits: Bits) -> Iterator[str]:
        for group, held in bits.items():
            names = self.arns[group]
            for number in indices(held):
                yield names[number]


async def build_reverse(graph: EscalationGraph, edges: AssumeEdges) -> Reverse:
    """Every principal's ways in for the generation of `graph` (whose roles `edges` holds the direct assumers
    of): each principal's techniques' actors worked out (`actors_into`, once per group of targets no technique
    tells apart), then everything numbered."""
    hand_back = HandBack()
    actor_lists: dict[str, list[frozenset[str]]] = {}
    # (the actor mappings are shared: each made a set once; kept with it, so that its id is not another's)
    kept: dict[int, tuple[Mapping[str, object], frozenset[str]]] = {}
    for account, checker in sorted(graph.checkers.items()):
        checker = checker.using(graph.assumers)
        for arn in sorted(graph.members(account)):
            found = []
            for mapping in await checker.actors_into(arn):
                held = kept.get(id(mapping))
                if held is None or held[0] is not mapping:
                    held = kept[id(mapping)] = (mapping, frozenset(mapping))
                found.append(held[1])
            actor_lists[arn] = found
            await hand_back()
    every: set[str] = set(graph.profiles)
    for signature_class in edges.classes:
        every |= signature_class.arns
    for assumers in edges.alone.values():
        every |= assumers
    for sets in actor_lists.values():
        for actors in sets:
            every |= actors
    arns: dict[str, list[str]] = {}
    for arn in sorted(every):
        arns.setdefault(_group(arn), []).append(arn)
    number = {arn: (group, n) for group, names in arns.items() for n, arn in enumerate(names)}
    reverse = Reverse(edges, arns, number, [], [], {}, {}, [], {}, {}, {})
    for k, signature_class in enumerate(edges.classes):
        members = reverse.bits(signature_class.arns)
        unknown = reverse.bits(entry.arn for entry in signature_class.unknown)
        assert len(members) == 1, "a signature class holds one account's principals"
        group = next(iter(members))
        reverse.members.append((group, members[group]))
        reverse.unknown.append((group, unknown.get(group, 0)))
        for arn in signature_class.arns:
            reverse.class_of.setdefault(arn, []).append(k)
    for role_number, assumers in edges.alone.items():
        reverse.alone[role_number] = reverse.bits(assumers)
        for arn in assumers:
            reverse.alone_of[arn] = reverse.alone_of.get(arn, 0) | (1 << role_number)
    set_numbers: dict[frozenset[str], int] = {}
    for target, sets in actor_lists.items():
        numbers = []
        for actors in sets:
            n = set_numbers.get(actors)
            if n is None:
                n = set_numbers[actors] = len(reverse.actor_sets)
                bits = reverse.bits(actors)
                group = _group(target)
                assert set(bits) <= {group}, "a technique's actors are of its target's account"
                reverse.actor_sets.append((group, bits.get(group, 0)))
            numbers.append(n)
            for actor in actors:
                reverse.becomes.setdefault(actor, set()).add(target)
        if numbers:
            reverse.actors[target] = tuple(numbers)
    return reverse


def role_bits(reverse: Reverse, arns: Iterable[str]) -> int:
    """The roles among `arns`, as role numbers of the edges."""
    index: Mapping[str, int] = reverse.edges.index
    found = 0
    for arn in arns:
        n = index.get(arn)
        if n is not None:
            found |= 1 << n
    return found


# The ways in worked out ahead, by the graph (of one generation) they were worked out for, and those being
# worked out.
_AHEAD: weakref.WeakKeyDictionary[EscalationGraph, Reverse] = weakref.WeakKeyDictionary()
_WORKING: weakref.WeakKeyDictionary[EscalationGraph, asyncio.Task[Reverse]] = weakref.WeakKeyDictionary()


def precompute(graph: EscalationGraph) -> asyncio.Task[Reverse]:
    """Work out every principal's ways in for the graph's generation, once, and keep them with it
    (`worked_out`): every role's direct assumers (`assume_edges`), then every principal's technique actors. The
    warm-up awaits it; a question of a generation a load made since starts it and walks as before meanwhile."""
    working = _WORKING.get(graph)
    if working is None:
        working = _WORKING[graph] = asyncio.get_running_loop().create_task(_worked_out(graph))
        working.add_done_callback(partial(_done, weakref.ref(graph)))
    return working


def _done(graph: weakref.ref[EscalationGraph], task: asyncio.Task[Reverse]) -> None:
    """Say why the ways in were not worked out (the questions walk as before), and let a later question try
    again."""
    if task.cancelled() or task.exception() is None:
        return
    log.warning("escalation ways in not worked out ahead: %s", task.exception())
    if (held := graph()) is not None:
        _WORKING.pop(held, None)


async def _worked_out(graph: EscalationGraph) -> Reverse:
    started = time.monotonic()
    entries = await graph.assumers.view.entries(None)
    found = _AHEAD[graph] = await build_reverse(graph, await assume_edges(graph.assumers, entries))
    freeze()  # (it lives as long as the generation: keep full collections off it)
    log.info(
        "escalation ways in worked out ahead for %d principals in %.1f s", len(found.number), time.monotonic() - started
    )
    return found


def worked_out(graph: EscalationGraph) -> Reverse | None:
    """The ways in worked out ahead for the graph's generation (None: they were not: the warm-up was not asked
    to, or a load made a new generation since)."""
    return _AHEAD.get(graph)
