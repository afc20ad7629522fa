"""Who is an administrator of its account: decided by the evaluator on `*` on `*`, never by a policy's name."""

from __future__ import annotations

import pytest

from service.errors import QueryError
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, run

A, B = "111122223333", "444455556666"


def _admins(source: FakeSource, account: str | None = None) -> list[str]:
    return [x.principal.arn for x in run(Reachability(source).admins(account, escalation=False))]


def test_an_allow_of_everything_on_everything_makes_an_administrator_whatever_the_policy_is_called() -> None:
    a = FakeAccount(A)
    a.user("custom", [a.policy("NotCalledAdmin", allow("*"))])
    a.role("managed", [a.aws_policy("AdministratorAccess", allow("*"))])
    a.user("via-group", groups=[a.group("ops", [a.policy("Ops", allow(["s3:*", "*"], ["arn:aws:s3:::x", "*"]))])])
    a.user("reader", [a.aws_policy("ReadOnlyAccess", allow(["s3:Get*", "iam:List*"]))])
    a.user("iam-star", [a.policy("IamStar", allow("iam:*"))])
    answers = run(Reachability(FakeSource(a)).admins(A, escalation=False))
    assert [x.principal.arn for x in answers] == [
        a.arn("role", "managed"),
        a.arn("user", "custom"),
        a.arn("user", "via-group"),
    ]
    via_group = answers[2]
    assert [step.kind for step in via_group.paths[0]] == ["member_of", "has_policy"]
    assert via_group.condition is None


def test_an_allow_that_does_not_cover_everything_is_not_admin() -> None:
    a = FakeAccount(A)
    a.user("not-action", [a.policy("NotIam", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})])
    a.user("one-resource", [a.policy("One", allow("*", "arn:aws:s3:::bucket"))])
    a.user("not-resource", [a.policy("NotRes", {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::x"})])
    assert _admins(FakeSource(a)) == []


@pytest.mark.parametrize(
    "denial",
    [
        deny("iam:CreateUser"),
        deny("s3:*", "arn:aws:s3:::audit-logs/*"),
        {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::x"},
    ],
)
def test_a_deny_that_meets_any_action_makes_it_not_admin(denial: dict[str, object]) -> None:
    a = FakeAccount(A)
    a.user("almost", [a.policy("Admin", allow("*")), a.policy("Guard", denial)])
    assert _admins(FakeSource(a)) == []


def test_a_deny_that_meets_nothing_does_not_count() -> None:
    a = FakeAccount(A)
    a.user(
        "admin",
        [a.policy("Admin", allow("*")), a.policy("Never", {"Effect": "Deny", "NotAction": "*", "Resource": "*"})],
    )
    assert _admins(FakeSource(a)) == [a.arn("user", "admin")]


def test_a_conditional_deny_keeps_its_condition_in_the_answer() -> None:
    a = FakeAccount(A)
    mfa = deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    a.user("mfa-admin", [a.policy("Admin", allow("*")), a.policy("Mfa", mfa)])
    (answer,) = run(Reachability(FakeSource(a)).admins(A, escalation=False))
    assert answer.condition is not None and "aws:MultiFactorAuthPresent" in str(answer.condition_text)


def test_a_boundary_or_an_scp_that_does_not_allow_everything_makes_it_not_admin() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    admin = a.policy("Admin", allow("*"))
    a.user("bounded", [admin], boundary=a.policy("Bound", allow("s3:*")))
    a.user("free", [admin], boundary=a.policy("Open", allow("*")))
    b.user("fenced", [b.policy("Admin", allow("*"))])
    org = FakeOrganization("o-test", A, accounts={A: ["r-root", A], B: ["r-root", B]})
    for level in ("r-root", A, B):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(B, "no-leaving", deny("organizations:LeaveOrganization"))
    assert _admins(FakeSource(a, b, organization=org)) == [a.arn("user", "free")]


def test_an_unloaded_policy_is_a_conditional_admin_never_a_silent_drop() -> None:
    a = FakeAccount(A)
    a.user("maybe", [a.missing_policy("Gone")])
    (answer,) = run(Reachability(FakeSource(a)).admins(A, escalation=False))
    assert answer.condition is not None and "Gone" in answer.notes[0]


def test_admins_by_account_and_refused_account_ids() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    a.user("root-a", [a.policy("Admin", allow("*"))])
    b.user("root-b", [b.policy("Admin", allow("*"))])
    source = FakeSource(a, b)
    assert _admins(source, B) == [b.arn("user", "root-b")]
    assert len(_admins(source)) == 2
    with pytest.raises(QueryError, match="12-digit"):
        run(Reachability(source).admins("nope", escalation=False))
