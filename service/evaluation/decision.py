"""The answer `evaluate` gives: a decision, the condition it holds under, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .formula import Condition, Leaf, describe
from .parser import PolicyKind
from .policy import PolicyWarning

DecisionKind = Literal["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"]
# Where a reason comes from: a policy type, or "aws" for what AWS decides whatever the policies say.
ReasonSource = PolicyKind | Literal["aws"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: one statement that applied, or one requirement that was not met (`statement` None)."""

    policy: str
    policy_type: ReasonSource
    statement: int | None
    sid: str | None
    effect: Literal["Allow", "Deny"] | None
    why: str

    def as_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "policyType": self.policy_type,
            "statement": self.statement,
            "sid": self.sid,
            "effect": self.effect,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer. `Allowed` with a `condition` means: allowed exactly when the condition holds."""

    decision: DecisionKind
    condition: Condition | None
    explanation: tuple[Reason, ...]
    # What the parser found in the policies given that AWS cannot use as written (see `PolicyWarning`).
    warnings: tuple[PolicyWarning, ...] = ()
    # True when the request was about some resource matching a pattern (`Request.resource_is_pattern`).
    resource_pattern: bool = False

    @property
    def allowed(self) -> bool:
        """Allowed unconditionally."""
        return self.decision == "Allowed" and self.condition is None

    @property
    def possibly_allowed(self) -> bool:
        return self.decision == "Allowed"

    def leaves(self) -> tuple[Leaf, ...]:
        return () if self.condition is None else self.condition.leaves()

    def describe(self) -> str:
        return "" if self.condition is None else describe(self.condition)
