"""Pairs, not roles: for every role whose answer can differ, decide only the principals whose 2-hop
whoCanAssume answer can differ, each the way `Assumers.chains` would (the rule, and why it is enough, in
docs/history.md: "Which principals are decided").

A role's 2-hop answer is made of direct answers alone: a principal's is its direct answer when it assumes the
role directly; else its direct answer for the first role (ARN order) among the role's direct assumers that it
assumes, through that role (`Access.via`). So it can differ only where a direct answer it is made of differs,
and those are worked out from the two worlds' direct answers, each made once per world and shared by every role
(the same `Assumers` that `who_can_assume` asks, so hops and conditions are the ones it gives).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from service.evaluation.formula import Condition
from service.history.source import FactSource
from service.reachability.model import Access
from service.reachability.profiles import Entry, Profile
from service.reachability.who_can_assume import Assumers, DirectAssumers, Members

HOPS = 2  # (the chains below are the second hop: `Pairs` answers exactly 2 hops)


def own_side_changed(old: FactSource, new: FactSource) -> set[str]:
    """The roles whose own side differs: in one world only, another trust policy, or their own account at
    another place (or under other SCPs/RCPs) in its organization. No decision class of theirs is taken as
    decided alike (`Pairs.differing`)."""
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


@dataclass(frozen=True, slots=True)
class _Listed:
    """One list of a decision class's members (a signature class's, shared by every role whose classes hold it
    whole), read once per world: who is in it, and its roles in ARN order."""

    entries: list[Entry]  # (kept alive: lists are known by their id)
    arns: frozenset[str]
    roles: tuple[Entry, ...]

    @classmethod
    def of(cls, entries: list[Entry]) -> _Listed:
        return cls(entries, frozenset(e.arn for e in entries), tuple(e for e in entries if e.profile.kind == "role"))


class _Direct:
    """A role's direct answer in one world (`Assumers.direct_parts`), read as `Assumers.chains` reads the
    answer `Assumers.direct` makes of it, making only the answers read: who may be in it (`principals`; those
    admitted through each decision class, `classes`), a principal's answer as the first hop keeps it (`direct`:
    the last of equal ARNs) and as a second hop takes it (`second_hop`: the first), and its roles in ARN order
    (the first hops of the chains)."""

    def __init__(
        self,
        parts: DirectAssumers | None,
        listed: Callable[[list[Entry]], _Listed],
        profiles: Mapping[str, Profile],
        lists_of: Mapping[str, list[int]],
    ) -> None:
        self._profiles = profiles
        self._lists_of = lists_of
        self.ready: dict[str, list[Access]] = {}
        for access in [] if parts is None else parts.ready:
            self.ready.setdefault(access.principal.arn, []).append(access)
        self.pending: list[Members] = [] if parts is None else parts.pending
        self._lists: list[list[_Listed]] = []
        # (which of its decision classes hold each list of members, by the list's id: see `_places`)
        self._numbers: dict[int, list[int]] = {}
        for number, members in enumerate(self.pending):
            lists = members.lists()
            self._lists.append([listed(entries) for entries in lists])
            for entries in lists:
                self._numbers.setdefault(id(entries), []).append(number)
        self.classes = [
            lists[0].arns if len(lists) == 1 else frozenset().union(*(one.arns for one in lists))
            for lists in self._lists
        ]
        self.admitted: set[str] = set().union(*self.classes)
        # (A principal in two classes, or named too, is read in `merged`'s order: see `_in_order`.)
        self.overlapping = sum(map(len, self.classes)) != len(self.admitted)
        self.principals = self.admitted | self.ready.keys()
        self._made: dict[tuple[int, str], Access | None] = {}
        self.roles = self._roles()
        self.role_arns = {arn for arn, *_ in self.roles}

    def twice(self) -> set[str]:
        """The principals admitted through more than one decision class."""
        seen: set[str] = set()
        found: set[str] = set()
        for members in self.classes:
            found |= seen & members
            seen |= members
        return found

    def _places(self, arn: str) -> list[tuple[int, Profile]]:
        """The decision classes holding `arn`, in order, each with its profile: those holding a list of
        members that holds it (`lists_of`: the world's lists holding each principal), not a scan of the
        classes (a role trusting an organization has thousands, asked for tens of thousands of principals)."""
        # (A principal is one profile in every list of the world: `_WorldAnswers.profiles`.)
        profile = self._profiles[arn]
        numbers = self._numbers
        held = {number for entries in self._lists_of.get(arn, ()) for number in numbers.get(entries, ())}
        return [(number, profile) for number in sorted(held)]

    def _answer(self, number: int, profile: Profile) -> Access | None:
        key = (number, profile.arn)
        if key not in self._made:
            self._made[key] = self.pending[number].answers.answer(profile)
        return self._made[key]

    def _in_order(self, arn: str) -> list[Access]:
        # `merged`'s order among equal ARNs: the ready ones as listed, then by decision class.
        made = [self._answer(number, profile) for number, profile in self._places(arn)] if arn in self.admitted else []
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
            (arn, number, position, profile)
            for number, lists in enumerate(self._lists)
            for position, (arn, profile) in enumerate(entry for one in lists for entry in one.roles)
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
        self._listed: dict[int, _Listed] = {}
        self.profiles: dict[str, Profile] = {}  # (every principal of the lists read, by ARN)
        self.lists_of: dict[str, list[int]] = {}  # (the ids of the lists read that hold each principal)

    async def direct(self, role: str) -> _Direct:
        found = self._direct.get(role)
        if found is None:
            parts = await self.assumers.direct_parts(role)
            found = self._direct[role] = _Direct(parts, self.listed, self.profiles, self.lists_of)
        return found

    def listed(self, entries: list[Entry]) -> _Listed:
        found = self._listed.get(id(entries))
        if found is None:
            found = self._listed[id(entries)] = _Listed.of(entries)
            self.profiles.update(entries)
            for arn in found.arns:
                self.lists_of.setdefault(arn, []).append(id(entries))
        return found

    async def chains(self, role: str) -> _Chains:
        """The role's direct answer and its first hops', to decide its candidates with."""
        direct = await self.direct(role)
        return _Chains(role, direct, [(await self.direct(first), made) for first, made in direct.first_hops()])


@dataclass(frozen=True, slots=True)
class _Chains:
    """A role's direct answer (`direct`) and, in ARN order, each role in it with its own direct answer and
    how to make the role's answer (`first_hops`)."""

    role: str
    direct: _Direct
    first_hops: list[tuple[_Direct, Callable[[], Access | None]]]

    def answers(self, principals: Iterable[str]) -> dict[str, Access | None]:
        """The principals' 2-hop answers for the role, as `Assumers.chains` makes them: a principal's direct
        answer, else through the first of the first hops (ARN order) that it assumes and that assumes the
        role. The first hops are read in order once for all the principals (each a set intersection), not
        once per principal."""
        found: dict[str, Access | None] = {}
        rest: set[str] = set()
        for principal in principals:
            direct = self.direct.direct(principal)
            if direct is not None or principal == self.role:
                found[principal] = direct
            else:
                rest.add(principal)
        for second, made in self.first_hops:
            if not rest:
                break
            reached: Access | None = None
            for principal in rest & second.principals:
                if (assumer := second.second_hop(principal)) is None:
                    continue
                if reached is None:
                    reached = made()
                    if reached is None:
                        break  # (the role's answer holds no way into this first hop: nobody goes through it)
                prefix = reached.paths[0] if reached.paths else ()
                found[principal] = assumer.via(prefix, reached.condition, HOPS)
                rest.discard(principal)
        return found | dict.fromkeys(rest)


class Pairs:
    """The principals whose 2-hop answer for a role can differ between the worlds, decided in both.

    `changed`: the principals whose own side may decide a trust otherwise (changed principals, and those of an
    account whose place in its organization changed)."""

    def __init__(self, old: Assumers, new: Assumers, changed: set[str], own_side_changed: set[str]) -> None:
        self.old, self.new = _WorldAnswers(old), _WorldAnswers(new)
        self.changed = changed
        # (A member's answer is relabelled in the role's trust policy too: a class of a role whose own side
        # changed is never taken as decided alike, its members are compared one by one.)
        self.own_side_changed = own_side_changed
        self._differing: dict[str, set[str]] = {}
        self._same: dict[tuple[int, int], bool] = {}

    async def compared(self, role: str) -> list[Pair]:
        """Every pair candidate of `role` (in ARN order) with its answer in each world."""
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
        was_answers = (await self.old.chains(role)).answers(candidates)
        now_answers = (await self.new.chains(role)).answers(candidates)
        for principal in sorted(candidates):
            before, after = was_answers[principal], now_answers[principal]
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
            found |= was.admitted ^ now.admitted
            compare = (was.twice() if was.overlapping else set()) | (now.twice() if now.overlapping else set())
            for old_class, old_members in zip(was.pending, was.classes, strict=True):
                for new_class, new_members in zip(now.pending, now.classes, strict=True):
                    if old_members.isdisjoint(new_members):
                        continue
                    if role not in self.own_side_changed and self._same_class(old_class, new_class):
                        compare |= {p for p in self.changed if p in old_members and p in new_members}
                    else:
                        compare |= old_members & new_members
            found |= {p for p in compare - found if _shown(was, p) != _shown(now, p)}
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
