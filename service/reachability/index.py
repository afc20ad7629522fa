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
import json
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

from service.database.reader import GraphReader
from service.evaluation.context import RequestContext
from service.evaluation.engine import Decision, Reason
from service.evaluation.formula import All, AnyOf, Cond, Condition, Not, Test, conj, disj, leaves, neg
from service.evaluation.operators import evaluate_clause
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
                    self._changed()
            return {account: self._accounts[account] for account in wanted}, self._revision

    async def prepare(self, every: int = 200) -> int:
        """Parse and compile every known identity policy and boundary of the index ahead of the first
        question that needs it, yielding to the event loop every `every` policies. Returns the count."""
        seen: set[int] = set()
        for entry in list(self._accounts.values()):
            for ref in entry.policies.values():
                if ref.known and ref.document and id(ref) not in seen:
                    seen.add(id(ref))
                    compiled(parsed(ref), "identity")
                    if len(seen) % every == 0:
                        await asyncio.sleep(0)
        _freeze()
        return len(seen)

    def _is_current(self, account: str, load_id: str) -> bool:
        entry = self._accounts.get(account)
        return entry is not None and entry.load_id == load_id and entry.org is self._orgs.get(account)

    def weighing(self, action_lower: str, revision: int) -> ActionWeighing:
        """The action's weighing, shared by the questions that see the index at `revision`; a question that
        read the entries of an earlier revision gets one of its own."""
        if revision != self._revision:
            return ActionWeighing(action_lower)
        found = self._weighings.get(action_lower)
        if found is None:
            if len(self._weighings) >= _MAX_WEIGHINGS:
                self._weighings.clear()
            found = self._weighings[action_lower] = ActionWeighing(action_lower)
        return found

    def _changed(self) -> None:
        self._revision += 1
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
    and kept by the index until the next load."""

    def __init__(self, action_lower: str) -> None:
        self.action = action_lower
        self._matching: dict[str, tuple[bool, bool]] = {}
        self._candidates: dict[tuple[str, ...], list[Profile]] = {}
        self._statements: dict[str, tuple[tuple[CompiledStatement, int], ...]] = {}
        self._contents: dict[Hashable, int] = {}
        self._principals: dict[str, _About] = {}

    def matching(self, ref: PolicyRef) -> tuple[bool, bool]:
        """(whether any statement's Action/NotAction admits the action, whether an Allow statement does).
        A policy whose document we do not have is not evaluated, and may allow anything."""
        found = self._matching.get(ref.arn)
        if found is None:
            if ref.known and ref.document:
                statements = self.statements(ref)
                found = (bool(statements), any(cs.statement.effect == "Allow" for cs, _ in statements))
            else:
                found = (False, True)
            self._matching[ref.arn] = found
        return found

    def _about(self, profile: Profile) -> _About:
        """The principal's statements about the action (with content and place), and what else its decisions
        on the action depend on beyond its account and kind: the results of the condition clauses that look
        at who it is (aws:PrincipalArn, aws:PrincipalTag/..., aws:username, aws:userid) in those statements,
        its boundary and its SCPs. Its ARN instead, when a condition value (or a boundary's or SCP's
        Resource) uses a policy variable: then it is decided on its own. (An identity statement's Resource
        with variables is weighed per question: see `groups`.)"""
        found = self._principals.get(profile.arn)
        if found is None:
            context = RequestContext(Request(principal=profile.principal, action=self.action, resource="*"))
            results: list[Cond] = []
            always: dict[int, tuple[Place, ...]] = {}
            maybe: list[tuple[CompiledStatement, int, Place]] = []
            alone = False
            for ref in profile.policies:
                for cs, content in self.statements(ref):
                    where = (ref.arn, cs.statement.index, cs.statement.sid)
                    if _fits_anything(cs):
                        if where not in (places := always.get(content, ())):
                            always[content] = (*places, where)
                    else:
                        maybe.append((cs, content, where))
                    alone = alone or personal_clauses(cs, context, results)
            for policy in profile.boundary_policies or ():
                for cs in compiled(policy, "boundary").for_action(self.action):
                    alone = alone or _variable_resources(cs) or personal_clauses(cs, context, results)
            for level in profile.org.scp_levels:
                for policy in level:
                    for cs in compiled(policy, "scp").for_action(self.action):
                        alone = alone or _variable_resources(cs) or personal_clauses(cs, context, results)
            found = self._principals[profile.arn] = _About(
                personal=profile.arn if alone else tuple(results),
                always=always,
                always_key=frozenset(always),
                maybe=tuple(maybe),
                traits=(profile.kind, profile.is_service_linked, _boundary_content(profile.boundary)),
            )
        return found

    def statements(self, ref: PolicyRef) -> tuple[tuple[CompiledStatement, int], ...]:
        """The policy's statements whose Action/NotAction admits the action, each with a number for what
        else decides it: its Effect and Condition. (Its Resource is matched per question, see `groups`.)"""
        found = self._statements.get(ref.arn)
        if found is None:
            found = ()
            if ref.known and ref.document:
                contents = self._contents
                found = tuple(
                    (cs, contents.setdefault((cs.statement.effect, cs.statement.conditions), len(contents)))
                    for cs in compiled(parsed(ref), "identity").for_action(self.action)
                )
            self._statements[ref.arn] = found
        return found

    def candidates(self, entries: Iterable[AccountEntry]) -> list[Profile]:
        """The principals of the entries holding a policy that may allow the action (a superset: the
        evaluator decides each one), in ARN order."""
        entries = list(entries)
        key = tuple(entry.org.account_id for entry in entries)
        found = self._candidates.get(key)
        if found is None:
            chosen: dict[str, Profile] = {}
            for entry in entries:
                for policy_arn, holders in entry.holders.items():
                    if self.matching(entry.policies[policy_arn])[1]:
                        for arn in holders:
                            chosen[arn] = entry.profiles[arn]
            found = self._candidates[key] = [chosen[arn] for arn in sorted(chosen)]
        return found

    def groups(
        self,
        profiles: Iterable[Profile],
        resource: str,
        extra: Callable[[Profile], Hashable] | None = None,
        *,
        by_account: bool = True,
    ) -> list[list[Member]]:
        """The principals grouped so that every member of a group gets its first member's decision on this
        action and `resource`, up to which of its policies and statements say it (`Member.statements`).

        The group key is what the decision depends on: the principal's account (SCPs, same-account rules),
        kind and service-linked flag; the *content* (Effect, Condition) of its statements about the action
        whose Resource can match `resource` (a statement that cannot match contributes nothing); and its
        boundary. When one of those statements, its boundary or an SCP looks at who the principal is, the
        results of those condition clauses for it join the key; a policy variable puts its ARN in the key
        instead, and it is decided on its own (`_about`). The same content in several of its policies
        counts once (OR of equal terms); each of them is a path. `extra` adds to the key what else the
        decision depends on (for a role trust: what its principal-level clauses give for the principal).

        Without `by_account`, principals of different accounts share a group when their accounts sit under
        the same SCPs (and are equally the management account or not): for a decision without a resource
        policy, whose resource is in the caller's account (or all candidates are of the resource's account),
        the account matters only through those and through account-level condition keys
        (aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceAccount), whose
        clause results are in the key like the principal-level ones."""
        known = len(self._principals)
        fits: dict[int, tuple[bool, bool]] = {}
        org_places: dict[int, Hashable] = {}
        context = _resource_only_context(resource)
        groups: dict[tuple[object, ...], list[Member]] = {}
        for profile in profiles:
            about = self._about(profile)
            personal, placed, contents = about.personal, about.always, about.always_key
            if about.maybe:
                placed = dict(placed)
                for cs, content, where in about.maybe:
                    found = fits.get(id(cs))
                    if found is None:
                        found = fits[id(cs)] = (_may_fit(cs, resource, context), _varies(cs, resource))
                    fit, varies = found
                    if fit and varies:
                        personal = profile.arn  # whether it matches depends on who the principal is
                    if fit and where not in (places := placed.get(content, ())):
                        placed[content] = (*places, where)
                contents = frozenset(placed)
            key = (
                personal,
                None if extra is None else extra(profile),
                profile.account_id if by_account else _cached(org_places, profile.org),
                about.traits,
                contents,
            )
            groups.setdefault(key, []).append(Member(profile, placed))
        if len(self._principals) - known > _FREEZE_AFTER:
            _freeze()  # what was just learnt about the principals lives as long as the index
        return list(groups.values())


Place = tuple[str, int, str | None]  # (policy ARN, statement index, Sid)


@dataclass(frozen=True, slots=True)
class _About:
    """What `ActionWeighing.groups` needs of one principal for one action, worked out once."""

    personal: object  # principal-level clause results, or the ARN (decided alone)
    always: dict[int, tuple[Place, ...]]  # statements whose Resource fits anything, by content
    always_key: frozenset[int]
    maybe: tuple[tuple[CompiledStatement, int, Place], ...]  # the others: fitted per question
    traits: tuple[object, ...]  # kind, service-linked, boundary content


@dataclass(frozen=True)
class Member:
    """A principal in a decision group, with where its deciding statements are, by content."""

    profile: Profile
    statements: Mapping[int, tuple[Place, ...]]

    def retarget(self, first: Member) -> dict[tuple[str, int], tuple[Place, ...]]:
        """Where each of `first`'s deciding statements, by (policy, index), is among this member's policies
        (its boundary's too: the group's boundaries have the same document, maybe under other names)."""
        where = {
            (policy, index): self.statements[content]
            for content, places in first.statements.items()
            for policy, index, _ in places
        }
        mine, theirs = self.profile.boundary, first.profile.boundary
        if mine is not None and theirs is not None and mine.arn != theirs.arn and mine.known and mine.document:
            for st in parsed(mine).statements:
                where[(theirs.arn, st.index)] = ((mine.arn, st.index, st.sid),)
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
    if isinstance(condition, Test):
        targets = where.get((condition.policy, condition.statement)) if condition.statement is not None else None
        if not targets or condition.policy_type not in _RETOLD:
            return condition
        policy, index, sid = targets[0]
        return Test(condition.key, condition.operator, condition.values, policy, index, sid, condition.policy_type)
    if isinstance(condition, Not):
        return neg(_retarget_condition(condition.item, where))
    if isinstance(condition, All):
        return conj(_retarget_condition(item, where) for item in condition.items)
    assert isinstance(condition, AnyOf)
    return disj(_retarget_condition(item, where) for item in condition.items)


_RETOLD = frozenset({"identity", "boundary"})  # the policy types whose statements a member has of its own
_VARIABLE = re.compile(r"\$\{[^}]*\}")
# Condition keys whose value differs between principals of one account and kind (who it is), and those
# that differ between accounts (see `ActionWeighing.groups`, by_account); tags: aws:PrincipalTag/...
_PRINCIPAL_LEVEL_KEYS = frozenset({"aws:principalarn", "aws:username", "aws:userid"})
_ACCOUNT_LEVEL_KEYS = frozenset(
    {"aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:resourceaccount"}
)
_PERSONAL_KEYS = _PRINCIPAL_LEVEL_KEYS | _ACCOUNT_LEVEL_KEYS


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


def _cached(places: dict[int, Hashable], org: OrgContext) -> Hashable:
    found = places.get(id(org))
    if found is None:
        found = places[id(org)] = _organization_place(org)
    return found


def _boundary_content(boundary: PolicyRef | None) -> Hashable:
    """A boundary by what it says (equal documents under different names decide alike), or by its ARN when
    its document is not loaded."""
    if boundary is None:
        return None
    return ("document", boundary.document) if boundary.known and boundary.document else ("arn", boundary.arn)


def _organization_place(org: OrgContext) -> Hashable:
    """What an account's place in its organization means for a decision: the SCPs at each level (the
    same parsed policies are the same objects) and whether it is the management account."""
    management = org.management_account_id == org.account_id
    return management, tuple(tuple(id(policy) for policy in level) for level in org.scp_levels)


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
