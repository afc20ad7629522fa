"""bench/bench_scale.py's parts: the questions it draws, its percentiles, and its measured load."""

from __future__ import annotations

import os
import random
from pathlib import Path

import neo4j
import pytest

from bench import scale_workload as workload
from bench.bench_scale import _measure_load
from bench.common import memory, percentiles
from bench.generate import generate
from loaders.pipeline import plan_from_paths
from service.database import apply_schema
from tests.conftest import empty_database


def test_the_catalog_lists_every_generated_role_and_every_whocan_names_a_fresh_resource(tmp_path: Path) -> None:
    result = generate(tmp_path, 400, accounts=3, seed=8)
    accounts = workload.catalog(tmp_path)
    assert sorted(arn for account in accounts for arn in account.roles) == sorted(result.role_arns)
    assert all(account.teams for account in accounts)
    rng = random.Random(1)  # noqa: S311 - drawing benchmark questions, not secrets
    questions = [workload.who_can(rng, accounts).variables for _ in range(200)]
    assert len({q["resource"] for q in questions}) == len(questions)
    for question in questions:  # an S3 ARN names no account: the question says whose bucket it is
        owner = question["resource"].split(":::", 1)[1].split("-", 1)[0] if question["action"][:3] == "s3:" else None
        assert question["resourceAccount"] == owner
    roles = {workload.who_can_assume(rng, accounts).variables["role"] for _ in range(200)}
    assert roles <= set(result.role_arns) and len(roles) > 100
    kinds = {workload.mixed(rng, accounts).kind for _ in range(200)}
    assert kinds == set(workload.QUESTIONS)


def test_the_catalog_of_an_empty_folder_says_to_generate_first(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="generate them first"):
        workload.catalog(tmp_path)


def test_percentiles_are_order_statistics_in_milliseconds() -> None:
    samples = [n / 1000 for n in range(1, 101)]  # 1 ms ... 100 ms
    figures = percentiles(list(reversed(samples)))
    assert figures == {"p50": 50.5, "p95": 95.1, "p99": 99.0, "max": 100.0, "n": 100}
    assert percentiles([0.25]) == {"p50": 250.0, "p95": 250.0, "p99": 250.0, "max": 250.0, "n": 1}
    assert percentiles([]) == {}


def test_memory_reads_this_process() -> None:
    mine = memory(os.getpid())
    assert mine is not None and 0 < mine["rssMiB"] <= mine["peakMiB"]
    assert memory(None) is None


def test_the_measured_load_counts_what_accessgraph_load_wrote(neo4j_driver: neo4j.Driver, tmp_path: Path) -> None:
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    generate(tmp_path, 300, accounts=3, seed=6)
    figures = _measure_load([tmp_path])
    assert figures["accountsLoaded"] == 3
    assert figures["entities"] == sum(account.entity_count for account in plan_from_paths([tmp_path]).accounts)
    assert figures["loaderPeakMiB"] > 0 and figures["wallSeconds"] > 0
    assert figures["neo4j"] is None  # the tests' server is named by NEO4J_URI: not ours to read
