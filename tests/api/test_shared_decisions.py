"""whoCan decides once per group of principals whose decisions must be equal (service/reachability/index.py
`ActionWeighing.groups`). Against the real graph, on a randomized account (bench/synthetic_account.py: shared
and duplicated statements, Deny, MFA conditions, boundaries, groups, unknown AWS managed policies), every
answer must be exactly what deciding each principal on its own gives: same principals, same conditions,
same paths."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic_account import ACCOUNT_ID, Size, write
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.reachability.index import PrincipalIndex
from service.reachability.paths import identity_paths
from service.reachability.questions import Reachability, _access_from
from tests.api.conftest import Load

QUESTIONS = [
    ("s3:DeleteObject", "arn:aws:s3:::any-bucket/key"),
    ("s3:GetObject", f"arn:aws:s3:us-east-1:{ACCOUNT_ID}:app-7/report.csv"),
    ("ec2:RunInstances", "*"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT_ID}:role/deploy"),
    ("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_ID}:app-12/orders"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/abc"),
]


def _answer_view(principal: str, condition: Any, paths: Any) -> tuple[Any, ...]:
    tests = sorted((leaf.key, leaf.operator, leaf.values, leaf.negated) for leaf in _leaves(condition))
    steps = sorted(tuple((s.source.arn, s.target.arn, s.kind, s.via, s.statement) for s in path) for path in paths)
    return principal, condition is None, tuple(tests), tuple(steps)


def _leaves(condition: Any) -> Any:
    from service.evaluation.formula import leaves

    return leaves(condition)


async def _compare(settings: Neo4jSettings) -> int:
    reader = GraphReader(settings, timeout=120)
    index = PrincipalIndex()
    compared = 0
    try:
        for action, resource in QUESTIONS:
            grouped = await Reachability(reader, index).who_can(action, resource)
            got = {a.principal.arn: _answer_view(a.principal.arn, a.condition, a.paths) for a in grouped}
            alone = Reachability(reader, PrincipalIndex())
            entries = await alone.store.entries([ACCOUNT_ID])
            expected = {}
            for profile in entries[ACCOUNT_ID].profiles.values():
                _, decision, _ = await alone.access(profile.arn, action, resource)
                answer = _access_from(profile, decision)
                if answer is not None:
                    paths = identity_paths(profile, decision)
                    expected[profile.arn] = _answer_view(profile.arn, answer.condition, paths)
            assert got.keys() == expected.keys(), (action, resource)
            for arn, view in expected.items():
                assert got[arn] == view, (action, resource, arn)
            compared += len(expected)
    finally:
        await reader.close()
    return compared


@pytest.mark.neo4j
def test_grouped_decisions_equal_one_by_one_decisions(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    gaad = tmp_path / f"gaad-{ACCOUNT_ID}.json"
    write(gaad, Size(roles=400, users=250, groups=60, policies=150, aws_policies=40, missing_aws_policies=5), seed=11)
    load(gaad)
    assert asyncio.run(_compare(neo4j_settings)) > 300  # the questions are not all trivially empty
