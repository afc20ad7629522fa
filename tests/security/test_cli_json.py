"""Issue #12: who-can and who-can-assume skip Strawberry, yet `--format json` stays exactly the GraphQL
`Access` answer to the same question (same fields, values, order and formatting)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import neo4j
import pytest

from loaders.pipeline import plan_from_paths, write_plan
from service.cli import main
from service.cli.questions import WHO_CAN, WHO_CAN_ASSUME, run_query
from service.database import apply_schema
from tests.conftest import empty_database
from tests.support.samples import EXAMPLES

CONTRACTOR = "arn:aws:iam::111111111111:role/ContractorAccess"
T = TypeVar("T")


def off_loop(call: Callable[[], T]) -> T:
    """Run `call` in a thread of its own: the CLI's asyncio.run needs a thread without a running event loop,
    and the e2e tests' Playwright keeps one running in the main thread for the rest of the session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.fixture(scope="module")
def demo(neo4j_driver: neo4j.Driver) -> neo4j.Driver:
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    write_plan(neo4j_driver, plan_from_paths([EXAMPLES]))
    return neo4j_driver


@pytest.mark.parametrize("max_hops", [1, 2])
def test_who_can_assume_json_is_the_graphql_answer(
    demo: neo4j.Driver, capsys: pytest.CaptureFixture[str], max_hops: int
) -> None:
    assert off_loop(lambda: main(["who-can-assume", CONTRACTOR, "--max-hops", str(max_hops), "--format", "json"])) == 0
    variables = {"roleArn": CONTRACTOR, "maxHops": max_hops, "limit": 10000}
    graphql = off_loop(lambda: run_query(WHO_CAN_ASSUME, variables))["whoCanAssume"]
    assert graphql  # a question with answers, conditions and paths
    assert capsys.readouterr().out == json.dumps(graphql, indent=2) + "\n"


@pytest.mark.parametrize(
    ("action", "resource", "max_hops", "account"),
    [
        ("sts:AssumeRole", CONTRACTOR, 0, None),
        ("sns:Publish", "arn:aws:sns:us-east-1:111111111111:webapp-orders", 1, None),
        ("s3:GetObject", "arn:aws:s3:::webapp-contractor-assets/report.csv", 1, "111111111111"),
        ("iam:PassRole", CONTRACTOR, 2, None),
    ],
)
def test_who_can_json_is_the_graphql_answer(
    demo: neo4j.Driver,
    capsys: pytest.CaptureFixture[str],
    action: str,
    resource: str,
    max_hops: int,
    account: str | None,
) -> None:
    argv = ["who-can", action, resource, "--max-hops", str(max_hops), "--format", "json"]
    assert off_loop(lambda: main(argv + (["--resource-account", account] if account else []))) == 0
    variables = {"action": action, "resource": resource, "maxHops": max_hops, "resourceAccount": account}
    variables["limit"] = 10000
    graphql = off_loop(lambda: run_query(WHO_CAN, variables))["whoCan"]
    assert graphql
    assert capsys.readouterr().out == json.dumps(graphql, indent=2) + "\n"
