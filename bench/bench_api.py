"""API latency benchmark over HTTP: whoCanAssume and whoCan on the loaders benchmark's 10k-role account.

    .venv/bin/python bench/bench_api.py [--requests 200] [--roles 10000 ...] [--skip-load]

Generates the synthetic account (bench/synthetic_account.py), loads it with `accessgraph load`, starts
`accessgraph serve` (production mode) on a free loopback port, sends sequential GraphQL requests and prints
p50/p95/p99 per question. Targets (issue "Reachability over GraphQL"): whoCanAssume p50 < 50 ms, whoCan
p50 < 300 ms. Uses the Neo4j `accessgraph` resolves (NEO4J_URI, else the local server).
"""

from __future__ import annotations

import argparse
import json
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
        who: list[float] = []
        sizes = []
        for i in range(args.requests):
            action = ACTIONS[i % len(ACTIONS)]
            resource = f"arn:aws:s3:::bucket-{rng.randrange(100)}/key" if action.startswith("s3") else "*"
            started = time.perf_counter()
            answer = post(api.url, who_query, {"a": action, "r": resource})
            who.append(time.perf_counter() - started)
            sizes.append(len(answer["whoCan"]))
        print(f"whoCan        {describe(who)}  principals/answer: mean {statistics.mean(sizes):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
