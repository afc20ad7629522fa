"""The credential techniques through the real loaders and Neo4j: a GAAD and a credential report loaded with
`accessgraph load`, then `escalations` decides CreateAccessKey / Create- and UpdateLoginProfile per target user
from the report, and keeps "possible, credential state unknown" where no report is loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.cli.questions import ESCALATIONS, run_query
from tests.integration.api.conftest import Load
from tests.support.credentials import key, report_csv, report_row
from tests.support.gaad import Account, allow, deny

pytestmark = pytest.mark.neo4j
A = "444455556666"
CREDENTIAL_STATE = "accessgraph:CredentialState"
# One attacker per technique: `escalations` keeps one path per principal reached.
ATTACKERS = {"keymaker": "iam:CreateAccessKey", "setter": "iam:CreateLoginProfile", "changer": "iam:UpdateLoginProfile"}
TECHNIQUES = {"keymaker": "iam-002", "setter": "iam-004", "changer": "iam-006"}


def _account() -> Account:
    a = Account(A)
    for name in ("keyless", "twokeys", "onekey", "withpassword", "newer"):
        a.user(name, inline=[allow("s3:GetObject")])
    a.user("guarded", inline=[allow("s3:GetObject")])
    for attacker, action in ATTACKERS.items():
        a.user(attacker, inline=[allow(action, a.arn("user", "*")), deny("iam:*", a.arn("user", "guarded"))])
    return a


def _report(folder: Path) -> Path:
    rotated = "2026-01-10T00:00:00+00:00"
    rows = [
        *(report_row(attacker, A) for attacker in ATTACKERS),
        report_row("keyless", A, password_enabled="false", password_last_used="N/A", password_last_changed="N/A"),
        report_row("twokeys", A, password_enabled="false", **key(1, rotated), **key(2, rotated, active="false")),
        report_row("onekey", A, password_enabled="false", **key(1, rotated)),
        report_row("withpassword", A),
        report_row("guarded", A, password_enabled="false"),
    ]  # ("newer" was created after the report: no row)
    return report_csv(folder / f"credential-report-{A}.csv", rows)


def _ways(a: Account) -> dict[tuple[str, str], dict[str, Any]]:
    """(technique, user reached) → the answer, for every attacker."""
    found = {}
    for attacker in ATTACKERS:
        variables = {"principalArn": a.arn("user", attacker), "maxHops": 1, "limit": 1000}
        for answer in run_query(ESCALATIONS, variables)["escalations"]:
            for step in answer["paths"][0]["steps"]:
                if step["technique"]:
                    found[(step["technique"], answer["principal"]["arn"].rsplit("/", 1)[-1])] = answer
    return found


def _unknown(answer: dict[str, Any]) -> bool:
    return any(condition["key"] == CREDENTIAL_STATE for condition in answer["conditions"])


def test_a_loaded_credential_report_decides_the_credential_techniques(load: Load, tmp_path: Path) -> None:
    a = _account()
    gaad = a.write(tmp_path)
    load(gaad, _report(tmp_path))
    ways = _ways(a)
    # CreateAccessKey (iam-002): a free slot, by the report's access_key_N columns (an inactive key counts).
    assert not _unknown(ways[("iam-002", "keyless")]) and not _unknown(ways[("iam-002", "onekey")])
    assert ("iam-002", "twokeys") not in ways
    # CreateLoginProfile (iam-004) needs no console password; UpdateLoginProfile (iam-006) one.
    assert not _unknown(ways[("iam-004", "keyless")]) and ("iam-004", "withpassword") not in ways
    assert not _unknown(ways[("iam-006", "withpassword")]) and ("iam-006", "keyless") not in ways
    # A user the report predates: possible, credential state unknown.
    assert all(_unknown(ways[(technique, "newer")]) for technique in ("iam-002", "iam-004", "iam-006"))
    # The Deny still refuses, whatever the report says.
    assert not [way for way in ways if way[1] == "guarded"]


def test_without_a_credential_report_every_credential_technique_is_possible_state_unknown(
    load: Load, tmp_path: Path
) -> None:
    a = _account()
    load(a.write(tmp_path))
    ways = _ways(a)
    for technique in ("iam-002", "iam-004", "iam-006"):
        for user in ("keyless", "twokeys", "onekey", "withpassword", "newer"):
            answer = ways[(technique, user)]
            assert _unknown(answer), (technique, user)
            assert any("credential state unknown" in note for note in answer["notes"])
    assert not [way for way in ways if way[1] == "guarded"]
