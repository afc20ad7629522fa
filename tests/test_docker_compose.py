"""docker-compose.yml stays valid: `docker compose config` where the plugin exists, else a structural check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _compose_plugin() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0


def test_compose_file_is_accepted_by_docker_compose_where_the_plugin_exists() -> None:
    compose = _compose()  # parses everywhere; the plugin, where installed, checks the rest
    assert set(compose) == {"name", "services", "volumes"}
    if not _compose_plugin():
        return
    result = subprocess.run(
        [shutil.which("docker") or "docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True, text=True, check=False, env={"NEO4J_PASSWORD": "compose-check", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_neo4j_5_26_community_with_a_volume_and_healthchecks() -> None:
    compose = _compose()
    services = compose["services"]
    neo4j = services["neo4j"]
    assert neo4j["image"].startswith("neo4j:5.26.") and neo4j["image"].endswith("-community")
    assert "neo4j-data:/data" in neo4j["volumes"]
    assert "neo4j-data" in compose["volumes"]
    assert "RETURN 1" in " ".join(neo4j["healthcheck"]["test"])
    app = services["accessgraph"]
    assert app["build"] == "."
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"


def test_compose_publishes_on_loopback_and_keeps_no_password() -> None:
    compose = _compose()
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), port
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "${NEO4J_PASSWORD:?" in text


def test_the_service_image_runs_the_accessgraph_server() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert 'CMD ["accessgraph", "serve"' in dockerfile
    assert "USER accessgraph" in dockerfile
