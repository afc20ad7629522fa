"""Issue #12: building the parser (and any `--help` but trust-review's) imports none of the heavy modules;
each command imports them when it runs. Checked in a fresh interpreter, through sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("neo4j", "strawberry", "starlette", "uvicorn", "boto3", "botocore", "graphql")
PROBE = """
import contextlib, io, json, sys
from service.cli import build_parser, main
build_parser()
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["who-can", "--help"],
        ["who-can-assume", "--help"],
        ["load", "--help"],
        ["collect", "--help"],
        ["neo4j", "start", "--help"],
        ["serve", "--help"],
        ["export-schema", "--help"],
        ["simulate", "--help"],
    ],
)
def test_help_imports_no_heavy_module(argv: list[str]) -> None:
    code = f"HEAVY = {json.dumps(json.dumps(HEAVY))}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
