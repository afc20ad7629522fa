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
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic_account import ACCOUNT_ID, Size, write  # noqa: E402

ACCESSGRAPH = str(Path(sys.executable).with_name("accessgraph"))
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(port: int, query: str, variables: dict[str, object]) -> dict[str, object]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback only
        answer: dict[str, object] = json.loads(response.read())
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL errors: {answer['errors']}")
    return answer


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"p50 {cut[49] * 1000:7.1f} ms  p95 {cut[94] * 1000:7.1f} ms  p99 {cut[98] * 1000:7.1f} ms  (n={len(samples)})"
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
    port = free_port()
    server = subprocess.Popen(
        [ACCESSGRAPH, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)  # 503 until warmed up
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(args.seed)
        fields = "principal { arn } conditionText paths { steps { kind via } }"
        assume_query = f"query($r: String!) {{ whoCanAssume(roleArn: $r) {{ {fields} }} }}"
        who_query = (
            "query($a: String!, $r: String!) { whoCan(action: $a, resource: $r, limit: 10000) "
            "{ principal { arn } conditionText paths { steps { kind via } } } }"
        )
        post(port, assume_query, {"r": roles[0]})  # warm the connection pool and the parse cache
        assume: list[float] = []
        sizes: list[int] = []
        for arn in rng.sample(roles, min(args.requests, len(roles))):
            started = time.perf_counter()
            answer = post(port, assume_query, {"r": arn})
            assume.append(time.perf_counter() - started)
            sizes.append(len(answer["data"]["whoCanAssume"]))  # type: ignore[index]
        print(f"whoCanAssume  {percentiles(assume)}  answers/role: mean {statistics.mean(sizes):.1f}")
        who: list[float] = []
        sizes = []
        for i in range(args.requests):
            action = ACTIONS[i % len(ACTIONS)]
            resource = f"arn:aws:s3:::bucket-{rng.randrange(100)}/key" if action.startswith("s3") else "*"
            started = time.perf_counter()
            answer = post(port, who_query, {"a": action, "r": resource})
            who.append(time.perf_counter() - started)
            sizes.append(len(answer["data"]["whoCan"]))  # type: ignore[index]
        print(f"whoCan        {percentiles(who)}  principals/answer: mean {statistics.mean(sizes):.0f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
