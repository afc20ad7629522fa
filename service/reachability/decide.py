"""Deciding one member: the evaluator on one principal and one request, and a decision class's decision as
it reads for each of its members (relabelled in the member's own statements, with its paths)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from service.evaluation.engine import Decision, ResourceKind, evaluate
from service.evaluation.policy import Policy
from service.evaluation.request import Request
from service.reachability.answers import LazyPaths
from service.reachability.classes import DecisionClass, Member, is_pattern
from service.reachability.model import Access, Path, unknown_policy_condition
from service.reachability.paths import assume_paths, identity_paths
from service.reachability.profiles import OrgContext, Profile, Role
from service.reachability.relabel import (
    Relabelling,
    TrustPolicyName,
    named_statements,
    relabel,
    relabelling_for,
)
from service.reachability.signatures import StatementAt


@dataclass(frozen=True)
class Target:
    """The resource side of a request: the resource (or a pattern of resources, see `is_pattern`), its account
    and organization, its resource policy; `restrict_public`: S3 Block Public Access RestrictPublicBuckets."""

    resource: str
    account: str | None
    org: OrgContext | None
    policy: Policy | None
    kind: ResourceKind
    restrict_public: bool = False

    @classmethod
    def role(cls, role: Role) -> Target:
        return cls(role.arn, role.account_id, role.org, role.trust, "role-trust")


def decide(profile: Profile, action: str, target: Target) -> Decision:
    org = target.org
    request = Request(
        principal=profile.principal,
        action=action,
        resource=target.resource,
        resource_account=target.account,
        resource_is_pattern=is_pattern(target.resource),
    )
    return evaluate(
        request,
        identity_policies=profile.identity_policies,
        permissions_boundaries=profile.boundary_policies,
        service_control_policies=profile.org.scp_levels or None,
        resource_control_policies=(org.rcp_levels or None) if org else None,
        resource_policy=target.policy,
        resource_kind=target.kind,
        resource_in_management_account=bool(org and org.management_account_id == target.account),
        restrict_public_buckets=target.restrict_public,
    )


def access_from(profile: Profile, decision: Decision) -> Access | None:
    """An Access for an allowed decision; for an implicit deny that an unloaded policy might flip, a
    conditional one that names the unknown policy. Never a silent drop, never a silent grant."""
    ref = profile.ref
    if decision.decision == "Allowed":
        return Access(ref, decision.condition, (), ())
    unknown = profile.unknown_policies
    if decision.decision == "ImplicitlyDenied" and unknown:
        arns = tuple(policy.arn for policy in unknown)
        note = "may be allowed: " + ", ".join(arns) + " is referenced but its document was not loaded"
        return Access(ref, unknown_policy_condition(arns), (), (note,))
    return None


def counted(decision_class: DecisionClass, decision: Decision) -> int:
    """How many answers the class's members give under its decision (see `ClassAnswers.answer`): all of them
    when allowed; on an implicit deny, those that hold a policy whose document is not loaded."""
    if decision.decision == "Allowed":
        return decision_class.size
    return decision_class.unknown if decision.decision == "ImplicitlyDenied" else 0


def member_paths(member: Member, representative: Member, decision: Decision, *, role: Role | None = None) -> list[Path]:
    """A member's paths: the decision made for the class's `representative`, relabelled in the member's own
    policies; to the role, when the question is about assuming one."""
    if member is not representative:
        decision = relabel(decision, relabelling_for(member, representative))
    profile = member.profile
    identity = identity_paths(profile, decision)
    if role is None:
        return identity
    return list(assume_paths(profile.ref, identity, role.ref, role.trust_document, decision))


MakePaths = Callable[[Member, Member, Decision], Sequence[Path]]


class _Locations(NamedTuple):  # (made for every relabelled member: see classes.py on NamedTuple keys)
    """Where a member has its boundary's statements and the statements a condition names: members equal in
    these share one relabelled condition."""

    boundary: tuple[StatementAt, ...]
    named: tuple[tuple[StatementAt, ...] | None, ...]


class ClassAnswers:
    """A decision class's decision as it reads for each member with an answer: its condition tests
    relabelled in the member's own statements; its explanation relabelled only for the paths, when they
    are read. A decision kept from another role's question (see sharing.py) is first relabelled for this
    role's trust policy, when an answer needs it."""

    __slots__ = ("_class", "_decision", "_hops", "_named", "_paths", "_relabelled", "_trust_policy", "representative")

    def __init__(
        self,
        decision_class: DecisionClass | None,
        representative: Member,
        decision: Decision,
        paths: MakePaths,
        hops: int,
        trust_policy: TrustPolicyName | None = None,
    ) -> None:
        self._class, self.representative, self._paths, self._hops = decision_class, representative, paths, hops
        self._decision, self._trust_policy = decision, trust_policy
        self._named: tuple[int | None, ...] | None = None
        self._relabelled: dict[_Locations, Decision] = {}

    @property
    def decision(self) -> Decision:
        if self._trust_policy is not None:
            self._decision = relabel(self._decision, Relabelling(trust_policy=self._trust_policy))
            self._trust_policy = None
        return self._decision

    def answer(self, profile: Profile) -> Access | None:
        member = self.representative if self._class is None else self._class.member(profile)
        decision, representative = self.decision, self.representative
        allowed = decision.decision == "Allowed"
        if self._named is None:
            # The contents of the statements the condition names: a member's relabelling depends on where
            # those are.
            content_of = representative.content_of
            self._named = tuple(content_of.get(ref) for ref in named_statements(decision.condition))
        relabelled = decision
        if member is not representative and not (allowed and not self._named):
            if not (allowed or profile.unknown_policies):
                return None
            # (The boundary too: its tests are relabelled under the member's own boundary.)
            key = _Locations(
                member.boundary, tuple(member.statements.get(c) if c is not None else None for c in self._named)
            )
            found = self._relabelled.get(key)
            if found is None:
                found = self._relabelled[key] = relabel(
                    decision, relabelling_for(member, representative), explanation=False
                )
            relabelled = found
        if (answer := access_from(profile, relabelled)) is None:
            return None
        paths = LazyPaths(partial(self._paths, member, representative, decision))
        return Access(answer.principal, answer.condition, paths, answer.notes, self._hops)
