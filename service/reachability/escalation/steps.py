"""What an escalation is: the actor, the technique, what it reaches, on which condition, and the one
`escalates` step that shows each required action with the statement that grants it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from service.database.records import AccountSecurityRecord, UserCredentialRecord
from service.escalation import Evidence, Prerequisite, Technique
from service.evaluation.formula import Condition, Test
from service.reachability.answers import LazyPaths
from service.reachability.model import Access, NodeRef, Path, PathStep, both
from service.reachability.profiles import ASSUME_ROLE, PolicyRef, Profile

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
# A pseudo condition key: the technique also needs credential state the loaded data does not hold.
CREDENTIAL_STATE_KEY = "accessgraph:CredentialState"
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
class UserCredentials:
    """What the loaded credential data (#16: credential report, security snapshot) says of one user's
    credentials; None where it does not say (the user is newer than the report, AWS refused the part)."""

    access_keys: int | None
    login_profile: bool | None

    def meets(self, prerequisite: Prerequisite) -> bool | None:
        """Whether the user meets a credential prerequisite; None: the loaded data does not say."""
        if prerequisite is Prerequisite.ACCESS_KEY_SLOT:
            # AWS allows two access keys per user, active or not (IAM User Guide, "IAM and AWS STS quotas").
            return None if self.access_keys is None else self.access_keys < 2
        if prerequisite is Prerequisite.LOGIN_PROFILE_ABSENT:
            return None if self.login_profile is None else not self.login_profile
        if prerequisite is Prerequisite.LOGIN_PROFILE_PRESENT:
            return self.login_profile
        return True

    def describe(self, prerequisites: Iterable[Prerequisite]) -> str:
        said = []
        for prerequisite in prerequisites:
            if prerequisite is Prerequisite.ACCESS_KEY_SLOT:
                said.append(f"{self.access_keys} access key{'' if self.access_keys == 1 else 's'}")
            elif prerequisite in (Prerequisite.LOGIN_PROFILE_ABSENT, Prerequisite.LOGIN_PROFILE_PRESENT):
                said.append("a console password" if self.login_profile else "no console password")
        return ", ".join(said)


class AccountCredentials:
    """One account's loaded credential data, by user. Access keys are known from the security snapshot
    (every key of every user, unless AWS refused `AccessKeys`) or from the user's row of the credential
    report; a console password from the report's `password_enabled` or the snapshot's login profiles. A user
    the data does not name has no keys when a snapshot listed them all; else what it holds is unknown."""

    def __init__(self, record: AccountSecurityRecord) -> None:
        self._users = {user.arn: user for user in record.users}
        self._keys_listed = record.snapshot_loaded and "AccessKeys" not in record.not_collected

    def of(self, arn: str) -> UserCredentials:
        user = self._users.get(arn)
        if user is None:
            return UserCredentials(0 if self._keys_listed else None, None)
        keys = len(user.access_keys) if self._keys_listed or _in_report(user) else None
        return UserCredentials(keys, user.password_enabled)


def _in_report(user: UserCredentialRecord) -> bool:
    return user.created is not None  # (the report's user_creation_time: only a report row carries it)


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
    credentials: UserCredentials | None = None,
) -> Escalation:
    """The escalation of `actor` by `technique` to `reached`, with the grants of its required actions: its
    condition (theirs, joined; credential state unknown where it is needed), notes and `escalates` step.
    `credentials`: what the loaded credential data says of the target user (None: the account has none
    loaded); the caller has left out the users it says do not meet the technique's prerequisites."""
    condition = extra
    notes: list[str] = []
    for grant in grants:
        if grant.action != ASSUME_ROLE:
            condition = both(condition, grant.access.condition)
        notes += [n for n in grant.access.notes if n not in notes]
    if technique.decided_by is Evidence.CREDENTIAL_STATE:
        needed = [p for p in technique.prerequisites if p.evidence is Evidence.CREDENTIAL_STATE]
        unknown = [p.value for p in needed if credentials is None or credentials.meets(p) is None]
        if credentials is None or unknown:
            condition = both(condition, Test(CREDENTIAL_STATE_KEY, "Unknown", tuple(unknown) or ("credential",)))
            notes.append("possible, credential state unknown: " + technique.title)
        elif needed:
            notes.append(
                f"decided from the loaded credential data: {reached.name or reached.arn} has "
                + credentials.describe(needed)
            )
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
