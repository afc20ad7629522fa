"""Neo4j stopped and started again under load (issue #18): 16 clients keep asking while a Neo4j of the
test's own is stopped and started. No HTTP 200 carries an error, every failure is a 503 with a message,
and answers come back without restarting the API. The recovery time is measured and reported.

The instance is `LocalServer(instance="outage")` on its own port (ACCESSGRAPH_OUTAGE_BOLT_PORT, default
7712), so stopping it never disturbs the suite's shared test instance."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from service.api.app import create_app
from service.cli import main
from service.database import Neo4jSettings, apply_schema, connect
from service.database.lifecycle import start, stop
from service.database.local import LocalServer, ServerConfig
from tests.integration.api.conftest import ROOT

OUTAGE_PORT = int(os.environ.get("ACCESSGRAPH_OUTAGE_BOLT_PORT", "7712"))
CLIENTS = 16
SECONDS = 30.0
QUESTION = json.dumps(
    {"query": '{ whoCan(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k") { principal { arn } } }'}
).encode()
UNAVAILABLE = ("does not answer", "is not available", "is busy")


def _progress(message: str) -> None:
    print(f"[neo4j outage instance] {message}", file=sys.stderr)


@dataclass(frozen=True)
class Outage:
    server: LocalServer
    config: ServerConfig
    settings: Neo4jSettings


@pytest.fixture(scope="module")
def outage() -> Iterator[Outage]:
    server = LocalServer(instance="outage")
    config = ServerConfig(bolt_port=OUTAGE_PORT, heap="512m", page_cache="128m")
    report = start(server, config, _progress)
    credentials = server.credentials(config)
    settings = Neo4jSettings(uri=report.uri, username=credentials.username, password=credentials.password)
    try:
        with connect(settings) as driver:
            apply_schema(driver)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("NEO4J_URI", settings.uri)
            env.setenv("NEO4J_USERNAME", settings.username)
            env.setenv("NEO4J_PASSWORD", settings.password)
            env.delenv("NEO4J_DATABASE", raising=False)
            assert main(["load", "--quiet", str(ROOT / "examples")]) == 0
        yield Outage(server, config, settings)
    finally:
        if not os.environ.get("ACCESSGRAPH_KEEP_TEST_NEO4J"):  # as the suite's own test instance
            stop(server)


@pytest.fixture
def api(outage: Outage) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = create_app(settings=outage.settings, tokens=())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=30)


@dataclass(frozen=True)
class Answer:
    at: float
    client: int
    status: int
    body: Any


def _ask(port: int, client: int, answers: list[Answer], done: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not done.is_set():
        try:
            conn.request("POST", "/graphql", body=QUESTION, headers={"content-type": "application/json"})
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            answers.append(Answer(time.monotonic(), client, 0, repr(exc)))  # the API itself failed us
            conn.close()
            continue
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        answers.append(Answer(time.monotonic(), client, response.status, body))
    conn.close()


def test_neo4j_stopped_and_started_under_load(
    outage: Outage, api: int, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: list[Answer] = []
    done = threading.Event()
    clients = [threading.Thread(target=_ask, args=(api, i, answers, done), daemon=True) for i in range(CLIENTS)]
    began = time.monotonic()
    for client in clients:
        client.start()
    try:
        while len({a.client for a in answers if a.status == 200}) < CLIENTS and time.monotonic() - began < SECONDS:
            time.sleep(0.1)
        stopping = time.monotonic()
        stop(outage.server)
        stopped = time.monotonic()
        time.sleep(2.0)  # down for a moment: every client meets the outage
        start(outage.server, outage.config, _progress)
        up = time.monotonic()
        # Until every client has an answer again (or a generous bound), and at least SECONDS in all.
        while time.monotonic() - up < SECONDS and (
            time.monotonic() - began < SECONDS
            or len({a.client for a in answers if a.status == 200 and a.at > up}) < CLIENTS
        ):
            time.sleep(0.1)
    finally:
        done.set()
        for client in clients:
            client.join(timeout=90)

    def errors(answer: Answer) -> list[str]:
        body = answer.body if isinstance(answer.body, dict) else {}
        return [str(e.get("message")) for e in body.get("errors") or ()]

    ok = [a for a in answers if a.status == 200]
    failed = [a for a in answers if a.status != 200]
    assert [a for a in ok if errors(a) or not a.body.get("data", {}).get("whoCan")] == [], "a 200 carried an error"
    assert {a.status for a in failed} <= {503}, sorted({(a.status, str(a.body)[:200]) for a in failed})
    unexplained = [errors(a) for a in failed if not any(p in m for m in errors(a) for p in UNAVAILABLE)]
    assert unexplained == [], unexplained[:5]
    assert [a for a in failed if a.at < stopping] == [], "failures before Neo4j was stopped"
    assert failed, "no client met the outage"
    first_by_client: dict[int, float] = {}
    for a in sorted(ok, key=lambda a: a.at):
        if a.at > up:
            first_by_client.setdefault(a.client, a.at)
    assert len(first_by_client) == CLIENTS, (
        f"{CLIENTS - len(first_by_client)} clients got no answer after Neo4j came back"
    )
    first, last = min(first_by_client.values()) - up, max(first_by_client.values()) - up
    causes = {p: sum(1 for a in failed if any(p in m for m in errors(a))) for p in UNAVAILABLE}
    report = (
        f"outage: {len(answers)} answers from {CLIENTS} clients in {time.monotonic() - began:.0f} s; "
        f"{len(failed)} were 503 ({', '.join(f'{n} {p!r}' for p, n in causes.items() if n)}), none was a 200 "
        f"with an error; Neo4j took {stopped - stopping:.1f} s to stop and {up - stopped:.1f} s to be down and "
        f"start again; after it answered again, the first client had an answer in {first:.2f} s and every "
        f"client in {last:.2f} s, without restarting the API"
    )
    record_property("outage_report", report)
    with capsys.disabled():
        print(f"\n{report}")
