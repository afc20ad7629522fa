"""The audit against the real graph: GraphQL `findings` (paged, filtered, with the unchecked checks) and
`accessgraph audit` as a CI gate, over the demo GAAD and security facts as the #16 loaders store them."""

from __future__ import annotations

import json
from typing import Any

import neo4j
import pytest

from service.cli import main
from service.cli.questions import run_query
from service.errors import QueryError

A, B = "111111111111", "222222222222"
AS_OF = "2026-12-01T12:00:00Z"
FIELDS = "category severity accountId entity { arn kind } evidence recommendation cis"
PAGE = f"""query($accountId: String, $category: String, $first: Int!, $after: String, $asOf: String) {{
  findings(accountId: $accountId, category: $category, first: $first, after: $after, asOf: $asOf) {{
    totalCount hasMore endCursor items {{ {FIELDS} }} unchecked {{ category accountId reason }} }} }}"""
RECENT, OLD = "2026-11-25T10:00:00+00:00", "2025-01-02T10:00:00+00:00"

# The facts the security loaders write (the nodes cypher/reach_security.cypher reads), for account A: the
# tutorial's admins with MFA, Alice without, an old access key of Jake's; a weak password policy, no trail
# logging, Config recording. Written here as the loaders would, so this test needs only the audit's branch.
SEED = """
CREATE (:CredentialReport {accountId: $account, generatedTime: $recent, loadedAt: $recent})
CREATE (:SecuritySnapshot {accountId: $account, loadedAt: $recent, passwordPolicy: $policy, summary: $summary,
        loginProfilesKnown: true})
WITH 1 AS one
UNWIND $users AS user
CREATE (u:CredentialReportUser) SET u = user, u.accountId = $account
WITH count(*) AS users
UNWIND $keys AS key
CREATE (k:AccessKey) SET k = key, k.accountId = $account
WITH count(*) AS keys
CREATE (:Trail {accountId: $account, key: $account + '/main', name: 'main', multiRegion: true, logging: false,
        homeRegion: 'us-east-1', managementEvents: true})
CREATE (:ConfigRecorder {accountId: $account, key: $account + '/default', name: 'default', recording: true,
        allSupported: true})
"""


CLEAR = """
MATCH (n) WHERE n:CredentialReport OR n:CredentialReportUser OR n:SecuritySnapshot OR n:AccessKey OR n:MfaDevice
             OR n:LoginProfile OR n:Trail OR n:ConfigRecorder
DETACH DELETE n
"""


def _user(name: str, mfa: bool) -> dict[str, Any]:
    return {
        "userName": name, "arn": f"arn:aws:iam::{A}:user/{name}", "created": OLD, "passwordEnabled": True,
        "passwordLastUsed": RECENT, "passwordUsedKnown": True, "passwordLastChanged": RECENT, "mfaActive": mfa,
    }


@pytest.fixture
def audited(graph: neo4j.Driver, demo: None) -> None:
    root = {"userName": "<root_account>", "arn": f"arn:aws:iam::{A}:root", "created": OLD,
            "passwordUsedKnown": False, "mfaActive": True}
    users = [root] + [_user(n, mfa=n != "Alice") for n in ("Jesse", "Segun", "Alice", "Jake", "Jessica")]
    keys = [{"key": "AKIAJAKEOLD000000000", "accessKeyId": "AKIAJAKEOLD000000000", "userName": "Jake",
             "source": "snapshot", "active": True, "created": OLD, "lastUsed": RECENT, "lastUsedService": "s3"}]
    # The demo's own credential report and snapshot (examples/, loaded by `demo`) tell the tutorial's story;
    # these tests want one fact of each kind, so they replace them with the facts above.
    graph.execute_query(CLEAR)
    graph.execute_query(
        SEED, account=A, recent=RECENT, users=users, keys=keys,
        policy=json.dumps({"MinimumPasswordLength": 8, "PasswordReusePrevention": 24}),
        summary=json.dumps({"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}),
    )


def findings(**variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = run_query(PAGE, {"first": 100, "asOf": AS_OF, **variables})["findings"]
    return page


def test_the_demo_accounts_findings(audited: None) -> None:
    page = findings(accountId=A)
    found = {(f["category"], f["entity"]["arn"]) for f in page["items"]}
    assert found == {
        ("user-console-without-mfa", f"arn:aws:iam::{A}:user/Alice"),
        ("access-key-not-rotated", f"arn:aws:iam::{A}:user/Jake"),
        ("password-policy-weak", A),
        ("trail-not-logging", f"arn:aws:cloudtrail:us-east-1:{A}:trail/main"),
        ("no-multi-region-trail", A),  # its only multi-region trail does not log
        ("unused-role", f"arn:aws:iam::{A}:role/ContractorAccess"),
    }
    assert page["totalCount"] == 6 and page["unchecked"] == []
    weak = next(f for f in page["items"] if f["category"] == "password-policy-weak")
    assert json.loads(weak["evidence"]) == {"MinimumPasswordLength": 8, "required_length": 14}
    assert weak["cis"] == "1.7, 1.8" and weak["entity"]["kind"] == "account"
    role = next(f for f in page["items"] if f["category"] == "unused-role")
    assert json.loads(role["evidence"])["last_used"] == "2025-06-18T14:27:09+00:00"  # GAAD's RoleLastUsed


def test_an_account_without_security_data_lists_what_could_not_run(audited: None) -> None:
    page = findings(accountId=B)
    unchecked = {u["category"] for u in page["unchecked"]}
    assert {"root-without-mfa", "user-console-without-mfa", "password-policy-missing", "config-not-recording"} <= (
        unchecked
    )
    assert all(B in u["reason"] for u in page["unchecked"])
    assert {f["category"] for f in page["items"]} <= {"user-with-direct-policies", "unused-role",
                                                      "admin-policy-customer"}


def test_pages_and_category(audited: None) -> None:
    whole = findings()
    seen, after = [], None
    while True:
        page = findings(first=2, after=after)
        assert page["totalCount"] == whole["totalCount"]
        seen += page["items"]
        if (after := page["endCursor"]) is None:
            break
    assert seen == whole["items"]
    only = findings(category="unused-role")
    assert {f["category"] for f in only["items"]} == {"unused-role"}
    with pytest.raises(QueryError, match="unknown category 'nope'; choose from root-access-key"):
        findings(category="nope")


def test_cli_json_equals_graphql_and_gates(audited: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--as-of", AS_OF, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    items = findings()["items"]
    as_graphql = [{**f, "evidence": json.loads(f["evidence"])} for f in items]
    assert [p for p in printed if p["severity"] != "unchecked"] == as_graphql
    unchecked = [p for p in printed if p["severity"] == "unchecked"]
    assert {p["accountId"] for p in unchecked} == {B}

    assert main(["audit", "--as-of", AS_OF, "--account", A, "--fail-on", "user-console-without-mfa"]) == 1
    assert "1 finding(s) in user-console-without-mfa" in capsys.readouterr().err
    assert main(["audit", "--as-of", AS_OF, "--account", A, "--fail-on", "root-access-key"]) == 0
    # A gate on a check that could not run does not pass.
    assert main(["audit", "--as-of", AS_OF, "--account", B, "--fail-on", "root-access-key"]) == 1
    assert "could not run: root-access-key" in capsys.readouterr().err
    assert main(["audit", "--account", A, "--max-key-age", "1000", "--as-of", AS_OF,
                 "--fail-on", "access-key-not-rotated"]) == 0


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_cli_formats(audited: None, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["audit", "--as-of", AS_OF, "--account", A, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "user-console-without-mfa" in out and f"arn:aws:iam::{A}:user/Alice" in out
    assert ("SEVERITY" if fmt == "table" else "severity") in out


def test_cli_errors_are_one_line(audited: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--fail-on", "nope"]) == 2
    assert main(["audit", "--as-of", "yesterday"]) == 2
    assert main(["audit", "--account", "999999999999"]) == 2
    assert main(["audit", "--max-unused", "0"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4 and all(line.startswith("accessgraph: error: ") for line in err)
    assert "account '999999999999' is not loaded" in err[2]
