"""Issue #18 item 8: every error reaches the person as one line and the documented exit code; tracebacks
(from the CLI, Strawberry's error logging or the driver's retry warnings) only with -v."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import neo4j
import pytest

import service.cli.questions as questions
from loaders.pipeline import plan_from_paths, write_plan
from service.cli import INTERNAL_ERROR, main
from tests.support.samples import EXAMPLES

CONTRACTOR = "arn:aws:iam::111111111111:role/ContractorAccess"


def accessgraph(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import sys; from service.cli import main; sys.exit(main())", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=300,
                          check=False)


@pytest.fixture
def demo(graph: neo4j.Driver) -> neo4j.Driver:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    return graph


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("who-can-assume", "arn:aws:iam::111111111111:role/Nope"),
         "no role 'arn:aws:iam::111111111111:role/Nope' in the graph"),
        (("who-can-assume", CONTRACTOR, "--max-hops", "9"), "maxHops must be between 1 and 5, not 9"),
        (("who-can", "s3:GetObject", "arn:aws:s3:::bucket/key", "--limit", "0"), "--limit must be at least 1, not 0"),
        (("trust-review", "--fail-on", "bogus"), "unknown --fail-on categories ['bogus']"),
    ],
)
def test_a_question_error_is_one_line(demo: neo4j.Driver, args: tuple[str, ...], message: str) -> None:
    result = accessgraph(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"accessgraph: error: {message}")
    assert result.stderr.count("\n") == 1, result.stderr
    verbose = accessgraph("-v", *args)
    assert verbose.returncode == 2
    assert "Traceback (most recent call last)" in verbose.stderr
    assert verbose.stderr.endswith(result.stderr)


def test_an_error_inside_the_graphql_path_is_one_line_too() -> None:
    # trust-review runs its GraphQL query in-process: Strawberry logs the resolver's error with its traceback,
    # and the driver logs each retry over several lines, unless the CLI silences them.
    result = accessgraph("trust-review", NEO4J_URI="bolt://127.0.0.1:1")
    assert result.returncode == 3
    assert result.stderr.startswith("accessgraph: error: Neo4j at bolt://127.0.0.1:1")
    assert result.stderr.count("\n") == 1, result.stderr


def test_an_unexpected_exception_is_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(questions, "ask", broken)
    assert main(["who-can", "s3:GetObject", "arn:aws:s3:::bucket/key"]) == INTERNAL_ERROR == 70
    err = capsys.readouterr().err
    assert err == "accessgraph: internal error (RuntimeError: boom); this is a bug (run with -v for the traceback)\n"
    assert main(["-v", "who-can", "s3:GetObject", "arn:aws:s3:::bucket/key"]) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and 'raise RuntimeError("boom")' in err


def test_control_characters_in_a_message_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "gaad\r\x1b[2J.json"
    assert main(["load", "--dry-run", str(odd)]) == 2
    err = capsys.readouterr().err
    assert err == f"accessgraph: error: {tmp_path}/gaad\\r\\x1b[2J.json: no such file or folder\n"
