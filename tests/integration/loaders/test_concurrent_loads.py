"""Account loads running concurrently (parallel workers, two `accessgraph load` processes) on shared nodes:
each one, stopped inside its transaction at a chosen point, meets the other as it would by bad luck."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import neo4j
import pytest

from loaders.graph_writer import WriteResult, write_account
from loaders.pipeline import plan_from_paths, write_plan
from loaders.rows import AccountSnapshot
from service.database import apply_schema
from tests.conftest import empty_database
from tests.support.gaad import Account, allow, trust, trusts
from tests.support.graph_state import graph_state

pytestmark = pytest.mark.neo4j


class _PausedLoad:
    """`write_account` in a thread that stops inside its (first) transaction after a batch, holding its
    locks, until released: a concurrent load, stopped at a chosen point."""

    def __init__(self, driver: neo4j.Driver, snapshot: AccountSnapshot, *, pause: str | None) -> None:
        self.paused, self.release = threading.Event(), threading.Event()
        self.notes: list[str] = []
        self.outcome: WriteResult | BaseException | None = None
        self._pause = pause  # after the "first" batch (the old snapshot is gone), the "last", or never
        self._thread = threading.Thread(target=self._run, args=(driver, snapshot))
        self._thread.start()

    def note(self, text: str) -> None:
        self.notes.append(text)

    def rows(self, label: str, done: int, total: int, elapsed: float) -> None:
        if self._pause and (self._pause == "first" or done == total) and not self.paused.is_set():
            self.paused.set()
            assert self.release.wait(120), "never released"

    def _run(self, driver: neo4j.Driver, snapshot: AccountSnapshot) -> None:
        try:
            self.outcome = write_account(driver, snapshot, batch_size=1, progress=self)
        except BaseException as exc:  # reported by finish()
            self.outcome = exc

    def finish(self) -> WriteResult:
        self.release.set()
        self._thread.join(120)
        assert isinstance(self.outcome, WriteResult), self.outcome
        return self.outcome


def _until_a_transaction_waits_for_a_lock(driver: neo4j.Driver) -> None:
    """Until a statement waits for a lock ("Blocked by: …"), or a commit does: those show as "Closing"."""
    for _ in range(1200):
        statuses = [r[0] for r in driver.execute_query("SHOW TRANSACTIONS YIELD status RETURN status").records]
        if any(status.startswith("Blocked") or status == "Closing" for status in statuses):
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"no transaction waits for a lock: {statuses}")


def _two_accounts(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A drops user `gone` in its second snapshot, while B's second snapshot starts trusting it."""
    a, b = "444444444401", "444444444402"
    paths = []
    for version in (1, 2):
        first, second = Account(a), Account(b)
        first.user("stays")
        if version == 1:
            first.user("gone")
        trusted = {"AWS": f"arn:aws:iam::{a}:user/gone"} if version == 2 else {"Service": "ec2.amazonaws.com"}
        second.role("Reader", trust(trusts(trusted)))
        folder = tmp_path / f"pair-v{version}"
        folder.mkdir()
        paths += [first.write(folder), second.write(folder)]
    return paths[0], paths[1], paths[2], paths[3]


def _sequential_result(graph: neo4j.Driver, *paths: Path) -> Any:
    empty_database(graph)
    apply_schema(graph)
    for path in paths:
        write_plan(graph, plan_from_paths([path]))
    result = graph_state(graph)
    empty_database(graph)
    write_plan(graph, plan_from_paths(list(paths[:2])))
    return result


GONE = "MATCH (u:Principal {arn: 'arn:aws:iam::444444444401:user/gone'})<-[t:TRUSTS]-(:Role) RETURN properties(u)"


def test_a_reload_keeps_the_edge_a_concurrent_load_adds_into_what_it_removes(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    a1, b1, a2, b2 = _two_accounts(tmp_path)
    expected = _sequential_result(graph, a1, b1, a2, b2)
    (account_a,), (account_b,) = plan_from_paths([a2]).accounts, plan_from_paths([b2]).accounts

    adding = _PausedLoad(graph, account_b, pause="last")
    assert adding.paused.wait(60)  # B's trust edge into `gone` is written, not committed
    removing = _PausedLoad(graph, account_a, pause=None)  # runs through: it removes `gone`
    _until_a_transaction_waits_for_a_lock(graph)
    adding.finish()
    removing.finish()

    assert graph_state(graph) == expected
    assert [r[0] for r in graph.execute_query(GONE).records] == [
        {"arn": "arn:aws:iam::444444444401:user/gone", "accountId": "444444444401", "placeholder": True}
    ]


def test_a_load_linking_to_a_node_a_concurrent_load_deletes_writes_again(graph: neo4j.Driver, tmp_path: Path) -> None:
    a1, b1, a2, b2 = _two_accounts(tmp_path)
    expected = _sequential_result(graph, a1, b1, a2, b2)
    (account_a,), (account_b,) = plan_from_paths([a2]).accounts, plan_from_paths([b2]).accounts

    removing = _PausedLoad(graph, account_a, pause="first")  # `gone` is deleted, not committed
    assert removing.paused.wait(60)
    adding = _PausedLoad(graph, account_b, pause=None)  # found `gone` committed; waits to link to it
    _until_a_transaction_waits_for_a_lock(graph)
    removing.finish()
    result = adding.finish()

    assert graph_state(graph) == expected
    assert result.attempts == 2
    assert any("a concurrent load deleted a node it links to" in note for note in adding.notes), adding.notes


def test_deadlocked_account_transactions_are_run_again_by_the_driver(graph: neo4j.Driver, tmp_path: Path) -> None:
    """A holds its Account node and will update the AWS managed policy B has just updated, while B waits to
    link to A's Account node: a deadlock. The server aborts one transaction; the driver runs it again."""
    a, b = Account("555555555501"), Account("555555555502")
    for account in (a, b):
        account.aws_policy("ReadOnlyAccess", allow(["s3:Get*", "s3:List*"]))
        account.user("someone", managed=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    b.role("CrossAccount", trust(trusts({"AWS": f"arn:aws:iam::{a.id}:root"})))
    path_a, path_b = a.write(tmp_path), b.write(tmp_path)
    expected = _sequential_result(graph, path_a, path_b, path_a, path_b)
    (account_a,), (account_b,) = plan_from_paths([path_a]).accounts, plan_from_paths([path_b]).accounts

    first = _PausedLoad(graph, account_a, pause="first")  # holds account A's node
    assert first.paused.wait(60)
    second = _PausedLoad(graph, account_b, pause=None)  # updates the AWS policy, then waits for A's node
    _until_a_transaction_waits_for_a_lock(graph)
    results = [first.finish(), second.finish()]  # A now wants the AWS policy: a cycle

    assert sorted(result.attempts for result in results) == [1, 2]
    assert graph_state(graph) == expected
