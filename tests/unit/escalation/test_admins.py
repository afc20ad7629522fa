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
    org.attach(B, "fenced-in", deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    assert _admins(FakeSource(a, b, organization=org)) == [a.arn("user", "free"), b.arn("user", "fenced")]
    (fenced,) = run(Reachability(FakeSource(a, b, organization=org)).admins(B, escalation=False))
    assert "aws:RequestedRegion" in str(fenced.condition_text)


def test_an_scp_guardrail_without_condition_limits_everyone_alike_and_leaves_the_admins() -> None:
    # Nearly every organization denies something for everyone (leaving it, disabling its trail): the
    # administrators are those allowed everything the account may do at all.
    b = FakeAccount(B)
    b.user("admin", [b.policy("Admin", allow("*"))])
    b.user("dev", [b.policy("Dev", allow("s3:*"))])
    org = FakeOrganization("o-test", A, accounts={B: ["r-root", B]})
    for level in ("r-root", B):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(B, "no-leaving", deny("organizations:LeaveOrganization"))
    assert _admins(FakeSource(b, organization=org)) == [b.arn("user", "admin")]
    # An allow-list organization (no level allows everything): nobody in the account can do everything.
    org.policies["r-root"] = []
    org.attach("r-root", "allow-list", allow(["s3:*", "ec2:*"]))
    assert _admins(FakeSource(b, organization=org)) == []


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


def test_a_condition_about_the_request_shares_one_decision_and_one_about_the_principal_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An SCP Deny on the region reads alike for every principal: one decision serves every holder of the
    same policies (the text names that policy); a Deny exempting one principal by aws:PrincipalArn gives
    each its own. Either way each answer is the one the evaluator gives the principal alone."""
    import service.reachability.admins as admins_module

    decided: list[str] = []
    original = admins_module.admin_decision

    def counting(profile, org=None):  # type: ignore[no-untyped-def]
        decided.append(profile.arn)
        return original(profile, org)

    monkeypatch.setattr(admins_module, "admin_decision", counting)
    a = FakeAccount(A)
    admin = a.policy("Admin", allow("*"))
    a.user("one", [admin])
    a.user("two", [admin])
    a.user("other", [a.policy("AlsoAdmin", allow("*"))])
    org = FakeOrganization("o-test", B, accounts={A: ["r-root", A], B: ["r-root", B]})  # (A a member)
    for level in ("r-root", A):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(A, "region", deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    source = FakeSource(a, organization=org)
    answers = run(Reachability(source).admins(A, escalation=False))
    assert [x.principal.arn for x in answers] == [a.arn("user", n) for n in ("one", "other", "two")]
    assert len(decided) == 2  # ("one" and "two" hold the same policy; "other" another of the same text)
    texts = {x.principal.arn: x.condition_text for x in answers}
    assert texts[a.arn("user", "one")] == texts[a.arn("user", "two")]
    assert "aws:RequestedRegion" in str(texts[a.arn("user", "one")])
    for answer in answers:
        alone = admins_module.is_admin(next(p for p in _profiles(source, A) if p.arn == answer.principal.arn))
        assert alone is not None and alone.condition_text == answer.condition_text

    decided.clear()
    exempt = deny("*", Condition={"ArnNotLike": {"aws:PrincipalArn": a.arn("user", "one")}})
    org.attach(A, "break-glass", exempt)
    answers = run(Reachability(FakeSource(a, organization=org)).admins(A, escalation=False))
    assert len(decided) == 3  # (each decided on its own: the Deny reads who the principal is)
    assert [x.principal.arn for x in answers] == [a.arn("user", "one")]


def _profiles(source: FakeSource, account: str) -> list[object]:
    from service.reachability.index import PrincipalIndex

    index = PrincipalIndex()

    async def read() -> list[object]:
        view = index.view(source)
        entries = await view.entries([account])
        return list(entries[account].profiles.values())

    return run(read())


def test_the_escalation_checks_admin_decisions_share_a_request_condition_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """`AdminDecisions` (whether a gain makes an administrator) keeps one decision per class when the only
    Condition reads the request: the same answer as the principal's own decision."""
    import service.reachability.admins as admins_module

    a = FakeAccount(A)
    admin = a.policy("Admin", allow("*"))
    a.user("one", [admin])
    a.user("two", [admin])
    glass = a.user("glass", [admin])
    org = FakeOrganization("o-test", B, accounts={A: ["r-root", A], B: ["r-root", B]})
    for level in ("r-root", A):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(A, "region", deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    # A break-glass Deny reads who the principal is: `glass` is decided apart, the other two still alike.
    org.attach(A, "break-glass", deny("iam:*", Condition={"ArnNotLike": {"aws:PrincipalArn": glass}}))
    profiles = _profiles(FakeSource(a, organization=org), A)
    alone = [admins_module.is_admin(p) for p in profiles]  # type: ignore[arg-type]
    decided: list[object] = []
    original = admins_module.admin_decision

    def counting(profile, org=None):  # type: ignore[no-untyped-def]
        decided.append(profile)
        return original(profile, org)

    monkeypatch.setattr(admins_module, "admin_decision", counting)
    decisions = admins_module.AdminDecisions()
    shared = [decisions.of(p) for p in profiles]  # type: ignore[arg-type]
    assert len(decided) == 2
    assert [(x.principal.arn, x.condition_text) for x in shared if x] == [
        (x.principal.arn, x.condition_text) for x in alone if x
    ]
    assert [x.principal.arn for x in shared if x] == [glass]  # (the others are denied iam:* outright)
    assert all(x is None or "aws:RequestedRegion" in str(x.condition_text) for x in shared)
