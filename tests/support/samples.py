"""Small GAAD documents built in code, and the demo examples, for the loader tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def gaad_a() -> dict[str, Any]:
    """The tutorial's account 111111111111 (a fresh copy each call)."""
    return copy.deepcopy(example(f"gaad-{ACCOUNT_A}.json"))


def gaad_b() -> dict[str, Any]:
    return copy.deepcopy(example(f"gaad-{ACCOUNT_B}.json"))


def organization() -> dict[str, Any]:
    return copy.deepcopy(example("organization.json"))


def allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


def user(name: str, account: str = ACCOUNT_A, **fields: Any) -> dict[str, Any]:
    return {
        "Path": "/", "UserName": name, "UserId": f"AIDA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:user/{name}", "CreateDate": "2025-01-01T00:00:00+00:00",
        "GroupList": [], "AttachedManagedPolicies": [], **fields,
    }


def group(name: str, account: str = ACCOUNT_A, **fields: Any) -> dict[str, Any]:
    return {
        "Path": "/", "GroupName": name, "GroupId": f"AGPA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:group/{name}", "CreateDate": "2025-01-01T00:00:00+00:00",
        "GroupPolicyList": [], "AttachedManagedPolicies": [], **fields,
    }


def role(name: str, principal: Any, account: str = ACCOUNT_A, path: str = "/", **fields: Any) -> dict[str, Any]:
    return {
        "Path": path, "RoleName": name, "RoleId": f"AROA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:role{path}{name}", "CreateDate": "2025-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": trust(principal), "InstanceProfileList": [], "RolePolicyList": [],
        "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}, **fields,
    }


def managed(arn: str, document: Any, **fields: Any) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1], "PolicyId": "ANPA" + "X" * 17, "Arn": arn, "Path": "/",
        "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": "2025-01-01T00:00:00+00:00", "UpdateDate": "2025-01-01T00:00:00+00:00",
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True,
                               "CreateDate": "2025-01-01T00:00:00+00:00"}],
        **fields,
    }


def gaad(users: Any = (), groups: Any = (), roles: Any = (), policies: Any = ()) -> dict[str, Any]:
    return {"UserDetailList": list(users), "GroupDetailList": list(groups), "RoleDetailList": list(roles),
            "Policies": list(policies)}


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, indent=4), encoding="utf-8")
    return path
