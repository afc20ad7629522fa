"""GraphQL `changes`, `history` and `stats`: the CLI's json is the API's answer; rows dashboards chart."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.cli.questions import run_query
from service.errors import AccessgraphError
from tests.integration.history.conftest import A, B, account_a, account_b, changed_a, cli_json
from tests.support.gaad import Account

pytestmark = pytest.mark.neo4j

STATEMENTS = "statements { change sid before after }"
DOCUMENT = f"unitId kind arn name versionBefore versionAfter {STATEMENTS}"
LINK = "unitId kind source target change"
CHANGES = f"""query($since: String!, $accountId: String, $access: Boolean! = true) {{
  changes(since: $since, accountId: $accountId, access: $access) {{
    since
    loads {{ unit unitId beforeId beforeTime afterId afterTime }}
    entities {{ unitId kind arn name change }}
    documents {{ {DOCUMENT} }}
    trusts {{ {DOCUMENT} }}
    memberships {{ {LINK} }}
    attachments {{ {LINK} }}
    access {{ role principal principalKind change hopsBefore hopsAfter conditionsBefore conditionsAfter }}
    accessGroups {{ principals principalCount changes {{ change hopsBefore hopsAfter roles roleCount }} }}
    admins {{ principal change }}
    accessCompared accessMethod accessNote
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
        assert api["accessGroups"] and (api["accessCompared"], api["accessMethod"]) == (True, "records")
        # Without access: the same other sections, read from the facts that differ alone.
        facts = run_query(CHANGES, {"since": first, "accountId": account, "access": False})["changes"]
        no_access = ["--no-access", *(["--account", account] if account else [])]
        assert facts == cli_json(capsys, "diff", "--since", first, *no_access)
        assert (facts["accessGroups"], facts["admins"], facts["accessCompared"]) == ([], [], False)
        access = ("access", "accessGroups", "admins", "accessCompared", "accessMethod")
        assert {k: v for k, v in facts.items() if k not in access} == {
            k: v for k, v in api.items() if k not in access
        }


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


PAGE = f"""query($since: String!, $first: Int!, $after: String, $access: Boolean! = true) {{
  changesPage(since: $since, first: $first, after: $after, access: $access) {{
    since totalCount hasMore endCursor accessCompared accessMethod
    loads {{ unit unitId beforeId afterId }}
    items {{
      section
      entity {{ unitId kind arn name change }}
      document {{ {DOCUMENT} }}
      link {{ {LINK} }}
      access {{ role principal principalKind change hopsBefore hopsAfter conditionsBefore conditionsAfter }}
      accessGroup {{ principals principalCount changes {{ change hopsBefore hopsAfter roles roleCount }} }}
      admin {{ principal change }}
    }}
  }}
}}"""
FIELD = {"entities": "entity", "documents": "document", "trusts": "document", "memberships": "link",
         "attachments": "link", "access": "access", "accessGroups": "accessGroup", "admins": "admin"}


def test_changes_page_pages_through_every_change_of_changes(load: Callable[[Account], str]) -> None:
    first = load(account_a())
    load(account_b())
    load(changed_a(account_a()))
    whole = run_query(CHANGES, {"since": first, "accountId": None})["changes"]
    expected = [(section, row) for section in FIELD for row in whole[section]]
    assert len({section for section, _ in expected}) >= 4  # several sections, so their order is tested

    pages, after = [], None
    while True:
        page = run_query(PAGE, {"since": first, "first": 3, "after": after})["changesPage"]
        assert page["totalCount"] == len(expected) and page["since"] == first
        assert len(page["items"]) <= 3
        pages.append(page)
        if not page["hasMore"]:
            assert page["endCursor"] is None
            break
        after = page["endCursor"]
    assert len(pages) == -(-len(expected) // 3)
    got = [(item["section"], item[FIELD[item["section"]]]) for page in pages for item in page["items"]]
    assert got == expected
    for page in pages:  # exactly one of the fields is set, the one `section` names
        for item in page["items"]:
            assert [k for k, v in item.items() if v is not None and k != "section"] == [FIELD[item["section"]]]
    loads = [{k: c[k] for k in ("unit", "unitId", "beforeId", "afterId")} for c in whole["loads"]]
    assert pages[0]["loads"] == loads
    # Without access: the same items but those two sections.
    facts = run_query(PAGE, {"since": first, "first": 100, "access": False})["changesPage"]
    assert (pages[0]["accessCompared"], facts["accessCompared"]) == (True, False)
    assert (pages[0]["accessMethod"], facts["accessMethod"]) == ("records", "none")
    got = [(item["section"], item[FIELD[item["section"]]]) for item in facts["items"]]
    left_out = ("access", "accessGroups", "admins")
    assert got == [(section, row) for section, row in expected if section not in left_out] != expected


def test_changes_page_refuses_a_cursor_it_did_not_give(load: Callable[[Account], str]) -> None:
    first = load(account_a())
    with pytest.raises(AccessgraphError, match="not a cursor this API returned"):
        run_query(PAGE, {"since": first, "first": 3, "after": "-1"})
