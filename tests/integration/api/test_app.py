"""The HTTP service: safe defaults, authentication, errors, 503 and recovery, batching, the schema file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.api.app import build_schema, create_app
from service.api.context import Limits
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.reachability.questions import Reachability
from tests.integration.api.conftest import ROOT

ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"
DELETE = '{ whoCan(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k") { principal { arn } } }'
TOKEN = "t0ken-for-tests-0123456789"


def client(settings: Neo4jSettings, **options: Any) -> TestClient:
    return TestClient(create_app(settings=settings, tokens=options.pop("tokens", ()), **options))


def post(c: TestClient, query: str, **kwargs: Any) -> Any:
    return c.post("/graphql", json={"query": query}, **kwargs)


def test_production_mode_has_no_introspection_and_no_ide(neo4j_settings: Neo4jSettings) -> None:
    with client(neo4j_settings) as c:
        answer = post(c, "{ __schema { types { name } } }").json()
        assert answer["data"] is None and "introspection" in answer["errors"][0]["message"].lower()
        assert c.get("/graphql", headers={"accept": "text/html"}).status_code in (404, 405)
    with client(neo4j_settings, dev=True) as c:
        assert post(c, "{ __schema { queryType { name } } }").json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_depth_alias_and_body_limits(neo4j_settings: Neo4jSettings) -> None:
    limits = Limits(max_depth=4, max_aliases=3, max_body_bytes=4096)
    with client(neo4j_settings, limits=limits) as c:
        nested = "principal { entity { groups { entity { groups { arn } } } } }"
        deep = f'{{ whoCanAssume(roleArn: "{ROLE}") {{ {nested} }} }}'
        assert "exceeds maximum operation depth" in post(c, deep).json()["errors"][0]["message"]
        aliases = "{ " + " ".join(f'a{i}: search(text: "x") {{ arn }}' for i in range(4)) + " }"
        assert "aliases" in post(c, aliases).json()["errors"][0]["message"].lower()
        huge = {"query": '{ search(text: "' + "x" * 5000 + '") { arn } }'}
        assert c.post("/graphql", json=huge).status_code == 413


def test_bearer_tokens_when_configured(neo4j_settings: Neo4jSettings, demo: None) -> None:
    with client(neo4j_settings, tokens=(TOKEN,)) as c:
        assert post(c, DELETE).status_code == 401
        assert post(c, DELETE, headers={"authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
        ok = post(c, DELETE, headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()["data"]["whoCan"]
        assert c.get("/healthz").status_code == 200


def test_user_errors_are_clear_and_internal_errors_masked(
    neo4j_settings: Neo4jSettings, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client(neo4j_settings) as c:
        missing = post(c, '{ whoCanAssume(roleArn: "arn:aws:iam::1:role/Nope") { principal { arn } } }').json()
        assert "no role 'arn:aws:iam::1:role/Nope' in the graph" in missing["errors"][0]["message"]

        async def broken(*_: Any) -> Any:
            raise RuntimeError("secret internal detail")

        monkeypatch.setattr(Reachability, "who_can", broken)
        masked = post(c, DELETE).json()
        assert masked["errors"][0]["message"] == "Internal error; see the server log."
        assert "secret" not in str(masked)


def test_large_answers_are_never_cut_silently(neo4j_settings: Neo4jSettings, demo: None) -> None:
    with client(neo4j_settings) as c:
        capped = post(
            c, DELETE.replace('resource: "arn:aws:s3:::b/k"', 'resource: "arn:aws:s3:::b/k", limit: 1')
        ).json()
        assert capped["data"] is None
        assert "more than limit 1" in capped["errors"][0]["message"] and "whoCanPage" in capped["errors"][0]["message"]
        page = post(
            c,
            '{ whoCanPage(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k", first: 1) '
            "{ totalCount hasMore endCursor items { principal { arn } } } }",
        ).json()["data"]["whoCanPage"]
        assert page["totalCount"] >= 2 and page["hasMore"] and len(page["items"]) == 1
        rest = post(
            c,
            '{ whoCanPage(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k", first: 100, '
            f'after: "{page["endCursor"]}") {{ items {{ principal {{ arn }} }} }} }}',
        ).json()
        assert len(rest["data"]["whoCanPage"]["items"]) == page["totalCount"] - 1


def test_entity_fields_are_batched(neo4j_settings: Neo4jSettings, demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = GraphReader.rows

    async def counting(self: GraphReader, name: str, **params: Any) -> Any:
        calls.append(name)
        return await original(self, name, **params)

    monkeypatch.setattr(GraphReader, "rows", counting)
    with client(neo4j_settings) as c:
        data = post(
            c,
            '{ whoCan(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k") '
            "{ principal { arn entity { groups { name } } } } }",
        ).json()["data"]["whoCan"]
    assert len(data) >= 2 and all(a["principal"]["entity"]["groups"] for a in data)
    assert calls.count("nav_entity") == 1


def test_the_api_reads_in_read_only_transactions(
    neo4j_settings: Neo4jSettings, graph: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("service.database.reader.query", lambda name: "CREATE (n:Intruder) RETURN n")

    async def attempt() -> None:
        reader = GraphReader(neo4j_settings)
        try:
            await reader.rows("reach_role")
        finally:
            await reader.close()

    with pytest.raises(Exception, match=r"(?i)read|write"):
        asyncio.run(attempt())
    records, _, _ = graph.execute_query("MATCH (n:Intruder) RETURN count(n) AS n")
    assert records[0]["n"] == 0


class _Proxy:
    """A loopback TCP forwarder that can be switched on after the app has started."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: socket.socket | None = None

    def start(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                downstream, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()


@pytest.fixture
def proxy(neo4j_settings: Neo4jSettings) -> Iterator[_Proxy]:
    port = int(neo4j_settings.uri.rsplit(":", 1)[1])
    forwarder = _Proxy(port)
    yield forwarder
    forwarder.close()


def test_neo4j_down_gives_503_and_recovery_needs_no_restart(
    neo4j_settings: Neo4jSettings, demo: None, proxy: _Proxy
) -> None:
    if not neo4j_settings.uri.startswith(("bolt://127.0.0.1", "neo4j://127.0.0.1")):
        pytest.fail("this test needs a loopback Neo4j URI to put a switchable proxy in front of")
    through_proxy = Neo4jSettings(f"bolt://127.0.0.1:{proxy.port}", neo4j_settings.username, neo4j_settings.password)
    with client(through_proxy) as c:
        down = post(c, DELETE)
        assert down.status_code == 503
        assert "does not answer" in down.json()["errors"][0]["message"]
        assert c.get("/readyz").status_code == 503
        proxy.start()
        up = post(c, DELETE)
        assert up.status_code == 200 and up.json()["data"]["whoCan"]
        assert c.get("/readyz").status_code == 200


def test_schema_file_matches_the_code() -> None:
    written = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert written == build_schema(dev=True).as_str() + "\n", (
        "schema.graphql is out of date: run `accessgraph export-schema`"
    )


def test_export_schema_command_writes_the_schema(tmp_path: Path) -> None:
    from service.cli import main

    assert main(["export-schema", "-o", str(tmp_path / "s.graphql")]) == 0
    assert "whoCanAssume(roleArn: String!, maxHops: Int = 1" in (tmp_path / "s.graphql").read_text()


def test_ready_only_once_the_principal_index_is_warm(
    neo4j_settings: Neo4jSettings, demo: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="accessgraph")
    with client(neo4j_settings, warm=True) as c:
        statuses = [c.get("/readyz").status_code]
        deadline = time.monotonic() + 60
        while statuses[-1] != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            statuses.append(c.get("/readyz").status_code)
        assert statuses[-1] == 200 and set(statuses) <= {200, 503}
        assert any("principal index ready: 2 accounts" in r.getMessage() for r in caplog.records)
