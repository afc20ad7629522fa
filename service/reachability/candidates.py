"""Candidates: for one action, the statements of each policy that may decide it, and the principals of an
account holding a policy that may allow it (a superset: the evaluator decides each one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from service.evaluation.policy import ConditionClause
from service.evaluation.statements import CompiledStatement, compiled
from service.reachability.clauses import resource_independent_clauses
from service.reachability.profiles import AccountEntry, PolicyRef, Profile, parsed

T = TypeVar("T")


class Kept(NamedTuple, Generic[T]):
    """What was worked out of `source` (a document, a `Profile`, an `AccountEntry`: the very object, which a
    load replaces): it holds only while the source is the same object."""

    source: object
    value: T


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    """Whether any statement of a policy admits the action (by Action/NotAction), and whether an Allow does."""

    admits: bool
    allows: bool


@dataclass(frozen=True, slots=True)
class StatementContent:
    """What decides a statement once its Action and Resource fit: its Effect and Condition."""

    effect: str
    conditions: tuple[ConditionClause, ...]


class RelevantStatement(NamedTuple):
    """A statement whose Action/NotAction admits the action, with the number of its content."""

    compiled: CompiledStatement
    content: int


def loaded_document(ref: PolicyRef) -> str | None:
    """The policy's document, None when it is not loaded (then it is not evaluated)."""
    return ref.document if ref.loaded else None


class ActionPolicies:
    """What each policy says about one action, worked out once per policy document rather than once per
    principal. Content numbers only ever grow: equal numbers, equal contents, for as long as this lives."""

    def __init__(self, action_lower: str) -> None:
        self.action = action_lower
        self._matches: dict[str, Kept[PolicyMatch]] = {}
        self._statements: dict[str, Kept[tuple[RelevantStatement, ...]]] = {}
        self._contents: dict[StatementContent, int] = {}
        self._independent: list[bool] = []  # by content number: its Condition is resource-independent
        self._candidates: dict[str, Kept[list[Profile]]] = {}

    def match(self, ref: PolicyRef) -> PolicyMatch:
        """A policy whose document we do not have is not evaluated, and may allow anything."""
        document = loaded_document(ref)
        held = self._matches.get(ref.arn)
        if held is not None and held.source is document:
            return held.value
        if document is not None:
            statements = self.statements(ref)
            found = PolicyMatch(bool(statements), any(s.compiled.statement.effect == "Allow" for s in statements))
        else:
            found = PolicyMatch(admits=False, allows=True)
        self._matches[ref.arn] = Kept(document, found)
        return found

    def statements(self, ref: PolicyRef) -> tuple[RelevantStatement, ...]:
        """The policy's relevant statements. (Their Resource is fitted per question: see classes.py.)"""
        document = loaded_document(ref)
        held = self._statements.get(ref.arn)
        if held is not None and held.source is document:
            return held.value
        found: tuple[RelevantStatement, ...] = ()
        if document is not None:
            found = tuple(
                RelevantStatement(cs, self._content(cs))
                for cs in compiled(parsed(ref), "identity").for_action(self.action)
            )
        self._statements[ref.arn] = Kept(document, found)
        return found

    def _content(self, cs: CompiledStatement) -> int:
        key = StatementContent(cs.statement.effect, cs.statement.conditions)
        number = self._contents.get(key)
        if number is None:
            number = self._contents[key] = len(self._contents)
            self._independent.append(resource_independent_clauses(cs.statement.conditions))
        return number

    def resource_independent(self, content: int) -> bool:
        """Whether the Condition of the content looks at nothing of the resource."""
        return self._independent[content]

    def candidates(self, entry: AccountEntry) -> list[Profile]:
        """The principals of the account holding a policy that may allow the action, in ARN order."""
        held = self._candidates.get(entry.account_id)
        if held is not None and held.source is entry:
            return held.value
        chosen: dict[str, Profile] = {}
        for policy_arn, holders in entry.holders.items():
            if self.match(entry.policies[policy_arn]).allows:
                for arn in holders:
                    chosen[arn] = entry.profiles[arn]
        found = [chosen[arn] for arn in sorted(chosen)]
        self._candidates[entry.account_id] = Kept(entry, found)
        return found
