"""The users and roles of every loaded account, held in memory and refreshed per account load.

`whoCan` over an organization weighs every user and role holding a policy that may allow the action: up
to a hundred thousand principals. Reading their profiles from Neo4j for each question costs seconds of
Bolt transfer, so the API keeps them, one entry per loaded account, tagged with the `loadId` every load of
that account writes. Each question first reads the short list of load ids (`reach_generation`) and
refreshes exactly the accounts whose id changed, appeared or vanished; organizations likewise. An answer
is therefore never computed from a load the graph no longer holds, and a replica needs no coordination:
it converges on whatever the graph says.

AWS managed policies are global: their documents are kept across accounts by ARN and version id.
Customer managed and inline policies belong to their account and are read again with it.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import json
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any

from service.database.reader import GraphReader
from service.evaluation.context import RequestContext
from service.evaluation.engine import Decision, Reason
from service.evaluation.formula import Cond, Condition, Test, leaves, map_tests
from service.evaluation.operators import evaluate_clause
from service.evaluation.policy import ConditionClause
from service.evaluation.request import Principal, Request
from service.evaluation.statements import CompiledStatement, ResourceSet, compiled
from service.evaluation.wildcards import translate
from service.reachability.profiles import (
    OrgContext,
    PolicyRef,
    Profile,
    org_context_from_row,
    parsed,
)

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
_MAX_WEIGHINGS = 1024
_FREEZE_AFTER = 5000  # principals newly weighed for an action before the garbage collector is spared them


@dataclass(frozen=True)
class AccountEntry:
    """One loaded account as of one load: its users and roles, and who holds each identity policy."""

    load_id: str
    org: OrgContext
    profiles: Mapping[str, Profile]
    policies: Mapping[str, PolicyRef]
    holders: Mapping[str, tuple[str, ...]]


@dataclass
class Generation:
    """The load ids the graph holds: account id → load id, organization id → load id."""

    accounts: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)

    @cached_property
    def key(self) -> Hashable:
        """Equal exactly when the graph holds the same loads."""
        return frozenset(self.accounts.items()), frozenset(self.organizations.items())


class AnswerCache:
    """Recent answers by question and graph generation, so that the pages of one answer (and a question
    asked again before the next load) are computed once. Bounded by answers and by their total size."""

    def __init__(self, max_answers: int = 32, max_items: int = 200_000) -> None:
        self._answers: OrderedDict[Hashable, Sequence[Any]] = OrderedDict()
        self._items = 0
        self.max_answers, self.max_items = max_answers, max_items

    def get(self, key: Hashable) -> Sequence[Any] | None:
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, key: Hashable, answer: Sequence[Any]) -> None:
        if self.max_answers <= 0 or len(answer) > self.max_items:
            return
        if (old := self._answers.pop(key, None)) is not None:
            self._items -= len(old)
        self._answers[key] = answer
        self._items += len(answer)
        while len(self._answers) > self.max_answers or self._items > self.max_items:
            _, dropped = self._answers.popitem(last=False)
            self._items -= len(dropped)


class PrincipalIndex:
    """Process-wide, shared by every request of an app (or a CLI run). Safe for concurrent requests."""

    def __init__(self) -> None:
        self._accounts: dict[str, AccountEntry] = {}
        self._organizations: dict[str, str] = {}
        self._orgs: dict[str, OrgContext] = {}
        self._aws_policies: dict[str, tuple[str | None, PolicyRef]] = {}
        self._revision = 0
        self._weighings: dict[str, ActionWeighing] = {}
        self._lock = asyncio.Lock()
        # ACCESSGRAPH_ANSWER_CACHE: how many answers to remember (0: none, for measuring the computation).
        self.answers = AnswerCache(max_answers=int(os.environ.get("ACCESSGRAPH_ANSWER_CACHE", "32")))

    async def generation(self, reader: GraphReader) -> Generation:
        """The graph's load ids now; drops what the graph no longer holds and organization contexts that
        an organization load (or an account appearing) may have changed."""
        found = Generation()
        for row in await reader.rows("reach_generation"):
            (found.accounts if row["unit"] == "account" else found.organizations)[str(row["id"])] = str(row["loadId"])
        async with self._lock:
            if found.organizations != self._organizations or set(found.accounts) != set(self._accounts):
                self._orgs.clear()
                self._organizations = dict(found.organizations)
            for account in [a for a, entry in self._accounts.items() if found.accounts.get(a) != entry.load_id]:
                del self._accounts[account]
                self._changed()
            if not self._accounts:
                self._aws_policies.clear()
        return found

    async def accounts(
        self, reader: GraphReader, generation: Generation, account_ids: Iterable[str] | None = None
    ) -> tuple[dict[str, AccountEntry], int]:
        """Entries for the wanted loaded accounts (all loaded accounts when None), read where missing, and
        the index's revision they belong to (see `weighing`)."""
        held = generation.accounts
        wanted = list(held) if account_ids is None else [a for a in dict.fromkeys(account_ids) if a in held]
        if all(self._is_current(account, held[account]) for account in wanted):
            # Nothing to read: no need to queue behind another question's refresh.
            return {account: self._accounts[account] for account in wanted}, self._revision
        async with self._lock:
            # Reading one account may drop others (a changed AWS managed policy): loop until all are current.
            read = False
            while outdated := [a for a in wanted if getattr(self._accounts.get(a), "load_id", None) != held[a]]:
                for account in outdated:
                    self._accounts[account] = await self._read_account(reader, account, held[account])
                    self._changed()
                    read = True
            if read:
                _freeze()
            # An organization load changes the SCPs of accounts that were not loaded again: rebind them.
            if rebind := [a for a in wanted if a not in self._orgs]:
                await self._read_orgs(reader, rebind)
            for account in wanted:
                entry = self._accounts[account]
                if entry.org is not self._orgs[account]:
                    self._accounts[account] = _rebound(entry, self._orgs[account])
                    self._changed(everything=True)
            return {account: self._accounts[account] for account in wanted}, self._revision

    async def prepare(self, every: int = 200) -> int:
        """Parse and compile every known identity policy and boundary of the index ahead of the first
        question that needs it, yielding to the event loop every `every` policies, then weigh every account's
        principals for sts:AssumeRole (the action of every whoCanAssume: see `ActionWeighing.shapes`).
        Returns the count of policies."""
        seen: set[int] = set()
        for entry in list(self._accounts.values()):
            for ref in entry.policies.values():
                if ref.known and ref.document and id(ref) not in seen:
                    seen.add(id(ref))
                    compiled(parsed(ref), "identity")
                    if len(seen) % every == 0:
                        await asyncio.sleep(0)
        weighing = self.weighing("sts:assumerole", self._revision)
        for entry in list(self._accounts.values()):
            weighing.shapes([entry])
            weighing.shapes([entry], everyone_in=entry.org.account_id)  # (for a trust policy admitting anyone)
            await asyncio.sleep(0)
        _freeze()
        return len(seen)

    def _is_current(self, account: str, load_id: str) -> bool:
        entry = self._accounts.get(account)
        return entry is not None and entry.load_id == load_id and entry.org is self._orgs.get(account)

    def weighing(self, action_lower: str, revision: int) -> ActionWeighing:
        """The action's weighing, shared by the questions that read the index's current revision (it lives on
        across account loads, see `ActionWeighing`); a question that read the entries of an earlier revision
        gets one of its own."""
        if revision != self._revision:
            return ActionWeighing(action_lower)
        found = self._weighings.get(action_lower)
        if found is None:
            if len(self._weighings) >= _MAX_WEIGHINGS:
                self._weighings.clear()
            found = self._weighings[action_lower] = ActionWeighing(action_lower)
        return found

    def _changed(self, *, everything: bool = False) -> None:
        """An account was read again or dropped: a new revision. The weighings stay (they check what they
        kept against the objects they are asked about, see `ActionWeighing`) unless `everything` changed: an
        organization load, which rebinds every account."""
        self._revision += 1
        if everything:
            self._weighings = {}

    async def org_contexts(self, reader: GraphReader, account_ids: Iterable[str]) -> dict[str, OrgContext]:
        ids = [account for account in dict.fromkeys(account_ids) if account]
        async with self._lock:
            if missing := [account for account in ids if account not in self._orgs]:
                await self._read_orgs(reader, missing)
            return {account: self._orgs[account] for account in ids}

    async def _read_orgs(self, reader: GraphReader, account_ids: list[str]) -> None:
        for row in await reader.rows("reach_account_organizations", accountIds=account_ids):
            self._orgs[str(row["accountId"])] = org_context_from_row(row)
        for account in account_ids:
            self._orgs.setdefault(account, OrgContext(account, False, None, None))

    async def _read_account(self, reader: GraphReader, account_id: str, load_id: str) -> AccountEntry:
        # The lock is held: one refresh of an account at a time, and the org contexts are ours to fill.
        principals = await reader.rows("reach_account_principals", accountId=account_id)
        groups = {str(row["arn"]): row for row in await reader.rows("reach_account_groups", accountId=account_id)}
        policies = await self._read_policies(reader, account_id)
        if account_id not in self._orgs:
            await self._read_orgs(reader, [account_id])
        org = self._orgs[account_id]

        def policy(arn: str) -> PolicyRef:
            if arn not in policies:
                policies[arn] = PolicyRef(arn, arn.rsplit("/", 1)[-1], "unknown", False, None)
            return policies[arn]

        profiles: dict[str, Profile] = {}
        holders: dict[str, list[str]] = {}
        for row in principals:
            arn = str(row["arn"])
            refs = [policy(p) for p in row["policies"]]
            member_of: list[tuple[str, str]] = []
            for group_arn in row["groups"]:
                group = groups.get(group_arn)
                if group is None:
                    continue
                member_of.append((group_arn, str(group["name"])))
                for p in group["policies"]:
                    ref = policy(p)
                    refs.append(
                        PolicyRef(ref.arn, ref.name, ref.kind, ref.known, ref.document, group_arn, str(group["name"]))
                    )
            for held in dict.fromkeys(ref.arn for ref in refs):
                holders.setdefault(held, []).append(arn)
            tags_text = row["tags"]
            profiles[arn] = Profile(
                arn=arn,
                kind=str(row["kind"]),
                name=str(row["name"]),
                account_id=account_id,
                unique_id=str(row["id"]) if row["id"] else None,
                tags=json.loads(tags_text) if isinstance(tags_text, str) and tags_text else {},
                is_service_linked=bool(row["isServiceLinked"]),
                policies=tuple(refs),
                boundary=policy(str(row["boundary"])) if row["boundary"] else None,
                org=org,
                groups=tuple(member_of),
            )
        return AccountEntry(load_id, org, profiles, policies, {arn: tuple(who) for arn, who in holders.items()})

    async def _read_policies(self, reader: GraphReader, account_id: str) -> dict[str, PolicyRef]:
        """The account's policies. An AWS managed policy whose version changed (any account's load may
        rewrite the global node) also drops the other accounts that hold it: they are read again."""
        rows = await reader.rows("reach_account_policies", accountId=account_id, cached=list(self._aws_policies))
        found: dict[str, PolicyRef] = {}
        stale: list[str] = []
        versions: dict[str, str | None] = {}
        for row in rows:
            arn = str(row["arn"])
            versions[arn] = str(row["versionId"]) if row["versionId"] is not None else None
            held = self._aws_policies.get(arn)
            if held is not None and row["document"] is None and row["known"]:
                if held[0] == versions[arn]:
                    found[arn] = held[1]
                else:
                    stale.append(arn)
                continue
            found[arn] = _policy_ref(row)
        if stale:
            for row in await reader.rows("reach_policy_documents", arns=stale):
                found[str(row["arn"])] = _policy_ref(row)
        changed: set[str] = set()
        for arn, ref in found.items():
            if not arn.startswith(AWS_MANAGED_PREFIX):
                continue
            held = self._aws_policies.get(arn)
            if held is not None and held[1] is not ref:
                changed.add(arn)
            if ref.known:
                self._aws_policies[arn] = (versions.get(arn), ref)
            else:
                self._aws_policies.pop(arn, None)
        for other in [a for a, entry in self._accounts.items() if a != account_id and changed & entry.policies.keys()]:
            del self._accounts[other]
            self._changed()
        return found


def _freeze() -> None:
    """The index is long-lived and large: keep the cyclic garbage collector from walking it on every full
    collection (a quarter of a second at 15k principals, on whichever question triggers it)."""
    gc.collect(1)
    gc.freeze()


def _rebound(entry: AccountEntry, org: OrgContext) -> AccountEntry:
    profiles = {arn: replace(profile, org=org) for arn, profile in entry.profiles.items()}
    return replace(entry, org=org, profiles=profiles)


def _policy_ref(row: Mapping[str, object]) -> PolicyRef:
    arn = str(row["arn"])
    document = row["document"]
    return PolicyRef(
        arn=arn,
        name=str(row["name"] or arn.rsplit("/", 1)[-1]),
        kind=str(row["kind"] or "unknown"),
        known=bool(row["known"]) and isinstance(document, str),
        document=document if isinstance(document, str) else None,
    )


class ActionWeighing:
    """Which policies matter for one action, worked out once per policy rather than once per principal,
    and kept by the index while its organizations stay as they are.

    What is worked out of a policy, a principal or an account is kept with what it was worked out from (the
    document, the Profile, the AccountEntry: the very objects, which a load replaces) and holds only for
    that: an account loaded again is weighed again, the others are not. Numbers for contents and key parts
    only ever grow, so a group key means the same thing for as long as the weighing lives."""

    def __init__(self, action_lower: str) -> None:
        self.action = action_lower
        self._matching: dict[str, tuple[str | None, tuple[bool, bool]]] = {}
        self._candidates: dict[str, tuple[AccountEntry, list[Profile]]] = {}
        self._statements: dict[str, tuple[str | None, tuple[tuple[CompiledStatement, int], ...]]] = {}
        self._contents: dict[tuple[str, tuple[ConditionClause, ...]], int] = {}
        self._principals: dict[str, tuple[Profile, _About]] = {}
        self._boundaries: dict[str, tuple[str | None, tuple[Hashable, tuple[Place, ...], bool]]] = {}
        self._shapes: dict[tuple[str, bool], tuple[AccountEntry, list[Shape]]] = {}
        self._weighed = 0  # principals worked out (see `_freeze`)
        self._blind: dict[Hashable, bool] = {}
        self._blind_contents: list[bool] = []  # by content number: its Condition is blind (see `blind`)
        self._numbers: dict[Hashable, int] = {}
        # Decisions kept across questions by what they depend on (see `blind`); filled by the questions.
        self.decisions: dict[Hashable, tuple[Member, Decision, str]] = {}

    def _number(self, value: Hashable) -> int:
        """A small number for a part of a group key (equal parts, equal numbers): group keys are hashed for
        every shape of every question, and the parts they stand for are deep tuples."""
        return self._numbers.setdefault(value, len(self._numbers))

    def matching(self, ref: PolicyRef) -> tuple[bool, bool]:
        """(whether any statement's Action/NotAction admits the action, whether an Allow statement does).
        A policy whose document we do not have is not evaluated, and may allow anything."""
        document = _document(ref)
        held = self._matching.get(ref.arn)
        if held is not None and held[0] is document:
            return held[1]
        if document is not None:
            statements = self.statements(ref)
            found = (bool(statements), any(cs.statement.effect == "Allow" for cs, _ in statements))
        else:
            found = (False, True)
        self._matching[ref.arn] = (document, found)
        return found

    def _about(self, profile: Profile) -> _About:
        """The principal's statements about the action (with content and place), and what else its decisions
        on the action depend on beyond its account and kind: the results of the condition clauses that look
        at who it is (aws:PrincipalArn, aws:PrincipalTag/..., aws:username, aws:userid) in those statements,
        its boundary and its SCPs. Its ARN instead, when a condition value (or a boundary's or SCP's
        Resource) uses a policy variable: then it is decided on its own. (An identity statement's Resource
        with variables is weighed per question: see `groups`.)"""
        held = self._principals.get(profile.arn)
        if held is not None and held[0] is profile:
            return held[1]
        context = RequestContext(Request(principal=profile.principal, action=self.action, resource="*"))
        results: list[Cond] = []
        always: dict[int, tuple[Place, ...]] = {}
        maybe: list[tuple[CompiledStatement, int, Place, int]] = []
        alone = False
        for ref in profile.policies:
            for cs, content in self.statements(ref):
                where = (ref.arn, cs.statement.index, cs.statement.sid)
                if _fits_anything(cs):
                    if where not in (places := always.get(content, ())):
                        always[content] = (*places, where)
                else:
                    maybe.append((cs, content, where, self._number(("patterns", _patterns(cs)))))
                alone = alone or personal_clauses(cs, context, results)
        for policy in profile.boundary_policies or ():
            for cs in compiled(policy, "boundary").for_action(self.action):
                alone = alone or _variable_resources(cs) or personal_clauses(cs, context, results)
        for level in profile.org.scp_levels:
            for policy in level:
                for cs in compiled(policy, "scp").for_action(self.action):
                    alone = alone or _variable_resources(cs) or personal_clauses(cs, context, results)
        self._weighed += 1
        found = _About(
            personal=profile.arn if alone else self._number(("personal", tuple(results))),
            always=always,
            always_key=frozenset(always),
            maybe=tuple(maybe),
            traits=self._number(
                ("traits", profile.kind, profile.is_service_linked, self._boundary(profile.boundary)[0])
            ),
        )
        self._principals[profile.arn] = (profile, found)
        return found

    def statements(self, ref: PolicyRef) -> tuple[tuple[CompiledStatement, int], ...]:
        """The policy's statements whose Action/NotAction admits the action, each with a number for what
        else decides it: its Effect and Condition. (Its Resource is matched per question, see `groups`.)"""
        document = _document(ref)
        held = self._statements.get(ref.arn)
        if held is not None and held[0] is document:
            return held[1]
        found: tuple[tuple[CompiledStatement, int], ...] = ()
        if document is not None:
            found = tuple((cs, self._content(cs)) for cs in compiled(parsed(ref), "identity").for_action(self.action))
        self._statements[ref.arn] = (document, found)
        return found

    def _content(self, cs: CompiledStatement) -> int:
        """The number of the statement's content: its Effect and Condition."""
        key = (cs.statement.effect, cs.statement.conditions)
        number = self._contents.get(key)
        if number is None:
            number = self._contents[key] = len(self._contents)
            self._blind_contents.append(_blind_clauses(cs.statement.conditions))
        return number

    def _boundary(self, boundary: PolicyRef | None) -> tuple[Hashable, tuple[Place, ...], bool]:
        """A boundary by what it says about the action, where it says it, and whether that is blind to the
        resource (see `blind`). Its statements about the action (Effect, Condition, Resource, NotResource, in
        order) are all the evaluator reads of it, so boundaries that differ elsewhere (in each account's ARN
        in a statement about other actions, say) decide alike, statement for statement. By its ARN when its
        document is not loaded (it is then not evaluated)."""
        if boundary is None:
            return None, (), True
        document = _document(boundary)
        held = self._boundaries.get(boundary.arn)
        if held is not None and held[0] is document:
            return held[1]
        found: tuple[Hashable, tuple[Place, ...], bool]
        if document is not None:
            policy = parsed(boundary)
            statements = compiled(policy, "boundary").for_action(self.action)
            content: Hashable = (
                "statements",
                policy.variables_enabled,
                tuple((cs.statement.effect, cs.statement.conditions, _patterns(cs)) for cs in statements),
            )
            places = tuple((boundary.arn, cs.statement.index, cs.statement.sid) for cs in statements)
            found = (content, places, all(blind_statement(cs) for cs in statements))
        else:
            found = (("arn", boundary.arn), (), True)
        self._boundaries[boundary.arn] = (document, found)
        return found

    def candidates(self, entry: AccountEntry) -> list[Profile]:
        """The principals of the account holding a policy that may allow the action (a superset: the
        evaluator decides each one), in ARN order."""
        held = self._candidates.get(entry.org.account_id)
        if held is not None and held[0] is entry:
            return held[1]
        chosen: dict[str, Profile] = {}
        for policy_arn, holders in entry.holders.items():
            if self.matching(entry.policies[policy_arn])[1]:
                for arn in holders:
                    chosen[arn] = entry.profiles[arn]
        found = [chosen[arn] for arn in sorted(chosen)]
        self._candidates[entry.org.account_id] = (entry, found)
        return found

    def shapes(self, entries: Iterable[AccountEntry], *, everyone_in: str | None = None) -> list[Shape]:
        """The candidates of the entries (and every principal of account `everyone_in`, if given) in shapes:
        the principals of an account whose statements about the action are alike but for where they are
        (their `_About`s equal up to places). A question weighs a shape once (`groups`), not each member.
        Worked out once per account."""
        shapes: list[Shape] = []
        for entry in entries:
            every = entry.org.account_id == everyone_in
            key = (entry.org.account_id, every)
            held = self._shapes.get(key)
            if held is not None and held[0] is entry:
                shapes.extend(held[1])
                continue
            known = self._weighed
            profiles = sorted(entry.profiles.values(), key=_arn) if every else self.candidates(entry)
            alike: dict[Hashable, list[Profile]] = {}
            for profile in profiles:
                about = self._about(profile)
                signature = (about.personal, about.traits, about.always_key, tuple(m[1::2] for m in about.maybe))
                alike.setdefault(signature, []).append(profile)
            place = self._number(_organization_place(entry.org))
            found = [Shape(members, self._about(members[0]), place) for members in alike.values()]
            self._shapes[key] = (entry, found)
            if self._weighed - known > _FREEZE_AFTER:
                _freeze()  # what was just learnt about the principals lives as long as the index
            shapes.extend(found)
        return shapes

    def groups(
        self,
        shapes: Iterable[Shape],
        resource: str,
        extra: Callable[[Profile], Hashable] | None = None,
        *,
        by_account: bool = True,
        extra_by_account: bool = False,
        leave_out: AbstractSet[str] = frozenset(),
    ) -> list[Group]:
        """The principals grouped so that every member of a group gets its first member's decision on this
        action and `resource`, up to which of its policies and statements say it (`Member.statements`).

        The group key is what the decision depends on: the principal's account (SCPs, same-account rules),
        kind and service-linked flag; the *content* (Effect, Condition) of its statements about the action
        whose Resource can match `resource` (a statement that cannot match contributes nothing); and its
        boundary's statements about the action. When one of those statements, its boundary or an SCP looks
        at who the principal is, the results of those condition clauses for it join the key; a policy
        variable puts its ARN in the key instead, and it is decided on its own (`_about`). The same content
        in several of its policies counts once (OR of equal terms); each of them is a path. `extra` adds to
        the key what else the decision depends on (for a role trust: what its principal-level clauses give
        for the principal); `extra_by_account` says it is the same for every principal of an account.
        The principals of `leave_out` are left out.

        Without `by_account`, principals of different accounts share a group when their accounts sit under
        the same SCPs (and are equally the management account or not): for a decision without a resource
        policy, whose resource is in the caller's account (or all candidates are of the resource's account),
        the account matters only through those and through account-level condition keys
        (aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceAccount), whose
        clause results are in the key like the principal-level ones."""
        fits: dict[int, tuple[bool, bool]] = {}
        context = _resource_only_context(resource)
        groups: dict[tuple[object, ...], Group] = {}
        extras: dict[str, Hashable] = {}  # by account, with `extra_by_account`
        one_by_one = extra is not None and not extra_by_account

        def join(key: tuple[object, ...], entries: list[Entry], unknown: list[Entry]) -> None:
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(key, self, fits)
            group.add(entries, unknown)

        for shape in shapes:
            entries, unknown = shape.entries, shape.unknown
            if leave_out and not leave_out.isdisjoint(shape.arns):
                entries = [entry for entry in entries if entry[0] not in leave_out]
                unknown = [entry for entry in unknown if entry[0] not in leave_out]
                if not entries:
                    continue
            about = shape.about
            contents, alone = about.always_key, isinstance(about.personal, str)
            if about.maybe:
                fitting = set(contents)
                for cs, content, _, patterns in about.maybe:
                    found = fits.get(patterns)
                    if found is None:
                        found = fits[patterns] = (_may_fit(cs, resource, context), _varies(cs, resource))
                    if found[0]:
                        fitting.add(content)
                        alone = alone or found[1]  # whether it matches depends on who the principal is
                contents = frozenset(fitting)
            place = shape.account if by_account else shape.place
            if alone or one_by_one:
                for entry in entries:
                    profile = entry[1]
                    personal = profile.arn if alone else about.personal
                    key = (personal, None if extra is None else extra(profile), place, about.traits, contents)
                    join(key, [entry], [entry] if profile.unknown_policies else [])
                continue
            if extra is None:
                told: Hashable = None
            elif (told := extras.get(shape.account, _MISSING)) is _MISSING:
                told = extras[shape.account] = extra(entries[0][1])
            join((about.personal, told, place, about.traits, contents), entries, unknown)
        return list(groups.values())

    def member(self, profile: Profile, fits: Mapping[int, tuple[bool, bool]]) -> Member:
        """The principal as a member of a group of a question whose Resource fits are `fits`."""
        about = self._about(profile)
        placed = about.always
        if about.maybe:
            placed = dict(placed)
            for _, content, where, patterns in about.maybe:
                if fits[patterns][0] and where not in (places := placed.get(content, ())):
                    placed[content] = (*places, where)
        return Member(profile, placed, self._boundary(profile.boundary)[1])

    def blind(self, group: Group) -> bool:
        """Whether the group's decision depends on the resource only through what its key holds (which of
        its statements fit the resource) and through the resource policy and account: no condition in its
        statements, boundary or SCPs looks at anything but who the principal is and the request itself (not
        at the resource's tags or account), and its boundary and SCPs say Resource `*`. Such a decision holds
        for every resource under the same resource policy and RCPs (see `Reachability._group_decision`)."""
        if isinstance(group.key[0], str):
            return False
        found = self._blind.get(group.key)
        if found is None:
            leader = group.leader
            found = (
                all(self._blind_contents[content] for content in leader.statements)
                and self._boundary(leader.profile.boundary)[2]
                and all(
                    blind_statement(cs)
                    for level in leader.profile.org.scp_levels
                    for policy in level
                    for cs in compiled(policy, "scp").for_action(self.action)
                )
            )
            self._blind[group.key] = found
        return found


Place = tuple[str, int, str | None]  # (policy ARN, statement index, Sid)


@dataclass(frozen=True, slots=True)
class _About:
    """What `ActionWeighing.groups` needs of one principal for one action, worked out once."""

    personal: int | str  # principal-level clause results (numbered), or the ARN (decided alone)
    always: dict[int, tuple[Place, ...]]  # statements whose Resource fits anything, by content
    always_key: frozenset[int]
    # The others, fitted per question: (statement, content, place, its Resource/NotResource patterns).
    maybe: tuple[tuple[CompiledStatement, int, Place, int], ...]
    traits: int  # kind, service-linked, boundary content (numbered)


class Shape:
    """Principals of one account (ARN order) whose `_About`s are equal up to places: `about` is the first's."""

    __slots__ = ("about", "account", "arns", "entries", "place", "unknown")

    def __init__(self, profiles: list[Profile], about: _About, place: int) -> None:
        self.about = about
        self.account, self.place = profiles[0].account_id, place  # (place: its SCPs, numbered)
        self.arns = frozenset(profile.arn for profile in profiles)
        self.entries = [(profile.arn, profile) for profile in profiles]
        # Those holding a policy or boundary whose document is not loaded: an implicit deny may not be one.
        self.unknown = [(profile.arn, profile) for profile in profiles if profile.unknown_policies]


Entry = tuple[str, Profile]  # (ARN, principal): ordered by ARN


class Group:
    """Principals that get one decision on a question: those of some shapes (or parts of them), with their
    members made as they are read."""

    __slots__ = ("_fits", "_leader", "_weighing", "key", "parts", "size", "unknown", "unknown_parts")

    def __init__(
        self, key: tuple[object, ...], weighing: ActionWeighing, fits: Mapping[int, tuple[bool, bool]]
    ) -> None:
        self.key, self._weighing, self._fits = key, weighing, fits
        self.parts: list[list[Entry]] = []
        self.unknown_parts: list[list[Entry]] = []
        self.size = 0
        self.unknown = 0  # members holding a policy or boundary whose document is not loaded
        self._leader: Member | None = None

    def add(self, entries: list[Entry], unknown: list[Entry]) -> None:
        self.parts.append(entries)
        self.size += len(entries)
        if unknown:
            self.unknown_parts.append(unknown)
            self.unknown += len(unknown)

    @property
    def leader(self) -> Member:
        """The member (of the least ARN) whose decision the group shares."""
        if self._leader is None:
            self._leader = self._weighing.member(min(part[0] for part in self.parts)[1], self._fits)
        return self._leader

    def member(self, profile: Profile) -> Member:
        leader = self.leader
        return leader if profile is leader.profile else self._weighing.member(profile, self._fits)

    def entries(self, *, unknown_only: bool = False) -> Iterator[Entry]:
        """The members' (ARN, profile) in ARN order; with `unknown_only`, of those with a policy (or boundary)
        whose document is not loaded."""
        parts = self.unknown_parts if unknown_only else self.parts
        return iter(parts[0]) if len(parts) == 1 else heapq.merge(*parts)


@dataclass(frozen=True)
class Member:
    """A principal in a decision group, with where its deciding statements are, by content, and where its
    boundary's statements about the action are, in order."""

    profile: Profile
    statements: Mapping[int, tuple[Place, ...]]
    boundary: tuple[Place, ...] = ()

    def retarget(self, first: Member) -> dict[tuple[str, int], tuple[Place, ...]]:
        """Where each of `first`'s deciding statements, by (policy, index), is among this member's policies
        (its boundary's too: the group's boundaries say the same about the action, statement for statement,
        maybe under other names)."""
        where = {
            (policy, index): self.statements[content]
            for content, places in first.statements.items()
            for policy, index, _ in places
        }
        for (policy, index, _), mine in zip(first.boundary, self.boundary, strict=False):
            where[(policy, index)] = (mine,)
        return where


def retarget_decision(
    decision: Decision, where: Mapping[tuple[str, int], tuple[Place, ...]], *, explanation: bool = True
) -> Decision:
    """`decision`, made for another member of the group, told in this member's policies and statements: each
    identity statement that decided becomes the member's statements of the same content (a condition
    test names the first of them; the tests of the others are the same test). Without `explanation`, only
    the condition is retold and the explanation is left empty."""
    condition = None if decision.condition is None else _retarget_condition(decision.condition, where)
    assert not isinstance(condition, bool), "renaming statements cannot decide a condition"
    if not explanation:
        return Decision(decision.decision, condition, ())
    reasons: list[Reason] = []
    for reason in decision.explanation:
        targets = where.get((reason.policy, reason.statement)) if reason.statement is not None else None
        if reason.policy_type not in _RETOLD or not targets:
            reasons.append(reason)
        else:
            reasons.extend(Reason(p, reason.policy_type, i, sid, reason.effect, reason.why) for p, i, sid in targets)
    return Decision(decision.decision, condition, tuple(reasons))


def condition_places(condition: Condition | None) -> tuple[tuple[str, int], ...]:
    """The (policy, statement) pairs of the identity and boundary tests in `condition`: what a member's
    retold condition depends on."""
    if condition is None:
        return ()
    places = {
        (leaf.test.policy, leaf.test.statement)
        for leaf in leaves(condition)
        if leaf.test.policy_type in _RETOLD and leaf.test.statement is not None
    }
    return tuple(sorted(places))


def _retarget_condition(condition: Condition, where: Mapping[tuple[str, int], tuple[Place, ...]]) -> Cond:
    def retell(test: Test) -> Test:
        targets = where.get((test.policy, test.statement)) if test.statement is not None else None
        if not targets or test.policy_type not in _RETOLD:
            return test
        policy, index, sid = targets[0]
        return Test(test.key, test.operator, test.values, policy, index, sid, test.policy_type)

    return map_tests(condition, retell)


_RETOLD = frozenset({"identity", "boundary"})  # the policy types whose statements a member has of its own
_VARIABLE = re.compile(r"\$\{[^}]*\}")
# Condition keys whose value differs between principals of one account and kind (who it is), and those
# that differ between accounts (see `ActionWeighing.groups`, by_account); tags: aws:PrincipalTag/...
_PRINCIPAL_LEVEL_KEYS = frozenset({"aws:principalarn", "aws:username", "aws:userid"})
_ACCOUNT_LEVEL_KEYS = frozenset(
    {"aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:resourceaccount"}
)
_PERSONAL_KEYS = _PRINCIPAL_LEVEL_KEYS | _ACCOUNT_LEVEL_KEYS
# Condition keys whose value is the same whatever the resource of a request: who the principal is, where
# and how it asks (`ActionWeighing.blind`). Any other key (aws:ResourceAccount, aws:ResourceTag/...,
# iam:ResourceTag/..., a service's own) may differ between resources.
_REQUEST_LEVEL_NAMES = """
    aws:principaltype aws:principalisawsservice aws:principalservicename aws:principalservicenameslist
    aws:sourceip aws:sourcevpc aws:sourcevpce aws:vpcsourceip aws:multifactorauthpresent
    aws:multifactorauthage aws:viaawsservice aws:calledvia aws:calledviafirst aws:calledvialast
    aws:securetransport aws:currenttime aws:epochtime aws:tokenissuetime aws:useragent aws:referer
    aws:requestedregion aws:sourceidentity aws:federatedprovider aws:tagkeys sts:externalid
    sts:rolesessionname sts:sourceidentity sts:transitivetagkeys
"""
_REQUEST_LEVEL_KEYS = (_PERSONAL_KEYS - {"aws:resourceaccount"}) | frozenset(_REQUEST_LEVEL_NAMES.split())
_REQUEST_LEVEL_PREFIXES = ("aws:principaltag/", "aws:requesttag/")


def about_the_account_only(statements: Iterable[CompiledStatement]) -> bool:
    """Whether these statements' clauses look at the principal's account at most (never at who in it it
    is, and with no policy variables): their results are then the same for every principal of an account."""
    return not any(
        clause.key_lower in _PRINCIPAL_LEVEL_KEYS
        or clause.key_lower.startswith("aws:principaltag/")
        or any("${" in value for value in clause.values)
        for cs in statements
        for clause, _ in cs.clauses
    )


def personal_clauses(cs: CompiledStatement, context: RequestContext, results: list[Cond]) -> bool:
    """Append to `results` what the statement's clauses on principal-level keys give for this principal;
    True when a condition value uses a policy variable: no clause result can stand for that, the principal
    is decided on its own. (Resource patterns with variables are weighed per question, see `groups`.)"""
    for clause, origin in cs.clauses:
        if any("${" in value for value in clause.values):
            return True
        key = clause.key_lower
        if key in _PERSONAL_KEYS or key.startswith("aws:principaltag/"):
            results.append(evaluate_clause(clause, context, variables=cs.variables, origin=origin))
    return False


def _organization_place(org: OrgContext) -> Hashable:
    """What an account's place in its organization means for a decision: the SCPs at each level (the
    same parsed policies are the same objects) and whether it is the management account."""
    management = org.management_account_id == org.account_id
    return management, tuple(tuple(level) for level in org.scp_levels)  # (a Policy hashes by identity)


def _resource_only_context(resource: str) -> RequestContext:
    """A context for matching Resource patterns without policy variables, which never consult it."""
    nobody = Principal(arn="arn:aws:iam::000000000000:user/nobody", account_id="000000000000", kind="user")
    return RequestContext(Request(principal=nobody, action="none:none", resource=resource))


def _may_fit(cs: CompiledStatement, resource: str, context: RequestContext) -> bool:
    """Whether the statement's Resource/NotResource can match `resource`, for some principal. A pattern
    with policy variables counts as matching when it could for some values of its variables."""
    if cs.resources is not None:
        return cs.resources.match(resource, context) is not False or _could_match(cs.resources, resource)
    if cs.not_resources is not None:
        # A NotResource excludes the resource only when a static pattern matches it.
        return cs.not_resources.match(resource, context) is not True or bool(cs.not_resources.variable_patterns)
    return True


def _fits_anything(cs: CompiledStatement) -> bool:
    """A statement whose Resource is `*` (no variables): it fits every resource."""
    return cs.resources is not None and cs.resources.everything and not cs.resources.variable_patterns


def _variable_resources(cs: CompiledStatement) -> bool:
    return any(r is not None and bool(r.variable_patterns) for r in (cs.resources, cs.not_resources))


def _varies(cs: CompiledStatement, resource: str) -> bool:
    """Whether the statement's Resource/NotResource matching `resource` depends on its policy variables
    (and so on who the principal is)."""
    if cs.resources is not None:
        return _could_match(cs.resources, resource)
    return cs.not_resources is not None and bool(cs.not_resources.variable_patterns)


def _could_match(resources: ResourceSet, resource: str) -> bool:
    """Whether a pattern with policy variables matches `resource` for some values of the variables: each
    `${...}` read as a wildcard for anything."""
    return any(_open_pattern(pattern).fullmatch(resource) for pattern in resources.variable_patterns)


@lru_cache(maxsize=4096)
def _open_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(_VARIABLE.sub("*", pattern), segmented=False, escaped=False), re.DOTALL)


_arn = attrgetter("arn")
_MISSING = object()


def _document(ref: PolicyRef) -> str | None:
    """The policy's document, None when it is not loaded (then it is not evaluated)."""
    return ref.document if ref.known and ref.document else None


def _patterns(cs: CompiledStatement) -> Hashable:
    """What decides whether the statement's Resource/NotResource matches a resource: its patterns, and
    whether its policy substitutes variables in them."""
    return cs.statement.resources, cs.statement.not_resources, cs.variables


def _everything(patterns: Hashable) -> bool:
    """Resource `*`, or none at all (a trust policy's statements are about the role they belong to)."""
    return patterns[0] in (None, ("*",)) and patterns[1] is None  # type: ignore[index]


def _blind_clauses(conditions: Iterable[ConditionClause]) -> bool:
    """Whether the clauses look at nothing but who the principal is and the request (see `blind`)."""
    return all(
        clause.key_lower in _REQUEST_LEVEL_KEYS or clause.key_lower.startswith(_REQUEST_LEVEL_PREFIXES)
        for clause in conditions
    )


def blind_statement(cs: CompiledStatement) -> bool:
    return _blind_clauses(cs.statement.conditions) and _everything(_patterns(cs))
