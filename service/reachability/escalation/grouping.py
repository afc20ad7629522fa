"""The principals of an account that a technique does not tell apart, for working out every principal's
technique actors at once (`AccountChecker.actors_into`).

A technique's actors on a target are decided from what the target is to each statement about the actions
bound to it (its target class for each of them, targets.py), and from a few facts of the target that the
technique reads (`TechniqueReads`): for a role passed to a service, whether its trust policy lets one of the
services assume it; for a new version of a customer policy attached to the role, which policies those are (the
request context carries the policy's ARN: `iam:PolicyARN`); for a credential technique, what the user's
credential data says of each prerequisite. Two targets equal in these (`technique_key`) get the same actors
from the technique, unless it binds the target itself into a request context or decides it actor by actor
(`per_target`): those are worked out for each target."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from service.escalation import Evidence, Placeholder, Prerequisite, Technique
from service.reachability.profiles import Profile

# The placeholders a technique binds to the role or user it becomes.
_ON_THE_TARGET = {
    "role": (Placeholder.TARGET_ROLE.template, Placeholder.PASSED_ROLE.template, Placeholder.EXECUTION_ROLE.template),
    "user": (Placeholder.TARGET_USER.template,),
}


@dataclass(frozen=True, slots=True)
class TechniqueReads:
    """What a technique reads of the role or user it becomes, besides its target classes for `actions` (those
    of its actions bound to it): whether it passes the role to a service (`passed`: then whether the role's
    trust policy lets one of them assume it), whether it binds a customer policy attached to it (`customer`),
    and the credential prerequisites it checks (`credentials`)."""

    actions: tuple[str, ...]
    passed: bool
    customer: bool
    credentials: tuple[Prerequisite, ...]


def read_of(technique: Technique, kind: str) -> TechniqueReads:
    holders = _ON_THE_TARGET[kind]
    actions = tuple(sorted({a.action for a in technique.actions if a.resource in holders}))
    passed = kind == "role" and bool(technique.trusted_services)
    on = {a.resource for a in technique.actions}
    customer = kind == "role" and Placeholder.POLICY.template in on and Placeholder.TARGET_ROLE.template in on
    credentials: tuple[Prerequisite, ...] = ()
    if kind == "user" and technique.decided_by is Evidence.CREDENTIAL_STATE:
        credentials = tuple(p for p in technique.prerequisites if p.evidence is Evidence.CREDENTIAL_STATE)
    return TechniqueReads(actions, passed, customer, credentials)


def per_target(technique: Technique) -> bool:
    """Whether the technique's actors are worked out target by target: a request context that carries the
    target (cloudformation:RoleArn), a helper role (each target tried first), a role chain (its execution role
    decided as an assumption, and never its own actor)."""
    targets = {template for templates in _ON_THE_TARGET.values() for template in templates}
    return (
        bool(technique.helper_services)
        or Prerequisite.ROLE_CHAIN in technique.prerequisites
        or any(c.value in targets for a in technique.actions for c in a.context)
    )


def customer_policies(profile: Profile) -> tuple[str, ...]:
    """The customer-managed policies attached to the principal itself (a technique may write a new version of
    one: iam-016, iam-020)."""
    return tuple(ref.arn for ref in profile.policies if ref.kind == "customer" and ref.via is None)


TargetKey = Hashable
