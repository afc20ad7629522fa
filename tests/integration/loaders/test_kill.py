"""`accessgraph load` killed with SIGKILL in the middle of its write: the account's previous snapshot
is intact, and the next load goes through."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import neo4j
import pytest

from bench.synthetic_account import Size, write
from loaders.pipeline import plan_from_paths, write_plan
from tests.support.graph_state import graph_state, one

pytestmark = pytest.mark.neo4j
CLI = "import sys; from service.cli import main; sys.exit(main())"


def test_sigkill_midway_leaves_the_previous_snapshot(graph: neo4j.Driver, tmp_path: Path) -> None:
    previous, bigger = tmp_path / "previous.json", tmp_path / "bigger.json"
    write(previous, Size(roles=300, users=150, groups=30, policies=60, aws_policies=10), seed=1)
    write(bigger, Size(roles=3000, users=1500, groups=200, policies=400, aws_policies=40), seed=2)
    write_plan(graph, plan_from_paths([previous]))
    before = graph_state(graph)

    seen = []
    with subprocess.Popen(
        [sys.executable, "-c", CLI, "load", str(bigger), "--batch-size", "100"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[3],
    ) as process:
        watchdog = threading.Timer(180, process.kill)
        watchdog.start()
        try:
            assert process.stderr is not None
            for line in process.stderr:
                seen.append(line)
                if ": wrote " in line:  # a batch is in the open transaction
                    process.send_signal(signal.SIGKILL)
                    break
            process.wait(timeout=60)
        finally:
            watchdog.cancel()
    assert process.returncode == -signal.SIGKILL, "".join(seen)

    assert graph_state(graph) == before
    write_plan(graph, plan_from_paths([bigger]))  # nothing left locked or half-written
    assert one(graph, "MATCH (r:Role {accountId: '999000000001'}) RETURN count(r)") == 3000
