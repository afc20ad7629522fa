"""The wheel (what the Docker image installs) carries the Cypher statements and the explorer bundle, and an
installed copy runs with no source checkout in sight. Built offline: `pip wheel --no-build-isolation`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "service", "loaders", "cypher")
STATIC = Path("service") / "explorer" / "static"
STAND_IN_BUNDLE = {
    "explorer/index.html": "<!doctype html><html><title>stand-in</title></html>",
    "explorer/explorer.js": "//",
}


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the Dockerfile's wheel stage copies, in a fresh folder: no stale build/ can leak in."""
    folder = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, folder / name)
    if not (folder / STATIC / "explorer" / "index.html").is_file():  # not built here: the packaging is the same
        for name, text in STAND_IN_BUNDLE.items():
            (folder / STATIC / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / STATIC / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def wheel(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), "."],
        cwd=source_copy, check=True, capture_output=True,
    )
    (built,) = out.glob("accessgraph-*.whl")
    return built


def test_the_wheel_carries_every_cypher_statement_and_the_explorer_bundle(wheel: Path, source_copy: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        statements = sorted((ROOT / "cypher").glob("*.cypher"))
        assert statements
        for statement in statements:
            assert archive.read(f"service/_cypher/{statement.name}") == statement.read_bytes()
        bundle = sorted(p for p in (source_copy / STATIC).rglob("*") if p.is_file())
        assert any(p.name == "index.html" for p in bundle)
        for path in bundle:
            assert path.relative_to(source_copy).as_posix() in names
    assert not any(name.startswith("cypher/") for name in names)  # nothing outside the two packages


def test_the_installed_wheel_answers_without_a_source_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    probe = """
import sys
from pathlib import Path
import service
from service.cypher import cypher_dir, query, statements
from starlette.testclient import TestClient
from service.api.app import create_app

site = Path(sys.argv[1])
assert Path(service.__file__).is_relative_to(site), service.__file__
assert cypher_dir() == site / "service" / "_cypher", cypher_dir()
for path in sorted(cypher_dir().glob("*.cypher")):
    assert query(path.stem)
assert any("CONSTRAINT" in statement for statement in statements("schema"))
client = TestClient(create_app(tokens=()))  # no lifespan: the page and the bundle need no database
page = client.get("/")
assert page.status_code == 200 and "<html" in page.text.lower(), page.text
assert client.get("/static/explorer/explorer.js").status_code == 200
print("installed", len(list(cypher_dir().glob("*.cypher"))))
"""
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["installed", str(len(list((ROOT / "cypher").glob("*.cypher"))))]
