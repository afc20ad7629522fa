"""Shared decisions: a decision class's decision on assuming one role, kept and relabelled for the next role
whose trust policy is the same document, when nothing that decides it looks at the role itself.

The generated 100k organization has about 1,900 roles that trust the whole organization, each with about
480 decision classes: deciding them once per class rather than once per class and role is what makes the
second and later of those questions fast (docs/answers.md, "Roles that trust the whole organization").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.evaluation.engine import Decision
from service.evaluation.policy import Policy
from service.evaluation.statements import compiled
from service.reachability.classes import DecisionClass, DecisionKey, Member
from service.reachability.clauses import resource_independent
from service.reachability.profiles import ASSUME_ROLE, Profile, Role
from service.reachability.signatures import Signatures

MAX_SHARED_DECISIONS = 200_000  # kept per action; then they are dropped all at once


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """What a decision on assuming a role depends on besides the decision class and which of its statements
    fit the role's ARN: the trust policy's document, and the RCPs over the role's account (and whether that
    is the management account)."""

    trust_document: str
    management: bool
    rcp_levels: tuple[tuple[Policy, ...], ...]

    @classmethod
    def of(cls, role: Role) -> RoleFacts | None:
        """None when the trust policy or an RCP looks at the resource itself (a Resource other than `*`, a
        condition on the resource's tags or account...): then decisions are kept for this role alone."""
        action = ASSUME_ROLE.lower()
        trust = compiled(role.trust, "resource").for_action(action)
        rcps = [cs for level in role.org.rcp_levels for p in level for cs in compiled(p, "rcp").for_action(action)]
        if not all(resource_independent(cs) for cs in (*trust, *rcps)):
            return None
        levels = tuple(tuple(level) for level in role.org.rcp_levels)
        return cls(role.trust_document, role.org.is_management_account, levels)


@dataclass(frozen=True, slots=True)
class SharedKey:
    """A kept decision's key: the decision class, and either the role facts (shared) or the role itself."""

    decision: DecisionKey
    facts: RoleFacts | None
    role_arn: str | None
    trust_document: str | None


@dataclass(frozen=True, slots=True)
class SharedDecision:
    """A decision, the representative it was made for, and the name of the trust policy it names."""

    representative: Member
    decision: Decision
    trust_policy: str


class SharedDecisions:
    """Decisions on assuming roles, kept across questions for one action (see the module's docstring)."""

    def __init__(self, signatures: Signatures) -> None:
        self._signatures = signatures
        self._independent: dict[DecisionKey, bool] = {}
        self._decisions: dict[SharedKey, SharedDecision] = {}

    def __len__(self) -> int:
        return len(self._decisions)

    def key(self, decision_class: DecisionClass, role: Role, facts: RoleFacts | None) -> SharedKey:
        extra = decision_class.key.extra
        shared = (
            facts is not None
            and (extra is None or extra.individual is None)
            and self.resource_independent(decision_class)
        )
        if shared:
            return SharedKey(decision_class.key, facts, None, None)
        return SharedKey(decision_class.key, None, role.arn, role.trust_document)

    def get(self, key: SharedKey) -> SharedDecision | None:
        return self._decisions.get(key)

    def put(self, key: SharedKey, shared: SharedDecision) -> None:
        if len(self._decisions) >= MAX_SHARED_DECISIONS:
            self._decisions.clear()
        self._decisions[key] = shared

    def resource_independent(self, decision_class: DecisionClass) -> bool:
        """Whether the class's decision depends on the resource only through its key (which statements fit
        the resource) and through the resource policy and account: no condition in its statements, boundary
        or SCPs looks at anything but who the principal is and the request itself, and its boundary and SCPs
        say Resource `*`. Such a decision holds for every resource under the same resource policy and RCPs."""
        key = decision_class.key
        if key.individual is not None:
            return False
        found = self._independent.get(key)
        if found is None:
            representative = decision_class.representative
            statements, profile = representative.statements, representative.profile
            found = self._independent[key] = decided_alike(self._signatures, statements, profile)
        return found


def decided_alike(signatures: Signatures, contents: Iterable[int], profile: Profile) -> bool:
    """Whether a decision of `profile` on the action of `signatures`, under its statements of `contents`,
    depends on the resource only through which statements fit it and through the resource policy and account:
    no condition of those statements, of its boundary or of its SCPs looks at anything but who the principal
    is and the request itself, and its boundary and SCPs say Resource `*`."""
    policies = signatures.policies
    return (
        all(policies.resource_independent(content) for content in contents)
        and signatures.boundary(profile.boundary).resource_independent
        and all(
            resource_independent(cs)
            for level in profile.org.scp_levels
            for policy in level
            for cs in compiled(policy, "scp").for_action(signatures.action)
        )
    )
