"""start, stop and status of the local server, as the CLI and the test suite use them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from service.database.driver import ServerInfo, connect, server_info, wait_until_ready
from service.database.local import LocalServer, Progress, ServerConfig, port_in_use
from service.database.settings import Neo4jSettings, read_credentials
from service.errors import AccessgraphError, DatabaseUnavailable, ProvisioningError


@dataclass(frozen=True)
class StartReport:
    uri: str
    version: str
    already_running: bool
    provision_seconds: float
    start_seconds: float


def start(server: LocalServer, config: ServerConfig, progress: Progress, *, timeout: float = 180.0) -> StartReport:
    """Provision if needed, configure, launch, and wait until `RETURN 1` answers."""
    began = time.monotonic()
    version = server.provision(progress)
    provisioned = time.monotonic()
    if server.pid() is not None:
        server.make_private()
        credentials = read_credentials(server.home)
        if credentials is None:
            raise ProvisioningError(
                f"a Neo4j runs from {server.home} but {server.home / 'credentials.json'} is missing; "
                "run `accessgraph neo4j stop`, then `accessgraph neo4j reset`"
            )
        settings = _local_settings(credentials.bolt_port, credentials.username, credentials.password)
        wait_until_ready(settings, timeout=timeout)
        return StartReport(settings.uri, version, True, provisioned - began, 0.0)
    if port_in_use(config.bolt_port):
        raise ProvisioningError(
            f"port {config.bolt_port} on 127.0.0.1 is taken by another program; "
            "choose another with --bolt-port or ACCESSGRAPH_NEO4J_BOLT_PORT"
        )
    credentials = server.configure(config)
    progress(f"starting Neo4j {version} on bolt://127.0.0.1:{config.bolt_port}")
    server.launch()
    settings = _local_settings(config.bolt_port, credentials.username, credentials.password)
    last_note = [0.0]

    def note(elapsed: float) -> None:
        if elapsed - last_note[0] >= 5.0:
            last_note[0] = elapsed
            progress(f"waiting for Neo4j to answer ({elapsed:.0f} s)")

    try:
        wait_until_ready(settings, timeout=timeout, on_wait=note, alive=lambda: server.pid() is not None)
    except DatabaseUnavailable as exc:
        raise ProvisioningError(f"{exc}\nlast lines of the server log:\n{server.log_tail()}") from exc
    return StartReport(settings.uri, version, False, provisioned - began, time.monotonic() - provisioned)


def stop(server: LocalServer) -> bool:
    """Stop gracefully; False when nothing was running."""
    if server.pid() is None:
        return False
    server.shutdown()
    return True


@dataclass(frozen=True)
class StatusReport:
    running: bool
    pid: int | None
    uri: str | None
    version: str | None
    edition: str | None
    provisioned_version: str | None
    folder: str
    external: bool = False
    problem: str | None = None


def status(server: LocalServer, settings: Neo4jSettings | None = None) -> StatusReport:
    folder = str(server.folder)
    if settings is not None and settings.external:
        info, problem = _probe(settings)
        if info is None:
            return StatusReport(False, None, settings.uri, None, None, None, folder, True, problem)
        return StatusReport(True, None, settings.uri, info.version, info.edition, None, folder, True)
    pid = server.pid()
    provisioned = server.provisioned_version()
    credentials = read_credentials(server.home)
    if pid is None or credentials is None:
        return StatusReport(False, None, None, None, None, provisioned, folder)
    local = _local_settings(credentials.bolt_port, credentials.username, credentials.password)
    info, problem = _probe(local)
    if info is None:
        return StatusReport(True, pid, local.uri, None, None, provisioned, folder, problem=problem)
    return StatusReport(True, pid, local.uri, info.version, info.edition, provisioned, folder)


def _probe(settings: Neo4jSettings) -> tuple[ServerInfo | None, str | None]:
    """The server's version, or why it could not be asked."""
    try:
        with connect(settings) as driver:
            return server_info(driver), None
    except AccessgraphError as exc:
        return None, str(exc)


def _local_settings(port: int, username: str, password: str) -> Neo4jSettings:
    return Neo4jSettings(uri=f"bolt://127.0.0.1:{port}", username=username, password=password)
