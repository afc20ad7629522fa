"""The shape of a parsed IAM policy document: plain, frozen, hashable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Effect = Literal["Allow", "Deny"]
SetQualifier = Literal["ForAllValues", "ForAnyValue"]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """The value of a `Principal` or `NotPrincipal` element.

    `everyone` is `"*"` or `{"AWS": "*"}` (AWS documents the two as equivalent). The other fields hold
    the values listed under each principal type, as written.
    """

    everyone: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One key under one operator of a `Condition` block: `{"operator": {"key": values}}`.

    `operator` is the operator as written (e.g. `ForAnyValue:StringLikeIfExists`); `base` is the bare
    operator (`StringLike`), with the set qualifier and `IfExists` split off. Values are kept as strings:
    AWS accepts JSON numbers and booleans here and compares them by their text.
    """

    operator: str
    base: str
    qualifier: SetQualifier | None
    if_exists: bool
    key: str
    values: tuple[str, ...]

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Element fields are `None` when the element is absent from the statement."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: PrincipalSet | None
    not_principals: PrincipalSet | None
    conditions: tuple[ConditionClause, ...]

    @property
    def label(self) -> str:
        """How people refer to the statement: its Sid, else its position."""
        return f"#{self.index} ({self.sid})" if self.sid else f"#{self.index}"


@dataclass(frozen=True, slots=True)
class PolicyWarning:
    """Something in a policy AWS cannot use as written, found while parsing; it never stops evaluation.

    `key` is the condition key at fault, when there is one. `str()` names policy, statement and key.
    """

    policy: str
    statement: int
    sid: str | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"policy {self.policy!r}, statement {self.statement}" + (f" (Sid {self.sid!r})" if self.sid else "")
        key = f", key {self.key!r}" if self.key else ""
        return f"{where}{key}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "statement": self.statement,
            "sid": self.sid,
            "key": self.key,
            "message": self.message,
            "text": str(self),
        }


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A parsed policy document.

    `version` is the document's `Version`, or `None` when absent (AWS then applies 2008-10-17 rules).
    `source_document` is the decoded JSON object, kept for display; it is excluded from equality, and so
    are `warnings` (what the parser found AWS cannot use as written, see `PolicyWarning`).
    """

    name: str
    version: str | None
    statements: tuple[Statement, ...]
    source_document: Mapping[str, Any]
    id: str | None = None
    warnings: tuple[PolicyWarning, ...] = ()
    # Matchers compiled by the engine, per policy type; filled on first use, never compared.
    compiled_cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17."""
        return self.version == VERSION_2012

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return (self.name, self.version, self.statements, self.id) == (
            other.name,
            other.version,
            other.statements,
            other.id,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.version, self.statements, self.id))
