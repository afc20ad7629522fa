"""The audit's reads of a whole organization against a real Neo4j: `OrganizationReads` answers the principal
index's per-account reads from one query each over every account, exactly as the per-account queries do; the
index it fills is the one every question shares, and the audit reads no account twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from service.audit import settings_at
from service.audit.organization import OrganizationReads, organization_view
from service.audit.run import audit
from service.cli.audit import audit_json
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.reachability import Reachability
from tests.support.samples import ACCOUNT_A, ACCOUNT_B
from tests.unit.reachability.fake_source import run

pytestmark = pytest.mark.neo4j
ACCOUNTS = [ACCOUNT_A, ACCOUNT_B]
AS_OF = settings_at("2026-12-01T12:00:00Z")


class CountingReader(GraphReader):
    """A GraphReader that counts the queries it runs, by name."""

    def __init__(self, settings: Neo4jSettings) -> None:
        super().__init__(settings)
        self.queries: Counter[str] = Counter()

    async def rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        self.queries[name] += 1
        return await super().rows(name, **parameters)

    async def value_rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        self.queries[name] += 1
        return await super().value_rows(name, **parameters)


def test_the_organization_reads_answer_as_the_per_account_queries(demo: None, neo4j_settings: Neo4jSettings) -> None:
    async def compare() -> None:
        reader = GraphReader(neo4j_settings)
        try:
            reads = OrganizationReads(reader, ACCOUNTS)
            aws = ["arn:aws:iam::aws:policy/AdministratorAccess"]
            for account in ACCOUNTS:
                assert await reads.account_principals(account) == await reader.account_principals(account)
                assert await reads.account_groups(account) == await reader.account_groups(account)
                for cached in ([], aws):
                    assert await reads.account_policies(account, cached) == await reader.account_policies(
                        account, cached
                    )
            assert await reads.account_organizations(ACCOUNTS) == await reader.account_organizations(ACCOUNTS)
            assert await reader.account_principals(ACCOUNT_A)  # the demo is loaded: not two empty answers
        finally:
            await reader.close()

    run(compare())


def test_the_audit_fills_the_shared_index_in_one_query_per_kind(demo: None, neo4j_settings: Neo4jSettings) -> None:
    async def audited() -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter[str], Counter[str]]:
        plain, organization = CountingReader(neo4j_settings), CountingReader(neo4j_settings)
        try:
            # OrganizationReads of no account passes every read through: the index reads account by account.
            view = Reachability(OrganizationReads(plain, [])).view
            before = audit_json(await audit(view, plain, None, AS_OF))
            expected = await view.entries(ACCOUNTS)

            shared = Reachability(organization)
            found = audit_json(await audit(shared.view, organization, None, AS_OF))
            first = Counter(organization.queries)
            assert await shared.view.entries(ACCOUNTS) == expected  # the shared index holds the same entries
            again = await organization_view(shared.view, ACCOUNTS)
            assert again is shared.view  # nothing missing: no second read
            assert organization.queries == first
            return before, found, plain.queries, first
        finally:
            await plain.close()
            await organization.close()

    before, found, plain, organization = run(audited())
    assert found == before and found
    assert plain["reach_account_principals"] == 2 and organization["reach_account_principals"] == 0
    assert organization["reach_organization_principals"] == 1
    assert organization["reach_organization_policies"] == organization["reach_organization_groups"] == 1
