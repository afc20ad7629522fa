"""Hypothesis against a real Neo4j: a mutated GAAD either loads completely or changes nothing.

After a mutated load that succeeds, reloading the original must give back exactly the original graph,
so a success never leaves half of anything behind either.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings

from loaders.pipeline import plan_from_paths, write_plan
from service.errors import InputError
from tests.support.graph_state import graph_state
from tests.support.loader_strategies import mutated
from tests.support.samples import gaad_a, gaad_b, write_json

pytestmark = pytest.mark.neo4j
_files = itertools.count()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=mutated(gaad_a()))
def test_mutated_load_is_all_or_nothing(graph: neo4j.Driver, tmp_path: Path, document: Any) -> None:
    original = [write_json(tmp_path / "a.json", gaad_a()), write_json(tmp_path / "b.json", gaad_b())]
    write_plan(graph, plan_from_paths(original))
    before = graph_state(graph)
    path = write_json(tmp_path / f"mutated-{next(_files)}.json", document)
    try:
        plan = plan_from_paths([path])
    except InputError as exc:
        assert str(exc).startswith(str(path))
        assert graph_state(graph) == before
        return
    write_plan(graph, plan)
    for account in plan.accounts:
        stored = graph.execute_query(
            "MATCH (:Account {id: $id})<-[:IN_ACCOUNT]-(n) RETURN n.arn AS arn", id=account.account_id
        ).records
        assert sorted(r["arn"] for r in stored) == sorted(account.owned_arns)
    write_plan(graph, plan_from_paths(original))
    assert _comparable(graph_state(graph)) == _comparable(before)


def _comparable(state: Any) -> Any:
    """AWS managed policies are global: they outlive the load that brought them and keep the newest
    document any load has seen (a mutated UpdateDate may be "newer"). Compare the ones in use, by ARN."""
    nodes, rels = state
    kept = {}
    for node, count in nodes.items():
        if '"kind": "aws"' in node:
            arn = _arn(node)
            if any(arn in rel for rel in rels):
                kept[arn] = count
        else:
            kept[node] = count
    return kept, rels


def _arn(node: str) -> str:
    start = node.index('"arn": "') + len('"arn": "')
    return node[start:node.index('"', start)]
