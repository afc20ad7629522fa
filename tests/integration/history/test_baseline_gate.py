"""`trust-review --baseline FILE --new-only`: a CI gate that fails only on findings a previous run lacked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from service.cli import main
from tests.integration.history.conftest import B, account_b, cli_json
from tests.support.gaad import Account, trusts

pytestmark = pytest.mark.neo4j
GATE = ("trust-review", "--fail-on", "outside-account")


def test_the_gate_fails_only_on_new_findings(
    load: Callable[[Account], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(account_b())
    accepted = cli_json(capsys, *GATE, code=1)  # AuditRole trusts account A: a finding, accepted
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(accepted), encoding="utf-8")

    assert main([*GATE, "--baseline", str(baseline)]) == 0
    # The accepted statement moves to second place in its policy: the same finding.
    b = account_b()
    audit = next(r for r in b.roles if r["RoleName"] == "AuditRole")
    statements = audit["AssumeRolePolicyDocument"]["Statement"]
    audit["AssumeRolePolicyDocument"]["Statement"] = [trusts({"Service": "ec2.amazonaws.com"}), *statements]
    load(b)
    assert cli_json(capsys, *GATE, "--baseline", str(baseline), "--new-only") == []

    b.role("VendorRole", {"Version": "2012-10-17", "Statement": [trusts({"AWS": "333333333333"})]})
    load(b)
    capsys.readouterr()
    assert main([*GATE, "--baseline", str(baseline)]) == 1
    assert "1 finding(s) in outside-account" in capsys.readouterr().err
    new = cli_json(capsys, *GATE, "--baseline", str(baseline), "--new-only", code=1)
    assert [f["role"]["arn"] for f in new] == [f"arn:aws:iam::{B}:role/VendorRole"]
    assert len(cli_json(capsys, *GATE, "--baseline", str(baseline), code=1)) == 2  # listed: all of them
