"""The escalation answers `bench_questions.py` asks for, as digests, to compare two versions of the code by, with
the seconds each question took, against the graph already loaded (NEO4J_* as for `serve`).

    python bench/answers_digest.py --data-dir DIR --out answers-a.jsonl    # one version of the code
    python bench/answers_digest.py --data-dir DIR --out answers-b.jsonl    # another
    python bench/answers_digest.py --compare answers-a.jsonl answers-b.jsonl

It warms up as `serve` does (the principal index, then the escalation index with every role's direct assumers
worked out ahead), asks `admins(accountId, escalation: true)` of the bench's sampled accounts and then
`whoCanAssume(role, escalation: true, maxHops: 3)` of its sampled roles, in its order, each with its first page
of 100 answers made, and writes one JSON line per question: for admins, the count and a digest of the first
page; for whoCanAssume, the count, a digest of every principal found with its hop in the answer's order, of
the first page and of a page of 100 in the middle (each answer's principal, condition, paths and notes, as
`repr` gives them), and the seconds and CPU seconds of the question and its first page (which move with the
machine: the digests do not). `--compare` says which questions differ, leaving the seconds out, and exits 1
if any does. At 100k principals it takes 3 to 4 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_questions import _accounts_and_roles, sampled
from bench.common import warmed_up
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.answers import ready
from service.reachability.questions import Reachability

_TIMES = ("seconds", "cpu")


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


async def _page(answers: Sequence[Any], start: int) -> str:
    stop = min(start + 100, len(answers))
    await ready(answers, start, stop)
    return _digest(repr(answers[i]) for i in range(start, stop))


def _found(answers: Sequence[Any]) -> str:
    """Every principal found with its hop, in the answer's order (without making the answers)."""
    order = answers._order()  # (walk.py's and bitwalk.py's answers: the principals in order)
    hop_of = getattr(order, "hop_of", None) or getattr(answers, "_hop_of", {}).__getitem__
    return _digest(f"{arn} {hop_of(arn)}" for arn in order)


async def digests(accounts: list[str], roles: list[str], out: Any) -> None:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    try:
        index = await warmed_up(reader)
        for account in accounts:
            answers = await Reachability(reader, index).admins(account, escalation=True, max_hops=3)
            line = {"admins": account, "count": len(answers), "first": await _page(answers, 0)}
            print(json.dumps(line), file=out, flush=True)
        for role in roles:
            started, started_cpu = time.perf_counter(), time.process_time()
            answers = await Reachability(reader, index).who_can_assume(role, 3, escalation=True)
            first = await _page(answers, 0)
            seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            line = {"whoCanAssume": role, "count": len(answers), "found": _found(answers), "first": first,
                    "middle": await _page(answers, len(answers) // 2), "seconds": round(seconds, 3),
                    "cpu": round(cpu, 3)}
            print(json.dumps(line), file=out, flush=True)
    finally:
        await reader.close()


def compare(a: Path, b: Path) -> int:
    def read(path: Path) -> list[dict[str, Any]]:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [{k: v for k, v in row.items() if k not in _TIMES} for row in rows]

    left, right = read(a), read(b)
    differing = [row for row, other in zip(left, right, strict=False) if row != other]
    for row in differing:
        print(f"differs: {row.get('admins') or row.get('whoCanAssume')}")
    if len(left) != len(right):
        print(f"{a} has {len(left)} questions, {b} {len(right)}")
    same = not differing and len(left) == len(right)
    print(f"{'the same' if same else 'different'}: {len(left)} questions")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="the generate.py output that is loaded")
    parser.add_argument("--out", type=Path, help="where to write the digests (default: standard output)")
    parser.add_argument("--accounts", type=int, default=100, help="accounts asked admins first (default 100)")
    parser.add_argument("--roles", type=int, default=30, help="roles asked whoCanAssume (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", nargs=2, type=Path, metavar="FILE", help="compare two files of digests")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.data_dir is None:
        parser.error("--data-dir is required (or --compare A B)")
    accounts, roles = _accounts_and_roles(args.data_dir)
    if not accounts:
        parser.error(f"{args.data_dir}: no gaad-*.json files (run bench/generate.py first)")
    asked = sampled(accounts, roles, args.accounts, args.roles, random.Random(args.seed))
    if args.out is None:
        asyncio.run(digests(*asked, sys.stdout))
    else:
        with args.out.open("w", encoding="utf-8") as out:
            asyncio.run(digests(*asked, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
