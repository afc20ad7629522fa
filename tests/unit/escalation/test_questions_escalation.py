"""whoCanAssume, whoCan, escalations and admins with escalation, on small accounts (no database)."""

from __future__ import annotations

import pytest

from service.errors import QueryError
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, run, trusting

A = "111122223333"
BUCKET = "arn:aws:s3:::reports/q1.csv"


def _account() -> tuple[FakeAccount, str]:
    a = FakeAccount(A)
    target = a.role("target", [a.policy("S3", allow("s3:GetObject"))], trust=trusting({"Service": "ec2.amazonaws.com"}))
    a.user("rewriter", [a.policy("Rewrite", allow("iam:UpdateAssumeRolePolicy", target))])
    a.user("bystander", [a.policy("Read", allow("iam:Get*"))])
    hopper = a.role("hopper", trust=trusting({"AWS": a.arn("user", "chained")}))
    a.user("chained", [a.policy("Hop", allow("sts:AssumeRole", hopper))])
    a.role(
        "hopper",
        [a.policy("HopperRewrite", allow("iam:UpdateAssumeRolePolicy", target))],
        trust=trusting({"AWS": a.arn("user", "chained")}),
    )
    return a, target


def test_a_role_reachable_only_by_rewriting_its_trust_appears_with_escalation_and_the_technique_named() -> None:
    a, target = _account()
    source = FakeSource(a)
    plain = run(Reachability(source).who_can_assume(target))
    assert a.arn("user", "rewriter") not in [x.principal.arn for x in plain]
    answers = run(Reachability(source).who_can_assume(target, 1, escalation=True))
    rewriter = next(x for x in answers if x.principal.arn == a.arn("user", "rewriter"))
    (step,) = rewriter.paths[0]
    assert (step.kind, step.technique, step.target.arn) == ("escalates", "iam-012", target)
    assert step.via is not None and "Rewrite statement 0" in step.via
    assert step.statement is not None and "iam:UpdateAssumeRolePolicy" in step.statement
    assert a.arn("user", "bystander") not in [x.principal.arn for x in answers]


def test_max_hops_counts_steps_of_every_kind() -> None:
    a, target = _account()
    source = FakeSource(a)
    one = [x.principal.arn for x in run(Reachability(source).who_can_assume(target, 1, escalation=True))]
    assert a.arn("role", "hopper") in one and a.arn("user", "chained") not in one
    two = run(Reachability(source).who_can_assume(target, 2, escalation=True))
    chained = next(x for x in two if x.principal.arn == a.arn("user", "chained"))
    assert chained.hops == 2
    assert [s.kind for s in chained.paths[0]] == ["has_policy", "assumes", "escalates"]


def test_answers_without_escalation_are_unchanged() -> None:
    a, target = _account()
    source = FakeSource(a)
    first = run(Reachability(source).who_can_assume(target, 3))
    again = run(Reachability(source).who_can_assume(target, 3, escalation=False))
    assert list(first) == list(again)
    assert all(step.technique is None for x in first for path in x.paths for step in path)
    assert [x.principal.arn for x in run(Reachability(source).who_can("s3:GetObject", BUCKET))] == [target]


def test_who_can_with_escalation_finds_who_becomes_a_principal_that_can() -> None:
    a, target = _account()
    source = FakeSource(a)
    a_self = a.user("selfie", [a.policy("Self", allow("iam:PutUserPolicy", a.arn("user", "selfie")))])
    source = FakeSource(a)
    found = run(Reachability(source).who_can("s3:GetObject", BUCKET, 1, escalation=True))
    by_arn = {x.principal.arn: x for x in found}
    assert target in by_arn and by_arn[target].hops == 0
    assert by_arn[a.arn("user", "rewriter")].paths[0][0].technique == "iam-012"
    assert by_arn[a_self].paths[0][0].technique == "iam-007"
    assert a.arn("user", "bystander") not in by_arn


def test_escalations_lists_what_a_principal_can_become_with_paths() -> None:
    a, target = _account()
    answers = run(Reachability(FakeSource(a)).escalations(a.arn("user", "chained"), max_hops=2))
    assert [(x.principal.arn, x.hops) for x in answers] == [(a.arn("role", "hopper"), 1), (target, 2)]
    assert [s.kind for s in answers[1].paths[0]] == ["has_policy", "assumes", "escalates"]
    with pytest.raises(QueryError, match="no user or role"):
        run(Reachability(FakeSource(a)).escalations(a.arn("user", "ghost")))


def test_admins_with_escalation_adds_who_can_become_one_and_keeps_the_gain() -> None:
    a = FakeAccount(A)
    admin = a.role(
        "admin", [a.aws_policy("AdministratorAccess", allow("*"))], trust=trusting({"Service": "ec2.amazonaws.com"})
    )
    a.user("rewriter", [a.policy("Rewrite", allow("iam:UpdateAssumeRolePolicy", admin))])
    a.user("selfie", [a.policy("Self", allow("iam:PutUserPolicy", a.arn("user", "selfie")))])
    a.user(
        "bounded",
        [a.policy("Self2", allow("iam:PutUserPolicy", a.arn("user", "bounded")))],
        boundary=a.policy("B", allow("iam:*")),
    )
    a.user(
        "denied",
        [
            a.policy("Self3", allow("iam:PutUserPolicy", a.arn("user", "denied"))),
            a.policy("G", deny("iam:PutUserPolicy")),
        ],
    )
    source = FakeSource(a)
    plain = run(Reachability(source).admins(A, escalation=False))
    assert [x.principal.arn for x in plain] == [admin]
    answers = run(Reachability(source).admins(A))
    assert [(x.principal.arn, x.hops) for x in answers] == [
        (admin, 0),
        (a.arn("user", "rewriter"), 1),
        (a.arn("user", "selfie"), 1),
    ]
    assert answers[1].paths[0][0].technique == "iam-012"
    assert answers[2].paths[0][0].technique == "iam-007"


def test_answers_with_escalation_follow_the_latest_load() -> None:
    a, target = _account()
    source = FakeSource(a)
    index = PrincipalIndex()
    rewriter = a.arn("user", "rewriter")
    first = run(Reachability(source, index).who_can_assume(target, 1, escalation=True))
    assert rewriter in [x.principal.arn for x in first]
    a.user("rewriter", [a.policy("Rewrite", allow("iam:GetRole", target))])
    a.load_id = "load-2"
    again = run(Reachability(source, index).who_can_assume(target, 1, escalation=True))
    assert rewriter not in [x.principal.arn for x in again]
    admins = run(Reachability(source, index).admins(A))
    assert rewriter not in [x.principal.arn for x in admins]


def test_admins_counts_a_principal_that_can_change_a_role_then_become_it() -> None:
    a = FakeAccount(A)
    a.role("plain", [a.policy("S3", allow("s3:GetObject"))], trust=trusting({"AWS": a.arn("user", "changer")}))
    plain = a.arn("role", "plain")
    a.user("changer", [a.policy("Change", allow(["iam:PutRolePolicy", "sts:AssumeRole"], plain))])
    a.user("putter", [a.policy("PutOnly", allow("iam:PutRolePolicy", plain))])  # the role does not trust it
    answers = run(Reachability(FakeSource(a)).admins(A))
    assert [(x.principal.arn, x.hops) for x in answers] == [(a.arn("user", "changer"), 1)]
    (step,) = answers[0].paths[0]
    assert (step.technique, step.target.arn) == ("iam-017", plain)


def test_escalations_cross_accounts_by_assuming_roles_and_use_techniques_in_the_role_account() -> None:
    a, target = _account()
    b = FakeAccount("444455556666")
    visitor = b.user("visitor", [b.policy("Go", allow("sts:AssumeRole", a.arn("role", "bridge")))])
    a.role(
        "bridge", [a.policy("Bridge", allow("iam:UpdateAssumeRolePolicy", target))], trust=trusting({"AWS": visitor})
    )
    answers = run(Reachability(FakeSource(a, b)).escalations(visitor, max_hops=2))
    by_arn = {x.principal.arn: x for x in answers}
    assert by_arn[a.arn("role", "bridge")].hops == 1
    assert [s.kind for s in by_arn[target].paths[0]] == ["has_policy", "assumes", "escalates"]


def test_escalations_work_out_only_the_roles_of_other_accounts_whose_trust_can_admit_the_principal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A role of another account whose trust policy cannot admit anyone of the principal's account cannot be
    assumed by it: its direct assumers are not worked out (at 100k, every role's were, for every principal
    of the walk). The answer is the one that reads them all."""
    from service.reachability.who_can_assume import Assumers

    a, target = _account()
    b = FakeAccount("444455556666")
    visitor = b.user("visitor", [b.policy("Go", allow("sts:AssumeRole"))])
    bridge = a.role(
        "bridge", [a.policy("Bridge", allow("iam:UpdateAssumeRolePolicy", target))], trust=trusting({"AWS": visitor})
    )
    closed = a.role("closed", [a.policy("All", allow("*"))], trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    everyone = a.role("everyone", trust=trusting({"AWS": "*"}))
    asked: list[str] = []
    direct_parts = Assumers.direct_parts

    async def spied(self: Assumers, role_arn: str) -> object:
        asked.append(role_arn)
        return await direct_parts(self, role_arn)

    monkeypatch.setattr(Assumers, "direct_parts", spied)
    # (one hop: what the visitor's own ways out read; from `bridge` on, A's roles are its own account's)
    answers = run(Reachability(FakeSource(a, b)).escalations(visitor, max_hops=1))
    assert [x.principal.arn for x in answers] == [bridge, everyone]
    assert bridge in asked and everyone in asked and closed not in asked
    assert target in {x.principal.arn for x in run(Reachability(FakeSource(a, b)).escalations(visitor, max_hops=2))}


def test_escalations_make_only_the_principals_own_answer_of_a_role_of_another_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A role of another account admitting anyone is assumed by the whole organization (25,000 principals at
    100k): the principal's own answer among its direct assumers is made, not the others', and it is the one
    whoCanAssume gives."""
    from service.reachability.decide import ClassAnswers
    from service.reachability.who_can_assume import Assumers

    a = FakeAccount(A)
    b = FakeAccount("444455556666")
    go = b.policy("Go", allow("sts:AssumeRole"))
    visitor = b.user("visitor", [go])
    for number in range(6):
        b.user(f"other-{number}", [go])
    everyone = a.role("everyone", trust=trusting({"AWS": "*"}))
    source = FakeSource(a, b)
    answered: list[str] = []
    answer = ClassAnswers.answer

    def spied(self: ClassAnswers, profile: object) -> object:
        answered.append(profile.arn)  # type: ignore[attr-defined]
        return answer(self, profile)  # type: ignore[arg-type]

    monkeypatch.setattr(ClassAnswers, "answer", spied)
    found = run(Reachability(source).escalations(visitor, max_hops=1))
    assert [x.principal.arn for x in found] == [everyone]
    assert set(answered) == {visitor}

    async def whole() -> object:
        reachability = Reachability(source)
        assumers = Assumers(reachability.view)
        return [x for x in await assumers.direct(everyone) if x.principal.arn == visitor]

    (own,) = run(whole())
    assert (found[0].condition, found[0].paths[0]) == (own.condition, own.paths[0])


def _across(second_trust: dict[str, object]) -> tuple[FakeSource, str]:
    """Account A's admin role trusts only B's `first` role; B's `first` trusts B; B's `second` trusts as
    given; A's user `far` may assume any role: it reaches the admin role at hop 3 through `second` (hop 2)
    and `first` (hop 1) when `second`'s trust admits it."""
    b_id = "444455556666"
    a, b = FakeAccount(A), FakeAccount(b_id)
    hop = allow("sts:AssumeRole")
    first = b.role("first", [b.policy("Hop", hop)], trust=trusting({"AWS": f"arn:aws:iam::{b_id}:root"}))
    b.role("second", [b.policy("Hop2", hop)], trust=second_trust)
    a.role("admin", [a.policy("Admin", allow("*"))], trust=trusting({"AWS": first}))
    a.user("far", [a.policy("Far", hop)])
    return FakeSource(a, b), a.arn("user", "far")


@pytest.mark.parametrize(
    ("trust", "reached"),
    [
        (trusting({"AWS": f"arn:aws:iam::{A}:root"}), True),
        (trusting({"AWS": A}), True),
        (trusting({"AWS": f"arn:aws:iam::{A}:user/far"}), True),
        (trusting({"AWS": "*"}), True),
        (trusting({"AWS": "arn:aws:iam::777788889999:root"}), False),
        (trusting({"Service": "lambda.amazonaws.com"}), False),
        (trusting({"AWS": f"arn:aws:iam::{A}:root"}, effect="Deny"), False),
    ],
)
def test_admins_at_the_last_hop_reads_the_roles_of_other_accounts_that_can_admit_the_account(
    trust: dict[str, object], reached: bool
) -> None:
    """At the last hop `admins(account)` wants only that account's principals: a role of another account
    is expanded only when its trust policy can admit one of them (`admits_account`); the answer is the
    same as expanding every role."""
    source, far = _across(trust)
    answers = run(Reachability(source).admins(A, escalation=True, max_hops=3))
    found = {x.principal.arn: x.hops for x in answers}
    assert (found.get(far) == 3) is reached
    assert (far in found) is reached


def test_a_trust_naming_a_principal_the_graph_holds_only_by_its_arn_can_admit_its_account() -> None:
    """A trust statement naming a role the graph read as a placeholder (its ARN as written, say when the
    trusting account was loaded before the trusted one) still admits that role's account: the direct
    assumers resolve such a target, so the last hop of `admins` must expand the role (found at 100k: an
    OrganizationAccountAccessRole lost from `admins` of its account)."""
    from service.database.records import TrustTargetRecord
    from service.reachability.escalation.admitting import admits_account

    arn = f"arn:aws:iam::{A}:role/OrganizationAccountAccessRole"

    def target(kind: str, value: str, external: str | None = None) -> TrustTargetRecord:
        return TrustTargetRecord(0, None, "Allow", False, value, kind, value, False, external, None)  # type: ignore[arg-type]

    assert admits_account([target("placeholder", arn)], A)
    assert admits_account([target("role", arn)], A)
    assert admits_account([target("account", A)], A)
    assert admits_account([target("external", f"arn:aws:sts::{A}:assumed-role/ops/s", "assumed-role")], A)
    assert not admits_account([target("placeholder", arn.replace(A, "444455556666"))], A)
    assert not admits_account([target("external", "lambda.amazonaws.com", "service")], A)
    assert not admits_account([target("account", "444455556666")], A)


def test_the_accounts_a_trust_admits_are_read_from_what_its_allows_name() -> None:
    """`admitted_accounts` indexes every role by the accounts its trust policy can admit someone of, for
    `EscalationGraph.admitting` and `admits_account`: an ARN holding the account id, the account itself,
    anyone; not a service, not a federated provider, not a Deny."""
    from service.database.records import TrustTargetRecord
    from service.reachability.escalation.admitting import admits_account, admitted_accounts

    other, third = "444455556666", "777788889999"

    def target(
        kind: str, value: str, external: str | None = None, *, effect: str = "Allow", not_principal: bool = False
    ) -> TrustTargetRecord:
        return TrustTargetRecord(0, None, effect, not_principal, value, kind, value, False, external, value)  # type: ignore[arg-type]

    expected: list[tuple[list[TrustTargetRecord], set[str] | None]] = [
        ([target("placeholder", f"arn:aws:iam::{A}:role/gone")], {A}),
        ([target("role", f"arn:aws:iam::{other}:role/ops"), target("account", third)], {other, third}),
        ([target("external", f"arn:aws:sts::{A}:assumed-role/ops/s", "assumed-role")], {A}),
        ([target("external", f"federated:arn:aws:iam::{A}:saml-provider/Corp", "federated")], set()),
        ([target("external", "service:lambda.amazonaws.com", "service")], set()),
        ([target("account", A, effect="Deny")], set()),
        ([target("external", "any:*", "any")], None),
        ([target("account", other, not_principal=True)], None),
        ([], set()),
    ]
    for targets, accounts in expected:
        admitted = admitted_accounts(targets)
        assert admitted == accounts, targets
        for account in (A, other, third, "000000000000"):
            assert admits_account(targets, account) == (accounts is None or account in accounts)
    # (an id written inside a longer run of digits still counts: the trust names it)
    assert {A, other} <= (admitted_accounts([target("external", f"unknown-id:AROA{A}{other}", "unknown-id")]) or set())
