"""GAAD (`aws iam get-account-authorization-details`) -> one `AccountSnapshot`. Pure: no I/O.

Accepts what the AWS CLI writes, the raw API form (URL-encoded documents) and paginated output
(pages given as a list or one after another). Every document passes through the evaluator's parser;
anything wrong raises `InputError` naming the file and the entity, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loaders.arns import ACCOUNT_ID, is_aws_managed_policy, parse_arn, policy_name_from_arn
from loaders.documents import validated_policy
from loaders.fields import (
    Where,
    iam_id,
    iam_name,
    iam_path,
    kind_of,
    objects,
    optional_bool,
    optional_int,
    optional_text,
    strings,
    tags_json,
    text,
    timestamp,
)
from loaders.rows import AccountSnapshot, GroupRow, Link, PolicyRow, RoleRow, TrustRow, UserRow
from loaders.trust import check_principals, trust_rows

GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@dataclass(frozen=True, slots=True)
class GaadDocument:
    """The pages of one GAAD output merged: the four detail lists, entries still as read."""

    source: str
    users: tuple[Mapping[str, Any], ...]
    groups: tuple[Mapping[str, Any], ...]
    roles: tuple[Mapping[str, Any], ...]
    policies: tuple[Mapping[str, Any], ...]


def is_gaad_page(value: object) -> bool:
    return isinstance(value, Mapping) and any(key in value for key in GAAD_LISTS)


def merge_pages(values: Sequence[object], source: str) -> GaadDocument:
    """Merge GAAD pages: each value is one page or a list of pages."""
    pages: list[object] = []
    for value in values:
        pages.extend(value if isinstance(value, list) else [value])
    lists: dict[str, list[Mapping[str, Any]]] = {key: [] for key in GAAD_LISTS}
    for index, page in enumerate(pages):
        where = Where(source, f"page {index + 1}" if len(pages) > 1 else "")
        if not is_gaad_page(page):
            raise where.error(
                f"not a GAAD page ({kind_of(page)}): expected an object with "
                "UserDetailList, GroupDetailList, RoleDetailList or Policies"
            )
        assert isinstance(page, Mapping)
        for key in GAAD_LISTS:
            lists[key].extend(objects(page, key, where))
    return GaadDocument(source, *(tuple(lists[key]) for key in GAAD_LISTS))


def transform_gaad(
    document: GaadDocument, *, account_id: str | None = None, alias: str | None = None
) -> AccountSnapshot:
    """The account snapshot described by a GAAD document.

    `account_id` is required when the document has no user, group, role or customer policy to read it
    from (and must agree with their ARNs otherwise).

    Raises:
        InputError: naming the file and the entity at fault.
    """
    return _Transform(document, account_id).snapshot(alias)


class _Transform:
    def __init__(self, document: GaadDocument, account_id: str | None) -> None:
        self.doc = document
        self.source = document.source
        self.account_id = account_id
        self.account_from: str | None = None
        self.owned: dict[str, PolicyRow] = {}
        self.global_: dict[str, PolicyRow] = {}
        self.referenced: dict[str, Where] = {}
        self.principal_policies: dict[Link, None] = {}
        self.group_policies: dict[Link, None] = {}
        self.boundaries: dict[Link, None] = {}
        self.memberships: dict[Link, None] = {}
        self.trusts: list[TrustRow] = []
        self.warnings: list[str] = []

    def snapshot(self, alias: str | None) -> AccountSnapshot:
        users = _unique(self._entities(self.doc.users, "user", "UserName"), self.source, "user")
        groups = _unique(self._entities(self.doc.groups, "group", "GroupName"), self.source, "group")
        roles = _unique(self._entities(self.doc.roles, "role", "RoleName"), self.source, "role")
        policies = _unique(self._entities(self.doc.policies, "policy", "PolicyName"), self.source, "policy")
        for where, policy in policies:
            self._managed_policy(where, policy)
        group_rows = [self._group(where, group) for where, group in groups]
        group_arns = {row.name: row.arn for row in group_rows}
        user_rows = [self._user(where, user, group_arns) for where, user in users]
        role_names = {text(role, "RoleName", where): text(role, "Arn", where) for where, role in roles}
        role_rows = [self._role(where, role, role_names) for where, role in roles]
        self._unknown_policies()
        if self.account_id is None:
            raise Where(self.source).error(
                "no account id: the file has no user, group, role or customer managed policy ARN to read it from"
            )
        return AccountSnapshot(
            account_id=self.account_id,
            source=self.source,
            users=tuple(user_rows),
            groups=tuple(group_rows),
            roles=tuple(role_rows),
            policies=tuple(self.owned.values()),
            global_policies=tuple(self.global_.values()),
            memberships=tuple(self.memberships),
            principal_policies=tuple(self.principal_policies),
            group_policies=tuple(self.group_policies),
            boundaries=tuple(self.boundaries),
            trusts=tuple(self.trusts),
            alias=alias,
            warnings=tuple(self.warnings),
        )

    def _entities(
        self, items: Sequence[Mapping[str, Any]], kind: str, name_key: str
    ) -> list[tuple[Where, Mapping[str, Any]]]:
        out = []
        for index, item in enumerate(items):
            name = item.get(name_key)
            label = f"{kind} {name!r}" if isinstance(name, str) and name else f"{kind} #{index + 1}"
            where = Where(self.source, label)
            arn = text(item, "Arn", where)
            if not (isinstance(name, str) and name):
                where = Where(self.source, f"{kind} {arn!r}")
            self._check_arn(arn, kind, where)
            out.append((where, item))
        return out

    def _check_arn(self, arn: str, kind: str, where: Where) -> None:
        parsed = parse_arn(arn)
        if parsed is None or parsed.service != "iam" or parsed.resource_type != kind:
            raise where.error(f"Arn {arn!r} is not an IAM {kind} ARN")
        if kind == "policy" and parsed.account == "aws":
            return
        if not ACCOUNT_ID.match(parsed.account):
            raise where.error(f"Arn {arn!r} does not name a 12-digit account")
        if self.account_id is None:
            self.account_id, self.account_from = parsed.account, where.entity
        elif parsed.account != self.account_id:
            seen = f" (from {self.account_from})" if self.account_from else ""
            raise where.error(
                f"belongs to account {parsed.account}, but this file describes account {self.account_id}{seen}; "
                "give each account its own file"
            )

    def _managed_policy(self, where: Where, item: Mapping[str, Any]) -> None:
        arn = text(item, "Arn", where)
        name = iam_name(item, "PolicyName", where) if item.get("PolicyName") is not None else policy_name_from_arn(arn)
        version = _default_version(item, where)
        _, document = validated_policy(
            version.get("Document"), where=where, name=arn, kind="identity", warnings=self.warnings
        )
        aws = is_aws_managed_policy(arn)
        row = PolicyRow(
            arn=arn,
            name=name,
            kind="aws" if aws else "customer",
            account_id=None if aws else self.account_id,
            document=document,
            version_id=optional_text(version, "VersionId", where) or optional_text(item, "DefaultVersionId", where),
            known=True,
            id=iam_id(item, "PolicyId", where) if item.get("PolicyId") is not None else None,
            path=iam_path(item, "Path", where) if item.get("Path") is not None else None,
            description=optional_text(item, "Description", where),
            create_date=timestamp(item, "CreateDate", where),
            update_date=timestamp(item, "UpdateDate", where),
            attachment_count=optional_int(item, "AttachmentCount", where),
            boundary_usage_count=optional_int(item, "PermissionsBoundaryUsageCount", where),
            is_attachable=optional_bool(item, "IsAttachable", where),
        )
        (self.global_ if aws else self.owned)[arn] = row

    def _group(self, where: Where, item: Mapping[str, Any]) -> GroupRow:
        arn = text(item, "Arn", where)
        self._inline(where, arn, item, "GroupPolicyList", self.group_policies)
        self._attached(where, arn, item, self.group_policies)
        return GroupRow(
            arn=arn,
            name=iam_name(item, "GroupName", where),
            id=iam_id(item, "GroupId", where),
            path=iam_path(item, "Path", where),
            account_id=self._account(),
            create_date=timestamp(item, "CreateDate", where),
        )

    def _user(self, where: Where, item: Mapping[str, Any], group_arns: Mapping[str, str]) -> UserRow:
        arn = text(item, "Arn", where)
        for group in strings(item, "GroupList", where):
            if group not in group_arns:
                raise where.error(f"is a member of group {group!r}, which is not in GroupDetailList")
            self.memberships[Link(arn, group_arns[group])] = None
        self._inline(where, arn, item, "UserPolicyList", self.principal_policies)
        self._attached(where, arn, item, self.principal_policies)
        self._boundary(where, arn, item)
        return UserRow(
            arn=arn,
            name=iam_name(item, "UserName", where),
            id=iam_id(item, "UserId", where),
            path=iam_path(item, "Path", where),
            account_id=self._account(),
            create_date=timestamp(item, "CreateDate", where),
            password_last_used=timestamp(item, "PasswordLastUsed", where),
            tags=tags_json(item, where),
        )

    def _role(self, where: Where, item: Mapping[str, Any], role_names: Mapping[str, str]) -> RoleRow:
        arn = text(item, "Arn", where)
        trust_where = where.at(f"{where.entity} trust policy (AssumeRolePolicyDocument)")
        trust, trust_json = validated_policy(
            item.get("AssumeRolePolicyDocument"), where=trust_where, name=f"{arn} trust policy", kind="resource",
            warnings=self.warnings,
        )
        check_principals(trust, trust_where)
        self.trusts.extend(trust_rows(arn, trust, role_arns_by_name=role_names))
        self._inline(where, arn, item, "RolePolicyList", self.principal_policies)
        self._attached(where, arn, item, self.principal_policies)
        self._boundary(where, arn, item)
        last_used = item.get("RoleLastUsed") or {}
        if not isinstance(last_used, Mapping):
            raise where.error(f"RoleLastUsed must be an object, not {kind_of(last_used)}")
        profiles = [text(p, "Arn", where) for p in objects(item, "InstanceProfileList", where)]
        path = iam_path(item, "Path", where)
        return RoleRow(
            arn=arn,
            name=iam_name(item, "RoleName", where),
            id=iam_id(item, "RoleId", where),
            path=path,
            account_id=self._account(),
            create_date=timestamp(item, "CreateDate", where),
            trust_policy=trust_json,
            last_used=timestamp(last_used, "LastUsedDate", where),
            last_used_region=optional_text(last_used, "Region", where),
            max_session_duration=optional_int(item, "MaxSessionDuration", where),
            is_service_linked=path.startswith("/aws-service-role/"),
            instance_profile_arns=tuple(profiles),
            tags=tags_json(item, where),
        )

    def _inline(
        self, where: Where, owner: str, item: Mapping[str, Any], key: str, links: dict[Link, None]
    ) -> None:
        names: set[str] = set()
        for entry in objects(item, key, where):
            name = iam_name(entry, "PolicyName", where.at(f"{where.entity} {key}"))
            if name in names:
                raise where.error(f"has two inline policies named {name!r}")
            names.add(name)
            arn = f"{owner}#inline/{name}"
            inline_where = where.at(f"{where.entity} inline policy {name!r}")
            _, document = validated_policy(
                entry.get("PolicyDocument"), where=inline_where, name=arn, kind="identity", warnings=self.warnings
            )
            self.owned[arn] = PolicyRow(
                arn=arn, name=name, kind="inline", account_id=self._account(), document=document,
                version_id=None, known=True, owner_arn=owner,
            )
            links[Link(owner, arn)] = None

    def _attached(self, where: Where, owner: str, item: Mapping[str, Any], links: dict[Link, None]) -> None:
        for entry in objects(item, "AttachedManagedPolicies", where):
            arn = text(entry, "PolicyArn", where.at(f"{where.entity} AttachedManagedPolicies"))
            self._reference(arn, where)
            links[Link(owner, arn)] = None

    def _boundary(self, where: Where, owner: str, item: Mapping[str, Any]) -> None:
        boundary = item.get("PermissionsBoundary")
        if boundary is None:
            return
        if not isinstance(boundary, Mapping):
            raise where.error(f"PermissionsBoundary must be an object, not {kind_of(boundary)}")
        arn = text(boundary, "PermissionsBoundaryArn", where.at(f"{where.entity} PermissionsBoundary"))
        self._reference(arn, where)
        self.boundaries[Link(owner, arn)] = None

    def _reference(self, arn: str, where: Where) -> None:
        parsed = parse_arn(arn)
        if parsed is None or parsed.service != "iam" or parsed.resource_type != "policy":
            raise where.error(f"{arn!r} is not a managed policy ARN")
        if parsed.account != "aws" and not ACCOUNT_ID.match(parsed.account):
            raise where.error(f"{arn!r} does not name a 12-digit account")
        self.referenced.setdefault(arn, where)

    def _unknown_policies(self) -> None:
        for arn in self.referenced:
            if arn in self.owned or arn in self.global_:
                continue
            aws = is_aws_managed_policy(arn)
            owner = None if aws else arn.split(":")[4]
            row = PolicyRow(
                arn=arn, name=policy_name_from_arn(arn), kind="aws" if aws else "customer",
                account_id=owner, document=None, version_id=None, known=False,
            )
            if owner is not None and owner == self.account_id:
                self.owned[arn] = row
            else:
                self.global_[arn] = row

    def _account(self) -> str:
        assert self.account_id is not None  # set by _check_arn before any entity is built
        return self.account_id


def _default_version(item: Mapping[str, Any], where: Where) -> Mapping[str, Any]:
    versions = objects(item, "PolicyVersionList", where)
    default = [v for v in versions if v.get("IsDefaultVersion") is True]
    if not default:
        wanted = item.get("DefaultVersionId")
        default = [v for v in versions if wanted is not None and v.get("VersionId") == wanted]
    if len(default) != 1:
        found = "no" if not default else "more than one"
        raise where.error(f"{found} default version in PolicyVersionList (IsDefaultVersion / DefaultVersionId)")
    return default[0]


def _unique(
    entities: list[tuple[Where, Mapping[str, Any]]], source: str, kind: str
) -> list[tuple[Where, Mapping[str, Any]]]:
    """Entities by ARN: an exact repeat (overlapping pages) is dropped, a conflicting one is an error."""
    seen: dict[str, Mapping[str, Any]] = {}
    out = []
    for where, item in entities:
        arn = item["Arn"]
        if arn in seen:
            if seen[arn] != item:
                raise where.error(f"appears twice with different details ({kind} {arn})")
            continue
        seen[arn] = item
        out.append((where, item))
    return out


def merged_output(pages: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Pages merged into the single object the AWS CLI writes for the same call."""
    merged: dict[str, Any] = {key: [] for key in GAAD_LISTS}
    for page in pages:
        for key in GAAD_LISTS:
            merged[key].extend(page.get(key) or [])
    merged["IsTruncated"] = False
    return merged
