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

from dataclasses import dataclass

from service.evaluation.formula import Condition
from service.history.source import FactSource
from service.reachability.model import Access
from service.reachability.profiles import Profile
from service.reachability.who_can_assume import Assumers, DirectAssumers

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

    def pending(self, arn: str) -> bool:
        """Whether the principal may be admitted through a decision class (not named, nor outside the loaded
        data)."""
        return arn in self._members

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

    def _roles(self) -> tuple[Access, ...]:
        order: list[tuple[str, int, int, Access]] = [
            (access.principal.arn, -1, n, access)
            for n, access in enumerate(a for listed in self.ready.values() for a in listed)
            if access.principal.kind == "role"
        ]
        for arn, places in self._members.items():
            for number, profile in places:
                if profile.kind == "role" and (access := self._answer(number, profile)) is not None:
                    order.append((arn, number, 0, access))
        return tuple(access for *_, access in sorted(order, key=lambda o: o[:3]))


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
        for reached in direct.roles:
            assumer = (await self.direct(reached.principal.arn)).second_hop(principal)
            if assumer is not None:
                prefix = reached.paths[0] if reached.paths else ()
                return assumer.via(prefix, reached.condition, HOPS)
        return None


class Pairs:
    """The principals whose 2-hop answer for a role can differ between the worlds, decided in both."""

    def __init__(self, old: Assumers, new: Assumers) -> None:
        self.old, self.new = _WorldAnswers(old), _WorldAnswers(new)
        self._differing: dict[str, set[str]] = {}

    async def compared(self, role: str) -> list[Pair]:
        """Every candidate of `role` (in ARN order) with its answer in each world. A role whose own side
        differs (`own_side_changed`) is not for this: its answer is compared whole."""
        was, now = await self.old.direct(role), await self.new.direct(role)
        candidates = set(await self._differing_direct(role))
        first_was = {(a.principal.arn, a.condition) for a in was.roles}
        first_now = {(a.principal.arn, a.condition) for a in now.roles}
        moved = {arn for arn, _ in first_was ^ first_now}
        for first in sorted(moved):
            candidates |= (await self.old.direct(first)).principals | (await self.new.direct(first)).principals
        for first in sorted({arn for arn, _ in first_was & first_now} - moved):
            candidates |= await self._differing_direct(first)
        pairs = []
        for principal in sorted(candidates):
            before = await self.old.answer(role, was, principal)
            after = await self.new.answer(role, now, principal)
            if before is not None or after is not None:
                pairs.append(Pair(principal, before, after))
        return pairs

    async def _differing_direct(self, role: str) -> set[str]:
        """The principals whose direct answers for `role` differ between the worlds, as a first hop keeps one
        (`_Direct.direct`) or a second hop takes it (`_Direct.second_hop`)."""
        found = self._differing.get(role)
        if found is None:
            was, now = await self.old.direct(role), await self.new.direct(role)
            found = self._differing[role] = {
                p for p in was.principals | now.principals if _shown(was, p) != _shown(now, p)
            }
        return found


def _shown(direct: _Direct, principal: str) -> tuple[tuple[int, Condition | None] | None, ...]:
    """What of a principal's direct answers a 2-hop answer shows (hops and condition), as either hop reads it."""
    return tuple(None if a is None else (a.hops, a.condition) for a in (direct.direct(principal),
                                                                       direct.second_hop(principal)))
