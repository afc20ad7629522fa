"""The escalations into one principal before they are made: who the actors are, and how to make each one's
escalation. A walk reads who (most of them are never shown) and makes the few it keeps; the actors allowed a
technique on a target are the same mapping for every target of the same target classes (targets.py), so a
walk that pushed them once, at some hop, has nothing left to do with them at a later target."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from service.evaluation.wildcards import resource_matches
from service.reachability.escalation.steps import Escalation, Grant
from service.reachability.model import Access


@dataclass(frozen=True, slots=True)
class Allowed:
    """The actors allowed every required action of a technique under one binding (in ARN order), and who
    may do each action (`allowed`, in the technique's order, each answer made when read); `parts` is each
    action with the resource it is bound to. `actors` is kept per target class of every action: shared by
    every target of those classes."""

    parts: tuple[tuple[str, str], ...]
    actors: Mapping[str, object]
    allowed: tuple[Mapping[str, Access], ...]

    def grants(self, actor: str) -> list[Grant]:
        return [
            Grant(action, resource, allowed[actor])
            for (action, resource), allowed in zip(self.parts, self.allowed, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class Ways:
    """Escalations by one technique under one binding: the actors in order, and `make(actor)` the
    escalation (None: that actor does not escalate so, being the target itself or failing a check made
    actor by actor). Every actor is one `make` would answer for, except the target itself."""

    actors: Mapping[str, object]
    make: Callable[[str], Escalation | None]

    def access(self, actor: str) -> Access | None:
        """The actor's escalation as an answer about it (`Escalation.access`)."""
        escalation = self.make(actor)
        return None if escalation is None else escalation.access()

    def made(self) -> list[Escalation]:
        return [escalation for actor in self.actors if (escalation := self.make(actor)) is not None]


class Wanted:
    """The principals a walk may still find at its next hop (`arns`: over one question it only ever
    shrinks), and what was found to hold none of them (`dead`, keyed by account and what the principals are:
    a technique's possible actors, the candidates for sts:AssumeRole, the holders of a Resource pattern, a
    signature class, the account's members): that stays so for the rest of the question.
    `seen(arn)`: whether a principal outside `arns` (no loaded user or role: a service, a federated provider,
    a principal of an account not loaded) is found already.

    `any_of(account)`: whether one of the account's principals is still wanted (a technique's actor is of
    its target's account, and a role admits through an account only that account's principals: an account
    with none left is not looked at for either).

    `meets` keeps, per key, a cursor into the principals the key stands for: those before it are wanted no
    more, and since `arns` only shrinks they never are again, so a key's principals are each looked at once
    over the question (a walk with nothing but its last hop restricted asks the same keys tens of thousands
    of times, of some 70,000 wanted principals)."""

    __slots__ = ("_accounts", "_cursors", "_live", "_patterns", "arns", "dead", "members", "seen")

    def __init__(self, members: Callable[[str], AbstractSet[str] | None] = lambda _: None) -> None:
        self.arns: set[str] = set()
        self.members = members
        self.dead: set[tuple[str, str]] = set()
        self.seen: Callable[[str], bool] = _never
        self._cursors: dict[tuple[str, str], list[Any]] = {}
        # `any_of`'s keys and cursors, by account (None: an account the walk cannot list)
        self._accounts: dict[str, tuple[tuple[str, str], list[Any]] | None] = {}
        self._live: list[str] | None = None
        # `holds`' patterns with their keys, by account, action and the resource's account (`held` is the same
        # for an account and action over a question: `AccountChecker.resource_holders`)
        self._patterns: dict[tuple[str, str, str], list[tuple[tuple[str, str], str, frozenset[str]]]] = {}

    def any_of(self, account: str | None) -> bool:
        """Whether a principal of `account` is still wanted (`members(account)`: its users and roles; None,
        an account the walk cannot list, may hold one). The key `(account, "members")` of `meets`, with its
        key and cursor kept by account (a walk of every account asks it some 70,000 times)."""
        if account is None:
            return True
        if account not in self._accounts:
            members = self.members(account)
            key = (account, "members")
            self._accounts[account] = None if members is None else (key, self._cursor(key, members))
        held = self._accounts[account]
        return held is None or self._advance(*held)

    def live(self, accounts: Iterable[str]) -> list[str]:
        """Those of `accounts` (the same each time) that may hold a principal still wanted (`any_of`): once
        not, never again, so each call looks only at those the one before kept."""
        if self._live is None:
            self._live = list(accounts)
        self._live = [account for account in self._live if self.any_of(account)]
        return self._live

    def meets(self, key: tuple[str, str], arns: AbstractSet[str]) -> bool:
        """Whether `arns` (the principals `key` stands for: the same set each time) hold one still wanted;
        once not, never again."""
        return self._advance(key, self._cursor(key, arns))

    def _cursor(self, key: tuple[str, str], arns: AbstractSet[str]) -> list[Any]:
        held = self._cursors.get(key)
        if held is None:
            held = self._cursors[key] = [tuple(arns), 0]
        return held

    def _advance(self, key: tuple[str, str], cursor: list[Any]) -> bool:
        """Move `key`'s cursor past the principals wanted no more: whether one is left (else `key` is dead)."""
        if key in self.dead:
            return False
        members, at = cursor
        wanted, end = self.arns, len(members)
        while at < end and members[at] not in wanted:
            at += 1
        cursor[1] = at
        if at == end:
            self.dead.add(key)
            return False
        return True

    def holds(
        self,
        account: str,
        action_lower: str,
        held: Mapping[str, Sequence[tuple[str, frozenset[str]]]],
        resource: str,
        resource_account: str,
    ) -> bool:
        """Whether a principal of `account` still wanted holds an Allow about the action whose Resource may
        match `resource` (of `resource_account`): `held` is `AccountChecker.resource_holders(action)`. A
        pattern none of whose holders is wanted is dead for the rest of the question, as a key of `meets`."""
        patterns = self._patterns.get((account, action_lower, resource_account))
        if patterns is None:
            patterns = self._patterns[(account, action_lower, resource_account)] = [
                ((account, f"{action_lower} Resource {pattern}"), pattern, arns)
                for pattern, arns in (*held.get(resource_account, ()), *held.get("*", ()))
            ]
        dead = self.dead
        for key, pattern, arns in patterns:
            if key not in dead and self.meets(key, arns) and resource_matches(pattern, resource):
                return True
        return False


def _never(arn: str) -> bool:
    return False
