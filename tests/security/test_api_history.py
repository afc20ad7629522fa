"""`changes` with access through the API (issue #17): its access part reads no database, so it must hand the
event loop back as it goes, or the question timeout cannot stop it and the API answers nothing else until it
ends (at 100k principals, one account's took 9 minutes). Found by this probe: the timeout never fired."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.api.app import create_app
from service.api.context import Limits
from service.database import Neo4jSettings
from service.history.pairs import Pairs
from service.history.store import HistoryStore, World
from tests.support.history_accounts import account_a, account_b, changed_a
from tests.unit.history.worlds import world

# Nothing here reads the database: the worlds are made in the test.
NOWHERE = Neo4jSettings("bolt://127.0.0.1:9", "neo4j", "unused")
# (the exact comparison: read from access records, the difference takes seconds at 100k and never this long)
CHANGES = {"query": '{ changes(since: "2026-01-01T00:00:00Z", exactAccess: true) '
                    '{ access { role principal change } accessCompared } }'}
SECONDS_A_ROLE = 0.8


def _messages(answer: Any) -> str:
    return " ".join(error["message"] for error in answer.json().get("errors", []))


def test_the_question_timeout_stops_a_long_access_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = account_a(), account_b()
    worlds = (world(a, b), world(changed_a(a), b, load="load-2"))

    async def recorded(self: HistoryStore, since: str, unit_ids: Any = None) -> tuple[World, World]:
        return worlds

    compared = Pairs.compared

    async def slow(self: Pairs, role: str) -> Any:
        time.sleep(SECONDS_A_ROLE)  # (deciding a role is work that never waits: at 100k, 0.6 s a role)
        return await compared(self, role)

    monkeypatch.setattr(HistoryStore, "worlds", recorded)
    monkeypatch.setattr(HistoryStore, "differences", recorded)
    monkeypatch.setattr(Pairs, "compared", slow)
    # (two roles to decide, OldRole and DeployRole: 1.6 s of work against a 0.5 s timeout)
    with TestClient(create_app(settings=NOWHERE, tokens=(), limits=Limits(query_timeout_seconds=0.5))) as c:
        answer = c.post("/graphql", json=CHANGES)
    assert answer.status_code == 200 and answer.json()["data"] is None, answer.text
    assert "the question took longer than" in _messages(answer)

    # With time enough, the same question answers whole.
    with TestClient(create_app(settings=NOWHERE, tokens=(), limits=Limits(query_timeout_seconds=30.0))) as c:
        whole = c.post("/graphql", json=CHANGES).json()["data"]["changes"]
    assert whole["accessCompared"] is True and whole["access"]
