"""Rows of the reach_* queries decoded once into records (service/database/records.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from service.database.reader import GraphReader
from service.database.records import (
    CrossAccountTrustRecord,
    LoadRecord,
    OrganizationRecord,
    PolicyRecord,
    PrincipalRecord,
    RoleRecord,
    TrustTargetRecord,
)


def test_a_principal_row_decodes_its_tags_and_lists() -> None:
    row = {
        "arn": "arn:aws:iam::111122223333:user/a",
        "kind": "user",
        "name": "a",
        "id": None,
        "tags": '{"team": "red"}',
        "isServiceLinked": None,
        "boundary": None,
        "policies": ["p1"],
        "groups": [],
    }
    record = PrincipalRecord.from_row(row)
    assert record.tags == {"team": "red"} and record.unique_id is None and record.boundary is None
    assert record.policies == ("p1",) and record.groups == () and record.is_service_linked is False
    assert PrincipalRecord.from_row({**row, "tags": None, "kind": "role"}).tags == {}


def test_a_policy_row_without_a_text_document_has_none() -> None:
    row = {"arn": "arn:aws:iam::aws:policy/X", "name": None, "kind": None, "known": True, "versionId": "v3"}
    assert PolicyRecord.from_row({**row, "document": None}).document is None
    assert PolicyRecord.from_row({**row, "document": 7}).document is None
    assert PolicyRecord.from_row({**row, "document": "{}"}) == PolicyRecord(row["arn"], None, None, True, "v3", "{}")


def test_generation_and_role_rows() -> None:
    assert LoadRecord.from_row({"unit": "organization", "id": "o-1", "loadId": 5}) == LoadRecord(
        "organization", "o-1", "5"
    )
    row = {"arn": "r", "name": "n", "id": "AROA", "accountId": "111122223333", "trustPolicy": "{}"}
    assert RoleRecord.from_row(row) == RoleRecord("r", "n", "111122223333", "{}")


def test_an_organization_row_keeps_its_levels_in_order() -> None:
    row = {
        "accountId": "111122223333",
        "loaded": None,
        "organizationId": "o-1",
        "managementAccountId": None,
        "levels": [
            {
                "id": "r-root",
                "policies": [{"id": "p", "name": "full", "type": "SERVICE_CONTROL_POLICY", "document": "{}"}],
            },
            {"id": "111122223333", "policies": []},
        ],
    }
    record = OrganizationRecord.from_row(row)
    assert [level.id for level in record.levels] == ["r-root", "111122223333"]
    assert record.levels[0].policies[0].name == "full" and record.loaded is False
    assert record.management_account_id is None


def test_trust_rows_name_their_target_kind() -> None:
    row = {
        "statementIndex": 1,
        "sid": None,
        "effect": "Allow",
        "notPrincipal": None,
        "principalType": "AWS",
        "principal": "arn:aws:iam::444455556666:root",
        "targetKind": "account",
        "target": "444455556666",
        "targetAccountId": "444455556666",
        "targetLoaded": False,
        "externalKind": None,
        "externalValue": None,
    }
    assert TrustTargetRecord.from_row(row).target_kind == "account"
    assert TrustTargetRecord.from_row({**row, "targetKind": "mystery"}).target_kind == "placeholder"
    across = {
        **row,
        "roleArn": "r",
        "roleName": "n",
        "roleAccountId": "111122223333",
        "trustPolicy": "",
        "conditions": "",
        "targetName": None,
        "trustedAccountId": "444455556666",
        "trustedAccountLoaded": None,
    }
    record = CrossAccountTrustRecord.from_row(across)
    assert record.trust_policy is None and record.conditions is None and record.trusted_account_loaded is False


class _Stored(GraphReader):
    """A reader whose queries give these rows, in the order given (as a store gives them)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self._given = rows

    async def rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        return list(self._given[name])

    async def value_rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        return list(self._given[name])


def test_principals_groups_and_their_lists_are_read_in_one_order_whatever_the_stores() -> None:
    """A reload of the same files stores relationships and nodes in another order: what is read of them is
    in ARN order, so an answer shows the same path first after it (not another of equal length)."""

    def principal(arn: str, policies: list[str], groups: list[str]) -> dict[str, Any]:
        return {
            "arn": arn,
            "kind": "user",
            "name": arn.rsplit("/", 1)[-1],
            "id": None,
            "tags": None,
            "isServiceLinked": False,
            "boundary": None,
            "policies": policies,
            "groups": groups,
        }

    a, b = "arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/b"
    g1, g2 = "arn:aws:iam::111122223333:group/g1", "arn:aws:iam::111122223333:group/g2"
    principals = [principal(b, ["p2", "p1"], [g2, g1]), principal(a, ["p3"], [])]
    groups = [{"arn": g2, "name": "g2", "policies": ["q2", "q1"]}, {"arn": g1, "name": "g1", "policies": []}]
    stored = {
        "reach_account_principals": principals,
        "reach_account_groups": groups,
        "reach_organization_principals": [{"accountId": "111122223333", "principals": principals}],
        "reach_organization_groups": [{"accountId": "111122223333", "groups": groups}],
    }
    reader = _Stored(stored)
    read = asyncio.run(reader.account_principals("111122223333"))
    assert [r.arn for r in read] == [a, b] and read[1].policies == ("p1", "p2") and read[1].groups == (g1, g2)
    assert asyncio.run(reader.organization_principals(["111122223333"])) == {"111122223333": read}
    read_groups = asyncio.run(reader.account_groups("111122223333"))
    assert [g.arn for g in read_groups] == [g1, g2] and read_groups[1].policies == ("q1", "q2")
    assert asyncio.run(reader.organization_groups(["111122223333"])) == {"111122223333": read_groups}
    reversed_rows = {name: rows[::-1] for name, rows in stored.items()}
    assert asyncio.run(_Stored(reversed_rows).account_principals("111122223333")) == read
