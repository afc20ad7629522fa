"""bench/scale_history.py at a small size: an unchanged reload adds records and no fact; a reload with 1%
changed adds only the changed facts; `diff` of the organization reports them."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from bench.bench_scale import _measure_load
from bench.generate import generate
from bench.scale_history import history_phase

pytestmark = pytest.mark.neo4j


def test_history_phase_measures_growth_and_the_diff(graph: neo4j.Driver, tmp_path: Path) -> None:
    folder = tmp_path / "org"
    generate(folder, 400, accounts=3, seed=8)
    _measure_load([folder])

    figures = history_phase(folder, _measure_load, graph, "neo4j")

    units = 3 + 1  # three accounts and their organization, each recorded once per load
    unchanged = figures["unchangedReload"]["growth"]
    assert (unchanged["loads"], unchanged["facts"], unchanged["factBytes"]) == (units, 0, 0)
    assert unchanged["links"] == figures["storeBefore"]["links"]  # the same facts, linked once more
    changed = figures["changed"]
    assert all(changed.values()), changed
    grown = figures["changedReload"]["growth"]
    # At most one new fact per changed entity (a user changed twice, or an entity and its policy, is one).
    assert grown["loads"] == units and 0 < grown["facts"] <= sum(changed.values())
    diff = figures["diff"]
    assert diff["memberships"] == changed["usersJoinedOrLeft"]
    assert diff["documents"] == changed["policyVersions"] and diff["trusts"] == changed["trustsGained"]
    # A deleted role's inline policies are removed entities too.
    assert diff["rolesRemoved"] == changed["rolesDeleted"] <= diff["entities"]
