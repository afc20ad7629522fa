"""Load benchmark: one synthetic account (10k roles, 5k users, 2k groups, 5k customer policies and 1k
AWS managed policies by default) read, transformed and written, then reloaded over itself.

    .venv/bin/python bench/bench_load.py [--roles N --users N --groups N --policies N] [--keep]

Writes into the Neo4j that `accessgraph` resolves (NEO4J_URI, else the local server), under account
999000000001, and removes it afterwards unless --keep. Prints figures; the target is < 60 s per load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import neo4j

from bench.synthetic_account import ACCOUNT_ID, AWS_POLICY_PREFIX, Size, write
from loaders.detect import read_input
from loaders.gaad import merge_pages, transform_gaad
from loaders.graph_writer import DEFAULT_BATCH_SIZE, write_account
from loaders.rows import AccountSnapshot
from service.cypher import query
from service.database import Neo4jSettings, apply_schema, connect

TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description="accessgraph load benchmark")
    defaults = Size()
    for name in ("roles", "users", "groups", "policies", "aws_policies"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--keep", action="store_true", help="leave the synthetic account in the graph")
    args = parser.parse_args()
    size = Size(args.roles, args.users, args.groups, args.policies, args.aws_policies)

    path = Path(__file__).resolve().parent / "results" / "tmp" / "synthetic-gaad.json"
    started = time.monotonic()
    write(path, size)
    print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.1f} s")

    settings = Neo4jSettings.resolve()
    driver = connect(settings)
    try:
        apply_schema(driver, settings.database)
        _forget(driver, settings.database)
        first = _load(driver, settings.database, path, args.batch_size, "first load")
        again = _load(driver, settings.database, path, args.batch_size, "reload (replace snapshot)")
        if not args.keep:
            _forget(driver, settings.database)
    finally:
        driver.close()
    worst = max(first, again)
    verdict = "OK" if worst < TARGET_SECONDS else "TOO SLOW"
    print(f"result: {worst:.1f} s for the slower load (target < {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if worst < TARGET_SECONDS else 1


def _load(driver: neo4j.Driver, database: str, path: Path, batch_size: int, label: str) -> float:
    t0 = time.monotonic()
    document = read_input(path)
    t1 = time.monotonic()
    snapshot = transform_gaad(merge_pages(document.values, document.source))
    t2 = time.monotonic()
    result = write_account(driver, snapshot, database=database, batch_size=batch_size)
    t3 = time.monotonic()
    total = t3 - t0
    print(
        f"{label}: {snapshot.entity_count} entities ({len(snapshot.roles)} roles, {len(snapshot.users)} users, "
        f"{len(snapshot.groups)} groups, {len(snapshot.policies)} customer+inline policies, "
        f"{len(snapshot.global_policies)} AWS managed), {result.rows} rows"
    )
    print(
        f"  read {t1 - t0:.1f} s | validate+transform {t2 - t1:.1f} s | write+commit {t3 - t2:.1f} s | "
        f"total {total:.1f} s | {snapshot.entity_count / total:,.0f} entities/s"
    )
    return total


def _forget(driver: neo4j.Driver, database: str) -> None:
    """Empty the synthetic account's snapshot, then drop what it leaves behind."""
    empty = AccountSnapshot(ACCOUNT_ID, "bench cleanup", (), (), (), (), (), (), (), (), (), ())
    write_account(driver, empty, database=database)
    trusted = [str(200000000000 + i) for i in range(20)]
    with driver.session(database=database) as session:
        session.run(
            query("snapshot_bench_cleanup"), policyPrefix=AWS_POLICY_PREFIX, accountIds=[ACCOUNT_ID, *trusted]
        ).consume()


if __name__ == "__main__":
    sys.exit(main())
