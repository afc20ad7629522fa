"""The techniques with a second role through `accessgraph load` and Neo4j (trust policies and their targets read
from the graph): emr-001 passes an EMR service role too, cloudformation-003 becomes the StackSet execution
role its administration role assumes; `whoCanAssume(escalation: true)` names them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.cli.questions import ESCALATIONS, WHO_CAN_ASSUME_ESCALATING, run_query
from tests.integration.api.conftest import Load
from tests.support.gaad import Account, allow, trust, trusts

pytestmark = pytest.mark.neo4j
A = "777788889999"
EMR, CFN = "elasticmapreduce.amazonaws.com", "cloudformation.amazonaws.com"


def _passing(role: str, service: str) -> dict[str, Any]:
    return allow("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": service}})


@pytest.fixture
def account(load: Load, tmp_path: Path) -> Account:
    a = Account(A)
    admin = a.policy("Everything", allow("*"))
    a.role("EmrNode", trust(trusts({"Service": "ec2.amazonaws.com"})), managed=[admin])
    a.role("EmrService", trust(trusts({"Service": EMR})), inline=[allow("ec2:RunInstances")])
    a.role("NotEmr", trust(trusts({"Service": "ec2.amazonaws.com"})), inline=[allow("ec2:RunInstances")])
    run_job_flow = allow("elasticmapreduce:RunJobFlow")
    a.user(
        "emr",
        inline=[_passing(a.arn("role", "EmrNode"), EMR), _passing(a.arn("role", "EmrService"), EMR), run_job_flow],
    )
    a.user(
        "emr-wrong-helper",
        inline=[_passing(a.arn("role", "EmrNode"), EMR), _passing(a.arn("role", "NotEmr"), EMR), run_job_flow],
    )
    a.role(
        "StackSetAdmin",
        trust(trusts({"Service": CFN})),
        inline=[allow("sts:AssumeRole", a.arn("role", "StackSetExec"))],
    )
    a.role("StackSetExec", trust(trusts({"AWS": a.arn("role", "StackSetAdmin")})), managed=[admin])
    stack_sets = allow(["cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"])
    a.user("stacker", inline=[_passing(a.arn("role", "StackSetAdmin"), CFN), stack_sets])
    a.user(
        "stacker-no-instances",
        inline=[_passing(a.arn("role", "StackSetAdmin"), CFN), allow("cloudformation:CreateStackSet")],
    )
    load(a.write(tmp_path))
    return a


def _techniques(answers: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for answer in answers:
        for step in answer["paths"][0]["steps"]:
            if step["technique"]:
                found.setdefault(answer["principal"]["arn"].rsplit("/", 1)[-1], set()).add(step["technique"])
    return found


def _escalations(a: Account, user: str) -> dict[str, set[str]]:
    variables = {"principalArn": a.arn("user", user), "maxHops": 1, "limit": 1000}
    return _techniques(run_query(ESCALATIONS, variables)["escalations"])


def test_emr_001_needs_a_service_role_the_emr_service_trusts(account: Account) -> None:
    assert "emr-001" in _escalations(account, "emr").get("EmrNode", set())
    assert "emr-001" not in _escalations(account, "emr-wrong-helper").get("EmrNode", set())


def test_cloudformation_003_becomes_the_execution_role(account: Account) -> None:
    assert _escalations(account, "stacker").get("StackSetExec") == {"cloudformation-003"}
    assert "StackSetExec" not in _escalations(account, "stacker-no-instances")
    variables = {"roleArn": account.arn("role", "StackSetExec"), "maxHops": 1, "limit": 100}
    assumers = _techniques(run_query(WHO_CAN_ASSUME_ESCALATING, variables)["whoCanAssume"])
    assert assumers.get("stacker") == {"cloudformation-003"} and "stacker-no-instances" not in assumers
