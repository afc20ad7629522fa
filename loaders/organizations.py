"""An AWS Organizations snapshot -> `OrganizationSnapshot`. Pure: no I/O.

The snapshot format is what `accessgraph collect --organization` writes, so live and offline loads
share one shape:

    {"Organization": <DescribeOrganization.Organization>, "Roots": [<ListRoots item>],
     "OrganizationalUnits": [{"Id", "Name", "ParentId", "Arn"?}],
     "Accounts": [{"Id", "Name", "ParentId", ...}],
     "Policies": [{"PolicySummary": <ListPolicies item>, "Content": "<JSON>", "Targets": [{"TargetId"}]}]}

Only authorization policies are kept (SCPs and RCPs); other policy types are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.arns import ACCOUNT_ID, parse_arn
from loaders.documents import validated_policy
from loaders.fields import Where, as_object, objects, optional_bool, optional_text, text, timestamp
from loaders.rows import OrgAccountRow, OrganizationSnapshot, OrgNodeRow, OrgPolicyRow
from service.evaluation import PolicyKind

POLICY_KINDS: dict[str, PolicyKind] = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def is_organization_snapshot(value: object) -> bool:
    return isinstance(value, Mapping) and "Organization" in value


def transform_organization(value: object, source: str) -> OrganizationSnapshot:
    """Validate an Organizations snapshot and turn it into rows.

    Raises:
        InputError: naming the file and the entity at fault (unknown parents or targets included).
    """
    top = Where(source)
    snapshot = as_object(value, top, "an Organizations snapshot")
    org_where = top.at("Organization")
    org = as_object(snapshot.get("Organization"), org_where, "Organization")
    org_id = text(org, "Id", org_where)
    management = optional_text(org, "MasterAccountId", org_where) or text(org, "ManagementAccountId", org_where)
    org_arn = text(org, "Arn", org_where)
    partition = parsed.partition if (parsed := parse_arn(org_arn)) else "aws"

    roots: list[OrgNodeRow] = []
    for item in objects(snapshot, "Roots", top):
        where = _where(source, "root", item)
        roots.append(OrgNodeRow(id=text(item, "Id", where), arn=text(item, "Arn", where),
                                name=optional_text(item, "Name", where) or "Root", parent_id=None))
    if not roots:
        raise top.error("Roots is empty: an organization has one root")
    units: list[OrgNodeRow] = []
    for item in objects(snapshot, "OrganizationalUnits", top):
        where = _where(source, "organizational unit", item)
        unit_id = text(item, "Id", where)
        arn = optional_text(item, "Arn", where) or f"arn:{partition}:organizations::{management}:ou/{org_id}/{unit_id}"
        units.append(OrgNodeRow(id=unit_id, arn=arn, name=text(item, "Name", where),
                                parent_id=text(item, "ParentId", where)))
    containers = _unique_ids(source, [*roots, *units])
    _check_tree(source, units, containers)

    accounts: list[OrgAccountRow] = []
    for item in objects(snapshot, "Accounts", top):
        where = _where(source, "account", item)
        account_id = text(item, "Id", where)
        if not ACCOUNT_ID.match(account_id):
            raise where.error(f"Id {account_id!r} is not a 12-digit account id")
        parent = text(item, "ParentId", where)
        if parent not in containers:
            raise where.error(f"ParentId {parent!r} is neither a root nor an organizational unit in this file")
        accounts.append(OrgAccountRow(
            id=account_id, name=optional_text(item, "Name", where), arn=optional_text(item, "Arn", where),
            email=optional_text(item, "Email", where), status=optional_text(item, "Status", where),
            joined_method=optional_text(item, "JoinedMethod", where),
            joined_timestamp=timestamp(item, "JoinedTimestamp", where), parent_id=parent,
        ))
    targets = containers | set(_unique_ids(source, accounts))

    policies: list[OrgPolicyRow] = []
    skipped: list[str] = []
    warnings: list[str] = []
    for item in objects(snapshot, "Policies", top):
        row = _policy(source, item, targets, skipped, warnings)
        if row is not None:
            policies.append(row)
    _unique_ids(source, policies)
    return OrganizationSnapshot(
        id=org_id, arn=org_arn, management_account_id=management,
        management_account_arn=optional_text(org, "MasterAccountArn", org_where),
        feature_set=optional_text(org, "FeatureSet", org_where), source=source, roots=tuple(roots),
        units=tuple(units), accounts=tuple(accounts), policies=tuple(policies), skipped_policy_types=tuple(skipped),
        warnings=tuple(warnings),
    )


def _policy(
    source: str, item: Mapping[str, Any], targets: set[str], skipped: list[str], warnings: list[str]
) -> OrgPolicyRow | None:
    summary_where = Where(source, "policy")
    summary = as_object(item.get("PolicySummary"), summary_where, "PolicySummary")
    where = _where(source, "policy", summary)
    policy_type = text(summary, "Type", where)
    kind = POLICY_KINDS.get(policy_type)
    if kind is None:
        skipped.append(policy_type)
        return None
    arn = text(summary, "Arn", where)
    content = item.get("Content")
    _, document = validated_policy(content, where=where, name=arn, kind=kind, warnings=warnings)
    target_ids: dict[str, None] = {}
    for target in objects(item, "Targets", where):
        target_id = text(target, "TargetId", where.at(f"{where.entity} Targets"))
        if target_id not in targets:
            raise where.error(f"is attached to {target_id!r}, which is not a root, OU or account in this file")
        target_ids[target_id] = None
    return OrgPolicyRow(
        id=text(summary, "Id", where), arn=arn, name=text(summary, "Name", where), type=policy_type,
        description=optional_text(summary, "Description", where), document=document,
        aws_managed=bool(optional_bool(summary, "AwsManaged", where)), target_ids=tuple(target_ids),
    )


def _where(source: str, kind: str, item: Mapping[str, Any]) -> Where:
    name, ident = item.get("Name"), item.get("Id")
    label = ident if isinstance(ident, str) else None
    if isinstance(name, str) and label:
        return Where(source, f"{kind} {name!r} ({label})")
    return Where(source, f"{kind} {label or name!r}")


def _unique_ids(source: str, rows: list[Any]) -> set[str]:
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise Where(source, f"id {row.id!r}").error("appears twice")
        seen.add(row.id)
    return seen


def _check_tree(source: str, units: list[OrgNodeRow], containers: set[str]) -> None:
    """Every OU's parent chain must end at a root: no unknown parents, no cycles."""
    parents = {unit.id: unit.parent_id for unit in units}
    for unit in units:
        where = Where(source, f"organizational unit {unit.name!r} ({unit.id})")
        current: str | None = unit.id
        for _ in range(len(units) + 1):
            parent = parents.get(current or "")
            if parent is None:
                break
            if parent not in containers:
                raise where.error(f"ParentId {parent!r} is neither a root nor an organizational unit in this file")
            current = parent
        else:
            raise where.error("its ParentId chain loops and never reaches a root")
