"""The account security snapshot transform (a bad entity refused naming file, entity and field), and the
reader's grouping of loaded facts into AccountSecurityRecords (`account_security_records`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from loaders.credential_report import transform_credential_report
from loaders.detect import read_input
from loaders.rows import node_properties
from loaders.security import SecuritySnapshot, transform_security
from service.database.records import AccountSecurityRecord, account_security_records
from service.errors import InputError
from tests.support.credentials import key, report_row, report_text
from tests.support.samples import ACCOUNT_A, EXAMPLES

DEMO = EXAMPLES / f"security-{ACCOUNT_A}.json"


def demo() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return copy.deepcopy(value)


def test_the_demo_snapshot() -> None:
    snapshot = transform_security(demo(), "s.json")
    assert snapshot.account_id == ACCOUNT_A and snapshot.root_mfa_enabled is True
    assert snapshot.root_access_keys_present is False and snapshot.login_profiles_known
    assert json.loads(snapshot.password_policy or "{}")["MinimumPasswordLength"] == 8
    assert [(k.user_name, k.active) for k in snapshot.access_keys] == [("Jake", True)]
    assert sorted(d.user_name for d in snapshot.mfa_devices) == ["Jake", "Jesse", "Jessica", "Segun"]
    assert [t.name for t in snapshot.trails] == ["webapp-management-events"]
    assert json.loads(snapshot.not_collected) == {}


def test_recognised_by_content(tmp_path: Path) -> None:
    path = tmp_path / "whatever.json"
    path.write_text(json.dumps(demo()), encoding="utf-8")
    assert read_input(path).kind == "security"


def test_no_password_policy_is_none_set() -> None:
    assert transform_security({**demo(), "PasswordPolicy": None}, "s").password_policy is None


def test_a_part_aws_refused_is_named_not_emptied() -> None:
    value = demo()
    del value["Trails"]
    value["NotCollected"] = {"Trails": "cloudtrail:DescribeTrails: AccessDenied: no"}
    snapshot = transform_security(value, "s")
    assert snapshot.trails == () and json.loads(snapshot.not_collected) == {"Trails": value["NotCollected"]["Trails"]}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda v: v.pop("Trails"), "s.json: account 111111111111: missing required field Trails"),
        (lambda v: v.update(AccountId="1111"), "s.json: AccountId '1111' is not a 12-digit account id"),
        (lambda v: v["AccessKeys"][0].update(Status="Enabled"),
         "s.json: AccessKeys[0] (user Jake): Status 'Enabled' is not Active or Inactive"),
        (lambda v: v["AccessKeys"][0].update(AccessKeyId="akia-lower"),
         "s.json: AccessKeys[0] (user Jake): AccessKeyId 'akia-lower' is not an access key id"),
        (lambda v: v["AccessKeys"][0].pop("UserName"), "s.json: AccessKeys[0]: missing required field UserName"),
        (lambda v: v["AccessKeys"][0].update(CreateDate="last week"),
         "s.json: AccessKeys[0] (user Jake): CreateDate 'last week' is not an ISO 8601 time"),
        (lambda v: v["MfaDevices"][1].pop("SerialNumber"),
         "s.json: MfaDevices[1] (user Segun): missing required field SerialNumber"),
        (lambda v: v["Trails"][0].update(IsLogging="yes"),
         "s.json: Trails[0] (name webapp-management-events): IsLogging must be true or false, not a string"),
        (lambda v: v["ConfigRecorders"][0].pop("Recording"),
         "s.json: ConfigRecorders[0] (name default): missing required field Recording"),
        (lambda v: v["AccountSummary"].update(Users="5"), "s.json: account 111111111111: AccountSummary.Users must be"),
        (lambda v: v.update(PasswordPolicy=[]), "s.json: account 111111111111: PasswordPolicy must be an object"),
        (lambda v: v.update(NotCollected={"Trails": "denied"}), "Trails is both given and named in NotCollected"),
        (lambda v: v.update(NotCollected={"Roles": "denied"}), "NotCollected names 'Roles', not a part"),
        (lambda v: v["MfaDevices"].append(dict(v["MfaDevices"][0])), "MfaDevices[4]: arn:aws:iam::111111111111:mfa/"),
    ],
)
def test_a_bad_entity_names_file_entity_and_field(change: Any, says: str) -> None:
    value = demo()
    change(value)
    with pytest.raises(InputError) as caught:
        transform_security(value, "s.json")
    assert says in str(caught.value)


# --- the reader's grouping: rows as cypher/reach_security.cypher returns them -------------------------------


def rows_of(report: str | None = None, snapshot: SecuritySnapshot | None = None) -> list[dict[str, Any]]:
    """The nodes the writer stores, as reach_security returns them: a row per account and kind of node, its
    facts the nodes' properties."""
    rows: list[dict[str, Any]] = []
    if report is not None:
        parsed = transform_credential_report(report, "r.csv", "2026-12-01T00:00:00+00:00")
        account = parsed.account_id
        rows.append({"accountId": account, "kind": "report", "facts": [{"generatedTime": parsed.generated_time}]})
        rows.append({"accountId": account, "kind": "reportUser", "facts": [node_properties(u) for u in parsed.users]})
        rows.append({"accountId": account, "kind": "accessKey",
                     "facts": [node_properties(k) for k in parsed.access_keys]})
    if snapshot is not None:
        account = snapshot.account_id
        header = node_properties(snapshot, exclude=("access_keys", "mfa_devices", "login_profiles", "trails",
                                                    "recorders"))
        rows.append({"accountId": account, "kind": "snapshot", "facts": [header]})
        for kind, items in (("accessKey", snapshot.access_keys), ("mfaDevice", snapshot.mfa_devices),
                            ("loginProfile", snapshot.login_profiles), ("trail", snapshot.trails),
                            ("recorder", snapshot.recorders)):
            rows.append({"accountId": account, "kind": kind, "facts": [node_properties(item) for item in items]})
    return rows


def one(rows: list[dict[str, Any]]) -> AccountSecurityRecord:
    (record,) = account_security_records(rows)
    return record


def test_report_alone() -> None:
    jake = report_row("Jake", mfa_active="true", **key(2, "2025-01-01T00:00:00+00:00"))
    record = one(rows_of(report_text([report_row("<root_account>"), jake])))
    assert (record.report_time, record.snapshot_loaded, record.password_policy, record.trails) == (
        "2026-12-01T00:00:00+00:00", False, None, ()
    )
    root, user = record.users
    assert root.is_root and root.arn == f"arn:aws:iam::{ACCOUNT_A}:root"
    assert (user.mfa_active, user.mfa_devices, [(k.slot, k.access_key_id) for k in user.access_keys]) == (
        True, (), [(2, None)]
    )


def test_snapshot_alone() -> None:
    record = one(rows_of(snapshot=transform_security(demo(), "s")))
    assert record.report_time is None and record.snapshot_loaded and record.not_collected == {}
    users = {user.name: user for user in record.users}
    assert (users["Alice"].mfa_active, users["Alice"].password_enabled, users["Alice"].password_used_known) == (
        False, True, False
    )
    assert users["Jake"].access_keys[0].access_key_id == "AKIAQ3EGRDJAKE4N7X2P"
    assert record.summary["AccountMFAEnabled"] == 1 and record.recorders[0].recording


def test_snapshot_without_login_profiles_does_not_say_who_has_a_password() -> None:
    value = demo()
    del value["LoginProfiles"]
    users = {user.name: user for user in one(rows_of(snapshot=transform_security(value, "s"))).users}
    assert users["Jake"].password_enabled is None


def test_both_sources_the_snapshot_keys_and_the_reports_root() -> None:
    root = report_row("<root_account>", **key(1, "2024-01-01T00:00:00+00:00"))
    jake = report_row("Jake", mfa_active="true", **key(1, "2025-03-05T09:12:44+00:00"))
    record = one(rows_of(report_text([root, jake]), transform_security(demo(), "s")))
    users = {user.name: user for user in record.users}
    assert [k.access_key_id for k in users["Jake"].access_keys] == ["AKIAQ3EGRDJAKE4N7X2P"]
    assert [k.slot for k in users["<root_account>"].access_keys] == [1]  # only the report shows root's keys
    assert users["Jake"].password_used_known and users["Jesse"].mfa_devices


def test_denied_parts_reach_the_record() -> None:
    value = demo()
    del value["PasswordPolicy"]
    value["NotCollected"] = {"PasswordPolicy": "iam:GetAccountPasswordPolicy: AccessDenied: no"}
    record = one(rows_of(snapshot=transform_security(value, "s")))
    assert record.password_policy is None and "PasswordPolicy" in record.not_collected


def test_nothing_loaded_is_no_record() -> None:
    assert account_security_records([]) == []


def test_keys_aws_refused_in_the_snapshot_come_from_the_report() -> None:
    value = demo()
    del value["AccessKeys"], value["MfaDevices"]
    value["NotCollected"] = {"AccessKeys": "iam:ListAccessKeys: AccessDenied: no",
                             "MfaDevices": "iam:ListMFADevices: AccessDenied: no"}
    jake = report_row("Jake", **key(1, "2025-03-05T09:12:44+00:00"))
    record = one(rows_of(report_text([jake]), transform_security(value, "s")))
    users = {user.name: user for user in record.users}
    assert [(k.slot, k.access_key_id) for k in users["Jake"].access_keys] == [(1, None)]
    assert users["Alice"].mfa_active is None  # neither source says
