"""Build small GAAD files (the shape `aws iam get-account-authorization-details` writes) for graph tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATE = "2025-01-01T00:00:00+00:00"
AWS_DATE = "2024-06-01T00:00:00+00:00"


def _id(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest().upper()[:17]


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return document(*statements)


def trusts(principal: dict[str, Any], *, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole", **extra}


@dataclass
class Account:
    """One account's GAAD, built up entity by entity."""

    id: str
    users: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.id}:{kind}/{name}"

    def policy(self, name: str, *statements: dict[str, Any]) -> str:
        arn = self.arn("policy", name)
        self.policies.append(
            {
                "PolicyName": name,
                "PolicyId": _id("ANPA", arn),
                "Arn": arn,
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": DATE,
                "UpdateDate": DATE,
                "PolicyVersionList": [
                    {"Document": document(*statements), "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": DATE}
                ],
            }
        )
        return arn

    def aws_policy(self, name: str, *statements: dict[str, Any]) -> str:
        """An AWS managed policy as GAAD lists it; the same entry in every account that names it."""
        arn = f"arn:aws:iam::aws:policy/{name}"
        self.policies.append(
            {
                "PolicyName": name,
                "PolicyId": _id("ANPA", arn),
                "Arn": arn,
                "Path": "/",
                "DefaultVersionId": "v3",
                "AttachmentCount": 3,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": AWS_DATE,
                "UpdateDate": AWS_DATE,
                "PolicyVersionList": [
                    {"Document": document(*statements), "VersionId": "v3", "IsDefaultVersion": True,
                     "CreateDate": AWS_DATE}
                ],
            }
        )
        return arn

    def group(self, name: str, *, inline: list[dict[str, Any]] = (), managed: list[str] = ()) -> str:  # type: ignore[assignment]
        arn = self.arn("group", name)
        self.groups.append(
            {
                "Path": "/",
                "GroupName": name,
                "GroupId": _id("AGPA", arn),
                "Arn": arn,
                "CreateDate": DATE,
                "GroupPolicyList": [
                    {"PolicyName": f"{name}-inline-{i}", "PolicyDocument": document(s)} for i, s in enumerate(inline)
                ],
                "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[-1], "PolicyArn": m} for m in managed],
            }
        )
        return arn

    def user(
        self,
        name: str,
        *,
        groups: list[str] = (),
        inline: list[dict[str, Any]] = (),  # type: ignore[assignment]
        managed: list[str] = (),
        boundary: str | None = None,
        tags: dict[str, str] | None = None,  # type: ignore[assignment]
    ) -> str:
        arn = self.arn("user", name)
        entry: dict[str, Any] = {
            "Path": "/",
            "UserName": name,
            "UserId": _id("AIDA", arn),
            "Arn": arn,
            "CreateDate": DATE,
            "UserPolicyList": [
                {"PolicyName": f"{name}-inline-{i}", "PolicyDocument": document(s)} for i, s in enumerate(inline)
            ],
            "GroupList": list(groups),
            "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[-1], "PolicyArn": m} for m in managed],
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self.users.append(entry)
        return arn

    def role(
        self,
        name: str,
        trust_policy: dict[str, Any],
        *,
        inline: list[dict[str, Any]] = (),  # type: ignore[assignment]
        managed: list[str] = (),
        boundary: str | None = None,  # type: ignore[assignment]
    ) -> str:
        arn = self.arn("role", name)
        entry: dict[str, Any] = {
            "Path": "/",
            "RoleName": name,
            "RoleId": _id("AROA", arn),
            "Arn": arn,
            "CreateDate": DATE,
            "AssumeRolePolicyDocument": trust_policy,
            "InstanceProfileList": [],
            "RolePolicyList": [
                {"PolicyName": f"{name}-inline-{i}", "PolicyDocument": document(s)} for i, s in enumerate(inline)
            ],
            "AttachedManagedPolicies": [{"PolicyName": m.rsplit("/", 1)[-1], "PolicyArn": m} for m in managed],
            "Tags": [],
            "RoleLastUsed": {},
            "MaxSessionDuration": 3600,
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self.roles.append(entry)
        return arn

    def write(self, folder: Path) -> Path:
        path = folder / f"gaad-{self.id}.json"
        path.write_text(
            json.dumps(
                {
                    "UserDetailList": self.users,
                    "GroupDetailList": self.groups,
                    "RoleDetailList": self.roles,
                    "Policies": self.policies,
                }
            ),
            encoding="utf-8",
        )
        return path


def organization(folder: Path, *, levels: dict[str, list[dict[str, Any]]], accounts: dict[str, str]) -> Path:
    """An Organizations snapshot: root r-root → OU ou-team; `accounts` maps account id → parent id;
    `levels` maps a target id (r-root, ou-team or an account id) → SCP documents attached there."""
    org = "o-testorg001"
    policies = []
    for target, documents in levels.items():
        for i, doc in enumerate(documents):
            pid = f"p-{target.replace('-', '')[:8]}{i}"
            policies.append(
                {
                    "PolicySummary": {
                        "Id": pid,
                        "Arn": f"arn:aws:organizations::999999999999:policy/{org}/service_control_policy/{pid}",
                        "Name": f"scp-{target}-{i}",
                        "Type": "SERVICE_CONTROL_POLICY",
                        "AwsManaged": False,
                    },
                    "Content": json.dumps(doc),
                    "Targets": [{"TargetId": target}],
                }
            )
    snapshot = {
        "Organization": {
            "Id": org,
            "Arn": f"arn:aws:organizations::999999999999:organization/{org}",
            "FeatureSet": "ALL",
            "MasterAccountId": "999999999999",
            "MasterAccountArn": f"arn:aws:organizations::999999999999:account/{org}/999999999999",
        },
        "Roots": [{"Id": "r-root", "Arn": f"arn:aws:organizations::999999999999:root/{org}/r-root", "Name": "Root"}],
        "OrganizationalUnits": [
            {
                "Id": "ou-team",
                "Name": "Team",
                "ParentId": "r-root",
                "Arn": f"arn:aws:organizations::999999999999:ou/{org}/ou-team",
            }
        ],
        "Accounts": [
            {
                "Id": a,
                "Name": f"account {a}",
                "ParentId": parent,
                "Status": "ACTIVE",
                "Arn": f"arn:aws:organizations::999999999999:account/{org}/{a}",
            }
            for a, parent in accounts.items()
        ],
        "Policies": policies,
    }
    path = folder / "organization.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    return path
