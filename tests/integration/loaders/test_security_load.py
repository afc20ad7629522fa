"""#16's facts against a real Neo4j: the demo's story read back through `GraphReader.account_security`, each
source replacing only its own facts in one transaction, an IAM reload keeping them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import neo4j
import pytest

import loaders.graph_writer as graph_writer
from loaders.pipeline import plan_from_paths, write_plan
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.database.records import AccountSecurityRecord, UserCredentialRecord
from service.errors import InputError, LoadError
from tests.support.credentials import key, report_csv, report_row
from tests.support.graph_state import graph_state
from tests.support.samples import ACCOUNT_A, ACCOUNT_B, EXAMPLES, gaad_a, write_json
from tests.unit.reachability.fake_source import run

pytestmark = pytest.mark.neo4j
SNAPSHOT_A = EXAMPLES / f"security-{ACCOUNT_A}.json"


def security(settings: Neo4jSettings, account_id: str | None = None) -> list[AccountSecurityRecord]:
    async def read() -> list[AccountSecurityRecord]:
        reader = GraphReader(settings)
        try:
            return await reader.account_security(account_id)
        finally:
            await reader.close()

    return run(read())


def users(record: AccountSecurityRecord) -> dict[str, UserCredentialRecord]:
    return {user.name: user for user in record.users}


def snapshot(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(SNAPSHOT_A.read_text(encoding="utf-8"))
    value.update(changes)
    return value


def test_the_demo_story(graph: neo4j.Driver, neo4j_settings: Neo4jSettings) -> None:
    summary = write_plan(graph, plan_from_paths([EXAMPLES]))
    assert [(entry["kind"], entry["accountId"]) for entry in summary.security] == [
        ("credential report", ACCOUNT_A), ("security snapshot", ACCOUNT_A)
    ]
    (record,) = security(neo4j_settings)  # the contractor's account has IAM only: absent
    assert record.account_id == ACCOUNT_A and record.report_time is not None and record.snapshot_loaded
    found = users(record)
    assert next(iter(found)) == "<root_account>" and found["<root_account>"].is_root
    assert found["<root_account>"].mfa_active is True and found["<root_account>"].password_enabled is None
    assert {name for name, user in found.items() if user.mfa_active} == {
        "<root_account>", "Jesse", "Segun", "Jake", "Jessica"
    }
    assert found["Alice"].mfa_active is False and found["Alice"].password_enabled is True
    assert found["Jesse"].mfa_devices == (f"arn:aws:iam::{ACCOUNT_A}:mfa/Jesse",)
    (key,) = found["Jake"].access_keys
    assert (key.access_key_id, key.active, key.created) == ("AKIAQ3EGRDJAKE4N7X2P", True, "2025-03-05T09:12:44+00:00")
    assert all(not user.access_keys for name, user in found.items() if name != "Jake")
    assert record.password_policy is not None and record.password_policy["MinimumPasswordLength"] == 8
    assert record.summary["AccountMFAEnabled"] == 1 and record.summary["AccountAccessKeysPresent"] == 0
    assert [(t.name, t.multi_region, t.logging) for t in record.trails] == [("webapp-management-events", True, True)]
    assert [(r.name, r.recording, r.all_supported) for r in record.recorders] == [("default", True, True)]
    assert security(neo4j_settings, ACCOUNT_B) == []
    # (one account's read is a query of its own, through the accountId indexes: the same record)
    assert security(neo4j_settings, ACCOUNT_A) == [record]


def test_per_user_key_count_and_login_profile_in_the_graph(graph: neo4j.Driver) -> None:
    """What #13's credential techniques read: the number of access keys, whether a console password exists."""
    write_plan(graph, plan_from_paths([EXAMPLES]))
    rows = graph.execute_query(
        "MATCH (u:CredentialReportUser {accountId: $id}) RETURN u.name AS name, u.accessKeyCount AS keys, "
        "u.passwordEnabled AS password ORDER BY name", id=ACCOUNT_A,
    ).records
    assert {(r["name"], r["keys"], r["password"]) for r in rows} >= {("Jake", 1, True), ("Alice", 0, True)}
    assert ("<root_account>", 0, None) in {(r["name"], r["keys"], r["password"]) for r in rows}
    keys = graph.execute_query(
        "MATCH (:SecuritySnapshot {accountId: $id})-[:HAS_ACCESS_KEY]->(k:AccessKey) RETURN k.userName AS user",
        id=ACCOUNT_A,
    ).records
    assert [r["user"] for r in keys] == ["Jake"]
    logins = graph.execute_query("MATCH (p:LoginProfile {accountId: $id}) RETURN count(p) AS n", id=ACCOUNT_A)
    assert logins.records[0]["n"] == 5


def test_either_source_alone(graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    shutil.copy(SNAPSHOT_A, tmp_path / "security.json")
    write_plan(graph, plan_from_paths([tmp_path / "security.json"]))
    (record,) = security(neo4j_settings)
    assert record.report_time is None and record.snapshot_loaded
    found = users(record)
    assert "<root_account>" not in found  # the root user's row is the report's
    assert found["Alice"].mfa_active is False and found["Alice"].password_enabled is True
    assert found["Jake"].password_used_known is False  # only the report knows password use

    write_plan(graph, plan_from_paths([report_csv(tmp_path / "report.csv", [report_row("<root_account>")])]))
    (record,) = security(neo4j_settings)
    assert record.report_time is not None and record.snapshot_loaded  # the snapshot kept


def test_each_source_replaces_only_its_own_facts(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    first = tmp_path / "report.csv"
    inactive = key(1, "2025-03-05T09:12:44+00:00", active="false")
    report_csv(first, [report_row("<root_account>"), report_row("Jake", **inactive)])
    write_plan(graph, plan_from_paths([first]))
    (record,) = security(neo4j_settings)
    found = users(record)
    assert set(found) == {"<root_account>", "Jake", "Jesse", "Segun", "Alice", "Jessica"}  # snapshot's users stay
    assert found["Jesse"].password_used_known is False  # Jesse's report row went with the old report
    assert found["Jesse"].mfa_devices == (f"arn:aws:iam::{ACCOUNT_A}:mfa/Jesse",)
    assert [key.access_key_id for key in found["Jake"].access_keys] == ["AKIAQ3EGRDJAKE4N7X2P"]  # snapshot's
    reported = graph.execute_query("MATCH (k:AccessKey {source: 'report'}) RETURN k.active AS active").records
    assert [r["active"] for r in reported] == [False]

    changed = tmp_path / "security.json"
    write_json(changed, snapshot(AccessKeys=[], Trails=[], PasswordPolicy=None))
    write_plan(graph, plan_from_paths([changed]))
    (record,) = security(neo4j_settings)
    assert record.trails == () and record.password_policy is None and record.report_time is not None
    assert users(record)["Jake"].access_keys == ()
    assert users(record)["Jake"].password_used_known is True  # the report's row stayed


def test_reloading_iam_keeps_the_facts(graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    before = security(neo4j_settings)
    write_json(tmp_path / "gaad.json", gaad_a())
    write_plan(graph, plan_from_paths([tmp_path / "gaad.json"]))
    assert security(neo4j_settings) == before


def test_snapshot_users_take_the_arn_of_the_loaded_user(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    document = gaad_a()
    for user in document["UserDetailList"]:
        if user["UserName"] == "Jake":
            user["Path"] = "/developers/"
            user["Arn"] = f"arn:aws:iam::{ACCOUNT_A}:user/developers/Jake"
    write_json(tmp_path / "gaad.json", document)
    shutil.copy(SNAPSHOT_A, tmp_path / "security.json")
    write_plan(graph, plan_from_paths([tmp_path]))
    (record,) = security(neo4j_settings)
    assert users(record)["Jake"].arn == f"arn:aws:iam::{ACCOUNT_A}:user/developers/Jake"
    assert users(record)["Alice"].arn == f"arn:aws:iam::{ACCOUNT_A}:user/Alice"


def test_a_bad_file_writes_nothing(graph: neo4j.Driver, tmp_path: Path) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    before = graph_state(graph)
    shutil.copy(SNAPSHOT_A, tmp_path / "security.json")
    report_csv(tmp_path / "report.csv", [report_row("<root_account>"), report_row("Jake", mfa_active="yes")])
    with pytest.raises(InputError, match=r"report\.csv: line 3 \(user Jake\): field mfa_active"):
        write_plan(graph, plan_from_paths([tmp_path]))
    assert graph_state(graph) == before


def test_a_failed_write_keeps_the_previous_facts(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    before = graph_state(graph)
    jake = report_row("Jake", **key(1, "2026-01-02T00:00:00+00:00"))
    report_csv(tmp_path / "report.csv", [report_row("<root_account>"), jake])
    original = graph_writer.query

    def broken(name: str) -> str:
        return "RETURN 1/0" if name == "load_security_report_keys" else original(name)

    monkeypatch.setattr(graph_writer, "query", broken)
    with pytest.raises(LoadError, match=r"credential report 111111111111 keeps its previous snapshot"):
        write_plan(graph, plan_from_paths([tmp_path / "report.csv"]))
    assert graph_state(graph) == before


def test_the_same_report_twice_is_an_input_error(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / f"credential-report-{ACCOUNT_A}.csv", tmp_path / "a.csv")
    shutil.copy(EXAMPLES / f"credential-report-{ACCOUNT_A}.csv", tmp_path / "b.csv")
    with pytest.raises(InputError, match=r"b\.csv: the credential report of account 111111111111 is also in"):
        plan_from_paths([tmp_path])
