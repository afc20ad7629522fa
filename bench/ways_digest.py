"""Every loaded principal's technique ways (`AccountChecker.ways`: the escalations that become it), timed, with
a digest of each to compare two versions of the code by, against the graph already loaded (NEO4J_* as for
`serve`).

    python bench/ways_digest.py --out ways-a.txt      # one version of the code
    python bench/ways_digest.py --out ways-b.txt      # another
    cmp ways-a.txt ways-b.txt                         # equal: the same ways and answers

It runs with the API's garbage-collection thresholds and prints, as JSON lines, the time to build the
escalation index and the time to work out the ways of every user and role (the work a walk does once per
principal it expands). The file holds one line per principal (its ways, their actors and a digest of the
actors in order) and, for the first principals of a few accounts, the answers made of the first actors of
each way (condition, paths, notes), read in full.
At 100k principals it takes about a minute and a half.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine
from service.api.app import SERVER_GC_THRESHOLDS
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.index import PrincipalIndex
from service.reachability.snapshot import freeze


def _print(**figures: Any) -> None:
    print(json.dumps(figures), flush=True)


async def _run(out: Path, answered_accounts: int, answered_principals: int, grouped: bool) -> None:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    try:
        index = PrincipalIndex()
        await index.accounts(reader, await index.generation(reader))
        await index.prepare()
        started = time.perf_counter()
        graph = await build_escalation_index(index, reader)
        freeze()
        _print(escalationIndexSeconds=round(time.perf_counter() - started, 1))
        lines: list[str] = []
        started = time.perf_counter()
        for account in sorted(graph.checkers):
            checker = graph.checkers[account].using(graph.assumers)
            for arn in sorted(graph.members(account)):
                if grouped:
                    sets = await checker.actors_into(arn)
                else:
                    sets = [way.actors for way in await checker.ways(arn, None)]
                actors = repr([tuple(mapping) for mapping in sets]).encode()
                digest = hashlib.sha1(actors, usedforsecurity=False).hexdigest()[:16]
                lines.append(f"{arn} {len(sets)} {sum(len(mapping) for mapping in sets)} {digest}")
        _print(principals=len(lines), waysSeconds=round(time.perf_counter() - started, 1), machine=machine())
        answers = 0
        for account in sorted(graph.checkers)[:answered_accounts]:
            checker = graph.checkers[account].using(graph.assumers)
            for arn in sorted(graph.members(account))[:answered_principals]:
                for way in await checker.ways(arn, None):
                    for actor in list(way.actors)[:2]:
                        access = way.access(actor)
                        made = None if access is None else (
                            access.principal, access.condition, [tuple(p) for p in access.paths], access.notes
                        )
                        lines.append(f"answer {arn} {actor} {made!r}")
                        answers += 1
        _print(answers=answers, out=str(out))
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="the digest file to write")
    parser.add_argument("--answered-accounts", type=int, default=5, help="accounts whose answers are kept (5)")
    parser.add_argument("--answered-principals", type=int, default=200, help="principals each (200)")
    parser.add_argument("--grouped", action="store_true", help="the actors as a warm-up works them out at once "
                        "(`AccountChecker.actors_into`), not way by way: the same digests")
    args = parser.parse_args(argv)
    gc.set_threshold(*SERVER_GC_THRESHOLDS)  # (as the API runs)
    asyncio.run(_run(args.out, args.answered_accounts, args.answered_principals, args.grouped))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
