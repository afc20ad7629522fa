"""`changes(accountId, since)`: everything that changed since a load or a time, with the access it changed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from service.errors import QueryError
from service.history.access import AccessChange, AdminChange, Progress, access_changes, as_json
from service.history.changes import FactChanges, fact_changes
from service.history.store import HistoryStore, RecordedLoad, RowReader


@dataclass(frozen=True, slots=True)
class ComparedLoads:
    """For one unit: the load the difference starts from (None: not loaded then) and the newest one."""

    unit: str
    unit_id: str
    before: RecordedLoad | None
    after: RecordedLoad | None


@dataclass(frozen=True, slots=True)
class Changes:
    since: str
    loads: tuple[ComparedLoads, ...]
    facts: FactChanges
    access: tuple[AccessChange, ...]
    admins: tuple[AdminChange, ...]
    access_compared: bool = True  # False: `access` and `admins` were not worked out (`changes(access=False)`)

    @property
    def empty(self) -> bool:
        return self.facts.empty and not self.access and not self.admins


async def changes(
    reader: RowReader,
    since: str,
    account_id: str | None = None,
    *,
    access: bool = True,
    progress: Progress | None = None,
) -> Changes:
    """What changed since `since` (a load id or an ISO 8601 time), in one account or everywhere. Without
    `access`, only what the facts say (entities, documents, trusts, memberships, attachments): read from the
    facts that differ alone (`HistoryStore.differences`), without deciding who gained or lost a role or
    became an administrator, which reads both worlds whole and decides every role whose answer can differ
    (docs/history.md: at 100k principals, far longer). `progress` hears how that part goes (roles decided
    of how many).

    Raises:
        QueryError: `since` is neither; or `account_id` has no recorded load.
    """
    store = HistoryStore(reader)
    before, after = await (store.worlds(since) if access else store.differences(since))
    if account_id is not None and ("account", account_id) not in {*before.loads, *after.loads}:
        raise QueryError(f"account {account_id!r} has no recorded load (see `accessgraph loads`)")
    accounts: Sequence[str] | None = None if account_id is None else [account_id]
    # (over whole worlds seconds at 100k principals: in a thread, so that the event loop keeps answering)
    facts = await asyncio.to_thread(fact_changes, before, after, accounts)
    gained, admins = await access_changes(before, after, accounts, progress) if access else ([], [])
    units = sorted({*before.loads, *after.loads})
    compared = tuple(
        ComparedLoads(unit, unit_id, before.loads.get((unit, unit_id)), after.loads.get((unit, unit_id)))
        for unit, unit_id in units
        if account_id is None or (unit, unit_id) == ("account", account_id)
    )
    return Changes(since, compared, facts, tuple(gained), tuple(admins), access)


def _load(side: str, load: RecordedLoad | None) -> dict[str, Any]:
    return {f"{side}Id": None if load is None else load.id, f"{side}Time": None if load is None else load.time}


def changes_json(found: Changes) -> dict[str, Any]:
    """The CLI's `diff --format json`: the same fields as the GraphQL `Changes` type."""
    facts = found.facts
    return {
        "since": found.since,
        "loads": [
            {"unit": c.unit, "unitId": c.unit_id, **_load("before", c.before), **_load("after", c.after)}
            for c in found.loads
        ],
        "entities": [
            {"unitId": e.unit_id, "kind": e.kind, "arn": e.arn, "name": e.name, "change": e.change}
            for e in facts.entities
        ],
        "documents": [_document(d) for d in facts.documents],
        "trusts": [_document(d) for d in facts.trusts],
        "memberships": [_link(link) for link in facts.memberships],
        "attachments": [_link(link) for link in facts.attachments],
        "access": [as_json(a) for a in found.access],
        "admins": [as_json(a) for a in found.admins],
        "accessCompared": found.access_compared,
    }


def _document(change: Any) -> dict[str, Any]:
    return {
        "unitId": change.unit_id, "kind": change.kind, "arn": change.arn, "name": change.name,
        "versionBefore": change.version_before, "versionAfter": change.version_after,
        "statements": [asdict(s) for s in change.statements],
    }


def _link(link: Any) -> dict[str, Any]:
    return {"unitId": link.unit_id, "kind": link.kind, "source": link.source, "target": link.target,
            "change": link.change}
