"""What history keeps: facts shared between loads, the newest N loads per unit, nothing of a killed load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import neo4j
import pytest

from bench.synthetic_account import Size, write
from loaders.pipeline import plan_from_paths, write_plan
from tests.integration.history.conftest import A, account_a, account_b, changed_a, cli_json
from tests.support.gaad import Account
from tests.support.graph_state import one
from tests.support.kill import load_killed_midway

pytestmark = pytest.mark.neo4j


def sizes(graph: neo4j.Driver) -> tuple[int, int, int]:
    row = graph.execute_query(
        "MATCH (l:HistoryLoad) WITH count(l) AS loads "
        "OPTIONAL MATCH (f:HistoryFact) WITH loads, count(f) AS facts "
        "OPTIONAL MATCH (:HistoryLoad)-[r:RECORDS]->() RETURN loads, facts, count(r) AS links"
    ).records[0]
    return row["loads"], row["facts"], row["links"]


def test_an_unchanged_reload_adds_a_load_and_no_fact(
    graph: neo4j.Driver, load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]
) -> None:
    load(account_a())
    loads, facts, links = sizes(graph)
    load(account_a())
    assert sizes(graph) == (loads + 1, facts, links * 2)
    load(changed_a(account_a()))
    # New facts: DeployRole (trust), bob (groups), ReadOnly (v2); OldRole is gone, the rest shared.
    assert sizes(graph)[1] == facts + 3

    recorded = cli_json(capsys, "loads", "--account", A)
    assert len(recorded) == 3
    newest = recorded[0]
    assert newest["unit"] == "account" and newest["unitId"] == A
    assert (newest["users"], newest["roles"], newest["groups"], newest["principals"]) == (3, 3, 1, 6)
    assert recorded[1]["roles"] == 4
    assert newest["commit"] and newest["source"].endswith(".json")
    assert [x["time"] for x in recorded] == sorted((x["time"] for x in recorded), reverse=True)


def test_history_keeps_the_newest_loads_and_prunes_their_unshared_facts(
    graph: neo4j.Driver, load: Callable[[Account], str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ACCESSGRAPH_HISTORY_LOADS", "2")
    first = load(account_a())
    load(changed_a(account_a()))
    old_role = "MATCH (f:HistoryFact {key: 'arn:aws:iam::111111111111:role/OldRole'}) RETURN count(f)"
    assert one(graph, old_role) == 1
    third = load(changed_a(account_a()))

    assert cli_json(capsys, "loads", "--account", A)[0]["id"] == third
    assert len(cli_json(capsys, "loads")) == 2
    assert one(graph, "MATCH (l:HistoryLoad {id: $id}) RETURN count(l)", id=first) == 0
    assert one(graph, old_role) == 0  # only the pruned load recorded it
    assert one(graph, "MATCH (f:HistoryFact) WHERE NOT (f)<-[:RECORDS]-() RETURN count(f)") == 0
    # The pruned load's facts still recorded by a kept load stay: alice is unchanged.
    assert one(graph, "MATCH (f:HistoryFact {key: 'arn:aws:iam::111111111111:user/alice'}) RETURN count(f)") == 1


def test_access_records_are_kept_as_many_as_loads_and_go_with_a_pruned_load(
    graph: neo4j.Driver, load: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCESSGRAPH_HISTORY_LOADS", "2")
    worlds = "MATCH (a:HistoryAccess) RETURN a.world AS world ORDER BY a.time"
    a1 = load(account_a())
    b1 = load(account_b())
    b2 = load(account_b())
    # Three records, each of the newest loads then; the newest 2 are kept though no load of theirs is pruned.
    assert [r["world"] for r in graph.execute_query(worlds).records] == [sorted([a1, b1]), sorted([a1, b2])]
    # Runs without a record prune with their loads the records holding a pruned load: a1 goes with the second.
    load(changed_a(account_a()), record=False)
    load(changed_a(account_a()), record=False)
    assert graph.execute_query(worlds).records == []


def test_a_record_is_not_written_when_another_load_committed_while_it_was_worked_out(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The graph a record reads must be its world's: when the newest loads differ after the record was worked
    out (another run committed meanwhile), it is not written, and the load says so (and still succeeds)."""
    from service.cli import main
    from service.history import access_store
    from service.history.store import HistoryStore, RecordedLoad

    latest, world_record, worked_out = HistoryStore.latest, access_store.world_record, []

    async def recorded(*args: object) -> object:
        found = await world_record(*args)  # type: ignore[arg-type]
        worked_out.append(True)
        return found

    async def another_run_commits(self: HistoryStore, time: str | None) -> list[RecordedLoad]:
        found = await latest(self, time)
        if worked_out:  # (a look once the record is worked out)
            found = [*found, RecordedLoad.from_properties({**found[0].as_json(), "id": "another-run"})]
        return found

    monkeypatch.setattr(access_store, "world_record", recorded)
    monkeypatch.setattr(HistoryStore, "latest", another_run_commits)
    assert main(["load", str(account_a().write(tmp_path))]) == 0
    assert "not recorded; that run records the newer loads" in capsys.readouterr().err
    assert one(graph, "MATCH (a:HistoryAccess) RETURN count(a)") == 0
    assert one(graph, "MATCH (l:HistoryLoad) RETURN count(l)") == 1


def test_a_bad_number_of_loads_to_keep_is_an_input_error(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    monkeypatch.setenv("ACCESSGRAPH_HISTORY_LOADS", "0")
    assert main(["load", "--quiet", str(account_a().write(tmp_path))]) == 2
    assert "ACCESSGRAPH_HISTORY_LOADS must be at least 1" in capsys.readouterr().err


def test_sigkill_midway_leaves_the_previous_load_the_latest(graph: neo4j.Driver, tmp_path: Path) -> None:
    previous, bigger = tmp_path / "previous.json", tmp_path / "bigger.json"
    write(previous, Size(roles=300, users=150, groups=30, policies=60, aws_policies=10), seed=1)
    write(bigger, Size(roles=3000, users=1500, groups=200, policies=400, aws_policies=40), seed=2)
    write_plan(graph, plan_from_paths([previous]))
    before = graph.execute_query("MATCH (l:HistoryLoad) RETURN l.id AS id, l.facts AS facts").records
    facts = one(graph, "MATCH (f:HistoryFact) RETURN count(f)")

    load_killed_midway(bigger)

    after = graph.execute_query("MATCH (l:HistoryLoad) RETURN l.id AS id, l.facts AS facts").records
    assert [r.data() for r in after] == [r.data() for r in before]
    assert one(graph, "MATCH (f:HistoryFact) RETURN count(f)") == facts
    write_plan(graph, plan_from_paths([bigger]))
    assert one(graph, "MATCH (l:HistoryLoad) RETURN count(l)") == 2


def test_sigkill_while_recording_access_leaves_the_loads_and_the_previous_record(
    graph: neo4j.Driver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed after its loads committed, while working out their access record: the loads stay (the snapshot
    is theirs), the record before stays whole, none is half-written, and `diff` since then decides access
    again in both worlds and says why."""
    from service.cli import main

    previous, bigger = tmp_path / "previous.json", tmp_path / "bigger.json"
    write(previous, Size(roles=300, users=150, groups=30, policies=60, aws_policies=10), seed=1)
    write(bigger, Size(roles=3000, users=1500, groups=200, policies=400, aws_policies=40), seed=2)
    assert main(["load", "--quiet", str(previous)]) == 0
    records = "MATCH (a:HistoryAccess) RETURN a.world AS world, a.bytes AS bytes"
    (record,) = [r.data() for r in graph.execute_query(records).records]
    since = one(graph, "MATCH (l:HistoryLoad) RETURN max(l.time)")

    load_killed_midway(bigger, at="history: recording who may assume which role")

    assert one(graph, "MATCH (l:HistoryLoad) RETURN count(l)") == 2  # (the load committed before)
    assert [r.data() for r in graph.execute_query(records).records] == [record]
    result = cli_json(capsys, "diff", "--since", since)
    assert result["accessMethod"] == "exact" and "no access record of the loads now" in result["accessNote"]
    assert result["accessGroups"]  # (the bigger account's principals gained its roles)


def test_history_loads_flag_beats_the_variable(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    monkeypatch.setenv("ACCESSGRAPH_HISTORY_LOADS", "1")
    for index, account in enumerate((account_a(), changed_a(account_a()), changed_a(account_a()))):
        folder = tmp_path / f"load-{index}"
        folder.mkdir()
        assert main(["load", "--quiet", "--history-loads", "2", str(account.write(folder))]) == 0
    assert len(cli_json(capsys, "loads", "--account", A)) == 2
    folder = tmp_path / "by-variable"
    folder.mkdir()
    assert main(["load", "--quiet", str(account_a().write(folder))]) == 0  # the variable again: keep 1
    assert len(cli_json(capsys, "loads", "--account", A)) == 1


@pytest.mark.parametrize("value", ["0", "-3", "two", "1.5", ""])
def test_a_bad_history_loads_flag_is_refused_before_anything_is_written(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    from service.cli import main

    monkeypatch.setenv("ACCESSGRAPH_HISTORY_LOADS", "5")
    assert main(["load", "--quiet", f"--history-loads={value}", str(account_a().write(tmp_path))]) == 2
    err = capsys.readouterr().err.strip()
    assert "--history-loads must be" in err and len(err.splitlines()) == 1, err
    assert one(graph, "MATCH (l:HistoryLoad) RETURN count(l)") == 0
    assert one(graph, "MATCH (a:Account {loaded: true}) RETURN count(a)") == 0
