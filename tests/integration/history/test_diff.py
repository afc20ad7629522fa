"""`accessgraph diff --since`: exactly the changes made between two loads, and the access they changed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.history.conftest import A, B, account_a, account_b, changed_a, cli_json
from tests.support.gaad import Account, allow

pytestmark = pytest.mark.neo4j


def arn(account: str, kind: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def access(result: dict[str, Any]) -> set[tuple[str, str, str, int | None, int | None]]:
    return {
        (a["role"].rsplit("/", 1)[1], a["principal"].rsplit("/", 1)[1], a["change"], a["hopsBefore"], a["hopsAfter"])
        for a in result["access"]
    }


def ability(result: dict[str, Any]) -> set[tuple[str, str, str, int | None, int | None]]:
    """`accessGroups` as one row per principal and role."""
    return {
        (role.rsplit("/", 1)[1], p.rsplit("/", 1)[1], c["change"], c["hopsBefore"], c["hopsAfter"])
        for g in result["accessGroups"] for p in g["principals"] for c in g["changes"] for role in c["roles"]
    }


EXPECTED_ACCESS_A = {
    ("AdminRole", "bob", "gained", None, 1),  # bob joined Admins, who may assume any role trusting the account
    ("ChainRole", "bob", "gained", None, 2),  # ... and through AdminRole, ChainRole
    ("DeployRole", "carol", "gained", None, 1),  # the trust statement gained carol
    ("OldRole", "alice", "lost", 1, None),  # the role is deleted
    ("OldRole", "AdminRole", "lost", 1, None),
}


# The groups leave out the deleted role: it is an entity removed, not everyone who lost it.
EXPECTED_ABILITY_A = {row for row in EXPECTED_ACCESS_A if row[0] != "OldRole"}


def assert_changes_of_a(result: dict[str, Any]) -> None:
    assert [(e["kind"], e["arn"], e["change"]) for e in result["entities"] if e["unitId"] == A] == [
        ("role", arn(A, "role", "OldRole"), "removed")
    ]
    (policy,) = [d for d in result["documents"] if d["unitId"] == A]
    assert policy["arn"] == arn(A, "policy", "ReadOnly")
    assert (policy["versionBefore"], policy["versionAfter"]) == ("v1", "v2")
    assert [s["change"] for s in policy["statements"]] == ["removed", "added"]
    assert '"s3:ListBucket"' in policy["statements"][1]["after"]
    (deploy,) = [t for t in result["trusts"] if t["unitId"] == A]
    assert deploy["arn"] == arn(A, "role", "DeployRole")
    (statement,) = deploy["statements"]
    assert statement["change"] == "changed"
    assert arn(A, "user", "carol") not in statement["before"] and arn(A, "user", "carol") in statement["after"]
    assert [(m["source"], m["target"], m["change"]) for m in result["memberships"] if m["unitId"] == A] == [
        (arn(A, "user", "bob"), arn(A, "group", "Admins"), "added")
    ]
    assert [a for a in result["attachments"] if a["unitId"] == A] == []


def test_diff_since_the_first_load_reports_exactly_the_changes_and_the_access_they_changed(
    load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = load(account_a())
    second = load(changed_a(account_a()))

    result = cli_json(capsys, "diff", "--since", first)
    exact = cli_json(capsys, "diff", "--since", first, "--exact-access")

    assert_changes_of_a(result)
    assert_changes_of_a(exact)
    # Read from the two loads' access records, and decided again in both worlds: the same ability changes.
    assert (result["accessMethod"], result["accessNote"], result["access"]) == ("records", None, [])
    assert ability(result) == EXPECTED_ABILITY_A
    assert exact["accessMethod"] == "exact"
    assert access(exact) == EXPECTED_ACCESS_A
    assert exact["accessGroups"] == result["accessGroups"]
    (compared,) = result["loads"]
    assert (compared["unit"], compared["unitId"], compared["beforeId"], compared["afterId"]) == (
        "account", A, first, second
    )
    assert compared["beforeTime"] < compared["afterTime"]
    assert result["admins"] == []
    # Since the newest load, nothing changed; --exit-code makes that a gate.
    assert cli_json(capsys, "diff", "--since", second, "--exit-code", code=0)["accessGroups"] == []
    cli_json(capsys, "diff", "--since", first, "--exit-code", code=1)


def test_two_accounts_loaded_at_different_times(
    load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]
) -> None:
    load(account_a())
    first_b = load(account_b())
    load(changed_a(account_a()))
    load(account_b(with_temp=False))
    b_time = next(x for x in cli_json(capsys, "loads", "--account", B) if x["id"] == first_b)["time"]

    everything = cli_json(capsys, "diff", "--since", b_time)
    only_b = cli_json(capsys, "diff", "--account", B, "--since", b_time)

    assert_changes_of_a(everything)
    # B's role trusts account A: bob, now an admin there, reaches it; B's own change is a user removed.
    expected_b = {("AuditRole", "bob", "gained", None, 1)}
    assert ability(everything) == EXPECTED_ABILITY_A | expected_b
    for result in (everything, only_b):
        assert [(e["kind"], e["arn"], e["change"]) for e in result["entities"] if e["unitId"] == B] == [
            ("user", arn(B, "user", "temp"), "removed")
        ]
    assert ability(only_b) == expected_b
    assert access(cli_json(capsys, "diff", "--account", B, "--since", b_time, "--exact-access")) == expected_b
    assert [x["unitId"] for x in only_b["loads"]] == [B]
    assert only_b["documents"] == only_b["trusts"] == only_b["memberships"] == []

    # A load id stands for its own account exactly and for the others as its time: B was not loaded yet
    # when A's first load was recorded, so all of B is new.
    first_a = cli_json(capsys, "loads", "--account", A)[-1]["id"]
    since_a = cli_json(capsys, "diff", "--since", first_a)
    assert {(e["unitId"], e["change"]) for e in since_a["entities"] if e["unitId"] == B} == {(B, "added")}


def test_since_must_be_a_load_or_a_time(load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    load(account_a())
    assert main(["diff", "--since", "last-tuesday"]) == 2
    assert "neither a recorded load id" in capsys.readouterr().err
    assert main(["diff", "--account", "999999999999", "--since", "2020-01-01"]) == 2
    assert "account '999999999999' has no recorded load" in capsys.readouterr().err


def test_who_became_or_stopped_being_an_administrator(
    load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]
) -> None:
    """#13's admin definition over both loads: carol gains `*` on `*` (became), then loses it (stopped)."""
    first = load(account_a())
    changed = copy.deepcopy(account_a())
    everything = changed.policy("Everything", allow("*"))
    carol = next(u for u in changed.users if u["UserName"] == "carol")
    carol["AttachedManagedPolicies"].append({"PolicyName": "Everything", "PolicyArn": everything})
    load(changed)
    result = cli_json(capsys, "diff", "--since", first)
    assert result["admins"] == [{"principal": arn(A, "user", "carol"), "change": "became"}]
    second = load(account_a())
    later = cli_json(capsys, "diff", "--since", next(
        x["id"] for x in cli_json(capsys, "loads", "--account", A) if x["id"] not in (first, second)
    ))
    assert later["admins"] == [{"principal": arn(A, "user", "carol"), "change": "stopped"}]


def test_without_access_the_other_sections_are_the_same_and_the_output_says_what_is_left_out(
    load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    first = load(account_a())
    load(account_b())
    second = load(changed_a(account_a()))

    whole = cli_json(capsys, "diff", "--since", first)
    facts = cli_json(capsys, "diff", "--since", first, "--no-access")
    assert_changes_of_a(facts)
    assert (facts["accessGroups"], facts["admins"], facts["accessCompared"], whole["accessCompared"]) == (
        [], [], False, True)
    assert (facts["accessMethod"], whole["accessMethod"]) == ("none", "records")
    kept = [k for k in whole if k not in ("access", "accessGroups", "admins", "accessCompared", "accessMethod")]
    assert [facts[k] for k in kept] == [whole[k] for k in kept]
    # B, loaded after A's first load, is all added; since A's second load nothing differs.
    added_b = {e["arn"] for e in facts["entities"] if e["unitId"] == B}
    assert added_b == {arn(B, "role", "AuditRole"), arn(B, "user", "dave"), arn(B, "user", "temp")}
    since_second = cli_json(capsys, "diff", "--since", second, "--no-access", "--exit-code")
    assert [since_second[k] for k in ("entities", "documents", "trusts", "memberships", "attachments")] == [[]] * 5

    # The table says on stderr that access was not compared; --exit-code still gates on what changed.
    capsys.readouterr()
    assert main(["diff", "--since", first, "--no-access", "--exit-code"]) == 1
    out, err = capsys.readouterr()
    assert arn(A, "role", "OldRole") in out and "access not compared (--no-access)" in err


def test_a_world_without_an_access_record_is_decided_again_and_says_why(
    load: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A run stopped after its loads committed and before its access record (here: `--no-access-record`)
    leaves its world without one: `diff` decides access again in both worlds, finds the same, and says why."""
    from service.cli import main

    first = load(account_a())
    load(changed_a(account_a()), record=False)

    result = cli_json(capsys, "diff", "--since", first)
    assert result["accessMethod"] == "exact"
    assert "no access record of the loads now" in result["accessNote"]
    assert ability(result) == EXPECTED_ABILITY_A
    assert access(result) == EXPECTED_ACCESS_A
    capsys.readouterr()
    assert main(["diff", "--since", first]) == 0
    assert "access decided again in both worlds: no access record of the loads now" in capsys.readouterr().err

    # `record-access` records the world now, as the run would have: then diff reads it.
    assert main(["record-access"]) == 0
    assert "history: access recorded" in capsys.readouterr().err
    again = cli_json(capsys, "diff", "--since", first)
    assert (again["accessMethod"], again["accessNote"]) == ("records", None)
    assert again["accessGroups"] == result["accessGroups"]


def test_record_access_with_nothing_loaded_says_so(graph: object, capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    assert main(["record-access", "-q"]) == 2
    assert "nothing is loaded yet" in capsys.readouterr().err
