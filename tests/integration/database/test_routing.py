"""neo4j:// routing URIs (a cluster, Aura) against the single local server, which routes to itself: the
commands and the API work through the routing table, reads go through READ transactions that refuse
writes, and every Bolt scheme passes the settings while anything else fails with a message."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from typing import Any
from urllib.parse import urlsplit

import neo4j
import pytest
from starlette.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.database import Neo4jSettings, connect
from service.database.reader import GraphReader
from service.errors import DatabaseUnavailable
from tests.support.graph_state import one
from tests.support.samples import EXAMPLES

ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"
WHO_CAN_ASSUME = (
    f'{{ whoCanAssume(roleArn: "{ROLE}") {{ principal {{ arn }} conditionText '
    "paths { steps { from { arn } to { arn } kind } } } }"
)
ROUTING = {"bolt": "neo4j", "bolt+s": "neo4j+s", "bolt+ssc": "neo4j+ssc"}


def routed(settings: Neo4jSettings) -> Neo4jSettings:
    """The session's server through a routing URI (neo4j://host:port, keeping its TLS choice)."""
    parts = urlsplit(settings.uri)
    scheme = ROUTING.get(parts.scheme, parts.scheme)
    assert scheme.startswith("neo4j")
    return dataclasses.replace(settings, uri=f"{scheme}://{parts.netloc}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_routing_driver_gets_a_routing_table_and_reads_through_readers(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings
) -> None:
    settings = routed(neo4j_settings)
    with connect(settings) as driver:  # connect() verifies connectivity: the routing table was fetched
        driver.verify_connectivity()
        table = driver.execute_query(
            "CALL dbms.routing.getRoutingTable({}, $database) YIELD servers RETURN servers",
            database=settings.database, routing_=neo4j.RoutingControl.READ,
        ).records[0]["servers"]
        roles = {server["role"]: server["addresses"] for server in table}
        assert roles["READ"] and roles["WRITE"] and roles["ROUTE"]
        with driver.session(database=settings.database, default_access_mode=neo4j.READ_ACCESS) as session:
            assert session.execute_read(lambda tx: tx.run("RETURN 41 + 1 AS answer").single(strict=True)[0]) == 42


def test_the_read_path_refuses_a_write_through_a_routing_uri(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("service.database.reader.query", lambda name: "CREATE (n:Intruder) RETURN n")

    async def attempt() -> None:
        reader = GraphReader(routed(neo4j_settings))
        try:
            await reader.rows("reach_role")
        finally:
            await reader.close()

    with pytest.raises(neo4j.exceptions.ClientError, match=r"(?i)read access mode"):
        asyncio.run(attempt())
    assert one(graph, "MATCH (n:Intruder) RETURN count(n)") == 0


def test_the_api_answers_the_same_through_a_routing_uri(graph: neo4j.Driver, neo4j_settings: Neo4jSettings) -> None:
    assert main(["load", "--quiet", str(EXAMPLES)]) == 0
    answers: list[Any] = []
    for settings in (neo4j_settings, routed(neo4j_settings)):
        with TestClient(create_app(settings=settings, tokens=())) as client:
            assert client.get("/readyz").json() == {"status": "ready", "neo4j": "up"}
            response = client.post("/graphql", json={"query": WHO_CAN_ASSUME})
            assert response.status_code == 200, response.text
            answers.append(response.json()["data"]["whoCanAssume"])
    direct, through_routing = answers
    assert direct and through_routing == direct
    assert any("sts:ExternalId" in answer["conditionText"] for answer in direct)


def test_status_load_and_serve_accept_a_routing_uri(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uri = routed(neo4j_settings).uri
    monkeypatch.setenv("NEO4J_URI", uri)
    assert main(["neo4j", "status"]) == 0
    assert "Neo4j 5.26." in capsys.readouterr().out
    assert main(["load", "--quiet", str(EXAMPLES)]) == 0
    assert one(graph, "MATCH (u:User) RETURN count(u)") == 7

    served: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(app=app, **options))
    assert main(["serve", "--port", "8123"]) == 0
    assert f"Neo4j at {uri}" in capsys.readouterr().out and served["port"] == 8123


@pytest.mark.parametrize("scheme", ["neo4j+s", "neo4j+ssc", "bolt+s", "bolt+ssc"])
def test_tls_schemes_reach_the_driver_and_a_dead_server_is_reported_clearly(
    scheme: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"{scheme}://127.0.0.1:{free_port()}"
    with pytest.raises(DatabaseUnavailable, match="does not answer"):
        connect(Neo4jSettings(uri=uri, username="neo4j", password="irrelevant"))
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    assert main(["neo4j", "status"]) == 3
    out = capsys.readouterr().out
    assert "not running" in out and uri in out and "does not answer" in out


@pytest.mark.parametrize(
    "uri",
    [
        "bolt://db.example.com",
        "bolt+s://db.example.com:7687",
        "bolt+ssc://[::1]:7687",
        "neo4j://db.example.com:7687",
        "neo4j://db.example.com:7687?region=eu",
        "neo4j+s://0a1b2c3d.databases.neo4j.io",
        "neo4j+ssc://10.0.0.5",
    ],
)
def test_settings_accept_every_bolt_and_routing_scheme(uri: str) -> None:
    assert Neo4jSettings(uri=uri, username="neo4j").uri == uri


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://db.example.com:7474", "the scheme must be one of bolt://"),
        ("https://db.example.com", "the scheme must be one of bolt://"),
        ("db.example.com:7687", "the scheme must be one of bolt://"),
        ("neo4j://", "names no host"),
        ("bolt://:7687", "names no host"),
        ("bolt://db.example.com?region=eu", "a routing context (?region=eu) needs a neo4j:// URI"),
        ("neo4j://db.example.com:http", "is not a valid URI"),
    ],
)
def test_every_command_rejects_a_uri_it_cannot_use_with_a_message(
    uri: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_driver(*_: Any, **__: Any) -> None:  # "neo4j://" would otherwise reach localhost:7687
        raise AssertionError(f"a driver was opened for {uri!r}")

    monkeypatch.setattr(neo4j.GraphDatabase, "driver", no_driver)
    monkeypatch.setattr(neo4j.AsyncGraphDatabase, "driver", no_driver)
    monkeypatch.setattr("uvicorn.run", no_driver)
    monkeypatch.setenv("NEO4J_URI", uri)
    for command in (["neo4j", "status"], ["load", "--quiet", str(EXAMPLES)], ["serve"]):
        assert main(command) == 3, command
        err = capsys.readouterr().err
        assert err.startswith(f"accessgraph: error: NEO4J_URI {uri!r}") and message in err, err


def test_the_api_chains_its_reads_with_one_bookmark_manager(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a cluster, separate READ transactions may land on readers that lag differently; chained by
    bookmarks, a later read never sees an older graph than an earlier one saw."""
    managers: list[Any] = []
    session = neo4j.AsyncDriver.session

    def recording(self: neo4j.AsyncDriver, **config: Any) -> Any:
        managers.append(config.get("bookmark_manager"))
        return session(self, **config)

    monkeypatch.setattr(neo4j.AsyncDriver, "session", recording)

    async def two_reads() -> list[str]:
        reader = GraphReader(routed(neo4j_settings))
        try:
            await reader.rows("reach_generation")
            await reader.rows("reach_generation")
            return list(await managers[0].get_bookmarks())
        finally:
            await reader.close()

    bookmarks = asyncio.run(two_reads())
    assert len(managers) == 2 and managers[0] is not None and managers[1] is managers[0]
    assert bookmarks  # read transactions return bookmarks: the next read waits for a reader that caught up
