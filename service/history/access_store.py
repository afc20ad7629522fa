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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from service.cypher import query
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


def world_key(loads: Mapping[Any, RecordedLoad]) -> list[str]:
    return sorted(load.id for load in loads.values())


async def records_for(
    reader: RowReader, before: Mapping[Any, RecordedLoad], after: Mapping[Any, RecordedLoad]
) -> tuple[AccessRecord, AccessRecord] | str:
    """The records of the two worlds, or why there are none (the text `diff` shows)."""
    found: list[AccessRecord] = []
    for side, loads in (("then", before), ("now", after)):
        rows = await reader.rows("history_access_of_world", world=world_key(loads))
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


async def make_record(reader: Any) -> tuple[list[str] | None, dict[str, object], dict[str, float]]:
    """The present world's load ids and encoded record, with how long each part took; None for the ids when
    the newest loads changed while it was worked out (another load run committed: the graph read may hold
    some of it, and that run records its own world), no ids when nothing is loaded."""
    started = time.perf_counter()
    store = HistoryStore(reader)
    world = sorted(load.id for load in await store.latest(None))
    if not world:
        return [], {}, {}
    previous = await _previous(reader)
    record = await world_record(Reachability(reader), previous)
    built = time.perf_counter()
    if sorted(load.id for load in await store.latest(None)) != world:
        return None, {}, {"build": built - started}
    encoded = encode(record)
    return world, encoded, {"build": built - started, "encode": time.perf_counter() - built}


def record_access(driver: neo4j.Driver, settings: Neo4jSettings, keep: int) -> dict[str, float | int]:
    """Work out the present world's access record from the graph and write it (one transaction), keeping the
    newest `keep` records and deleting those of worlds a pruned load was part of. Its figures: seconds and
    stored bytes (`skipped`: another run's loads committed meanwhile; `nothing`: no load recorded)."""
    from concurrent.futures import ThreadPoolExecutor

    from service.database.reader import GraphReader

    async def work() -> tuple[list[str] | None, dict[str, object], dict[str, float]]:
        reader = GraphReader(settings, timeout=3600.0)
        try:
            return await make_record(reader)
        finally:
            await reader.close()

    with ThreadPoolExecutor(1) as pool:  # (as `record_counts`: the caller may run an event loop already)
        world, encoded, seconds = pool.submit(asyncio.run, work()).result()
    if world is None:
        return {"bytes": 0, "skipped": 1, **seconds}
    if not world:
        return {"bytes": 0, "nothing": 1}
    started = time.perf_counter()
    size = sum(len(v) for v in encoded.values() if isinstance(v, bytes))

    def write(tx: neo4j.ManagedTransaction) -> None:
        tx.run(query("history_record_access"), world=world, record=encoded, bytes=size,
               time=_now()).consume()
        tx.run(query("history_prune_access"), keep=keep).consume()

    with driver.session(database=settings.database) as session:
        session.execute_write(write)
    return {"bytes": size, "write": time.perf_counter() - started, **seconds}


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()
