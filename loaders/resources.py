"""Resource snapshots (#14) -> rows: resources, their policies and statements, the principals each names.

One snapshot per account, the shape `accessgraph collect --resources` writes:
`{"AccountId", "AccountPublicAccessBlock", "Resources": [{"Arn", "Type", "Region", "Policy", "Tags",
"PublicAccessBlock" and "OwnershipControls" (S3), "KeyManager" and "Aliases" (KMS), "Role" (Lambda)}]}`.
Fields this loader does not know are left in the file and ignored. Every policy passes the evaluator's
parser as a resource-based policy and every principal it names the same syntax checks as a trust policy's,
so a snapshot that loads is one every question can answer about.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from loaders.arns import ACCOUNT_ID, parse_arn
from loaders.documents import statement_objects, validated_policy
from loaders.fields import Where, as_object, kind_of, optional_text, storable, text
from loaders.rows import ExternalKind, TrustTargetKind
from loaders.trust import check_principals, trust_rows
from service.database.records import PUBLIC_ACCESS_BLOCK_FIELDS, RESOURCE_TYPES
from service.evaluation import Policy
from service.evaluation.resource_policies import ResourceType

# The second label of each type's node (the first is Resource): an allow-list, never input text.
RESOURCE_LABELS: dict[ResourceType, str] = {
    "AWS::S3::Bucket": "S3Bucket",
    "AWS::KMS::Key": "KmsKey",
    "AWS::SQS::Queue": "SqsQueue",
    "AWS::SNS::Topic": "SnsTopic",
    "AWS::Lambda::Function": "LambdaFunction",
    "AWS::SecretsManager::Secret": "Secret",
    "AWS::ECR::Repository": "EcrRepository",
}
# What each type's ARN looks like (AWS General Reference, "Amazon Resource Names"): service, the start of
# the resource part, and whether the ARN names the account (S3 bucket ARNs name neither account nor region).
_ARN_SHAPES: dict[ResourceType, tuple[str, str, bool]] = {
    "AWS::S3::Bucket": ("s3", "", False),
    "AWS::KMS::Key": ("kms", "key/", True),
    "AWS::SQS::Queue": ("sqs", "", True),
    "AWS::SNS::Topic": ("sns", "", True),
    "AWS::Lambda::Function": ("lambda", "function:", True),
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret:", True),
    "AWS::ECR::Repository": ("ecr", "repository/", True),
}
# Type-specific fields: on any other type they are a mistake, not an unknown field.
_ONLY_FOR: dict[str, ResourceType] = {
    "PublicAccessBlock": "AWS::S3::Bucket",
    "OwnershipControls": "AWS::S3::Bucket",
    "KeyManager": "AWS::KMS::Key",
    "Aliases": "AWS::KMS::Key",
    "Role": "AWS::Lambda::Function",
}

# S3 API reference, "OwnershipControlsRule": ObjectOwnership.
_OWNERSHIP = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")


@dataclass(frozen=True, slots=True)
class ResourceRow:
    arn: str
    type: ResourceType
    account_id: str
    region: str | None
    tags: str  # JSON object {key: value}
    public_access_block: str | None  # JSON object with AWS's field names (S3)
    key_manager: str | None  # AWS or CUSTOMER (KMS)
    role: str | None  # the execution role (Lambda)
    ownership_controls: str | None = None  # S3 object ownership: BucketOwnerEnforced disables ACLs

    @property
    def label(self) -> str:
        return RESOURCE_LABELS[self.type]


@dataclass(frozen=True, slots=True)
class ResourcePolicyRow:
    resource_arn: str
    document: str  # compact JSON, as decoded


@dataclass(frozen=True, slots=True)
class ResourceStatementRow:
    key: str  # <resource arn>#<statement index>
    resource_arn: str
    statement_index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    condition_keys: tuple[str, ...]
    conditions: str | None  # JSON of the statement's Condition block


@dataclass(frozen=True, slots=True)
class ResourcePrincipalRow:
    """One `NAMES` edge: one principal value of one statement, resolved as a trust policy's (loaders/trust.py)."""

    statement_key: str
    target_kind: TrustTargetKind
    target: str
    target_account_id: str | None
    role_name: str | None
    external_kind: ExternalKind | None
    external_value: str | None
    principal_type: str
    principal: str
    not_principal: bool


@dataclass(frozen=True, slots=True)
class AliasRow:
    arn: str
    key_arn: str


@dataclass(frozen=True, slots=True)
class ResourceSnapshot:
    """Everything one account's resource load writes; it replaces the account's previous resources."""

    account_id: str
    source: str
    account_public_access_block: str | None
    resources: tuple[ResourceRow, ...]
    policies: tuple[ResourcePolicyRow, ...]
    statements: tuple[ResourceStatementRow, ...]
    principals: tuple[ResourcePrincipalRow, ...]
    aliases: tuple[AliasRow, ...]
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Resources per type, every type named (0 when none)."""
        found = Counter(row.type for row in self.resources)
        return {kind: found[kind] for kind in RESOURCE_TYPES}


def is_resource_snapshot(value: object) -> bool:
    return isinstance(value, Mapping) and "AccountId" in value and "Resources" in value


def transform_resources(snapshot: object, source: str) -> ResourceSnapshot:
    """Validate one resource snapshot and turn it into rows.

    Raises:
        InputError: naming the file, the resource ARN and, for a policy, the statement and field at fault.
    """
    where = Where(source)
    top = as_object(snapshot, where, "a resource snapshot")
    account_id = text(top, "AccountId", where)
    if not ACCOUNT_ID.match(account_id):
        raise where.error(f"AccountId {account_id!r} is not a 12-digit account id")
    resources_raw = top.get("Resources")
    if not isinstance(resources_raw, list):
        raise where.error(f"Resources must be a list, not {kind_of(resources_raw)}")
    account_block = _public_access_block(top, "AccountPublicAccessBlock", where)
    warnings: list[str] = []
    resources: list[ResourceRow] = []
    policies: list[ResourcePolicyRow] = []
    statements: list[ResourceStatementRow] = []
    principals: list[ResourcePrincipalRow] = []
    aliases: list[AliasRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(resources_raw):
        item = as_object(raw, where.at(f"Resources[{index}]"), "a resource")
        row = _resource(item, account_id, where.at(f"Resources[{index}]"))
        here = where.at(f"resource {row.arn}")
        if row.arn in seen:
            raise here.error(f"listed twice (Resources[{seen[row.arn]}] and Resources[{index}])")
        seen[row.arn] = index
        resources.append(row)
        aliases.extend(AliasRow(alias, row.arn) for alias in _aliases(item, row, here))
        if item.get("Policy") is None:
            continue
        policy, document = validated_policy(item["Policy"], where=here, name=row.arn, kind="resource",
                                            warnings=warnings)
        check_principals(policy, here)
        policies.append(ResourcePolicyRow(row.arn, document))
        statements.extend(_statements(row.arn, policy))
        principals.extend(_principals(row.arn, policy))
    return ResourceSnapshot(
        account_id=account_id, source=source, account_public_access_block=account_block,
        resources=tuple(resources), policies=tuple(policies), statements=tuple(statements),
        principals=tuple(principals), aliases=tuple(aliases), warnings=tuple(warnings),
    )


def _resource(item: Mapping[str, Any], account_id: str, where: Where) -> ResourceRow:
    arn = text(item, "Arn", where)
    where = where.at(f"resource {arn}")
    kind = next((k for k in RESOURCE_TYPES if k == item.get("Type")), None)
    if kind is None:
        raise where.error(f"Type {item.get('Type')!r} is not one of {', '.join(RESOURCE_TYPES)}")
    _check_arn(arn, kind, account_id, where)
    for field, only in _ONLY_FOR.items():
        if item.get(field) is not None and kind != only:
            raise where.error(f"{field} is only for {only}, not {kind}")
    manager = optional_text(item, "KeyManager", where)
    if manager not in (None, "AWS", "CUSTOMER"):
        raise where.error(f"KeyManager {manager!r} must be AWS or CUSTOMER")
    ownership = optional_text(item, "OwnershipControls", where)
    if ownership not in (None, *_OWNERSHIP):
        raise where.error(f"OwnershipControls {ownership!r} must be one of {', '.join(_OWNERSHIP)}")
    role = optional_text(item, "Role", where)
    if role is not None:
        parsed = parse_arn(role)
        if parsed is None or parsed.service != "iam" or parsed.resource_type != "role":
            raise where.error(f"Role {role!r} is not an IAM role ARN")
    return ResourceRow(
        arn=arn, type=kind, account_id=account_id, region=optional_text(item, "Region", where) or None,
        tags=_tags(item, where), public_access_block=_public_access_block(item, "PublicAccessBlock", where),
        key_manager=manager, role=role, ownership_controls=ownership,
    )


def _check_arn(arn: str, kind: ResourceType, account_id: str, where: Where) -> None:
    parsed = parse_arn(arn)
    service, prefix, has_account = _ARN_SHAPES[kind]
    if parsed is None or parsed.service != service or not parsed.resource.startswith(prefix):
        raise where.error(f"Arn is not the ARN of an {kind} (arn:aws:{service}:...:{prefix}...)")
    if has_account and parsed.account != account_id:
        raise where.error(f"Arn names account {parsed.account!r}, but the snapshot is of account {account_id}")


def _tags(item: Mapping[str, Any], where: Where) -> str:
    """`Tags` as `{"Key": "Value"}`; the `[{"Key", "Value"}]` list some AWS APIs return is accepted too."""
    raw = item.get("Tags")
    pairs: list[tuple[object, object]]
    if raw is None:
        pairs = []
    elif isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(tag, Mapping) for tag in raw):
        pairs = [(tag.get("Key"), tag.get("Value", "")) for tag in raw]
    else:
        raise where.error(f"Tags must be an object {{key: value}}, not {kind_of(raw)}")
    tags: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise where.error(f"Tags: {key!r}: keys and values must be strings")
        tags[storable(key, "Tags", where)] = storable(value, f"Tags.{key}", where)
    return json.dumps(tags, sort_keys=True, ensure_ascii=False)


def _public_access_block(item: Mapping[str, Any], field: str, where: Where) -> str | None:
    raw = item.get(field)
    if raw is None:
        return None
    settings = as_object(raw, where, field)
    for name in PUBLIC_ACCESS_BLOCK_FIELDS:
        if settings.get(name) is not None and not isinstance(settings.get(name), bool):
            raise where.error(f"{field}.{name} must be true or false, not {kind_of(settings.get(name))}")
    return json.dumps({name: settings.get(name) is True for name in PUBLIC_ACCESS_BLOCK_FIELDS})


def _aliases(item: Mapping[str, Any], row: ResourceRow, where: Where) -> list[str]:
    raw = item.get("Aliases")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise where.error(f"Aliases must be a list of alias ARNs, not {kind_of(raw)}")
    for alias in raw:
        parsed = parse_arn(alias) if isinstance(alias, str) else None
        if parsed is None or parsed.service != "kms" or not parsed.resource.startswith("alias/"):
            raise where.error(f"Aliases: {alias!r} is not a KMS alias ARN (arn:aws:kms:...:alias/...)")
        if parsed.account != row.account_id:
            raise where.error(f"Aliases: {alias!r} is of another account than its key")
    return sorted(set(raw))


def _statements(arn: str, policy: Policy) -> list[ResourceStatementRow]:
    rows = []
    for statement, raw in zip(policy.statements, statement_objects(policy), strict=True):
        rows.append(ResourceStatementRow(
            key=statement_key(arn, statement.index), resource_arn=arn, statement_index=statement.index,
            sid=statement.sid, effect=statement.effect, actions=statement.actions, not_actions=statement.not_actions,
            condition_keys=tuple(sorted({clause.key for clause in statement.conditions})),
            conditions=json.dumps(raw["Condition"], ensure_ascii=False) if "Condition" in raw else None,
        ))
    return rows


def _principals(arn: str, policy: Policy) -> list[ResourcePrincipalRow]:
    # The same resolution as a trust policy's: an account root is the account (delegation, never fanned
    # out), an assumed-role session its role (found by name when the graph is written).
    return [
        ResourcePrincipalRow(
            statement_key=statement_key(arn, row.statement_index), target_kind=row.target_kind, target=row.target,
            target_account_id=row.target_account_id, role_name=row.role_name, external_kind=row.external_kind,
            external_value=row.external_value, principal_type=row.principal_type, principal=row.principal,
            not_principal=row.not_principal,
        )
        for row in trust_rows(arn, policy, role_arns_by_name={})
    ]


def statement_key(arn: str, index: int) -> str:
    return f"{arn}#{index}"
