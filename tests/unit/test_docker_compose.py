"""docker-compose.yml and the Dockerfile stay valid: `docker compose config` where the plugin exists, else structural
checks (no test here needs a Docker engine)."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


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


def _stages() -> dict[str, list[str]]:
    """The Dockerfile's instructions by stage name (the last, unnamed stage is "image")."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            words = line.split()
            name = words[3] if len(words) == 4 and words[2].upper() == "AS" else "image"
            current = stages.setdefault(name, [])
        current.append(line)
    return stages


def test_the_image_builds_the_explorer_in_a_node_stage_with_the_ci_script() -> None:
    stages = _stages()
    explorer = stages["explorer"]
    assert explorer[0].startswith("FROM node:20")
    assert "RUN bash .ci/explorer --bundle-only" in explorer
    script = (ROOT / ".ci" / "explorer").read_text(encoding="utf-8")
    assert "npm ci" in script and "node build.mjs" in script and "--bundle-only" in script
    copies = [line for stage in stages.values() for line in stage if line.startswith("COPY --from=explorer")]
    assert copies == ["COPY --from=explorer /src/service/explorer/static ./service/explorer/static"]


def test_the_image_installs_a_wheel_that_carries_the_bundle_and_the_cypher_statements() -> None:
    stages = _stages()
    wheel = stages["wheel"]
    assert "COPY cypher ./cypher" in wheel and any("setup.py" in line for line in wheel if line.startswith("COPY "))
    position = {line: index for index, line in enumerate(wheel)}
    built = next(line for line in wheel if line.startswith("RUN pip wheel"))
    assert position["COPY --from=explorer /src/service/explorer/static ./service/explorer/static"] < position[built]
    image = stages["image"]
    installs = [line for line in image if line.startswith("RUN pip install")]
    assert len(installs) == 1 and "/wheels/" in installs[0] and " -e " not in installs[0]
    assert not any(line.startswith(("COPY service", "COPY cypher", "COPY loaders")) for line in image)
    assert "COPY --from=wheel /wheels /wheels" in image
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["setuptools"]["package-data"]["service.explorer"] == ["static/**/*"]
    assert "graft cypher" in (ROOT / "MANIFEST.in").read_text(encoding="utf-8")


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", ".neo4j", "**/node_modules", "bench", "service/explorer/static"} <= ignored
