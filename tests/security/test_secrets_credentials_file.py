"""A user who may not read the local server's credentials.json gets a message, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from service.database.settings import LocalCredentials, write_credentials
from service.errors import DatabaseUnavailable
from tests.support.unprivileged import obeying_file_modes

SECRET = "s3cret-of-another-user"
ACCESSGRAPH = str(Path(sys.executable).parent / "accessgraph")  # the console script users run


def test_a_question_by_a_user_who_cannot_read_the_credentials_names_the_file_and_the_ways_out() -> None:
    with tempfile.TemporaryDirectory() as name:
        cache = Path(name)
        write_credentials(cache / "home", LocalCredentials("neo4j", SECRET, 7687))
        path = cache / "home" / "credentials.json"
        path.chmod(0o000)
        env = {key: value for key, value in os.environ.items() if not key.startswith("NEO4J_")}
        env["ACCESSGRAPH_NEO4J_DIR"] = str(cache)
        argv = [ACCESSGRAPH, "who-can-assume", "arn:aws:iam::111111111111:role/admin"]
        result = subprocess.run(obeying_file_modes(argv), capture_output=True, text=True, check=False, env=env, cwd="/")
    assert result.returncode == DatabaseUnavailable.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    message = result.stderr
    assert message.startswith(f"accessgraph: error: cannot read {path}: permission denied")
    assert "Run accessgraph as that user" in message
    assert "NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD" in message
