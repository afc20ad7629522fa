"""`accessgraph load`: exit codes, messages, --json, --quiet, --dry-run."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest

from service.cli import main
from tests.support.graph_state import one
from tests.support.samples import EXAMPLES, gaad_a, write_json


def test_dry_run_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--dry-run", "--json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert err == ""
    by_id = {a["accountId"]: a for a in summary["accounts"]}
    assert by_id["111111111111"]["users"] == 5 and by_id["111111111111"]["trustEdges"] == 1
    assert by_id["222222222222"]["customerPolicies"] == 1
    assert summary["organizations"][0]["id"] == "o-k3x9v2m7qa"


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES / "gaad-111111111111.json"), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "account 111111111111, 11 entities" in err


def test_bad_file_exit_code_and_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = gaad_a()
    document["Policies"][1]["PolicyVersionList"][0]["Document"]["Statement"][0]["Effect"] = "Permit"
    path = write_json(tmp_path / "broken.json", document)
    assert main(["load", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: policy 'DevelopersPolicy'" in err and "Effect" in err


def test_nothing_to_load(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load"]) == 2
    assert "nothing to load" in capsys.readouterr().err


def test_workers_must_be_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_live_options_need_live(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--profile", "p"]) == 2
    assert "need --live" in capsys.readouterr().err


@pytest.mark.neo4j
def test_load_writes_the_graph(graph: neo4j.Driver, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLES), "--json", "-q"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {a["accountId"] for a in summary["accounts"]} == {"111111111111", "222222222222"}
    assert one(graph, "MATCH (u:User) RETURN count(u)") == 7
