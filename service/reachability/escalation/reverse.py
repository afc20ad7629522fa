"""Every principal's one-step ways in for a generation, as bits: who may assume each role directly
(`service/reachability/edges`, worked out ahead, in a second process: edges/elsewhere.py) and who may become
each principal by a technique (`AccountChecker.actors_into`, worked out as walks first need it). A walk back
over them (bitwalk.py) finds a hop of tens of thousands of principals with a few thousand bit operations,
instead of working out each principal's ways in as it goes.

Principals are numbered per group (their account, or none for a principal of no account: a service, anyone),
in ARN order within it: a set of principals is a bitset per group (`Bits`)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial

from service.database.source import GraphSource
from service.evaluation.request import arn_account
from service.evaluation.wildcards import resource_matches
from service.reachability.edges import EdgeBits, from_indices, indices
from service.reachability.edges.elsewhere import assume_edges_elsewhere
from service.reachability.escalation.checker import AccountChecker
from service.reachability.escalation.graph import EscalationGraph, build_escalation_index
from service.reachability.handback import HandBack
from service.reachability.index import PrincipalIndex
from service.reachability.profiles import AccountEntry, Profile
from service.reachability.snapshot import freeze
from service.reachability.who_can_assume import TrustRead

log = logging.getLogger("accessgraph")

Bits = dict[str, int]  # group (account) → bits of its principals


def _group(arn: str) -> str:
    return arn_account(arn) or ""


@dataclass
class Reverse:
    """The ways in of every principal of a generation (see the module)."""

    edges: EdgeBits
    arns: dict[str, list[str]]  # group → its principals in ARN order
    number: dict[str, tuple[str, int]]  # principal → (group, its number there)
    members: list[tuple[str, int]]  # per class of `edges`: its members (one account's)
    unknown: list[tuple[str, int]]  # per class: its members holding a policy not loaded
    alone: dict[int, Bits]  # per role number of `edges`: the assumers decided on their own
    actor_sets: list[tuple[str, int]]  # (the techniques' actor sets `actors_into` numbered so far)
    # The other way round, for making an answer: the class of each principal, the roles whose assumers decided
    # on their own hold it, and the principals it may become by a technique.
    class_of: dict[str, list[int]]  # (a principal may be in a class of candidates and one of everyone)
    alone_of: dict[str, int]  # principal → role numbers (bits)
    becomes: dict[str, set[str]]  # (of the principals whose actors are worked out)
    _mappings: dict[int, tuple[Mapping[str, object], int]] = field(default_factory=dict)
    _set_numbers: dict[frozenset[str], int] = field(default_factory=dict)
    # (what the last hops ask: per principal, its techniques with who may be their actor, `_may_act`; a set of
    # principals as bits, with the set they were made of; an action's Resource patterns with their holders)
    _possible_on: dict[str, tuple[AccountEntry, tuple[tuple[str, int], ...]]] = field(default_factory=dict)
    _sets: dict[tuple[str, str], tuple[Collection[str], int]] = field(default_factory=dict)
    _patterns: dict[tuple[str, str], tuple[Mapping[str, object], list[tuple[str, int]]]] = field(default_factory=dict)
    # (per principal a hop worked out some techniques of: each one's actor sets, `_actors`)
    _by_technique: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    # (the order a walk takes the principals of its hop before the last in: `widest_ranks`)
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)
    # (per account and kind of target: who may be a technique's actor, `_may_find`)
    _possible: dict[tuple[str, str], tuple[AccountEntry, int]] = field(default_factory=dict)
    _kinds: dict[str, tuple[AccountEntry, dict[str, int]]] = field(default_factory=dict)  # (`_kind_bits`)

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

    def assumers_of(self, roles: int) -> tuple[Bits, list[int]]:
        """Every principal that may assume one of `roles` directly (role numbers of the edges, as bits), and
        the classes of those (their numbers in the edges)."""
        reached: Bits = {}
        return reached, self._assumers_into(reached, roles, range(len(self.members)))

    def _assumers_into(self, into: Bits, roles: int, classes: Iterable[int]) -> list[int]:
        """Add to `into` the direct assumers of `roles` among the members of `classes` and those decided on
        their own; the classes that assume one of `roles`."""
        hit: list[int] = []
        if roles:
            assume, unknown = self.edges.assume, self.edges.unknown
            for k in classes:
                if assume[k] & roles:
                    _merge(into, *self.members[k])
                    hit.append(k)
                elif unknown[k] & roles:
                    _merge(into, *self.unknown[k])
                    hit.append(k)
            for number in indices(roles):
                for group, bits in self.alone.get(number, {}).items():
                    _merge(into, group, bits)
        return hit

    async def actors_into(
        self, graph: EscalationGraph, arns: Sequence[str], found: Bits, hit: Sequence[int] | None = None
    ) -> set[int]:
        """The techniques' actor sets (numbers in `actor_sets`) into each of `arns` that may find a principal not
        in `found` (what the walk found before this hop), as `AccountChecker.actors_into` gives them, each
        principal's kept per technique for the generation (`_actors`).

        For a walk's last hop (`arns` in the order it takes them; `hit`: the classes of their direct assumers,
        `assumers_of`), a principal gets only the techniques one of whose possible actors is still new
        (`_may_act`, as walk.py's last hop asks `Wanted`). A principal is new no more once a principal before
        it has a way for it: for a technique's actors, the principal just before; for the direct assumers, the
        principals of a run before it (`_FIRST_RUN`: a pass over the classes still live a run). What is left
        out finds nothing new, and each actor's first way is among what is kept.

        For a hop before the last (no `hit`), a principal gets only the techniques one of whose possible actors
        is not in `found` (the hops before and this hop's direct assumers), which stays as it is: what is left
        out finds nothing new, and every way of each principal only a technique finds is worked out, its first
        way among them. A principal the direct assumers find may have a technique left out whose target comes
        before its first way found: the answer's path looks for it when it is made (`may_become`). (At 100k
        principals a walk into a role everyone may assume reaches 26,000 principals at its first hop and
        70,000 more by their roles at the next: working out every technique into those 26,000 that may find one
        of the 75,000 not found before took 7.3 s the first time in a generation.)"""
        hand_back = HandBack()
        sets: set[int] = set()
        last = hit is not None
        gone: Bits = dict(found)
        seen: set[int] = set()
        live = hit or ()  # (the classes some of whose members are not taken out yet)
        run_start, run_end = 0, _FIRST_RUN
        # (the accounts and kinds of principal every possible actor into which is found: their principals are
        # passed over from then on, their actors worked out or not, as `gone` only grows)
        done: set[tuple[str, str]] = set()
        profiles = graph.profiles
        for at, arn in enumerate(arns):
            if last and at == run_end:  # (the direct assumers of the run before are found)
                live = self._forget_assumers(gone, role_bits(self, arns[run_start:run_end]), live)
                run_start, run_end = run_end, 2 * run_end
            profile = profiles.get(arn)
            checker = graph.checkers.get(profile.account_id) if profile is not None else None
            if profile is None or checker is None:
                continue  # (a principal outside the loaded accounts: no technique acts on it)
            checker = checker.using(graph.assumers)  # (the question's view: what `_may_find` reads first)
            kind = (profile.account_id, profile.kind)
            if kind in done or not self._may_find(gone, checker, profile.kind):
                done.add(kind)
                continue  # (every possible actor into it is found: none of its actors is new)
            techniques = await self._may_act(gone, checker, profile)
            held = await self._actors(checker, arn, techniques) if techniques else ()
            await hand_back()
            sets.update(held)
            if last:
                for n in held:
                    if n not in seen:
                        seen.add(n)
                        _merge(gone, *self.actor_sets[n])
        return sets

    def _may_find(self, gone: Bits, checker: AccountChecker, kind: str) -> bool:
        """Whether a technique into a principal of this kind in the checker's account may have an actor not in
        `gone` (`AccountChecker.possible_actors_into`, as bits kept per account and kind)."""
        return bool(self._possible_bits(checker, kind) & ~gone.get(checker.entry.account_id, 0))

    def may_find_among(self, graph: EscalationGraph, bits: Bits, gone: Bits) -> Bits:
        """The principals of `bits` into which a technique may have an actor not in `gone` (`_may_find`, by
        account and kind): those `actors_into` would not pass over at once. At 100k principals a hop of a walk
        into a role everyone may assume holds 70,000, of accounts nearly all of whose possible actors are
        found."""
        found: Bits = {}
        for group, held in bits.items():
            checker = graph.checkers.get(group)
            if checker is None:
                continue  # (principals outside the loaded accounts: no technique acts on them)
            checker = checker.using(graph.assumers)
            mask = 0
            for kind, of_kind in self._kind_bits(checker).items():
                if of_kind & held and self._may_find(gone, checker, kind):
                    mask |= of_kind
            if held & mask:
                found[group] = held & mask
        return found

    def _kind_bits(self, checker: AccountChecker) -> dict[str, int]:
        """The account's roles and users, as bits, kept per account."""
        entry = checker.entry
        held = self._kinds.get(entry.account_id)
        if held is None or held[0] is not entry:
            by_kind: dict[str, list[str]] = {"role": [], "user": []}
            for arn, profile in entry.profiles.items():
                by_kind.setdefault(profile.kind, []).append(arn)
            bits = {kind: self.bits(arns).get(entry.account_id, 0) for kind, arns in by_kind.items()}
            held = self._kinds[entry.account_id] = (entry, bits)
        return held[1]

    def _possible_bits(self, checker: AccountChecker, kind: str) -> int:
        """`AccountChecker.possible_actors_into(kind)` as bits, kept per account and kind."""
        entry = checker.entry
        held = self._possible.get((entry.account_id, kind))
        if held is None or held[0] is not entry:
            actors = checker.possible_actors_into(kind)
            bits = self.bits(entry.profiles if actors is None else actors).get(entry.account_id, 0)
            held = self._possible[(entry.account_id, kind)] = (entry, bits)
        return held[1]

    def _forget_assumers(self, gone: Bits, roles: int, live: Sequence[int]) -> list[int]:
        """Add the direct assumers of `roles` to `gone`, looking only at the `live` classes: those left live."""
        self._assumers_into(gone, roles, live)
        members = self.members
        return [k for k in live if members[k][1] & ~gone.get(members[k][0], 0)]

    async def _may_act(self, gone: Bits, checker: AccountChecker, profile: Profile) -> set[str]:
        """The techniques into the principal one of whose possible actors is not in `gone`: the principals
        holding a policy that may allow each required action (but sts:AssumeRole) and, for each action on the
        principal itself, an Allow whose Resource matches it (`AccountChecker.possible_on`), as bits kept per
        principal for the generation."""
        left = ~gone.get(checker.entry.account_id, 0)
        return {technique for technique, bits in await self._possible_techniques(checker, profile) if bits & left}

    async def _possible_techniques(self, checker: AccountChecker, profile: Profile) -> tuple[tuple[str, int], ...]:
        """`_may_act`'s techniques into the principal, each with its possible actors as bits, kept per principal
        for the generation."""
        entry = checker.entry
        held = self._possible_on.get(profile.arn)
        if held is None or held[0] is not entry:
            account = entry.account_id
            techniques: list[tuple[str, int]] = []
            on_target: dict[str, int] = {}  # (per action: who holds a Resource matching the principal)
            for technique, actors, actions in await checker.possible_on(profile):
                if actors is None:  # (any principal of the account)
                    bits = self._set_bits(account, "everyone", entry.profiles)
                else:
                    bits = self._set_bits(account, technique, actors)
                for action in actions:
                    if not bits:
                        break
                    holding = on_target.get(action)
                    if holding is None:
                        holding = on_target[action] = self._holding(checker, action, profile.arn)
                    bits &= holding
                if bits:
                    techniques.append((technique, bits))
            held = self._possible_on[profile.arn] = (entry, tuple(techniques))
        return held[1]

    async def may_become(self, graph: EscalationGraph, actor: str, target: str) -> bool:
        """Whether `actor` has a technique into `target` (a principal of its account), its techniques into the
        target worked out (`_actors`: kept, and in `becomes`) only where the actor is one of their possible
        actors: the ways a hop before the last left out (see `actors_into`), looked for when an answer's path
        is made."""
        if target in self.becomes.get(actor, ()):
            return True
        profile = graph.profiles.get(target)
        checker = graph.checkers.get(profile.account_id) if profile is not None else None
        if profile is None or checker is None:
            return False
        checker = checker.using(graph.assumers)
        number = self.number[actor][1]
        techniques = {t for t, bits in await self._possible_techniques(checker, profile) if (bits >> number) & 1}
        if techniques:
            await self._actors(checker, target, techniques)
        return target in self.becomes.get(actor, ())

    def prepare_last_hops(self, graph: EscalationGraph) -> None:
        """Make the bits a last hop starts from (`_may_find`'s; `_may_act`'s: each technique's possible actors,
        every account's principals, the holders of each Resource pattern of the actions on a target) before a
        question does: at 100k principals, some 0.3 s of the first question whose last hop reaches every
        account."""
        for account, checker in graph.checkers.items():
            self._set_bits(account, "everyone", checker.entry.profiles)
            for technique, actors in checker.possible_sets():
                if actors is not None:
                    self._set_bits(account, technique, actors)
            for kind in ("role", "user"):
                self._possible_bits(checker, kind)
            self._kind_bits(checker)
            for action in checker.actions_on_targets():
                self._pattern_bits(checker, action)

    async def prepare_ranks(self, graph: EscalationGraph) -> None:
        """Every principal's rank (`widest_ranks`) before a question does: at 100k principals, some 0.4 s of the
        first question whose hop before the last holds most of the organization's roles. A batch at a time,
        handing the loop back between them: after a load it runs beside the API's questions (`precompute`)."""
        hand_back = HandBack()
        arns = list(graph.profiles)
        for start in range(0, len(arns), _RANKS_AT_ONCE):
            await widest_ranks(graph, arns[start : start + _RANKS_AT_ONCE], self.ranks)
            await hand_back()

    def _set_bits(self, account: str, name: str, arns: Collection[str]) -> int:
        """The bits of a set of the account's principals, kept with the set (the same object every time)."""
        held = self._sets.get((account, name))
        if held is None or held[0] is not arns:
            held = self._sets[(account, name)] = (arns, self.bits(arns).get(account, 0))
        return held[1]

    def _holding(self, checker: AccountChecker, action: str, arn: str) -> int:
        """Who of the checker's account holds an Allow about `action` whose Resource may match `arn` (of the
        account): `AccountChecker.resource_holders`, as bits."""
        found = 0
        for pattern, bits in self._pattern_bits(checker, action):
            if resource_matches(pattern, arn):
                found |= bits
        return found

    def _pattern_bits(self, checker: AccountChecker, action: str) -> list[tuple[str, int]]:
        """The Resource patterns of the Allows about `action` that may match a principal of the checker's
        account, each with its holders as bits (`AccountChecker.resource_holders`), kept with what they were
        made of."""
        account, held = checker.entry.account_id, checker.resource_holders(action)
        kept = self._patterns.get((account, action))
        if kept is None or kept[0] is not held:
            relevant = (*held.get(account, ()), *held.get("*", ()))
            patterns = [(pattern, self.bits(arns).get(account, 0)) for pattern, arns in relevant]
            kept = self._patterns[(account, action)] = (held, patterns)
        return kept[1]

    async def _actors(self, checker: AccountChecker, arn: str, only: AbstractSet[str]) -> tuple[int, ...]:
        """The actor sets of the techniques of `only` into `arn`: each technique's kept per principal for the
        generation (`_by_technique`), for the next question's walk."""
        known = self._by_technique.setdefault(arn, {})
        found: list[int] = []
        for technique in only:
            held = known.get(technique)
            if held is None:
                mappings = await checker.actors_into(arn, (technique,))
                held = known[technique] = tuple(self._actor_set(arn, mapping) for mapping in mappings)
            found += held
        return tuple(found)

    def _actor_set(self, target: str, mapping: Mapping[str, object]) -> int:
        """The number of a technique's actor set (`actor_sets`), numbered once per mapping: the mappings are
        shared by the targets no technique tells apart, and kept here with their number so that a mapping's
        id is no later one's."""
        held = self._mappings.get(id(mapping))
        if held is None or held[0] is not mapping:
            actors = frozenset(mapping)
            n = self._set_numbers.get(actors)
            if n is None:
                n = self._set_numbers[actors] = len(self.actor_sets)
                bits = self.bits(actors)
                group = _group(target)
                assert set(bits) <= {group}, "a technique's actors are of its target's account"
                self.actor_sets.append((group, bits.get(group, 0)))
            held = self._mappings[id(mapping)] = (mapping, n)
        for actor in mapping:
            self.becomes.setdefault(actor, set()).add(target)
        return held[1]


async def build_reverse(graph: EscalationGraph, edges: EdgeBits) -> Reverse:
    """Every principal numbered, for the generation of `graph` (whose roles `edges` holds the direct assumers
    of), with the direct assumers as bits. The techniques' actors are worked out as a walk first needs them
    (`Reverse.actors_into`)."""
    hand_back = HandBack()
    every: set[str] = set(graph.profiles)
    for class_members in edges.members:
        every |= class_members
    for assumers in edges.alone.values():
        every |= assumers
    arns: dict[str, list[str]] = {}
    for arn in sorted(every):
        arns.setdefault(_group(arn), []).append(arn)
    number = {arn: (group, n) for group, names in arns.items() for n, arn in enumerate(names)}
    reverse = Reverse(edges, arns, number, [], [], {}, [], {}, {}, {})
    for k, (arns_of_class, unknown_of_class) in enumerate(zip(edges.members, edges.unknown_members, strict=True)):
        members = reverse.bits(arns_of_class)
        unknown = reverse.bits(unknown_of_class)
        assert len(members) == 1, "a signature class holds one account's principals"
        group = next(iter(members))
        reverse.members.append((group, members[group]))
        reverse.unknown.append((group, unknown.get(group, 0)))
        for arn in arns_of_class:
            reverse.class_of.setdefault(arn, []).append(k)
        await hand_back()
    for role_number, assumers in edges.alone.items():
        reverse.alone[role_number] = reverse.bits(assumers)
        for arn in assumers:
            reverse.alone_of[arn] = reverse.alone_of.get(arn, 0) | (1 << role_number)
    return reverse


async def widest_ranks(
    graph: EscalationGraph, arns: Iterable[str], ranks: dict[str, tuple[int, int]] | None = None
) -> dict[str, tuple[int, int]]:
    """`_widest_first`'s ranks (walk.py) of `arns`, added to `ranks`: the order a walk takes the principals of
    its hop before the last in, by (rank, ARN) (bitwalk.py). Those of every principal are worked out with the
    ways in (`prepare_ranks`)."""
    ranks = {} if ranks is None else ranks
    for arn in arns:
        if arn not in ranks:
            profile = graph.profiles.get(arn)
            if profile is not None and profile.kind == "role":
                trust: TrustRead = await graph.assumers.trust_read(arn)
                ranks[arn] = (0, 0) if trust.everyone else (1, -len(trust.accounts))
            else:
                ranks[arn] = (2, 0)
    return ranks


# `prepare_ranks` works out this many principals' ranks between two hand-backs (a few milliseconds' work).
_RANKS_AT_ONCE = 1000


# A walk's last hop takes the direct assumers of the principals before out of `Wanted` in runs of 64, 64, 128,
# 256, ... principals (each run a pass over the edges).
_FIRST_RUN = 64


def _merge(into: Bits, group: str, bits: int) -> None:
    if bits:
        into[group] = into.get(group, 0) | bits


def role_bits(reverse: Reverse, arns: Iterable[str]) -> int:
    """The roles among `arns`, as role numbers of the edges."""
    index: Mapping[str, int] = reverse.edges.index
    return from_indices(n for arn in arns if (n := index.get(arn)) is not None)


# The ways in worked out ahead, by the graph (of one generation) they were worked out for, and those being
# worked out.
_AHEAD: weakref.WeakKeyDictionary[EscalationGraph, Reverse] = weakref.WeakKeyDictionary()
_WORKING: weakref.WeakKeyDictionary[EscalationGraph, asyncio.Task[Reverse]] = weakref.WeakKeyDictionary()


def precompute(graph: EscalationGraph) -> asyncio.Task[Reverse]:
    """Work out every principal's ways in for the graph's generation, once, and keep them with it
    (`worked_out`): every role's direct assumers (`assume_edges`, in a worker process), numbered; the
    techniques' actors as walks first need them (`Reverse.actors_into`). A question of a generation a load made
    since the warm-up starts it, and walks as before meanwhile."""
    working = _WORKING.get(graph)
    if working is None:
        working = _WORKING[graph] = asyncio.get_running_loop().create_task(_worked_out(graph))
        working.add_done_callback(partial(_done, weakref.ref(graph)))
    return working


async def build_with_ways_in(index: PrincipalIndex, source: GraphSource) -> EscalationGraph:
    """`build_escalation_index` with every principal's ways in worked out ahead as `precompute` does, the
    direct assumers in a worker process while this one prepares the rest of the index (the warm-up of
    `serve --precompute-escalation`)."""
    edges: list[asyncio.Future[EdgeBits]] = []
    started: list[float] = []

    async def start(graph: EscalationGraph) -> None:
        started.append(time.monotonic())
        edges.append(await assume_edges_elsewhere(graph.assumers, await graph.assumers.view.entries(None)))

    graph = await build_escalation_index(index, source, after_reads=start)
    found = _AHEAD[graph] = await build_reverse(graph, await edges[0])
    found.prepare_last_hops(graph)
    await found.prepare_ranks(graph)
    freeze()  # (it lives as long as the generation: keep full collections off it)
    # (the seconds since the worker started: the index's own work ran beside it, and its time says the whole)
    log.info(
        "escalation ways in worked out ahead for %d principals in %.1f s",
        len(found.number),
        time.monotonic() - started[0],
    )
    return graph


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
    edges = await assume_edges_elsewhere(graph.assumers, entries)
    found = _AHEAD[graph] = await build_reverse(graph, await edges)
    await found.prepare_ranks(graph)
    freeze()  # (it lives as long as the generation: keep full collections off it)
    log.info(
        "escalation ways in worked out ahead for %d principals in %.1f s", len(found.number), time.monotonic() - started
    )
    return found


def worked_out(graph: EscalationGraph) -> Reverse | None:
    """The ways in worked out ahead for the graph's generation (None: they were not: the warm-up was not asked
    to, or a load made a new generation since)."""
    return _AHEAD.get(graph)
