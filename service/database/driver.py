"""The one place that opens connections to Neo4j."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import neo4j
from neo4j.exceptions import (
    AuthError,
    ConnectionAcquisitionTimeoutError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    UnsupportedServerProduct,
)

from service.cypher import statements
from service.database.settings import Neo4jSettings
from service.errors import (
    DatabaseNotReady,
    DatabaseRefused,
    DatabaseUnavailable,
    DatabaseUnreachable,
)

_UNREACHABLE = (ServiceUnavailable, SessionExpired, OSError)
# Server codes that mean "not you, not your question: this server will not serve us now".
_REFUSING = (
    "Neo.ClientError.Security.CredentialsExpired",
    "Neo.ClientError.Security.AuthenticationRateLimit",
    "Neo.ClientError.Security.Forbidden",
    "Neo.ClientError.Security.AuthorizationExpired",
)
_NOT_READY = (
    "Neo.TransientError.General.DatabaseUnavailable",
    "Neo.ClientError.Database.DatabaseNotFound",
    "Neo.TransientError.Database.DatabaseUnavailable",
)
# While a database stops, the server terminates running transactions with this code and says why.
_TERMINATED = "Neo.TransientError.Transaction.Terminated"


def unavailability(exc: BaseException, settings: Neo4jSettings) -> DatabaseUnavailable | None:
    """What a driver exception means for whoever asked: the typed DatabaseUnavailable to raise (its
    message names the server and what to do), or None when the server answered and the failure belongs to
    the question itself (a timeout, a Cypher error)."""
    where = f"Neo4j at {settings.uri}"
    code, message = (exc.code, exc.message or "") if isinstance(exc, Neo4jError) else (None, str(exc))
    if isinstance(exc, AuthError) or code in _REFUSING:
        return DatabaseRefused(
            f"{where} refused user {settings.username!r} ({code or 'authentication failed'}: {message}); "
            f"check NEO4J_USERNAME and NEO4J_PASSWORD, and the user's access to database {settings.database!r}"
        )
    if code in _NOT_READY or (code == _TERMINATED and "not currently available" in message):
        return DatabaseNotReady(
            f"{where} answers, but database {settings.database!r} is not available ({code}): it is starting, "
            "stopping or does not exist; try again shortly, or check NEO4J_DATABASE"
        )
    if isinstance(exc, ConnectionAcquisitionTimeoutError):
        return DatabaseUnavailable(f"{where} is busy: no connection was free in time; try again shortly")
    if isinstance(exc, UnsupportedServerProduct):
        return DatabaseUnreachable(f"what answers at {settings.uri} is not Neo4j ({message}); check NEO4J_URI")
    if isinstance(exc, _UNREACHABLE):
        # The driver's message spans lines and repeats the address; its last line holds the cause.
        cause = (message.strip().splitlines() or [type(exc).__name__])[-1][:200]
        return DatabaseUnreachable(
            f"{where} does not answer ({cause}); try again shortly. A local server starts with "
            "`accessgraph neo4j start`; elsewhere, check NEO4J_URI"
        )
    return None


def connect(
    settings: Neo4jSettings | None = None, *, verify: bool = True, retry_seconds: float = 30.0
) -> neo4j.Driver:
    """A verified sync driver for the configured server; managed transactions that fail transiently
    (deadlock, lost connection, leader change) are run again for up to `retry_seconds`.

    Raises:
        DatabaseUnavailable: the server does not answer (DatabaseUnreachable) or refuses us
            (DatabaseRefused); see `unavailability`.
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
        except (Neo4jError, DriverError, OSError) as exc:
            driver.close()
            error = unavailability(exc, settings)
            if error is None:
                raise
            raise error from exc
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
            except (*_UNREACHABLE, Neo4jError) as exc:
                error = unavailability(exc, settings)
                if isinstance(error, DatabaseRefused):
                    raise error from exc
                last_error = exc
            if alive is not None and not alive():
                raise DatabaseUnavailable("the Neo4j process exited while starting")
            if on_wait is not None:
                on_wait(elapsed)
            time.sleep(0.5)
    raise DatabaseUnreachable(f"Neo4j at {settings.uri} did not answer within {timeout:.0f} s: {last_error}")


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
