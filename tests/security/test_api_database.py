"""Every way Neo4j can be unavailable or refuse us is a 503 that says which (issue #18 item 4): GraphQL
and /readyz alike; the CLI gets a typed AccessgraphError with an exit code, never a traceback."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from starlette.testclient import TestClient

from service.api.app import create_app
from service.database import Neo4jSettings, connect
from service.database.driver import unavailability
from service.errors import (
    DatabaseNotReady,
    DatabaseRefused,
    DatabaseUnavailable,
    DatabaseUnreachable,
)

ACCESSGRAPH = str(Path(sys.executable).with_name("accessgraph"))
WHO_CAN = {"query": '{ whoCan(action: "s3:GetObject", resource: "*") { hops } }'}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _broken(settings: Neo4jSettings, how: str) -> Neo4jSettings:
    if how == "unreachable":
        return dataclasses.replace(settings, uri=f"bolt://127.0.0.1:{_closed_port()}")
    if how == "refused":
        # An unknown user, not a wrong password: failed logins of the real user would lock it for the suite.
        return dataclasses.replace(settings, username="nobody-at-all", password="not-the-password")
    return dataclasses.replace(settings, database="nosuchdatabase")


EXPECTED = {
    "unreachable": "does not answer",
    "refused": "refused user 'nobody-at-all'",
    "not-ready": "database 'nosuchdatabase' is not available",
}


@pytest.mark.parametrize("how", EXPECTED)
def test_graphql_and_readyz_answer_503_saying_why(
    neo4j_settings: Neo4jSettings, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings=_broken(neo4j_settings, how), tokens=())) as c:
        answer = c.post("/graphql", json=WHO_CAN)
        ready = c.get("/readyz")
    assert answer.status_code == 503, answer.text
    assert EXPECTED[how] in answer.json()["errors"][0]["message"]
    assert ready.status_code == 503
    assert ready.json()["neo4j"] == how and EXPECTED[how] in ready.json()["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("accessgraph")]


def test_database_unavailable_while_it_stops_is_503(
    neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stopping(*_: Any) -> Any:
        raise Neo4jError._hydrate_neo4j(
            code="Neo.TransientError.General.DatabaseUnavailable", message="Database 'neo4j' is unavailable."
        )

    monkeypatch.setattr("service.database.reader._collect", stopping)
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        answer = c.post("/graphql", json=WHO_CAN)
        ready = c.get("/readyz")
    assert answer.status_code == 503 and "is not available" in answer.json()["errors"][0]["message"]
    assert ready.status_code == 503 and ready.json()["neo4j"] == "not-ready"


CODES = {
    "Neo.ClientError.Security.Unauthorized": DatabaseRefused,
    "Neo.ClientError.Security.CredentialsExpired": DatabaseRefused,
    "Neo.ClientError.Security.AuthenticationRateLimit": DatabaseRefused,
    "Neo.ClientError.Security.Forbidden": DatabaseRefused,
    "Neo.TransientError.General.DatabaseUnavailable": DatabaseNotReady,
    "Neo.ClientError.Database.DatabaseNotFound": DatabaseNotReady,
    "Neo.ClientError.Statement.SyntaxError": None,
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration": None,
    "Neo.ClientError.Transaction.ForbiddenDueToTransactionType": None,  # a write in a READ transaction: a bug
}


@pytest.mark.parametrize("code", CODES)
def test_server_codes_are_classified(code: str) -> None:
    settings = Neo4jSettings("bolt://db.example:7687", "reader")
    error = unavailability(Neo4jError._hydrate_neo4j(code=code, message="m"), settings)
    expected = CODES[code]
    assert (error is None) if expected is None else type(error) is expected
    if error is not None:
        assert "bolt://db.example:7687" in str(error) and isinstance(error, DatabaseUnavailable)


@pytest.mark.parametrize(
    "exc", [ServiceUnavailable("gone"), SessionExpired("gone"), ConnectionResetError(104, "reset")]
)
def test_lost_connections_are_unreachable(exc: Exception) -> None:
    assert isinstance(unavailability(exc, Neo4jSettings("bolt://db.example:7687", "reader")), DatabaseUnreachable)


def test_the_cli_gets_typed_errors_with_an_exit_code(neo4j_settings: Neo4jSettings) -> None:
    refused = _broken(neo4j_settings, "refused")
    with pytest.raises(DatabaseRefused) as raised:
        connect(refused)
    assert raised.value.exit_code == 3
    environment = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_USERNAME": neo4j_settings.username}
    for how, extra in (
        ("refused", {"NEO4J_USERNAME": refused.username, "NEO4J_PASSWORD": refused.password}),
        ("not-ready", {"NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": "nosuchdatabase"}),
    ):
        run = subprocess.run(
            [ACCESSGRAPH, "who-can", "s3:GetObject", "*"],
            env={**environment, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 3, run.stderr
        assert EXPECTED[how] in run.stderr and "Traceback" not in run.stderr
