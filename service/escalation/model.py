"""What a privilege-escalation technique is, as plain data: the actions it needs, what must already be
true, and what the attacker ends up holding.

Entries are loaded from `catalogue.toml` (see `catalogue.py`); nothing here reads files or evaluates
policies. Templates such as `${passed_role_arn}` name the entities a later checker binds; `*` means the
attacker picks the resource (a new function, stack, instance...), so any ARN the policies allow will do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Evidence(Enum):
    """Which data decides a prerequisite, and so the technique: ordered from cheapest to most demanding."""

    IAM_DATA = "iam-data"
    CREDENTIAL_STATE = "credential-state"
    INVENTORY = "inventory"
    # Not checked: the technique is reported on the stated assumption (an attacker-owned bucket, a subnet).
    ASSUMED = "assumed"

    @property
    def rank(self) -> int:
        return _EVIDENCE_RANK[self]


_EVIDENCE_RANK = {Evidence.ASSUMED: 0, Evidence.IAM_DATA: 1, Evidence.CREDENTIAL_STATE: 2, Evidence.INVENTORY: 3}


class Placeholder(Enum):
    """An entity a technique's templates refer to; a checker binds each one to a graph node."""

    ACTOR = "actor_arn"
    TARGET_USER = "target_user_arn"
    TARGET_ROLE = "target_role_arn"
    TARGET_GROUP = "target_group_arn"
    POLICY = "policy_arn"
    PASSED_ROLE = "passed_role_arn"
    HELPER_ROLE = "helper_role_arn"
    EXECUTION_ROLE = "execution_role_arn"
    INSTANCE_PROFILE = "instance_profile_arn"
    RESOURCE = "resource_arn"
    RESOURCE_ROLE = "resource_role_arn"

    @property
    def template(self) -> str:
        return "${" + self.value + "}"

    @property
    def description(self) -> str:
        return _PLACEHOLDER_TEXT[self]


_PLACEHOLDER_TEXT = {
    Placeholder.ACTOR: "the principal attempting the technique",
    Placeholder.TARGET_USER: "an IAM user other than (or equal to) the actor, chosen as the target",
    Placeholder.TARGET_ROLE: "an IAM role chosen as the target",
    Placeholder.TARGET_GROUP: "an IAM group chosen as the target",
    Placeholder.POLICY: "a managed policy: the one attached, or the customer-managed one rewritten",
    Placeholder.PASSED_ROLE: "the role handed to a service with iam:PassRole; the attacker's code runs as it",
    Placeholder.HELPER_ROLE: "a second role the service needs (EMR service role, Batch execution role); not gained",
    Placeholder.EXECUTION_ROLE: "a role the passed role assumes on the attacker's behalf (StackSet execution role)",
    Placeholder.INSTANCE_PROFILE: "an instance profile that contains the passed role",
    Placeholder.RESOURCE: "an existing resource of the kind the technique names (inventory)",
    Placeholder.RESOURCE_ROLE: "the role already attached to that existing resource",
}

WILDCARD = "*"
_TEMPLATE = re.compile(r"\$\{([a-z_]+)\}\Z")


def placeholder_of(template: str) -> Placeholder | None:
    """The placeholder a template names, or None for `*`.

    Raises:
        ValueError: the template is neither `*` nor exactly one known `${name}`.
    """
    if template == WILDCARD:
        return None
    found = _TEMPLATE.match(template)
    if found is None:
        raise ValueError(f"{template!r} is neither '*' nor a single ${{name}} template")
    try:
        return Placeholder(found.group(1))
    except ValueError:
        known = ", ".join(p.template for p in Placeholder)
        raise ValueError(f"unknown placeholder {template!r} (known: {known})") from None


class Prerequisite(Enum):
    """Something that must already hold, beyond the actions being allowed."""

    PASSED_ROLE_TRUSTS_SERVICE = "passed-role-trusts-service"
    INSTANCE_PROFILE = "instance-profile"
    HELPER_ROLE = "helper-role"
    ROLE_CHAIN = "role-chain"
    POLICY_ATTACHED_TO_ACTOR = "policy-attached-to-actor"
    POLICY_ATTACHED_TO_TARGET = "policy-attached-to-target"
    POLICY_VERSION_SLOT = "policy-version-slot"
    ACTOR_IS_USER = "actor-is-user"
    ACTOR_IS_ROLE = "actor-is-role"
    ACTOR_IN_GROUP = "actor-in-group"
    TARGET_TRUSTS_ACTOR = "target-trusts-actor"
    ACCESS_KEY_SLOT = "access-key-slot"
    LOGIN_PROFILE_ABSENT = "login-profile-absent"
    LOGIN_PROFILE_PRESENT = "login-profile-present"
    EXISTING_RESOURCE = "existing-resource"
    STAGING_LOCATION = "staging-location"
    NETWORK = "network"
    SERVICE_SETUP = "service-setup"

    @property
    def evidence(self) -> Evidence:
        return _PREREQUISITE_EVIDENCE[self]

    @property
    def description(self) -> str:
        return _PREREQUISITE_TEXT[self]


_PREREQUISITE_EVIDENCE = {
    Prerequisite.PASSED_ROLE_TRUSTS_SERVICE: Evidence.IAM_DATA,
    Prerequisite.INSTANCE_PROFILE: Evidence.IAM_DATA,
    Prerequisite.HELPER_ROLE: Evidence.IAM_DATA,
    Prerequisite.ROLE_CHAIN: Evidence.IAM_DATA,
    Prerequisite.POLICY_ATTACHED_TO_ACTOR: Evidence.IAM_DATA,
    Prerequisite.POLICY_ATTACHED_TO_TARGET: Evidence.IAM_DATA,
    Prerequisite.POLICY_VERSION_SLOT: Evidence.IAM_DATA,
    Prerequisite.ACTOR_IS_USER: Evidence.IAM_DATA,
    Prerequisite.ACTOR_IS_ROLE: Evidence.IAM_DATA,
    Prerequisite.ACTOR_IN_GROUP: Evidence.IAM_DATA,
    Prerequisite.TARGET_TRUSTS_ACTOR: Evidence.IAM_DATA,
    Prerequisite.ACCESS_KEY_SLOT: Evidence.CREDENTIAL_STATE,
    Prerequisite.LOGIN_PROFILE_ABSENT: Evidence.CREDENTIAL_STATE,
    Prerequisite.LOGIN_PROFILE_PRESENT: Evidence.CREDENTIAL_STATE,
    Prerequisite.EXISTING_RESOURCE: Evidence.INVENTORY,
    Prerequisite.STAGING_LOCATION: Evidence.ASSUMED,
    Prerequisite.NETWORK: Evidence.ASSUMED,
    Prerequisite.SERVICE_SETUP: Evidence.ASSUMED,
}

_PREREQUISITE_TEXT = {
    Prerequisite.PASSED_ROLE_TRUSTS_SERVICE: (
        "the trust policy of ${passed_role_arn} lets one of the technique's service principals assume it"
    ),
    Prerequisite.INSTANCE_PROFILE: (
        "${passed_role_arn} is in an instance profile, or the actor may also iam:CreateInstanceProfile and "
        "iam:AddRoleToInstanceProfile to make one"
    ),
    Prerequisite.HELPER_ROLE: (
        "a ${helper_role_arn} exists that trusts one of the technique's helper services and that the actor may "
        "also iam:PassRole (the passed role itself, when it trusts one)"
    ),
    Prerequisite.ROLE_CHAIN: (
        "${passed_role_arn} may sts:AssumeRole ${execution_role_arn} as whoCanAssume decides it (the execution "
        "role's trust policy and, where AWS requires it, the passed role's identity policies)"
    ),
    Prerequisite.POLICY_ATTACHED_TO_ACTOR: (
        "${policy_arn} is a customer-managed policy attached to the actor, directly or through one of its groups"
    ),
    Prerequisite.POLICY_ATTACHED_TO_TARGET: "${policy_arn} is a customer-managed policy attached to ${target_role_arn}",
    Prerequisite.POLICY_VERSION_SLOT: (
        "${policy_arn} has fewer than 5 versions, or the actor may also iam:DeletePolicyVersion on it"
    ),
    Prerequisite.ACTOR_IS_USER: "the actor is an IAM user",
    Prerequisite.ACTOR_IS_ROLE: "the actor is a role session",
    Prerequisite.ACTOR_IN_GROUP: "the actor is a member of ${target_group_arn}",
    Prerequisite.TARGET_TRUSTS_ACTOR: (
        "${target_role_arn} trusts the actor: sts:AssumeRole is allowed by the trust policy and, where AWS "
        "requires it (cross account, trust naming the account), by the actor's identity policies"
    ),
    Prerequisite.ACCESS_KEY_SLOT: "${target_user_arn} has fewer than 2 access keys",
    Prerequisite.LOGIN_PROFILE_ABSENT: "${target_user_arn} has no console password (login profile) yet",
    Prerequisite.LOGIN_PROFILE_PRESENT: "${target_user_arn} already has a console password (login profile)",
    Prerequisite.EXISTING_RESOURCE: (
        "a ${resource_arn} of the kind the technique names exists, with ${resource_role_arn} attached"
    ),
    Prerequisite.STAGING_LOCATION: (
        "the service can read the attacker's code or image (an S3 object, a container image): assumed, "
        "since an attacker can host it in an account it controls"
    ),
    Prerequisite.NETWORK: "a subnet to launch into (a default VPC): assumed",
    Prerequisite.SERVICE_SETUP: (
        "account-level service setup the technique needs (a service-linked role, an enabled model): assumed"
    ),
}


class TargetKind(Enum):
    """Something AWS forbids customers to change, so no technique may target it.

    The evaluator recognises each kind; this catalogue only names, per technique, which kinds its
    targets could otherwise be.
    """

    SERVICE_LINKED_ROLE = "service-linked-role"
    AWS_RESERVED_ROLE = "aws-reserved-role"
    AWS_MANAGED_POLICY = "aws-managed-policy"


class Gain(Enum):
    """What the attacker ends up holding."""

    BECOMES_PRINCIPAL = "becomes-principal"
    GAINS_POLICY = "gains-policy"
    JOINS_GROUP = "joins-group"
    CREDENTIAL = "credential"


class PolicyOrigin(Enum):
    """Where a gained policy comes from, which bounds what it can grant."""

    # The attacker writes the document (Put*Policy, CreatePolicyVersion): anything at all.
    AUTHORED = "authored"
    # An existing managed policy the actor may attach (iam:PolicyARN decides which): what that policy allows.
    MANAGED = "managed"


@dataclass(frozen=True, slots=True)
class ContextValue:
    """One request-context key the action is evaluated with, and its value (a template or a literal)."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RequiredAction:
    """An action that must be allowed, on which resource, with which request context."""

    action: str
    resource: str
    context: tuple[ContextValue, ...] = ()

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a successful technique yields.

    `holder` is the template of whoever holds the gain: the principal the actor becomes or whose
    credential it obtains, the principal or group that receives a policy, or the group joined.
    `policy` says where a policy given along the way comes from (required for `GAINS_POLICY`, also set
    when a principal is modified before being taken over).
    """

    gain: Gain
    holder: str
    policy: PolicyOrigin | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where the entry's facts were read: a file of DataDog/pathfinding.cloud at one commit."""

    commit: str
    path: str


@dataclass(frozen=True, slots=True)
class Technique:
    """One catalogue entry, keyed by its pathfinding.cloud id."""

    id: str
    title: str
    source: Source
    actions: tuple[RequiredAction, ...]
    prerequisites: tuple[Prerequisite, ...]
    outcome: Outcome
    trusted_services: tuple[str, ...] = ()
    # The service principals a `${helper_role_arn}` must trust (the EMR service role, the Batch execution role).
    helper_services: tuple[str, ...] = ()
    excluded_targets: tuple[TargetKind, ...] = ()
    deciding_data: str = ""
    notes: str = ""

    @property
    def decided_by(self) -> Evidence:
        """The most demanding data any prerequisite needs; a credential gain needs credential state."""
        needed = [p.evidence for p in self.prerequisites]
        if self.outcome.gain is Gain.CREDENTIAL:
            needed.append(Evidence.CREDENTIAL_STATE)
        return max([*needed, Evidence.IAM_DATA], key=lambda evidence: evidence.rank)

    @property
    def assumptions(self) -> tuple[Prerequisite, ...]:
        return tuple(p for p in self.prerequisites if p.evidence is Evidence.ASSUMED)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every technique, in file order, with the repository they were read from."""

    repository: str
    techniques: tuple[Technique, ...]

    def __getitem__(self, technique_id: str) -> Technique:
        for technique in self.techniques:
            if technique.id == technique_id:
                return technique
        raise KeyError(technique_id)

    def decided_by(self, evidence: Evidence) -> tuple[Technique, ...]:
        return tuple(t for t in self.techniques if t.decided_by is evidence)
