"""The one place that opens connections to Neo4j."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import neo4j
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from service.cypher import statements
from service.database.settings import Neo4jSettings
from service.errors import DatabaseUnavailable

_UNREACHABLE = (ServiceUnavailable, SessionExpired, OSError)


def connect(
    settings: Neo4jSettings | None = None, *, verify: bool = True, retry_seconds: float = 30.0
) -> neo4j.Driver:
    """A verified sync driver for the configured server; managed transactions that fail transiently
    (deadlock, lost connection, leader change) are run again for up to `retry_seconds`.

    Raises:
        DatabaseUnavailable: the server does not answer, or refuses the credentials.
    """
    settings = settings or Neo4jSettings.resolve()
    driver = neo4j.GraphDatabase.driver(
        settings.uri,
        auth=(settings.username, settings.password),
        connection_timeout=5.0,
        max_transaction_retry_time=retry_seconds,
    )
    if verify:
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            driver.close()
            raise DatabaseUnavailable(f"Neo4j at {settings.uri} refused the credentials: {exc.message}") from exc
        except _UNREACHABLE as exc:
            driver.close()
            raise DatabaseUnavailable(
                f"Neo4j at {settings.uri} does not answer ({exc}); "
                "start the local one with `accessgraph neo4j start`, or check NEO4J_URI"
            ) from exc
    return driver


def wait_until_ready(
    settings: Neo4jSettings,
    *,
    timeout: float = 120.0,
    on_wait: Callable[[float], None] | None = None,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll with `RETURN 1` until the server answers, the process dies, or the timeout passes."""
    started = time.monotonic()
    last_error: Exception | None = None
    with neo4j.GraphDatabase.driver(
        settings.uri, auth=(settings.username, settings.password), connection_timeout=2.0
    ) as driver:
        while (elapsed := time.monotonic() - started) < timeout:
            try:
                driver.execute_query("RETURN 1", database_=settings.database)
                return
            except AuthError as exc:
                raise DatabaseUnavailable(f"Neo4j at {settings.uri} refused the credentials: {exc.message}") from exc
            except (*_UNREACHABLE, Neo4jError) as exc:
                last_error = exc
            if alive is not None and not alive():
                raise DatabaseUnavailable("the Neo4j process exited while starting")
            if on_wait is not None:
                on_wait(elapsed)
            time.sleep(0.5)
    raise DatabaseUnavailable(f"Neo4j at {settings.uri} did not answer within {timeout:.0f} s: {last_error}")


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    edition: str


def server_info(driver: neo4j.Driver) -> ServerInfo:
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition",
        routing_=neo4j.RoutingControl.READ,
    )
    record = records[0]
    return ServerInfo(name=record["name"], version=record["version"], edition=record["edition"])


def apply_schema(driver: neo4j.Driver, database: str = "neo4j") -> None:
    """Create every constraint and index in cypher/schema.cypher (each is IF NOT EXISTS) and wait for them."""
    with driver.session(database=database) as session:
        for statement in statements("schema"):
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
