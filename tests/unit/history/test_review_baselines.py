"""`resource-review --baseline FILE --new-only` as a CI gate (#14's review, #17's baselines), on the fake
graph of tests/unit/reachability/test_external_access_cli.py: no database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.unit.reachability.test_external_access_cli import BUCKET, fake_graph  # noqa: F401  (a fixture)

GATE = ("resource-review", "--fail-on", "public,outside-account")


def _json(capsys: pytest.CaptureFixture[str], *argv: str, code: int) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == code
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


@pytest.mark.usefixtures("fake_graph")
def test_resource_review_gate_fails_only_on_findings_not_in_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = _json(capsys, *GATE, code=1)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(every), encoding="utf-8")
    assert main([*GATE, "--baseline", str(baseline)]) == 0
    assert _json(capsys, *GATE, "--baseline", str(baseline), "--new-only", code=0) == []
    assert _json(capsys, *GATE, "--baseline", str(baseline), code=0) == every  # all still listed

    # The public grant is not in the baseline: it alone is new, and it fails the gate.
    public = [f for f in every if f["principal"] == {"arn": "*", "kind": "any"}]
    assert len(public) == 1
    baseline.write_text(json.dumps([f for f in every if f not in public]), encoding="utf-8")
    assert _json(capsys, *GATE, "--baseline", str(baseline), "--new-only", code=1) == public
    assert main([*GATE, "--baseline", str(baseline)]) == 1
    assert "1 finding(s) in outside-account, public" in capsys.readouterr().err
    # A baseline whose statement is reformatted (key order, spacing) still holds the finding.
    reformatted = [{**f, "statement": json.dumps(json.loads(str(f["statement"])), indent=1, sort_keys=True)}
                   for f in every]
    baseline.write_text(json.dumps(reformatted), encoding="utf-8")
    assert main([*GATE, "--baseline", str(baseline)]) == 0


@pytest.mark.usefixtures("fake_graph")
def test_resource_review_refuses_a_bad_baseline_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[{not json", encoding="utf-8")
    capsys.readouterr()
    assert main([*GATE, "--baseline", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(broken) in err and "not JSON" in err and len(err.splitlines()) == 1, err

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([{"role": {"arn": "x"}}]), encoding="utf-8")  # a trust-review finding
    assert main([*GATE, "--baseline", str(wrong)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(wrong) in err and "finding 0" in err and len(err.splitlines()) == 1, err

    assert main([*GATE, "--new-only"]) == 2
    assert "--new-only needs --baseline" in capsys.readouterr().err
    assert BUCKET  # (the fake graph's bucket is among the findings above)
