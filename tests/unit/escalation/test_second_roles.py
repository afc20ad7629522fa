"""The techniques that need a second role: a helper role the service needs (batch-003: the Batch execution
role; emr-001: the EMR service role) and the StackSet execution role the passed administration role assumes
(cloudformation-003). The catalogue-driven controls are in test_checker.py; these pin what is particular."""

from __future__ import annotations

import json

from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, run, trusting

A = "111122223333"
EMR = "elasticmapreduce.amazonaws.com"
CFN = "cloudformation.amazonaws.com"


def _passing(role: str, service: str) -> dict[str, object]:
    return allow("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": service}})


def _reached(source: FakeSource, attacker: str, technique: str) -> dict[str, Access]:
    answers = run(Reachability(source).escalations(attacker, max_hops=1))
    return {a.principal.arn: a for a in answers if any(s.technique == technique for p in a.paths for s in p)}


def _granted(access: Access) -> list[tuple[str, str]]:
    (step,) = [s for p in access.paths for s in p if s.technique]
    assert step.statement is not None
    return [(g["action"], g["resource"]) for g in json.loads(step.statement)]


def test_batch_003_the_passed_role_is_its_own_execution_role_when_no_other_role_trusts_ecs_tasks() -> None:
    a = FakeAccount(A)
    job = a.role("job", [a.policy("Admin", allow("*"))], trust=trusting({"Service": "ecs-tasks.amazonaws.com"}))
    batch = ["batch:CreateComputeEnvironment", "batch:CreateJobQueue", "batch:RegisterJobDefinition", "batch:SubmitJob"]
    attacker = a.user("attacker", [a.policy("Batch", _passing(job, "batch.amazonaws.com"), allow(batch))])
    found = _reached(FakeSource(a), attacker, "batch-003")
    assert list(found) == [job]
    assert _granted(found[job])[:2] == [("iam:PassRole", job), ("iam:PassRole", job)]


def _emr(*extra: dict[str, object], helper_trust: str = EMR) -> tuple[FakeSource, str, str, str]:
    a = FakeAccount(A)
    node = a.role("node", [a.policy("Admin", allow("*"))], trust=trusting({"Service": "ec2.amazonaws.com"}))
    service_role = a.role("emr-service", [], trust=trusting({"Service": helper_trust}))
    statements = [_passing(node, EMR), _passing(service_role, EMR), allow("elasticmapreduce:RunJobFlow"), *extra]
    attacker = a.user("attacker", [a.policy("Emr", *statements)])
    return FakeSource(a), attacker, node, service_role


def test_emr_001_names_the_service_role_it_passes_as_the_helper() -> None:
    source, attacker, node, service_role = _emr()
    found = _reached(source, attacker, "emr-001")
    assert list(found) == [node]
    assert _granted(found[node]) == [
        ("iam:PassRole", node),
        ("iam:PassRole", service_role),
        ("elasticmapreduce:RunJobFlow", "*"),
    ]
    assert any("instance profile" in note for note in found[node].notes)


def test_emr_001_a_deny_on_passing_only_the_service_role_refuses_it() -> None:
    source, attacker, _, service_role = _emr(deny("iam:PassRole", f"arn:aws:iam::{A}:role/emr-service"))
    assert service_role.endswith("emr-service")
    assert not _reached(source, attacker, "emr-001")


def test_emr_001_without_a_role_trusting_the_emr_service_is_not_possible() -> None:
    source, attacker, _, _ = _emr(helper_trust="ec2.amazonaws.com")
    assert not _reached(source, attacker, "emr-001")


def _stack_set(execution_trust: dict[str, object]) -> tuple[FakeSource, str, str, str]:
    a = FakeAccount(A)
    administration = a.role(
        "stackset-admin", [a.policy("AssumeExecution", allow("sts:AssumeRole"))], trust=trusting({"Service": CFN})
    )
    execution = a.role("stackset-exec", [a.policy("Admin", allow("*"))], trust=execution_trust)
    actions = allow(["cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"])
    attacker = a.user("attacker", [a.policy("StackSets", _passing(administration, CFN), actions)])
    return FakeSource(a), attacker, administration, execution


def test_cloudformation_003_becomes_the_execution_role_the_administration_role_assumes() -> None:
    source, attacker, administration, execution = _stack_set(trusting({"AWS": f"arn:aws:iam::{A}:role/stackset-admin"}))
    found = _reached(source, attacker, "cloudformation-003")
    assert list(found) == [execution]  # (not the administration role: it is only passed)
    assert found[execution].condition is None
    assert _granted(found[execution]) == [
        ("iam:PassRole", administration),
        ("cloudformation:CreateStackSet", "*"),
        ("cloudformation:CreateStackInstances", "*"),
        ("sts:AssumeRole", execution),
    ]


def test_cloudformation_003_keeps_the_condition_of_the_execution_roles_trust() -> None:
    trust = trusting(
        {"AWS": f"arn:aws:iam::{A}:role/stackset-admin"},
        Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    )
    source, attacker, _, execution = _stack_set(trust)
    found = _reached(source, attacker, "cloudformation-003")
    assert "aws:RequestedRegion" in str(found[execution].condition_text)


def test_cloudformation_003_a_trust_naming_the_account_needs_the_administration_roles_own_allow() -> None:
    source, attacker, _, execution = _stack_set(trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    assert execution in _reached(source, attacker, "cloudformation-003")
    a = FakeAccount(A)
    a.role("stackset-admin", [a.policy("Nothing", allow("s3:ListAllMyBuckets"))], trust=trusting({"Service": CFN}))
    a.role("stackset-exec", [a.policy("Admin", allow("*"))], trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    actions = allow(["cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"])
    attacker = a.user("attacker", [a.policy("StackSets", _passing(a.arn("role", "stackset-admin"), CFN), actions)])
    assert not _reached(FakeSource(a), attacker, "cloudformation-003")
