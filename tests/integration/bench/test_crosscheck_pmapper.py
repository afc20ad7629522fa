"""bench/crosscheck_pmapper.py's comparison, without PMapper: answers as both sides give them, classified."""

from __future__ import annotations

import json

from bench.crosscheck_pmapper import RULES, Comparison, Difference, _answers, _PMapperPaths, classify

A = "111122223333"
ALICE, BOB = f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/bob"
ADMIN, TARGET = f"arn:aws:iam::{A}:role/admin", f"arn:aws:iam::{A}:role/target"
LINKED = f"arn:aws:iam::{A}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"


def _step(kind: str, to: str, technique: str | None = None, resource: str = "*") -> dict:  # type: ignore[type-arg]
    statement = json.dumps([{"action": "x", "statement": {"Effect": "Allow", "Resource": resource}}])
    return {"kind": kind, "technique": technique, "statement": statement if technique else None,
            "from": {"arn": ALICE}, "to": {"arn": to}}


def test_answers_keep_only_account_principals_with_their_path_as_evidence() -> None:
    rows = [
        {"principal": {"arn": ALICE}, "conditionText": None,
         "paths": [{"steps": [_step("escalates", TARGET, "lambda-001", resource="arn:aws:lambda:*:1:function:a-*")]}]},
        {"principal": {"arn": BOB}, "conditionText": "aws:SourceIp in 10.0.0.0/8",
         "paths": [{"steps": [_step("assumes", TARGET)]}]},
        {"principal": {"arn": f"arn:aws:iam::{A}:role/OrganizationAccountAccessRole"}, "conditionText": None,
         "paths": []},  # named by a trust policy, not an entity of the account
    ]
    found = _answers(rows, {ALICE, BOB})
    assert found == {ALICE: ["lambda-001->target scoped"], BOB: ["assumes", "conditional"]}


def test_each_difference_gets_the_rule_that_explains_it() -> None:
    def one(side: str, evidence: list[str], target: str | None = TARGET) -> str | None:
        return classify(Difference("q", ALICE, side, evidence), target=target, bounded_admins={ADMIN}).rule

    assert one("pmapper", [f"admin:{BOB}"], target=LINKED) == "protected-target"
    assert one("pmapper", ["can create access keys to authenticate as bob"]) == "credential-unknown"
    assert one("pmapper", ["(Requires MFA) can call ssm:SendCommand to access an EC2 instance with access to"]) \
        == "inventory-assumed"
    assert one("pmapper", ["can access via sts:AssumeRole admin", f"admin:{ADMIN}"]) == "boundary-caps-gain"
    assert one("pmapper", ["can access via sts:AssumeRole target"]) is None  # unexplained: shown as such
    assert one("accessgraph", ["assumes", "conditional"]) == "conditional"
    assert one("accessgraph", ["iam-013->admins"]) == "not-modelled"
    assert one("accessgraph", ["lambda-001->fn scoped"]) == "scoped-create"
    assert one("accessgraph", ["lambda-001->fn"]) is None
    pattern = classify(Difference("whoCan(s3:GetObject, *)", ALICE, "accessgraph", ["has_policy"]), target=None,
                       bounded_admins=set(), pattern=True)
    assert pattern.rule == "resource-pattern"
    assert {rule.side for rule in RULES.values()} == {"pmapper", "accessgraph"}


def test_the_comparison_counts_agreements_and_lists_differences_both_ways() -> None:
    result = Comparison()
    result.add("whoCanAssume", "q", {ALICE: ["x"], BOB: ["can create access keys"]}, {ALICE: ["assumes"],
               ADMIN: ["iam-013->g"]}, lambda d: classify(d, target=TARGET, bounded_admins=set()))
    assert (result.agreements["whoCanAssume"], result.totals["whoCanAssume"]) == (1, 3)
    assert [(d.principal, d.side, d.rule) for d in result.differences] == [
        (BOB, "pmapper", "credential-unknown"), (ADMIN, "accessgraph", "not-modelled")]


def test_pmapper_paths_are_shortest_and_stop_at_an_admin() -> None:
    edges = [{"from": ALICE, "to": BOB, "reason": "can create access keys to authenticate as"},
             {"from": BOB, "to": ADMIN, "reason": "can access via sts:AssumeRole"},
             {"from": ALICE, "to": TARGET, "reason": "can update the trust document to access"}]
    paths = _PMapperPaths(edges, {ADMIN})
    assert paths.between(ALICE, TARGET) == ["can update the trust document to access target"]
    assert paths.to_admin(ALICE) == ["can create access keys to authenticate as bob",
                                     "can access via sts:AssumeRole admin"]
    # PMapper's is_connected: an admin reaches every node, so the path ends at the first admin on the way
    assert paths.between(BOB, TARGET) == ["can access via sts:AssumeRole admin", f"admin:{ADMIN}"]
