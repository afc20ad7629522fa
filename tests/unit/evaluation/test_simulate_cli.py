"""`accessgraph simulate`: JSON in, JSON out, clean errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import main

A, B = "111111111111", "222222222222"
ASSUME = {
    "request": {
        "principal": f"arn:aws:iam::{A}:user/alice",
        "action": "sts:AssumeRole",
        "resource": f"arn:aws:iam::{B}:role/vendor-audit",
    },
    "identityPolicies": [
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}
    ],
    "resourcePolicy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "vendor-7731"}},
            }
        ],
    },
}
SCP_DENIED = {
    "request": {
        "principal": f"arn:aws:iam::{A}:user/alice",
        "action": "s3:DeleteBucket",
        "resource": "arn:aws:s3:::reports",
    },
    "identityPolicies": [
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    ],
    "serviceControlPolicies": [
        [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}],
        [
            {
                "Version": "2012-10-17",
                "Statement": {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
            }
        ],
    ],
}


def run(argv: list[str], stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    assert monkeypatch is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_single_request_from_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "assume.json"
    path.write_text(json.dumps(ASSUME))
    assert run(["simulate", str(path)], monkeypatch=monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == "Allowed"
    assert out["conditionText"] == 'sts:ExternalId StringEquals "vendor-7731"'
    assert out["conditions"] == [
        {
            "key": "sts:ExternalId",
            "operator": "StringEquals",
            "values": ["vendor-7731"],
            "negated": False,
            "policy": "resourcePolicy",
            "statement": 0,
            "sid": None,
            "policyType": "resource",
        }
    ]
    assert {r["policyType"] for r in out["explanation"]} == {"identity", "resource"}


def test_array_from_stdin_mirrors_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with_id: dict[str, Any] = json.loads(json.dumps(ASSUME))
    with_id["request"]["context"] = {"sts:ExternalId": "vendor-7731"}
    assert run(["simulate", "-"], json.dumps([ASSUME, SCP_DENIED, with_id]), monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["decision"] for o in out] == ["Allowed", "ExplicitlyDenied", "Allowed"]
    assert out[1]["explanation"][0]["sid"] == "NoDeletes" and out[1]["explanation"][0]["policyType"] == "scp"
    assert out[2]["conditions"] == [] and out[2]["conditionText"] == ""


def test_context_complete_and_principal_object(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    item = {
        "request": {
            "principal": {"arn": f"arn:aws:iam::{A}:user/alice", "tags": {"team": "red"}, "orgId": "o-1"},
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::teams/red/x",
            "contextComplete": True,
            "context": {"aws:SecureTransport": True},
        },
        "identityPolicies": [
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*",
                    "Condition": {
                        "Bool": {"aws:SecureTransport": "true"},
                        "StringEquals": {"aws:PrincipalOrgID": "o-1"},
                    },
                },
            }
        ],
    }
    assert run(["simulate", "-"], json.dumps(item), monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "Allowed"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {
                "request": ASSUME["request"],
                "identityPolicies": [
                    {"Statement": {"Effect": "Allow", "Action": "s3:x", "Resource": "*", "NotResource": "*"}}
                ],
            },
            "policy 'identityPolicies[0]', statement 0, field 'NotResource': a statement cannot have both",
        ),
        ({"request": {"principal": "bob", "action": "s3:x", "resource": "*"}}, "request.principal"),
        ({"request": {"principal": f"arn:aws:iam::{A}:user/a", "resource": "*"}}, "request.action: required"),
        ({"request": ASSUME["request"], "identityPolicy": []}, "unknown field 'identityPolicy'"),
        ({"request": ASSUME["request"], "resourceKind": "bucket"}, "resourceKind: expected one of"),
    ],
)
def test_malformed_input_gives_a_clean_error(
    payload: Any, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["simulate", "-"], json.dumps(payload), monkeypatch) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("accessgraph: error: ")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_not_json_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["simulate", "-"], "{nope", monkeypatch) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert run(["simulate", str(tmp_path / "absent.json")], monkeypatch=monkeypatch) == 2
    assert "absent.json" in capsys.readouterr().err


def test_a_batch_answers_every_valid_request_and_reports_each_invalid_one_in_place(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [
        ASSUME,
        {"request": ASSUME["request"], "resourcePolicy": {"Statement": [{"Effect": "Permit", "Action": "sts:*"}]}},
        {"request": {"principal": "bob", "action": "s3:x", "resource": "*"}},
        {
            "request": ASSUME["request"],
            "identityPolicies": [
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}
            ],
        },
        ASSUME,
    ]
    assert run(["simulate", "-"], json.dumps(batch), monkeypatch) == 2
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [item.get("decision") for item in out] == ["Allowed", None, None, None, "Allowed"]
    assert "policy '[1].resourcePolicy', statement 0, field 'Effect'" in out[1]["error"]
    assert "[2].request.principal" in out[2]["error"]
    assert "cannot have a Principal" in out[3]["error"] and "[3].identityPolicies[0]" in out[3]["error"]
    assert "invalid" in captured.err and "Traceback" not in captured.err


def test_a_pattern_resource_is_a_question_about_some_resource(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/AWSLogs/1/*"},
    }
    item = {
        "request": {
            "principal": f"arn:aws:iam::{A}:user/alice",
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::logs/*",
        },
        "identityPolicies": [policy],
    }
    literal = {**item, "request": {**item["request"], "resourceIsPattern": False}}
    assert run(["simulate", "-"], json.dumps([item, literal]), monkeypatch) == 0
    pattern, exact = json.loads(capsys.readouterr().out)
    assert (pattern["decision"], pattern["resourcePattern"]) == ("Allowed", True)
    assert "some resource matching 'arn:aws:s3:::logs/*'" in pattern["question"]
    assert (exact["decision"], exact["resourcePattern"]) == ("ImplicitlyDenied", False)
    assert "question" not in exact
