"""The escalation questions in process, without the API's 30 s question timeout, against a loaded graph (the
NEO4J_* settings, or the local server): how far the first `whoCanAssume(escalation: true, maxHops: 3)` and
`admins(accountId, escalation: true)` of a generation are from the issue's targets, and where their time goes.

    python bench/bench_escalation.py --role ARN --admins ACCOUNT [--admins ACCOUNT ...] [--profile]

It builds what the API's warm-up builds (the principal index, then the escalation index), then asks each
question in the order given, each once, as the first question of the generation would be asked (an
earlier question's ways stay worked out for a later one, as in the API): the answer's count and its first
page of 100 answers, with the seconds each took. `--profile` prints the 45 costliest calls of each
question (cProfile: about twice as slow). Figures are printed as JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, read_index
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.questions import Reachability
from service.reachability.snapshot import freeze


async def measure(questions: list[tuple[str, str]], profile: bool) -> None:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    try:
        started = time.perf_counter()
        index = await read_index(reader)
        print(json.dumps({"principal index seconds": round(time.perf_counter() - started, 2)}), flush=True)
        started = time.perf_counter()
        await build_escalation_index(index, reader)
        freeze()  # (as the API's warm-up does)
        print(json.dumps({"escalation index seconds": round(time.perf_counter() - started, 2)}), flush=True)
        for kind, value in questions:
            reachability = Reachability(reader, index)
            profiler = cProfile.Profile() if profile else None
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            if kind == "role":
                answers = await reachability.who_can_assume(value, 3, escalation=True)
            else:
                answers = await reachability.admins(value, escalation=True, max_hops=3)
            count, counted = len(answers), time.perf_counter() - started
            page = list(answers[:100])
            if profiler is not None:
                profiler.disable()
            paged = time.perf_counter() - started
            digest = hashlib.sha256(repr(page).encode()).hexdigest()[:12]  # (the same page before and after)
            print(
                json.dumps(
                    {
                        "question": f"{'whoCanAssume' if kind == 'role' else 'admins'} {value}",
                        "count": count,
                        "count seconds": round(counted, 2),
                        "first page seconds": round(paged, 2),
                        "first page digest": digest,
                    }
                ),
                flush=True,
            )
            if profiler is not None:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", action="append", default=[], help="whoCanAssume(escalation, maxHops 3) of it")
    parser.add_argument("--admins", action="append", default=[], metavar="ACCOUNT", help="admins(escalation)")
    parser.add_argument("--profile", action="store_true", help="print where each question's time goes")
    args = parser.parse_args(argv)
    questions = [("role", arn) for arn in args.role] + [("admins", account) for account in args.admins]
    if not questions:
        parser.error("ask something: --role ARN or --admins ACCOUNT")
    print(json.dumps({"machine": machine()}), flush=True)
    asyncio.run(measure(questions, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
