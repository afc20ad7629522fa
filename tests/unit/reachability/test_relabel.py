"""Relabelling a decision (service/reachability/relabel.py): the same outcome and tests, named in another
principal's statements or another role's trust policy."""

from __future__ import annotations

from service.evaluation.engine import Decision, Reason
from service.evaluation.formula import Test, conj, leaves
from service.reachability.classes import Member
from service.reachability.profiles import OrgContext, Profile
from service.reachability.relabel import (
    Relabelling,
    StatementRef,
    TrustPolicyName,
    named_statements,
    relabel,
    relabelling_for,
)
from service.reachability.signatures import StatementAt

MFA = ("aws:MultiFactorAuthPresent", "Bool", ("true",))


def _profile(name: str) -> Profile:
    arn = f"arn:aws:iam::111122223333:user/{name}"
    return Profile(arn, "user", name, "111122223333", None, {}, False, (), None, OrgContext.outside("111122223333"))


def _decision() -> Decision:
    identity = Test(*MFA, policy="p-first", statement=0, sid="A", policy_type="identity")
    trust = Test(
        "sts:ExternalId", "StringEquals", ("x",), policy="first trust policy", statement=0, policy_type="resource"
    )
    condition = conj([identity, trust])
    assert not isinstance(condition, bool)
    reasons = (
        Reason("p-first", "identity", 0, "A", "Allow", "allows"),
        Reason("first trust policy", "resource", 0, None, "Allow", "trusts"),
        Reason("scp-full", "scp", 0, None, "Allow", "allows"),
    )
    return Decision("Allowed", condition, reasons)


def test_a_decision_is_told_in_the_members_own_statements() -> None:
    where = {StatementRef("p-first", 0): (StatementAt("p-mine", 3, "M"), StatementAt("p-mine-too", 1, None))}
    told = relabel(_decision(), Relabelling(where))
    assert [(r.policy, r.statement, r.sid) for r in told.explanation] == [
        ("p-mine", 3, "M"),
        ("p-mine-too", 1, None),
        ("first trust policy", 0, None),
        ("scp-full", 0, None),
    ]
    named = {(leaf.test.policy, leaf.test.statement, leaf.test.sid) for leaf in leaves(told.condition)}
    assert named == {("p-mine", 3, "M"), ("first trust policy", 0, None)}
    assert told.decision == "Allowed"


def test_a_trust_policy_is_renamed_and_nothing_else() -> None:
    told = relabel(_decision(), Relabelling(trust_policy=TrustPolicyName("first trust policy", "second trust policy")))
    assert [r.policy for r in told.explanation] == ["p-first", "second trust policy", "scp-full"]
    assert {leaf.test.policy for leaf in leaves(told.condition)} == {"p-first", "second trust policy"}


def test_without_explanation_only_the_condition_is_relabelled() -> None:
    where = {StatementRef("p-first", 0): (StatementAt("p-mine", 3, "M"),)}
    told = relabel(_decision(), Relabelling(where), explanation=False)
    assert told.explanation == () and "p-mine" in {leaf.test.policy for leaf in leaves(told.condition)}


def test_named_statements_are_the_identity_and_boundary_ones_in_order() -> None:
    tests = [
        Test(*MFA, policy="b", statement=2, policy_type="boundary"),
        Test(*MFA, policy="a", statement=5, policy_type="identity"),
        Test(*MFA, policy="trust", statement=0, policy_type="resource"),
    ]
    condition = conj(tests)
    assert not isinstance(condition, bool)
    assert named_statements(condition) == (StatementRef("a", 5), StatementRef("b", 2))
    assert named_statements(None) == ()


def test_a_relabelling_maps_contents_and_boundaries_statement_for_statement() -> None:
    representative = Member(
        _profile("first"),
        {0: (StatementAt("p-first", 0, None),), 1: (StatementAt("q-first", 2, "Q"),)},
        (StatementAt("boundary-first", 0, None), StatementAt("boundary-first", 1, None)),
    )
    member = Member(
        _profile("second"),
        {0: (StatementAt("p-second", 4, None),), 1: (StatementAt("q-second", 0, None),)},
        (StatementAt("boundary-second", 0, "B0"), StatementAt("boundary-second", 1, "B1")),
    )
    where = relabelling_for(member, representative).statements
    assert where[StatementRef("p-first", 0)] == (StatementAt("p-second", 4, None),)
    assert where[StatementRef("q-first", 2)] == (StatementAt("q-second", 0, None),)
    assert where[StatementRef("boundary-first", 1)] == (StatementAt("boundary-second", 1, "B1"),)
