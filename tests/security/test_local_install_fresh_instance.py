"""A freshly provisioned local Neo4j: its password never shows in the process list, its files are private.

One instance is provisioned and started for the module, in a temporary cache folder that shares the
already downloaded jars, on a port the system picks, while a thread reads every /proc/*/cmdline.
"""

from __future__ import annotations

import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.database import Neo4jSettings, connect
from service.database.lifecycle import StartReport, start, stop
from service.database.local import LocalServer, ServerConfig
from service.database.settings import LocalCredentials, read_credentials
from service.errors import DatabaseUnavailable, ProvisioningError


class CommandLineSampler(threading.Thread):
    """Every distinct command line any process showed while it ran, as every local user can read them."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: set[bytes] = set()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for path in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    self.seen.add(path.read_bytes())
                except OSError:  # the process ended between listing and reading
                    continue
            # AdminTool's JVM lives for a second or more: a pass every 10 ms sees it many times over,
            # without taking a whole core from the server starting beside it.
            self.done.wait(0.01)

    def stop(self) -> None:
        self.done.set()
        self.join()


@dataclass(frozen=True)
class Fresh:
    server: LocalServer
    config: ServerConfig
    report: StartReport
    credentials: LocalCredentials
    command_lines: frozenset[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fresh]:
    real = LocalServer()
    if real.provisioned_version() is None:
        real.provision()
    cache = tmp_path_factory.mktemp("cache")
    (cache / "dist").symlink_to(real.lib.parent.resolve(), target_is_directory=True)
    server = LocalServer(cache, instance="fresh")
    config = ServerConfig(bolt_port=_free_port(), heap="512m", page_cache="64m")
    sampler = CommandLineSampler()
    sampler.start()
    try:
        report = start(server, config, lambda _: None)
    finally:
        sampler.stop()
    try:
        credentials = read_credentials(server.home)
        assert credentials is not None
        yield Fresh(server, config, report, credentials, frozenset(sampler.seen))
    finally:
        stop(server)


def _mode(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):04o}"


def _private_modes(server: LocalServer) -> dict[str, str]:
    paths = [server.home, server.home / "data", server.home / "credentials.json"]
    paths += sorted((server.home / "data" / "dbms").glob("auth*"))
    return {str(path.relative_to(server.home.parent)): _mode(path) for path in paths}


def _expected(server: LocalServer) -> dict[str, str]:
    return {name: ("0700" if (server.home.parent / name).is_dir() else "0600") for name in _private_modes(server)}


def test_the_initial_password_never_appears_in_the_process_list(fresh: Fresh) -> None:
    admin_tool = [line for line in fresh.command_lines if b"set-initial-password" in line]
    assert admin_tool, "the sampler never saw AdminTool run, so it proves nothing"
    shown = [line for line in fresh.command_lines if fresh.credentials.password.encode() in line]
    assert shown == []
    assert list(fresh.server.home.glob("initial-password*")) == []  # the argument file is gone


def test_the_initial_password_is_the_one_stored_and_authentication_is_on(fresh: Fresh) -> None:
    settings = Neo4jSettings(fresh.report.uri, fresh.credentials.username, fresh.credentials.password)
    with connect(settings) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
    wrong = Neo4jSettings(fresh.report.uri, fresh.credentials.username, "not-" + fresh.credentials.password)
    with pytest.raises(DatabaseUnavailable, match="refused user 'neo4j'"):
        connect(wrong).close()


def test_a_fresh_instance_is_private_to_its_owner(fresh: Fresh) -> None:
    modes = _private_modes(fresh.server)
    assert modes == _expected(fresh.server)
    assert "fresh/credentials.json" in modes and "fresh/data" in modes


@pytest.mark.parametrize("path", ["already running", "stopped"])
def test_an_instance_provisioned_before_the_rule_is_made_private_at_the_next_start(fresh: Fresh, path: str) -> None:
    home = fresh.server.home
    loosened = [home, home / "data", home / "credentials.json", *(home / "data" / "dbms").glob("auth*")]
    for loose in loosened:
        loose.chmod(0o755 if loose.is_dir() else 0o644)
    assert set(_private_modes(fresh.server).values()) == {"0755", "0644"}
    if path == "already running":
        assert start(fresh.server, fresh.config, lambda _: None).already_running
    else:
        fresh.server.configure(fresh.config)  # what `start` runs first for an instance that is not running
    assert _private_modes(fresh.server) == _expected(fresh.server)


def test_a_failing_initial_password_command_does_not_quote_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LocalServer(tmp_path, instance="broken")
    server.home.mkdir()

    def complains(main_class: str, *args: str) -> str:
        raise ProvisioningError(f"Unmatched argument at index 2: '{secret}'")

    secret = "pw-that-AdminTool-would-quote"
    monkeypatch.setattr(server, "_java", complains)
    with pytest.raises(ProvisioningError) as refused:
        server._set_initial_password(secret)
    assert secret not in str(refused.value) and "<password>" in str(refused.value)
    assert list(server.home.iterdir()) == []  # the argument file is gone after a failure too
