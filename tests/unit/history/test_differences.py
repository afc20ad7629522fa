"""`HistoryStore.differences` (`diff --no-access`): the same fact changes as two whole worlds, read from the
facts that differ alone."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from loaders.gaad import merge_pages, transform_gaad
from service.history.changes import fact_changes
from service.history.facts import Fact, account_facts
from service.history.store import HistoryStore
from tests.support.gaad import Account
from tests.support.history_accounts import A, B, account_a, account_b, changed_a
from tests.unit.history.worlds import gaad


def facts(account: Account) -> list[Fact]:
    snapshot = transform_gaad(merge_pages([json.loads(json.dumps(gaad(account)))], f"{account.id}.json"),
                              account_id=account.id)
    return list(account_facts(snapshot))


class _Store:
    """The rows of the history queries `HistoryStore` reads, over loads kept here; counts the bodies read."""

    def __init__(self) -> None:
        self.loads: list[dict[str, Any]] = []
        self.recorded: dict[str, list[Fact]] = {}
        self.bodies_read: list[str] = []
        self.pairs_asked: list[tuple[str | None, str | None]] = []

    def record(self, load_id: str, account: Account, time: str) -> None:
        self.loads.append({"id": load_id, "unit": "account", "unitId": account.id, "time": time})
        self.recorded[load_id] = facts(account)

    async def rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        if name == "history_load":
            return [{"load": load} for load in self.loads if load["id"] == parameters["id"]]
        if name == "history_latest_loads":
            time = parameters["time"]
            newest: dict[str, dict[str, Any]] = {}
            for load in sorted(self.loads, key=lambda load: load["time"]):
                if time is None or load["time"] <= time:
                    newest[load["unitId"]] = load
            return [{"load": load} for load in newest.values()]
        if name == "history_load_fact_hashes":
            return [{"kind": f.kind, "key": f.key, "hash": f.hash} for f in self.recorded[parameters["id"]]]
        if name == "history_fact_bodies_of":
            every = {f.hash: f.body for found in self.recorded.values() for f in found}
            return [{"hash": h, "body": every[h]} for h in parameters["hashes"]]
        if name == "history_differing_facts":  # (as the query does: the facts one load of a pair recorded only)
            rows = []
            for pair in parameters["pairs"]:
                self.pairs_asked.append((pair["before"], pair["after"]))
                before, after = pair["before"], pair["after"]
                for side, one, other in (("before", before, after), ("after", after, before)):
                    theirs = {f.hash for f in self.recorded.get(other, [])}
                    rows += [
                        {**pair, "side": side, "kind": f.kind, "key": f.key, "hash": f.hash, "body": f.body}
                        for f in self.recorded.get(one, []) if f.hash not in theirs
                    ]
            self.bodies_read += [row["hash"] for row in rows]
            return rows
        raise AssertionError(name)


def test_the_facts_that_differ_give_the_changes_of_the_whole_worlds_and_nothing_else_is_read() -> None:
    a, b = account_a(), account_b()
    store = _Store()
    store.record("a-1", a, "2026-01-01T00:00:00+00:00")
    store.record("b-1", b, "2025-12-31T00:00:00+00:00")
    store.record("a-2", changed_a(a), "2026-01-02T00:00:00+00:00")

    for since in ("a-1", "2026-01-01T12:00:00+00:00"):
        whole = asyncio.run(HistoryStore(store).worlds(since))
        store.bodies_read, store.pairs_asked = [], []
        history = HistoryStore(store)
        before, after = asyncio.run(history.differences(since))
        found = fact_changes(before, after)

        assert found == fact_changes(*whole)
        kinds = {(e.kind, e.change) for e in found.entities}
        assert kinds == {("role", "removed")}
        assert [d.arn for d in found.trusts] == [f"arn:aws:iam::{A}:role/DeployRole"]
        assert [(m.source.rsplit("/", 1)[1], m.change) for m in found.memberships] == [("bob", "added")]
        assert [d.version_after for d in found.documents] == ["v2"]
        # Only the bodies of the facts that differ, each read once: not B's (the same load in both worlds),
        # not A's unchanged ones.
        old, new = ({(f.kind, f.key): f.hash for f in store.recorded[load]} for load in ("a-1", "a-2"))
        differing = {h for side, other in ((old, new), (new, old)) for k, h in side.items() if other.get(k) != h}
        assert sorted(store.bodies_read) == sorted(differing)
        unchanged = [old[("user", f"arn:aws:iam::{A}:user/alice")], old[("group", f"arn:aws:iam::{A}:group/Admins")]]
        assert not set(unchanged) & set(store.bodies_read) and after.loads[("account", B)].id == "b-1"
        assert store.pairs_asked == [("a-1", "a-2")]
        assert before.accounts[B].facts == after.accounts[B].facts == {}
