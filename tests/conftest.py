"""Which Neo4j the tests use, in this order:

1. `NEO4J_URI` (+ `NEO4J_USERNAME`, `NEO4J_PASSWORD`) when set;
2. a testcontainers Neo4j (pinned image) when a Docker engine answers a ping within a few seconds;
3. the locally provisioned server's `test` instance (its own data folder and Bolt port, so running the
   tests never empties a developer's `accessgraph neo4j start` database), started here when needed.

The choice is exported as NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD for the whole session, so subprocesses
(`accessgraph load` killed midway, the API under uvicorn) talk to the same server. When none can be had,
every graph test errors with a message saying how to get one: never a silent skip.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import neo4j
import pytest

from service.database import Neo4jSettings, apply_schema, connect

NEO4J_IMAGE = "neo4j:5.26.30-community"
TEST_BOLT_PORT = int(os.environ.get("ACCESSGRAPH_TEST_BOLT_PORT", "7688"))
HOW_TO_GET_NEO4J = (
    "no Neo4j for the graph tests. Either set NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD), "
    "or run a Docker engine, or install Java 17+ and Maven so that the tests can provision Neo4j "
    "themselves (`bash .ci/run` does all of this)."
)


def _docker_answers() -> bool:
    """True when a Docker engine answers `GET /_ping` within three seconds."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        path = host.removeprefix("unix://")
        if not os.path.exists(path):
            return False
        family, address = socket.AF_UNIX, path
    elif host.startswith("tcp://"):
        name, _, port = host.removeprefix("tcp://").partition(":")
        family, address = socket.AF_INET, (name, int(port or 2375))  # type: ignore[assignment]
    else:
        return False
    try:
        with socket.socket(family, socket.SOCK_STREAM) as conn:
            conn.settimeout(3)
            conn.connect(address)
            conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
            return status_line.startswith(b"HTTP/1.") and b" 200 " in status_line + b" "
    except OSError:
        return False


def _from_testcontainers(stack: ExitStack) -> Neo4jSettings:
    from testcontainers.neo4j import Neo4jContainer

    container = stack.enter_context(Neo4jContainer(NEO4J_IMAGE))
    return Neo4jSettings(
        uri=container.get_connection_url(), username="neo4j", password=container.password, external=True
    )


def _from_local_instance(stack: ExitStack) -> Neo4jSettings:
    from service.database.lifecycle import start, stop
    from service.database.local import LocalServer, ServerConfig

    server = LocalServer(instance="test")
    config = ServerConfig(bolt_port=TEST_BOLT_PORT, heap="2g", page_cache="1g")
    report = start(server, config, lambda message: print(f"[neo4j test instance] {message}", file=sys.stderr))
    if not report.already_running and not os.environ.get("ACCESSGRAPH_KEEP_TEST_NEO4J"):
        stack.callback(stop, server)
    credentials = server.credentials(config)
    return Neo4jSettings(uri=report.uri, username=credentials.username, password=credentials.password)


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    with ExitStack() as stack:
        try:
            if os.environ.get("NEO4J_URI"):
                settings = Neo4jSettings.resolve()
            elif _docker_answers():
                settings = _from_testcontainers(stack)
            else:
                settings = _from_local_instance(stack)
        except Exception as exc:
            pytest.fail(f"{HOW_TO_GET_NEO4J}\ncause: {exc}", pytrace=False)
        saved = {key: os.environ.get(key) for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD")}
        os.environ.update(
            NEO4J_URI=settings.uri, NEO4J_USERNAME=settings.username, NEO4J_PASSWORD=settings.password
        )
        try:
            yield settings
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Neo4jSettings) -> Iterator[neo4j.Driver]:
    driver = connect(neo4j_settings)
    try:
        yield driver
    finally:
        driver.close()


def empty_database(driver: neo4j.Driver) -> None:
    with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture
def graph(neo4j_driver: neo4j.Driver) -> neo4j.Driver:
    """A driver to a real Neo4j whose database is empty and carries accessgraph's schema."""
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    return neo4j_driver


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's AWS for the live paths, with credentials of its own (never a profile of the machine's)."""
    from moto import mock_aws  # only the live-path tests pay for importing moto

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    for item in items:
        if "graph" in getattr(item, "fixturenames", ()) or "neo4j_driver" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
