"""The escalation graph of the loaded accounts, worked out once per generation: every escalation the
checker finds and every role's direct assumers. The questions with `escalation` walk it:

- `into(arn)`: the one-step ways to become a principal (assume it, or a technique that becomes it);
- `gains`: escalations after which the actor acts with more (a policy, a group) or as a changed principal;
- `admins`: the administrators, as `admins.py` decides them.

A step of any kind counts as one hop. After a gain, the changed principal is decided again (by the evaluator)
for what the question asks: assuming the role, rewriting its trust policy (iam-012), being an administrator.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from service.escalation import load_catalogue
from service.evaluation.formula import disj
from service.reachability.admins import admins_of, is_admin
from service.reachability.decide import Target, access_from, decide
from service.reachability.escalation.checker import AccountChecker, Escalation
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access, NodeRef, Path, PathStep, both
from service.reachability.paths import assume_paths, identity_paths
from service.reachability.profiles import ASSUME_ROLE, Profile, Role
from service.reachability.snapshot import LoadIds
from service.reachability.who_can_assume import Assumers

UPDATE_TRUST = "iam:UpdateAssumeRolePolicy"


@dataclass
class EscalationGraph:
    escalations: list[Escalation] = field(default_factory=list)
    assumed_by: dict[str, Sequence[Access]] = field(default_factory=dict)
    admins: list[Access] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)
    _into: dict[str, list[Access]] | None = None
    _out: dict[str, list[tuple[NodeRef, Access]]] | None = None

    def into(self, arn: str) -> list[Access]:
        """The one-step ways to become `arn`: each an answer about the actor, with a path ending at `arn`."""
        if self._into is None:
            into: dict[str, list[Access]] = {}
            for escalation in self.escalations:
                if escalation.becomes is not None:
                    into.setdefault(escalation.becomes, []).append(escalation.access())
            self._into = into
        return [*self.assumed_by.get(arn, ()), *self._into.get(arn, ())]

    def out(self, arn: str) -> list[tuple[NodeRef, Access]]:
        """The one-step ways out of `arn`: what it reaches, with the answer about it (one path)."""
        if self._out is None:
            out: dict[str, list[tuple[NodeRef, Access]]] = {}
            for role_arn, assumers in self.assumed_by.items():
                role = self.profiles.get(role_arn)
                if role is None:
                    continue
                for access in assumers:
                    out.setdefault(access.principal.arn, []).append((role.ref, access))
            for escalation in self.escalations:
                out.setdefault(escalation.actor.arn, []).append((escalation.reached, escalation.access()))
            self._out = out
        return self._out.get(arn, [])

    @property
    def gains(self) -> list[Escalation]:
        return [e for e in self.escalations if e.after is not None]


_GRAPHS: weakref.WeakKeyDictionary[PrincipalIndex, tuple[LoadIds, EscalationGraph]] = weakref.WeakKeyDictionary()


async def escalation_graph(index: PrincipalIndex, assumers: Assumers) -> EscalationGraph:
    """The graph for the generation the question reads, worked out once per generation and index."""
    view = assumers.view
    loads = (await view.generation()).key
    held = _GRAPHS.get(index)
    if held is not None and held[0] == loads:
        return held[1]
    graph = EscalationGraph()
    techniques = load_catalogue().techniques
    entries = await view.entries(None)
    for account_id, entry in sorted(entries.items()):
        groups = await view.source.account_groups(account_id)
        view_entries = await view.entries([account_id])  # (the view's classes are for the entries read last)
        checker = AccountChecker(view, assumers, view_entries[account_id], groups, techniques)
        graph.escalations += await checker.check()
        graph.assumed_by.update(checker.assumed_by)
        graph.profiles.update(entry.profiles)
    graph.admins = admins_of(entries.values())
    _GRAPHS[index] = (loads, graph)
    return graph


# --- walking the graph backwards: who can become the goals ---------------------------------------------


@dataclass(order=True)
class _Queued:
    hops: int
    arn: str
    access: Access = field(compare=False)


def walk_back(
    graph: EscalationGraph,
    goals: Iterable[Access],
    max_hops: int,
    after_gain: Callable[[Escalation, Access], Access | None] | None = None,
    seeds: Iterable[Access] = (),
) -> list[Access]:
    """The principals that reach a goal within `max_hops` steps of any kind, each with its shortest path
    (ending at the goal's path), in (hops, ARN) order. `seeds` are found already (at their hops);
    `after_gain(gain, goal)` decides whether the actor, changed by the gain, reaches the goal in one more
    step (None: it does not). The goals themselves are not in the answer."""
    found: dict[str, Access] = {}
    settled = {goal.principal.arn for goal in goals}
    queue: list[_Queued] = [_Queued(seed.hops, seed.principal.arn, seed) for seed in seeds if seed.hops <= max_hops]
    heapq.heapify(queue)
    gains = graph.gains if after_gain is not None else []

    def reach(reached: Access, hops_then: int) -> None:
        prefix: Path = reached.paths[0] if len(reached.paths) else ()
        for step in graph.into(reached.principal.arn):
            if (hops := hops_then + 1) <= max_hops:
                heapq.heappush(queue, _Queued(hops, step.principal.arn, step.via(prefix, reached.condition, hops)))
        if (hops := hops_then + 2) > max_hops:
            return
        for gain in gains:
            assert after_gain is not None
            if (then := after_gain(gain, reached)) is not None:
                path = (gain.step, *(then.paths[0] if len(then.paths) else ()))
                access = Access(gain.actor, both(gain.condition, then.condition), (path,), gain.notes, hops)
                heapq.heappush(queue, _Queued(hops, gain.actor.arn, access.via(prefix, reached.condition, hops)))

    for goal in goals:
        reach(goal, goal.hops)
    while queue:
        item = heapq.heappop(queue)
        if item.arn in found or item.arn in settled:
            continue
        found[item.arn] = item.access
        if item.access.principal.kind in ("role", "user"):
            reach(item.access, item.hops)
    return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))


def decide_after_gain(
    decide_changed: Callable[[Profile], Access | None], goal_arn: str
) -> Callable[[Escalation, Access], Access | None]:
    """`after_gain` for one goal: the changed principal decided by `decide_changed`."""

    def decided(gain: Escalation, goal: Access) -> Access | None:
        if goal.principal.arn != goal_arn or gain.after is None:
            return None
        return decide_changed(gain.after)

    return decided


def assume_changed(role: Role) -> Callable[[Profile], Access | None]:
    """Whether a changed principal may assume `role`, or else rewrite its trust policy (iam-012)."""

    def decided(changed: Profile) -> Access | None:
        decision = decide(changed, ASSUME_ROLE, Target.role(role))
        if (access := access_from(changed, decision)) is not None:
            paths = assume_paths(
                changed.ref, identity_paths(changed, decision), role.ref, role.trust_document, decision
            )
            return replace(access, paths=paths[:1])
        if role.account_id == changed.account_id:
            target = Target(role.arn, role.account_id, role.org, None, "generic")
            decision = decide(changed, UPDATE_TRUST, target)
            if (access := access_from(changed, decision)) is not None:
                via = f"iam-012: {UPDATE_TRUST} on {role.arn}"
                step = PathStep(changed.ref, role.ref, "escalates", via, None, "iam-012")
                return replace(access, paths=((step,),))
        return None

    return decided


def gains_to_admin(graph: EscalationGraph, admins: frozenset[str]) -> list[Access]:
    """The actors (not administrators already) that one gain makes administrators, or that become a
    principal the gain made one: one step."""
    found: dict[str, Access] = {}
    for gain in graph.gains:
        assert gain.after is not None
        if gain.actor.arn in admins or gain.actor.arn in found:
            continue
        admin = is_admin(gain.after)
        if admin is None:
            continue
        notes = (*gain.notes, *admin.notes)
        found[gain.actor.arn] = Access(gain.actor, both(gain.condition, admin.condition), ((gain.step,),), notes, 1)
    return list(found.values())


def walk_forward(graph: EscalationGraph, start: str, max_hops: int) -> list[Access]:
    """Everything `start` can become or gain within `max_hops` steps, at its fewest hops, with every way to
    reach it in that many (one path each: another technique, or an assumption, may reach the same role);
    its condition is that at least one of them holds."""
    found: dict[str, Access] = {}
    frontier: list[tuple[str, Path, Access | None]] = [(start, (), None)]
    for hop in range(1, max_hops + 1):
        next_frontier: list[tuple[str, Path, Access | None]] = []
        this_hop: dict[str, Access] = {}
        for arn, prefix, before in frontier:
            for reached, step in graph.out(arn):
                if reached.arn == start or reached.arn in found:
                    continue
                path = prefix + (step.paths[0] if len(step.paths) else ())
                condition = both(before.condition if before else None, step.condition)
                notes = tuple(dict.fromkeys((*(before.notes if before else ()), *step.notes)))
                had = this_hop.get(reached.arn)
                if had is None:
                    this_hop[reached.arn] = Access(reached, condition, (path,), notes, hop)
                    if reached.kind in ("role", "user"):
                        next_frontier.append((reached.arn, path, this_hop[reached.arn]))
                elif path not in had.paths:
                    either = None if had.condition is None or condition is None else disj([had.condition, condition])
                    merged_notes = tuple(dict.fromkeys((*had.notes, *notes)))
                    this_hop[reached.arn] = Access(
                        reached, either if not isinstance(either, bool) else None, (*had.paths, path), merged_notes, hop
                    )
        found.update(this_hop)
        frontier = next_frontier
    for gain in graph.gains:
        gained = found.get(gain.reached.arn)
        if gain.actor.arn == start and gained is not None and gain.after is not None and is_admin(gain.after):
            found[gain.reached.arn] = replace(gained, notes=(*gained.notes, "then an administrator of its account"))
    return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))
