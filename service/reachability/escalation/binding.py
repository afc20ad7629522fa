"""What every technique of the checker is decided with, for one account: who may do an action on a target
class with a request context (`may`, kept per target class: targets.py), the actors allowed every required
action of a technique under a binding (`_allowed`, `_grants`), the managed policies an actor may attach,
the roles read, the account's credential data, and `sts:AssumeRole` decided once per role and actor."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import partial
from typing import Self

from service.database.records import GroupRecord
from service.escalation import Evidence, Placeholder, RequiredAction, Technique
from service.reachability.classes import DecisionClass, Member
from service.reachability.decide import ClassAnswers, Target, decide, member_paths
from service.reachability.escalation.grants import Context, Permitted, classified_for, profile_may, who_may
from service.reachability.escalation.steps import ALLOW_ALL, AccountCredentials, Grant
from service.reachability.escalation.targets import TargetClasses
from service.reachability.escalation.ways import Allowed
from service.reachability.index import IndexView
from service.reachability.model import Access
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, PolicyRef, Profile, Role
from service.reachability.who_can_assume import Assumers

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


class CheckerBase:
    """The account's principals, policies and groups, and the decisions every technique is made of, kept
    for the generation (the caller keys the checker by it)."""

    def __init__(self, entry: AccountEntry, groups: Sequence[GroupRecord], techniques: Sequence[Technique]) -> None:
        self.entry = entry
        self.groups = list(groups)
        self.techniques = [t for t in techniques if t.decided_by is not Evidence.INVENTORY]
        self._may: dict[
            tuple[str, Hashable, tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]], Permitted
        ] = {}
        self._classified: dict[tuple[str, Hashable, frozenset[str]], list[DecisionClass]] = {}
        self.targets = TargetClasses(entry)
        self._roles: dict[str, Role | None] = {}
        self._assumed: dict[tuple[str, str], tuple[Role, Profile, Access | None]] = {}
        self._allowed_actors: dict[Hashable, tuple[Mapping[str, object], tuple[Permitted, ...]]] = {}
        self._credentials: AccountCredentials | None = None
        self._credentials_read = False
        self._candidates_of: dict[str, tuple[AccountEntry, frozenset[str]]] = {}
        self.view: IndexView
        self.assumers: Assumers

    def using(self, assumers: Assumers) -> Self:
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
    ) -> Permitted:
        """Who of the account may do `action` on `resource` with `context`, by ARN (worked out once per
        target class: see targets.py)."""
        target_class = self.targets.key(action, resource)
        key = (action.lower(), target_class, _context_key(context or {}), leave_out)
        found = self._may.get(key)
        if found is None:
            classes_key = (action.lower(), target_class, leave_out)
            classified = self._classified.get(classes_key)
            if classified is None:
                classified = self._classified[classes_key] = classified_for(
                    self.view, self.entry, action, resource, leave_out
                )
            found = self._may[key] = who_may(
                self.view, self.entry, action, resource, context or {}, leave_out, classified
            )
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
                may: Mapping[str, Access] = one
            else:
                may = self.may(required.action, resource, context, leave_out)
            action = required.action
            if found is None:
                found = {arn: [Grant(action, resource, may[arn])] for arn in may if actors is None or arn in actors}
            else:
                found = {arn: [*had, Grant(action, resource, may[arn])] for arn, had in found.items() if arn in may}
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
            actors: Mapping[str, object] | None = None
            maps: list[Permitted] = []
            for action, resource, context in parts:
                if actors is None:
                    may = self.may(action, resource, context, leave_out)
                else:
                    may = self._may_among(action, resource, context, leave_out, actors)
                maps.append(may)
                actors = may if actors is None else {arn: None for arn in actors if arn in may}
                if not actors:
                    break
            found = self._allowed_actors[key] = (actors or {}, tuple(maps))
        return Allowed(tuple((action, resource) for action, resource, _ in parts), *found)

    def _may_among(
        self, action: str, resource: str, context: Context, leave_out: frozenset[str], actors: Iterable[str]
    ) -> Permitted:
        """`may` for `actors` alone: those allowed the action. When they are few of its candidates (the few who
        may pass a role, then the service's own action: ec2:RunInstances...), they alone are classified
        (`classified_for` among them), not every candidate of the account. Their decisions are those of the
        whole classification (a class's members decide alike); a condition of several parts lists them as the
        first of them in its class has them (`ClassAnswers`), the same whichever question asks first."""
        candidates = self.candidate_arns(action.lower())
        wanted = [self.entry.profiles[arn] for arn in actors if arn in candidates]
        if len(wanted) * _FEW > len(candidates):
            return self.may(action, resource, context, leave_out)
        classified = classified_for(self.view, self.entry, action, resource, leave_out, wanted)
        return who_may(self.view, self.entry, action, resource, context, leave_out, classified)

    def candidate_arns(self, action_lower: str) -> frozenset[str]:
        """The principals of the account holding a policy that may allow the action (its candidates)."""
        held = self._candidates_of.get(action_lower)
        if held is None or held[0] is not self.entry:
            candidates = self.view.action(action_lower).policies.candidates(self.entry)
            held = self._candidates_of[action_lower] = (self.entry, frozenset(p.arn for p in candidates))
        return held[1]

    def _candidates(self, action: str, actors: Iterable[str] | None) -> list[Profile]:
        candidates = self.view.action(action.lower()).policies.candidates(self.entry)
        if actors is not None:
            wanted = set(actors)
            candidates = [p for p in candidates if p.arn in wanted]
        return candidates

    def _assumes_once(self, role: Role, actor: Profile) -> Access | None:
        """`_assumes`, kept for the generation: the techniques that then assume a role (iam-005/008/016 and
        the like) decide it for the same actors, each once per technique otherwise."""
        held = self._assumed.get((role.arn, actor.arn))
        if held is None or held[0] is not role or held[1] is not actor:
            held = self._assumed[(role.arn, actor.arn)] = (role, actor, _assumes(role, actor))
        return held[2]


# `_may_among` classifies a technique's actors alone when they are at most a quarter of the action's candidates.
_FEW = 4


def _context(required: RequiredAction, binding: Mapping[str, str]) -> Context:
    """The request context of a required action under `binding` (a value still a placeholder left out)."""
    return {
        c.key: (binding[c.value],) if c.value in binding else (c.value,)
        for c in required.context
        if c.value in binding or "${" not in c.value
    }


def _context_key(context: Context) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((k, tuple(v)) for k, v in context.items()))


def _assumes(role: Role, actor: Profile) -> Access | None:
    """The actor's answer on assuming the role, as whoCanAssume makes it for a principal its trust policy
    names (decided on its own): decided only for the actors a technique needs it of."""
    decision = decide(actor, ASSUME_ROLE, Target.role(role))
    return ClassAnswers(None, Member(actor, {}), decision, partial(member_paths, role=role), 1).answer(actor)
