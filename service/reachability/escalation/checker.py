"""The checker: for one account, every escalation the catalogue's techniques allow, decided by the
evaluator. Each technique's placeholders are bound to the account's roles, users, groups and policies;
each required action is decided with whoCan's class machinery (`grants.who_may`) and the technique's
request context; the actors are those allowed every required action (their conditions joined) who meet
the technique's prerequisites in the IAM data. The decisions it is made of are in binding.py, the
techniques that become a role or user in targeted.py; here, the gains and what the questions ask."""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from service.database.records import GroupRecord
from service.escalation import Evidence, Gain, Placeholder, PolicyOrigin, Prerequisite, Technique
from service.reachability.escalation.grouping import TargetKey, per_target
from service.reachability.escalation.steps import (
    Escalation,
    authored_policy,
    escalation,
    policy_ref,
    with_policies,
)
from service.reachability.escalation.targeted import ServiceNames, TargetTechniques
from service.reachability.escalation.ways import Wanted, Ways
from service.reachability.model import NodeRef
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, PolicyRef, Profile


class AccountChecker(TargetTechniques):
    """Every escalation of one account's principals onto the account's roles, users, groups and policies."""

    def __init__(self, entry: AccountEntry, groups: Sequence[GroupRecord], techniques: Sequence[Technique]) -> None:
        super().__init__(entry, groups, techniques)
        self._becoming: dict[_Becoming, list[Escalation]] = {}
        self._ways: dict[_Becoming, list[Ways]] = {}
        self._gains: list[Escalation] | None = None
        self._ceilings: dict[str, tuple[Profile, bool]] = {}
        self._by_technique: dict[tuple[_Becoming, str], list[Ways]] = {}
        self._actors: dict[str, tuple[AccountEntry, frozenset[str] | None]] = {}
        self._changers: dict[str, tuple[AccountEntry, frozenset[str] | None]] = {}
        self._holders_of: dict[str, tuple[AccountEntry, dict[str, list[tuple[str, frozenset[str]]]]]] = {}
        self._kinds: dict[str, list[Technique]] = {}
        self._passable: dict[ServiceNames, list[Technique]] = {}
        self._grouped: dict[tuple[str, TargetKey], list[Mapping[str, object]]] = {}
        self._per_target = frozenset(t.id for t in self.techniques if per_target(t))
        self._on_target: dict[tuple[str, str], list[str]] = {}

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

    async def ways(self, arn: str, wanted: Wanted | None = None) -> list[Ways]:
        """`becoming(arn)` for a walk, before the escalations are made; without those whose actor must
        also be allowed to assume the role as its trust policy decides (iam-014/016/017 and the like): a
        walk always finds such an actor one hop away through that very assumption first (a role's direct
        assumers come before its techniques), so that way is never the one kept, and deciding its
        `sts:AssumeRole` actor by actor was most of a walk's cost. Worked out once per principal.

        With `wanted` (the principals the walk may still find: its last hop), a technique none of whose
        possible actors is wanted is left out (`_may_act`): what it would give changes nothing."""
        key = _Becoming(arn, walking=True)
        found = self._ways.get(key)
        if found is None:
            if wanted is not None:
                return await self._ways_now(key, wanted=wanted)
            found = self._ways[key] = await self._ways_now(key)
        return found

    async def actors_into(self, arn: str, only: Container[str] | None = None) -> list[Mapping[str, object]]:
        """The actors of `ways(arn)`, way by way (the same mappings, in the same order), worked out once per
        group of principals no technique tells apart (grouping.py) but for the techniques decided target by
        target: a walk over every principal's actors does each group's work once. With `only` (a walk's last
        hop), only the techniques of those ids (`possible_on` says which may have an actor it wants)."""
        profile = self.entry.profiles.get(arn)
        if profile is None:
            return []
        key = _Becoming(arn, walking=True)
        found: list[Mapping[str, object]] = []
        for technique in await self._techniques_into(profile):
            if only is not None and technique.id not in only:
                continue
            if technique.id in self._per_target:
                found += [w.actors for w in await self._technique_ways(key, technique, profile)]
                continue
            group = (technique.id, await self.technique_key(technique, profile))
            held = self._grouped.get(group)
            if held is None:
                held = self._grouped[group] = [w.actors for w in await self._technique_ways(key, technique, profile)]
            found += held
        return found

    async def making_admin(
        self, arn: str, leave_out: frozenset[str], admin: Callable[[Profile], bool], have: Collection[str] = ()
    ) -> list[Escalation]:
        """The escalations that change the role or user `arn` first (a policy put on it or rewritten) into
        a principal `admin` says is an administrator, by actors not in `leave_out` (the administrators, for
        whom a change gains nothing) nor in `have` (found by the caller already: a binding none of whose
        actors is left is dropped before the rest of it is decided, as is one whose changed principal is no
        administrator), in technique order, then actor order."""
        profile = self.entry.profiles.get(arn)
        if profile is None or not self._may_change(profile.kind, leave_out, have):
            return []
        if not self._may_become_admin(profile, admin):
            return []
        found: list[Escalation] = []
        for ways in await self._ways_now(_Becoming(arn, True, leave_out), admin, have=have):
            found += [e for actor in ways.actors if actor not in have and (e := ways.make(actor)) is not None]
        return found

    def _may_change(self, kind: str, leave_out: Collection[str], have: Collection[str]) -> bool:
        """Whether an actor not in `leave_out` nor `have` may be allowed a technique that puts or rewrites a
        policy on a principal of this kind: one holding a policy that may allow its actions."""
        held = self._changers.get(kind)
        if held is None or held[0] is not self.entry:
            holder = Placeholder.TARGET_ROLE.template if kind == "role" else Placeholder.TARGET_USER.template
            changers: set[str] = set()
            anyone = False
            for technique in self.techniques:
                if technique.outcome.policy is None or holder not in {a.resource for a in technique.actions}:
                    continue
                actors = self._possible_actors(technique)
                anyone = anyone or actors is None
                changers.update(actors or ())
            held = self._changers[kind] = (self.entry, None if anyone else frozenset(changers))
        found = held[1]
        return found is None or any(a not in have and a not in leave_out for a in found)

    def _may_become_admin(self, profile: Profile, admin: Callable[[Profile], bool]) -> bool:
        """Whether some change of the principal's identity policies can make it an administrator: whether it
        is one with a single policy allowing everything (its own policies' Denies gone), under its boundary
        and SCPs, which no technique here changes. An upper bound: a policy added or rewritten only adds
        Allows to, or takes Denies from, the policies it holds. Kept per principal for the generation."""
        if profile.unknown_policies:
            return True  # (decided with the policies it holds: what one not loaded says is not known)
        held = self._ceilings.get(profile.arn)
        if held is None or held[0] is not profile:
            ceiling = replace(profile, policies=(_ALLOW_EVERYTHING,))
            held = self._ceilings[profile.arn] = (profile, admin(ceiling))
        return held[1]

    async def _made(self, key: _Becoming, admin: Callable[[Profile], bool] | None = None) -> list[Escalation]:
        found = self._becoming.get(key)
        if found is None:
            found = self._becoming[key] = [e for ways in await self._ways_now(key, admin) for e in ways.made()]
        return found

    async def _ways_now(
        self,
        key: _Becoming,
        admin: Callable[[Profile], bool] | None = None,
        wanted: Wanted | None = None,
        have: Collection[str] = (),
    ) -> list[Ways]:
        profile = self.entry.profiles.get(key.arn)
        if profile is None:
            return []
        found: list[Ways] = []
        account = self.entry.account_id
        if wanted is not None and not wanted.any_of(account):
            return found  # (a technique's actor is of the account: none of it is wanted, none can be found)
        for technique in await self._techniques_into(profile):
            if key.changed_only and technique.outcome.policy is None:
                continue
            if admin is not None:
                found += await self._technique_ways(key, technique, profile, admin, have)
                continue
            if wanted is not None and (account, technique.id) in wanted.dead:
                continue  # (what it would give changes nothing: see `_may_act`)
            held = self._by_technique.get((key, technique.id))
            if held is None:
                if wanted is not None and not self._may_act(technique, wanted, profile):
                    continue
                held = self._by_technique[(key, technique.id)] = await self._technique_ways(key, technique, profile)
            found += held
        return found

    async def _techniques_into(self, profile: Profile) -> list[Technique]:
        """`_becoming_a` the principal's kind, without the techniques that pass a role to a service its trust
        policy names none of (`ServiceNames`: such a technique has no ways into it), kept per what the trust
        policies name: at 100k principals, 1.9 million technique-role pairs told apart with 60,000 lookups."""
        techniques = self._becoming_a(profile.kind)
        if profile.kind != "role":
            return techniques
        names = await self.services_named(profile.arn)
        found = self._passable.get(names)
        if found is None:
            found = self._passable[names] = [t for t in techniques if _may_pass_into(t, names)]
        return found

    def possible_actors_into(self, kind: str) -> frozenset[str] | None:
        """Whoever may be the actor of some technique into a principal of this kind: the union of their
        possible actors (`_possible_actors`; None: any principal of the account)."""
        found: set[str] = set()
        for technique in self._becoming_a(kind):
            actors = self._possible_actors(technique)
            if actors is None:
                return None
            found |= actors
        return frozenset(found)

    async def possible_on(self, profile: Profile) -> list[tuple[str, frozenset[str] | None, list[str]]]:
        """Per technique into the principal (`actors_into`'s): its id, its possible actors (`_possible_actors`)
        and the actions on the principal itself, whose actor holds an Allow whose Resource may match it
        (`resource_holders`): an actor of the technique is in both (what `_may_act` asks of a `Wanted`)."""
        found = []
        for t in await self._techniques_into(profile):
            if (on := self._on_target.get((t.id, profile.kind))) is None:
                on = self._on_target[(t.id, profile.kind)] = _on_the_target(t, profile.kind)
            found.append((t.id, self._possible_actors(t), on))
        return found

    def _becoming_a(self, kind: str) -> list[Technique]:
        """The techniques that may become a principal of this kind (`_technique_ways` gives the others none),
        in catalogue order."""
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = [t for t in self.techniques if _may_become(t, kind)]
        return found

    def prepare_walks(self) -> None:
        """Work out what the last hop of a walk reads of the account (`_may_act`, `still_wanted`) before a
        question does: the candidates for each technique's actions and for sts:AssumeRole, and who holds
        which Resource pattern of the actions on a technique's target (at 100k principals, 3.5 s of the first
        `whoCanAssume` of a generation), and the patterns that tell those targets apart (targets.py)."""
        assume = ASSUME_ROLE.lower()
        self.candidate_arns(assume)
        self.resource_holders(assume)
        for technique in self.techniques:
            self._possible_actors(technique)
        for action in self.actions_on_targets():
            self.resource_holders(action)
            self.targets.prepare(action)

    def possible_sets(self) -> list[tuple[str, frozenset[str] | None]]:
        """Each technique's id and possible actors (`_possible_actors`), what `possible_on` gives of it."""
        return [(t.id, self._possible_actors(t)) for t in self.techniques]

    def actions_on_targets(self) -> set[str]:
        """The actions (lower case) of the techniques on the role or user they become (`_on_the_target`)."""
        return {a for t in self.techniques for k in ("role", "user") if _may_become(t, k) for a in _on_the_target(t, k)}

    def _may_act(self, technique: Technique, wanted: Wanted, target: Profile) -> bool:
        """Whether one of `wanted` may be the technique's actor on `target`: an actor must hold a policy that
        may allow each required action (the candidates, a superset of who is allowed) but sts:AssumeRole,
        which a trust policy of the account may grant alone; and, for each action on the target itself, an
        Allow whose Resource matches it (`Wanted.holds`)."""
        account = self.entry.account_id
        actors = self._possible_actors(technique)
        if actors is not None and not wanted.meets((account, technique.id), actors):
            return False
        for action in _on_the_target(technique, target.kind):
            if not wanted.holds(account, action, self.resource_holders(action), target.arn, account):
                return False
        return True

    def _possible_actors(self, technique: Technique) -> frozenset[str] | None:
        """The principals holding a policy that may allow every required action but sts:AssumeRole (None:
        the technique requires only that one)."""
        held = self._actors.get(technique.id)
        if held is None or held[0] is not self.entry:
            found: frozenset[str] | None = None
            for action in {a.action.lower() for a in technique.actions if a.action != ASSUME_ROLE}:
                candidates = self.candidate_arns(action)
                found = candidates if found is None else found & candidates
            held = self._actors[technique.id] = (self.entry, found)
        return held[1]

    def resource_holders(self, action_lower: str) -> Mapping[str, Sequence[tuple[str, frozenset[str]]]]:
        """The Resource patterns of the Allow statements about the action in the account's policies, each with
        the principals holding it (`*` for a NotResource, a pattern with a policy variable, or a policy not
        loaded), by the account field of the pattern (`*` when it is not 12 digits): whoever may be allowed
        the action on a resource holds a pattern matching it, in the part of the resource's account or in
        `*` (an upper bound, like the candidates)."""
        held = self._holders_of.get(action_lower)
        if held is None or held[0] is not self.entry:
            action = self.view.action(action_lower).policies
            by_pattern: dict[str, set[str]] = {}
            for policy_arn, holders in self.entry.holders.items():
                ref = self.entry.policies[policy_arn]
                if not action.match(ref).allows:
                    continue
                patterns = ["*"] if not ref.loaded else []
                for relevant in action.statements(ref) if ref.loaded else ():
                    statement = relevant.compiled.statement
                    if statement.effect == "Allow":
                        resources = statement.resources if statement.not_resources is None else None
                        patterns += ["*" if "$" in r else r for r in resources] if resources else ["*"]
                for pattern in patterns:
                    by_pattern.setdefault(pattern, set()).update(holders)
            grouped: dict[str, list[tuple[str, frozenset[str]]]] = {}
            for pattern, arns in sorted(by_pattern.items()):
                field = pattern.split(":", 5)[4] if pattern.count(":") >= 5 else "*"
                account = field if len(field) == 12 and field.isdigit() else "*"
                grouped.setdefault(account, []).append((pattern, frozenset(arns)))
            held = self._holders_of[action_lower] = (self.entry, grouped)
        return held[1]

    async def _technique_ways(
        self,
        key: _Becoming,
        technique: Technique,
        profile: Profile,
        admin: Callable[[Profile], bool] | None = None,
        have: Collection[str] = (),
    ) -> list[Ways]:
        """One technique's ways into the role or user `profile` (see `ways` and `making_admin`)."""
        leave_out = key.leave_out
        holders = {a.resource for a in technique.actions}
        if profile.kind == "role" and Prerequisite.ROLE_CHAIN in technique.prerequisites:
            return await self._through_passed_role(technique, profile, leave_out)
        if profile.kind == "role" and technique.trusted_services:
            return await self._passes_role(technique, profile, leave_out)
        if profile.kind == "role" and Placeholder.TARGET_ROLE.template in holders:
            if key.walking and Prerequisite.TARGET_TRUSTS_ACTOR in technique.prerequisites:
                return []
            return await self._on_roles(technique, profile, leave_out, admin, have)
        if profile.kind == "user" and Placeholder.TARGET_USER.template in holders:
            credentials = await self.credentials() if technique.decided_by is Evidence.CREDENTIAL_STATE else None
            return self._on_users(technique, profile, leave_out, credentials, admin, have)
        return []

    # --- the gains: on oneself, one's own policies, a group --------------------------------------------

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



class _Becoming(NamedTuple):
    """What `becoming` or `making_admin` worked out: the ways into `arn` (only those changing it first
    into an administrator, with `changed_only`) by actors not in `leave_out`; with `walking`, not those
    a walk never keeps."""

    arn: str
    changed_only: bool = False
    leave_out: frozenset[str] = frozenset()
    walking: bool = False


# (the one policy of `_may_become_admin`'s principal: one object, parsed and compiled once for all of them)
_ALLOW_EVERYTHING = authored_policy("")


def _may_become(technique: Technique, kind: str) -> bool:
    """Whether `_technique_ways` may give the technique's ways into a principal of this kind."""
    holders = {a.resource for a in technique.actions}
    if kind == "role":
        return (
            Prerequisite.ROLE_CHAIN in technique.prerequisites
            or bool(technique.trusted_services)
            or Placeholder.TARGET_ROLE.template in holders
        )
    return kind == "user" and Placeholder.TARGET_USER.template in holders


def _may_pass_into(technique: Technique, names: ServiceNames) -> bool:
    """Whether the technique may become a role whose trust policy names `names`: one passing the role to a
    service (not as a step of a role chain) needs it to name the service."""
    passes = bool(technique.trusted_services) and Prerequisite.ROLE_CHAIN not in technique.prerequisites
    return not passes or names.may_name(technique.trusted_services)


def _on_the_target(technique: Technique, kind: str) -> list[str]:
    """The actions (lower case) of the technique whose resource is the role or user it becomes (`kind`), as
    `_technique_ways` binds them: the target role or user, or the role passed to a service (not when the
    service's role is only a step on the way: a role chain)."""
    if Prerequisite.ROLE_CHAIN in technique.prerequisites:
        return []
    holders = {Placeholder.TARGET_ROLE.template} if kind == "role" else {Placeholder.TARGET_USER.template}
    if kind == "role" and technique.trusted_services:
        holders.add(Placeholder.PASSED_ROLE.template)
    return [a.action.lower() for a in technique.actions if a.resource in holders and a.action != ASSUME_ROLE]


def _actor_kind(technique: Technique) -> str | None:
    if Prerequisite.ACTOR_IS_USER in technique.prerequisites:
        return "user"
    if Prerequisite.ACTOR_IS_ROLE in technique.prerequisites:
        return "role"
    return None
