"""Walking the escalation graph backwards: who can become the goals, within some hops.

The walk keeps, per principal reached, only which way it came by (the principal it reaches next and the
one-step way, not yet an answer); a principal's answer (its path, condition and notes) is made when it is
read, from its way and the answer of the principal it reaches. A page of 100 of 27,000 principals makes
about 100 answers (and those of the principals their paths go through).

The order, the hops and the path kept are those of a walk that makes every answer: principals are taken
by (hops, ARN), and each keeps the first way found among its shortest: the seeds, then the goals' ways in
goal order, then those of the principals of each hop in ARN order (but the hop before the last of a walk of
every account, which takes them widest first: `_widest_first`), each principal's ways in the order
`EscalationGraph.ways` gives them (its direct assumers in ARN order, then the techniques in catalogue
order). The answer is in (hops, ARN) order whatever the order of taking.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from typing import TYPE_CHECKING, Any, overload

from service.reachability.escalation.admitting import names_wanted
from service.reachability.escalation.last_hop import LastHop
from service.reachability.escalation.steps import Escalation
from service.reachability.escalation.ways import Wanted
from service.reachability.handback import HandBack
from service.reachability.model import Access, NodeRef, both
from service.reachability.who_can_assume import TrustRead

if TYPE_CHECKING:
    from service.reachability.escalation.graph import EscalationGraph


class _Way:
    """How a principal was reached: `make(arg)` is its one-step answer (None `via`: a seed, whose answer is
    whole), through the principal `via`; `last` is the target of that one-step answer's last step when it
    is known without making it (a direct assumer's: the role), else None."""

    __slots__ = ("account_id", "arg", "hops", "kind", "last", "make", "via")

    def __init__(
        self,
        hops: int,
        via: str | None,
        kind: str,
        account_id: str | None,
        make: Callable[[Any], Access | None],
        arg: Any,
        last: NodeRef | None = None,
    ) -> None:
        self.hops, self.via, self.kind, self.account_id = hops, via, kind, account_id
        self.make, self.arg, self.last = make, arg, last

    def step(self) -> Access:
        made = self.make(self.arg)
        assert made is not None, f"no answer for a way counted into {self.via}"
        return made


_NOT_YET = object()
_NONE: Mapping[str, _Way] = {}


class ByPrincipal(Sequence[Access]):
    """An answer of one item per principal, in the order `_order` gives, each item made (or found) by
    `answer`: a walk's answer, read item by item."""

    __slots__ = ()

    def _order(self) -> Sequence[str]:
        raise NotImplementedError

    def answer(self, arn: str) -> Access:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._order())

    @overload
    def __getitem__(self, index: int) -> Access: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Access]: ...
    def __getitem__(self, index: int | slice) -> Access | Sequence[Access]:
        if isinstance(index, slice):
            return [self.answer(arn) for arn in self._order()[index]]
        return self.answer(self._order()[index])

    def __iter__(self) -> Iterator[Access]:
        for arn in self._order():
            yield self.answer(arn)


class Walked(ByPrincipal):
    """The principals a walk reached, in (hops, ARN) order; an item's answer is made when it is read (and
    kept). Immutable to its readers, like a tuple."""

    __slots__ = ("_arns", "_goals", "_last", "_lasts", "_made", "_ways")

    def __init__(
        self, arns: list[str], ways: dict[str, _Way], goals: dict[str, Access], last: LastHop[_Way] | None = None
    ) -> None:
        self._arns, self._ways, self._goals = arns, ways, goals
        # (the ways to the last hop's principals, all made when one is first read: `_way`)
        self._last = last
        self._made: dict[str, Access] = {}
        self._lasts: dict[str, object] = {}

    def _order(self) -> Sequence[str]:
        return self._arns

    @property
    def arns(self) -> list[str]:
        return list(self._arns)

    def account_of(self, arn: str) -> str | None:
        return self._way(arn).account_id

    def only(self, arns: Iterable[str]) -> Walked:
        """These principals of the walk (in the order given), sharing the answers made."""
        kept = Walked(list(arns), self._ways, self._goals, self._last)
        kept._made, kept._lasts = self._made, self._lasts
        return kept

    def _way(self, arn: str) -> _Way:
        found = self._ways.get(arn)
        if found is None and self._last is not None:
            found = self._last.ways().get(arn)
        if found is None:
            raise KeyError(arn)
        return found

    def answer(self, arn: str) -> Access:
        found = self._made.get(arn)
        if found is None:
            way = self._way(arn)
            if way.via is None:
                found = way.step()
            else:
                reached = self._reached(way.via)
                prefix = reached.paths[0] if len(reached.paths) else ()
                found = way.step().via(prefix, reached.condition, way.hops)
            self._made[arn] = found
        return found

    def _reached(self, arn: str) -> Access:
        goal = self._goals.get(arn)
        return goal if goal is not None else self.answer(arn)

    def last_target(self, arn: str) -> NodeRef | None:
        """The target of the last step of the principal's path (None: it has none), as its answer would
        show it, without making the answers of the principals it goes through when they are not made."""
        if arn in self._made:
            return _last_target(self._made[arn])
        found = self._lasts.get(arn, _NOT_YET)
        if found is _NOT_YET:
            way = self._way(arn)
            if way.via is None:
                found = _last_target(way.step())
            else:
                # (The path is the way's own, then the path of the principal it reaches: its last step is
                # that principal's, when it has one.)
                ahead = _last_target(self._goals[way.via]) if way.via in self._goals else self.last_target(way.via)
                if way.last is not None:
                    found = ahead or way.last
                else:
                    step = way.step()
                    found = None if not len(step.paths) else ahead or _last_target(step)
            self._lasts[arn] = found
        assert found is None or isinstance(found, NodeRef)
        return found


def _last_target(access: Access) -> NodeRef | None:
    paths = access.paths
    return paths[0][-1].target if len(paths) and paths[0] else None


def _same(access: Access) -> Access:
    return access


def _seen(
    found: Container[str],
    settled: Container[str],
    level: Container[str],
    ahead: dict[int, dict[str, _Way]],
    last: Container[str],
    arn: str,
) -> bool:
    """Whether the walk found `arn` already (or has a way to it)."""
    return (
        arn in found
        or arn in settled
        or arn in level
        or any(arn in ways for ways in ahead.values())
        or arn in last
    )


async def walk_back(
    graph: EscalationGraph,
    goals: Iterable[Access],
    max_hops: int,
    after_gain: Callable[[Escalation, Access], Access | None] | None = None,
    seeds: Iterable[Access] = (),
    account: str | None = None,
) -> Walked:
    """The principals that reach a goal within `max_hops` steps of any kind, each with its shortest path
    (ending at the goal's path), in (hops, ARN) order. `seeds` are found already (at their hops);
    `after_gain(gain, goal)` decides whether the actor, changed by the gain, reaches the goal in one more
    step (None: it does not). The goals themselves are not in the answer. With `account`, only the
    principals of that account are wanted: one found at the last hop elsewhere leads nowhere, so it is not
    looked for (those found earlier are, as a way back into the account)."""
    goals = list(goals)
    goal_answers = {goal.principal.arn: goal for goal in goals}
    found: dict[str, _Way] = {}
    settled = set(goal_answers)
    # The ways found to principals not taken yet, by hops: the first found to each is the one it keeps. Those
    # of the last hop are kept whole (last_hop.py).
    candidates: dict[int, dict[str, _Way]] = {}
    last_hop: LastHop[_Way] = LastHop()

    pushed: dict[int, tuple[int, object]] = {}  # id of a list of actors: the hop it was pushed at
    profiles = graph.profiles

    # With `account`, the principals the next hop may still find (see the hops below), one for the question:
    # what is found to hold none of them stays so. `wanted` is it at the hops that keep it, else None.
    tracked = Wanted(lambda account: graph.members(account) if account in graph.checkers else None)
    wanted: Wanted | None = None
    others: set[str] = set()
    # With `account`, a principal of another account found at the hop before the last leads to the account
    # only when it is a role whose trust policy can admit one of the account's principals (a technique acts
    # in its actor's own account): the others are not looked for at all.
    before_last = max_hops - 1 if account is not None else -1
    admitting = await graph.admitting(account) if account is not None else frozenset()

    def push(arn: str, way: _Way) -> None:
        if arn not in found and arn not in settled:
            if way.hops == before_last and way.account_id != account and arn not in admitting:
                return
            if way.hops == max_hops:
                last_hop.one(arn, way)
            else:
                candidates.setdefault(way.hops, {}).setdefault(arn, way)
            if wanted is not None:
                wanted.arns.discard(arn)

    def push_many(arns: AbstractSet[str], ways: Callable[[], Iterable[tuple[str, _Way]]]) -> None:
        """A way to each of `arns`, at the last hop (`ways()`: each with its way, made when read)."""
        last_hop.many(arns, ways)
        if wanted is not None:
            wanted.arns.difference_update(arns)

    for seed in seeds:
        if seed.hops <= max_hops:
            ref = seed.principal
            push(ref.arn, _Way(seed.hops, None, ref.kind, ref.account_id, _same, seed))
    gains = await graph.gains() if after_gain is not None else []

    async def reach(ref: NodeRef, hops_then: int) -> None:
        hops = hops_then + 1
        if hops > max_hops:
            return
        arn = ref.arn
        last = hops == max_hops and account is not None
        elsewhere = last and ref.account_id != account
        # (a technique's actor is of the account of what it reaches: none is wanted from elsewhere)
        direct, techniques = await graph.ways(
            arn,
            techniques=not elsewhere,
            admitting=account if last else None,
            wanted=wanted,
        )
        if direct is not None:
            # (Its ways in `DirectAssumers.ways` order but unmerged: each actor has one way into the role,
            # so the order among them keeps no other way; and an actor already found costs one lookup.)
            for access in direct.ready:
                ref = access.principal
                if not (last and ref.account_id != account):
                    push(ref.arn, _Way(hops, arn, ref.kind, ref.account_id, _same, access))
            # A list of members is a signature class's, shared by the classes of every role that holds it whole:
            # pushed once, at some hop, it is pushed at that hop or before (as a technique's actors, below).
            for part in direct.pending:
                answer = part.answers.answer
                for members in part.lists():
                    held = pushed.get(id(members))
                    if held is not None and held[0] <= hops:
                        continue
                    pushed[id(members)] = (hops, members)
                    if hops == max_hops:
                        arns = graph.arns_in(members)
                        if account is not None:  # (`last`: only the account's principals are wanted)
                            arns = arns.intersection(graph.members(account))
                        push_many(arns, partial(_member_ways, hops, arn, answer, direct.role, members, account))
                        continue
                    ahead = candidates.get(hops, _NONE)  # (an actor found at this hop already keeps its way)
                    for actor, profile in members:
                        if actor in found or actor in settled or actor in ahead:
                            continue
                        if not (last and profile.account_id != account):
                            push(actor, _Way(hops, arn, profile.kind, profile.account_id, answer, profile, direct.role))
                            ahead = candidates.get(hops, _NONE)
        # A technique's actors are of the account of what it reaches (wanted: see `elsewhere`). The same
        # actors, shared by every target of the same target classes, pushed once at some hop are pushed at
        # that hop or before: pushing them again at this one or later changes nothing.
        for ways in techniques:
            held = pushed.get(id(ways.actors))
            if held is not None and held[0] <= hops:
                continue
            pushed[id(ways.actors)] = (hops, ways.actors)
            made = ways.access
            if hops == max_hops:
                push_many(ways.actors.keys(), partial(_actor_ways, hops, arn, made, ways.actors, profiles))
                continue
            ahead = candidates.get(hops, _NONE)
            for actor in ways.actors:
                if actor not in found and actor not in settled and actor not in ahead:
                    profile = profiles[actor]
                    push(actor, _Way(hops, arn, profile.kind, profile.account_id, made, actor))
                    ahead = candidates.get(hops, _NONE)
        if (hops := hops_then + 2) > max_hops or arn not in goal_answers:
            return
        last = hops == max_hops and account is not None
        goal = goal_answers[arn]
        for gain in gains:
            assert after_gain is not None
            if last and gain.actor.account_id != account:
                continue
            if (then := after_gain(gain, goal)) is not None:
                path = (gain.step, *(then.paths[0] if len(then.paths) else ()))
                access = Access(gain.actor, both(gain.condition, then.condition), (path,), gain.notes, hops)
                push(gain.actor.arn, _Way(hops, arn, gain.actor.kind, gain.actor.account_id, _same, access))

    for goal in goals:
        await reach(goal.principal, goal.hops)
    order: list[str] = []
    hand_back = HandBack()
    # Every way to a principal of hop h is found by the time the walk takes hop h: the ways out of the
    # principals of hop h lead to hop h + 1 (the seeds' and the goals' are found before the walk starts).
    while candidates:
        hops = min(candidates)
        level = candidates.pop(hops)
        wanted, others = None, set()
        pool: Iterable[str] | None = None
        if account is not None and max_hops - 2 <= hops < max_hops:
            # What this hop's expansions can still find (at the next hop): the account's principals (and, when
            # the next hop is the one before the last, the roles that admit them) not found yet. Each keeps the
            # first way found, in this hop's order: once none is left, the expansions after add nothing (and a
            # technique none of whose actors is wanted is not worked out, `AccountChecker.ways`). `others`: the
            # roles of this hop whose direct assumers may hold a principal of the account that is no loaded user
            # or role.
            pool = graph.members(account) if hops + 1 == max_hops else graph.members(account) | admitting
        elif account is None and hops + 1 == max_hops:
            # The last hop of a walk of every account: what it can still find is every user and role not found
            # yet, and any other principal (a service, a provider, a principal of an account not loaded) not
            # `seen`. A role none of whose possible direct assumers is among them, a technique none of whose
            # possible actors is, is not worked out (at 100k principals, a role nearly the whole organization
            # reaches has 26,000 principals at its hop before the last, most of whose ways find no one new).
            pool = profiles
            tracked.seen = partial(_seen, found, settled, level, candidates, last_hop)
        if pool is not None:
            ahead: Container[str] = last_hop if hops + 1 == max_hops else candidates.get(hops + 1, {})
            tracked.arns = {
                arn for arn in pool if arn not in found and arn not in settled and arn not in level and arn not in ahead
            }
            wanted = tracked
        if hops < max_hops:  # (the roles this hop expands, read at once)
            await graph.read_roles(arn for arn, way in level.items() if way.kind == "role" and arn not in found)
        if wanted is not None and account is not None:
            others = {
                arn
                for arn, way in level.items()
                if way.kind == "role" and arn not in found and await graph.names_others(arn, account)
            }
        taken = [arn for arn in sorted(level) if arn not in found and arn not in settled]
        found.update((arn, level[arn]) for arn in taken)
        order += taken
        finds_nothing: Callable[[str], bool] | None = None
        if account is None and hops + 1 == max_hops:
            assert wanted is not None
            taken, trusts = await _widest_first(graph, taken, level)
            finds_nothing = partial(_finds_nothing, profiles, wanted, trusts, level)
        for arn in taken:
            way = level[arn]
            if account is not None and wanted is not None and not wanted.arns and not others:
                continue
            if finds_nothing is not None and finds_nothing(arn):
                continue
            others.discard(arn)
            if way.kind in ("role", "user"):
                await reach(NodeRef(arn, way.kind, None, way.account_id), hops)
                # (once everything it reads is held in memory the walk never waits on anything: handback.py)
                await hand_back()
    # (the last hop's principals are kept, in order, and not expanded: at 100k a role nearly the whole
    # organization reaches has 70,000 of them)
    order += sorted(last_hop.arns(lambda arn: arn in found or arn in settled))
    return Walked(order, found, goal_answers, last_hop)


def _member_ways(
    hops: int,
    via: str,
    answer: Callable[[Any], Access | None],
    role: NodeRef,
    members: Sequence[tuple[str, Any]],
    account: str | None,
) -> Iterator[tuple[str, _Way]]:
    """The ways to a member list's principals, as a direct assumer of `via` each (of `account` only, when
    given)."""
    for actor, profile in members:
        if account is None or profile.account_id == account:
            yield actor, _Way(hops, via, profile.kind, profile.account_id, answer, profile, role)


def _actor_ways(
    hops: int, via: str, made: Callable[[str], Access | None], actors: Iterable[str], profiles: Mapping[str, Any]
) -> Iterator[tuple[str, _Way]]:
    """The ways to a technique's actors, each by the technique into `via`."""
    for actor in actors:
        profile = profiles[actor]
        yield actor, _Way(hops, via, profile.kind, profile.account_id, made, actor)


async def _widest_first(
    graph: EscalationGraph, arns: list[str], level: Mapping[str, _Way]
) -> tuple[list[str], dict[str, TrustRead]]:
    """The order in which the last expanding hop of a walk of every account takes its principals (`arns`, in
    ARN order): the roles whose trust policy admits anyone first, then the others by how many loaded accounts
    their trust policy admits (most first), then the users and the rest, ARN order within each. A role
    admitted to by a whole organization finds tens of thousands of principals at once; taken first, what is
    left wanted shrinks to the few no way reaches, and each later role or user is worked out against those
    few (`Wanted`), or not at all (`_finds_nothing`). Also what the loaded roles' trust policies name."""
    ranks: dict[str, tuple[int, int]] = {}
    trusts: dict[str, TrustRead] = {}
    for arn in arns:
        if level[arn].kind == "role" and arn in graph.profiles:
            trust = trusts[arn] = await graph.assumers.trust_read(arn)
            ranks[arn] = (0, 0) if trust.everyone else (1, -len(trust.accounts))
        else:
            ranks[arn] = (2, 0)
    return sorted(arns, key=ranks.__getitem__), trusts  # (stable: ARN order within a rank)


def _finds_nothing(
    profiles: Container[str], wanted: Wanted, trusts: Mapping[str, TrustRead], level: Mapping[str, _Way], arn: str
) -> bool:
    """Whether expanding `arn` at the last expanding hop of a walk of every account can find nothing: no
    principal of its account is wanted (a technique's actor is of the account of what it reaches), and, of a
    role, its trust policy (`trusts`; none: no loaded role, whose ways are none) admits no account holding a
    wanted principal, nor anyone, and names no principal still wanted or not `seen` (what `still_wanted`
    and `AccountChecker.ways` would find, told without working either out: at 100k principals 20,000 of the
    26,000 principals of a heavy role's hop, a few lookups each)."""
    way = level[arn]
    if way.kind not in ("role", "user") or wanted.any_of(way.account_id):
        return False
    trust = trusts.get(arn)
    if trust is None:
        return way.kind == "user" or arn not in profiles
    if trust.everyone or any(wanted.any_of(account) for account in trust.accounts):
        return False
    return not names_wanted(trust, wanted, profiles)
