"""This wave's questions at scale, against a graph already loaded from `bench/generate.py` output.

    python bench/generate.py --principals 100000 --out bench/data/100000 --security
    accessgraph load bench/data/100000
    python bench/bench_questions.py --data-dir bench/data/100000

It serves the API (`accessgraph serve`, as bench_scale.py does) and measures, each as first (cold: the work
a generation does once) and then repeated (p50/p95/p99 in ms):
  escalation index build seconds, at the API's warm-up                             (#13: < 22 s)
  admins(accountId, escalation: true)                    per account               (#13: p99 < 1 s)
  whoCanAssume(role, escalation: true, maxHops: 3)        roles sampled              (#13: p99 < 500 ms)
  whoCan(s3:GetObject, object of a cross-account bucket)  buckets sampled            (#14: p99 < 200 ms)
and times the organization-wide CLI reviews end to end, as a CI job runs them:
  accessgraph resource-review --format json                                         (#14: < 10 s)
  accessgraph audit --format json                                                   (#16: < 10 s)
Figures are printed as JSON (and written to --results-dir). The API's question timeout (30 s) applies.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ACCESSGRAPH, GraphQLFailure, machine, percentiles, post, served_api

ADMINS = """query($a: String) { adminsPage(accountId: $a, escalation: true, maxHops: 3, first: 100) { totalCount } }"""
ASSUME = """query($r: String!) {
  whoCanAssumePage(roleArn: $r, maxHops: 3, escalation: true, first: 100) { totalCount } }"""
WHO_CAN = """query($a: String!, $r: String!) { whoCanPage(action: $a, resource: $r, first: 100) { totalCount } }"""
FINDINGS = """query { findings(first: 100) { totalCount items { category entity { arn } } } }"""


def _accounts_and_roles(data: Path) -> tuple[list[str], list[str]]:
    accounts, roles = [], []
    for path in sorted(data.glob("gaad-*.json")):
        gaad = json.loads(path.read_text(encoding="utf-8"))
        accounts.append(path.stem.removeprefix("gaad-"))
        roles += [role["Arn"] for role in gaad["RoleDetailList"] if "/aws-service-role/" not in role["Path"]]
    return accounts, roles


def sampled(
    accounts: list[str], roles: list[str], n_accounts: int, n_roles: int, rng: random.Random
) -> tuple[list[str], list[str]]:
    """The accounts asked `admins` and the roles asked `whoCanAssume`, the first two samples of `rng` (`main`
    draws its own with it, and in-process scripts, given `random.Random(seed)`, ask the same questions in the
    same order)."""
    return rng.sample(accounts, min(n_accounts, len(accounts))), rng.sample(roles, min(n_roles, len(roles)))


def _cross_account_buckets(data: Path) -> list[str]:
    """Buckets whose policy names an account other than their own."""
    found = []
    for path in sorted(data.glob("resources-*.json")):
        snapshot = json.loads(path.read_text(encoding="utf-8"))
        own = snapshot["AccountId"]
        for resource in snapshot["Resources"]:
            policy = resource.get("Policy")
            text = policy if isinstance(policy, str) else json.dumps(policy or {})
            if resource["Type"] == "AWS::S3::Bucket" and ":root" in text and f"::{own}:root" not in text:
                found.append(resource["Arn"])
    return found


def _timed(url: str, query: str, variables: dict[str, Any]) -> float:
    started = time.perf_counter()
    post(url, query, variables, timeout=300)
    return time.perf_counter() - started


def _series(url: str, query: str, variables: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    """The first ask of each (cold), then `repeat` rounds over all of them."""
    cold = [_timed(url, query, v) for v in variables]
    warm = [_timed(url, query, v) for _ in range(repeat) for v in variables]
    # (the slowest cold asks, in the order asked, with what was asked: which question a percentile stands for)
    slowest = sorted(sorted(range(len(cold)), key=lambda i: -cold[i])[:5])
    return {"asked": len(variables), "cold": percentiles(cold), "warm": percentiles(warm),
            "slowestCold": [{"asked": i + 1, "ms": round(cold[i] * 1000, 1), **variables[i]} for i in slowest]}


def _escalation_index_seconds(server_log: Path) -> float | None:
    """What the API's warm-up spent on the escalation index (#13: < 50% of the IAM load), from its log."""
    text = server_log.read_text(encoding="utf-8", errors="replace")
    found = re.findall(r"escalation index built in ([0-9.]+) s", text)
    return float(found[-1]) if found else None


def _precompute_seconds(server_log: Path) -> float | None:
    """The seconds from the start of the worker working out every role's direct assumers to every principal's
    ways in numbered (within the escalation index's time: the index is prepared beside it)."""
    text = server_log.read_text(encoding="utf-8", errors="replace")
    found = re.findall(r"escalation ways in worked out ahead for [0-9]+ principals in ([0-9.]+) s", text)
    return float(found[-1]) if found else None


def _cli(*args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([ACCESSGRAPH, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    items = json.loads(done.stdout) if done.stdout.strip().startswith("[") else None
    return {"command": " ".join(["accessgraph", *args]), "seconds": round(seconds, 2), "exit": done.returncode,
            "items": None if items is None else len(items), "stderr": done.stderr[-300:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="the generate.py output that is loaded")
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--accounts", type=int, default=5, help="accounts asked admins (default 5)")
    parser.add_argument("--roles", type=int, default=30, help="roles asked whoCanAssume (default 30)")
    parser.add_argument("--buckets", type=int, default=30, help="buckets asked whoCan (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="warm rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-precompute-escalation", action="store_true",
                        help="serve with ACCESSGRAPH_ESCALATION_PRECOMPUTE=0: whoCanAssume with escalation walks as "
                        "before, without every role's direct assumers worked out at warm-up (the default works them "
                        "out, in a second process beside the escalation index, whose time then holds both)")
    parser.add_argument("--only", choices=["audit"], help="measure only this question (#16: the CLI and findings)")
    args = parser.parse_args(argv)
    if args.only == "audit":
        return _audit_only(args)
    accounts, roles = _accounts_and_roles(args.data_dir)
    if not accounts:
        parser.error(f"{args.data_dir}: no gaad-*.json files (run bench/generate.py first)")
    rng = random.Random(args.seed)
    buckets = _cross_account_buckets(args.data_dir)
    figures: dict[str, Any] = {"machine": machine(), "dataDir": str(args.data_dir), "accounts": len(accounts),
                               "roles": len(roles), "crossAccountBuckets": len(buckets)}
    asked_accounts, asked_roles = sampled(accounts, roles, args.accounts, args.roles, rng)
    series = [
        ("admins", ADMINS, [{"a": a} for a in asked_accounts]),
        ("whoCanAssumeEscalation", ASSUME, [{"r": r} for r in asked_roles]),
        ("whoCanBucket", WHO_CAN, [{"a": "s3:GetObject", "r": f"{b}/reports/q1.csv"}
                                   for b in rng.sample(buckets, min(args.buckets, len(buckets)))]),
    ]
    server_log = args.results_dir / "tmp" / "bench-questions-serve.log"  # (a run's log, not a result)
    server_log.parent.mkdir(parents=True, exist_ok=True)
    # (At 100k principals the warm-up reads the organization for a minute or two before it answers.)
    precompute = not args.no_precompute_escalation
    os.environ["ACCESSGRAPH_ESCALATION_PRECOMPUTE"] = "1" if precompute else "0"  # (the served API's environment)
    figures["precomputeEscalation"] = precompute
    with served_api(log=server_log, ready_within=900) as api:
        # (#13's budget: under 50% of the IAM load, 22 s at 100k; with the precomputation, this time holds it)
        figures["escalationIndexBuildSeconds"] = _escalation_index_seconds(server_log)
        print(json.dumps({"escalation index build seconds": figures["escalationIndexBuildSeconds"]}), flush=True)
        if precompute:  # (the seconds since its worker started: within the index's time, not to be added)
            figures["escalationPrecomputeSeconds"] = _precompute_seconds(server_log)
            print(json.dumps({"of which with the ways in worked out beside it":
                              figures["escalationPrecomputeSeconds"]}), flush=True)
        for name, query, variables in series:
            if not variables:
                continue
            try:
                figures[name] = _series(api.url, query, variables, args.repeat)
            except GraphQLFailure as exc:  # a question past the API's 30 s: say so, measure the others
                figures[name] = {"failure": str(exc)[:300]}
            print(json.dumps({name: figures[name]}), flush=True)
    figures["resourceReview"] = _cli("resource-review", "--format", "json")
    print(json.dumps({"resourceReview": figures["resourceReview"]}), flush=True)
    figures["audit"] = _cli("audit", "--format", "json")
    print(json.dumps({"audit": figures["audit"]}), flush=True)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"questions-{len(roles)}-roles-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 1 if any("failure" in figures[name] for name, _, _ in series if name in figures) else 0


def _audit_only(args: argparse.Namespace) -> int:
    """#16 alone: the organization's audit as the CLI prints it (json, table) and the first page of the API's
    `findings`, first asked (the principal index and the audit worked out) and then again (remembered)."""
    figures: dict[str, Any] = {"machine": machine(), "dataDir": str(args.data_dir)}
    figures["audit"] = _cli("audit", "--format", "json")
    figures["auditTable"] = _cli("audit", "--format", "table")
    with served_api() as api:
        figures["findingsPage"] = _series(api.url, FINDINGS, [{}], args.repeat)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"questions-audit-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
