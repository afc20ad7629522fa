"""How long each question holds the event loop, in process, against a loaded graph (the NEO4J_* settings, or
the local server): while a question runs, a ticker task wakes every 10 ms and records the longest gap between
two of its wakeups. A gap is a time the API would answer nothing else, and its question timeout (an
`asyncio.timeout`, which cancels only at a suspension) could not stop the question.

    python bench/bench_loop_holds.py --escalations ARN --who-can ACTION RESOURCE [--limit 60] [--only NAME] [--where]

It builds what the API's warm-up builds (the principal index, then the escalation index), with the API's
garbage collector thresholds, then asks each question once with the answer cache off, stopped after
`--limit` seconds as the API's timeout would stop it:
`escalations(ARN)` (maxHops 3), `whoCan(ACTION, RESOURCE, escalation: true, maxHops: 2)`, `whoCan(ACTION,
RESOURCE)`, the trust review and the external access review of every account, and `admins(escalation: true)`
of every account. Figures are printed as JSON lines: seconds, whether it answered, the longest hold. With
`--where`, a thread samples the event loop's stack every 50 ms while the ticker is late by more than 200 ms, and
each figure names the code the holds were spent in (the innermost and the outermost three frames of service/,
with their share of the samples): what to hand the loop back from next.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine
from service.api.app import SERVER_GC_THRESHOLDS
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from service.reachability.snapshot import freeze


async def _ticker(state: dict[str, Any]) -> None:
    last = state["tick"] = time.perf_counter()
    while not state["stop"]:
        await asyncio.sleep(0.01)
        now = state["tick"] = time.perf_counter()
        state["hold"] = max(state["hold"], now - last)
        last = now


_ROOT = str(Path(__file__).resolve().parents[1] / "service")


def _sampler(state: dict[str, Any], loop_thread: int) -> None:
    """While the ticker is late (the loop held), count where the loop's thread is: its frames in service/,
    innermost first (the three innermost and the three outermost of a deeper stack)."""
    where: Counter[str] = state["where"]
    while not state["stop"]:
        time.sleep(0.05)
        if time.perf_counter() - state["tick"] < 0.2:
            continue
        frame = sys._current_frames().get(loop_thread)
        ours: list[str] = []
        while frame is not None:
            code = frame.f_code
            if code.co_filename.startswith(_ROOT):
                ours.append(f"{code.co_filename[len(_ROOT) - 7:]}:{frame.f_lineno} {code.co_name}")
            frame = frame.f_back
        shown = ours if len(ours) <= 6 else [*ours[:3], "...", *ours[-3:]]
        where[" < ".join(shown) or "(outside service/)"] += 1


async def _held(name: str, ask: Callable[[], Awaitable[Any]], limit: float, where: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {"stop": False, "hold": 0.0, "tick": time.perf_counter(), "where": Counter()}
    ticker = asyncio.create_task(_ticker(state))
    sampler = threading.Thread(target=_sampler, args=(state, threading.get_ident()), daemon=True) if where else None
    if sampler is not None:
        sampler.start()
    started = time.perf_counter()
    try:
        answers = await asyncio.wait_for(ask(), timeout=limit)
        outcome: dict[str, Any] = {"answers": len(answers)}
    except TimeoutError:
        outcome = {"stopped after limit": True}
    seconds = time.perf_counter() - started
    state["stop"] = True
    await ticker
    if sampler is not None:
        sampler.join()
    figures = {"question": name, "seconds": round(seconds, 2), **outcome}
    figures["longest hold seconds"] = round(state["hold"], 2)
    if where:
        samples = sum(state["where"].values())
        figures["held in"] = {at: f"{100 * n / samples:.0f}%" for at, n in state["where"].most_common(8)}
    return figures


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
                print(json.dumps(await _held(name, ask, args.limit, args.where)), flush=True)
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", metavar="ARN", help="a user or role to ask escalations of")
    parser.add_argument("--who-can", nargs=2, metavar=("ACTION", "RESOURCE"), help="a whoCan question")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a question is stopped (60)")
    parser.add_argument("--only", metavar="NAME", help="only the questions whose name holds this")
    parser.add_argument("--where", action="store_true", help="name the code the holds were spent in")
    args = parser.parse_args(argv)
    os.environ["ACCESSGRAPH_ANSWER_CACHE"] = "0"  # (each question worked out, not remembered)
    print(json.dumps({"machine": machine()}), flush=True)
    # (the collector as the API sets it: with the defaults, collections over the question's new objects held
    # the loop for seconds at 100k, which the API does not do)
    gc.set_threshold(*SERVER_GC_THRESHOLDS)
    asyncio.run(measure(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
