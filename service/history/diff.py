"""`changes(accountId, since)`: everything that changed since a load or a time, with the access it changed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from service.errors import QueryError
from service.evaluation.request import arn_account
from service.history.ability import AccessGroup, ability_groups, admin_changes_of, groups_of
from service.history.access import AccessChange, AdminChange, Progress, access_changes, as_json
from service.history.access_store import records_for
from service.history.changes import FactChanges, fact_changes
from service.history.store import HistoryStore, RecordedLoad, RowReader, World


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
    access: tuple[AccessChange, ...]  # (the exact comparison's rows, with conditions: `access_method` "exact")
    admins: tuple[AdminChange, ...]
    access_compared: bool = True  # False: `access` and `admins` were not worked out (`changes(access=False)`)
    access_groups: tuple[AccessGroup, ...] = ()  # who gained or lost which roles, either way
    access_method: str = "exact"  # records (read from the loads' access records), exact, or none
    access_note: str | None = None  # why not from records, when it could have been

    @property
    def empty(self) -> bool:
        return self.facts.empty and not self.access and not self.access_groups and not self.admins


async def changes(
    reader: RowReader,
    since: str,
    account_id: str | None = None,
    *,
    access: bool = True,
    exact_access: bool = False,
    progress: Progress | None = None,
) -> Changes:
    """What changed since `since` (a load id or an ISO 8601 time), in one account or everywhere.

    The sections other than access are read from the facts that differ alone (`HistoryStore.differences`).
    Access (who gained or lost each role within 2 hops, who became or stopped being an administrator) is read
    from the access records both worlds' load runs made (access_store.py: seconds at 100k principals); with
    `exact_access`, or when a world has no record, it is decided again in both worlds (access.py: with each
    principal's conditions too, but hours at 100k; `progress` hears how that goes). Without `access`, neither.

    Raises:
        QueryError: `since` is neither; or `account_id` has no recorded load.
    """
    store = HistoryStore(reader)
    before, after = await store.differences(since)
    if account_id is not None and ("account", account_id) not in {*before.loads, *after.loads}:
        raise QueryError(f"account {account_id!r} has no recorded load (see `accessgraph loads`)")
    accounts: Sequence[str] | None = None if account_id is None else [account_id]
    facts = await asyncio.to_thread(fact_changes, before, after, accounts)
    units = sorted({*before.loads, *after.loads})
    compared = tuple(
        ComparedLoads(unit, unit_id, before.loads.get((unit, unit_id)), after.loads.get((unit, unit_id)))
        for unit, unit_id in units
        if account_id is None or (unit, unit_id) == ("account", account_id)
    )
    if not access:
        return Changes(since, compared, facts, (), (), False, access_method="none")
    note = None
    if not exact_access:
        records = await records_for(reader, before.loads, after.loads)
        if not isinstance(records, str):
            groups = await asyncio.to_thread(ability_groups, *records, accounts)
            admins = admin_changes_of(*records, accounts)
            return Changes(since, compared, facts, (), tuple(admins), True, tuple(groups), "records")
        note = records
    whole_before, whole_after = await store.worlds(since)
    found, admins = await access_changes(whole_before, whole_after, accounts, progress)
    groups = groups_of((c.role, c.principal, c.hops_before, c.hops_after) for c in found
                       if _in_both(c, whole_before, whole_after))
    return Changes(since, compared, facts, tuple(found), tuple(admins), True, tuple(groups), "exact", note)


def _in_both(change: AccessChange, before: World, after: World) -> bool:
    """Whether the records would compare the change: its role in both worlds, its principal loaded in both or
    in neither (a principal added or removed is reported as such)."""
    role = _holds(before, change.role) and _holds(after, change.role)
    return role and _holds(before, change.principal) == _holds(after, change.principal)


def _holds(world: World, arn: str) -> bool:
    facts = world.accounts.get(arn_account(arn) or "")
    if facts is None:
        return False
    return arn in facts.of_kind("user") or arn in facts.of_kind("role")


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
        "accessGroups": [
            {"principals": list(g.principals), "principalCount": len(g.principals), "changes": [
                {"change": c.change, "hopsBefore": c.hops_before, "hopsAfter": c.hops_after, "roles": list(c.roles),
                 "roleCount": len(c.roles)}
                for c in g.changes
            ]}
            for g in found.access_groups
        ],
        "admins": [as_json(a) for a in found.admins],
        "accessCompared": found.access_compared,
        "accessMethod": found.access_method,
        "accessNote": found.access_note,
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
