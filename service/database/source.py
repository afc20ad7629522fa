"""`GraphSource`: what reachability reads of the graph, as typed records.

Reachability takes a `GraphSource`, never a driver, the way HTTPX's client takes a transport: `GraphReader`
is the one that runs `cypher/reach_*.cypher` against Neo4j; a test can hand over any object with these
methods, fed with records it made (tests/unit/reachability/fake_source.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from service.database.records import (
    AccountOrganizationRecord,
    AccountSecurityRecord,
    CrossAccountTrustRecord,
    GroupRecord,
    LoadRecord,
    OrganizationRecord,
    PolicyRecord,
    PrincipalRecord,
    ResourceRecord,
    RoleRecord,
    SecurityLoadRecord,
    TrustTargetRecord,
)


class GraphSource(Protocol):
    async def loads(self) -> list[LoadRecord]:
        """Every loaded account and organization with the id of its last load (`reach_generation`)."""
        ...

    async def account_principals(self, account_id: str) -> list[PrincipalRecord]: ...

    async def account_groups(self, account_id: str) -> list[GroupRecord]: ...

    async def account_policies(self, account_id: str, cached: Sequence[str]) -> list[PolicyRecord]:
        """Every policy the account's users, roles and groups use; without the document of those in
        `cached` (AWS managed policies whose document the caller holds: it compares `version_id`)."""
        ...

    async def policy_documents(self, arns: Sequence[str]) -> list[PolicyRecord]: ...

    async def account_organizations(self, account_ids: Sequence[str]) -> list[OrganizationRecord]: ...

    async def account_organization_ids(self) -> list[AccountOrganizationRecord]: ...

    async def role(self, arn: str) -> RoleRecord | None: ...

    async def roles(self, arns: Sequence[str]) -> list[RoleRecord]:
        """The roles with these ARNs (those that exist), in one read: `role` for many."""
        ...

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]: ...

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        """`trust_targets` for many roles, in one read: by role ARN (a role its trust names nothing of, or no
        role, is left out)."""
        ...

    async def trusts_across_accounts(self, account_id: str | None) -> list[CrossAccountTrustRecord]: ...

    async def account_resources(self, account_id: str | None) -> list[ResourceRecord]:
        """Every loaded resource of the account (None: of every account), by ARN (`reach_resources_*`)."""
        ...

    async def resources(self, arns: Sequence[str]) -> list[ResourceRecord]:
        """The loaded resources with these exact ARNs; a KMS alias ARN finds its key (the record once, with
        its own ARN). An S3 object ARN finds nothing: callers map it to its bucket's ARN themselves."""
        ...

    async def account_security(self, account_id: str | None) -> list[AccountSecurityRecord]:
        """The credential and security facts (#16) of one account, or of every account (None), by account id;
        an account with neither a credential report nor a security snapshot loaded is absent."""
        ...

    async def security_loads(self) -> list[SecurityLoadRecord]:
        """A marker of every loaded credential report and security snapshot (`reach_security_loads`): such a
        load leaves the generation as it was, so the answers that read those facts key on these."""
        ...
