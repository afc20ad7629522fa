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
        time, named = await self.since_time(since)
        before_loads = {(load.unit, load.unit_id): load for load in await self.latest(time)}
        if named is not None:
            before_loads[(named.unit, named.unit_id)] = named
        after_loads = {(load.unit, load.unit_id): load for load in await self.latest(None)}
        return await self._world(before_loads), await self._world(after_loads)

    async def _world(self, loads: Mapping[tuple[Unit, str], RecordedLoad]) -> World:
        sets = {key: await self.fact_set(load) for key, load in sorted(loads.items())}
        return World(
            accounts={k[1]: s for k, s in sets.items() if k[0] == "account"},
            organizations={k[1]: s for k, s in sets.items() if k[0] == "organization"},
            loads=dict(loads),
        )


@dataclass(frozen=True, slots=True)
class World:
    """Every unit's fact set at one moment of history."""

    accounts: Mapping[str, FactSet]
    organizations: Mapping[str, FactSet]
    loads: Mapping[tuple[Unit, str], RecordedLoad]
