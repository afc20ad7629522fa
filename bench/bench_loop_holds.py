"""How long each question holds the event loop, in process, against a loaded graph (the NEO4J_* settings, or
the local server): while a question runs, a ticker task wakes every 10 ms and records the longest gap between
two of its wakeups. A gap is a time the API would answer nothing else, and its question timeout (an
`asyncio.timeout`, which cancels only at a suspension) could not stop the question.

    python bench/bench_loop_holds.py --escalations ARN --who-can ACTION RESOURCE [--limit 60] [--only NAME]

It builds what the API's warm-up builds (the principal index, then the escalation index), then asks each
question once with the answer cache off, stopped after `--limit` seconds as the API's timeout would stop it:
`escalations(ARN)` (maxHops 3), `whoCan(ACTION, RESOURCE, escalation: true, maxHops: 2)`, `whoCan(ACTION,
RESOURCE)`, the trust review and the external access review of every account, and `admins(escalation: true)`
of every account. Figures are printed as JSON lines: seconds, whether it answered, the longest hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from service.reachability.snapshot import freeze


async def _ticker(state: dict[str, Any]) -> None:
    last = time.perf_counter()
    while not state["stop"]:
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        state["hold"] = max(state["hold"], now - last)
        last = now


async def _held(name: str, ask: Callable[[], Awaitable[Any]], limit: float) -> dict[str, Any]:
    state: dict[str, Any] = {"stop": False, "hold": 0.0}
    ticker = asyncio.create_task(_ticker(state))
    started = time.perf_counter()
    try:
        answers = await asyncio.wait_for(ask(), timeout=limit)
        outcome: dict[str, Any] = {"answers": len(answers)}
    except TimeoutError:
        outcome = {"stopped after limit": True}
    seconds = time.perf_counter() - started
    state["stop"] = True
    await ticker
    return {"question": name, "seconds": round(seconds, 2), **outcome, "longest hold seconds": round(state["hold"], 2)}


async def measure(args: argparse.Namespace) -> None:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    index = PrincipalIndex()
    try:
        await index.accounts(reader, await index.generation(reader))
        await index.prepare()
        await build_escalation_index(index, reader)
        freeze()  # (as the API's warm-up does)

        def asked() -> Reachability:
            return Reachability(reader, index)

        questions: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
        if args.escalations:
            questions.append((f"escalations({args.escalations})", lambda: asked().escalations(args.escalations, 3)))
        if args.who_can:
            action, resource = args.who_can
            questions += [
                (f"whoCan({action}, {resource}, escalation, maxHops 2)",
                 lambda: asked().who_can(action, resource, 2, None, escalation=True)),
                (f"whoCan({action}, {resource})", lambda: asked().who_can(action, resource, 0)),
            ]
        questions += [
            ("crossAccountTrusts (every account)", lambda: asked().cross_account_trusts(None)),
            ("externalAccess (every account)", lambda: asked().external_access(None)),
            ("admins (every account, escalation)", lambda: asked().admins(None, escalation=True, max_hops=3)),
        ]
        for name, ask in questions:
            if args.only is None or args.only in name:
                print(json.dumps(await _held(name, ask, args.limit)), flush=True)
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", metavar="ARN", help="a user or role to ask escalations of")
    parser.add_argument("--who-can", nargs=2, metavar=("ACTION", "RESOURCE"), help="a whoCan question")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a question is stopped (60)")
    parser.add_argument("--only", metavar="NAME", help="only the questions whose name holds this")
    args = parser.parse_args(argv)
    os.environ["ACCESSGRAPH_ANSWER_CACHE"] = "0"  # (each question worked out, not remembered)
    print(json.dumps({"machine": machine()}), flush=True)
    asyncio.run(measure(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
