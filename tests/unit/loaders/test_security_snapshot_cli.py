"""`accessgraph load` with #16's files: recognised by content in a dry run; `--security` only with `--live`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.support.credentials import report_csv, report_row
from tests.support.samples import ACCOUNT_A, EXAMPLES


def test_a_dry_run_lists_the_report_and_the_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--dry-run", "--json", "-q"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [(entry["kind"], entry["accountId"]) for entry in summary["security"]] == [
        ("credential report", ACCOUNT_A), ("security snapshot", ACCOUNT_A)
    ]


def test_security_without_live_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--security", "-q"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "accessgraph: error: --security needs --live (files of security data are recognised by content)"


def test_a_bad_report_row_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = report_csv(tmp_path / "report.csv", [report_row("Jake", mfa_active="maybe")])
    assert main(["load", str(path), "--dry-run", "-q"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("report.csv: line 2 (user Jake): field mfa_active: 'maybe' is not true or false")
