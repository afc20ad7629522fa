"""Relabelling: a decision made for one principal (or on one role's trust policy), written in another's own
policies and statements, or for another role's trust policy of the same document. The outcome and the
condition's tests stay; only which policy, statement and Sid they name changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from service.evaluation.engine import Decision, Reason
from service.evaluation.formula import Condition, Test, leaves, map_tests
from service.reachability.classes import Member
from service.reachability.signatures import StatementAt, StatementRef

_OWN = frozenset({"identity", "boundary"})  # the policy types whose statements a member has of its own


@dataclass(frozen=True, slots=True)
class TrustPolicyName:
    """A trust policy's name in a decision (`old`), and the name to tell it under (`new`)."""

    old: str
    new: str


@dataclass(frozen=True)
class Relabelling:
    """Where each identity or boundary statement of a class's representative is among another's (several
    places: the same content in several policies), and which trust policy name becomes which."""

    statements: Mapping[StatementRef, tuple[StatementAt, ...]] = field(default_factory=dict)
    trust_policy: TrustPolicyName | None = None


def relabel(decision: Decision, relabelling: Relabelling, *, explanation: bool = True) -> Decision:
    """`decision` under `relabelling`: each deciding identity or boundary statement becomes the
    member's statements of the same content (a condition test names the first of them; the tests of the
    others are the same test), the trust policy its new name. Without `explanation`, only the condition is
    relabelled and the explanation is left empty."""
    condition = None if decision.condition is None else _relabel_condition(decision.condition, relabelling)
    if not explanation:
        return Decision(decision.decision, condition, ())
    reasons: list[Reason] = []
    rename, statements = relabelling.trust_policy, relabelling.statements
    for reason in decision.explanation:
        if rename is not None and reason.policy_type == "resource" and reason.policy == rename.old:
            reasons.append(replace(reason, policy=rename.new))
            continue
        targets = None
        if statements and reason.statement is not None and reason.policy_type in _OWN:
            targets = statements.get(StatementRef(reason.policy, reason.statement))
        if not targets:
            reasons.append(reason)
        else:
            reasons.extend(
                Reason(at.policy, reason.policy_type, at.statement, at.sid, reason.effect, reason.why) for at in targets
            )
    return Decision(decision.decision, condition, tuple(reasons))


def relabelling_for(member: Member, representative: Member) -> Relabelling:
    """Where each of `representative`'s deciding statements is among `member`'s policies (its boundary's too: the
    boundaries of a decision class say the same about the action, statement for statement, maybe under
    other names)."""
    where = {ref: member.statements[content] for ref, content in representative.content_of.items()}
    for theirs, mine in zip(representative.boundary_refs, member.boundary, strict=False):
        where[theirs] = (mine,)
    return Relabelling(where)


def named_statements(condition: Condition | None) -> tuple[StatementRef, ...]:
    """The identity and boundary statements the tests of `condition` name: what a member's relabelled
    condition depends on."""
    if condition is None:
        return ()
    found = {
        StatementRef(leaf.test.policy, leaf.test.statement)
        for leaf in leaves(condition)
        if leaf.test.policy_type in _OWN and leaf.test.statement is not None
    }
    return tuple(sorted(found))


def _relabel_condition(condition: Condition, relabelling: Relabelling) -> Condition:
    rename, statements = relabelling.trust_policy, relabelling.statements

    def retell(test: Test) -> Test:
        if rename is not None and test.policy_type == "resource" and test.policy == rename.old:
            return replace(test, policy=rename.new)
        targets = None
        if statements and test.statement is not None and test.policy_type in _OWN:
            targets = statements.get(StatementRef(test.policy, test.statement))
        if not targets:
            return test
        first = targets[0]
        return Test(test.key, test.operator, test.values, first.policy, first.statement, first.sid, test.policy_type)

    relabelled = map_tests(condition, retell)
    assert not isinstance(relabelled, bool), "relabelling statements cannot decide a condition"
    return relabelled
