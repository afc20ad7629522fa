"""The tutorial's scenario answers as the tutorial implies (examples/, issue "Reachability over GraphQL")."""

from __future__ import annotations

import json
from pathlib import Path

from service.cli.questions import run_query
from tests.integration.api.conftest import who_can, who_can_assume

CONTRACTOR_ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"
USERS = "arn:aws:iam::111111111111:user/"


def test_the_contractor_can_assume_contractor_access_only_with_the_external_id(demo: None) -> None:
    answers = who_can_assume(CONTRACTOR_ROLE)
    assert "arn:aws:iam::222222222222:user/dana" in answers
    assert "arn:aws:iam::222222222222:user/lee" not in answers  # no identity Allow on their side
    dana = answers["arn:aws:iam::222222222222:user/dana"]
    assert [(c["key"], c["operator"], c["negated"]) for c in dana["conditions"]] == [
        ("sts:ExternalId", "StringEquals", False)
    ]
    steps = [step for path in dana["paths"] for step in path["steps"]]
    assert steps[-1]["kind"] == "assumes" and steps[-1]["to"]["arn"] == CONTRACTOR_ROLE
    assert "sts:ExternalId" in json.loads(steps[-1]["statement"])["Condition"]["StringEquals"]
    assert any(step["kind"] == "has_policy" and step["to"]["name"] == "AssumeClientContractorRole" for step in steps)


def test_admins_and_only_admins_can_delete_objects(demo: None) -> None:
    answers = who_can("s3:DeleteObject", "arn:aws:s3:::webapp-assets/index.html")
    assert {USERS + "Jesse", USERS + "Segun"} <= set(answers)
    for name in ("Alice", "Jake", "Jessica"):
        assert USERS + name not in answers
    for name in ("Jesse", "Segun"):
        access = answers[USERS + name]
        assert access["conditions"] == []
        steps = access["paths"][0]["steps"]
        assert [(s["kind"], s["to"]["name"]) for s in steps] == [
            ("member_of", "Admins"),
            ("has_policy", "AdministratorAccess"),
        ]
        assert json.loads(steps[-1]["statement"]) == {"Action": "*", "Effect": "Allow", "Resource": "*"}


def test_developers_can_start_instances(demo: None) -> None:
    answers = who_can("ec2:StartInstances", "arn:aws:ec2:us-east-1:111111111111:instance/i-0abc")
    assert {USERS + n for n in ("Alice", "Jake", "Jessica", "Jesse", "Segun")} <= set(answers)


ACCESS = """query($p: String!, $a: String!, $r: String!) {
  access(principalArn: $p, action: $a, resource: $r) { decision resourcePattern }
}"""


def test_access_on_a_pattern_says_it_is_about_a_pattern(demo: None) -> None:
    """Issue #15 item 6, over GraphQL: "may Jesse delete some object of the bucket?" is a pattern question."""
    on_pattern = run_query(ACCESS, {"p": USERS + "Jesse", "a": "s3:DeleteObject", "r": "arn:aws:s3:::webapp-assets/*"})
    assert on_pattern["access"] == {"decision": "Allowed", "resourcePattern": True}
    exact = run_query(ACCESS, {"p": USERS + "Jesse", "a": "s3:DeleteObject", "r": "arn:aws:s3:::webapp-assets/a.html"})
    assert exact["access"] == {"decision": "Allowed", "resourcePattern": False}
    answers = who_can("s3:DeleteObject", "arn:aws:s3:::webapp-assets/*")
    assert {USERS + "Jesse", USERS + "Segun"} <= set(answers)
    assert any("pattern" in note for note in answers[USERS + "Jesse"]["notes"])


def test_stats_count_the_demo_admins_findings_and_resources(demo: None) -> None:
    """stats (#17) counts what #13, #14 and #16 answer, the same as those questions do."""
    (row,) = run_query(
        '{ stats(accountId: "111111111111") { accountId admins findings resources } }', {}
    )["stats"]
    admins = run_query(
        '{ admins(accountId: "111111111111", escalation: false) { principal { arn } } }', {}
    )
    audit = run_query('{ findings(accountId: "111111111111", first: 1) { totalCount } }', {})
    demo_resources = Path(__file__).resolve().parents[3] / "examples" / "resources-111111111111.json"
    resources = json.loads(demo_resources.read_text(encoding="utf-8"))["Resources"]
    assert USERS + "Jesse" in {a["principal"]["arn"] for a in admins["admins"]}
    assert row == {
        "accountId": "111111111111",
        "admins": len(admins["admins"]),
        "findings": audit["findings"]["totalCount"],
        "resources": len(resources),
    }
    assert row["findings"] > 0


def test_the_explorer_reaches_a_loaded_resource_by_its_kind(demo: None) -> None:
    """#14: a loaded resource is an entity of its own type (the explorer draws its shape), next to its account."""
    bucket = "arn:aws:s3:::webapp-assets"
    entity = run_query("query($a: String!) { entity(arn: $a) { node { arn kind accountId } } }", {"a": bucket})
    assert entity["entity"]["node"] == {"arn": bucket, "kind": "s3-bucket", "accountId": "111111111111"}
    around = run_query(
        "query($a: String!) { neighbours(arn: $a, first: 500) { nodes { arn kind } } }", {"a": "111111111111"}
    )["neighbours"]["nodes"]
    assert {"arn": bucket, "kind": "s3-bucket"} in around
    assert any(node["kind"] == "kms-key" for node in around)
