"""Credentials never go in NEO4J_URI, and the Neo4j password is never printed."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.cli import main
from service.database import Neo4jSettings
from service.database.settings import LocalCredentials, check_uri
from service.errors import DatabaseUnavailable

SECRET = "s3cret-Pa55"
ACCESSGRAPH = str(Path(sys.executable).parent / "accessgraph")  # the console script users run

URIS_WITH_CREDENTIALS = [
    f"bolt://neo4j:{SECRET}@db.example.com:7687",
    f"neo4j+s://reader:{SECRET}@abc123.databases.neo4j.io",
    f"bolt://{SECRET}@db.example.com",  # a user name alone is still not for the URI
    f"bolt://neo4j:{SECRET}@db.example.com:notaport",  # refused before the port is read and echoed
    f"bolt://neo4j:{SECRET}/x@db.example.com",  # an unencoded "/" moves the host into the path
    f"http://neo4j:{SECRET}@db.example.com",
]


@pytest.mark.parametrize("uri", URIS_WITH_CREDENTIALS)
def test_credentials_in_the_uri_are_refused_without_repeating_them(uri: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="NEO4J_URI holds credentials") as refused:
        check_uri(uri)
    message = str(refused.value)
    assert SECRET not in message
    assert "NEO4J_USERNAME" in message and "NEO4J_PASSWORD" in message
    assert SECRET not in "".join(traceback.format_exception(refused.value))


@pytest.mark.parametrize(
    "command", [["neo4j", "status"], ["neo4j", "start"], ["who-can-assume", "arn:aws:iam::1:role/r"]]
)
def test_commands_stop_on_credentials_in_the_uri_and_print_no_password(command: list[str]) -> None:
    env = {**os.environ, "NEO4J_URI": URIS_WITH_CREDENTIALS[0]}
    result = subprocess.run([ACCESSGRAPH, *command], capture_output=True, text=True, check=False, env=env)
    assert result.returncode == DatabaseUnavailable.exit_code, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert result.stderr.startswith("accessgraph: error: NEO4J_URI holds credentials")


def test_serve_stops_before_printing_its_start_up_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("NEO4J_URI", URIS_WITH_CREDENTIALS[1])
    assert main(["serve"]) == 3
    out, err = capsys.readouterr()
    assert started == [] and SECRET not in out + err


def test_settings_and_local_credentials_never_show_the_password() -> None:
    settings = Neo4jSettings("bolt://db.example.com", "neo4j", SECRET)
    credentials = LocalCredentials("neo4j", SECRET, 7687)
    for shown in (repr(settings), str(settings), repr(credentials), str(credentials), f"{[settings]}"):
        assert SECRET not in shown
    assert "db.example.com" in repr(settings) and "7687" in repr(credentials)


def test_uris_without_credentials_are_still_accepted() -> None:
    for uri in ("bolt://127.0.0.1:7687", "neo4j+s://abc123.databases.neo4j.io", "neo4j://h:7687?policy=eu"):
        check_uri(uri)
