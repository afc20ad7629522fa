"""`accessgraph load` of a resource snapshot killed with SIGKILL in the middle of its transaction (after the
account's previous resources were deleted in it): the previous resources are intact, the next load goes
through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
import pytest

from loaders.pipeline import plan_from_paths, write_plan
from tests.support.graph_state import graph_state, one
from tests.support.kill import load_killed_midway
from tests.support.samples import write_json

pytestmark = pytest.mark.neo4j
ACCOUNT = "999000000007"


def queues(count: int, principal: str) -> dict[str, Any]:
    def queue(index: int) -> dict[str, Any]:
        arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{index:05d}"
        return {"Arn": arn, "Type": "AWS::SQS::Queue", "Region": "us-east-1", "Policy": {
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sqs:SendMessage", "Resource": arn},
                {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                 "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{ACCOUNT}:*"}}}]}}

    return {"AccountId": ACCOUNT, "AccountPublicAccessBlock": None, "Resources": [queue(i) for i in range(count)]}


def test_sigkill_midway_leaves_the_previous_resources(graph: neo4j.Driver, tmp_path: Path) -> None:
    previous = write_json(tmp_path / "previous.json", queues(200, "arn:aws:iam::222222222222:root"))
    bigger = write_json(tmp_path / "bigger.json", queues(4000, f"arn:aws:iam::{ACCOUNT}:role/Sender"))
    write_plan(graph, plan_from_paths([previous]))
    before = graph_state(graph)

    seen = load_killed_midway(bigger)
    assert any(f"resources of account {ACCOUNT}: wrote" in line for line in seen), "".join(seen)

    assert graph_state(graph) == before
    write_plan(graph, plan_from_paths([bigger]))  # nothing left locked or half-written
    assert one(graph, "MATCH (r:SqsQueue {accountId: $id}) RETURN count(r)", id=ACCOUNT) == 4000
    assert one(graph, "MATCH (a:Account {id: '222222222222'}) RETURN count(a)") == 0  # orphan removed
