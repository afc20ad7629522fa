"""The audit over a `FakeSource`: the graph's users, groups, policies and roles, plus the security records,
account by account; the admin definitions; what is read (a few reads per account, none per principal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

import service.audit.admin as audit_admin
from service.audit.admin import evaluator_admins, full_admin_statement, may_allow_everything
from service.audit.model import AuditSettings
from service.audit.run import audit, findings
from service.database.records import AccountSecurityRecord, RoleUsageRecord
from service.errors import QueryError
from service.evaluation import parse_policy
from service.evaluation.engine import Decision
from service.reachability.admins import admin_view, admins_of
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access
from service.reachability.profiles import AccountEntry, Profile
from service.reachability.questions import Reachability
from tests.unit.audit.aws_shapes import report, root_row, security, snapshot, user_row
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, document, run

A, B = "111111111111", "222222222222"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SETTINGS = AuditSettings(now=NOW)
RECENT = "2026-11-25T10:00:00+00:00"


class AuditFakeSource(FakeSource):
    """A FakeSource that also answers the roles' RoleLastUsed (`reach_role_usage`)."""

    def __init__(
        self, *accounts: FakeAccount, security: Sequence[AccountSecurityRecord] = (),
        roles: Sequence[RoleUsageRecord] = (),
    ) -> None:
        super().__init__(*accounts, security=security)
        self.roles = tuple(roles)

    async def role_usage(self, account_id: str | None) -> list[RoleUsageRecord]:
        self.reads["role_usage"] += 1
        return [role for role in self.roles if account_id is None or role.account_id == account_id]


def tutorial() -> FakeAccount:
    """The tutorial's account: Admins (Jesse, Segun), Developers (Alice, Jake), a contractor role."""
    a = FakeAccount(A)
    admin = a.aws_policy("AdministratorAccess", allow("*", "*"))
    dev = a.policy("DevelopersPolicy", allow(["ec2:*", "s3:*"], "*"))
    a.user("jesse", groups=[a.group("Admins", [admin])])
    a.user("segun", groups=[a.arn("group", "Admins")])
    a.user("alice", groups=[a.group("Developers", [dev])])
    a.user("jake", [a.policy("JakeExtra", allow("s3:GetObject", "arn:aws:s3:::logs/*"))],
           groups=[a.arn("group", "Developers")])
    a.role("contractor", [a.policy("Everything", allow("*", "*"))])
    return a


def tutorial_security() -> AccountSecurityRecord:
    users = [user_row(A, name, password=True, password_last_used=RECENT, password_last_changed=RECENT, mfa=mfa)
             for name, mfa in (("jesse", True), ("segun", True), ("alice", False), ("jake", True))]
    return security(A, csv_text=report(root_row(A), *users), snap=snapshot(A))


def reachability(source: FakeSource) -> Reachability:
    return Reachability(source, PrincipalIndex())


def test_the_tutorials_story() -> None:
    source = AuditFakeSource(
        tutorial(),
        security=[tutorial_security()],
        roles=[RoleUsageRecord(f"arn:aws:iam::{A}:role/contractor", "contractor", A, "2024-01-01T00:00:00Z", None,
                               False)],
    )
    audit = run(findings(reachability(source), source, None, SETTINGS))
    found = sorted((f.category, f.subject.arn.rsplit(":", 1)[-1]) for f in audit.findings)
    assert found == [
        ("admin-policy-customer", "policy/Everything"),
        ("unused-role", "role/contractor"),
        ("user-console-without-mfa", "user/alice"),
        ("user-with-direct-policies", "user/jake"),
    ]
    assert audit.unchecked == ()
    assert [f.severity for f in audit.findings] == sorted(
        (f.severity for f in audit.findings), key=["critical", "high", "medium", "low"].index
    )


def test_an_admin_without_mfa_by_the_fallback_definition() -> None:
    a = tutorial()
    users = [user_row(A, "jesse", password=True, password_last_used=RECENT, password_last_changed=RECENT, mfa=False)]
    source = AuditFakeSource(a, security=[security(A, csv_text=report(root_row(A), *users), snap=snapshot(A))])
    audit = run(findings(reachability(source), source, A, SETTINGS))
    (admin,) = [f for f in audit.findings if f.category == "admin-without-mfa"]
    assert admin.subject.arn == a.arn("user", "jesse")
    assert admin.evidence_map["admin_because"] == (
        "AdministratorAccess statement 0 (through group Admins)"
    )
    assert admin.severity == "critical"


def test_the_admins_are_the_escalation_issues_administrators() -> None:
    a = tutorial()
    a.user("bounded", [a.arn("policy", "Everything")], boundary=a.policy("Boundary", allow("s3:*")))
    source = AuditFakeSource(a)
    entry = run(reachability(source).view.entries([A]))[A]
    admins = run(evaluator_admins(entry, list(entry.profiles)))
    assert sorted(admins) == [a.arn("role", "contractor"), a.arn("user", "jesse"), a.arn("user", "segun")]


@pytest.mark.parametrize(
    ("statements", "admin"),
    [
        ([allow("*", "*")], True),
        ([allow(["s3:*", "*"], ["arn:aws:s3:::x", "*"])], True),
        ([allow("*", ["arn:aws:s3:::x", "*"])], True),
        ([allow("*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})], True),
        ([allow("iam:*", "*")], False),
        ([allow("*", "arn:aws:s3:::*")], False),
        ([allow("s*:*", "*")], False),
        ([deny("*", "*")], False),
        ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], False),
    ],
)
def test_star_on_star_is_decided_by_pattern_cover(statements: list[dict[str, object]], admin: bool) -> None:
    policy = parse_policy(document(*statements), name="p")
    assert (full_admin_statement(policy) is not None) is admin
    # admins_of weighs only principals with such an Allow (a Deny alone, or with lesser Allows, makes none).
    assert admin_view(policy).allows is admin
    # The quick look that spares the parse of most policies never misses one (NotAction: left to the parser).
    assert may_allow_everything(document(*statements)) is (admin or "NotAction" in statements[0])


def test_a_principal_no_identity_policy_allows_everything_is_not_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.reachability.admins as admins

    a = tutorial()
    a.user("guarded", [a.policy("Guard", deny("iam:*", "*"), allow("s3:GetObject", "*"))])
    entry = run(reachability(AuditFakeSource(a)).view.entries([A]))[A]
    weighed: list[str] = []
    decide = admins.admin_decision

    def counted(profile: Profile, *rest: Any) -> Decision:
        weighed.append(profile.name)
        return decide(profile, *rest)

    monkeypatch.setattr(admins, "admin_decision", counted)
    found = [access.principal.arn for access in admins_of([entry])]
    assert "guarded" not in weighed
    assert found == sorted(a.arn(*kind) for kind in (("role", "contractor"), ("user", "jesse"), ("user", "segun")))


@pytest.mark.parametrize(
    "text",
    [
        "%7B%22Statement%22%3A%5B%5D%7D",  # URL-encoded JSON, which the parser reads
        '{"Statement": {"Effect": "Allow", "Action": "*"}}',  # no Resource: the parser says what it means
        '{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}',  # the parser refuses it
        '{"Statement": [{"Effect": "Allow", "Action": ["*", 1], "Resource": "*"}]}',
        "not json",
    ],
)
def test_what_the_quick_look_cannot_read_is_left_to_the_parser(text: str) -> None:
    assert may_allow_everything(text)


def test_aws_managed_admin_policies_are_not_customer_findings() -> None:
    a = FakeAccount(A)
    a.user("jesse", [a.aws_policy("AdministratorAccess", allow("*", "*"))])
    source = AuditFakeSource(a)
    audit = run(findings(reachability(source), source, A, SETTINGS))
    assert "admin-policy-customer" not in {f.category for f in audit.findings}
    assert "user-with-direct-policies" in {f.category for f in audit.findings}


def test_an_account_with_only_security_data_is_audited_and_its_graph_checks_unchecked() -> None:
    source = AuditFakeSource(tutorial(), security=[tutorial_security(), security(B, snap=snapshot(B, root_keys=1))])
    audit = run(findings(reachability(source), source, None, SETTINGS))
    assert ("root-access-key", B) in {(f.category, f.account_id) for f in audit.findings}
    assert {u.category for u in audit.unchecked if u.account_id == B} >= {
        "user-with-direct-policies", "unused-role", "admin-policy-customer", "admin-without-mfa",
    }
    assert all("no authorization details (GAAD)" in u.reason for u in audit.unchecked if u.category == "unused-role")


def test_an_account_filter_and_an_unknown_account() -> None:
    source = AuditFakeSource(tutorial(), FakeAccount(B), security=[tutorial_security()])
    audit = run(findings(reachability(source), source, B, SETTINGS))
    assert {f.account_id for f in audit.findings} <= {B}
    with pytest.raises(QueryError, match="account '999999999999' is not loaded"):
        run(findings(reachability(source), source, "999999999999", SETTINGS))


def test_reads_are_per_account_never_per_principal_and_remembered() -> None:
    a = tutorial()
    for n in range(50):
        a.user(f"u{n}", groups=[a.arn("group", "Developers")])
    source = AuditFakeSource(a, FakeAccount(B), security=[tutorial_security()])
    question = reachability(source)
    run(findings(question, source, None, SETTINGS))
    assert source.reads["account_principals"] == 2
    assert source.reads["role_usage"] == 1
    assert source.reads["account_security"] == 1
    run(findings(question, source, None, SETTINGS))
    assert source.reads["role_usage"] == 1  # the same generation and settings: remembered


def test_a_security_load_is_seen_although_the_generation_stays() -> None:
    source = AuditFakeSource(tutorial(), security=[tutorial_security()])
    question = reachability(source)
    assert "root-without-mfa" not in {f.category for f in run(findings(question, source, A, SETTINGS)).findings}
    source.security = (security(A, csv_text=report(root_row(A, mfa=False)), snap=snapshot(A)),)
    assert "root-without-mfa" in {f.category for f in run(findings(question, source, A, SETTINGS)).findings}


def test_only_users_without_mfa_are_weighed_by_the_admin_definition() -> None:
    asked: list[set[str]] = []

    async def recording(entry: object, arns: object) -> dict[str, str]:
        assert isinstance(arns, set)
        asked.append(arns)
        return {}

    source = AuditFakeSource(tutorial(), security=[tutorial_security()])
    run(audit(reachability(source).view, source, A, SETTINGS, admins=recording))
    assert asked == [{f"arn:aws:iam::{A}:user/alice"}]  # the one user the report shows without MFA


def test_only_principals_an_allow_of_everything_or_an_unloaded_policy_could_make_admin_are_evaluated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = tutorial()
    a.user("denied", [a.policy("DenyAll", deny("*", "*"))], groups=[a.arn("group", "Developers")])
    a.user("unloaded", [a.arn("policy", "NeverLoaded")])
    entry = run(reachability(AuditFakeSource(a)).view.entries([A]))[A]
    evaluated: list[str] = []

    def recording(entries: Iterable[AccountEntry]) -> list[Access]:
        entries = list(entries)
        evaluated.extend(arn for entry in entries for arn in entry.profiles)
        return admins_of(entries)

    monkeypatch.setattr(audit_admin, "admins_of", recording)
    admins = run(evaluator_admins(entry, list(entry.profiles)))
    expected = [a.arn("role", "contractor"), a.arn("user", "jesse"), a.arn("user", "segun"), a.arn("user", "unloaded")]
    assert sorted(evaluated) == expected  # not alice, jake (s3 and ec2 only) nor denied (a Deny alone)
    assert sorted(admins) == expected  # the unloaded policy may make its holder one: said, not dropped
