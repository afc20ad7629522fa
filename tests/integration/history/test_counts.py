"""History rows carry the counts `stats` gives (administrators, trust findings by category, audit findings by
severity, resources by type) as they were right after each load; a run that cannot work them out says so and
leaves the load recorded with null counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neo4j
import pytest

from service.cli import main
from service.cli.questions import run_query
from service.history.columns import COUNT_NAMES, camel
from tests.integration.history.conftest import A, B
from tests.support.credentials import report_csv, report_row
from tests.support.gaad import Account, allow, trust, trusts

pytestmark = pytest.mark.neo4j

COLUMNS = " ".join(camel(name) for name in COUNT_NAMES)
BUCKET = "arn:aws:s3:::shared-reports"


def account(admins: int) -> Account:
    """`admins` users allowed everything; a role that account B may assume (one outside-account finding)."""
    a = Account(A)
    for index in range(admins):
        a.user(f"admin-{index}", inline=[allow("*")])
    a.user("dev", inline=[allow("s3:GetObject", f"{BUCKET}/*")])
    a.role("Partner", trust(trusts({"AWS": f"arn:aws:iam::{B}:root"})))
    return a


def resources(folder: Path) -> Path:
    path = folder / f"resources-{A}.json"
    path.write_text(json.dumps({"AccountId": A, "AccountPublicAccessBlock": None, "Resources": [
        {"Arn": BUCKET, "Type": "AWS::S3::Bucket", "Region": "us-east-1", "Policy": None},
        {"Arn": f"arn:aws:sqs:us-east-1:{A}:jobs", "Type": "AWS::SQS::Queue", "Region": "us-east-1",
         "Policy": None},
    ]}), encoding="utf-8")
    return path


def cli_load(*paths: Path) -> None:
    assert main(["load", "--quiet", *map(str, paths)]) == 0


def history() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = run_query(
        f"query($a: String) {{ history(accountId: $a) {{ loadId {COLUMNS} }} }}", {"a": A}
    )["history"]
    return rows


def stats() -> dict[str, Any]:
    rows = run_query(f"query($a: String) {{ stats(accountId: $a) {{ loadId {COLUMNS} }} }}", {"a": A})["stats"]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def test_each_history_row_keeps_the_counts_stats_gave_right_after_its_load(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    cli_load(account(1).write(tmp_path))
    first = stats()
    assert (first["admins"], first["outsideAccount"], first["findings"], first["resources"]) == (1, 1, None, 0)
    assert history() == [first]

    cli_load(account(2).write(tmp_path))
    second = stats()
    assert second["admins"] == 2 and second["loadId"] != first["loadId"]
    assert history() == [second, first]  # (newest first; the first row is as it was)

    # Resource and security loads record no load of their own: they update the counts of the newest one.
    report = report_csv(tmp_path / f"credential-report-{A}.csv", [
        report_row("<root_account>", A), report_row("admin-0", A), report_row("admin-1", A), report_row("dev", A),
    ])
    cli_load(resources(tmp_path), report)
    now = stats()
    assert now["loadId"] == second["loadId"]
    assert (now["resources"], now["s3Buckets"], now["sqsQueues"], now["kmsKeys"]) == (2, 1, 1, 0)
    assert now["findings"] is not None and now["findings"] > 0
    audit = run_query(f'{{ findings(accountId: "{A}", first: 1000) {{ items {{ severity }} }} }}', {})["findings"]
    for severity in ("critical", "high", "medium", "low"):
        assert now[f"findings{severity.title()}"] == sum(1 for f in audit["items"] if f["severity"] == severity)
    assert history() == [now, first]


def test_a_run_that_cannot_work_out_the_counts_says_so_and_keeps_the_load(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import service.history.counts as counts

    async def dead(*_: object) -> list[dict[str, Any]]:
        raise neo4j.exceptions.ServiceUnavailable("the database went away")

    monkeypatch.setattr(counts, "counts_of_loads", dead)
    assert main(["load", "--quiet", str(account(1).write(tmp_path))]) == 5
    error = capsys.readouterr().err
    assert "every load was written" in error and "the database went away" in error
    rows = history()
    assert len(rows) == 1 and all(rows[0][camel(name)] is None for name in COUNT_NAMES)
