"""What the reachability queries (`cypher/reach_*.cypher`) return: one frozen record per row, decoded once,
where the query is run (`GraphReader`). Reachability reads these records and nothing else of the graph, so a
test can feed it records it made itself (see `GraphSource`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from service.evaluation.resource_policies import ResourceType

Row = Mapping[str, Any]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _texts(values: object) -> tuple[str, ...]:
    return tuple(map(str, values)) if isinstance(values, list | tuple) else ()


def _sorted_texts(values: object) -> tuple[str, ...]:
    """`_texts` in order: what a pattern comprehension lists comes in the store's order, which a reload of the
    same files changes (and with it which of several equal paths an answer shows first)."""
    return tuple(sorted(_texts(values)))


@dataclass(frozen=True, slots=True)
class LoadRecord:
    """`reach_generation`: one unit of loading the graph holds and the id of its last load."""

    unit: Literal["account", "organization", "resources"]
    id: str
    load_id: str

    @classmethod
    def from_row(cls, row: Row) -> LoadRecord:
        unit = row["unit"]
        kind: Literal["account", "organization", "resources"] = (
            "account" if unit == "account" else "resources" if unit == "resources" else "organization"
        )
        return cls(kind, str(row["id"]), str(row["loadId"]))


@dataclass(frozen=True, slots=True)
class PrincipalRecord:
    """`reach_account_principals`: one user or role, its policies attached directly (ARNs), its groups
    (ARNs) and its permissions boundary (ARN)."""

    arn: str
    kind: Literal["user", "role"]
    name: str
    unique_id: str | None
    tags: Mapping[str, str]
    is_service_linked: bool
    boundary: str | None
    policies: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Row) -> PrincipalRecord:
        tags = row["tags"]
        return cls(
            arn=str(row["arn"]),
            kind="user" if row["kind"] == "user" else "role",
            name=str(row["name"]),
            unique_id=str(row["id"]) if row["id"] else None,
            tags=json.loads(tags) if isinstance(tags, str) and tags else {},
            is_service_linked=bool(row["isServiceLinked"]),
            boundary=str(row["boundary"]) if row["boundary"] else None,
            policies=_sorted_texts(row["policies"]),
            groups=_sorted_texts(row["groups"]),
        )


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """`reach_account_groups`: one IAM group of an account and the policies attached to it (ARNs)."""

    arn: str
    name: str
    policies: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Row) -> GroupRecord:
        return cls(str(row["arn"]), str(row["name"]), _sorted_texts(row["policies"]))


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    """`reach_account_policies`, `reach_policy_documents`: one identity policy or boundary. `document` is
    None when the caller already holds this version (`reach_account_policies` with `cached`) or when the
    data does not contain the policy (`known` false)."""

    arn: str
    name: str | None
    kind: str | None
    known: bool
    version_id: str | None
    document: str | None

    @classmethod
    def from_row(cls, row: Row) -> PolicyRecord:
        document = row["document"]
        return cls(
            arn=str(row["arn"]),
            name=_text(row["name"]),
            kind=_text(row["kind"]),
            known=bool(row["known"]),
            version_id=_text(row["versionId"]),
            document=document if isinstance(document, str) else None,
        )


@dataclass(frozen=True, slots=True)
class OrgPolicyRecord:
    """An SCP or RCP attached at one level of an organization."""

    id: str
    name: str
    type: str  # SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY
    document: str


@dataclass(frozen=True, slots=True)
class OrgLevelRecord:
    """One level between an organization's root and an account (the root, an OU, the account itself)."""

    id: str
    policies: tuple[OrgPolicyRecord, ...]


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    """`reach_account_organizations`: an account's organization and its levels, root first."""

    account_id: str
    loaded: bool
    organization_id: str | None
    management_account_id: str | None
    levels: tuple[OrgLevelRecord, ...] = field(default=())

    @classmethod
    def from_row(cls, row: Row) -> OrganizationRecord:
        levels = tuple(
            OrgLevelRecord(
                str(level["id"]),
                tuple(
                    OrgPolicyRecord(str(p["id"]), str(p["name"]), str(p["type"]), str(p["document"]))
                    for p in level["policies"]
                ),
            )
            for level in row["levels"]
        )
        return cls(
            account_id=str(row["accountId"]),
            loaded=bool(row["loaded"]),
            organization_id=str(row["organizationId"]) if row["organizationId"] else None,
            management_account_id=str(row["managementAccountId"]) if row["managementAccountId"] else None,
            levels=levels,
        )


@dataclass(frozen=True, slots=True)
class AccountOrganizationRecord:
    """`reach_account_organization_ids`: the organization an account of a loaded snapshot belongs to."""

    account_id: str
    organization_id: str

    @classmethod
    def from_row(cls, row: Row) -> AccountOrganizationRecord:
        return cls(str(row["accountId"]), str(row["organizationId"]))


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """`reach_role`: a role and its trust policy document."""

    arn: str
    name: str
    account_id: str
    trust_policy: str

    @classmethod
    def from_row(cls, row: Row) -> RoleRecord:
        return cls(str(row["arn"]), str(row["name"]), str(row["accountId"]), str(row["trustPolicy"]))


TargetKind = Literal["account", "external", "user", "role", "placeholder"]


def _target_kind(value: object) -> TargetKind:
    kinds: dict[object, TargetKind] = {
        "account": "account",
        "external": "external",
        "user": "user",
        "role": "role",
    }
    return kinds.get(value, "placeholder")


@dataclass(frozen=True, slots=True)
class TrustTargetRecord:
    """`reach_trust_targets`: one principal a role's trust statement names (a TRUSTS edge). `target` is an
    account id, an ARN, or the key of an external principal; `external_kind` (service, federated, any,
    canonical...) and `external_value` describe an external one."""

    statement_index: int
    sid: str | None
    effect: str
    not_principal: bool
    principal: str | None
    target_kind: TargetKind
    target: str
    target_loaded: bool
    external_kind: str | None
    external_value: str | None

    @classmethod
    def from_row(cls, row: Row) -> TrustTargetRecord:
        return cls(
            statement_index=int(row["statementIndex"]),
            sid=_text(row["sid"]),
            effect=str(row["effect"]),
            not_principal=bool(row["notPrincipal"]),
            principal=_text(row["principal"]),
            target_kind=_target_kind(row["targetKind"]),
            target=str(row["target"]),
            target_loaded=bool(row["targetLoaded"]),
            external_kind=_text(row["externalKind"]),
            external_value=_text(row["externalValue"]),
        )


@dataclass(frozen=True, slots=True)
class CrossAccountTrustRecord:
    """`reach_trusts_across_accounts`: one Allow trust statement principal that may reach outside the role's
    account, with the statement's Condition block as JSON text."""

    role_arn: str
    role_name: str
    role_account_id: str
    trust_policy: str | None
    statement_index: int
    sid: str | None
    effect: str
    not_principal: bool
    conditions: str | None
    target_kind: TargetKind
    target: str
    target_name: str | None
    external_kind: str | None
    external_value: str | None
    trusted_account_id: str | None
    trusted_account_loaded: bool

    @classmethod
    def from_row(cls, row: Row) -> CrossAccountTrustRecord:
        return cls(
            role_arn=str(row["roleArn"]),
            role_name=str(row["roleName"]),
            role_account_id=str(row["roleAccountId"]),
            trust_policy=_text(row["trustPolicy"]) or None,
            statement_index=int(row["statementIndex"]),
            sid=_text(row["sid"]),
            effect=str(row["effect"]),
            not_principal=bool(row["notPrincipal"]),
            conditions=_text(row["conditions"]) or None,
            target_kind=_target_kind(row["targetKind"]),
            target=str(row["target"]),
            target_name=_text(row["targetName"]),
            external_kind=_text(row["externalKind"]),
            external_value=_text(row["externalValue"]),
            trusted_account_id=_text(row["trustedAccountId"]),
            trusted_account_loaded=bool(row["trustedAccountLoaded"]),
        )


# One list of the resource types #14 loads: the evaluator's (it decides with them), read here as records.
RESOURCE_TYPES: tuple[ResourceType, ...] = get_args(ResourceType)


@dataclass(frozen=True, slots=True)
class PublicAccessBlockRecord:
    """S3 Block Public Access, for a bucket or its account (a setting AWS left unset reads False)."""

    block_public_acls: bool
    ignore_public_acls: bool
    block_public_policy: bool
    restrict_public_buckets: bool


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One loaded resource with a resource-based policy (#14): `policy` is the document as JSON text, None
    when the resource has none. `account_public_access_block` is its account's S3 setting (S3 only);
    `aliases` are a KMS key's alias ARNs; `role` is a Lambda function's execution role."""

    arn: str
    type: ResourceType
    account_id: str
    region: str | None
    policy: str | None
    tags: Mapping[str, str] = field(default_factory=dict)
    public_access_block: PublicAccessBlockRecord | None = None
    account_public_access_block: PublicAccessBlockRecord | None = None
    key_manager: Literal["AWS", "CUSTOMER"] | None = None
    role: str | None = None
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Row) -> ResourceRecord:
        """A row of `reach_resources*`: tags and Block Public Access settings are stored as JSON text."""
        kinds = [kind for kind in RESOURCE_TYPES if kind == row["type"]]
        if not kinds:
            raise ValueError(f"resource {row['arn']}: unknown type {row['type']!r} in the graph")
        tags = row["tags"]
        manager = row["keyManager"]
        return cls(
            arn=str(row["arn"]),
            type=kinds[0],
            account_id=str(row["accountId"]),
            region=_text(row["region"]) or None,
            policy=_text(row["policy"]) or None,
            tags=json.loads(tags) if isinstance(tags, str) and tags else {},
            public_access_block=public_access_block_from_json(row["publicAccessBlock"]),
            account_public_access_block=public_access_block_from_json(row["accountPublicAccessBlock"]),
            key_manager="AWS" if manager == "AWS" else "CUSTOMER" if manager == "CUSTOMER" else None,
            role=_text(row["role"]) or None,
            aliases=tuple(sorted(_texts(row["aliases"]))),
        )


PUBLIC_ACCESS_BLOCK_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def public_access_block(settings: Mapping[str, Any]) -> PublicAccessBlockRecord:
    """The record of an S3 `PublicAccessBlockConfiguration` object (AWS's field names; absent reads False)."""
    return PublicAccessBlockRecord(*(settings.get(name) is True for name in PUBLIC_ACCESS_BLOCK_FIELDS))


def public_access_block_from_json(text: object) -> PublicAccessBlockRecord | None:
    """How the graph stores a Block Public Access setting: a JSON object with AWS's field names, or nothing."""
    if not isinstance(text, str) or not text:
        return None
    return public_access_block(json.loads(text))


@dataclass(frozen=True, slots=True)
class AccessKeyRecord:
    """One access key of a user (or of the root user): from the security snapshot (with its id) or from the
    credential report (slot 1 or 2, no id). Times are ISO 8601 text as AWS wrote them; None: never / not known."""

    access_key_id: str | None
    slot: int | None
    active: bool
    created: str | None  # CreateDate, or the report's access_key_N_last_rotated
    last_used: str | None
    last_used_service: str | None


@dataclass(frozen=True, slots=True)
class UserCredentialRecord:
    """What #16 loads of one user's credentials (the credential report row and/or the security snapshot).
    A None flag means the loaded data does not say (e.g. the report's `not_supported` for the root password)."""

    arn: str
    name: str  # "<root_account>" for the root user
    is_root: bool
    created: str | None
    password_enabled: bool | None
    password_last_used: str | None  # None with password_used_known False: the report's `no_information`
    password_used_known: bool
    password_last_changed: str | None
    mfa_active: bool | None
    mfa_devices: tuple[str, ...]  # serial numbers
    access_keys: tuple[AccessKeyRecord, ...]


@dataclass(frozen=True, slots=True)
class TrailRecord:
    name: str
    multi_region: bool
    logging: bool
    home_region: str | None
    management_events: bool


@dataclass(frozen=True, slots=True)
class ConfigRecorderRecord:
    name: str
    recording: bool
    all_supported: bool


@dataclass(frozen=True, slots=True)
class AccountSecurityRecord:
    """One account's credential and security facts (#16). Which sources were loaded decides which audit checks
    can run: `report_time` None means no credential report was loaded; `snapshot_loaded` False means no
    security snapshot (then `password_policy`, `summary`, `trails` and `recorders` say nothing)."""

    account_id: str
    report_time: str | None
    snapshot_loaded: bool
    password_policy: Mapping[str, Any] | None  # None with snapshot_loaded: the account has none set
    summary: Mapping[str, int]
    users: tuple[UserCredentialRecord, ...]
    trails: tuple[TrailRecord, ...]
    recorders: tuple[ConfigRecorderRecord, ...]
    # The snapshot parts AWS refused to the collector (AccessDenied), each with the reason: what they would
    # say is unknown, not empty (a None `password_policy` then does not mean "none set").
    not_collected: Mapping[str, str] = field(default_factory=dict)


def account_security_records(rows: Sequence[Row]) -> list[AccountSecurityRecord]:
    """`reach_security` rows (accountId, kind, facts: the loaded nodes of that kind, one map each) as one
    record per account that has a credential report or a security snapshot loaded, by account id.

    A user's facts come from both sources when both were loaded: the report says what only it knows (password
    use, the root user), the snapshot what only it knows (MFA serials, access key ids). Access keys come from
    the snapshot when one was loaded (it lists every key with its id), else from the report.
    """
    accounts: dict[str, dict[str, Any]] = {}
    nodes = ((row["accountId"], row["kind"], facts) for row in rows for facts in row["facts"])
    for account_id, kind, facts in nodes:
        account = accounts.setdefault(str(account_id), {"users": {}, "trails": [], "recorders": []})
        if kind in ("report", "snapshot"):
            account[kind] = facts
        elif kind == "trail":
            account["trails"].append(facts)
        elif kind == "recorder":
            account["recorders"].append(facts)
        else:
            name = str(facts.get("userName") or facts["name"])
            user = account["users"].setdefault(name, {"keys": [], "mfa": [], "report_keys": []})
            if kind == "reportUser":
                user["row"] = facts
            elif kind == "accessKey":
                user["report_keys" if facts.get("source") == "report" else "keys"].append(facts)
            elif kind == "mfaDevice":
                user["mfa"].append(facts)
            elif kind == "loginProfile":
                user["login"] = facts
    found = []
    for account_id, account in sorted(accounts.items()):
        report, snapshot = account.get("report"), account.get("snapshot")
        if report is None and snapshot is None:
            continue  # facts without their load marker cannot happen after a committed load; never report them
        # The snapshot's refusals, read once per account (not once per user).
        not_collected = json.loads(snapshot.get("notCollected") or "{}") if snapshot is not None else {}
        users = tuple(
            _user_credentials(account_id, name, facts, snapshot, not_collected)
            for name, facts in sorted(account["users"].items(), key=lambda item: (item[0] != "<root_account>", item[0]))
        )
        policy = snapshot.get("passwordPolicy") if snapshot else None
        summary = json.loads(snapshot["summary"]) if snapshot and snapshot.get("summary") else {}
        found.append(AccountSecurityRecord(
            account_id,
            _text(report.get("generatedTime")) if report else None,
            snapshot is not None,
            json.loads(policy) if isinstance(policy, str) else None,
            {str(key): int(value) for key, value in summary.items()},
            users,
            tuple(sorted((_trail(t) for t in account["trails"]), key=lambda t: (t.home_region or "", t.name))),
            tuple(sorted((_recorder(r) for r in account["recorders"]), key=lambda r: r.name)),
            not_collected,
        ))
    return found


def _user_credentials(
    account_id: str,
    name: str,
    facts: Mapping[str, Any],
    snapshot: Mapping[str, Any] | None,
    not_collected: Mapping[str, Any],
) -> UserCredentialRecord:
    row: Mapping[str, Any] = facts.get("row") or {}
    is_root = name == "<root_account>"
    # The snapshot lists every key of every IAM user with its id; the root user's keys only the report shows.
    if snapshot is not None and not is_root and "AccessKeys" not in not_collected:
        keys = sorted(facts["keys"], key=lambda key: str(key.get("created") or ""))
    else:
        keys = sorted(facts["report_keys"], key=lambda key: key.get("slot") or 0)
    first: Mapping[str, Any] = next(iter((*facts["keys"], *facts["mfa"], facts.get("login") or {})), {})
    arn = row.get("arn") or first.get("userArn") or f"arn:aws:iam::{account_id}:{'root' if is_root else 'user/' + name}"
    login = facts.get("login")
    password_enabled = row.get("passwordEnabled")
    if not row and snapshot is not None and snapshot.get("loginProfilesKnown"):
        password_enabled = login is not None
    mfa_active = row.get("mfaActive")
    if not row and snapshot is not None and "MfaDevices" not in not_collected:
        mfa_active = bool(facts["mfa"])
    return UserCredentialRecord(
        str(arn),
        name,
        is_root,
        _text(row.get("created")),
        None if password_enabled is None else bool(password_enabled),
        _text(row.get("passwordLastUsed")),
        bool(row.get("passwordUsedKnown", False)),
        _text(row.get("passwordLastChanged")),
        None if mfa_active is None else bool(mfa_active),
        tuple(sorted(str(device["serial"]) for device in facts["mfa"])),
        tuple(
            AccessKeyRecord(
                _text(key.get("accessKeyId")),
                None if key.get("slot") is None else int(key["slot"]),
                bool(key.get("active")),
                _text(key.get("created")),
                _text(key.get("lastUsed")),
                _text(key.get("lastUsedService")),
            )
            for key in keys
        ),
    )


def _trail(facts: Mapping[str, Any]) -> TrailRecord:
    return TrailRecord(
        str(facts["name"]), bool(facts.get("multiRegion")), bool(facts.get("logging")),
        _text(facts.get("homeRegion")), bool(facts.get("managementEvents")),
    )


def _recorder(facts: Mapping[str, Any]) -> ConfigRecorderRecord:
    return ConfigRecorderRecord(str(facts["name"]), bool(facts.get("recording")), bool(facts.get("allSupported")))


@dataclass(frozen=True, slots=True)
class RoleUsageRecord:
    """`reach_role_usage`: one role with GAAD's CreateDate and RoleLastUsed.LastUsedDate (None: never used,
    as far as AWS tracks it), which the audit's unused-role check reads (#16)."""

    arn: str
    name: str
    account_id: str
    created: str | None
    last_used: str | None
    is_service_linked: bool

    @classmethod
    def from_row(cls, row: Row) -> RoleUsageRecord:
        return cls(
            arn=str(row["arn"]),
            name=str(row["name"]),
            account_id=str(row["accountId"]),
            created=_text(row["created"]),
            last_used=_text(row["lastUsed"]),
            is_service_linked=bool(row["isServiceLinked"]),
        )


@dataclass(frozen=True, slots=True)
class SecurityLoadRecord:
    """`reach_security_loads`: one loaded credential report or security snapshot (#16), as a load marker."""

    account_id: str
    kind: str  # report or snapshot
    id: str
    loaded_at: str | None

    @classmethod
    def from_row(cls, row: Row) -> SecurityLoadRecord:
        return cls(str(row["accountId"]), str(row["kind"]), str(row["id"]), _text(row["loadedAt"]))
