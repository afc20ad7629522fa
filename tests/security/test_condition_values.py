"""Issue #18 item 12: condition values no operator can read (a date that is no date, a CIDR `/99`).

IAM Access Analyzer reports such a value as an error ("Invalid condition data type"); where a document
carrying one is stored anyway, no request value can compare with it, so a Deny relying on it never applies.
That must never pass silently: the parsed policy, the decision and `simulate` all name policy, statement
and key.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from loaders.organizations import transform_organization
from loaders.pipeline import plan_from_paths
from service.cli import main
from service.evaluation import Request, evaluate, parse_policy, principal_from_arn
from tests.support.samples import gaad, managed, organization, user, write_json

ALICE = "arn:aws:iam::111111111111:user/alice"
OBJECT = "arn:aws:s3:::reports/q1.csv"

BAD_VALUES = [
    ("DateGreaterThan", "aws:CurrentTime", "not-a-date"),
    ("DateLessThanIfExists", "aws:TokenIssueTime", "2024-13-45"),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/99"),
    ("NotIpAddress", "aws:SourceIp", "300.1.2.3"),
    ("NumericGreaterThan", "s3:max-keys", "ten"),
    ("Bool", "aws:SecureTransport", "yes"),
    ("BinaryEquals", "aws:SomeBinary", "%%%"),
]


def guarded_deny(operator: str, key: str, value: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Sid": "Guard",
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {operator: {key: value}},
            },
        ],
    }


@pytest.mark.parametrize(("operator", "key", "value"), BAD_VALUES)
def test_parsed_policy_names_statement_and_key(operator: str, key: str, value: str) -> None:
    policy = parse_policy(guarded_deny(operator, key, value), name="guard-policy")
    assert len(policy.warnings) == 1
    warning = policy.warnings[0]
    assert (warning.policy, warning.statement, warning.sid, warning.key) == ("guard-policy", 1, "Guard", key)
    assert value in warning.message
    assert "guard-policy" in str(warning) and "statement 1" in str(warning) and key in str(warning)


@pytest.mark.parametrize(("operator", "key", "value"), BAD_VALUES)
def test_the_decision_carries_the_warning(operator: str, key: str, value: str) -> None:
    policy = parse_policy(guarded_deny(operator, key, value), name="guard-policy")
    request = Request(principal_from_arn(ALICE), "s3:GetObject", OBJECT, context={key: ("x",)}, context_complete=True)
    decision = evaluate(request, identity_policies=[policy])
    assert [w.key for w in decision.warnings] == [key]


def test_readable_values_and_policy_variables_raise_no_warning() -> None:
    good = [
        ("DateGreaterThan", "aws:CurrentTime", "2024-01-01T00:00:00Z"),
        ("DateLessThan", "aws:CurrentTime", "1700000000"),
        ("IpAddress", "aws:SourceIp", "2001:db8::/32"),
        ("NumericLessThan", "s3:max-keys", "10.5"),
        ("Bool", "aws:SecureTransport", "False"),
        ("BinaryEquals", "aws:SomeBinary", "QmluYXJ5"),
        ("StringEquals", "aws:username", "not-a-date"),
        ("DateGreaterThan", "aws:CurrentTime", "${aws:TokenIssueTime}"),
    ]
    for operator, key, value in good:
        assert parse_policy(guarded_deny(operator, key, value), name="p").warnings == (), operator


def test_simulate_prints_the_warning(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    item = {
        "request": {
            "principal": ALICE,
            "action": "s3:GetObject",
            "resource": OBJECT,
            "context": {"aws:SourceIp": "10.1.2.3"},
            "contextComplete": True,
        },
        "identityPolicies": [guarded_deny("IpAddress", "aws:SourceIp", "10.0.0.0/99")],
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(item)))
    assert main(["simulate", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == "Allowed"
    (warning,) = out["warnings"]
    assert warning["policy"] == "identityPolicies[0]"
    assert (warning["statement"], warning["sid"], warning["key"]) == (1, "Guard", "aws:SourceIp")
    assert "10.0.0.0/99" in warning["text"]


# -- the loaders: such a document loads (AWS stored it), and the load says where it is -----------------------


def test_a_load_warns_naming_file_entity_policy_statement_and_key(tmp_path: Path) -> None:
    document = guarded_deny("IpAddress", "aws:SourceIp", "10.0.0.0/99")
    gaad_file = write_json(
        tmp_path / "gaad-111111111111.json",
        gaad(users=[user("alice")], policies=[managed("arn:aws:iam::111111111111:policy/Guarded", document)]),
    )
    plan = plan_from_paths([gaad_file])
    warnings = [w for w in plan.warnings if "aws:SourceIp" in w]
    assert len(warnings) == 1, plan.warnings
    assert warnings[0].startswith(f"{gaad_file}: ")
    for part in ("arn:aws:iam::111111111111:policy/Guarded", "statement 1", "'Guard'", "aws:SourceIp"):
        assert part in warnings[0], warnings[0]
    assert plan.accounts[0].policies[0].document  # stored as AWS stores it


def test_a_load_of_readable_values_warns_of_nothing(tmp_path: Path) -> None:
    document = guarded_deny("IpAddress", "aws:SourceIp", "10.0.0.0/8")
    gaad_file = write_json(
        tmp_path / "gaad-111111111111.json",
        gaad(users=[user("alice")], policies=[managed("arn:aws:iam::111111111111:policy/Guarded", document)]),
    )
    assert plan_from_paths([gaad_file]).warnings == ()


def test_an_scp_with_an_unreadable_value_warns_from_the_organization_snapshot() -> None:
    snapshot = organization()
    scp = next(p for p in snapshot["Policies"] if p["PolicySummary"]["Type"] == "SERVICE_CONTROL_POLICY")
    scp["Content"] = json.dumps(guarded_deny("DateGreaterThan", "aws:CurrentTime", "not-a-date"))
    result = transform_organization(snapshot, "org.json")
    assert any(w.startswith("org.json: ") and "aws:CurrentTime" in w for w in result.warnings), result.warnings
