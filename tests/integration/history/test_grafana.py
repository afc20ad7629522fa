"""examples/grafana/accessgraph-dashboard.json: every query it sends, sent to the real API (the app over HTTP),
answers rows with every field its panels read, of the type the panel declares."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.api.app import create_app
from service.database import Neo4jSettings
from tests.integration.history.conftest import A, account_a, account_b, changed_a
from tests.support.gaad import Account

pytestmark = pytest.mark.neo4j
DASHBOARD = Path(__file__).resolve().parents[3] / "examples" / "grafana" / "accessgraph-dashboard.json"
NULL_UNTIL_LANDED = {"findings", "findingsCritical", "findingsHigh", "findingsMedium", "findingsLow"}
# (documented: null for an account without credential or security data)


def targets() -> list[tuple[str, dict[str, Any]]]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [(panel["title"], target) for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_dashboard_has_panels_for_stats_and_history() -> None:
    queries = " ".join(t["url_options"]["body_graphql_query"] for _, t in targets())
    assert "stats" in queries and "history" in queries
    assert all(t["type"] == "graphql" and t["url"] == "${accessgraph}/graphql" for _, t in targets())


def test_every_query_answers_the_fields_its_panel_reads(
    neo4j_settings: Neo4jSettings, load: Callable[[Account], str]
) -> None:
    load(account_a())
    load(account_b())
    load(changed_a(account_a()))
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as client:
        for title, target in targets():
            query = target["url_options"]["body_graphql_query"].replace("$account", A)
            answer = client.post("/graphql", json={"query": query}).json()
            assert "errors" not in answer, (title, answer)
            rows: Any = answer
            for step in target["root_selector"].split("."):
                rows = rows[step]
            assert isinstance(rows, list) and rows, title
            for row in rows:
                for column in target["columns"]:
                    value = row[column["selector"]]
                    if column["type"] == "number":
                        ok = isinstance(value, int) or (value is None and column["selector"] in NULL_UNTIL_LANDED)
                        assert ok, (title, column, value)
                    elif column["type"] == "timestamp":
                        assert dt.datetime.fromisoformat(value).tzinfo is not None, (title, value)
                    else:
                        assert isinstance(value, str), (title, column, value)


def test_loading_the_examples_folder_passes_over_the_dashboard(capsys: pytest.CaptureFixture[str]) -> None:
    from loaders.detect import expand_paths

    found = expand_paths([DASHBOARD.parents[1]])
    assert DASHBOARD not in found and DASHBOARD.parents[1] / "gaad-111111111111.json" in found
    # Named on its own, it is refused as what it is not.
    from loaders.pipeline import plan_from_paths
    from service.errors import InputError

    with pytest.raises(InputError, match="neither GAAD output"):
        plan_from_paths([DASHBOARD])
