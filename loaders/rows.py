"""What a transform produces and the writer stores: one frozen row per node or relationship.

Field names are snake_case here and camelCase in the graph (`account_id` -> `accountId`); the writer
converts them with `node_properties`. Documents are JSON strings, exactly the decoded document.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

PolicyKindName = Literal["aws", "customer", "inline"]
ExternalKind = Literal["service", "federated", "any", "canonical", "unknown-id", "other"]
TrustTargetKind = Literal["principal", "assumed-role", "account", "external"]


@dataclass(frozen=True, slots=True)
class UserRow:
    arn: str
    name: str
    id: str
    path: str
    account_id: str
    create_date: str | None
    password_last_used: str | None
    tags: str  # JSON object {key: value}


@dataclass(frozen=True, slots=True)
class GroupRow:
    arn: str
    name: str
    id: str
    path: str
    account_id: str
    create_date: str | None


@dataclass(frozen=True, slots=True)
class RoleRow:
    arn: str
    name: str
    id: str
    path: str
    account_id: str
    create_date: str | None
    trust_policy: str
    last_used: str | None
    last_used_region: str | None
    max_session_duration: int | None
    is_service_linked: bool
    instance_profile_arns: tuple[str, ...]
    tags: str


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """A `:Policy` node. `known=False` marks a policy referenced but absent from the input."""

    arn: str
    name: str
    kind: PolicyKindName
    account_id: str | None
    document: str | None
    version_id: str | None
    known: bool
    id: str | None = None
    path: str | None = None
    owner_arn: str | None = None  # inline policies: the user, group or role that embeds it
    description: str | None = None
    create_date: str | None = None
    update_date: str | None = None
    attachment_count: int | None = None
    boundary_usage_count: int | None = None
    is_attachable: bool | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A relationship between two nodes named by ARN (MEMBER_OF, HAS_POLICY, HAS_BOUNDARY)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class TrustRow:
    """One `TRUSTS` edge: one principal value of one trust statement of one role.

    `target` is an ARN (principal, assumed-role: the role ARN without path), an account id, or an
    external principal key (`kind:value`).
    """

    role_arn: str
    target_kind: TrustTargetKind
    target: str
    target_account_id: str | None
    role_name: str | None  # assumed-role targets: the role to find by name in its account
    external_kind: ExternalKind | None
    external_value: str | None
    statement_index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    condition_keys: tuple[str, ...]
    conditions: str | None  # JSON of the statement's Condition block
    principal_type: str  # AWS, Service, Federated, CanonicalUser or *
    principal: str  # the value as written (for NotPrincipal: the whole block as JSON)
    not_principal: bool


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Everything one account's load writes; the writer replaces the account's previous snapshot."""

    account_id: str
    source: str
    users: tuple[UserRow, ...]
    groups: tuple[GroupRow, ...]
    roles: tuple[RoleRow, ...]
    policies: tuple[PolicyRow, ...]  # owned by the account: customer managed, inline, unknown customer
    global_policies: tuple[PolicyRow, ...]  # AWS managed (known or not) and foreign unknown policies
    memberships: tuple[Link, ...]
    principal_policies: tuple[Link, ...]  # from a user or role (both :Principal)
    group_policies: tuple[Link, ...]
    boundaries: tuple[Link, ...]
    trusts: tuple[TrustRow, ...]
    alias: str | None = None
    warnings: tuple[str, ...] = ()  # policies stored as they are, with what AWS cannot use in them

    @property
    def entity_count(self) -> int:
        return len(self.users) + len(self.groups) + len(self.roles) + len(self.policies)

    @property
    def owned_arns(self) -> tuple[str, ...]:
        return tuple(
            row.arn for rows in (self.users, self.groups, self.roles, self.policies) for row in rows
        )


@dataclass(frozen=True, slots=True)
class OrgNodeRow:
    """An OrgRoot or OrganizationalUnit; `parent_id` is None for roots."""

    id: str
    arn: str
    name: str
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class OrgAccountRow:
    id: str
    name: str | None
    arn: str | None
    email: str | None
    status: str | None
    joined_method: str | None
    joined_timestamp: str | None
    parent_id: str


@dataclass(frozen=True, slots=True)
class OrgPolicyRow:
    id: str
    arn: str
    name: str
    type: str
    description: str | None
    document: str
    aws_managed: bool
    target_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrganizationSnapshot:
    id: str
    arn: str
    management_account_id: str
    management_account_arn: str | None
    feature_set: str | None
    source: str
    roots: tuple[OrgNodeRow, ...]
    units: tuple[OrgNodeRow, ...]
    accounts: tuple[OrgAccountRow, ...]
    policies: tuple[OrgPolicyRow, ...]
    skipped_policy_types: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # policies stored as they are, with what AWS cannot use in them


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def node_properties(row: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row as graph properties: camelCase keys, tuples as lists, `None` values left out."""
    out: dict[str, Any] = {}
    for field in fields(row):
        if field.name in exclude:
            continue
        value = getattr(row, field.name)
        if value is None:
            continue
        out[camel(field.name)] = list(value) if isinstance(value, tuple) else value
    return out
