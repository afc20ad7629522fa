"""Pairs, not roles: for a role whose own side is the same in both worlds, decide only the principals whose
2-hop whoCanAssume answer can differ, each the way `Assumers.chains` would (the rule, and why it is enough, in
docs/history.md: "Which principals are decided").

A role's 2-hop answer is made of direct answers alone: a principal's is its direct answer when it assumes the
role directly; else its direct answer for the first role (ARN order) among the role's direct assumers that it
assumes, through that role (`Access.via`). So it can differ only where a direct answer it is made of differs,
and those are worked out from the two worlds' direct answers, each made once per world and shared by every role
(the same `Assumers` that `who_can_assume` asks, so hops and conditions are the ones it gives).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from service.evaluation.formula import Condition
from service.history.source import FactSource
from service.reachability.model import Access
from service.reachability.profiles import Profile
from service.reachability.who_can_assume import Assumers, DirectAssumers, Members

HOPS = 2  # (the chains below are the second hop: `Pairs` answers exactly 2 hops)


def own_side_changed(old: FactSource, new: FactSource) -> set[str]:
    """The roles whose own side differs: in one world only, another trust policy, or their own account at
    another place (or under other SCPs/RCPs) in its organization. Their answers are compared whole."""
    changed = set()
    for role in {*old.trust, *new.trust}:
        own = old.account_of.get(role) or new.account_of.get(role)
        if old.trust.get(role) != new.trust.get(role) or (
            own is not None and old.levels.get(own) != new.levels.get(own)
        ):
            changed.add(role)
    return changed


@dataclass(frozen=True, slots=True)
class Pair:
    """One principal's 2-hop answer for a role in each world (None: it cannot assume the role there)."""

    principal: str
    before: Access | None
    after: Access | None


class _Direct:
    """A role's direct answer in one world (`Assumers.direct_parts`), read as `Assumers.chains` reads the
    answer `Assumers.direct` makes of it, making only the answers read: who may be in it (`principals`), a
    principal's answer as the first hop keeps it (`direct`: the last of equal ARNs) and as a second hop takes
    it (`second_hop`: the first), and its roles in ARN order (the first hops of the chains)."""

    def __init__(self, parts: DirectAssumers | None) -> None:
        self.ready: dict[str, list[Access]] = {}
        self._pending = [] if parts is None else parts.pending
        self._members: dict[str, list[tuple[int, Profile]]] = {}
        self._made: dict[tuple[int, str], Access | None] = {}
        for access in [] if parts is None else parts.ready:
            self.ready.setdefault(access.principal.arn, []).append(access)
        for number, members in enumerate(self._pending):
            for arn, profile in members.entries():
                self._members.setdefault(arn, []).append((number, profile))
        self.principals = {*self.ready, *self._members}
        self.roles = self._roles()
        self.role_arns = {arn for arn, *_ in self.roles}

    def classes(self, arn: str) -> list[Members]:
        """The decision classes that may admit the principal (not named, nor outside the loaded data)."""
        return [self._pending[number] for number, _ in self._members.get(arn, ())]

    def pending(self) -> set[str]:
        return set(self._members)

    def _answer(self, number: int, profile: Profile) -> Access | None:
        key = (number, profile.arn)
        if key not in self._made:
            self._made[key] = self._pending[number].answers.answer(profile)
        return self._made[key]

    def _in_order(self, arn: str) -> list[Access]:
        # `merged`'s order among equal ARNs: the ready ones as listed, then by decision class.
        made = [self._answer(number, profile) for number, profile in self._members.get(arn, ())]
        return [*self.ready.get(arn, ()), *(access for access in made if access is not None)]

    def direct(self, arn: str) -> Access | None:
        found = self._in_order(arn) if arn in self.principals else []
        return found[-1] if found else None

    def second_hop(self, arn: str) -> Access | None:
        found = self._in_order(arn) if arn in self.principals else []
        return found[0] if found else None

    def _roles(self) -> list[tuple[str, int, Access | Profile]]:
        # (In `merged`'s order: ARN, then the ready ones as listed, then by decision class. Made as read.)
        order: list[tuple[str, int, int, Access | Profile]] = [
            (access.principal.arn, -1, n, access)
            for n, access in enumerate(a for listed in self.ready.values() for a in listed)
            if access.principal.kind == "role"
        ]
        order += [
            (arn, number, 0, profile)
            for arn, places in self._members.items() for number, profile in places if profile.kind == "role"
        ]
        order.sort(key=lambda o: o[:3])
        return [(arn, number, made) for arn, number, _, made in order]

    def first_hops(self) -> Iterator[tuple[str, Callable[[], Access | None]]]:
        """Its roles in ARN order, each with how to make its answer (None: it does not assume the role)."""
        for arn, number, made in self.roles:
            if isinstance(made, Access):
                yield arn, partial(_given, made)
            else:
                yield arn, partial(self._answer, number, made)


def _given(access: Access) -> Access:
    return access


class _WorldAnswers:
    """One world's direct answers, made once and shared by every role asked."""

    def __init__(self, assumers: Assumers) -> None:
        self.assumers = assumers
        self._direct: dict[str, _Direct] = {}

    async def direct(self, role: str) -> _Direct:
        found = self._direct.get(role)
        if found is None:
            found = self._direct[role] = _Direct(await self.assumers.direct_parts(role))
        return found

    async def answer(self, role: str, direct: _Direct, principal: str) -> Access | None:
        """The principal's 2-hop answer for `role` (whose direct answer is `direct`), as `chains` makes it."""
        found = direct.direct(principal)
        if found is not None or principal == role:
            return found
        for first, made in direct.first_hops():
            second = await self.direct(first)
            if principal in second.principals and (assumer := second.second_hop(principal)) is not None:
                reached = made()
                if reached is not None:
                    prefix = reached.paths[0] if reached.paths else ()
                    return assumer.via(prefix, reached.condition, HOPS)
        return None


class Pairs:
    """The principals whose 2-hop answer for a role can differ between the worlds, decided in both.

    `changed`: the principals whose own side may decide a trust otherwise (changed principals, and those of an
    account whose place in its organization changed)."""

    def __init__(self, old: Assumers, new: Assumers, changed: set[str]) -> None:
        self.old, self.new = _WorldAnswers(old), _WorldAnswers(new)
        self.changed = changed
        self._differing: dict[str, set[str]] = {}
        self._same: dict[tuple[int, int], bool] = {}

    async def compared(self, role: str) -> list[Pair]:
        """Every candidate of `role` (in ARN order) with its answer in each world. A role whose own side
        differs (`own_side_changed`) is not for this: its answer is compared whole."""
        was, now = await self.old.direct(role), await self.new.direct(role)
        candidates = set(await self.differing(role))
        # First hops that came, went or may have changed: any of their assumers; the others': those whose
        # answer for them may have changed.
        moved = (was.role_arns ^ now.role_arns) | (candidates & (was.role_arns | now.role_arns))
        for first in sorted(moved):
            candidates |= (await self.old.direct(first)).principals | (await self.new.direct(first)).principals
        for first in sorted((was.role_arns & now.role_arns) - moved):
            candidates |= await self.differing(first)
        pairs = []
        for principal in sorted(candidates):
            before = await self.old.answer(role, was, principal)
            after = await self.new.answer(role, now, principal)
            if before is not None or after is not None:
                pairs.append(Pair(principal, before, after))
        return pairs

    async def differing(self, role: str) -> set[str]:
        """The principals whose direct answers for `role` may differ between the worlds, as a first hop keeps
        one (`_Direct.direct`) or a second hop takes it (`_Direct.second_hop`): a superset (each candidate is
        decided), made without making the answers of the members of a decision class that decides alike in
        both worlds (`_same_class`)."""
        found = self._differing.get(role)
        if found is None:
            was, now = await self.old.direct(role), await self.new.direct(role)
            found = {p for p in {*was.ready, *now.ready} if _shown(was, p) != _shown(now, p)}
            for p in was.pending() | now.pending():
                if p in found:
                    continue
                old_classes, new_classes = was.classes(p), now.classes(p)
                if (
                    p in self.changed or len(old_classes) != 1 or len(new_classes) != 1
                    or not self._same_class(old_classes[0], new_classes[0])
                ) and _shown(was, p) != _shown(now, p):
                    found.add(p)
            self._differing[role] = found
        return found

    def _same_class(self, was: Members, now: Members) -> bool:
        """Whether the two worlds' decision classes answer every member nothing of which changed alike: each
        decided for the same unchanged principal, alike. (A member's answer is the class's decision relabelled
        from that principal to the member: `ClassAnswers.answer`.)"""
        key = (id(was), id(now))
        found = self._same.get(key)
        if found is None:
            a, b = was.answers, now.answers
            representative = a.representative.profile.arn
            found = self._same[key] = (
                was.unknown_only == now.unknown_only
                and representative == b.representative.profile.arn
                and representative not in self.changed
                and (a.decision.decision, a.decision.condition) == (b.decision.decision, b.decision.condition)
            )
        return found


def _shown(direct: _Direct, principal: str) -> tuple[tuple[int, Condition | None] | None, ...]:
    """What of a principal's direct answers a 2-hop answer shows (hops and condition), as either hop reads it."""
    return tuple(None if a is None else (a.hops, a.condition) for a in (direct.direct(principal),
                                                                       direct.second_hop(principal)))
