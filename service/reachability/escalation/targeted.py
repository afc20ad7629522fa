"""The techniques that become a role or user of the account (the checker's `becoming`): a policy put or
attached on it, its trust policy rewritten, a role passed to a service that runs the actor's code, a
StackSet's execution role. Each gives its ways (ways.py) per binding: the actors allowed its actions on the
target's classes, shared by every target of those classes, and how to make one actor's escalation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from service.database.records import GroupRecord, TrustTargetRecord
from service.escalation import Evidence, Placeholder, PolicyOrigin, Prerequisite, Technique
from service.evaluation.engine import evaluate
from service.evaluation.formula import Condition
from service.evaluation.request import Principal, Request
from service.reachability.escalation.binding import CheckerBase
from service.reachability.escalation.grouping import TargetKey, TechniqueReads, customer_policies, read_of
from service.reachability.escalation.steps import (
    AccountCredentials,
    Escalation,
    Grant,
    UserCredentials,
    authored_policy,
    escalation,
    with_policies,
)
from service.reachability.escalation.ways import Allowed, Ways
from service.reachability.model import Access, NodeRef
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, PolicyRef, Profile, Role
from service.reachability.sharing import RoleFacts

_HELPER = Placeholder.HELPER_ROLE.template


class TargetTechniques(CheckerBase):
    """The techniques by the role or user they become (see the module)."""

    def __init__(self, entry: AccountEntry, groups: Sequence[GroupRecord], techniques: Sequence[Technique]) -> None:
        super().__init__(entry, groups, techniques)
        self._trusting: dict[tuple[str, ...], list[str]] = {}
        self._service_trusts: dict[tuple[RoleFacts, str, str], bool] = {}
        self._role_facts: dict[str, tuple[Role, RoleFacts | None]] = {}
        self._changed: dict[tuple[str, PolicyRef, str | None], tuple[Profile, Profile]] = {}
        self._named: dict[str, ServiceNames] = {}
        self._read_of: dict[tuple[str, str], TechniqueReads] = {}
        self._without_assume: dict[str, Technique] = {}
        self._chains: dict[tuple[str, frozenset[str]], bool] = {}

    def _on_users(
        self,
        technique: Technique,
        user: Profile,
        leave_out: frozenset[str] = frozenset(),
        credentials: AccountCredentials | None = None,
        admin: Callable[[Profile], bool] | None = None,
        have: Collection[str] = (),
    ) -> list[Ways]:
        """`credentials`: the account's loaded credential data, which decides a credential technique's
        prerequisites (a user it says does not meet one is no target); None: possible, state unknown.
        `admin`: only the bindings that change the user into a principal it accepts; `have`: actors wanted no
        more (a binding none of whose actors is wanted is dropped before anything else is decided)."""
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
            if not allowed.actors or (have and all(actor in have for actor in allowed.actors)):
                continue
            if admin is not None and _refused(self._changed_one(user, policy), admin):
                continue
            found.append(Ways(allowed.actors, partial(self._user_escalation, technique, user, allowed, policy, facts)))
        return found

    def _user_escalation(
        self,
        technique: Technique,
        user: Profile,
        allowed: Allowed,
        policy: PolicyRef | None,
        facts: UserCredentials | None,
        actor: str,
    ) -> Escalation | None:
        if actor == user.arn:
            return None
        actor_ref = self.entry.profiles[actor].ref
        after = self._changed_one(user, policy)  # (made when an escalation is: a walk reads only who the actors are)
        return escalation(actor_ref, technique, user.ref, allowed.grants(actor), user.arn, after, credentials=facts)

    async def _on_roles(
        self,
        technique: Technique,
        role: Profile,
        leave_out: frozenset[str] = frozenset(),
        admin: Callable[[Profile], bool] | None = None,
        have: Collection[str] = (),
    ) -> list[Ways]:
        """`admin` and `have`: as for `_on_users`."""
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
        required = self._without_assume.get(technique.id)
        if required is None:
            actions = tuple(a for a in technique.actions if a.action != ASSUME_ROLE)
            required = self._without_assume[technique.id] = replace(technique, actions=actions)
        found: list[Ways] = []
        trust: Role | None = None
        for binding, policy, replaced in bindings:
            binding[Placeholder.TARGET_ROLE.template] = role.arn
            allowed = self._allowed(required, binding, leave_out)
            if not allowed.actors or (have and all(actor in have for actor in allowed.actors)):
                continue
            if admin is not None and _refused(self._changed_one(role, policy, replaced), admin):
                continue
            if needs_trust and (trust := trust or await self.role(role.arn)) is None:
                return found  # (no such role to assume: nothing of this technique)
            change = (policy, replaced)
            found.append(Ways(allowed.actors, partial(self._role_escalation, technique, role, trust, allowed, change)))
        return found

    def _role_escalation(
        self,
        technique: Technique,
        role: Profile,
        trust: Role | None,
        allowed: Allowed,
        change: tuple[PolicyRef | None, str | None],
        actor: str,
    ) -> Escalation | None:
        if actor == role.arn:
            return None
        after = self._changed_one(role, *change)
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
        services = technique.trusted_services
        if not (await self.services_named(role_profile.arn)).may_name(services):
            return []  # (a trust policy naming none of the services admits none of them: nothing to decide)
        role = await self.role(role_profile.arn)
        if role is None:
            return []
        if not any(self._trusts_service(role, s) for s in services):
            return []
        binding = {Placeholder.PASSED_ROLE.template: role.arn}
        if technique.helper_services:
            helped = await self._with_helper(technique, binding, leave_out)
            grants_of: Callable[[str], list[Grant]] = lambda actor: helped[actor]()  # noqa: E731
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

    def _changed_one(self, target: Profile, policy: PolicyRef | None, replaced: str | None = None) -> Profile | None:
        """`_changed`, one object per target and policy for the generation: the techniques that put the same
        policy on the same target (and the walk and `making_admin` asking for it again) share it, and with
        it its admin decision (`AdminDecisions.of` keeps it per object)."""
        if policy is None:
            return None
        key = (target.arn, policy, replaced)
        held = self._changed.get(key)
        if held is None or held[0] is not target:
            after = _changed(target, policy, replaced)
            assert after is not None
            held = self._changed[key] = (target, after)
        return held[1]

    async def technique_key(self, technique: Technique, profile: Profile) -> TargetKey:
        """What the technique reads of the role or user it becomes besides its ARN, as grouping.py says:
        principals with equal keys get the same actors from it, unless it is `per_target`."""
        arn = profile.arn
        read = self._read_of.get((technique.id, profile.kind))
        if read is None:
            read = self._read_of[(technique.id, profile.kind)] = read_of(technique, profile.kind)
        classes = tuple(self.targets.key(action, arn) for action in read.actions)
        if read.passed:
            role = await self.role(arn)
            services = technique.trusted_services
            return (role is not None and any(self._trusts_service(role, s) for s in services), classes)
        if read.customer:
            return (classes, customer_policies(profile))
        if read.credentials and (credentials := await self.credentials()) is not None:
            facts = credentials.of(arn)
            return (classes, None if facts is None else tuple(facts.meets(p) for p in read.credentials))
        return classes

    def role_facts(self, role: Role) -> RoleFacts | None:
        """`RoleFacts.of(role)`, kept per role."""
        held = self._role_facts.get(role.arn)
        if held is None or held[0] is not role:
            held = self._role_facts[role.arn] = (role, RoleFacts.of(role))
        return held[1]

    def _trusts_service(self, role: Role, service: str) -> bool:
        """`_trusts_service`, kept per trust document and service when nothing it reads is the role's own
        (RoleFacts): the generated organizations hold thousands of roles with the same few trust policies."""
        facts = self.role_facts(role)
        if facts is None:
            return _trusts_service(role, service)
        key = (facts, role.account_id, service)
        found = self._service_trusts.get(key)
        if found is None:
            found = self._service_trusts[key] = _trusts_service(role, service)
        return found

    async def _with_helper(
        self, technique: Technique, binding: Mapping[str, str], leave_out: frozenset[str]
    ) -> dict[str, Callable[[], list[Grant]]]:
        """The actors allowed every required action with some helper role bound (batch-003: the Batch
        execution role, emr-001: the EMR service role): a role of the account the helper service may assume
        and the actor may pass too. Each actor keeps the first such role: the passed role itself, then by ARN.
        Each actor's grants are made when read (a walk reads only who the actors are)."""
        # (`_allowed` decides actions on resources; the catalogue's helper techniques have none on the actor)
        assert all(a.resource != Placeholder.ACTOR.template for a in technique.actions), technique.id
        on_helper = tuple(a.resource == _HELPER for a in technique.actions)
        rest = replace(technique, actions=tuple(a for a in technique.actions if a.resource != _HELPER))
        allowed = self._allowed(rest, binding, leave_out)
        if not allowed.actors:
            return {}
        passing = replace(technique, actions=tuple(a for a in technique.actions if a.resource == _HELPER))
        found: dict[str, Callable[[], list[Grant]]] = {}
        for helper in await self._helper_roles(technique.helper_services, binding[Placeholder.PASSED_ROLE.template]):
            waiting = [actor for actor in allowed.actors if actor not in found]
            if not waiting:
                break
            bound = {**binding, Placeholder.HELPER_ROLE.template: helper}
            helped = self._allowed(passing, bound, leave_out)
            for actor in waiting:
                if actor in helped.actors:
                    found[actor] = partial(_helped_grants, on_helper, allowed, helped, actor)
        return found

    async def _helper_roles(self, services: tuple[str, ...], passed: str) -> list[str]:
        trusting = await self._roles_trusting(services)
        return [passed] * (passed in trusting) + [arn for arn in trusting if arn != passed]

    async def services_named(self, arn: str) -> ServiceNames:
        """The service principals the role's trust policy may let assume it (`ServiceNames`), read off its trust
        targets once per role: a role is asked once per technique that passes a role to a service (some
        thirty), and at 100k principals most roles' trust policies name none of them."""
        found = self._named.get(arn)
        if found is None:
            found = self._named[arn] = ServiceNames.of(await self.assumers.trust_targets(arn))
        return found

    async def _roles_trusting(self, services: tuple[str, ...]) -> list[str]:
        """The roles of the account whose trust policy lets one of `services` assume them, by ARN (read once:
        every role's trust policy)."""
        trusting = self._trusting.get(services)
        if trusting is None:
            trusting = []
            # (only a role whose trust policy may name one of the services is read and decided)
            naming = [p for p in self.roles if (await self.services_named(p.arn)).may_name(services)]
            await self.assumers.read_roles(p.arn for p in naming if p.arn not in self._roles)
            for profile in sorted(naming, key=lambda p: p.arn):
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
        if not await self._may_chain(technique, leave_out):
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

    async def _may_chain(self, technique: Technique, leave_out: frozenset[str]) -> bool:
        """Whether some actor (not in `leave_out`) is allowed the technique's actions bound to no role, and some
        role of the account may be passed as the administration role: the same for every execution role, so
        worked out once (at 100k principals no account has both, and each of its 60,000 roles was asked)."""
        key = (technique.id, leave_out)
        found = self._chains.get(key)
        if found is None:
            unbound = replace(technique, actions=tuple(a for a in technique.actions if "${" not in a.resource))
            found = bool(self._allowed(unbound, {}, leave_out).actors)
            found = self._chains[key] = found and bool(await self._roles_trusting(technique.trusted_services))
        return found

    def _chained_escalation(
        self, technique: Technique, execution: NodeRef, chained: Mapping[str, tuple[Allowed, Access]], actor: str
    ) -> Escalation | None:
        allowed, assume = chained[actor]
        grants = [*allowed.grants(actor), Grant(ASSUME_ROLE, execution.arn, assume)]
        actor_ref = self.entry.profiles[actor].ref
        return escalation(actor_ref, technique, execution, grants, execution.arn, None, assume.condition)


@dataclass(frozen=True, slots=True)
class ServiceNames:
    """Which service principals a trust policy may let assume its role: any (`anyone`: an Allow naming anyone,
    everyone but some with a NotPrincipal, or a service by a pattern), else those an Allow names (`named`)."""

    anyone: bool
    named: frozenset[str]

    @classmethod
    def of(cls, targets: Sequence[TrustTargetRecord]) -> ServiceNames:
        named: set[str] = set()
        for target in targets:
            if target.effect != "Allow":
                continue
            if target.not_principal or target.external_kind == "any":
                return cls(True, frozenset())
            value = target.external_value or ""
            if target.external_kind == "service":
                if "*" in value or "?" in value:
                    return cls(True, frozenset())
                named.add(value)
        return cls(False, frozenset(named))

    def may_name(self, services: Sequence[str]) -> bool:
        """Whether the trust policy may let one of the services assume its role: one naming none of them admits
        none of them, whatever else it says."""
        return self.anyone or any(service in self.named for service in services)


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


def _changed(target: Profile, policy: PolicyRef | None, replaced: str | None = None) -> Profile | None:
    """The target with the binding's policy on it (None: the technique puts none): one per binding,
    whoever the actor, so that its decisions are kept by identity (`AdminDecisions.of`)."""
    return with_policies(target, [policy], replaced) if policy is not None else None


def _helped_grants(on_helper: tuple[bool, ...], rest: Allowed, helped: Allowed, actor: str) -> list[Grant]:
    """An actor's grants for a technique with a helper role, in the technique's order of actions: those on the
    helper role from `helped`, the others from `rest`."""
    others, helpers = iter(rest.grants(actor)), iter(helped.grants(actor))
    return [next(helpers) if on else next(others) for on in on_helper]


def _refused(after: Profile | None, admin: Callable[[Profile], bool] | None) -> bool:
    """Whether `admin` (given: only changes into an administrator are wanted) refuses the changed target."""
    return admin is not None and (after is None or not admin(after))
