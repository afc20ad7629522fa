"""bench_scale.py's history phase: the store's growth per load, and a reload of every account with 1% of its
entities changed followed by `accessgraph diff` for the whole organization (issue #17's 10 s goal).

1% changed: every 100th user leaves (or joins) a group, every 100th customer managed policy gains a statement
in its default version, every 100th role's trust policy gains a statement trusting one user of its account (by ARN); the
same seed, the same changes."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ACCESSGRAPH

EXTRA = {"Sid": "BenchChanged", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}


def store(driver: Any, database: str) -> dict[str, int]:
    from service.cypher import query

    records, _, _ = driver.execute_query(query("history_store_size"), database_=database)
    return {key: int(value or 0) for key, value in dict(records[0]).items()}


def _growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in after}


def change_one_percent(source: Path, target: Path) -> dict[str, int]:
    """Copy the organization in `source` to `target` with 1% of each account's entities changed."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    counts = {"users": 0, "policies": 0, "roles": 0}
    for path in sorted(target.glob("gaad-*.json")):
        gaad = json.loads(path.read_text(encoding="utf-8"))
        groups = [g["GroupName"] for g in gaad.get("GroupDetailList", [])]
        for user in gaad.get("UserDetailList", [])[::100]:
            joined = user.get("GroupList", [])
            user["GroupList"] = joined[:-1] if joined else groups[:1]
            counts["users"] += 1
        for policy in [p for p in gaad.get("Policies", []) if ":aws:policy/" not in p["Arn"]][::100]:
            for version in policy.get("PolicyVersionList", []):
                document = version.get("Document")
                if version.get("IsDefaultVersion") and isinstance(document, dict):
                    statements = document.get("Statement")
                    document["Statement"] = [*(statements if isinstance(statements, list) else [statements]), EXTRA]
                    counts["policies"] += 1
        users = [u["Arn"] for u in gaad.get("UserDetailList", [])]
        for index, role in enumerate(gaad.get("RoleDetailList", [])[::100]):
            trust = role.get("AssumeRolePolicyDocument")
            if users and isinstance(trust, dict) and not role.get("Path", "/").startswith("/aws-service-role/"):
                statements = trust.get("Statement")
                statements = statements if isinstance(statements, list) else [statements]
                trust["Statement"] = [*statements, {"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"AWS": users[index % len(users)]}}]
                counts["roles"] += 1
        path.write_text(json.dumps(gaad), encoding="utf-8")
    return counts


def history_phase(
    folder: Path, measure_load: Callable[[list[Path]], dict[str, Any]], driver: Any, database: str
) -> dict[str, Any]:
    """Reload unchanged (growth of a load that changes nothing), then reload with 1% changed and diff."""
    start = store(driver, database)
    unchanged = measure_load([folder])
    after_unchanged = store(driver, database)
    changed_folder = folder.parent / f"{folder.name}-changed"
    changed = change_one_percent(folder, changed_folder)
    since = after_unchanged_time(driver, database)
    reload = measure_load([changed_folder])
    after_changed = store(driver, database)
    started = time.perf_counter()
    diff = subprocess.run([ACCESSGRAPH, "diff", "--since", since, "--format", "json"], capture_output=True,
                          text=True, check=False)
    diff_seconds = time.perf_counter() - started
    if diff.returncode != 0:
        raise RuntimeError(f"accessgraph diff failed ({diff.returncode}): {diff.stderr[-2000:]}")
    result = json.loads(diff.stdout)
    return {
        "storeBefore": start,
        "unchangedReload": {"wallSeconds": unchanged["wallSeconds"], "growth": _growth(start, after_unchanged)},
        "changed": changed,
        "changedReload": {"wallSeconds": reload["wallSeconds"], "growth": _growth(after_unchanged, after_changed)},
        "diff": {"wallSeconds": round(diff_seconds, 2), **{k: len(result[k]) for k in (
            "entities", "documents", "trusts", "memberships", "attachments", "access")}},
    }


def after_unchanged_time(driver: Any, database: str) -> str:
    """The time of the newest recorded load: `diff --since` it compares the changed reload with it."""
    from service.cypher import query

    records, _, _ = driver.execute_query(query("history_newest_time"), database_=database)
    return str(records[0]["time"])
