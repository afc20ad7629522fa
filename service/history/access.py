"""Access that changed between two `World`s: for every role whose answer can have changed, who gained or lost
the ability to assume it, directly or through a chain of up to `HOPS` roles.

Each side is answered by the reachability layer itself, over a `FactSource` of that world, so a past answer is
what whoCanAssume said then. Only the roles whose answer can have changed are asked (`affected_roles`; the
rule and why it is enough are in docs/history.md).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from service.history.facts import FactSet
from service.history.pairs import Pair, Pairs, own_side_changed
from service.history.source import FactSource, statements_of
from service.history.store import World
from service.reachability import Reachability
from service.reachability.handback import HandBack
from service.reachability.model import Access

AccessChangeKind = Literal["gained", "lost", "changed"]
# Told (roles decided, roles to decide) as the access part goes: before each role and once at the end.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class AccessChange:
    """`principal` gained or lost the ability to assume `role` (hops: 1 direct, 2 through one role), or
    kept it with another number of hops or other conditions (`changed`)."""

    role: str
    principal: str
    principal_kind: str
    change: AccessChangeKind
    hops_before: int | None
    hops_after: int | None
    conditions_before: str | None
    conditions_after: str | None


@dataclass(frozen=True, slots=True)
class AdminChange:
    """Who became or stopped being an admin. Filled by the escalation checker (#13) through `admin_changes`."""

    principal: str
    change: Literal["became", "stopped"]


async def admin_changes(before: FactSource, after: FactSource, account_ids: Sequence[str] | None) -> list[AdminChange]:
    """Who became or stopped being an administrator of its account (#13's definition, without escalation:
    docs/escalation-questions.md), each world answering `admins` as the live graph does (both are
    GraphSources). A conditional administrator counts as one, as `admins` lists it."""
    accounts = sorted({*before.world.accounts, *after.world.accounts} if account_ids is None else set(account_ids))
    was: set[str] = set()
    now: set[str] = set()
    hand_back = HandBack()  # (see `access_changes`)
    for account in accounts:
        await hand_back()
        if account in before.world.accounts:
            was |= {a.principal.arn for a in await Reachability(before).admins(account, escalation=False)}
        if account in after.world.accounts:
            now |= {a.principal.arn for a in await Reachability(after).admins(account, escalation=False)}
    return [AdminChange(arn, "became") for arn in sorted(now - was)] + [
        AdminChange(arn, "stopped") for arn in sorted(was - now)
    ]


def _identity(body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """What a principal's own permissions depend on: all of it but a role's trust policy (which decides who
    assumes the role, not what the role may do)."""
    return None if body is None else {k: v for k, v in body.items() if k != "trustPolicy"}


def _entity_changes(old: FactSet, new: FactSet, kinds: Iterable[str]) -> set[str]:
    changed = set()
    for kind in kinds:
        a, b = old.of_kind(kind), new.of_kind(kind)
        changed |= {key for key in {*a, *b} if _identity(a.get(key)) != _identity(b.get(key))}
    return changed


class _Change:
    """What differs between the worlds, as reachability depends on it."""

    def __init__(self, before: World, after: World, old: FactSource, new: FactSource) -> None:
        ids = {*before.accounts, *after.accounts}
        empty = {i: FactSet.empty("account", i) for i in ids}
        policies: set[str] = set()
        principals: set[str] = set()
        groups: set[str] = set()
        for i in ids:
            a, b = before.accounts.get(i, empty[i]), after.accounts.get(i, empty[i])
            policies |= _entity_changes(a, b, ("policy",))
            principals |= _entity_changes(a, b, ("user", "role"))
            groups |= _entity_changes(a, b, ("group",))
        changed_groups = groups | {
            g for i in ids for src in (before.accounts.get(i, empty[i]), after.accounts.get(i, empty[i]))
            for g, body in src.of_kind("group").items() if set(body.get("policies") or ()) & policies
        }
        for i in ids:
            for src in (before.accounts.get(i, empty[i]), after.accounts.get(i, empty[i])):
                for kind in ("user", "role"):
                    for arn, body in src.of_kind(kind).items():
                        uses = {*(body.get("policies") or ()), *([body["boundary"]] if body.get("boundary") else [])}
                        if uses & policies or set(body.get("groups") or ()) & changed_groups:
                            principals.add(arn)
        self.capable = _Capable(old), _Capable(new)
        # A principal whose fact changed only where sts:AssumeRole cannot look (a statement about other
        # actions, a group granting none) decides every role's trust as before: it is no change here.
        self.principals = {p for p in principals if self.capable[0].decides(p) != self.capable[1].decides(p)}
        # Through its account, a trust admits a principal only if its own policies may allow sts:AssumeRole
        # (anyone, `*`, is the other way in, see `affected_roles`): an account matters when it holds a changed
        # principal that may, in either world, or when the account itself changed.
        self.accounts = {
            old.account_of.get(p) or new.account_of.get(p) for p in self.principals if self.may_assume(p)
        } - {None}
        self.accounts |= {i for i in ids if (i in before.accounts) != (i in after.accounts)}
        self.accounts |= {
            a for a in {*old.levels, *new.levels} if old.levels.get(a) != new.levels.get(a)
        }
        self.anything = bool(self.principals or self.accounts)

    def may_assume(self, arn: str) -> bool:
        """Whether the principal's own policies may allow sts:AssumeRole in either world."""
        return any(capable(arn) for capable in self.capable)


_ASSUME = "sts:assumerole"


class _Capable:
    """Which principals of a world hold a policy that may allow sts:AssumeRole: an Allow whose Action matches
    it, or whose NotAction does not; a policy whose document is not loaded may (an answer names it then). An
    over-approximation: conditions, resources and Denies are left to the evaluator."""

    def __init__(self, source: FactSource) -> None:
        self.source = source
        self.groups = {
            key: tuple(body.get("policies") or ())
            for facts in source.world.accounts.values() for key, body in facts.of_kind("group").items()
        }
        self._policies: dict[str, bool] = {}
        self._relevant_parts: dict[str, tuple[Any, ...] | None] = {}  # a policy is held by many principals

    def __call__(self, arn: str) -> bool:
        record = self.source.principals_by_arn.get(arn)
        if record is None:
            return False
        arns = [*record.policies, *(p for g in record.groups for p in self.groups.get(g, ()))]
        return any(self._policy(p) for p in arns)

    def decides(self, arn: str) -> tuple[Any, ...] | None:
        """Everything of the principal a decision on sts:AssumeRole reads (its `Profile` as the evaluator
        sees it for that action), in the order the profile holds it; None when it is not in this world. Two
        worlds giving equal values decide it alike on every role whose own side (trust policy, account,
        RCPs) is the same in both. Statements that cannot be about sts:AssumeRole are left out; everything
        else is kept whole (conservative: an equal value is a sufficient, not a necessary, condition)."""
        source = self.source
        record = source.principals_by_arn.get(arn)
        if record is None:
            return None
        account = source.account_of[arn]
        held: list[tuple[str | None, str]] = [(None, p) for p in record.policies]
        held += [(g, p) for g in record.groups if g in self.groups for p in self.groups[g]]
        policies = tuple(
            (via, p, relevant) for via, p in held if (relevant := self._relevant(p)) is not None
        )
        boundary = None if record.boundary is None else (record.boundary, self._relevant(record.boundary))
        return (
            record.kind, record.name, record.unique_id, sorted(record.tags.items()), record.is_service_linked,
            account, source.levels.get(account), boundary, policies,
        )

    def _document(self, arn: str) -> tuple[Any, ...]:
        found = self.source.policies_by_arn.get(arn)
        if found is None:
            return ("unknown",)
        return (found.known, found.document)

    def _relevant(self, arn: str) -> tuple[Any, ...] | None:
        """A policy's part that can decide sts:AssumeRole: its statements that may be about it (with their
        place), the document's Version (policy variables); None when none may be (it adds nothing)."""
        if arn not in self._relevant_parts:
            self._relevant_parts[arn] = self._relevant_part(arn)
        return self._relevant_parts[arn]

    def _relevant_part(self, arn: str) -> tuple[Any, ...] | None:
        document = self._document(arn)
        if document[0] == "unknown" or document[1] is None:
            return document  # a policy whose document is not loaded may allow anything
        try:
            parsed = json.loads(document[1])
            statements = statements_of(document[1])
        except (ValueError, AttributeError):
            return document
        kept = tuple(
            (index, json.dumps(statement, sort_keys=True))
            for index, statement in enumerate(statements)
            if _may_be_about_assume(statement)
        )
        return (parsed.get("Version") if isinstance(parsed, dict) else None, kept) if kept else None

    def _policy(self, arn: str) -> bool:
        if arn not in self._policies:
            record = self.source.policies_by_arn.get(arn)
            self._policies[arn] = record is None or record.document is None or _allows_assume(record.document)
        return self._policies[arn]


def _allows_assume(document: str) -> bool:
    try:
        statements = statements_of(document)
    except (ValueError, AttributeError):
        return True  # (the evaluator says what an unreadable document does; here it may allow)
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "Action" in statement:
            if any(_matches(a) for a in _strings(statement["Action"])):
                return True
        elif "NotAction" in statement:
            if not any(_matches(a) for a in _strings(statement["NotAction"])):
                return True
        else:
            return True
    return False


def _may_be_about_assume(statement: object) -> bool:
    """Whether a statement (Allow or Deny) may apply to sts:AssumeRole: only an Action none of whose
    patterns matches it rules it out."""
    if not isinstance(statement, dict) or "Action" not in statement:
        return True
    actions = statement["Action"]
    if not isinstance(actions, str | list) or (isinstance(actions, list) and len(_strings(actions)) != len(actions)):
        return True
    return any(_matches(a) for a in _strings(actions))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _matches(pattern: str) -> bool:
    """An IAM action pattern (`*`, `?`, case-insensitive) against sts:AssumeRole."""
    return re.fullmatch(".*".join(".".join(map(re.escape, p.split("?"))) for p in pattern.lower().split("*")),
                        _ASSUME) is not None


def _depends_on(source: FactSource, role: str) -> tuple[set[str], set[str], bool]:
    """The principals and accounts a role's trust names, and whether it names anyone (`*`, NotPrincipal)."""
    principals: set[str] = set()
    accounts: set[str] = set()
    anyone = False
    if role not in source.trust:
        return principals, accounts, anyone
    for row in source.trust_rows(role):
        if row.not_principal or row.external_kind == "any":
            anyone = True
        elif row.target_kind == "account":
            accounts.add(row.target)
        elif row.target_kind in ("principal", "assumed-role"):
            principals.add(source.target(row)[1])
    return principals, accounts, anyone


def affected_roles(before: World, after: World, old: FactSource, new: FactSource) -> set[str]:
    """Roles whose whoCanAssume (up to HOPS) can differ between the worlds: a role added or removed, its trust
    policy changed, or it trusts a changed principal, an account with a change, or anyone while anything
    changed (direct); or it trusts a role (by ARN or through that role's account) affected directly."""
    return _affected(_Change(before, after, old, new), old, new, own_side_changed(old, new))


def _affected(change: _Change, old: FactSource, new: FactSource, own_changed: set[str]) -> set[str]:
    roles = {*old.trust, *new.trust}
    trusts = {r: [_depends_on(s, r) for s in (old, new)] for r in roles}
    direct = set(own_changed)
    for role in roles - direct:
        for principals, accounts, anyone in trusts[role]:
            if principals & change.principals or accounts & change.accounts or (anyone and change.anything):
                direct.add(role)
    affected = set(direct)
    account_of = {**old.account_of, **new.account_of}
    # Accounts holding a directly affected role that may assume another through its account's trust.
    holding = {account_of.get(d) for d in direct if change.may_assume(d)}
    for role in roles - direct:
        for principals, accounts, anyone in trusts[role]:
            if (anyone and direct) or principals & direct or accounts & holding:
                affected.add(role)
    return affected


def deciding_otherwise(change: _Change, old: FactSource, new: FactSource) -> set[str]:
    """The principals whose own side may decide a trust otherwise: the changed principals, and those of an
    account at another place in its organization. A decision class none of whose members is among these,
    decided for the same one in both worlds, answers alike (`Pairs`, docs/history.md)."""
    placed = {a for a in {*old.levels, *new.levels} if old.levels.get(a) != new.levels.get(a)}
    return change.principals | {p for src in (old, new) for p, a in src.account_of.items() if a in placed}


async def access_changes(
    before: World, after: World, account_ids: Sequence[str] | None = None, progress: Progress | None = None
) -> tuple[list[AccessChange], list[AdminChange]]:
    """Who gained or lost each affected role (of `account_ids`, every account's when None). `progress`
    hears how many roles are decided of how many (at 100k principals this part takes hours: docs/history.md).

    Nothing here waits on the database, so it hands the event loop back as it goes: the sources and the
    affected roles are worked out in a thread, and the loop is handed back before each role and each account's
    admins. Otherwise the API's question timeout could not stop it, and no other request would be answered
    until it ended (tests/security/test_api_history.py)."""
    old, new, change, own_changed, roles = await asyncio.to_thread(_prepared, before, after, account_ids)
    found: list[AccessChange] = []
    # One per world: its principal index and decisions are built once and shared by every role asked.
    asked_old, asked_new = Reachability(old), Reachability(new)
    if roles:
        # Every account read before the first question: a question that reads an account the index has not
        # read yet works out its classes anew (see `PrincipalIndex.action`), so reading them as the roles
        # come would redo that work for the first role of each account.
        await asked_old.view.entries(None)
        await asked_new.view.entries(None)
    # Every role by pairs: a role whose own side changed has its classes compared member by member, and one in
    # one world only has every principal that assumes it in the other as a candidate (none is decided alike).
    pairs = Pairs(asked_old.assumers, asked_new.assumers, deciding_otherwise(change, old, new), own_changed)
    hand_back = HandBack()
    for done, role in enumerate(roles):
        await hand_back()
        if progress is not None:
            progress(done, len(roles))
        for pair in await pairs.compared(role):
            if (access_change := _change(role, pair)) is not None:
                found.append(access_change)
    if progress is not None:
        progress(len(roles), len(roles))
    return found, await admin_changes(old, new, account_ids)


def _prepared(
    before: World, after: World, account_ids: Sequence[str] | None
) -> tuple[FactSource, FactSource, _Change, set[str], list[str]]:
    """Both worlds as sources, what changed between them, and the roles to decide (of `account_ids`)."""
    old, new = FactSource(before), FactSource(after)
    change, own_changed = _Change(before, after, old, new), own_side_changed(old, new)
    roles = _affected(change, old, new, own_changed)
    if account_ids is not None:
        wanted = set(account_ids)
        roles = {r for r in roles if (old.account_of.get(r) or new.account_of.get(r)) in wanted}
    return old, new, change, own_changed, sorted(roles)


def _change(role: str, pair: Pair) -> AccessChange | None:
    a, b = pair.before, pair.after
    if a is not None and b is not None and (a.hops, a.condition_text) == (b.hops, b.condition_text):
        return None
    kind: AccessChangeKind = "gained" if a is None else "lost" if b is None else "changed"
    either = b or a
    assert either is not None
    return AccessChange(
        role, pair.principal, either.principal.kind, kind, _hops(a), _hops(b),
        a.condition_text if a else None, b.condition_text if b else None,
    )


def _hops(access: Access | None) -> int | None:
    return None if access is None else max(access.hops, 1)


def as_json(change: AccessChange | AdminChange) -> dict[str, Any]:
    if isinstance(change, AdminChange):
        return {"principal": change.principal, "change": change.change}
    return {
        "role": change.role, "principal": change.principal, "principalKind": change.principal_kind,
        "change": change.change, "hopsBefore": change.hops_before, "hopsAfter": change.hops_after,
        "conditionsBefore": change.conditions_before, "conditionsAfter": change.conditions_after,
    }
