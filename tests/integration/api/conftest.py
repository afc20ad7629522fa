from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import pytest

from service.cli import main
from service.cli.questions import WHO_CAN, WHO_CAN_ASSUME, run_query

ROOT = Path(__file__).resolve().parents[3]
Load = Callable[..., None]


@pytest.fixture
def load(graph: neo4j.Driver) -> Load:
    """Load GAAD files and organization snapshots into the (emptied) test graph with `accessgraph load`."""

    def _load(*paths: Path | str) -> None:
        assert main(["load", "--quiet", *map(str, paths)]) == 0

    return _load


@pytest.fixture
def demo(load: Load) -> None:
    load(ROOT / "examples")


def who_can_assume(role_arn: str, max_hops: int = 1) -> dict[str, dict[str, Any]]:
    answers = run_query(WHO_CAN_ASSUME, {"roleArn": role_arn, "maxHops": max_hops, "limit": 10000})["whoCanAssume"]
    return {a["principal"]["arn"]: a for a in answers}


def who_can(
    action: str, resource: str, max_hops: int = 0, resource_account: str | None = None
) -> dict[str, dict[str, Any]]:
    variables = {
        "action": action,
        "resource": resource,
        "maxHops": max_hops,
        "limit": 10000,
        "resourceAccount": resource_account,
    }
    return {a["principal"]["arn"]: a for a in run_query(WHO_CAN, variables)["whoCan"]}
