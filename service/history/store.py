"""Reading history: recorded loads and their fact sets, through any reader with `rows(name, **params)`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.errors import QueryError
from service.history.columns import camel as _camel
from service.history.columns import recorded_counts
from service.history.facts import FactSet, Unit

_BODIES_BATCH = 5000
_PAIRS_BATCH = 50  # units a differing-facts read asks about at once
COUNT_FIELDS = (
    "principals", "users", "roles", "groups", "policies", "trustStatements", "crossAccountTrusts", "accounts",
    "organizationalUnits",
)


class RowReader(Protocol):
    async def rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class RecordedLoad:
    """One load as history recorded it (a HistoryLoad node)."""

    id: str
    unit: Unit
    unit_id: str
    time: str
    source: str
    commit: str
    facts: int
    counts: Mapping[str, int]
    # Worked out from the graph right after the load (service/history/counts.py); None: not recorded.
    derived: Mapping[str, int | None] = field(default_factory=dict)

    @classmethod
    def from_properties(cls, props: Mapping[str, Any]) -> RecordedLoad:
        return cls(
            id=str(props["id"]), unit="organization" if props["unit"] == "organization" else "account",
            unit_id=str(props["unitId"]), time=str(props["time"]), source=str(props.get("source") or ""),
            commit=str(props.get("commit") or "unknown"), facts=int(props.get("facts") or 0),
            counts={name: int(props.get(name) or 0) for name in COUNT_FIELDS}, derived=recorded_counts(props),
        )

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit": self.unit, "unitId": self.unit_id, "time": self.time, "source": self.source,
                "commit": self.commit, "facts": self.facts, **self.counts, **self.derived_json()}

    def derived_json(self) -> dict[str, int | None]:
        return {_camel(name): value for name, value in self.derived.items()}


def parse_since(text: str) -> str | None:
    """An ISO 8601 time as the UTC text loads are recorded with, or None when `text` is not a time (then it
    is a load id). A time without a zone is taken as UTC."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


class HistoryStore:
    def __init__(self, reader: RowReader) -> None:
        self.reader = reader
        self._fact_sets: dict[str, FactSet] = {}  # a load's facts never change: both worlds share them
        # A fact's body by its hash, parsed once: two loads of a unit share all but their changed facts, so
        # the second world costs its hashes and the bodies of what changed (and its dicts are the same objects).
        self._bodies: dict[str, Mapping[str, Any]] = {}

    async def loads(self, unit_id: str | None = None, limit: int = 10000) -> list[RecordedLoad]:
        rows = await self.reader.rows("history_loads", unitId=unit_id, limit=limit)
        return [RecordedLoad.from_properties(row["load"]) for row in rows]

    async def load(self, load_id: str) -> RecordedLoad | None:
        rows = await self.reader.rows("history_load", id=load_id)
        return RecordedLoad.from_properties(rows[0]["load"]) if rows else None

    async def latest(self, time: str | None) -> list[RecordedLoad]:
        """Each unit's newest load at or before `time` (ISO UTC text); each unit's newest when None."""
        rows = await self.reader.rows("history_latest_loads", time=time)
        return [RecordedLoad.from_properties(row["load"]) for row in rows]

    async def fact_set(self, load: RecordedLoad) -> FactSet:
        if load.id not in self._fact_sets:
            rows = await self.reader.rows("history_load_fact_hashes", id=load.id)
            missing = sorted({r["hash"] for r in rows} - self._bodies.keys())
            for start in range(0, len(missing), _BODIES_BATCH):
                batch = missing[start : start + _BODIES_BATCH]
                for found in await self.reader.rows("history_fact_bodies_of", hashes=batch):
                    self._bodies[found["hash"]] = json.loads(found["body"])
            facts = [(r["kind"], r["key"], self._bodies[r["hash"]]) for r in rows]
            self._fact_sets[load.id] = FactSet.parsed(load.unit, load.unit_id, load.id, facts)
        return self._fact_sets[load.id]

    async def since_time(self, since: str) -> tuple[str, RecordedLoad | None]:
        """`since` (a load id or an ISO time) as a time, and the load when it names one.

        Raises:
            QueryError: neither a recorded load id nor an ISO 8601 time.
        """
        time = parse_since(since)
        if time is not None:
            return time, None
        load = await self.load(since)
        if load is None:
            raise QueryError(
                f"since {since!r} is neither a recorded load id (see `accessgraph loads`) nor an ISO 8601 time"
            )
        return load.time, load

    async def worlds(self, since: str, unit_ids: Sequence[str] | None = None) -> tuple[World, World]:
        """The recorded state at `since` and now: per unit, its newest load then and its newest load now.
        A load id as `since` stands for its own unit exactly and for the others as its time."""
        before_loads, after_loads = await self._compared_loads(since)
        return await self._world(before_loads), await self._world(after_loads)

    async def differences(self, since: str) -> tuple[World, World]:
        """`worlds(since)` with each unit's fact sets holding only the facts that differ between the two (in
        one world only, or with another hash): everything `fact_changes` reads of them (an equal fact changes
        nothing), worked out by the database from the loads' links (`history_differing_facts`), so only what
        differs is read. A unit whose load is the same in both worlds is not asked about. Not for
        `access_changes`: it reads whole worlds."""
        before_loads, after_loads = await self._compared_loads(since)
        pairs = {
            key: (before_loads.get(key), after_loads.get(key))
            for key in sorted({*before_loads, *after_loads})
        }
        asked = [
            {"before": old.id if old else None, "after": new.id if new else None}
            for old, new in pairs.values()
            if old is None or new is None or old.id != new.id
        ]
        found: dict[tuple[str | None, str | None, str], list[tuple[str, str, Mapping[str, Any]]]] = {}
        for start in range(0, len(asked), _PAIRS_BATCH):
            for row in await self.reader.rows("history_differing_facts", pairs=asked[start : start + _PAIRS_BATCH]):
                body = self._bodies.get(row["hash"])
                if body is None:
                    body = self._bodies[row["hash"]] = json.loads(row["body"])
                found.setdefault((row["before"], row["after"], row["side"]), []).append(
                    (row["kind"], row["key"], body)
                )
        before: dict[tuple[Unit, str], FactSet] = {}
        after: dict[tuple[Unit, str], FactSet] = {}
        for key, (old, new) in pairs.items():
            ids = (old.id if old else None, new.id if new else None)
            for load, side, into in ((old, "before", before), (new, "after", after)):
                if load is not None:
                    into[key] = FactSet.parsed(load.unit, load.unit_id, load.id, found.get((*ids, side), []))
        return _world_of(before, before_loads), _world_of(after, after_loads)

    async def _compared_loads(
        self, since: str
    ) -> tuple[dict[tuple[Unit, str], RecordedLoad], dict[tuple[Unit, str], RecordedLoad]]:
        time, named = await self.since_time(since)
        before_loads = {(load.unit, load.unit_id): load for load in await self.latest(time)}
        if named is not None:
            before_loads[(named.unit, named.unit_id)] = named
        after_loads = {(load.unit, load.unit_id): load for load in await self.latest(None)}
        return before_loads, after_loads

    async def _world(self, loads: Mapping[tuple[Unit, str], RecordedLoad]) -> World:
        return _world_of({key: await self.fact_set(load) for key, load in sorted(loads.items())}, loads)


def _world_of(sets: Mapping[tuple[Unit, str], FactSet], loads: Mapping[tuple[Unit, str], RecordedLoad]) -> World:
    return World(
        accounts={k[1]: s for k, s in sorted(sets.items()) if k[0] == "account"},
        organizations={k[1]: s for k, s in sorted(sets.items()) if k[0] == "organization"},
        loads=dict(loads),
    )


@dataclass(frozen=True, slots=True)
class World:
    """Every unit's fact set at one moment of history."""

    accounts: Mapping[str, FactSet]
    organizations: Mapping[str, FactSet]
    loads: Mapping[tuple[Unit, str], RecordedLoad]
