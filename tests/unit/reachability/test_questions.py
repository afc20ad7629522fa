"""The questions end to end on a `FakeSource`: who-can, who-can-assume, access, the trust review."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import pytest

from service.database.records import TrustTargetRecord
from service.errors import QueryError
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import (
    FakeAccount,
    FakeOrganization,
    FakeSource,
    allow,
    deny,
    run,
    trusting,
)

T = TypeVar("T")
A, B = "111122223333", "444455556666"
BUCKET = "arn:aws:s3:::reports/q1.csv"


def _account() -> FakeAccount:
    a = FakeAccount(A)
    readers = a.policy("Readers", allow("s3:GetObject"))
    a.user("carol", [readers])
    team = a.group("team", [readers])
    a.user("bob", groups=[team])
    a.user("nobody")
    a.user("denied", [readers, a.policy("NoS3", deny("s3:*"))])
    return a


def test_who_can_lists_the_allowed_principals_in_arn_order_with_their_own_paths() -> None:
    a = _account()
    answers = run(Reachability(FakeSource(a)).who_can("s3:GetObject", BUCKET))
    assert [x.principal.arn for x in answers] == [a.arn("user", "bob"), a.arn("user", "carol")]
    bob, carol = answers
    assert [step.kind for step in bob.paths[0]] == ["member_of", "has_policy"]
    assert bob.paths[0][0].target.arn == a.arn("group", "team")
    assert [step.kind for step in carol.paths[0]] == ["has_policy"]
    assert carol.condition is None


def test_an_unloaded_policy_makes_a_conditional_answer_never_a_silent_drop() -> None:
    a = FakeAccount(A)
    a.user("maybe", [a.missing_policy("GoneManaged")])
    (answer,) = run(Reachability(FakeSource(a)).who_can("s3:GetObject", BUCKET))
    assert answer.principal.arn == a.arn("user", "maybe")
    assert answer.condition is not None and "GoneManaged" in answer.notes[0]


def test_a_condition_on_the_principal_is_decided_and_one_on_the_request_is_reported() -> None:
    a = FakeAccount(A)
    red = a.policy("Red", allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))
    mfa = a.policy("Mfa", allow("s3:PutObject", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    a.user("red", [red, mfa], tags={"team": "red"})
    a.user("blue", [red, mfa], tags={"team": "blue"})
    source = FakeSource(a)
    assert [x.principal.arn for x in run(Reachability(source).who_can("s3:GetObject", BUCKET))] == [
        a.arn("user", "red")
    ]
    put = run(Reachability(source).who_can("s3:PutObject", BUCKET))
    assert {x.principal.arn for x in put} == {a.arn("user", "red"), a.arn("user", "blue")}
    assert all(x.condition_text == 'aws:MultiFactorAuthPresent Bool "true"' for x in put)


def test_an_scp_deny_removes_every_principal_of_its_account() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    for account in (a, b):
        account.user("admin", [account.policy("Admin", allow("*"))])
    org = FakeOrganization("o-test", A, accounts={A: ["r-root", A], B: ["r-root", B]})
    for level in ("r-root", A, B):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(B, "no-s3", deny("s3:*"))
    answers = run(Reachability(FakeSource(a, b, organization=org)).who_can("s3:GetObject", "*"))
    assert [x.principal.arn for x in answers] == [a.arn("user", "admin")]


def test_who_can_assume_through_the_account_needs_an_identity_allow_a_named_user_does_not() -> None:
    a = FakeAccount(A)
    hop = a.policy("Hop", allow("sts:AssumeRole"))
    a.user("hopper", [hop])
    a.user("named")
    a.user("bystander")
    role = a.role("target", trust=trusting({"AWS": [f"arn:aws:iam::{A}:root", a.arn("user", "named")]}))
    answers = run(Reachability(FakeSource(a)).who_can_assume(role))
    assert [x.principal.arn for x in answers] == [a.arn("user", "hopper"), a.arn("user", "named")]
    assert all(x.paths[0][-1].kind == "assumes" and x.paths[0][-1].target.arn == role for x in answers)


def test_who_can_assume_reports_services_and_unloaded_accounts_as_stand_ins() -> None:
    a = FakeAccount(A)
    role = a.role("shared", trust=trusting({"AWS": f"arn:aws:iam::{B}:root", "Service": "lambda.amazonaws.com"}))
    answers = run(Reachability(FakeSource(a)).who_can_assume(role))
    kinds = {x.principal.arn: x.principal.kind for x in answers}
    assert kinds == {f"arn:aws:iam::{B}:root": "account", "lambda.amazonaws.com": "service"}
    assert "not loaded" in next(x for x in answers if x.principal.kind == "account").notes[0]


class _StoredBeforeTheLoadersRefusedIt(FakeSource):
    """A graph written by an older loader: a trust principal no principal can have, stored as a placeholder."""

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        return [
            dataclasses.replace(t, target_kind="placeholder", target=t.target.removeprefix("other:"))
            if "\n" in t.target else t
            for t in await super().trust_targets(role_arn)
        ]


def test_a_stored_trust_principal_no_principal_can_have_is_answered_not_raised() -> None:
    """Issue #18 item 7: whatever the graph holds, every question answers."""
    a = FakeAccount(A)
    broken = f"arn:aws:iam::{B}:user/a\nb"
    role = a.role("odd", trust=trusting({"AWS": [broken, f"arn:aws:iam::{B}:user/fine"]}))
    answers = run(Reachability(_StoredBeforeTheLoadersRefusedIt(a)).who_can_assume(role))
    by_arn = {x.principal.arn: x for x in answers}
    assert set(by_arn) == {broken, f"arn:aws:iam::{B}:user/fine"}
    assert by_arn[broken].paths == () and "matches no known principal" in by_arn[broken].notes[0]
    assert "not loaded" in by_arn[f"arn:aws:iam::{B}:user/fine"].notes[0]


def test_role_chains_extend_the_answer_hop_by_hop() -> None:
    a = FakeAccount(A)
    first = a.role("first", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    a.role("middle", [a.policy("ToFirst", allow("sts:AssumeRole", first))], trust=trusting({"AWS": A}))
    a.user("start", [a.policy("ToMiddle", allow("sts:AssumeRole", a.arn("role", "middle")))])
    source = FakeSource(a)
    one = run(Reachability(source).who_can_assume(first))
    two = run(Reachability(source).who_can_assume(first, max_hops=2))
    assert [x.principal.arn for x in one] == [a.arn("role", "middle")]
    assert [(x.principal.arn, x.hops) for x in two] == [(a.arn("role", "middle"), 1), (a.arn("user", "start"), 2)]


def test_who_can_on_a_role_with_assume_role_is_who_can_assume() -> None:
    a = FakeAccount(A)
    role = a.role("target", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    a.user("hopper", [a.policy("Hop", allow("sts:AssumeRole"))])
    source = FakeSource(a)
    assert [x.principal.arn for x in run(Reachability(source).who_can("sts:AssumeRole", role))] == [
        x.principal.arn for x in run(Reachability(source).who_can_assume(role))
    ]


def test_access_names_its_parts() -> None:
    a = _account()
    found = run(Reachability(FakeSource(a)).access(a.arn("user", "denied"), "s3:GetObject", BUCKET))
    assert found.principal.arn == a.arn("user", "denied")
    assert found.decision.decision == "ExplicitlyDenied"
    assert found.profile.name == "denied"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.who_can("s3 GetObject", BUCKET), "is not an action"),
        (lambda r: r.who_can("s3:GetObject", BUCKET, max_hops=9), "maxHops must be between 0 and 5"),
        (lambda r: r.who_can_assume(f"arn:aws:iam::{A}:role/none", 0), "maxHops must be between 1 and 5"),
        (lambda r: r.who_can("s3:GetObject", BUCKET, resource_account="12"), "12-digit account id"),
        (lambda r: r.who_can("s3:GetObject", f"arn:aws:sqs:us-east-1:{A}:q", resource_account=B), f"not {B}"),
        (lambda r: r.who_can_assume(f"arn:aws:iam::{A}:role/none"), "no role"),
        (lambda r: r.access(f"arn:aws:iam::{A}:user/ghost", "s3:GetObject", BUCKET), "no user or role"),
    ],
)
def test_questions_refuse_what_they_cannot_answer(call: object, message: str) -> None:
    reachability = Reachability(FakeSource(_account()))
    with pytest.raises(QueryError, match=message):
        run(call(reachability))  # type: ignore[operator]


def test_answers_are_remembered_until_a_load_changes_the_graph() -> None:
    a = _account()
    source, index = FakeSource(a), PrincipalIndex()
    first = run(Reachability(source, index).who_can("s3:GetObject", BUCKET))
    again = run(Reachability(source, index).who_can("S3:getobject", BUCKET))
    assert again is first and source.reads["account_principals"] == 1
    a.load_id = "load-2"
    a.user("newcomer", [a.policy("Readers", allow("s3:GetObject"))])
    after = run(Reachability(source, index).who_can("s3:GetObject", BUCKET))
    assert a.arn("user", "newcomer") in {x.principal.arn for x in after}
    assert source.reads["account_principals"] == 2


def test_the_trust_review_finds_trusts_outside_the_account_and_remembers_them() -> None:
    a = FakeAccount(A)
    a.role("own", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    a.role("partner", trust=trusting({"AWS": f"arn:aws:iam::{B}:root"}))
    source, index = FakeSource(a), PrincipalIndex()
    findings = run(Reachability(source, index).cross_account_trusts())
    assert [f.role.arn for f in findings] == [a.arn("role", "partner")]
    assert set(findings[0].categories) >= {"outside-account", "unloaded-account", "external-without-external-id"}
    assert run(Reachability(source, index).cross_account_trusts()) is findings
