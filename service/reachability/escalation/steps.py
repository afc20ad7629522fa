"""What an escalation is: the actor, the technique, what it reaches, on which condition, and the one
`escalates` step that shows each required action with the statement that grants it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from service.escalation import Evidence, Prerequisite, Technique
from service.evaluation.formula import Condition, Test
from service.reachability.answers import LazyPaths
from service.reachability.model import Access, NodeRef, Path, PathStep, both
from service.reachability.profiles import ASSUME_ROLE, PolicyRef, Profile

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
# A pseudo condition key: the technique also needs credential state the loaded data does not hold.
CREDENTIAL_STATE_KEY = "accessgraph:CredentialState"
# Techniques whose extra roles (a helper role, a StackSet execution role) the checker does not bind yet.
NOT_BOUND = frozenset({Prerequisite.HELPER_ROLE, Prerequisite.ROLE_CHAIN})
_ASSUMED_NOTES = {
    Prerequisite.POLICY_VERSION_SLOT: (
        "assumes {policy} has fewer than 5 versions: the loaded data holds no version count "
        "(with iam:DeletePolicyVersion allowed too, a slot can always be freed)"
    ),
    Prerequisite.INSTANCE_PROFILE: (
        "assumes {passed} is in an instance profile (or the actor may create one): instance profiles are not loaded"
    ),
}


@dataclass(frozen=True)
class Escalation:
    """One actor's use of one technique: it ends up as `reached` (a principal it becomes, a group it joins,
    a policy it gains), when `condition` holds. `after` is the principal it then acts as, with what it
    gained: the actor with a new policy or group, or the principal it became with the policy put on it
    (None: the principal it became, unchanged)."""

    actor: NodeRef
    technique: Technique
    reached: NodeRef
    condition: Condition | None
    grants: tuple[Grant, ...]
    notes: tuple[str, ...]
    becomes: str | None
    after: Profile | None = field(default=None, compare=False)

    @cached_property
    def step(self) -> PathStep:
        """The `escalates` step, with the granting statement of each required action: made when it is read
        (a walk reads the steps of the few ways it takes)."""
        return PathStep(
            self.actor,
            self.reached,
            "escalates",
            f"{self.technique.id}: " + "; ".join(_grant_text(g) for g in self.grants),
            json.dumps([_grant_statement(g) for g in self.grants], sort_keys=True),
            self.technique.id,
        )

    def access(self) -> Access:
        """The escalation as an answer about its actor: one path, of one `escalates` step."""
        return Access(self.actor, self.condition, LazyPaths(self._paths), self.notes, 1)

    def _paths(self) -> tuple[Path, ...]:
        return ((self.step,),)


@dataclass(frozen=True)
class Grant:
    """A required action allowed to an actor, and the grant's access (its condition and paths)."""

    action: str
    resource: str
    access: Access


def authored_policy(holder: str, replaces: PolicyRef | None = None) -> PolicyRef:
    """The policy an attacker writes: anything at all (Allow `*` on `*`), put on `holder` or written as a new
    default version of `replaces`."""
    if replaces is not None:
        return replace(replaces, document=ALLOW_ALL, known=True)
    return PolicyRef(f"{holder}#authored-policy", "(a policy the attacker writes)", "inline", True, ALLOW_ALL)


def with_policies(profile: Profile, added: Iterable[PolicyRef], replaced: str | None = None) -> Profile:
    refs = [ref for ref in profile.policies if ref.arn != replaced]
    kept = [r for r in profile.policies if r.arn == replaced]
    new = list(added)
    if kept and new:
        new = [replace(new[0], via=kept[0].via, via_name=kept[0].via_name), *new[1:]]
    return replace(profile, policies=(*refs, *new))


def escalation(
    actor: NodeRef,
    technique: Technique,
    reached: NodeRef,
    grants: Sequence[Grant],
    becomes: str | None,
    after: Profile | None,
    extra: Condition | None = None,
    *,
    policy: str | None = None,
) -> Escalation:
    """The escalation of `actor` by `technique` to `reached`, with the grants of its required actions: its
    condition (theirs, joined; credential state unknown where it is needed), notes and `escalates` step."""
    condition = extra
    notes: list[str] = []
    for grant in grants:
        if grant.action != ASSUME_ROLE:
            condition = both(condition, grant.access.condition)
        notes += [n for n in grant.access.notes if n not in notes]
    if technique.decided_by is Evidence.CREDENTIAL_STATE:
        needed = tuple(p.value for p in technique.prerequisites if p.evidence is Evidence.CREDENTIAL_STATE)
        condition = both(condition, Test(CREDENTIAL_STATE_KEY, "Unknown", needed or ("credential",)))
        notes.append("possible, credential state unknown: " + technique.title)
    for prerequisite in technique.prerequisites:
        if prerequisite in _ASSUMED_NOTES:
            notes.append(_ASSUMED_NOTES[prerequisite].format(policy=policy or "the policy", passed=reached.arn))
    for assumption in technique.assumptions:
        notes.append("assumed: " + assumption.description)
    return Escalation(actor, technique, reached, condition, tuple(grants), tuple(notes), becomes, after)


def _grant_text(grant: Grant) -> str:
    last = _last_step(grant.access)
    where = f" ({last.via})" if last is not None and last.via else ""
    return f"{grant.action} on {grant.resource}{where}"


def _grant_statement(grant: Grant) -> object:
    last = _last_step(grant.access)
    statement = json.loads(last.statement) if last is not None and last.statement else None
    return {"action": grant.action, "resource": grant.resource, "statement": statement}


def _last_step(access: Access) -> PathStep | None:
    paths = access.paths
    return paths[0][-1] if len(paths) and paths[0] else None


def policy_ref(ref: PolicyRef, account_id: str) -> NodeRef:
    return NodeRef(ref.arn, "policy", ref.name, None if ref.kind == "aws" else account_id)
