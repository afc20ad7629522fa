"""`audit --baseline FILE --new-only`: the gate fails only on findings a previous run's json lacks; a check
that could not run still fails a gate naming it (a baseline accepts findings, not blind spots)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from tests.integration.api.test_findings import AS_OF, A, B, audited  # noqa: F401  (a fixture)

pytestmark = pytest.mark.neo4j
MFA = "user-console-without-mfa"


def _json(capsys: pytest.CaptureFixture[str], *argv: str, code: int) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["audit", "--as-of", AS_OF, *argv, "--format", "json"]) == code
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return found


@pytest.mark.usefixtures("audited")
def test_audit_gate_fails_only_on_new_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gate = ("--account", A, "--fail-on", f"{MFA},access-key-not-rotated")
    every = _json(capsys, *gate, code=1)
    assert {f["category"] for f in every} >= {MFA, "access-key-not-rotated"}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(every), encoding="utf-8")
    assert _json(capsys, *gate, "--baseline", str(baseline), code=0) == every
    assert _json(capsys, *gate, "--baseline", str(baseline), "--new-only", code=0) == []

    # The evidence of an accepted finding changes (ages grow every day): still the same finding.
    aged = [{**f, "evidence": {**f["evidence"], "days": 12345}} for f in every]
    baseline.write_text(json.dumps(aged), encoding="utf-8")
    assert main(["audit", "--as-of", AS_OF, *gate, "--baseline", str(baseline)]) == 0

    # Alice's missing MFA was not accepted: it alone is new and fails the gate.
    baseline.write_text(json.dumps([f for f in every if f["category"] != MFA]), encoding="utf-8")
    new = _json(capsys, *gate, "--baseline", str(baseline), "--new-only", code=1)
    assert [(f["category"], f["entity"]["arn"]) for f in new] == [(MFA, f"arn:aws:iam::{A}:user/Alice")]
    capsys.readouterr()
    assert main(["audit", "--as-of", AS_OF, *gate, "--baseline", str(baseline), "--new-only"]) == 1
    out, err = capsys.readouterr()
    assert "Alice" in out and "Jake" not in out and "1 finding(s) in" in err


@pytest.mark.usefixtures("audited")
def test_a_baseline_does_not_accept_a_check_that_could_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gate = ("--account", B, "--fail-on", "root-access-key")
    every = _json(capsys, *gate, code=1)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(every), encoding="utf-8")
    listed = _json(capsys, *gate, "--baseline", str(baseline), "--new-only", code=1)
    assert {f["severity"] for f in listed} == {"unchecked"}


@pytest.mark.usefixtures("audited")
def test_audit_refuses_a_baseline_that_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "previous.json"
    broken.write_text("{oops", encoding="utf-8")
    capsys.readouterr()
    assert main(["audit", "--as-of", AS_OF, "--baseline", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(broken) in err and "not JSON" in err and len(err.splitlines()) == 1, err
    assert main(["audit", "--as-of", AS_OF, "--baseline", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read the baseline" in capsys.readouterr().err
