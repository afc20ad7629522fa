"""Privilege escalation end to end, through Neo4j: the GraphQL questions (whoCanAssume with escalation,
escalations, admins, adminsPage) and `accessgraph escalations | admins | who-can-assume --escalation`."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.cli.questions import ADMINS, ESCALATIONS, WHO_CAN_ASSUME, WHO_CAN_ASSUME_ESCALATING, run_query
from service.database.settings import Neo4jSettings
from service.errors import InputError
from tests.integration.api.conftest import Load
from tests.support.gaad import Account, allow, trust, trusts

A = "111122223333"
PAGE = """query($after: String) { adminsPage(accountId: "111122223333", first: 2, after: $after) {
  totalCount hasMore endCursor items { principal { arn } hops paths { steps { kind technique } } } } }"""


@pytest.fixture
def escalating(load: Load, tmp_path: Path) -> Account:
    a = Account(A)
    admin_policy = a.policy("Everything", allow("*"))
    a.role("Admin", trust(trusts({"Service": "ec2.amazonaws.com"})), managed=[admin_policy])
    a.role("Target", trust(trusts({"Service": "ec2.amazonaws.com"})), inline=[allow("s3:GetObject")])
    a.user("rewriter", inline=[allow("iam:UpdateAssumeRolePolicy", a.arn("role", "Target"))])
    a.user("selfie", inline=[allow("iam:PutUserPolicy", a.arn("user", "selfie"))])
    a.role("ForLambda", trust(trusts({"Service": "lambda.amazonaws.com"})), managed=[admin_policy])
    a.user(
        "passer",
        inline=[
            allow(
                "iam:PassRole",
                a.arn("role", "ForLambda"),
                Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            ),
            allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
        ],
    )
    a.user("reader", inline=[allow("s3:GetObject")])
    load(a.write(tmp_path))
    return a


def _by_arn(answers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {answer["principal"]["arn"]: answer for answer in answers}


def test_a_role_reachable_only_by_rewriting_its_trust_appears_only_with_escalation(escalating: Account) -> None:
    a = escalating
    target, rewriter = a.arn("role", "Target"), a.arn("user", "rewriter")
    plain = run_query(WHO_CAN_ASSUME, {"roleArn": target, "maxHops": 1, "limit": 100})["whoCanAssume"]
    assert rewriter not in _by_arn(plain)
    answers = run_query(WHO_CAN_ASSUME_ESCALATING, {"roleArn": target, "maxHops": 1, "limit": 100})["whoCanAssume"]
    (step,) = _by_arn(answers)[rewriter]["paths"][0]["steps"]
    assert (step["kind"], step["technique"], step["to"]["arn"]) == ("escalates", "iam-012", target)
    assert "iam:UpdateAssumeRolePolicy" in json.loads(step["statement"])[0]["statement"]["Action"]
    assert a.arn("user", "reader") not in _by_arn(answers)


def test_admins_and_its_pages(escalating: Account) -> None:
    a = escalating
    found = run_query(ADMINS, {"accountId": A, "escalation": True, "maxHops": 3, "limit": 100})["admins"]
    hops = {arn: answer["hops"] for arn, answer in _by_arn(found).items()}
    assert hops == {
        a.arn("role", "Admin"): 0,
        a.arn("role", "ForLambda"): 0,
        a.arn("user", "passer"): 1,
        a.arn("user", "selfie"): 1,
    }
    plain = run_query(ADMINS, {"accountId": A, "escalation": False, "maxHops": 3, "limit": 100})["admins"]
    assert set(_by_arn(plain)) == {a.arn("role", "Admin"), a.arn("role", "ForLambda")}
    seen: list[str] = []
    after = None
    while True:
        page = run_query(PAGE, {"after": after})["adminsPage"]
        assert page["totalCount"] == 4
        seen += [item["principal"]["arn"] for item in page["items"]]
        if (after := page["endCursor"]) is None:
            break
    assert sorted(seen) == sorted(hops)


def test_cli_escalations_json_is_the_graphql_answer(escalating: Account, capsys: pytest.CaptureFixture[str]) -> None:
    passer = escalating.arn("user", "passer")
    assert main(["escalations", passer, "--max-hops", "2", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == run_query(ESCALATIONS, {"principalArn": passer, "maxHops": 2, "limit": 10000})["escalations"]
    reached = _by_arn(printed)[escalating.arn("role", "ForLambda")]
    assert reached["paths"][0]["steps"][0]["technique"] == "lambda-001"


def test_cli_admins_fails_on_escalation_as_a_ci_gate(escalating: Account, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admins", "--account", A, "--fail-on-escalation"]) == 1
    captured = capsys.readouterr()
    assert "2 principal(s) can become an administrator" in captured.err
    assert "iam-007" in captured.out and "lambda-001" in captured.out
    assert main(["admins", "--account", A, "--no-escalation", "--fail-on-escalation", "--format", "csv"]) == 0
    assert main(["admins", "--account", "nope"]) == 2
    assert "12-digit" in capsys.readouterr().err


def test_cli_who_can_assume_with_escalation(escalating: Account, capsys: pytest.CaptureFixture[str]) -> None:
    target = escalating.arn("role", "Target")
    assert main(["who-can-assume", target, "--escalation", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "rewriter" in out and "iam-012" in out
    assert main(["who-can-assume", target, "--format", "json"]) == 0
    assert "rewriter" not in capsys.readouterr().out


def test_the_warm_up_builds_the_escalation_index_and_says_how_long_it_took(
    escalating: Account, neo4j_settings: Neo4jSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="accessgraph")
    with TestClient(create_app(settings=neo4j_settings, tokens=(), warm=True)) as c:
        deadline = time.monotonic() + 60
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        messages = [r.getMessage() for r in caplog.records]
        assert any(re.fullmatch(r"escalation index built in [0-9.]+ s", m) for m in messages), messages
        query = '{ admins(accountId: "111122223333") { principal { arn } hops } }'
        answers = c.post("/graphql", json={"query": query}).json()["data"]["admins"]
    assert {(x["principal"]["arn"], x["hops"]) for x in answers} >= {
        (escalating.arn("role", "Admin"), 0),
        (escalating.arn("user", "passer"), 1),
        (escalating.arn("user", "selfie"), 1),
    }


ASSUME_PAGE = """query($r: String!, $after: String) { whoCanAssumePage(roleArn: $r, maxHops: 3, escalation: true,
  first: 2, after: $after) { totalCount hasMore endCursor items { principal { arn } hops conditionText notes
  paths { steps { from { arn } to { arn } kind via technique statement } } } } }"""
ASSUME_WHOLE = """query($r: String!) { whoCanAssume(roleArn: $r, maxHops: 3, escalation: true, limit: 100) {
  principal { arn } hops conditionText notes paths { steps { from { arn } to { arn } kind via technique } } } }"""


def _served_answers(settings: Neo4jSettings, roles: list[str]) -> list[Any]:
    """Every page of whoCanAssumePage and the whole whoCanAssume, for each role, from a warmed-up app."""
    found: list[Any] = []
    with TestClient(create_app(settings=settings, tokens=(), warm=True)) as c:
        deadline = time.monotonic() + 60
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        for role in roles:
            after = None
            while True:
                page = c.post("/graphql", json={"query": ASSUME_PAGE, "variables": {"r": role, "after": after}})
                answered = page.json()
                assert "errors" not in answered, answered["errors"]
                data = answered["data"]["whoCanAssumePage"]
                found.append(data)
                if not data["hasMore"]:
                    break
                after = data["endCursor"]
            found.append(c.post("/graphql", json={"query": ASSUME_WHOLE, "variables": {"r": role}}).json())
    return found


def test_the_ways_in_worked_out_ahead_give_the_same_answers_and_the_warm_up_says_how_long_they_took(
    escalating: Account,
    neo4j_settings: Neo4jSettings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roles = [escalating.arn("role", name) for name in ("Target", "Admin", "ForLambda")]
    said = r"escalation ways in worked out ahead for [0-9]+ principals in [0-9.]+ s"
    caplog.set_level(logging.INFO, logger="accessgraph")
    monkeypatch.setenv("ACCESSGRAPH_ESCALATION_PRECOMPUTE", "0")
    walked = _served_answers(neo4j_settings, roles)
    assert not any(re.fullmatch(said, r.getMessage()) for r in caplog.records)  # (walked as before)
    monkeypatch.delenv("ACCESSGRAPH_ESCALATION_PRECOMPUTE")  # (the default: worked out ahead)
    ahead = _served_answers(neo4j_settings, roles)
    messages = [r.getMessage() for r in caplog.records]
    assert any(re.fullmatch(said, m) for m in messages), messages
    assert ahead == walked
    assert any(page.get("totalCount", 0) > 2 for page in walked if isinstance(page, dict))  # (more than a page)


def test_a_precompute_setting_it_cannot_read_is_refused_at_start(
    neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCESSGRAPH_ESCALATION_PRECOMPUTE", "maybe")
    with pytest.raises(InputError, match="ACCESSGRAPH_ESCALATION_PRECOMPUTE must be 1 or 0"):
        create_app(settings=neo4j_settings, tokens=(), warm=True)


def test_a_generation_a_load_made_after_the_warm_up_gets_its_ways_in_worked_out_too(
    escalating: Account,
    load: Load,
    tmp_path: Path,
    neo4j_settings: Neo4jSettings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A load after the warm-up makes a new generation: its first question walks as before and starts working its
    ways in out; once they are, the answers are the same, now over them (and the new principal among them)."""
    caplog.set_level(logging.INFO, logger="accessgraph")
    monkeypatch.setenv("ACCESSGRAPH_ESCALATION_PRECOMPUTE", "1")
    monkeypatch.setenv("ACCESSGRAPH_ANSWER_CACHE", "0")  # (the second answer worked out again, not remembered)
    said = re.compile(r"escalation ways in worked out ahead for ([0-9]+) principals in [0-9.]+ s")
    target = escalating.arn("role", "Target")
    query = {"query": ASSUME_WHOLE, "variables": {"r": target}}
    with TestClient(create_app(settings=neo4j_settings, tokens=(), warm=True)) as c:
        deadline = time.monotonic() + 60
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        escalating.user("rewriter2", inline=[allow("iam:UpdateAssumeRolePolicy", target)])
        (tmp_path / "again").mkdir()
        load(escalating.write(tmp_path / "again"))
        first = c.post("/graphql", json=query).json()  # (a new generation: walked as before)
        deadline = time.monotonic() + 60
        while sum(bool(said.fullmatch(r.getMessage())) for r in caplog.records) < 2 and time.monotonic() < deadline:
            c.get("/healthz")  # (the background work runs while the app serves)
            time.sleep(0.05)
        counts = [int(m.group(1)) for r in caplog.records if (m := said.fullmatch(r.getMessage()))]
        again = c.post("/graphql", json=query).json()
    assert len(counts) == 2 and counts[1] == counts[0] + 1, counts  # (the new user numbered too)
    assert "errors" not in first and again == first
    assert escalating.arn("user", "rewriter2") in {x["principal"]["arn"] for x in again["data"]["whoCanAssume"]}


def _warmed_up(settings: Neo4jSettings) -> None:
    with TestClient(create_app(settings=settings, tokens=(), warm=True)) as c:
        deadline = time.monotonic() + 60
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)


def test_the_warm_up_asks_whocanassume_of_the_first_administrator_role_that_does_not_trust_everyone(
    load: Load, tmp_path: Path, neo4j_settings: Neo4jSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """The first walk of the warm-up (service/reachability/warm.py): not of a role every principal may assume
    (its walk would start from everyone), nor of a role that is no administrator; and none when there is no
    such role."""
    a = Account(A)
    admin_policy = a.policy("Everything", allow("*"))
    a.role("AAOpen", trust(trusts({"AWS": "*"})), managed=[admin_policy])  # (first by ARN, trusts everyone)
    a.role("ABReader", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})), inline=[allow("s3:GetObject")])
    a.role("Admin", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})), managed=[admin_policy])
    a.role("Admin2", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})), managed=[admin_policy])
    load(a.write(tmp_path))
    said = re.compile(r"escalation: whoCanAssume of (\S+) asked at warm-up \([0-9]+ principals\) in [0-9.]+ s")
    caplog.set_level(logging.INFO, logger="accessgraph")
    _warmed_up(neo4j_settings)
    asked = [m.group(1) for r in caplog.records if (m := said.fullmatch(r.getMessage()))]
    assert asked == [a.arn("role", "Admin")]

    b = Account(A)
    b.role("Reader", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})), inline=[allow("s3:GetObject")])
    (tmp_path / "again").mkdir()
    load(b.write(tmp_path / "again"))
    caplog.clear()
    _warmed_up(neo4j_settings)
    messages = [r.getMessage() for r in caplog.records]
    assert any(re.fullmatch(r"escalation index built in [0-9.]+ s", m) for m in messages), messages
    assert not any(said.fullmatch(m) for m in messages)
