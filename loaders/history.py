"""Recording a load in history, inside the transaction that writes its snapshot (docs/history.md).

The record and the snapshot commit or roll back together: a load killed midway leaves no record, so the
newest recorded load is always the snapshot the graph holds. Loads beyond the newest N of the unit are
pruned in the same transaction, with the facts no remaining load records.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.cypher import query
from service.errors import InputError
from service.history.facts import Fact, LoadCounts, Unit

if TYPE_CHECKING:
    import neo4j

DEFAULT_KEEP = 30
KEEP_VARIABLE = "ACCESSGRAPH_HISTORY_LOADS"
_BATCH = 5000
_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class LoadRecordPlan:
    """What one load records, prepared before its transaction opens."""

    unit: Unit
    unit_id: str
    source: str
    facts: tuple[Fact, ...]
    counts: LoadCounts
    keep: int


def history_keep(value: str | None = None) -> int:
    """How many loads per unit history keeps: `value`, else ACCESSGRAPH_HISTORY_LOADS, else 30.

    Raises:
        InputError: not a whole number of at least 1 (naming where it came from).
    """
    where = "--history-loads" if value is not None else KEEP_VARIABLE
    text = value if value is not None else os.environ.get(KEEP_VARIABLE)
    if text is None or (text == "" and value is None):  # (an empty variable is unset; an empty flag is not)
        return DEFAULT_KEEP
    try:
        keep = int(text)
    except ValueError:
        raise InputError(f"{where} must be a whole number of loads to keep, not {text!r}") from None
    if keep < 1:
        raise InputError(f"{where} must be at least 1 (the load being written is kept), not {keep}")
    return keep


@cache
def tool_commit() -> str:
    """The git commit of the running accessgraph: `git rev-parse` in a checkout, the package version when
    installed from a wheel, "unknown" otherwise. Never raises: no load fails over it."""
    git = shutil.which("git")
    try:
        done = None if git is None else subprocess.run(
            [git, "-C", str(_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
        if done is not None and done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return "version " + metadata.version("accessgraph")
    except metadata.PackageNotFoundError:
        return "unknown"


def new_load_id(time: dt.datetime) -> str:
    """Sortable by time and short enough to type: 20261204T184500Z-1a2b3c."""
    return time.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def record_load(tx: neo4j.ManagedTransaction, plan: LoadRecordPlan) -> str:
    """Record the load in `tx` (the snapshot's transaction) and prune beyond `plan.keep`; the load id."""
    now = dt.datetime.now(dt.UTC)
    load_id = new_load_id(now)
    load: dict[str, Any] = {
        "id": load_id, "unit": plan.unit, "unitId": plan.unit_id, "source": plan.source,
        "time": now.isoformat(timespec="microseconds"), "commit": tool_commit(), "facts": len(plan.facts),
        **plan.counts.as_properties(),
    }
    tx.run(query("history_record_load"), {"load": load}).consume()
    unique = {fact.hash: fact for fact in plan.facts}
    known = set(tx.run(query("history_known_facts"), {"hashes": list(unique)}).single(strict=True)["known"])
    rows = [
        {"hash": f.hash, "kind": f.kind, "key": f.key, "body": None if f.hash in known else f.body}
        for f in unique.values()
    ]
    missing: list[str] = []
    for start in range(0, len(rows), _BATCH):
        batch = {"loadId": load_id, "rows": rows[start : start + _BATCH]}
        missing += tx.run(query("history_record_facts"), batch).single(strict=True)["missing"]
    if missing:
        bodies = [{"hash": h, "body": unique[h].body} for h in missing]
        tx.run(query("history_fact_bodies"), {"rows": bodies}).consume()
    pruned = tx.run(
        query("history_prune_loads"), {"unit": plan.unit, "unitId": plan.unit_id, "keep": plan.keep}
    ).single(strict=True)
    if pruned["pruned"]:
        tx.run(query("history_prune_facts"), {"hashes": pruned["hashes"]}).consume()
    return load_id
