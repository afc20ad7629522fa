"""The work `bench_questions.py`'s escalation questions do, counted in process: on a machine whose speed moves
from run to run, what a change saves is told by counts that do not move.

    python bench/escalation_work.py --data-dir DIR [--accounts 100] [--roles 30] [--seed 1]

Against the graph loaded from DIR (the NEO4J_* settings, or the local server), it warms up as `serve` does
(the principal index, then the escalation index with every principal's ways in worked out ahead), asks
`admins(accountId, escalation: true)` of the sampled accounts and then `whoCanAssume(role, escalation: true,
maxHops: 3)` of the sampled roles, each with its first page of 100 answers made, in the bench's order and
with its samples. For the roles it prints, as JSON lines, each question's count, seconds and CPU seconds,
then the totals and these counts over all of them:
  regex compiles     re.compile calls (a pattern compiled, or found in re's own cache)
  signatures         principals' signatures asked for (Signatures.of)
  decisions          evaluator decisions of the techniques' actions (escalation/grants.py)
  last-hop checks    the bit walk's last hops asking which techniques into a principal may still find one
                     (Reverse._may_act)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_questions import _accounts_and_roles, sampled
from bench.common import warmed_up
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.evaluation.engine import evaluate
from service.reachability.answers import ready
from service.reachability.escalation import grants, reverse
from service.reachability.questions import Reachability
from service.reachability.signatures import Signatures


def _counting(counts: Counter[str], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return function(*args, **kwargs)

    return counted


async def measure(accounts: list[str], roles: list[str]) -> None:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    try:
        started = time.perf_counter()
        index = await warmed_up(reader)
        print(json.dumps({"warm-up seconds": round(time.perf_counter() - started, 1)}), flush=True)
        for account in accounts:
            answers = await Reachability(reader, index).admins(account, escalation=True, max_hops=3)
            await ready(answers, 0, 100)
        counts: Counter[str] = Counter()
        re.compile = _counting(counts, "regex compiles", re.compile)
        Signatures.of = _counting(counts, "signatures", Signatures.of)  # type: ignore[method-assign]
        grants.evaluate = _counting(counts, "decisions", evaluate)  # type: ignore[attr-defined]  # (grants.py calls it by name)
        reverse.Reverse._may_act = _counting(counts, "last-hop checks", reverse.Reverse._may_act)  # type: ignore[method-assign]
        seconds, cpu = 0.0, 0.0
        for role in roles:
            started, started_cpu = time.perf_counter(), time.process_time()
            answers = await Reachability(reader, index).who_can_assume(role, 3, escalation=True)
            await ready(answers, 0, 100)
            took, took_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            seconds, cpu = seconds + took, cpu + took_cpu
            print(json.dumps({"role": role, "count": len(answers), "seconds": round(took, 3),
                              "cpu": round(took_cpu, 3)}), flush=True)
        print(json.dumps({"roles": len(roles), "seconds": round(seconds, 1), "cpu": round(cpu, 1), **counts}))
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="the generate.py output that is loaded")
    parser.add_argument("--accounts", type=int, default=100, help="accounts asked admins first (default 100)")
    parser.add_argument("--roles", type=int, default=30, help="roles asked whoCanAssume (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    accounts, roles = _accounts_and_roles(args.data_dir)
    if not accounts:
        parser.error(f"{args.data_dir}: no gaad-*.json files (run bench/generate.py first)")
    asyncio.run(measure(*sampled(accounts, roles, args.accounts, args.roles, random.Random(args.seed))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
