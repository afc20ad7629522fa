"""Actions no statement tells apart share their classes (service/reachability/alike.py): the answers are
those of an index that works out every action on its own, and a load that tells two actions apart parts
them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.reachability.index import PrincipalIndex
from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, run

A, B = "111122223333", "444455556666"
ACTIONS = (
    "lambda:CreateFunction",
    "glue:CreateJob",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "ec2:RunInstances",
    "ec2:StopInstances",
)


def _organization() -> FakeOrganization:
    org = FakeOrganization("o-test", "999999999999", accounts={A: ["r-root", A], B: ["r-root", B]})
    org.attach("r-root", "full", allow("*"))
    org.attach(A, "full", allow("*"))
    org.attach(B, "no-run", allow("*"), {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"})
    return org


def _accounts() -> tuple[FakeAccount, FakeAccount]:
    a, b = FakeAccount(A), FakeAccount(B)
    for account in (a, b):
        admin = account.policy("Admin", allow("*"))
        iam = account.policy("Iam", allow("iam:Put*"), allow("iam:PassRole", Condition={
            "StringEquals": {"aws:PrincipalTag/team": "red"}}))
        not_iam = account.policy("NotIam", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
        ec2 = account.policy("Ec2", allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:Stop*", "Resource": "*"})
        bounded = account.policy("Bounded", allow(["lambda:*", "iam:PassRole"]))
        account.user("admin", [admin])
        account.user("red", [iam], tags={"team": "red"})
        account.user("blue", [iam], tags={"team": "blue"})
        account.user("not-iam", [not_iam])
        account.role("ec2-ops", [ec2])
        account.user("bounded", [admin], boundary=bounded)
    return a, b


def _answers(answers: Sequence[Access]) -> list[tuple[Any, ...]]:
    return [(x.principal.arn, x.condition_text, tuple(x.paths), x.notes) for x in answers]


def _ask(source: FakeSource, index: PrincipalIndex, action: str) -> list[tuple[Any, ...]]:
    return _answers(run(Reachability(source, index).who_can(action, "*")))


def test_actions_no_statement_tells_apart_answer_as_when_worked_out_alone() -> None:
    a, b = _accounts()
    source, shared = FakeSource(a, b, organization=_organization()), PrincipalIndex()
    for action in ACTIONS:
        assert _ask(source, shared, action) == _ask(source, PrincipalIndex(), action), action
    view = shared.view(source)
    run(view.entries(None))
    classes = {action: view.action(action.lower()) for action in ACTIONS}
    # Only `*` and NotAction iam:* match these two: one set of classes.
    assert classes["lambda:CreateFunction"] is not classes["glue:CreateJob"]  # lambda:* tells them apart
    assert classes["iam:PutRolePolicy"] is classes["iam:PutUserPolicy"]  # iam:Put* and * match both
    assert classes["iam:PassRole"] is not classes["iam:PutRolePolicy"]
    assert classes["ec2:RunInstances"] is not classes["ec2:StopInstances"]  # an SCP and ec2:Stop* tell them apart


def test_a_load_that_tells_two_actions_apart_parts_their_classes() -> None:
    a, b = _accounts()
    source, index = FakeSource(a, b, organization=_organization()), PrincipalIndex()
    before = {action: _ask(source, index, action) for action in ("iam:PutRolePolicy", "iam:PutUserPolicy")}
    assert before["iam:PutRolePolicy"] == before["iam:PutUserPolicy"]
    # A new load of B: a user allowed only one of them.
    b.user("roles-only", [b.policy("RolesOnly", allow("iam:PutRolePolicy"))])
    b.load_id = "load-2"
    roles, users = _ask(source, index, "iam:PutRolePolicy"), _ask(source, index, "iam:PutUserPolicy")
    assert b.arn("user", "roles-only") in {arn for arn, *_ in roles}
    assert b.arn("user", "roles-only") not in {arn for arn, *_ in users}
    assert roles == _ask(source, PrincipalIndex(), "iam:PutRolePolicy")
    assert users == _ask(source, PrincipalIndex(), "iam:PutUserPolicy")
