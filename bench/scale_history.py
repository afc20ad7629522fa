"""History at scale (issue #17's goal): a reload of every account with 1% of the entities changed, then
`accessgraph diff` for the whole organization; and the store's growth per load.

    python bench/scale_history.py --data-dir /work/benchdata/100000-seed1 [--out result.json] [--without-history]
    python bench/scale_history.py --data-dir ... --skip-load --skip-diff --phases 60   # diff's phases alone

runs against the instance `accessgraph` finds (NEO4J_URI, else the local one) and WRITES to it: use your own.
`bench_scale.py --phases history` runs `history_phase` the same way inside its own benchmark.

1% changed, the mix the issue names, the same every run: in each account every 100th user joins a group (or
leaves its last one), every 100th customer managed policy gets a new default version with one more statement,
every 200th role's trust policy gains a statement trusting one user of its account (by ARN), and every 200th
role (another one) is deleted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ACCESSGRAPH, ROOT

EXTRA = {"Sid": "BenchChanged", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
# A load with history switched off: the same CLI load with `record_load` replaced by a no-op (the loader has
# no switch for it; history is part of every load's transaction).
_WITHOUT_HISTORY = (
    "import sys; import loaders.graph_writer as w; w.record_load = lambda tx, plan: ''; "
    "from service.cli import main; sys.exit(main(sys.argv[1:]))"
)


def store(driver: Any, database: str) -> dict[str, int]:
    from service.cypher import query

    records, _, _ = driver.execute_query(query("history_store_size"), database_=database)
    return {key: int(value or 0) for key, value in dict(records[0]).items()}


def store_counts(driver: Any, database: str, store_dir: Path | None) -> dict[str, int]:
    """The whole store: nodes, relationships, properties, history's part of it, and its bytes on disk."""
    from service.cypher import query

    records, _, _ = driver.execute_query(query("bench_store_counts"), database_=database)
    counts = {key: int(value or 0) for key, value in dict(records[0]).items()}
    counts |= {f"history{key[0].upper()}{key[1:]}": value for key, value in store(driver, database).items()}
    if store_dir is not None and store_dir.is_dir():
        counts["storeBytes"] = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
    return counts


def _growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in after if key in before}


def _statements(document: dict[str, Any]) -> list[Any]:
    statements = document.get("Statement")
    return list(statements) if isinstance(statements, list) else [statements]


def change_one_percent(source: Path, target: Path) -> dict[str, int]:
    """Copy the GAAD files and Organizations snapshots of `source` to `target` with 1% of each account's
    entities changed (the organization as it was)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for organization in source.glob("organization*.json"):
        shutil.copy2(organization, target / organization.name)
    counts = {"usersJoinedOrLeft": 0, "policyVersions": 0, "trustsGained": 0, "rolesDeleted": 0}
    for path in sorted(source.glob("gaad-*.json")):
        gaad = json.loads(path.read_text(encoding="utf-8"))
        groups = [g["GroupName"] for g in gaad.get("GroupDetailList", [])]
        for index, user in enumerate(gaad.get("UserDetailList", [])[::100]):
            joined = user.get("GroupList", [])
            others = [g for g in groups if g not in joined]
            user["GroupList"] = [*joined, others[index % len(others)]] if others else joined[:-1]
            counts["usersJoinedOrLeft"] += 1
        for policy in [p for p in gaad.get("Policies", []) if ":aws:policy/" not in p["Arn"]][::100]:
            versions = policy.get("PolicyVersionList", [])
            default = next((v for v in versions if v.get("IsDefaultVersion")), None)
            if default is None or not isinstance(default.get("Document"), dict):
                continue
            number = 1 + max(int(str(v.get("VersionId", "v0"))[1:] or 0) for v in versions)
            default["IsDefaultVersion"] = False
            document = {**default["Document"], "Statement": [*_statements(default["Document"]), EXTRA]}
            versions.append({"Document": document, "VersionId": f"v{number}", "IsDefaultVersion": True,
                             "CreateDate": default.get("CreateDate")})
            policy["DefaultVersionId"] = f"v{number}"
            counts["policyVersions"] += 1
        users = [u["Arn"] for u in gaad.get("UserDetailList", [])]
        roles = [r for r in gaad.get("RoleDetailList", []) if not r.get("Path", "/").startswith("/aws-service-role/")]
        for index, role in enumerate(roles[::200]):
            trust = role.get("AssumeRolePolicyDocument")
            if users and isinstance(trust, dict):
                trust["Statement"] = [*_statements(trust), {"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"AWS": users[index % len(users)]}}]
                counts["trustsGained"] += 1
        deleted = {role["Arn"] for role in roles[50::200]}
        gaad["RoleDetailList"] = [r for r in gaad.get("RoleDetailList", []) if r["Arn"] not in deleted]
        counts["rolesDeleted"] += len(deleted)
        (target / path.name).write_text(json.dumps(gaad), encoding="utf-8")
    return counts


def _timed_load(paths: list[Path], *, history: bool = True) -> dict[str, Any]:
    command = [ACCESSGRAPH] if history else [sys.executable, "-c", _WITHOUT_HISTORY]
    started = time.perf_counter()
    done = subprocess.run([*command, "load", "--quiet", "--json", *map(str, paths)], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"accessgraph load failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"wallSeconds": round(time.perf_counter() - started, 1)}


def timed_diff(since: str) -> dict[str, Any]:
    started = time.perf_counter()
    diff = subprocess.run([ACCESSGRAPH, "diff", "--since", since, "--format", "json"], capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - started
    if diff.returncode != 0:
        raise RuntimeError(f"accessgraph diff failed ({diff.returncode}): {diff.stderr[-2000:]}")
    result = json.loads(diff.stdout)
    removed = sum(1 for e in result["entities"] if (e["kind"], e["change"]) == ("role", "removed"))
    pairs = sum(g["principalCount"] * c["roleCount"] for g in result["accessGroups"] for c in g["changes"])
    return {"wallSeconds": round(seconds, 2), "output": diff.stdout, **{k: len(result[k]) for k in (
        "entities", "documents", "trusts", "memberships", "attachments", "access", "accessGroups", "admins")},
        "accessPairs": pairs, "accessMethod": result["accessMethod"], "rolesRemoved": removed}


def history_phase(
    folder: Path, measure_load: Callable[[list[Path]], dict[str, Any]], driver: Any, database: str
) -> dict[str, Any]:
    """bench_scale.py's phase: reload unchanged (growth of a load that changes nothing), then reload with 1%
    changed and diff."""
    start = store(driver, database)
    unchanged = measure_load([folder])
    after_unchanged = store(driver, database)
    changed_folder = folder.parent / f"{folder.name}-changed"
    changed = change_one_percent(folder, changed_folder)
    since = newest_time(driver, database)
    reload = measure_load([changed_folder])
    after_changed = store(driver, database)
    diff = timed_diff(since)
    diff.pop("output")
    return {
        "storeBefore": start,
        "unchangedReload": {"wallSeconds": unchanged["wallSeconds"], "growth": _growth(start, after_unchanged)},
        "changed": changed,
        "changedReload": {"wallSeconds": reload["wallSeconds"], "growth": _growth(after_unchanged, after_changed)},
        "diff": diff,
    }


def newest_time(driver: Any, database: str) -> str:
    """The time of the newest recorded load: `diff --since` it compares the next reload with it."""
    from service.cypher import query

    records, _, _ = driver.execute_query(query("history_newest_time"), database_=database)
    return str(records[0]["time"])


def timed_phases(since: str, sample: int) -> dict[str, Any]:
    """`diff`'s phases one by one, in this process, over the same functions `changes` calls: reading both
    worlds, the entity difference, the two FactSources, the changed principals, the affected roles, reading
    every account into each world's index, and whoCanAssume (2 hops) of `sample` affected roles in the
    earlier world (the deciding phase asks every affected role in both: multiply)."""
    import asyncio
    import random

    from service.database import Neo4jSettings
    from service.database.reader import GraphReader
    from service.history import access
    from service.history.changes import fact_changes
    from service.history.source import FactSource
    from service.history.store import HistoryStore
    from service.reachability import Reachability

    timings: dict[str, Any] = {}

    def timed(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 2)
        print(f"{name}: {timings[name]} s", flush=True)

    async def run() -> None:
        reader = GraphReader(Neo4jSettings.resolve(), timeout=600.0)
        try:
            started = time.perf_counter()
            before, after = await HistoryStore(reader).worlds(since)
            timed("readWorlds", started)
        finally:
            await reader.close()
        started = time.perf_counter()
        fact_changes(before, after, None)
        timed("factChanges", started)
        started = time.perf_counter()
        old, new = FactSource(before), FactSource(after)
        timed("factSources", started)
        started = time.perf_counter()
        change = access._Change(before, after, old, new)
        timed("changedPrincipals", started)
        timings["changedPrincipalCount"] = len(change.principals)
        timings["changedAccountCount"] = len(change.accounts)
        started = time.perf_counter()
        roles = sorted(access.affected_roles(before, after, old, new))
        timed("affectedRoles", started)
        timings["affectedRoleCount"] = len(roles)
        asked = Reachability(old)
        started = time.perf_counter()
        await asked.view.entries(None)
        timed("readEntries", started)
        candidates = [r for r in roles if r in old.trust]
        picked = random.Random(1).sample(candidates, min(sample, len(candidates)))
        started = time.perf_counter()
        for role in picked:
            await asked.who_can_assume(role, access.HOPS)
        timed(f"whoCanAssume2x{len(picked)}", started)

    asyncio.run(run())
    return timings


def main(argv: list[str] | None = None) -> int:
    from service.database import Neo4jSettings, connect

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="generated files (bench/generate.py)")
    parser.add_argument("--changed-dir", type=Path, help="where the 1%% changed copy goes (default: beside)")
    parser.add_argument("--store-dir", type=Path, default=ROOT / ".neo4j/home/data/databases/neo4j",
                        help="the database's folder, for its bytes on disk (the local instance's by default)")
    parser.add_argument("--out", type=Path, help="write the figures (and the diff's json beside) here")
    parser.add_argument("--without-history", action="store_true",
                        help="also time an unchanged reload with history off and one with it on")
    parser.add_argument("--skip-load", action="store_true", help="the changed copy is loaded: only diff")
    parser.add_argument("--since", help="with --skip-load: the load (or time) to diff from")
    parser.add_argument("--skip-diff", action="store_true", help="no diff (with --without-history: only loads)")
    parser.add_argument("--phases", type=int, metavar="N",
                        help="also time diff's phases one by one, deciding N sample roles (see timed_phases)")
    args = parser.parse_args(argv)
    settings = Neo4jSettings.resolve()
    driver, database = connect(settings), settings.database
    changed_dir = args.changed_dir or args.data_dir.parent / f"{args.data_dir.name}-changed"
    result: dict[str, Any] = {}
    try:
        if args.skip_load:
            since = args.since or newest_time(driver, database)
        else:
            result["changed"] = change_one_percent(args.data_dir, changed_dir)
            print(f"changed copy in {changed_dir}: {result['changed']}", flush=True)
            result["storeBefore"] = store_counts(driver, database, args.store_dir)
            since = newest_time(driver, database)
            result["changedReload"] = _timed_load(sorted(changed_dir.glob("gaad-*.json")))
            result["storeAfter"] = store_counts(driver, database, args.store_dir)
            result["growth"] = _growth(result["storeBefore"], result["storeAfter"])
            print(f"reload with 1% changed: {result['changedReload']['wallSeconds']} s; "
                  f"growth {result['growth']}", flush=True)
        result["since"] = since
        if not args.skip_diff:
            diff = timed_diff(since)
            output = diff.pop("output")
            result["diff"] = diff
            print(f"diff --since {since}: {diff}", flush=True)
            if args.out is not None:
                args.out.with_suffix(".diff.json").write_text(output, encoding="utf-8")
        if args.phases:
            result["phases"] = timed_phases(since, args.phases)
        if args.without_history:
            gaads = sorted(changed_dir.glob("gaad-*.json"))
            before = store_counts(driver, database, args.store_dir)
            off = _timed_load(gaads, history=False)
            middle = store_counts(driver, database, args.store_dir)
            on = _timed_load(gaads)
            after = store_counts(driver, database, args.store_dir)
            result["unchangedReload"] = {
                "withoutHistory": {**off, "growth": _growth(before, middle)},
                "withHistory": {**on, "growth": _growth(middle, after)},
            }
            print(f"unchanged reload: {result['unchangedReload']}", flush=True)
    finally:
        driver.close()
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
