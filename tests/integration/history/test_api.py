"""GraphQL `changes`, `history` and `stats`: the CLI's json is the API's answer; rows dashboards chart."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.cli.questions import run_query
from tests.integration.history.conftest import A, B, account_a, account_b, changed_a, cli_json
from tests.support.gaad import Account

pytestmark = pytest.mark.neo4j

STATEMENTS = "statements { change sid before after }"
DOCUMENT = f"unitId kind arn name versionBefore versionAfter {STATEMENTS}"
LINK = "unitId kind source target change"
CHANGES = f"""query($since: String!, $accountId: String) {{
  changes(since: $since, accountId: $accountId) {{
    since
    loads {{ unit unitId beforeId beforeTime afterId afterTime }}
    entities {{ unitId kind arn name change }}
    documents {{ {DOCUMENT} }}
    trusts {{ {DOCUMENT} }}
    memberships {{ {LINK} }}
    attachments {{ {LINK} }}
    access {{ role principal principalKind change hopsBefore hopsAfter conditionsBefore conditionsAfter }}
    admins {{ principal change }}
  }}
}}"""


def test_changes_answers_what_diff_prints(load: Callable[[Account], str], capsys: pytest.CaptureFixture[str]) -> None:
    first = load(account_a())
    load(account_b())
    load(changed_a(account_a()))

    for account in (None, A):
        api = run_query(CHANGES, {"since": first, "accountId": account})["changes"]
        cli = cli_json(capsys, "diff", "--since", first, *(["--account", account] if account else []))
        assert api == cli
        assert api["access"]


def test_history_and_stats_rows(load: Callable[[Account], str]) -> None:
    load(account_a())
    load(account_b())
    load(changed_a(account_a()))

    rows = run_query("{ history { time loadId unit unitId principals roles users groups policies } }", {})["history"]
    assert [(r["unitId"], r["roles"]) for r in rows] == [(A, 3), (B, 1), (A, 4)]
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    one = run_query("query($a: String) { history(accountId: $a, first: 1) { unitId principals } }", {"a": A})
    assert one["history"] == [{"unitId": A, "principals": 6}]

    stats = run_query(
        "{ stats { accountId principals users roles groups policies crossAccountTrusts outsideAccount "
        "unloadedAccount admins findings resources } }", {}
    )["stats"]
    by_account = {row["accountId"]: row for row in stats}
    assert by_account[A] == {
        "accountId": A, "principals": 6, "users": 3, "roles": 3, "groups": 1, "policies": 2,
        "crossAccountTrusts": 0, "outsideAccount": 0, "unloadedAccount": 0, "admins": 0, "findings": None,
        "resources": 0,
    }
    assert (by_account[B]["crossAccountTrusts"], by_account[B]["outsideAccount"]) == (1, 1)
