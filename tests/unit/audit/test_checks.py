"""Every audit category, positive and negative, from data shaped as AWS returns it; and the checks that
cannot run say so instead of passing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from service.audit.admin import AdminPolicy
from service.audit.catalogue import CATEGORY_NAMES
from service.audit.checks import AccountFacts, UserFacts, audit_account
from service.audit.model import Audit, AuditSettings
from service.database.records import RoleUsageRecord
from service.errors import QueryError
from tests.unit.audit.aws_shapes import (
    GOOD_RECORDER,
    GOOD_TRAIL,
    STRONG_POLICY,
    report,
    root_row,
    security,
    snapshot,
    user_row,
)

A = "111111111111"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SETTINGS = AuditSettings(now=NOW)
RECENT = "2026-11-25T10:00:00+00:00"
OLD = "2025-06-01T10:00:00+00:00"
DAYS_89 = "2026-09-03T12:00:00+00:00"  # 89 days before NOW
DAYS_90 = "2026-09-02T12:00:00+00:00"  # 90 days before NOW
ALICE = f"arn:aws:iam::{A}:user/alice"


def clean_report(**alice: object) -> str:
    options: dict[str, object] = {
        "password": True, "password_last_used": RECENT, "password_last_changed": "2026-10-01T00:00:00+00:00",
        "mfa": True, "keys": [(True, "2026-10-15T00:00:00+00:00", RECENT)],
    }
    return report(root_row(A), user_row(A, "alice", **(options | alice)))  # type: ignore[arg-type]


def facts(
    *,
    csv_text: str | None = None,
    snap: dict[str, object] | None = None,
    users: tuple[UserFacts, ...] = (UserFacts(ALICE, "alice", ()),),
    roles: tuple[RoleUsageRecord, ...] = (RoleUsageRecord(f"arn:aws:iam::{A}:role/app", "app", A, OLD, RECENT, False),),
    admins: dict[str, str] | None = None,
    admin_policies: tuple[AdminPolicy, ...] = (),
    no_security: bool = False,
) -> AccountFacts:
    record = None if no_security else security(
        A, csv_text=clean_report() if csv_text is None else csv_text, snap=snapshot(A) if snap is None else snap
    )
    return AccountFacts(A, record, users, roles, {} if admins is None else admins, admin_policies)


def categories(audit: Audit) -> list[str]:
    return sorted(f.category for f in audit.findings)


def test_a_clean_account_has_no_findings_and_every_check_ran() -> None:
    audit = audit_account(facts(), SETTINGS)
    assert audit.findings == ()
    assert audit.unchecked == ()


def _role(last_used: str | None, created: str | None = OLD, linked: bool = False) -> RoleUsageRecord:
    return RoleUsageRecord(f"arn:aws:iam::{A}:role/contractor", "contractor", A, created, last_used, linked)


ADMIN_POLICY = AdminPolicy(f"arn:aws:iam::{A}:policy/everything", "everything", "customer", "#0", False, (ALICE,))

# category → (facts that show it, facts that are a near miss)
CASES: dict[str, tuple[Callable[[], AccountFacts], Callable[[], AccountFacts]]] = {
    "root-access-key": (
        lambda: facts(csv_text=report(root_row(A, key_1=(True, OLD, "N/A")), user_row(A, "alice"))),
        lambda: facts(csv_text=report(root_row(A, key_1=(False, OLD, OLD)), user_row(A, "alice"))),
    ),
    "root-without-mfa": (
        lambda: facts(csv_text=report(root_row(A, mfa=False), user_row(A, "alice"))),
        lambda: facts(csv_text=report(root_row(A, mfa=True), user_row(A, "alice"))),
    ),
    "root-used-recently": (
        lambda: facts(csv_text=report(root_row(A, password_last_used=DAYS_89), user_row(A, "alice"))),
        lambda: facts(csv_text=report(root_row(A, password_last_used=DAYS_90), user_row(A, "alice"))),
    ),
    "user-console-without-mfa": (
        lambda: facts(csv_text=clean_report(mfa=False, keys=[])),
        lambda: facts(csv_text=report(root_row(A), user_row(A, "alice", password=False, mfa=False))),
    ),
    "admin-without-mfa": (
        lambda: facts(csv_text=clean_report(mfa=False, password=False, keys=[]), admins={ALICE: "AdministratorAccess"}),
        lambda: facts(csv_text=clean_report(), admins={ALICE: "AdministratorAccess"}),
    ),
    "access-key-not-rotated": (
        lambda: facts(csv_text=clean_report(keys=[(True, DAYS_90, RECENT)])),
        lambda: facts(csv_text=clean_report(keys=[(True, DAYS_89, RECENT), (False, OLD, OLD)])),
    ),
    "access-key-unused": (
        lambda: facts(csv_text=clean_report(keys=[(True, DAYS_90, "N/A")])),
        lambda: facts(csv_text=clean_report(keys=[(True, DAYS_89, "N/A"), (False, OLD, "N/A")])),
    ),
    "two-active-access-keys": (
        lambda: facts(csv_text=clean_report(keys=[(True, RECENT, RECENT), (True, RECENT, RECENT)])),
        lambda: facts(csv_text=clean_report(keys=[(True, RECENT, RECENT), (False, RECENT, RECENT)])),
    ),
    "credentials-unused": (
        lambda: facts(csv_text=clean_report(password_last_used="no_information", password_last_changed=OLD)),
        lambda: facts(csv_text=clean_report(password_last_used="no_information", password_last_changed=RECENT)),
    ),
    "password-policy-missing": (
        lambda: facts(snap=snapshot(A, password_policy=None)),
        lambda: facts(snap=snapshot(A, password_policy={"MinimumPasswordLength": 14, "PasswordReusePrevention": 24})),
    ),
    "password-policy-weak": (
        lambda: facts(snap=snapshot(A, password_policy=STRONG_POLICY | {"MinimumPasswordLength": 13})),
        lambda: facts(snap=snapshot(A, password_policy=STRONG_POLICY | {"RequireSymbols": False})),
    ),
    "user-with-direct-policies": (
        lambda: facts(users=(UserFacts(ALICE, "alice", (f"arn:aws:iam::{A}:policy/dev",)),)),
        lambda: facts(users=(UserFacts(ALICE, "alice", ()),)),
    ),
    "unused-role": (
        lambda: facts(roles=(_role(None),)),
        lambda: facts(roles=(_role(None, created=RECENT), _role(None, linked=True), _role(DAYS_89))),
    ),
    "no-multi-region-trail": (
        lambda: facts(snap=snapshot(A, trails=[GOOD_TRAIL | {"IsMultiRegionTrail": False}])),
        lambda: facts(snap=snapshot(A, trails=[GOOD_TRAIL, GOOD_TRAIL | {"Name": "r", "IsMultiRegionTrail": False}])),
    ),
    "trail-not-logging": (
        lambda: facts(snap=snapshot(A, trails=[GOOD_TRAIL, GOOD_TRAIL | {"Name": "old", "IsLogging": False}])),
        lambda: facts(snap=snapshot(A, trails=[GOOD_TRAIL])),
    ),
    "config-not-recording": (
        lambda: facts(snap=snapshot(A, recorders=[GOOD_RECORDER | {"Recording": False}])),
        lambda: facts(snap=snapshot(A, recorders=[GOOD_RECORDER | {"Name": "x", "Recording": False}, GOOD_RECORDER])),
    ),
    "admin-policy-customer": (
        lambda: facts(admin_policies=(ADMIN_POLICY,)),
        lambda: facts(admin_policies=()),
    ),
}


def test_every_category_has_a_case() -> None:
    assert sorted(CASES) == sorted(CATEGORY_NAMES)


@pytest.mark.parametrize("category", CATEGORY_NAMES)
def test_positive(category: str) -> None:
    audit = audit_account(CASES[category][0](), SETTINGS)
    assert category in categories(audit)
    assert audit.unchecked == ()


@pytest.mark.parametrize("category", CATEGORY_NAMES)
def test_negative(category: str) -> None:
    audit = audit_account(CASES[category][1](), SETTINGS)
    assert category not in categories(audit)
    assert audit.unchecked == ()


def test_evidence_names_the_fields_as_aws_does() -> None:
    audit = audit_account(facts(snap=snapshot(A, password_policy=STRONG_POLICY | {"PasswordReusePrevention": 5,
                                                                                  "MinimumPasswordLength": 8})),
                          SETTINGS)
    (weak,) = audit.findings
    assert weak.evidence_map == {"MinimumPasswordLength": 8, "required_length": 14, "PasswordReusePrevention": 5,
                                 "required_reuse": 24}
    assert weak.as_json()["entity"] == {"arn": A, "kind": "account"}
    assert weak.cis == "1.7, 1.8"


def test_an_unset_reuse_prevention_is_weak() -> None:
    policy = {k: v for k, v in STRONG_POLICY.items() if k != "PasswordReusePrevention"}  # AWS omits it when unset
    (weak,) = audit_account(facts(snap=snapshot(A, password_policy=policy)), SETTINGS).findings
    assert weak.evidence_map["PasswordReusePrevention"] is None


def test_an_old_key_reports_its_age_and_slot() -> None:
    found = audit_account(facts(csv_text=clean_report(keys=[(True, OLD, RECENT)])), SETTINGS).findings
    (rotation,) = [f for f in found if f.category == "access-key-not-rotated"]
    assert rotation.subject.arn == ALICE
    assert rotation.evidence_map["access_key"] == "access_key_1"
    assert rotation.evidence_map["age_days"] == (NOW - datetime.fromisoformat(OLD)).days


def test_the_windows_are_configurable() -> None:
    old_key = facts(csv_text=clean_report(keys=[(True, DAYS_89, RECENT)]))
    assert "access-key-not-rotated" not in categories(audit_account(old_key, SETTINGS))
    assert "access-key-not-rotated" in categories(audit_account(old_key, dataclasses.replace(SETTINGS, max_key_age=30)))
    role = facts(roles=(_role(DAYS_89),))
    assert "unused-role" in categories(audit_account(role, dataclasses.replace(SETTINGS, max_unused=45)))


def test_the_root_row_not_supported_values_decide_nothing_wrongly() -> None:
    # The root row's password_enabled and password_last_changed are `not_supported`: no console finding.
    audit = audit_account(facts(csv_text=report(root_row(A, password_last_used="no_information"))), SETTINGS)
    assert audit.findings == ()


def test_without_a_credential_report_the_report_checks_are_unchecked_not_passed() -> None:
    audit = audit_account(AccountFacts(A, security(A, snap=snapshot(A, root_mfa=0)), admins={}), SETTINGS)
    unchecked = {u.category for u in audit.unchecked}
    assert unchecked == {"root-used-recently", "user-console-without-mfa", "credentials-unused"}
    assert all("no credential report" in u.reason and A in u.reason for u in audit.unchecked)
    # The snapshot's SummaryMap still decides the root's MFA.
    assert categories(audit) == ["root-without-mfa"]


def test_without_a_snapshot_the_account_checks_are_unchecked() -> None:
    audit = audit_account(AccountFacts(A, security(A, csv_text=clean_report()), admins={}), SETTINGS)
    assert {u.category for u in audit.unchecked} == {
        "password-policy-missing", "password-policy-weak", "no-multi-region-trail", "trail-not-logging",
        "config-not-recording",
    }
    assert audit.findings == ()


def test_with_no_security_data_every_credential_check_is_unchecked() -> None:
    audit = audit_account(facts(no_security=True, admins={ALICE: "AdministratorAccess"}), SETTINGS)
    graph_only = {"user-with-direct-policies", "unused-role", "admin-policy-customer"}
    assert {u.category for u in audit.unchecked} == set(CATEGORY_NAMES) - graph_only
    assert audit.findings == ()


def test_without_an_admin_definition_admin_without_mfa_is_unchecked() -> None:
    audit = audit_account(dataclasses.replace(facts(), admins=None), SETTINGS)
    assert [u.category for u in audit.unchecked] == ["admin-without-mfa"]


def test_a_time_aws_never_writes_is_refused_naming_entity_and_field() -> None:
    broken = facts(roles=(_role("yesterday"),))
    with pytest.raises(QueryError, match=r"contractor: field 'RoleLastUsed.LastUsedDate' .*'yesterday'"):
        audit_account(broken, SETTINGS)


def test_the_clock_must_be_aware_and_the_windows_positive() -> None:
    with pytest.raises(ValueError, match="aware"):
        AuditSettings(now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="max-key-age must be at least 1 day, not 0"):
        AuditSettings(now=NOW, max_key_age=0)


def test_a_snapshot_part_aws_refused_decides_nothing() -> None:
    refused = {"PasswordPolicy": "iam:GetAccountPasswordPolicy: AccessDenied", "Trails": "AccessDenied"}
    snap = snapshot(A, password_policy=None, trails=[])
    audit = audit_account(dataclasses.replace(facts(snap=snap), not_collected=refused), SETTINGS)
    assert categories(audit) == []  # not password-policy-missing, not no-multi-region-trail
    assert {u.category: u.reason for u in audit.unchecked} == {
        "password-policy-missing": f"the security snapshot of account {A} lacks PasswordPolicy: "
        "iam:GetAccountPasswordPolicy: AccessDenied",
        "password-policy-weak": f"the security snapshot of account {A} lacks PasswordPolicy: "
        "iam:GetAccountPasswordPolicy: AccessDenied",
        "no-multi-region-trail": f"the security snapshot of account {A} lacks Trails: AccessDenied",
        "trail-not-logging": f"the security snapshot of account {A} lacks Trails: AccessDenied",
    }


def test_the_report_still_decides_what_a_refused_snapshot_part_would() -> None:
    audit = audit_account(
        dataclasses.replace(facts(csv_text=clean_report(mfa=False, password=False, keys=[(True, OLD, RECENT)])),
                            not_collected={"AccessKeys": "AccessDenied", "MfaDevices": "AccessDenied"},
                            admins={ALICE: "AdministratorAccess"}),
        SETTINGS,
    )
    assert categories(audit) == ["access-key-not-rotated", "admin-without-mfa"]
    assert audit.unchecked == ()
