"""API latency benchmark over HTTP: whoCanAssume and whoCan on the loaders benchmark's 10k-role account.

    .venv/bin/python bench/bench_api.py [--requests 200] [--roles 10000 ...] [--skip-load]

Generates the synthetic account (bench/synthetic_account.py), loads it with `accessgraph load`, starts
`accessgraph serve` (production mode) on a free loopback port, sends sequential GraphQL requests and prints
p50/p95/p99 per question. Targets (issue "Reachability over GraphQL"): whoCanAssume p50 < 50 ms, whoCan
p50 < 300 ms. Uses the Neo4j `accessgraph` resolves (NEO4J_URI, else the local server).

The server runs with its answer cache off (ACCESSGRAPH_ANSWER_CACHE=0): every figure is a computation.
whoCan is measured on three series: the first benchmark's resources (S3 objects, else `*`), fresh
resources of the account (ARNs that account-specific statements can match: larger answers), and
whoCanPage(first: 100) on fresh resources (every group is decided for the total count; only the page's
answers are made).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ACCESSGRAPH, describe, post, served_api
from bench.synthetic_account import ACCOUNT_ID, Size, write

ACTIONS = (
    "s3:GetObject",
    "s3:DeleteObject",
    "ec2:RunInstances",
    "dynamodb:PutItem",
    "sqs:SendMessage",
    "iam:PassRole",
    "kms:Decrypt",
    "lambda:InvokeFunction",
)


def main() -> int:
    parser = argparse.ArgumentParser(description="accessgraph API latency benchmark")
    defaults = Size()
    for name in ("roles", "users", "groups", "policies", "aws_policies"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--requests", type=int, default=200, help="requests per question")
    parser.add_argument("--skip-load", action="store_true", help="the account is already loaded")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    size = Size(args.roles, args.users, args.groups, args.policies, args.aws_policies)
    with tempfile.TemporaryDirectory() as folder:
        gaad = Path(folder) / f"gaad-{ACCOUNT_ID}.json"
        write(gaad, size, seed=args.seed)
        document = json.loads(gaad.read_text())
        roles = [role["Arn"] for role in document["RoleDetailList"]]
        if not args.skip_load:
            started = time.perf_counter()
            subprocess.run([ACCESSGRAPH, "load", "--quiet", str(gaad)], check=True)
            print(f"loaded {len(roles)} roles in {time.perf_counter() - started:.1f} s")
    os.environ["ACCESSGRAPH_ANSWER_CACHE"] = "0"  # measure the computation, never a remembered answer
    with served_api() as api:
        rng = random.Random(args.seed)
        fields = "principal { arn } conditionText paths { steps { kind via } }"
        assume_query = f"query($r: String!) {{ whoCanAssume(roleArn: $r) {{ {fields} }} }}"
        who_query = (
            "query($a: String!, $r: String!) { whoCan(action: $a, resource: $r, limit: 10000) "
            "{ principal { arn } conditionText paths { steps { kind via } } } }"
        )
        post(api.url, assume_query, {"r": roles[0]})  # warm the connection pool and the parse cache
        assume: list[float] = []
        sizes: list[int] = []
        for arn in rng.sample(roles, min(args.requests, len(roles))):
            started = time.perf_counter()
            answer = post(api.url, assume_query, {"r": arn})
            assume.append(time.perf_counter() - started)
            sizes.append(len(answer["whoCanAssume"]))
        print(f"whoCanAssume  {describe(assume)}  answers/role: mean {statistics.mean(sizes):.1f}")
        page_query = (
            "query($a: String!, $r: String!) { whoCanPage(action: $a, resource: $r, first: 100) "
            "{ totalCount items { principal { arn } conditionText paths { steps { kind via } } } } }"
        )
        series = (
            ("whoCan (S3 objects, *)", who_query, "whoCan", _session_one_resource),
            ("whoCan (fresh ARNs)", who_query, "whoCan", _fresh_resource),
            ("whoCanPage 100 (fresh)", page_query, "whoCanPage", lambda action, i: _fresh_resource(action, i + 10**6)),
        )
        for label, query, field, resource_of in series:
            who: list[float] = []
            sizes = []
            for i in range(args.requests):
                action = ACTIONS[i % len(ACTIONS)]
                started = time.perf_counter()
                answer = post(api.url, query, {"a": action, "r": resource_of(action, i)})
                who.append(time.perf_counter() - started)
                found = answer[field]
                sizes.append(found["totalCount"] if field == "whoCanPage" else len(found))
            print(f"{label:24s}{describe(who)}  principals/answer: mean {statistics.mean(sizes):.0f}")
    return 0


def _session_one_resource(action: str, i: int) -> str:
    """The first benchmark's mix: an S3 object for S3 actions, else `*` (the same question recurs: this
    series runs with the answer cache off, ACCESSGRAPH_ANSWER_CACHE=0, so each is computed)."""
    return f"arn:aws:s3:::bucket-{i}/key" if action.startswith("s3") else "*"


def _fresh_resource(action: str, i: int) -> str:
    """A resource of the action's service that no earlier request named (the API remembers answers per
    question until the next load; a benchmark of the computation must not ask the same one twice)."""
    service = action.split(":", 1)[0]
    if service == "s3":
        return f"arn:aws:s3:::bucket-{i}/key-{i}"
    if service == "iam":
        return f"arn:aws:iam::{ACCOUNT_ID}:role/passed-{i}"
    return f"arn:aws:{service}:us-east-1:{ACCOUNT_ID}:app-{i % 1000}/item-{i}"


if __name__ == "__main__":
    sys.exit(main())
