"""Access records in the store: made once a load run's writes committed (`record_access`), found for the two
worlds a `diff` compares (`records_for`). A record is a `HistoryAccess` node holding the encoded record
(access_record.py), the ids of the loads its world is made of (`world`, sorted) and an `OF` link to each;
pruning a load deletes the records of worlds it was part of.

A run killed after its loads committed and before its record leaves that world without one: `diff` then
compares access the exact way (access.py), slower, and says so. Nothing else depends on a record.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from service.cypher import query
from service.database.reader import read_apart
from service.history.access_record import (
    FORMAT,
    AccessRecord,
    RecordFormatError,
    build_record,
    decode,
    encode,
    roles_of,
)
from service.history.store import HistoryStore, RecordedLoad, RowReader
from service.reachability import Reachability
from service.reachability.edges import assume_edges

if TYPE_CHECKING:
    import neo4j

    from service.database import Neo4jSettings


async def world_record(reachability: Reachability, previous: tuple[str, Sequence[str]] | None) -> AccessRecord:
    """The record of the world `reachability` reads (the live graph, or a `FactSource` in tests)."""
    entries = await reachability.view.entries(None)
    edges = await assume_edges(reachability.assumers, entries)
    kinds = {arn: profile.kind for entry in entries.values() for arn, profile in entry.profiles.items()}
    admins: set[str] = set()
    for account in sorted(entries):
        admins |= {access.principal.arn for access in await reachability.admins(account, escalation=False)}
    return build_record(edges, kinds, admins, previous)


def world_key(loads: Iterable[RecordedLoad]) -> list[str]:
    """A world's key: the ids of the loads it is made of, sorted."""
    return sorted(load.id for load in loads)


async def records_for(
    reader: RowReader, before: Mapping[Any, RecordedLoad], after: Mapping[Any, RecordedLoad]
) -> tuple[AccessRecord, AccessRecord] | str:
    """The records of the two worlds, or why there are none (the text `diff` shows)."""
    found: list[AccessRecord] = []
    for side, loads in (("then", before), ("now", after)):
        rows = await reader.rows("history_access_of_world", world=world_key(loads.values()))
        if not rows:
            return (f"no access record of the loads {side} (a load run stopped before recording it, or one "
                    "from before access records)")
        try:  # (seconds at 100k principals: in a thread, so that the event loop keeps answering)
            found.append(await asyncio.to_thread(decode, rows[0]["record"]))
        except RecordFormatError as exc:
            return f"the access record of the loads {side} is not readable here: {exc}"
    return found[0], found[1]


async def _previous(reader: RowReader) -> tuple[str, list[str]] | None:
    rows = await reader.rows("history_access_newest")
    if not rows or rows[0]["format"] != FORMAT:
        return None  # (a new lineage)
    return str(rows[0]["lineage"]), roles_of(rows[0]["roles"])


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record_access` did: `written` (its stored `bytes`), `skipped` (another run's loads committed
    while it was worked out: that run records the newer world), or `nothing` (no load recorded yet)."""

    outcome: Literal["written", "skipped", "nothing"]
    seconds: float
    bytes: int = 0


async def make_record(reader: Any) -> tuple[list[str] | None, dict[str, object]]:
    """The present world's key and encoded record; None for the key when the newest loads changed while it
    was worked out (another load run committed: the graph read may hold some of it, and that run records its
    own world), an empty key when nothing is loaded."""
    store = HistoryStore(reader)
    world = world_key(await store.latest(None))
    if not world:
        return [], {}
    record = await world_record(Reachability(reader), await _previous(reader))
    if world_key(await store.latest(None)) != world:
        return None, {}
    return world, encode(record)


def record_access(driver: neo4j.Driver, settings: Neo4jSettings, keep: int) -> Recorded:
    """Work out the present world's access record from the graph and write it (one transaction), keeping the
    newest `keep` records and deleting those of worlds a pruned load was part of."""
    started = time.perf_counter()
    world, encoded = read_apart(settings, make_record, timeout=3600.0)
    if world is None:
        return Recorded("skipped", time.perf_counter() - started)
    if not world:
        return Recorded("nothing", time.perf_counter() - started)
    size = sum(len(v) for v in encoded.values() if isinstance(v, bytes))

    def write(tx: neo4j.ManagedTransaction) -> None:
        tx.run(query("history_record_access"), world=world, record=encoded, bytes=size,
               time=_now()).consume()
        tx.run(query("history_prune_access"), keep=keep).consume()

    with driver.session(database=settings.database) as session:
        session.execute_write(write)
    return Recorded("written", time.perf_counter() - started, size)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()
