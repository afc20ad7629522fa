"""Every technique the checker decides, on a minimal account where it applies and on the variants where it
must not (tests/unit/escalation/scenarios.py builds both from the catalogue entry itself)."""

from __future__ import annotations

import pytest

from service.escalation import Technique
from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.escalation.scenarios import CREDENTIAL, DECIDED, scenario, variants_of
from tests.unit.reachability.fake_source import run


def _by_technique(answers: list[Access], technique: str) -> list[Access]:
    return [a for a in answers if any(step.technique == technique for path in a.paths for step in path)]


def _escalations(technique: Technique, variant: str) -> tuple[list[Access], str]:
    built = scenario(technique, variant)
    answers = list(run(Reachability(built.source).escalations(built.attacker, max_hops=1)))
    return answers, built.reached


def test_the_decided_techniques_are_those_the_report_names() -> None:
    assert len(DECIDED) == 47
    assert {"iam-012", "iam-001", "lambda-001", "ec2-001", "batch-003", "emr-001", "cloudformation-003"} <= {
        t.id for t in DECIDED
    }


@pytest.mark.parametrize("technique", DECIDED, ids=lambda t: t.id)
def test_the_technique_applies_on_its_minimal_account(technique: Technique) -> None:
    answers, reached = _escalations(technique, "applies")
    found = [a for a in _by_technique(answers, technique.id) if a.principal.arn == reached]
    assert found, f"{technique.id} not found reaching {reached}: {[a.principal.arn for a in answers]}"
    (step,) = [s for path in found[0].paths for s in path if s.technique == technique.id]
    assert step.kind == "escalates" and step.via is not None and step.via.startswith(technique.id)
    # (a role chain adds the passed role's sts:AssumeRole of the execution role)
    assumes = any(x.action == "sts:AssumeRole" for x in technique.actions) or "role-chain" in {
        p.value for p in technique.prerequisites
    }
    assert step.statement is not None and step.statement.count('"action"') == len(
        [x for x in technique.actions if x.action != "sts:AssumeRole"]
    ) + (1 if assumes else 0)


@pytest.mark.parametrize(
    ("technique", "variant"),
    [(t, v) for t in DECIDED for v in variants_of(t)],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_the_technique_does_not_apply_on_a_negative_control(technique: Technique, variant: str) -> None:
    answers, reached = _escalations(technique, variant)
    assert not [a for a in _by_technique(answers, technique.id) if a.principal.arn == reached]


@pytest.mark.parametrize("technique", CREDENTIAL, ids=lambda t: t.id)
def test_a_credential_technique_is_possible_credential_state_unknown_never_dropped(technique: Technique) -> None:
    answers, reached = _escalations(technique, "applies")
    found = [a for a in _by_technique(answers, technique.id) if a.principal.arn == reached]
    assert found, f"{technique.id} dropped"
    assert found[0].condition is not None and "accessgraph:CredentialState" in str(found[0].condition_text)
    assert any("credential state unknown" in note for note in found[0].notes)


def test_a_trust_policy_that_lets_a_service_assume_its_role_names_it_anyone_or_a_pattern() -> None:
    """The roles a service may assume (a helper role of batch-003, emr-001) are read and decided only when
    their trust policy may name it (`ServiceNames`, on the trust targets every role has read): for
    trust policies of every form, each the evaluator says lets the service assume the role is among them."""
    from service.reachability.escalation.targeted import ServiceNames, _trusts_service
    from service.reachability.index import PrincipalIndex
    from service.reachability.who_can_assume import Assumers
    from tests.unit.reachability.fake_source import FakeAccount, FakeSource, trusting

    account = FakeAccount("111122223333")
    trusts = {
        "lambda": trusting({"Service": "lambda.amazonaws.com"}),
        "both": trusting({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}),
        "anyone": trusting("*"),
        "any-aws": trusting({"AWS": "*"}),
        "account": trusting({"AWS": "arn:aws:iam::111122223333:root"}),
        "denied": trusting({"Service": "lambda.amazonaws.com"}, effect="Deny"),
        "glue": trusting({"Service": "glue.amazonaws.com"}),
    }
    for name, trust in trusts.items():
        account.role(name, [], trust=trust)
    source = FakeSource(account)
    assumers = Assumers(PrincipalIndex().view(source))
    services = ("lambda.amazonaws.com", "ec2.amazonaws.com", "glue.amazonaws.com", "batch.amazonaws.com")
    trusted = 0
    for name in trusts:
        arn = account.arn("role", name)
        role = run(assumers.role(arn))
        assert role is not None
        targets = run(assumers.trust_targets(arn))
        for service in services:
            if _trusts_service(role, service):
                trusted += 1
                assert ServiceNames.of(targets).may_name((service,)), (name, service)
    assert trusted >= 5
    assert not ServiceNames.of(run(assumers.trust_targets(account.arn("role", "account")))).may_name(services)
