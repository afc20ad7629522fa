from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import pytest

from service.cli import main
from tests.support.gaad import Account
from tests.support.history_accounts import A, B, account_a, account_b, changed_a

__all__ = ["A", "B", "account_a", "account_b", "changed_a", "cli_json", "document", "load"]


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == code
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def load(graph: neo4j.Driver, tmp_path: Path) -> Callable[..., str]:
    """Load one account's GAAD with `accessgraph load` (`record=False`: without its access record, as a run
    stopped before recording it leaves it); its history load id."""
    count = [0]

    def _load(account: Account, record: bool = True) -> str:
        count[0] += 1
        folder = tmp_path / f"load-{count[0]}"
        folder.mkdir()
        flags = [] if record else ["--no-access-record"]
        assert main(["load", "--quiet", *flags, str(account.write(folder))]) == 0
        return str(
            graph.execute_query(
                "MATCH (l:HistoryLoad {unitId: $id}) RETURN l.id AS id ORDER BY l.time DESC LIMIT 1", id=account.id
            ).records[0]["id"]
        )

    return _load


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
