"""Decisions per second of the IAM evaluator, on one core.

A principal with 5 identity policies of 5 statements each (wildcard and exact actions, wildcard
resources, one Deny per policy), asked 64 different questions in rotation. Three runs: statements
without conditions; with conditions and a complete request context; with conditions and an unknown
context (graph questions: the answers come back conditional). Rates are per CPU-second of this process,
so a busy machine does not understate them; wall-clock rates are shown alongside.

    .venv/bin/python bench/bench_evaluator.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from service.evaluation import Policy, Request, evaluate, parse_policy, principal_from_arn

ACCOUNT = "111111111111"
SERVICES = {
    "s3": ["GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketPolicy"],
    "ec2": ["RunInstances", "DescribeInstances", "TerminateInstances", "StartInstances"],
    "iam": ["PassRole", "GetRole", "CreateUser", "ListUsers"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey"],
    "sqs": ["SendMessage", "ReceiveMessage"],
}
RESOURCES = {
    "s3": "arn:aws:s3:::bucket-{n}/data/{n}/file.csv",
    "ec2": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{{n}}",
    "iam": f"arn:aws:iam::{ACCOUNT}:role/app-{{n}}",
    "kms": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{{n}}",
    "sqs": f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{{n}}",
}
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringLike": {"aws:RequestedRegion": "us-*"}},
    {"NumericLessThan": {"s3:max-keys": "1000"}, "StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}},
]


def build_policies(rng: random.Random, *, with_conditions: bool) -> list[Policy]:
    policies = []
    services = list(SERVICES)
    for p in range(5):
        statements: list[dict[str, Any]] = []
        for s in range(5):
            service = services[(p + s) % len(services)]
            names = SERVICES[service]
            action: str | list[str] = (
                f"{service}:{rng.choice(names)[:3]}*" if s % 2 else [f"{service}:{n}" for n in rng.sample(names, 2)]
            )
            resource = RESOURCES[service].format(n="*") if s != 3 else "*"
            statement: dict[str, Any] = {
                "Sid": f"S{p}{s}",
                "Effect": "Deny" if s == 4 else "Allow",
                "Action": action,
                "Resource": resource if s != 4 else RESOURCES[service].format(n=7),
            }
            if with_conditions:
                statement["Condition"] = CONDITIONS[(p + s) % len(CONDITIONS)]
            statements.append(statement)
        policies.append(parse_policy({"Version": "2012-10-17", "Statement": statements}, name=f"policy-{p}"))
    return policies


def build_requests(rng: random.Random, *, context: dict[str, tuple[str, ...]], complete: bool) -> list[Request]:
    alice = principal_from_arn(f"arn:aws:iam::{ACCOUNT}:user/alice", tags={"team": "red"})
    requests = []
    for i in range(64):
        service = rng.choice(list(SERVICES))
        action = f"{service}:{rng.choice(SERVICES[service])}"
        resource = RESOURCES[service].format(n=i % 9)
        requests.append(Request(alice, action, resource, context=context, context_complete=complete))
    return requests


def rate(decide: Callable[[Request], object], requests: list[Request], seconds: float) -> tuple[float, float]:
    """Decisions per CPU-second of this process (what one core delivers, whatever else runs on the
    machine) and per wall-clock second."""
    for request in requests:  # warm the compiled-pattern caches
        decide(request)
    done, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.process_time() - cpu < seconds:
        for request in requests:
            decide(request)
        done += len(requests)
    return done / (time.process_time() - cpu), done / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per run (default 2)")
    args = parser.parse_args()
    rng = random.Random(7)
    plain = build_policies(rng, with_conditions=False)
    conditional = build_policies(rng, with_conditions=True)
    full_context = {
        "aws:SourceIp": ("10.1.2.3",),
        "aws:SecureTransport": ("true",),
        "aws:RequestedRegion": ("us-east-1",),
        "s3:max-keys": ("100",),
    }
    runs = [
        ("5 policies x 5 statements, no conditions", plain, {}, False),
        ("5 policies x 5 statements, conditions, complete context", conditional, full_context, True),
        ("5 policies x 5 statements, conditions, unknown context", conditional, {}, False),
    ]
    for label, policies, context, complete in runs:
        requests = build_requests(random.Random(11), context=context, complete=complete)
        outcomes: dict[str, int] = {}
        for request in requests:
            decision = evaluate(request, identity_policies=policies)
            key = decision.decision + (" (conditional)" if decision.condition is not None else "")
            outcomes[key] = outcomes.get(key, 0) + 1
        per_cpu, per_wall = rate(lambda r, p=policies: evaluate(r, identity_policies=p), requests, args.seconds)
        mix = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
        print(f"{label:56s} {per_cpu:>9,.0f} decisions/s CPU ({per_wall:,.0f}/s wall)  [{mix}]")


if __name__ == "__main__":
    main()
