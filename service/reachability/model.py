"""The answers: who reaches what, on which conditions, along which path. Plain frozen data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service.evaluation.formula import Condition, Leaf, Test, conj, describe, leaves

# A pseudo condition key for grants that hinge on a policy the loaded data does not contain.
UNKNOWN_POLICY_KEY = "accessgraph:UnknownPolicy"


@dataclass(frozen=True)
class NodeRef:
    arn: str
    kind: str
    name: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class PathStep:
    """One hop of a path: `source` reaches `target` because of `kind` (member_of, has_policy, assumes,
    escalates). An `escalates` step names its `technique` (a catalogue id) and its `statement` is a JSON
    array of the granting statements, one per action the technique requires."""

    source: NodeRef
    target: NodeRef
    kind: str
    via: str | None = None
    statement: str | None = None  # the granting statement, as JSON
    technique: str | None = None


Path = tuple[PathStep, ...]


class _Conditional:
    """What an answer with an optional `condition` shows of it: its tests, flat, and its text."""

    condition: Condition | None

    @property
    def conditions(self) -> tuple[Leaf, ...]:
        return leaves(self.condition)

    @property
    def condition_text(self) -> str | None:
        return describe(self.condition) if self.condition is not None else None


@dataclass(frozen=True)
class Access(_Conditional):
    """`principal` can do what was asked, exactly when `condition` holds (None: unconditionally)."""

    principal: NodeRef
    condition: Condition | None
    paths: Sequence[Path]
    notes: tuple[str, ...] = ()
    hops: int = 0

    def via(self, prefix: Path, condition: Condition | None, hops: int) -> Access:
        """This access reached through `prefix` (a chain of role assumptions) that needs `condition`."""
        paths = tuple(path + prefix for path in self.paths)
        return Access(self.principal, both(condition, self.condition), paths, self.notes, hops)


def both(first: Condition | None, second: Condition | None) -> Condition | None:
    """The conjunction of two optional conditions (None: no condition)."""
    combined = conj([c for c in (first, second) if c is not None])
    return None if isinstance(combined, bool) else combined


def unknown_policy_condition(arns: tuple[str, ...]) -> Condition:
    return Test(key=UNKNOWN_POLICY_KEY, operator="PolicyNotLoaded", values=arns)


@dataclass(frozen=True)
class TrustFinding(_Conditional):
    """One principal a role's trust policy names outside the role's account (or anyone, `*`)."""

    role: NodeRef
    trusted: NodeRef
    trusted_account_id: str | None
    trusted_account_loaded: bool
    same_organization: bool | None  # None: the role's account is in no loaded organization
    outside_organization: bool
    statement_index: int
    sid: str | None
    effect: str
    condition: Condition | None
    has_external_id: bool
    requires_mfa: bool
    restricts_organization: bool
    statement: str | None = None
    categories: tuple[str, ...] = field(default=())
