"""`accessgraph diff | loads`: what changed since a load or a time, and the loads history recorded.

`diff --format json` writes exactly the GraphQL `changes` answer (service/history/diff.py: changes_json; a
test holds the two equal). Exit codes: 0, or with `diff --exit-code` 1 when anything changed; 2 a bad
`--since` or account; 3 the database is unavailable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from service.cli.batch import without_cycle_collection
from service.cli.jsonout import dumps
from service.cli.questions import _print_rows

if TYPE_CHECKING:
    from service.database.reader import GraphReader

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diff = subparsers.add_parser(
        "diff",
        help="what changed since a load or a time: entities, documents, trust, memberships, access",
        description="Compares each account's (and organization's) load at --since with its newest load. "
        "Exit code 0; with --exit-code, 1 when anything changed.",
    )
    diff.add_argument("--account", metavar="ID", help="only this account")
    diff.add_argument("--since", required=True, metavar="LOAD|TIME", help="a load id (see `loads`) or ISO time")
    diff.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when anything changed (CI gates)")
    diff.add_argument(
        "--no-access", dest="access", action="store_false",
        help="leave out who gained or lost each role and who became or stopped being an admin; json says "
        "\"accessCompared\": false",
    )
    diff.add_argument(
        "--exact-access", action="store_true",
        help="decide access again in both worlds, with each principal's conditions (json `access`), instead of "
        "reading the access records the load runs made: hours at 100k principals",
    )
    diff.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    diff.set_defaults(func=_diff)

    loads = subparsers.add_parser("loads", help="the loads history recorded, newest first")
    loads.add_argument("--account", metavar="ID", help="only this account's (or organization's) loads")
    loads.add_argument("--format", choices=("table", "json"), default="table")
    loads.set_defaults(func=_loads)


def with_reader(work: Callable[[GraphReader], Awaitable[T]]) -> T:
    import asyncio

    from service.database import Neo4jSettings
    from service.database.reader import GraphReader

    async def run() -> T:
        reader = GraphReader(Neo4jSettings.resolve(), timeout=300.0)
        try:
            return await work(reader)
        finally:
            await reader.close()

    with without_cycle_collection():  # (both worlds' facts and sources, made and dropped once)
        return asyncio.run(run())


def _diff(args: argparse.Namespace) -> int:
    from service.history.diff import changes, changes_json

    progress = None if args.quiet else DiffProgress()
    found = with_reader(
        lambda reader: changes(reader, args.since, args.account, access=args.access,
                               exact_access=args.exact_access, progress=progress)
    )
    if found.access_note and not args.quiet:
        print(f"accessgraph diff: access decided again in both worlds: {found.access_note}", file=sys.stderr)
    result = changes_json(found)
    if args.format == "json":
        print(dumps(result))  # (tens of megabytes at 100k principals: orjson, not the pure-Python indenter)
    else:
        _print_rows(diff_rows(result), args.format)
        if not found.access_compared:
            print("accessgraph diff: access not compared (--no-access): who gained or lost a role, who became or "
                  "stopped being an admin are left out", file=sys.stderr)
    return 1 if args.exit_code and not found.empty else 0


class DiffProgress:
    """The access part of `diff` on stderr: how many roles are decided of how many, every `interval` seconds
    once it has run that long (a quick diff prints nothing), with the time left at that pace."""

    def __init__(self, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._started = time.monotonic()
        self._last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == 0:
            self._started = now
        elapsed = now - self._started
        if done >= total:
            if self._last is not None:
                self._line(f"{total:,} roles decided in {elapsed:,.0f} s")
            return
        if now - (self._last if self._last is not None else self._started) < self.interval:
            return
        self._last = now
        left = elapsed / done * (total - done) if done else None
        pace = f"; about {_duration(left)} left at this pace" if left is not None else ""
        self._line(f"who gained or lost each role: {done:,}/{total:,} roles decided ({elapsed:,.0f} s{pace}; "
                   "--no-access leaves this part out)")

    def _line(self, text: str) -> None:
        self.stream.write(f"accessgraph diff: {text}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def diff_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """One row per change, in the order of the json's sections."""
    rows: list[dict[str, str]] = []

    def add(section: str, unit: str | None, what: str, change: str, detail: str = "") -> None:
        rows.append({"section": section, "unit": unit or "", "what": what, "change": change, "detail": detail})

    for e in result["entities"]:
        add(e["kind"], e["unitId"], e["arn"], e["change"])
    for section in ("documents", "trusts"):
        for d in result[section]:
            version = f"{d['versionBefore']} → {d['versionAfter']}; " if d["versionBefore"] != d["versionAfter"] else ""
            for s in d["statements"]:
                text = s["after"] if s["change"] == "added" else s["before"] if s["change"] == "removed" else (
                    f"{s['before']} → {s['after']}")
                add(d["kind"], d["unitId"], d["arn"], f"statement {s['change']}", version + text)
    for section in ("memberships", "attachments"):
        for link in result[section]:
            add(link["kind"], link["unitId"], f"{link['source']} → {link['target']}", link["change"])
    for a in result["access"]:  # (exact: per principal, with conditions)
        hops = f"hops {a['hopsBefore'] or '-'} → {a['hopsAfter'] or '-'}"
        conditions = a["conditionsAfter"] or a["conditionsBefore"]
        detail = hops + (f"; {conditions}" if conditions else "")
        add("assume", None, f"{a['principal']} → {a['role']}", a["change"], detail)
    if not result["access"]:  # (from records: a row per group and role)
        for group in result["accessGroups"]:
            who = _principals(group["principals"])
            for c in group["changes"]:
                for role in c["roles"]:
                    add("assume", None, f"{who} → {role}", c["change"],
                        f"hops {c['hopsBefore'] or '-'} → {c['hopsAfter'] or '-'}")
    for admin in result["admins"]:
        add("admin", None, admin["principal"], admin["change"])
    return rows


def _principals(arns: list[str]) -> str:
    """A group's principals in a table cell: every one up to three, else the first two and how many more."""
    if len(arns) <= 3:
        return ", ".join(arns)
    return f"{arns[0]}, {arns[1]} and {len(arns) - 2:,} more"


def _loads(args: argparse.Namespace) -> int:
    from service.history.store import HistoryStore

    found = with_reader(lambda reader: HistoryStore(reader).loads(args.account))
    if args.format == "json":
        print(json.dumps([load.as_json() for load in found], indent=2))
        return 0
    rows = [
        {"id": load.id, "time": load.time, "unit": f"{load.unit} {load.unit_id}", "source": load.source,
         "principals": str(load.counts["principals"]), "policies": str(load.counts["policies"]),
         "commit": load.commit}
        for load in found
    ]
    _print_rows(rows, "table")
    return 0
