"""Every role's direct assumers worked out at once (service/reachability/edges), timed, and checked against
the role-by-role path (`Assumers.direct_parts`), against the graph already loaded (NEO4J_* as for `serve`).

    python bench/check_edges.py [--sample N] [--seed S]

It prints, as JSON lines: the time to read the organization (the principal index and every role with its
trust policy), the time of the bulk evaluation with its sizes (roles, signature classes, class-role and
principal-role pairs), and the roles checked with the mismatches (each named). Exit code 1 on a mismatch.
At 100k principals every role (the default) takes about two minutes more than the evaluation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.reachability.edges import AssumeEdges, assume_edges, indices
from service.reachability.index import PrincipalIndex
from service.reachability.who_can_assume import Assumers

ROLES_READ_AT_ONCE = 10_000


def _print(**figures: Any) -> None:
    print(json.dumps(figures), flush=True)


def _transposed(edges: AssumeEdges) -> tuple[list[list[int]], list[list[int]], int]:
    """For each role, the classes that assume it whole and those whose unloaded-policy members do."""
    every: list[list[int]] = [[] for _ in edges.roles]
    some: list[list[int]] = [[] for _ in edges.roles]
    pairs = 0
    for number, (whole, unknown) in enumerate(zip(edges.assume, edges.unknown, strict=True)):
        for role in indices(whole):
            every[role].append(number)
        for role in indices(unknown):
            some[role].append(number)
        pairs += whole.bit_count()
    return every, some, pairs


async def _check(sample: int | None, seed: int) -> int:
    reader = GraphReader(Neo4jSettings.resolve(), timeout=3600.0)
    try:
        started = time.perf_counter()
        index = PrincipalIndex()
        await index.accounts(reader, await index.generation(reader))
        await index.prepare()
        assumers = Assumers(index.view(reader))
        entries = await assumers.view.entries(None)
        roles = sorted(arn for entry in entries.values() for arn, p in entry.profiles.items() if p.kind == "role")
        for start in range(0, len(roles), ROLES_READ_AT_ONCE):
            await assumers.read_roles(roles[start : start + ROLES_READ_AT_ONCE])
        _print(machine=machine(), read_seconds=round(time.perf_counter() - started, 1), roles=len(roles))
        started = time.perf_counter()
        edges = await assume_edges(assumers, entries)
        seconds = round(time.perf_counter() - started, 2)
        every, some, pairs = _transposed(edges)
        _print(bulk_seconds=seconds, signature_classes=len(edges.classes), class_role_pairs=pairs)
        checked = sorted(random.Random(seed).sample(roles, sample)) if sample else roles
        mismatched, edge_count = [], 0
        started = time.perf_counter()
        for arn in checked:
            number = edges.index[arn]
            found = set(edges.alone.get(number, ()))
            for k in every[number]:
                found |= edges.classes[k].arns
            for k in some[number]:
                found.update(entry.arn for entry in edges.classes[k].unknown)
            found.discard(arn)
            parts = await assumers.direct_parts(arn)
            wanted = set() if parts is None else {access.principal.arn for access in parts.ready}
            wanted.update(entry.arn for members in (parts.pending if parts else ()) for entry in members.entries())
            wanted.discard(arn)
            edge_count += len(wanted)
            if found != wanted:
                missing, extra = sorted(wanted - found)[:5], sorted(found - wanted)[:5]
                mismatched.append({"role": arn, "missing": missing, "extra": extra})
        _print(
            checked=len(checked),
            principal_role_pairs=edge_count,
            role_by_role_seconds=round(time.perf_counter() - started, 1),
            mismatched=len(mismatched),
        )
        for mismatch in mismatched[:20]:
            _print(mismatch=mismatch)
        return 1 if mismatched else 0
    finally:
        await reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, help="check this many roles, drawn at random (default: every role)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    return asyncio.run(_check(args.sample, args.seed))


if __name__ == "__main__":
    sys.exit(main())
