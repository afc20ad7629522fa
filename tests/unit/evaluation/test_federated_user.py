"""Federated user sessions (`GetFederationToken`) from ARNs, and through `accessgraph simulate`."""

from __future__ import annotations

import io
import json

import pytest

from service.cli import main
from service.errors import InputError
from service.evaluation import principal_from_arn

A, B = "111111111111", "222222222222"
FIONA = f"arn:aws:sts::{A}:federated-user/fiona"
ALICE = f"arn:aws:iam::{A}:user/alice"


def test_a_federated_user_arn_is_a_federated_user_session_of_its_account() -> None:
    """IAM UG, "IAM identifiers" > ARNs: `arn:aws:sts::ACCOUNT:federated-user/NAME`."""
    who = principal_from_arn(FIONA, parent_user_arn=ALICE)
    assert (who.kind, who.account_id, who.federated_user_name, who.parent_user_arn) == (
        "federated-user",
        A,
        "fiona",
        ALICE,
    )
    assert who.is_iam_identity
    assert who.name is None and who.username is None


@pytest.mark.parametrize(
    ("arn", "parent", "message"),
    [
        (f"arn:aws:iam::{A}:federated-user/fiona", None, "expected a user, role, assumed-role, federated-user"),
        (f"arn:aws:sts::{A}:federated-user/f", None, "2 to 32"),
        (f"arn:aws:sts::{A}:federated-user/{'x' * 33}", None, "2 to 32"),
        (f"arn:aws:sts::{A}:federated-user/fi ona", None, "2 to 32"),
        (FIONA, f"arn:aws:iam::{B}:user/carol", f"of account {A}"),
        (FIONA, f"arn:aws:iam::{A}:role/dev", "must be an IAM user or root ARN"),
        (ALICE, ALICE, "only a federated user session has a parent user"),
    ],
)
def test_what_is_not_a_federated_user_session_is_named(arn: str, parent: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        principal_from_arn(arn, parent_user_arn=parent)
    assert arn in str(raised.value)


def test_a_root_parent_is_accepted() -> None:
    """STS API Reference, GetFederationToken: the root user's credentials can call it too."""
    root = f"arn:aws:iam::{A}:root"
    assert principal_from_arn(FIONA, parent_user_arn=root).parent_user_arn == root


def simulate(item: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(item)))
    code = main(["simulate", "-"])
    captured = capsys.readouterr()
    return code, captured.out or captured.err


def test_simulate_takes_the_parent_user(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """IAM UG, "Session policies": a resource policy naming the parent user grants within the session policy."""
    request = {
        "principal": {"arn": FIONA, "parentUser": ALICE},
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::r/x",
    }
    item = {
        "request": request,
        "sessionPolicy": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
        "resourcePolicy": {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject", "Resource": "*"},
        },
    }
    code, out = simulate(item, monkeypatch, capsys)
    assert code == 0
    assert json.loads(out)["decision"] == "Allowed"
    request["principal"] = FIONA  # the parent unknown: an IAM user ARN names someone else
    code, out = simulate(item, monkeypatch, capsys)
    assert json.loads(out)["decision"] == "ImplicitlyDenied"


@pytest.mark.parametrize(
    ("parent", "message"),
    [
        (7, "request.principal.parentUser: expected the ARN"),
        (f"arn:aws:iam::{B}:user/x", "request.principal: principal"),
    ],
)
def test_simulate_names_a_bad_parent_user(
    parent: object, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    item = {"request": {"principal": {"arn": FIONA, "parentUser": parent}, "action": "s3:GetObject", "resource": "*"}}
    code, err = simulate(item, monkeypatch, capsys)
    assert code == 2
    assert message in err
