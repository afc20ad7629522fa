"""The table of documented cases: each names the AWS documentation section it follows."""

from __future__ import annotations

import pytest

from service.evaluation import Decision, Request, evaluate, parse_policy

from . import (
    cases_conditions,
    cases_documents,
    cases_federated,
    cases_logic,
    cases_matching,
    cases_operators,
    cases_organizations,
    cases_patterns,
    cases_principals,
    cases_protected,
    cases_trust,
)
from .casekit import Case

CASES: list[Case] = [
    *cases_logic.CASES,
    *cases_trust.CASES,
    *cases_matching.CASES,
    *cases_conditions.CASES,
    *cases_operators.CASES,
    *cases_protected.CASES,
    *cases_organizations.CASES,
    *cases_principals.CASES,
    *cases_documents.CASES,
    *cases_patterns.CASES,
    *cases_federated.CASES,
]
# Issue #15 (fidelity): the rules the first 273 cases did not cover.
FIDELITY_CASES = [
    *cases_protected.CASES,
    *cases_organizations.CASES,
    *cases_principals.CASES,
    *cases_documents.CASES,
    *cases_patterns.CASES,
]


def decide(case: Case) -> Decision:
    def named(kind: str, docs: tuple[dict[str, object], ...]) -> list:  # type: ignore[type-arg]
        return [parse_policy(d, name=f"{kind}[{i}]") for i, d in enumerate(docs)]

    return evaluate(
        Request(
            case.principal,
            case.action,
            case.resource,
            resource_account=case.resource_account,
            context=case.context,
            context_complete=case.complete,
            resource_is_pattern=case.pattern,
        ),
        identity_policies=named("identity", case.identity),
        permissions_boundaries=None if case.boundary is None else named("boundary", case.boundary),
        service_control_policies=None
        if case.scps is None
        else [named(f"scp{depth}", level) for depth, level in enumerate(case.scps)],
        resource_control_policies=None
        if case.rcps is None
        else [named(f"rcp{depth}", level) for depth, level in enumerate(case.rcps)],
        resource_policy=None if case.resource_policy is None else parse_policy(case.resource_policy, name="resource"),
        session_policy=None if case.session is None else parse_policy(case.session, name="session"),
        resource_kind=case.kind,
        resource_in_management_account=case.resource_in_management_account,
    )


def test_the_table_is_large_and_documented() -> None:
    assert len(CASES) >= 150
    assert len(FIDELITY_CASES) >= 80
    assert len(cases_federated.CASES) >= 15
    assert len({case.id for case in CASES}) == len(CASES), "case ids must be unique"
    for case in CASES:
        assert " > " in case.doc, f"{case.id} must name the documentation section it follows"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_documented_case(case: Case) -> None:
    decision = decide(case)
    shown = f"{decision.decision} {decision.describe()!r} {decision.explanation}"
    assert decision.decision == case.expect, shown
    assert decision.resource_pattern is case.pattern
    if decision.decision == "Allowed":
        assert decision.describe() == (case.condition or ""), shown
    else:
        assert decision.condition is None
    if case.why is not None:
        assert any(case.why in reason.why for reason in decision.explanation), shown
