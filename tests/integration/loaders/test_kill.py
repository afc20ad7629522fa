"""`accessgraph load` killed with SIGKILL in the middle of its write: the account's previous snapshot
is intact, and the next load goes through."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from bench.synthetic_account import Size, write
from loaders.pipeline import plan_from_paths, write_plan
from tests.support.graph_state import graph_state, one
from tests.support.kill import load_killed_midway

pytestmark = pytest.mark.neo4j


def test_sigkill_midway_leaves_the_previous_snapshot(graph: neo4j.Driver, tmp_path: Path) -> None:
    previous, bigger = tmp_path / "previous.json", tmp_path / "bigger.json"
    write(previous, Size(roles=300, users=150, groups=30, policies=60, aws_policies=10), seed=1)
    write(bigger, Size(roles=3000, users=1500, groups=200, policies=400, aws_policies=40), seed=2)
    write_plan(graph, plan_from_paths([previous]))
    before = graph_state(graph)

    load_killed_midway(bigger)

    assert graph_state(graph) == before
    write_plan(graph, plan_from_paths([bigger]))  # nothing left locked or half-written
    assert one(graph, "MATCH (r:Role {accountId: '999000000001'}) RETURN count(r)") == 3000
