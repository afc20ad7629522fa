"""The walk back from a role over every principal's ways in worked out ahead (reverse.py): who can become
the role within some hops, a hop at a time as bits.

It finds what the walk of walk.py finds (`walk_back`, a walk of every account from one goal and no seeds):
the same principals at the same hops, and for each the same path: the first way found among its shortest,
the principals of each hop taken in ARN order (the hop before the last widest first, `_widest_first`), each
one's ways in `EscalationGraph.ways` order (its direct assumers, then its techniques), the gains found from
the goal first. Only the way of a principal whose answer is read is looked for (`BitWalked.prepare`): the
principals of the hop before that reach it, the first of them in that order, and its one-step answer. A hop
before the last works out only the techniques that may find a principal neither the hops before nor its
direct assumers found: the other ways of a principal it finds are looked for when its answer is made (its
techniques into principals before its first way found, `Reverse.may_become`; its gains, `_Gains`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import overload

from service.reachability.edges import indices
from service.reachability.escalation.graph import EscalationGraph
from service.reachability.escalation.reverse import Bits, Reverse, role_bits, widest_ranks
from service.reachability.escalation.steps import Escalation
from service.reachability.escalation.walk import ByPrincipal
from service.reachability.model import Access, both
from service.reachability.profiles import Profile


def _merge(into: Bits, group: str, bits: int) -> None:
    if bits:
        into[group] = into.get(group, 0) | bits


async def walk_bits(
    graph: EscalationGraph,
    reverse: Reverse,
    goal: Access,
    max_hops: int,
    after_gain: Callable[[Escalation, Access], Access | None],
    gainers: Collection[str] | None = None,
) -> BitWalked:
    """The principals that reach `goal` (a role) within `max_hops` steps of any kind (see the module); the
    gains of the principals of `gainers` alone (accounts; None: every one) are decided by `after_gain`."""
    goal_arn = goal.principal.arn
    found: Bits = reverse.bits([goal_arn]) if goal_arn in reverse.number else {}
    hops: list[Bits] = [dict(found)]
    gains = _Gains(goal, after_gain)
    roles: list[int] = []  # (per hop expanded: its roles, as role numbers of the edges)
    for hop in range(1, max_hops + 1):
        arns = list(reverse.arns_of(hops[hop - 1]))
        roles.append(role_bits(reverse, arns))
        reached, hit = reverse.assumers_of(roles[-1])  # (the direct assumers)
        if hop < max_hops:  # (what the hop's techniques may find new: what neither the hops before nor its
            # direct assumers found; an answer's path looks for the other ways of those when it is made)
            known = dict(found)
            for group, bits in reached.items():
                _merge(known, group, bits)
            live = reverse.may_find_among(graph, hops[hop - 1], known)
            sets = await reverse.actors_into(graph, list(reverse.arns_of(live)), known)
        else:  # (the last hop looks only for what it may find new, in the order the walk takes its principals)
            arns = list(reverse.arns_of(reverse.may_find_among(graph, hops[hop - 1], found)))
            if hop >= 2:
                ranks = await widest_ranks(graph, arns, reverse.ranks)
                arns.sort(key=lambda arn: (ranks[arn], arn))
            sets = await reverse.actors_into(graph, arns, found, hit)
        for n in sets:  # (the techniques' actors)
            _merge(reached, *reverse.actor_sets[n])
        if hop == 2:
            await _decide_gains(graph, reverse, gainers, found, reached, gains)
            for arn in gains.decided:
                group, number = reverse.number[arn]
                _merge(reached, group, 1 << number)
        new: Bits = {}
        for group, bits in reached.items():
            if fresh := bits & ~found.get(group, 0):
                new[group] = fresh
                found[group] = found.get(group, 0) | fresh
        hops.append(new)
    return BitWalked(graph, reverse, goal, hops, roles, gains, max_hops)


async def _decide_gains(
    graph: EscalationGraph, reverse: Reverse, gainers: Collection[str] | None, found: Bits, reached: Bits, into: _Gains
) -> None:
    """Into `into`, each actor's first gain after which it may assume the goal: a second step, for the actors not
    `found` at the hops before (a principal found at the first hop is not found again; a role everyone may
    assume finds nearly everyone there: 2,500 decisions a question at 100k principals). Those of an actor the
    hop finds (`reached`: its direct assumers and techniques' actors) are decided when its answer is made (a
    gain comes before its other ways): at 100k principals, 670 decisions a question into a role everyone may
    assume, of actors its direct assumers' roles find anyway."""
    for gain in await graph.gains(gainers):
        actor = gain.actor.arn
        if actor in into.decided:
            continue
        group, number = reverse.number[actor]
        if (found.get(group, 0) >> number) & 1:
            continue
        if (reached.get(group, 0) >> number) & 1:
            into.later.setdefault(actor, []).append(gain)
        else:
            into.decide(actor, (gain,))


class _Gains:
    """Each actor's first gain after which it may assume the goal (`after_gain`): `decided`, and the gains of
    actors found at the hop anyway, in order, decided when asked (`of`)."""

    def __init__(self, goal: Access, after_gain: Callable[[Escalation, Access], Access | None]) -> None:
        self._goal, self._after_gain = goal, after_gain
        self.decided: dict[str, Access] = {}
        self.later: dict[str, list[Escalation]] = {}

    def decide(self, actor: str, gains: Iterable[Escalation]) -> Access | None:
        for gain in gains:
            if (then := self._after_gain(gain, self._goal)) is not None:
                path = (gain.step, *(then.paths[0] if len(then.paths) else ()))
                condition = both(gain.condition, then.condition)
                found = self.decided[actor] = Access(gain.actor, condition, (path,), gain.notes, 2)
                return found
        return None

    def of(self, actor: str) -> Access | None:
        """The actor's first gain to the goal (None: none)."""
        if (found := self.decided.get(actor)) is not None:
            return found
        return self.decide(actor, self.later.pop(actor, ()))


class BitWalked(ByPrincipal):
    """The principals the walk reached, in (hops, ARN) order; an item's answer is made by `prepare` (async: it
    may read what a role's direct assumers are), which a reader calls for the items it reads first."""

    def __init__(
        self,
        graph: EscalationGraph,
        reverse: Reverse,
        goal: Access,
        hops: list[Bits],
        roles: list[int],
        gains: _Gains,
        max_hops: int,
    ) -> None:
        self._graph, self._reverse, self._goal, self._hops, self._roles = graph, reverse, goal, hops, roles
        self._gains, self._max_hops = gains, max_hops
        self._arns = _InOrder(reverse, hops[1:])
        self._made: dict[str, Access] = {goal.principal.arn: goal}
        self._assumers: dict[str, dict[str, Access | tuple[Callable[[Profile], Access | None], Profile]]] = {}

    def __len__(self) -> int:
        return len(self._arns)

    def _order(self) -> Sequence[str]:
        return self._arns

    def answer(self, arn: str) -> Access:
        found = self._made.get(arn)
        assert found is not None, f"the answer of {arn} was not prepared (BitWalked.prepare)"
        return found

    async def prepare(self, start: int, stop: int) -> None:
        """Make the answers of the items `start` to `stop` (and of the principals their paths go through)."""
        try:
            for arn in self._order()[start:stop]:
                await self._make(arn)
        finally:
            self._assumers.clear()  # (a page's lookups: not kept with the answer, which the answer cache keeps)

    async def _make(self, arn: str) -> Access:
        found = self._made.get(arn)
        if found is not None:
            return found
        hop = self._arns.hop_of(arn)
        if hop == 2 and (gained := self._gains.of(arn)) is not None:
            made = gained.via((), self._goal.condition, 2)
        else:
            via = await self._first_way(arn, hop)
            reached = await self._make(via)
            prefix = reached.paths[0] if len(reached.paths) else ()
            made = (await self._step(via, arn)).via(prefix, reached.condition, hop)
        self._made[arn] = made
        return made

    async def _first_way(self, arn: str, hop: int) -> str:
        """The principal of the hop before whose ways the walk took first and that has a way for `arn`."""
        reverse = self._reverse
        before = self._hops[hop - 1]
        roles = 0
        for k in reverse.class_of.get(arn, ()):
            group, number = reverse.number[arn]
            roles |= reverse.edges.assume[k]
            if (reverse.unknown[k][1] >> number) & 1:
                roles |= reverse.edges.unknown[k]
        roles = (roles | reverse.alone_of.get(arn, 0)) & self._roles[hop - 1]
        candidates = [reverse.edges.roles[n] for n in indices(roles)]
        for target in reverse.becomes.get(arn, ()):
            group, number = reverse.number[target]
            if (before.get(group, 0) >> number) & 1:
                candidates.append(target)
        assert candidates, f"no way found into the hop before for {arn}"
        if hop - 1 == self._max_hops - 1 and hop - 1 >= 1:
            ranks = await self._widest(candidates)
            return min(candidates, key=lambda c: (ranks[c], c))
        first = min(candidates)
        if hop < self._max_hops:
            # (a hop before the last worked out only the techniques that may find a principal its direct
            # assumers did not: one of those may have a technique into a principal before `first` too)
            group = reverse.number[arn][0]
            for target in reverse.arns_of({group: before.get(group, 0)}):
                if target >= first:
                    break
                if await reverse.may_become(self._graph, arn, target):
                    return target
        return first

    async def _widest(self, arns: list[str]) -> dict[str, tuple[int, int]]:
        return await widest_ranks(self._graph, arns, self._reverse.ranks)

    async def _step(self, via: str, arn: str) -> Access:
        """`arn`'s first one-step answer into `via`, in `EscalationGraph.ways` order."""
        direct, techniques = await self._graph.ways(via)
        if direct is not None:
            assumers = self._assumers.get(via)
            if assumers is None:
                # (each of the role's direct assumers with how its answer is made, the first way of each: a role
                # the whole organization may assume has 100,000 of them, and a page may read several)
                assumers = self._assumers[via] = {}
                for access in direct.ready:
                    assumers.setdefault(access.principal.arn, access)
                for part in direct.pending:
                    for members in part.lists():
                        for actor, profile in members:
                            assumers.setdefault(actor, (part.answers.answer, profile))
            found = assumers.get(arn)
            if isinstance(found, Access):
                return found
            if found is not None:
                made = found[0](found[1])
                assert made is not None
                return made
        for ways in techniques:
            if arn in ways.actors and (escalated := ways.access(arn)) is not None:
                return escalated
        raise AssertionError(f"{arn} has no way into {via}")


class _InOrder(Sequence[str]):
    """The principals found, in (hops, ARN) order, a hop put in order only once an item of it is read: a page
    of a role nearly the whole organization reaches reads its first hop's few principals, not 97,000."""

    def __init__(self, reverse: Reverse, hops: list[Bits]) -> None:
        self._reverse, self._hops = reverse, hops
        self._counts = [sum(bits.bit_count() for bits in found.values()) for found in hops]
        self._sorted: list[list[str] | None] = [None] * len(hops)

    def __len__(self) -> int:
        return sum(self._counts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for hop, count in enumerate(self._counts):
            if index < count:
                return self._hop(hop)[index]
            index -= count
        raise IndexError("the answer has no such item")

    def __iter__(self) -> Iterator[str]:
        for hop in range(len(self._hops)):
            yield from self._hop(hop)

    def _hop(self, hop: int) -> list[str]:
        found = self._sorted[hop]
        if found is None:
            found = self._sorted[hop] = sorted(self._reverse.arns_of(self._hops[hop]))
        return found

    def hop_of(self, arn: str) -> int:
        """The hop (1 and on) the principal was found at."""
        group, number = self._reverse.number[arn]
        return next(hop for hop, found in enumerate(self._hops, start=1) if (found.get(group, 0) >> number) & 1)
