"""The product's questions. The graph narrows the candidates; the evaluator decides each one.

who_can_assume(role)        principals that can assume a role (and, with max_hops > 1, reach one that can)
who_can(action, resource)   principals whose effective permissions allow the action on the resource
access(principal, ...)      one decision with its explanation
cross_account_trusts()      trust statements that reach outside a role's account or organization
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from service.database.reader import GraphReader
from service.errors import QueryError
from service.evaluation import Policy, Principal, parse_policy
from service.evaluation.context import RequestContext
from service.evaluation.engine import Decision, evaluate
from service.evaluation.formula import Cond, Test, map_tests
from service.evaluation.request import Request, arn_account, principal_from_arn
from service.evaluation.statements import compiled
from service.reachability.index import (
    ActionWeighing,
    Entry,
    Group,
    Member,
    PrincipalIndex,
    about_the_account_only,
    blind_statement,
    condition_places,
    personal_clauses,
    retarget_decision,
)
from service.reachability.model import Access, Answers, LazyPaths, NodeRef, Path, unknown_policy_condition
from service.reachability.paths import assume_paths, identity_paths, principal_ref
from service.reachability.profiles import OrgContext, Profile, ProfileStore, parse_document

MAX_HOPS = 5
_MAX_DECISIONS = 200_000  # group decisions kept across whoCanAssume questions (see `_group_decision`)
ASSUME_ROLE = "sts:AssumeRole"
_ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass(frozen=True)
class Role:
    arn: str
    name: str
    account_id: str
    trust_document: str
    trust: Policy
    org: OrgContext

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.arn, "role", self.name, self.account_id)


class Reachability:
    """Answers for one request: caches profiles and roles across the hops of one question."""

    def __init__(self, reader: GraphReader, index: PrincipalIndex | None = None) -> None:
        self.reader = reader
        self.store = ProfileStore(reader, index or PrincipalIndex())
        self._roles: dict[str, Role | None] = {}
        self._assumers: dict[str, Sequence[Access]] = {}

    # -- who can assume ----------------------------------------------------------------------------------

    async def _remembered(
        self, question: Hashable, compute: Callable[[], Awaitable[Sequence[Access]]]
    ) -> Sequence[Access]:
        """The answer to `question` as of the graph's current loads: computed once, then shared (answers
        are immutable) until a load changes the graph or the cache lets it go."""
        key = (question, (await self.store.generation()).key)
        answers = self.store.index.answers
        found = answers.get(key)
        if found is None:
            found = await compute()
            answers.put(key, found)
        return found

    async def who_can_assume(self, role_arn: str, max_hops: int = 1) -> Sequence[Access]:
        _check_hops(max_hops, minimum=1)
        return await self._remembered(
            ("whoCanAssume", role_arn, max_hops), lambda: self._who_can_assume(role_arn, max_hops)
        )

    async def _who_can_assume(self, role_arn: str, max_hops: int) -> Sequence[Access]:
        if await self._role(role_arn) is None:
            raise QueryError(f"no role {role_arn!r} in the graph")
        return await self._chains(await self._direct_assumers(role_arn), 2, max_hops, frozenset({role_arn}))

    async def _chains(
        self, first: Sequence[Access], first_hop: int, last_hop: int, exclude: frozenset[str] = frozenset()
    ) -> Sequence[Access]:
        """Extend `first` (in ARN order) backwards through role assumption: the principals that can assume a
        role in the answer join it, numbered `first_hop` to `last_hop`; each keeps its shortest chain."""
        if first_hop > last_hop:
            return first
        found = {access.principal.arn: access for access in first}
        frontier = [a for a in first if a.principal.kind == "role"]
        for hop in range(first_hop, last_hop + 1):
            next_frontier: list[Access] = []
            for reached in frontier:
                for assumer in await self._direct_assumers(reached.principal.arn):
                    arn = assumer.principal.arn
                    if arn in found or arn in exclude:
                        continue
                    prefix: Path = reached.paths[0] if reached.paths else ()
                    chained = assumer.via(prefix, reached.condition, hop)
                    found[arn] = chained
                    if assumer.principal.kind == "role":
                        next_frontier.append(chained)
            frontier = next_frontier
            if not frontier:
                break
        return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))

    async def _direct_assumers(self, role_arn: str) -> Sequence[Access]:
        if role_arn in self._assumers:
            return self._assumers[role_arn]
        role = await self._role(role_arn)
        if role is None:
            return []
        targets = await self.reader.rows("reach_trust_targets", arn=role_arn)
        direct: set[str] = set()
        accounts: set[str] = set()
        everyone = False
        external: list[dict[str, object]] = []
        # Whom any statement names (Allow or Deny): decided on their own, never by their group's decision.
        named = {str(t["target"]) for t in targets if t["targetKind"] in ("user", "role")}
        for target in targets:
            if target["effect"] != "Allow":
                continue
            kind = target["targetKind"]
            if target["notPrincipal"] or (kind == "external" and target["externalKind"] == "any"):
                everyone = True
                external.append(target)
            elif kind in ("user", "role"):
                direct.add(str(target["target"]))
            elif kind == "account" and target["targetLoaded"]:
                accounts.add(str(target["target"]))
            else:
                external.append(target)
        alone = await self.store.profiles(sorted(direct))
        entries = await self.store.entries(None if everyone else sorted(accounts)) if accounts or everyone else {}
        weighing = self.store.weighing(ASSUME_ROLE.lower())  # (for the entries just read)
        # In the role's own account a trust policy admitting anyone grants without any identity policy: every
        # user and role there is a candidate, not only those whose policies allow it.
        shapes = weighing.shapes(entries.values(), everyone_in=role.account_id if everyone else None)
        # The principals the trust policy names are decided on their own; so is everyone when it has a
        # NotPrincipal (which can leave out any one principal). The others are admitted through their account
        # (or `*`): their decisions group as whoCan's do.
        about_accounts = _trust_is_about_accounts(role)
        for shape in shapes if named or not about_accounts else ():
            if not about_accounts or not named.isdisjoint(shape.arns):
                alone.update(entry for entry in shape.entries if not about_accounts or entry[0] in named)
        alone.pop(role_arn, None)
        answers: list[Access] = []
        paths: MakePaths = partial(_assume_paths_of, role=role)
        for profile in alone.values():
            member = Member(profile, {})
            decided = self._decide(profile, ASSUME_ROLE, role.arn, role.account_id, role.org, role.trust, "role-trust")
            if (answer := _Told(None, member, decided, paths, 1).answer(profile)) is not None:
                answers.append(answer)
        answers += [answer for target in _unique_external(external) if (answer := self._assume_external(target, role))]
        answers.sort(key=_principal_arn)
        total, told = len(answers), []
        if about_accounts and shapes:
            # A trust policy that names no account admits every account alike: then principals of different
            # accounts group together (under the same SCPs, see `groups`), split only by whether they are in
            # the role's own account (where the trust policy alone can grant).
            anyone = everyone and not (accounts or named)
            key, by_account = _trust_keys(role)
            groups = weighing.groups(
                shapes,
                role.arn,
                key,
                by_account=not anyone,
                extra_by_account=by_account,
                leave_out=named | {role_arn},
            )
            facts = _role_facts(role)
            for group in groups:
                leader, decided, told_as = self._group_decision(weighing, group, role, facts)
                if count := _counted(group, decided):
                    total += count
                    rename = None if told_as == role.trust.name else (told_as, role.trust.name)
                    members = group.entries(unknown_only=decided.decision != "Allowed")
                    told.append((_Told(group, leader, decided, paths, 1, rename), members))
        found = _merged(answers, told, total)
        self._assumers[role_arn] = found
        return found

    def _group_decision(
        self, weighing: ActionWeighing, group: Group, role: Role, facts: Hashable | None
    ) -> tuple[Member, Decision, str]:
        """The group's decision on assuming the role, the member it was made for, and the name of the trust
        policy it was told in (another role's, when kept from a question about it).

        Roles whose trust policies are one document decide a group alike when nothing in the group's
        policies, nor in the trust policy and the role account's RCPs, looks at the resource beyond which
        statements fit it (`ActionWeighing.blind`, `_role_facts`): a decision made for one of them is kept
        and told for the next (its trust policy's name), so the roles that trust the whole organization
        are decided once per group rather than once per role."""
        shared = facts is not None and weighing.blind(group) and not isinstance(group.key[1], str)
        key = (group.key, facts if shared else (role.arn, role.trust_document))
        found = weighing.decisions.get(key)
        if found is not None:
            return found
        leader = group.leader
        decided = self._decide(
            leader.profile, ASSUME_ROLE, role.arn, role.account_id, role.org, role.trust, "role-trust"
        )
        if len(weighing.decisions) >= _MAX_DECISIONS:
            weighing.decisions.clear()
        found = weighing.decisions[key] = (leader, decided, role.trust.name)
        return found

    def _assume_external(self, target: dict[str, object], role: Role) -> Access | None:
        """Principals outside the loaded data: decided on the trust policy, their own side assumed willing."""
        kind = str(target["targetKind"])
        value = str(target["target"])
        external_kind = str(target.get("externalKind") or "")
        notes: list[str] = []
        identity: tuple[Policy, ...] = ()
        action = ASSUME_ROLE
        if kind == "account":
            principal = Principal(f"arn:aws:iam::{value}:user/*", value, "user", attributes_known=False)
            ref = NodeRef(f"arn:aws:iam::{value}:root", "account", value, value)
            notes.append(
                f"account {value} is not loaded: any of its principals whose own policies allow "
                f"sts:AssumeRole on {role.name} (and whose SCPs allow it)"
            )
            identity = (_assumed_willing(value),)
        elif kind == "placeholder":
            principal = replace(principal_from_arn(value), attributes_known=False)
            ref = NodeRef(value, principal.kind, principal.name, principal.account_id)
            notes.append(
                f"{value} belongs to account {principal.account_id}, which is not loaded: "
                "its own policies must also allow sts:AssumeRole"
            )
            identity = (_assumed_willing(principal.account_id or "unknown"),)
        elif external_kind == "service":
            principal = Principal(arn=str(target["externalValue"]), account_id=None, kind="service")
            ref = NodeRef(principal.arn, "service", principal.arn, None)
        elif external_kind == "federated":
            provider = str(target["externalValue"])
            principal = Principal(arn=provider, account_id=arn_account(provider), kind="federated")
            ref = NodeRef(provider, "federated", provider.rsplit("/", 1)[-1], arn_account(provider))
            action = "sts:AssumeRoleWithSAML" if ":saml-provider/" in provider else "sts:AssumeRoleWithWebIdentity"
        elif external_kind == "any":
            principal = Principal(arn="*", account_id=None, kind="user", attributes_known=False)
            ref = NodeRef("*", "any", "any AWS principal", None)
            notes.append("the trust policy admits principals of any AWS account whose own policies allow it")
            identity = (_assumed_willing("any"),)
        else:
            ref = NodeRef(value, external_kind or "unknown", str(target.get("externalValue") or value), None)
            return Access(
                ref,
                None,
                (),
                (
                    f"the trust policy names {target.get('principal')!r}, which matches no "
                    "known principal (a deleted role or user shows as its unique id)",
                ),
                1,
            )
        decision = evaluate(
            Request(principal=principal, action=action, resource=role.arn, resource_account=role.account_id),
            identity_policies=identity,
            resource_control_policies=role.org.rcp_levels or None,
            resource_policy=role.trust,
            resource_kind="role-trust",
            resource_in_management_account=role.org.management_account_id == role.account_id,
        )
        if decision.decision != "Allowed":
            return None
        paths = assume_paths(ref, [], role.ref, role.trust_document, decision)
        return Access(ref, decision.condition, paths, tuple(notes), 1)

    # -- who can do --------------------------------------------------------------------------------------

    async def who_can(
        self, action: str, resource: str, max_hops: int = 0, resource_account: str | None = None
    ) -> Sequence[Access]:
        _check_hops(max_hops, minimum=0)
        _check_action(action)
        question = ("whoCan", action.lower(), resource, max_hops, resource_account)
        return await self._remembered(question, lambda: self._who_can(action, resource, max_hops, resource_account))

    async def _who_can(
        self, action: str, resource: str, max_hops: int, resource_account: str | None
    ) -> Sequence[Access]:
        role = await self._role(resource) if _is_assume(action) else None
        if role is not None:
            first = await self._direct_assumers(role.arn)
            return await self._chains(first, 2, max_hops + 1, frozenset({role.arn}))
        resource_account = _resource_account(resource, resource_account)
        resource_org = await self.store.org_context(resource_account) if resource_account else None
        # Without a resource policy (none is loaded for a generic resource) only principals of the resource's
        # own account can be allowed. A resource whose ARN names no account (an S3 object) and that comes
        # without `resource_account` is taken to be in each caller's own account: every account is weighed.
        entries = await self.store.entries([resource_account] if resource_account else None)
        weighing = self.store.weighing(action.lower())
        total, told = 0, []
        for group in weighing.groups(weighing.shapes(entries.values()), resource, by_account=False):
            leader = group.leader
            decided = self._decide(leader.profile, action, resource, resource_account, resource_org, None, "generic")
            if count := _counted(group, decided):
                total += count
                entries_of = group.entries(unknown_only=decided.decision != "Allowed")
                told.append((_Told(group, leader, decided, _member_paths, 0), entries_of))
        return await self._chains(_merged([], told, total), 1, max_hops)

    # -- one decision --------------------------------------------------------------------------------------

    async def access(
        self, principal_arn: str, action: str, resource: str, resource_account: str | None = None
    ) -> tuple[NodeRef, Decision, Profile]:
        _check_action(action)
        profile = (await self.store.profiles([principal_arn])).get(principal_arn)
        if profile is None:
            raise QueryError(f"no user or role {principal_arn!r} in the graph")
        role = await self._role(resource) if _is_assume(action) else None
        if role is not None:
            decision = self._decide(profile, action, role.arn, role.account_id, role.org, role.trust, "role-trust")
        else:
            account = _resource_account(resource, resource_account)
            org = await self.store.org_context(account) if account else None
            decision = self._decide(profile, action, resource, account, org, None, "generic")
        return principal_ref(profile), decision, profile

    # -- plumbing ----------------------------------------------------------------------------------------

    def _decide(
        self,
        profile: Profile,
        action: str,
        resource: str,
        resource_account: str | None,
        resource_org: OrgContext | None,
        resource_policy: Policy | None,
        kind: str,
    ) -> Decision:
        principal = profile.principal
        return evaluate(
            Request(principal=principal, action=action, resource=resource, resource_account=resource_account),
            identity_policies=profile.identity_policies,
            permissions_boundaries=profile.boundary_policies,
            service_control_policies=profile.org.scp_levels or None,
            resource_control_policies=(resource_org.rcp_levels or None) if resource_org else None,
            resource_policy=resource_policy,
            resource_kind=kind,  # type: ignore[arg-type]
            resource_in_management_account=bool(
                resource_org and resource_org.management_account_id == resource_account
            ),
        )

    async def _role(self, arn: str) -> Role | None:
        if arn not in self._roles:
            rows = await self.reader.rows("reach_role", arn=arn)
            if not rows:
                self._roles[arn] = None
            else:
                row = rows[0]
                org = await self.store.org_context(str(row["accountId"]))
                document = str(row["trustPolicy"])
                self._roles[arn] = Role(
                    arn=arn,
                    name=str(row["name"]),
                    account_id=str(row["accountId"]),
                    trust_document=document,
                    trust=parse_document(f"{row['name']} trust policy", document),
                    org=org,
                )
        return self._roles[arn]


def _access_from(profile: Profile, decision: Decision) -> Access | None:
    """An Access for an allowed decision; for an implicit deny that an unloaded policy might flip, a
    conditional one that names the unknown policy. Never a silent drop, never a silent grant."""
    ref = principal_ref(profile)
    if decision.decision == "Allowed":
        return Access(ref, decision.condition, (), ())
    unknown = profile.unknown_policies
    if decision.decision == "ImplicitlyDenied" and unknown:
        arns = tuple(policy.arn for policy in unknown)
        note = "may be allowed: " + ", ".join(arns) + " is referenced but its document was not loaded"
        return Access(ref, unknown_policy_condition(arns), (), (note,))
    return None


def _trust_is_about_accounts(role: Role) -> bool:
    """Whether the trust policy admits the principals it does not name by their account (or `*`): it has no
    NotPrincipal, which can leave out any one principal."""
    return not any(st.not_principals is not None for st in role.trust.statements)


def _counted(group: Group, decided: Decision) -> int:
    """How many answers the group's members give under its decision (see `_Told.answer`): all of them when
    allowed; on an implicit deny, those that hold a policy whose document is not loaded."""
    if decided.decision == "Allowed":
        return group.size
    return group.unknown if decided.decision == "ImplicitlyDenied" else 0


MakePaths = Callable[[Member, Member, Decision], Sequence[Path]]


class _Told:
    """A group's decision as it reads for each member with an answer: its condition tests retold in the
    member's own statements; its explanation retold only for the paths, when they are read. Members whose
    named statements agree share one retelling. A decision kept from another role's question (see
    `Reachability._group_decision`) is first told for this role's trust policy, when an answer needs it."""

    __slots__ = ("_decided", "_group", "_hops", "_named", "_paths", "_rename", "_retold", "leader")

    def __init__(
        self,
        group: Group | None,
        leader: Member,
        decided: Decision,
        paths: MakePaths,
        hops: int,
        rename: tuple[str, str] | None = None,
    ) -> None:
        self._group, self.leader, self._paths, self._hops = group, leader, paths, hops
        self._decided, self._rename = decided, rename
        self._named: tuple[int | None, ...] | None = None
        self._retold: dict[tuple[object, ...], Decision] = {}

    @property
    def decided(self) -> Decision:
        if self._rename is not None:
            self._decided, self._rename = _told_for(self._decided, *self._rename), None
        return self._decided

    def answer(self, profile: Profile) -> Access | None:
        member = self.leader if self._group is None else self._group.member(profile)
        decided, leader = self.decided, self.leader
        allowed = decided.decision == "Allowed"
        if self._named is None:
            # The contents of the statements the condition names: a member's retelling depends on where
            # those are.
            content_of = {(p, i): content for content, places in leader.statements.items() for p, i, _ in places}
            self._named = tuple(content_of.get(place) for place in condition_places(decided.condition))
        if member is leader or (allowed and not self._named):
            decision = decided
        elif allowed or profile.unknown_policies:
            # (The boundary too: its tests are retold under the member's own boundary.)
            key = (member.boundary, *(member.statements.get(c) if c is not None else None for c in self._named))
            found = self._retold.get(key)
            if found is None:
                found = self._retold[key] = retarget_decision(decided, member.retarget(leader), explanation=False)
            decision = found
        else:
            return None
        if (answer := _access_from(profile, decision)) is None:
            return None
        paths = LazyPaths(partial(self._paths, member, leader, decided))
        return Access(answer.principal, answer.condition, paths, answer.notes, self._hops)


def _merged(ready: list[Access], told: list[tuple[_Told, Iterator[Entry]]], total: int) -> Answers:
    """The answers in ARN order: `ready` ones (sorted) and the groups' members', made as they are read."""
    # (Numbered so that equal ARNs, as two stand-ins for one unloaded account could have, never compare the
    # items themselves.)
    streams: list[Iterable[tuple[str, int, Any]]] = [[(a.principal.arn, -1 - i, a) for i, a in enumerate(ready)]]
    streams += [_numbered(number, entries) for number, (_, entries) in enumerate(told)]

    def made() -> Iterator[Access]:
        for _, number, item in heapq.merge(*streams):
            if number < 0:
                yield item
            elif (answer := told[number][0].answer(item)) is not None:
                yield answer

    return Answers(total, made())


def _numbered(number: int, entries: Iterator[Entry]) -> Iterator[tuple[str, int, Profile]]:
    for arn, profile in entries:
        yield arn, number, profile


def _role_facts(role: Role) -> Hashable | None:
    """What a decision on assuming the role depends on besides the principal's group and which of its
    statements fit the role's ARN: the trust policy's document, and the RCPs over the role's account (and
    whether that is the management account). None when the trust policy or an RCP looks at the resource
    itself (a Resource other than `*`, a condition on the resource's tags or account...): then decisions
    are kept for this role alone."""
    action = ASSUME_ROLE.lower()
    trust = compiled(role.trust, "resource").for_action(action)
    rcps = [cs for level in role.org.rcp_levels for p in level for cs in compiled(p, "rcp").for_action(action)]
    if not all(blind_statement(cs) for cs in (*trust, *rcps)):
        return None
    management = role.org.management_account_id == role.account_id
    return role.trust_document, management, tuple(tuple(level) for level in role.org.rcp_levels)


def _told_for(decision: Decision, told: str, name: str) -> Decision:
    """A decision made on one role's trust policy (named `told`), told for another role's trust policy of
    the same document (named `name`)."""

    def rename(test: Test) -> Test:
        return replace(test, policy=name) if test.policy_type == "resource" and test.policy == told else test

    condition = None if decision.condition is None else map_tests(decision.condition, rename)
    assert not isinstance(condition, bool), "renaming a policy cannot decide a condition"
    reasons = tuple(
        replace(reason, policy=name) if reason.policy_type == "resource" and reason.policy == told else reason
        for reason in decision.explanation
    )
    return Decision(decision.decision, condition, reasons)


def _principal_arn(access: Access) -> str:
    return access.principal.arn


def _assume_paths_of(member: Member, leader: Member, decision: Decision, *, role: Role) -> tuple[Path, ...]:
    """A group member's paths to the role: the leader's decision, told in the member's own policies."""
    if member is not leader:
        decision = retarget_decision(decision, member.retarget(leader))
    profile = member.profile
    return assume_paths(
        principal_ref(profile), identity_paths(profile, decision), role.ref, role.trust_document, decision
    )


def _trust_keys(role: Role) -> tuple[Callable[[Profile], Hashable], bool]:
    """`_trust_key` for this role, and whether it is the same for every principal of an account: when the
    trust policy's clauses look at nothing finer than the principal's account (aws:PrincipalOrgID, say)."""
    if not about_the_account_only(compiled(role.trust, "resource").for_action(ASSUME_ROLE.lower())):
        return partial(_trust_key, role), False
    by_account: dict[str, Hashable] = {}

    def key(profile: Profile) -> Hashable:
        found = by_account.get(profile.account_id)
        if found is None:
            found = by_account[profile.account_id] = _trust_key(role, profile)
        return found

    return key, True


def _trust_key(role: Role, profile: Profile) -> Hashable:
    """What the trust policy's clauses on who the principal is (aws:PrincipalArn, tags, ...) give for this
    principal; its ARN when the trust policy uses a policy variable."""
    context = RequestContext(
        Request(principal=profile.principal, action=ASSUME_ROLE, resource=role.arn, resource_account=role.account_id)
    )
    results: list[Cond] = []
    for cs in compiled(role.trust, "resource").for_action(ASSUME_ROLE.lower()):
        if personal_clauses(cs, context, results):
            return profile.arn
    return profile.account_id == role.account_id, tuple(results)


def _member_paths(member: Member, leader: Member, decision: Decision) -> list[Path]:
    """The paths of a group member: the leader's decision, its explanation told in the member's policies."""
    if member is leader:
        return identity_paths(member.profile, decision)
    return identity_paths(member.profile, retarget_decision(decision, member.retarget(leader)))


def _assumed_willing(account: str) -> Policy:
    return parse_policy(_ALLOW_ALL, name=f"(identity policies in account {account}, not loaded)")


def _unique_external(targets: Iterable[dict[str, object]]) -> list[dict[str, object]]:
    seen: dict[str, dict[str, object]] = {}
    for target in targets:
        seen.setdefault(f"{target['targetKind']}:{target['target']}", target)
    return list(seen.values())


def _is_assume(action: str) -> bool:
    return action.lower().startswith("sts:assumerole")


def _check_hops(max_hops: int, *, minimum: int) -> None:
    if not minimum <= max_hops <= MAX_HOPS:
        raise QueryError(f"maxHops must be between {minimum} and {MAX_HOPS}, not {max_hops}")


def _resource_account(resource: str, given: str | None) -> str | None:
    """The resource's account: from its ARN, else as given (an S3 bucket's ARN names no account)."""
    named = arn_account(resource)
    if given is not None:
        if not (len(given) == 12 and given.isdigit()):
            raise QueryError(f"resourceAccount must be a 12-digit account id, not {given!r}")
        if named and named != given:
            raise QueryError(f"{resource} is in account {named}, not {given}")
    return named or given


def _check_action(action: str) -> None:
    service, _, name = action.partition(":")
    if not service or not name or any(c.isspace() for c in action):
        raise QueryError(f"{action!r} is not an action; write service:Action, such as s3:GetObject")
