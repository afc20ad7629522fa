"""The checker: for one account, every escalation the catalogue's techniques allow, decided by the
evaluator. Each technique's placeholders are bound to the account's roles, users, groups and policies;
each required action is decided with whoCan's class machinery (`grants.who_may`) and the technique's
request context; the actors are those allowed every required action (their conditions joined) who meet
the technique's prerequisites in the IAM data."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import NamedTuple

from service.database.records import GroupRecord
from service.escalation import Evidence, Gain, Placeholder, PolicyOrigin, Prerequisite, RequiredAction, Technique
from service.evaluation.engine import evaluate
from service.evaluation.formula import Condition
from service.evaluation.request import Principal, Request
from service.reachability.classes import Member
from service.reachability.decide import ClassAnswers, Target, decide, member_paths
from service.reachability.escalation.grants import Context, profile_may, who_may
from service.reachability.escalation.steps import (
    ALLOW_ALL,
    AccountCredentials,
    Escalation,
    Grant,
    UserCredentials,
    authored_policy,
    escalation,
    policy_ref,
    with_policies,
)
from service.reachability.escalation.targets import TargetClasses
from service.reachability.escalation.ways import Allowed, Ways
from service.reachability.index import IndexView
from service.reachability.model import Access, NodeRef
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, PolicyRef, Profile, Role
from service.reachability.sharing import RoleFacts
from service.reachability.who_can_assume import Assumers

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
_HELPER = Placeholder.HELPER_ROLE.template


class AccountChecker:
    """Every escalation of one account's principals onto the account's roles, users, groups and policies."""

    def __init__(self, entry: AccountEntry, groups: Sequence[GroupRecord], techniques: Sequence[Technique]) -> None:
        self.entry = entry
        self.groups = list(groups)
        self.techniques = [t for t in techniques if t.decided_by is not Evidence.INVENTORY]
        self._may: dict[
            tuple[str, Hashable, tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]], dict[str, Access]
        ] = {}
        self.targets = TargetClasses(entry)
        self._roles: dict[str, Role | None] = {}
        self._trusting: dict[tuple[str, ...], list[str]] = {}
        self._assumed: dict[tuple[str, str], tuple[Role, Profile, Access | None]] = {}
        self._becoming: dict[_Becoming, list[Escalation]] = {}
        self._ways: dict[_Becoming, list[Ways]] = {}
        self._allowed_actors: dict[Hashable, dict[str, tuple[Access, ...]]] = {}
        self._service_trusts: dict[tuple[RoleFacts, str, str], bool] = {}
        self._gains: list[Escalation] | None = None
        self._credentials: AccountCredentials | None = None
        self._credentials_read = False
        self.view: IndexView
        self.assumers: Assumers

    def using(self, assumers: Assumers) -> AccountChecker:
        """Bind the question being answered (its view of the index); what is worked out stays for the
        generation, which the caller keys this checker by."""
        self.view, self.assumers = assumers.view, assumers
        return self

    @property
    def roles(self) -> list[Profile]:
        return [p for p in self.entry.profiles.values() if p.kind == "role"]

    @property
    def users(self) -> list[Profile]:
        return [p for p in self.entry.profiles.values() if p.kind == "user"]

    def may(
        self, action: str, resource: str, context: Context | None = None, leave_out: frozenset[str] = frozenset()
    ) -> dict[str, Access]:
        """Who of the account may do `action` on `resource` with `context`, by ARN (worked out once per
        target class: see targets.py)."""
        key = (action.lower(), self.targets.key(action, resource), _context_key(context or {}), leave_out)
        found = self._may.get(key)
        if found is None:
            found = self._may[key] = {
                a.principal.arn: a for a in who_may(self.view, self.entry, action, resource, context or {}, leave_out)
            }
        return found

    async def role(self, arn: str) -> Role | None:
        if arn not in self._roles:
            self._roles[arn] = await self.assumers.role(arn)
        return self._roles[arn]

    async def credentials(self) -> AccountCredentials | None:
        """The account's loaded credential report and security snapshot (None: neither is loaded), read on
        first use by a credential technique and kept with the checker, which is kept per generation."""
        if not self._credentials_read:
            records = await self.view.source.account_security(self.entry.account_id)
            self._credentials = AccountCredentials(records[0]) if records else None
            self._credentials_read = True
        return self._credentials

    async def gains(self) -> list[Escalation]:
        """The escalations after which the actor acts with more: a policy on itself or its group, a new
        version of its own policy, a group joined. Worked out once."""
        if self._gains is None:
            found: list[Escalation] = []
            for technique in self.techniques:
                holders = {a.resource for a in technique.actions}
                if technique.trusted_services or Placeholder.TARGET_ROLE.template in holders:
                    continue
                if Placeholder.TARGET_GROUP.template in holders:
                    found += self._on_groups(technique)
                elif Placeholder.TARGET_USER.template in holders:
                    continue
                elif Placeholder.POLICY.template in holders and technique.outcome.gain is Gain.GAINS_POLICY:
                    found += self._on_own_policies(technique)
                elif Placeholder.ACTOR.template in holders:
                    found += self._on_itself(technique)
            self._gains = found
        return self._gains

    def changes_some_principal(self) -> bool:
        """Whether anyone of the account may change some role or user of it before becoming it (put or
        attach a policy, write a policy version): only then can becoming one make an administrator of a
        principal that is not one."""
        account = self.entry.account_id
        writes = {
            (a.action, a.resource)
            for t in self.techniques
            if t.outcome.policy is not None and t.outcome.gain is not Gain.GAINS_POLICY
            for a in t.actions
            if a.action != ASSUME_ROLE and a.resource != Placeholder.PASSED_ROLE.template
        }
        patterns = {
            Placeholder.TARGET_ROLE.template: f"arn:aws:iam::{account}:role/*",
            Placeholder.TARGET_USER.template: f"arn:aws:iam::{account}:user/*",
            Placeholder.POLICY.template: f"arn:aws:iam::{account}:policy/*",
        }
        return any(self.may(action, patterns.get(resource, "*")) for action, resource in writes)

    async def becoming(self, arn: str) -> list[Escalation]:
        """The escalations by which an actor of this account becomes the role or user `arn` (of this
        account). Worked out once per principal."""
        return await self._made(_Becoming(arn))

    async def ways(self, arn: str) -> list[Ways]:
        """`becoming(arn)` for a walk, before the escalations are made; without those whose actor must
        also be allowed to assume the role as its trust policy decides (iam-014/016/017 and the like): a
        walk always finds such an actor one hop away through that very assumption first (a role's direct
        assumers come before its techniques), so that way is never the one kept, and deciding its
        `sts:AssumeRole` actor by actor was most of a walk's cost. Worked out once per principal."""
        key = _Becoming(arn, walking=True)
        found = self._ways.get(key)
        if found is None:
            found = self._ways[key] = await self._ways_now(key)
        return found

    async def making_admin(
        self, arn: str, leave_out: frozenset[str], admin: Callable[[Profile], bool]
    ) -> list[Escalation]:
        """The escalations that change the role or user `arn` first (a policy put on it or rewritten) into
        a principal `admin` says is an administrator, by actors not in `leave_out` (the administrators, for
        whom a change gains nothing). A binding whose changed principal is no administrator is dropped
        before its actors are decided. Worked out once per principal."""
        return await self._made(_Becoming(arn, True, leave_out), admin)

    async def _made(self, key: _Becoming, admin: Callable[[Profile], bool] | None = None) -> list[Escalation]:
        found = self._becoming.get(key)
        if found is None:
            found = self._becoming[key] = [e for ways in await self._ways_now(key, admin) for e in ways.made()]
        return found

    async def _ways_now(self, key: _Becoming, admin: Callable[[Profile], bool] | None = None) -> list[Ways]:
        arn, changed_only, leave_out = key.arn, key.changed_only, key.leave_out
        profile = self.entry.profiles.get(arn)
        found: list[Ways] = []
        for technique in self.techniques if profile is not None else ():
            assert profile is not None
            if changed_only and technique.outcome.policy is None:
                continue
            holders = {a.resource for a in technique.actions}
            if profile.kind == "role" and Prerequisite.ROLE_CHAIN in technique.prerequisites:
                found += await self._through_passed_role(technique, profile, leave_out)
            elif profile.kind == "role" and technique.trusted_services:
                found += await self._passes_role(technique, profile, leave_out)
            elif profile.kind == "role" and Placeholder.TARGET_ROLE.template in holders:
                if key.walking and Prerequisite.TARGET_TRUSTS_ACTOR in technique.prerequisites:
                    continue
                found += await self._on_roles(technique, profile, leave_out, admin)
            elif profile.kind == "user" and Placeholder.TARGET_USER.template in holders:
                credentials = await self.credentials() if technique.decided_by is Evidence.CREDENTIAL_STATE else None
                found += self._on_users(technique, profile, leave_out, credentials, admin)
        return found

    # --- binding --------------------------------------------------------------------------------------

    def _managed_bindings(self, action: str, resource: str, leave_out: frozenset[str] = frozenset()) -> list[PolicyRef]:
        """The managed policies an actor may attach: AdministratorAccess (AWS publishes it: Allow `*` on
        `*`), then, when iam:PolicyARN narrows what may be attached, each managed policy the account holds."""
        admin = self.entry.policies.get(ADMINISTRATOR_ACCESS) or PolicyRef(
            ADMINISTRATOR_ACCESS, "AdministratorAccess", "aws", True, ALLOW_ALL
        )
        found = [admin]
        by_admin = self.may(action, resource, {"iam:PolicyARN": (ADMINISTRATOR_ACCESS,)}, leave_out)
        if set(self.may(action, resource, None, leave_out)) - set(by_admin):
            found += [
                ref
                for arn, ref in sorted(self.entry.policies.items())
                if arn != ADMINISTRATOR_ACCESS and ref.kind in ("aws", "customer") and ref.loaded
            ]
        return found

    def _grants(
        self,
        technique: Technique,
        binding: Mapping[str, str],
        actors: Iterable[str] | None = None,
        leave_out: frozenset[str] = frozenset(),
    ) -> dict[str, list[Grant]]:
        """The actors (not in `leave_out`) allowed every required action of the technique under `binding`
        (template → value)."""
        if all(required.resource != Placeholder.ACTOR.template for required in technique.actions):
            allowed = self._allowed(technique, binding, leave_out)
            wanted = None if actors is None else set(actors)
            return {arn: allowed.grants(arn) for arn in allowed.actors if wanted is None or arn in wanted}
        found: dict[str, list[Grant]] | None = None
        for required in technique.actions:
            resource = binding.get(required.resource, required.resource)
            context = _context(required, binding)
            if required.resource == Placeholder.ACTOR.template:
                # The resource is each actor itself: decided one by one, for the principals holding a policy
                # that may allow the action at all.
                one: dict[str, Access] = {}
                for profile in self._candidates(required.action, actors):
                    if (access := profile_may(profile, self.entry, required.action, profile.arn, context)) is not None:
                        one[profile.arn] = access
                may = one
            else:
                may = self.may(required.action, resource, context, leave_out)
            grants = {arn: Grant(required.action, resource, access) for arn, access in may.items()}
            if found is None:
                found = {arn: [grant] for arn, grant in grants.items() if actors is None or arn in actors}
            else:
                found = {arn: [*had, grants[arn]] for arn, had in found.items() if arn in grants}
            if not found:
                return {}
        return found or {}

    def _allowed(self, technique: Technique, binding: Mapping[str, str], leave_out: frozenset[str]) -> Allowed:
        """`_grants` before its grants are made, for a technique none of whose actions is on the actor
        itself. The actors are the same mapping for every binding of the same target classes (kept)."""
        parts = [
            (required.action, binding.get(required.resource, required.resource), _context(required, binding))
            for required in technique.actions
        ]
        key = (
            tuple((a.lower(), self.targets.key(a, resource), _context_key(c)) for a, resource, c in parts),
            leave_out,
        )
        found = self._allowed_actors.get(key)
        if found is None:
            actors: dict[str, tuple[Access, ...]] | None = None
            for action, resource, context in parts:
                may = self.may(action, resource, context, leave_out)
                if actors is None:
                    actors = {arn: (access,) for arn, access in may.items()}
                else:
                    actors = {arn: (*had, may[arn]) for arn, had in actors.items() if arn in may}
                if not actors:
                    break
            found = self._allowed_actors[key] = actors or {}
        return Allowed(tuple((action, resource) for action, resource, _ in parts), found)

    def _candidates(self, action: str, actors: Iterable[str] | None) -> list[Profile]:
        candidates = self.view.action(action.lower()).policies.candidates(self.entry)
        if actors is not None:
            wanted = set(actors)
            candidates = [p for p in candidates if p.arn in wanted]
        return candidates

    # --- techniques by target -------------------------------------------------------------------------

    def _on_itself(self, technique: Technique) -> list[Escalation]:
        kind = _actor_kind(technique)
        found: list[Escalation] = []
        origin = technique.outcome.policy
        action = technique.actions[0]
        for policy in self._policies_for(technique, origin, action.action, "*"):
            binding = {Placeholder.POLICY.template: policy.arn} if origin is PolicyOrigin.MANAGED else {}
            for arn, grants in self._grants(technique, binding).items():
                profile = self.entry.profiles[arn]
                if kind is not None and profile.kind != kind:
                    continue
                gained = policy if origin is PolicyOrigin.MANAGED else authored_policy(arn)
                reached = policy_ref(gained, self.entry.account_id)
                after = with_policies(profile, [gained])
                found.append(escalation(profile.ref, technique, reached, grants, None, after))
        return found

    def _policies_for(
        self, technique: Technique, origin: PolicyOrigin | None, action: str, resource: str
    ) -> list[PolicyRef]:
        if origin is not PolicyOrigin.MANAGED:
            return [authored_policy("")]
        return self._managed_bindings(action, resource)

    def _on_own_policies(self, technique: Technique) -> list[Escalation]:
        """iam-001: a new default version of a customer-managed policy the actor holds."""
        found: list[Escalation] = []
        for arn, ref in sorted(self.entry.policies.items()):
            if ref.kind != "customer":
                continue
            holders = self.entry.holders.get(arn, ())
            binding = {Placeholder.POLICY.template: arn}
            for actor, grants in self._grants(technique, binding, holders).items():
                profile = self.entry.profiles[actor]
                gained = authored_policy(actor, ref)
                after = with_policies(profile, [gained], replaced=arn)
                reached = policy_ref(ref, self.entry.account_id)
                found.append(escalation(profile.ref, technique, reached, grants, None, after, policy=ref.name))
        return found

    def _on_groups(self, technique: Technique) -> list[Escalation]:
        found: list[Escalation] = []
        members = self._group_members()
        origin = technique.outcome.policy
        joins = technique.outcome.gain is Gain.JOINS_GROUP
        for group in self.groups:
            group_ref = NodeRef(group.arn, "group", group.name, self.entry.account_id)
            inside = members.get(group.arn, set())
            policies: list[PolicyRef | None] = [None]
            if origin is PolicyOrigin.MANAGED:
                policies = list(self._managed_bindings(technique.actions[0].action, group.arn))
            elif origin is PolicyOrigin.AUTHORED:
                policies = [authored_policy(group.arn)]
            for policy in policies:
                binding = {Placeholder.TARGET_GROUP.template: group.arn}
                if policy is not None and origin is PolicyOrigin.MANAGED:
                    binding[Placeholder.POLICY.template] = policy.arn
                for actor, grants in self._grants(technique, binding).items():
                    profile = self.entry.profiles[actor]
                    if profile.kind != "user" or (joins == (actor in inside)):
                        continue
                    if joins or policy is None:
                        after = with_policies(profile, self._group_policies(group))
                        reached = group_ref
                    else:
                        gained = replace(policy, via=group.arn, via_name=group.name)
                        after = with_policies(profile, [gained])
                        reached = policy_ref(policy, self.entry.account_id)
                    found.append(escalation(profile.ref, technique, reached, grants, None, after))
        return found

    def _group_members(self) -> dict[str, set[str]]:
        """Group ARN → member ARNs, as the snapshot knows them: through the group's policies (a member of a
        group with no policy is not seen; such a group gives nothing to join, but iam-010/011 miss it)."""
        members: dict[str, set[str]] = {}
        for profile in self.users:
            for ref in profile.policies:
                if ref.via is not None:
                    members.setdefault(ref.via, set()).add(profile.arn)
        return members

    def _group_policies(self, group: GroupRecord) -> list[PolicyRef]:
        return [
            replace(self.entry.policies[arn], via=group.arn, via_name=group.name)
            for arn in group.policies
            if arn in self.entry.policies
        ]

    def _on_users(
        self,
        technique: Technique,
        user: Profile,
        leave_out: frozenset[str] = frozenset(),
        credentials: AccountCredentials | None = None,
        admin: Callable[[Profile], bool] | None = None,
    ) -> list[Ways]:
        """`credentials`: the account's loaded credential data, which decides a credential technique's
        prerequisites (a user it says does not meet one is no target); None: possible, state unknown.
        `admin`: only the bindings that change the user into a principal it accepts."""
        origin = technique.outcome.policy
        needed = [p for p in technique.prerequisites if p.evidence is Evidence.CREDENTIAL_STATE]
        facts = credentials.of(user.arn) if credentials is not None else None
        if facts is not None and any(facts.meets(p) is False for p in needed):
            return []
        policies: list[PolicyRef | None] = [None]
        if origin is PolicyOrigin.MANAGED:
            policies = list(self._managed_bindings(technique.actions[0].action, user.arn, leave_out))
        elif origin is PolicyOrigin.AUTHORED:
            policies = [authored_policy(user.arn)]
        found: list[Ways] = []
        for policy in policies:
            binding = {Placeholder.TARGET_USER.template: user.arn}
            if policy is not None and origin is PolicyOrigin.MANAGED:
                binding[Placeholder.POLICY.template] = policy.arn
            allowed = self._allowed(technique, binding, leave_out)
            if not allowed.actors:
                continue
            # (one changed principal per binding, whoever the actor: its decisions are kept by identity)
            after = with_policies(user, [policy]) if policy is not None else None
            if admin is not None and (after is None or not admin(after)):
                continue
            found.append(Ways(allowed.actors, partial(self._user_escalation, technique, user, allowed, after, facts)))
        return found

    def _user_escalation(
        self,
        technique: Technique,
        user: Profile,
        allowed: Allowed,
        after: Profile | None,
        facts: UserCredentials | None,
        actor: str,
    ) -> Escalation | None:
        if actor == user.arn:
            return None
        actor_ref = self.entry.profiles[actor].ref
        return escalation(actor_ref, technique, user.ref, allowed.grants(actor), user.arn, after, credentials=facts)

    async def _on_roles(
        self,
        technique: Technique,
        role: Profile,
        leave_out: frozenset[str] = frozenset(),
        admin: Callable[[Profile], bool] | None = None,
    ) -> list[Ways]:
        """`admin`: only the bindings that change the role into a principal it accepts."""
        origin = technique.outcome.policy
        needs_trust = Prerequisite.TARGET_TRUSTS_ACTOR in technique.prerequisites
        on_policy = Placeholder.POLICY.template in {a.resource for a in technique.actions}
        bindings: list[tuple[dict[str, str], PolicyRef | None, str | None]] = []
        if on_policy:  # iam-016/020: a new version of a customer policy attached to the role
            for ref in role.policies:
                if ref.kind == "customer" and ref.via is None:
                    bindings.append(({Placeholder.POLICY.template: ref.arn}, authored_policy(role.arn, ref), ref.arn))
        elif origin is PolicyOrigin.MANAGED:
            attach = next(a for a in technique.actions if a.context)
            for ref in self._managed_bindings(attach.action, role.arn, leave_out):
                bindings.append(({Placeholder.POLICY.template: ref.arn}, ref, None))
        elif origin is PolicyOrigin.AUTHORED:
            bindings.append(({}, authored_policy(role.arn), None))
        else:
            bindings.append(({}, None, None))
        # (sts:AssumeRole is decided as whoCanAssume decides it, trust policy included, for the actors allowed
        # the rest only: see `_assumes`.)
        required = replace(technique, actions=tuple(a for a in technique.actions if a.action != ASSUME_ROLE))
        found: list[Ways] = []
        trust: Role | None = None
        for binding, policy, replaced in bindings:
            binding[Placeholder.TARGET_ROLE.template] = role.arn
            allowed = self._allowed(required, binding, leave_out)
            if not allowed.actors:
                continue
            # (one changed principal per binding, whoever the actor: its decisions are kept by identity)
            after = with_policies(role, [policy], replaced) if policy is not None else None
            if admin is not None and (after is None or not admin(after)):
                continue
            if needs_trust and (trust := trust or await self.role(role.arn)) is None:
                return found  # (no such role to assume: nothing of this technique)
            found.append(Ways(allowed.actors, partial(self._role_escalation, technique, role, trust, allowed, after)))
        return found

    def _role_escalation(
        self,
        technique: Technique,
        role: Profile,
        trust: Role | None,
        allowed: Allowed,
        after: Profile | None,
        actor: str,
    ) -> Escalation | None:
        if actor == role.arn:
            return None
        grants = allowed.grants(actor)
        condition: Condition | None = None
        if trust is not None:
            assume = self._assumes_once(trust, self.entry.profiles[actor])
            if assume is None:
                return None
            grants = [*grants, Grant(ASSUME_ROLE, role.arn, assume)]
            condition = assume.condition
        actor_ref = self.entry.profiles[actor].ref
        return escalation(actor_ref, technique, role.ref, grants, role.arn, after, condition)

    async def _passes_role(self, technique: Technique, role_profile: Profile, leave_out: frozenset[str]) -> list[Ways]:
        role = await self.role(role_profile.arn)
        if role is None or not any(self._trusts_service(role, s) for s in technique.trusted_services):
            return []
        binding = {Placeholder.PASSED_ROLE.template: role.arn}
        if technique.helper_services:
            helped = await self._with_helper(technique, binding, leave_out)
            grants_of: Callable[[str], list[Grant]] = helped.__getitem__
            actors: Mapping[str, object] = helped
        else:
            allowed = self._allowed(technique, binding, leave_out)
            grants_of, actors = allowed.grants, allowed.actors
        if not actors:
            return []
        return [Ways(actors, partial(self._passed_escalation, technique, role.ref, grants_of))]

    def _passed_escalation(
        self, technique: Technique, role: NodeRef, grants_of: Callable[[str], list[Grant]], actor: str
    ) -> Escalation | None:
        if actor == role.arn:
            return None
        return escalation(self.entry.profiles[actor].ref, technique, role, grants_of(actor), role.arn, None)

    def _trusts_service(self, role: Role, service: str) -> bool:
        """`_trusts_service`, kept per trust document and service when nothing it reads is the role's own
        (RoleFacts): the generated organizations hold thousands of roles with the same few trust policies."""
        facts = RoleFacts.of(role)
        if facts is None:
            return _trusts_service(role, service)
        key = (facts, role.account_id, service)
        found = self._service_trusts.get(key)
        if found is None:
            found = self._service_trusts[key] = _trusts_service(role, service)
        return found

    async def _with_helper(
        self, technique: Technique, binding: Mapping[str, str], leave_out: frozenset[str]
    ) -> dict[str, list[Grant]]:
        """The actors allowed every required action with some helper role bound (batch-003: the Batch
        execution role, emr-001: the EMR service role): a role of the account the helper service may assume
        and the actor may pass too. Each actor keeps the first such role: the passed role itself, then by ARN."""
        on_helper = [a.resource == _HELPER for a in technique.actions]
        rest = replace(technique, actions=tuple(a for a in technique.actions if a.resource != _HELPER))
        allowed = self._grants(rest, binding, None, leave_out)
        if not allowed:
            return {}
        passing = replace(technique, actions=tuple(a for a in technique.actions if a.resource == _HELPER))
        found: dict[str, list[Grant]] = {}
        for helper in await self._helper_roles(technique.helper_services, binding[Placeholder.PASSED_ROLE.template]):
            waiting = {actor for actor in allowed if actor not in found}
            if not waiting:
                break
            bound = {**binding, Placeholder.HELPER_ROLE.template: helper}
            for actor, grants in self._grants(passing, bound, waiting, leave_out).items():
                others, helpers = iter(allowed[actor]), iter(grants)
                found[actor] = [next(helpers) if h else next(others) for h in on_helper]
        return found

    async def _helper_roles(self, services: tuple[str, ...], passed: str) -> list[str]:
        trusting = await self._roles_trusting(services)
        return [passed] * (passed in trusting) + [arn for arn in trusting if arn != passed]

    async def _roles_trusting(self, services: tuple[str, ...]) -> list[str]:
        """The roles of the account whose trust policy lets one of `services` assume them, by ARN (read once:
        every role's trust policy)."""
        trusting = self._trusting.get(services)
        if trusting is None:
            trusting = []
            await self.assumers.read_roles(p.arn for p in self.roles if p.arn not in self._roles)
            for profile in sorted(self.roles, key=lambda p: p.arn):
                role = await self.role(profile.arn)
                if role is not None and any(self._trusts_service(role, s) for s in services):
                    trusting.append(role.arn)
            self._trusting[services] = trusting
        return trusting

    async def _through_passed_role(
        self, technique: Technique, execution: Profile, leave_out: frozenset[str]
    ) -> list[Ways]:
        """cloudformation-003: the actor passes a role the service trusts (the StackSet administration role),
        which assumes the role `execution` (the attacker's template runs as it), as whoCanAssume decides it
        (the execution role's trust policy and, where AWS needs it, the passed role's identity policies).
        Each actor keeps the first passed role, by ARN."""
        unbound = replace(technique, actions=tuple(a for a in technique.actions if "${" not in a.resource))
        if not self._allowed(unbound, {}, leave_out).actors:
            return []
        administration = await self._roles_trusting(technique.trusted_services)
        trust = await self.role(execution.arn) if administration else None
        chained: dict[str, tuple[Allowed, Access]] = {}
        for passed in administration if trust is not None else ():
            assert trust is not None
            assume = self._assumes_once(trust, self.entry.profiles[passed])
            if assume is None:
                continue
            binding = {Placeholder.PASSED_ROLE.template: passed, Placeholder.EXECUTION_ROLE.template: execution.arn}
            allowed = self._allowed(technique, binding, leave_out)
            for actor in allowed.actors:
                if actor != execution.arn and actor not in chained:
                    chained[actor] = (allowed, assume)
        if not chained:
            return []
        return [Ways(chained, partial(self._chained_escalation, technique, execution.ref, chained))]

    def _chained_escalation(
        self, technique: Technique, execution: NodeRef, chained: Mapping[str, tuple[Allowed, Access]], actor: str
    ) -> Escalation | None:
        allowed, assume = chained[actor]
        grants = [*allowed.grants(actor), Grant(ASSUME_ROLE, execution.arn, assume)]
        actor_ref = self.entry.profiles[actor].ref
        return escalation(actor_ref, technique, execution, grants, execution.arn, None, assume.condition)

    # --- sts:AssumeRole decided once per role and actor ---------------------------------------------------

    def _assumes_once(self, role: Role, actor: Profile) -> Access | None:
        """`_assumes`, kept for the generation: the techniques that then assume a role (iam-005/008/016 and
        the like) decide it for the same actors, each once per technique otherwise."""
        held = self._assumed.get((role.arn, actor.arn))
        if held is None or held[0] is not role or held[1] is not actor:
            held = self._assumed[(role.arn, actor.arn)] = (role, actor, _assumes(role, actor))
        return held[2]


def _context(required: RequiredAction, binding: Mapping[str, str]) -> Context:
    """The request context of a required action under `binding` (a value still a placeholder left out)."""
    return {
        c.key: (binding[c.value],) if c.value in binding else (c.value,)
        for c in required.context
        if c.value in binding or "${" not in c.value
    }


def _context_key(context: Context) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((k, tuple(v)) for k, v in context.items()))


class _Becoming(NamedTuple):
    """What `becoming` or `making_admin` worked out: the ways into `arn` (only those changing it first
    into an administrator, with `changed_only`) by actors not in `leave_out`; with `walking`, not those
    a walk never keeps."""

    arn: str
    changed_only: bool = False
    leave_out: frozenset[str] = frozenset()
    walking: bool = False


def _assumes(role: Role, actor: Profile) -> Access | None:
    """The actor's answer on assuming the role, as whoCanAssume makes it for a principal its trust policy
    names (decided on its own): decided only for the actors a technique needs it of."""
    decision = decide(actor, ASSUME_ROLE, Target.role(role))
    return ClassAnswers(None, Member(actor, {}), decision, partial(member_paths, role=role), 1).answer(actor)


def _actor_kind(technique: Technique) -> str | None:
    if Prerequisite.ACTOR_IS_USER in technique.prerequisites:
        return "user"
    if Prerequisite.ACTOR_IS_ROLE in technique.prerequisites:
        return "role"
    return None


def _trusts_service(role: Role, service: str) -> bool:
    """Whether the role's trust policy lets the service principal assume it (the evaluator decides, as for
    whoCanAssume; a condition on the request, such as aws:SourceAccount, is taken as met by the actor)."""
    decision = evaluate(
        Request(
            principal=Principal(arn=service, account_id=None, kind="service"),
            action=ASSUME_ROLE,
            resource=role.arn,
            resource_account=role.account_id,
        ),
        resource_control_policies=role.org.rcp_levels or None,
        resource_policy=role.trust,
        resource_kind="role-trust",
        resource_in_management_account=role.org.is_management_account,
    )
    return decision.decision == "Allowed"
