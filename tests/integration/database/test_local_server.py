"""The local Neo4j: provisioning cache checks, the configuration we write, and the real server answering."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import neo4j
import pytest

from service.cli import main
from service.database import Neo4jSettings, server_info
from service.database.local import REQUIRED_JARS, LocalServer, ServerConfig
from service.database.settings import LocalCredentials, read_credentials, write_credentials
from service.errors import DatabaseUnavailable


def test_the_server_stores_and_returns_what_was_written(graph: neo4j.Driver) -> None:
    graph.execute_query("CREATE (:Probe {name: $name, n: $n})", name="written", n=42)
    records, _, _ = graph.execute_query("MATCH (p:Probe) RETURN p.name AS name, p.n AS n")
    assert [(r["name"], r["n"]) for r in records] == [("written", 42)]


def test_the_server_is_neo4j_5_26_community(neo4j_driver: neo4j.Driver) -> None:
    info = server_info(neo4j_driver)
    assert info.name == "Neo4j Kernel"
    assert info.version.startswith("5.26.")
    assert info.edition == "community"


def test_each_graph_test_starts_from_an_empty_database(graph: neo4j.Driver) -> None:
    records, _, _ = graph.execute_query("MATCH (n) RETURN count(n) AS nodes")
    assert records[0]["nodes"] == 0


def test_status_reports_version_of_the_configured_server(
    neo4j_settings: Neo4jSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["neo4j", "status"]) == 0
    out = capsys.readouterr().out
    assert "Neo4j 5.26." in out and "community" in out and neo4j_settings.uri in out


def test_a_dead_server_is_reported_clearly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    assert main(["neo4j", "status"]) == 3
    out = capsys.readouterr().out
    assert "not running" in out and "does not answer" in out


def test_start_with_an_external_uri_provisions_nothing(
    neo4j_settings: Neo4jSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACCESSGRAPH_NEO4J_DIR", str(tmp_path / "cache"))
    assert main(["neo4j", "start"]) == 0
    assert "nothing to start" in capsys.readouterr().out
    assert not (tmp_path / "cache").exists()


def test_the_written_configuration_is_loopback_only_with_auth_and_no_usage_reports(tmp_path: Path) -> None:
    conf = ServerConfig(bolt_port=17687).render(tmp_path)
    settings = dict(line.split("=", 1) for line in conf.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"] == "127.0.0.1:17687"
    assert settings["server.http.enabled"] == "false"
    assert settings["dbms.security.auth_enabled"] == "true"
    assert settings["dbms.usage_report.enabled"] == "false"
    with_http = ServerConfig(bolt_port=17687, http_port=17474).render(tmp_path)
    assert "server.http.listen_address=127.0.0.1:17474" in with_http


def test_credentials_are_written_for_the_owner_only_and_never_printed(tmp_path: Path) -> None:
    write_credentials(tmp_path, LocalCredentials("neo4j", "s3cret-value", 7999))
    mode = stat.S_IMODE(os.stat(tmp_path / "credentials.json").st_mode)
    assert mode == 0o600
    loaded = read_credentials(tmp_path)
    assert loaded == LocalCredentials("neo4j", "s3cret-value", 7999)
    assert "s3cret-value" not in repr(loaded)
    assert "s3cret-value" not in repr(Neo4jSettings("bolt://x", "neo4j", "s3cret-value"))


def test_damaged_credentials_are_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "credentials.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DatabaseUnavailable, match="damaged"):
        read_credentials(tmp_path)


def _copy_provisioned(tmp_path: Path) -> LocalServer:
    real = LocalServer()
    if real.provisioned_version() is None:
        real.provision()
    copy = LocalServer(tmp_path / "cache")
    shutil.copytree(real.lib.parent, copy.lib.parent)
    return copy


def test_an_incomplete_cache_is_detected(tmp_path: Path) -> None:
    server = _copy_provisioned(tmp_path)
    version = server.provisioned_version()
    assert version is not None and version.startswith("5.26.")
    bolt = server.lib / f"neo4j-bolt-{version}.jar"
    bolt.write_bytes(bolt.read_bytes()[:1000])  # an interrupted download
    assert server.provisioned_version() is None
    bolt.unlink()
    assert server.provisioned_version() is None
    server.manifest.unlink()
    assert server.provisioned_version() is None


def test_a_cache_missing_a_jar_is_repaired_by_provisioning(tmp_path: Path) -> None:
    server = _copy_provisioned(tmp_path)
    version = server.provisioned_version()
    (server.lib / f"neo4j-kernel-{version}.jar").unlink()
    messages: list[str] = []
    assert server.provision(messages.append) == version
    assert server.provisioned_version() == version
    assert any("incomplete" in m for m in messages)
    manifest = json.loads(server.manifest.read_text())
    assert all(f"{jar}-{version}.jar" in manifest["jars"] for jar in REQUIRED_JARS)


def test_a_restart_keeps_the_port_the_instance_last_ran_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCESSGRAPH_NEO4J_BOLT_PORT", raising=False)
    assert ServerConfig.from_env(stored_port=7696).bolt_port == 7696
    assert ServerConfig.from_env(bolt_port=7700, stored_port=7696).bolt_port == 7700
    assert ServerConfig.from_env().bolt_port == 7687
    monkeypatch.setenv("ACCESSGRAPH_NEO4J_BOLT_PORT", "7701")
    assert ServerConfig.from_env(stored_port=7696).bolt_port == 7701
