"""The only module that talks to AWS (with loaders/live_resources.py, its resource-policy part): boto3 `get_*`
calls returning plain JSON-shaped data.

Datetimes come back as ISO 8601 strings, exactly as the AWS CLI prints them, so a live load and a
load of `accessgraph collect` output go through the same transforms. Throttling is retried by
botocore's adaptive retry mode; failures of optional calls are reported through `warn`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

# boto3 ships no type information (boto3-stubs would be a new dev dependency): typed as Any here.
import boto3  # type: ignore[import-untyped]
import botocore.config  # type: ignore[import-untyped]
import botocore.exceptions  # type: ignore[import-untyped]

from service.errors import AccessgraphError

Warn = Callable[[str], None]
RETRY_CONFIG = botocore.config.Config(retries={"mode": "adaptive", "max_attempts": 10})
_SESSION_NAME = "accessgraph"
_ORG_POLICY_TYPES = (("SERVICE_CONTROL_POLICY", True), ("RESOURCE_CONTROL_POLICY", False))


class AwsError(AccessgraphError):
    """A required AWS call failed (credentials, permissions, or the service said no)."""


def make_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile, region_name=region or None)
    except botocore.exceptions.ProfileNotFound as exc:
        raise AwsError(f"AWS profile {profile!r} not found: {exc}") from exc


def assume_role(session: boto3.Session, role_arn: str) -> boto3.Session:
    """A session with the credentials of `role_arn`, assumed from `session`."""
    with _required(f"sts:AssumeRole {role_arn}"):
        sts = session.client("sts", config=RETRY_CONFIG)
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=_SESSION_NAME)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=session.region_name,
    )


def get_account_id(session: boto3.Session) -> str:
    with _required("sts:GetCallerIdentity"):
        identity = session.client("sts", config=RETRY_CONFIG).get_caller_identity()
    return str(identity["Account"])


def get_authorization_details(session: boto3.Session) -> list[dict[str, Any]]:
    """Every page of `iam:GetAccountAuthorizationDetails`."""
    with _required("iam:GetAccountAuthorizationDetails"):
        paginator = session.client("iam", config=RETRY_CONFIG).get_paginator("get_account_authorization_details")
        return [_plain(page, drop=("ResponseMetadata",)) for page in paginator.paginate()]


def get_account_alias(session: boto3.Session, warn: Warn) -> str | None:
    """The account alias, or None (optional: a denied call is reported, not fatal)."""
    try:
        aliases = session.client("iam", config=RETRY_CONFIG).list_account_aliases().get("AccountAliases", [])
    except botocore.exceptions.ClientError as exc:
        warn(f"iam:ListAccountAliases: {_reason(exc)}; the account is loaded without its alias")
        return None
    return str(aliases[0]) if aliases else None


def get_organization(session: boto3.Session, warn: Warn) -> dict[str, Any]:
    """The organization as an Organizations snapshot (the format `collect --organization` writes)."""
    with _required("organizations:DescribeOrganization"):
        client = session.client("organizations", config=RETRY_CONFIG)
        organization = client.describe_organization()["Organization"]
    with _required("organizations:ListRoots"):
        roots = list(_pages(client, "list_roots", "Roots"))
    units: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    parents = [root["Id"] for root in roots]
    while parents:
        parent = parents.pop(0)
        with _required(f"organizations:ListOrganizationalUnitsForParent {parent}"):
            children = list(
                _pages(client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent)
            )
        with _required(f"organizations:ListAccountsForParent {parent}"):
            members = list(_pages(client, "list_accounts_for_parent", "Accounts", ParentId=parent))
        units.extend({**unit, "ParentId": parent} for unit in children)
        accounts.extend({**account, "ParentId": parent} for account in members)
        parents.extend(unit["Id"] for unit in children)
    policies: list[dict[str, Any]] = []
    for policy_type, required in _ORG_POLICY_TYPES:
        try:
            summaries = list(_pages(client, "list_policies", "Policies", Filter=policy_type))
        except botocore.exceptions.ClientError as exc:
            if required:
                raise AwsError(f"organizations:ListPolicies ({policy_type}) failed: {_reason(exc)}") from exc
            warn(f"organizations:ListPolicies ({policy_type}): {_reason(exc)}; loading without them")
            continue
        for summary in summaries:
            with _required(f"organizations:DescribePolicy {summary['Id']}"):
                content = client.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
                targets = list(_pages(client, "list_targets_for_policy", "Targets", PolicyId=summary["Id"]))
            policies.append({"PolicySummary": summary, "Content": content, "Targets": targets})
    snapshot: dict[str, Any] = _plain({
        "Organization": organization, "Roots": roots, "OrganizationalUnits": units,
        "Accounts": accounts, "Policies": policies,
    })
    return snapshot


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


class _required:
    """Turn a failed required call into one clear `AwsError`."""

    def __init__(self, call: str) -> None:
        self.call = call

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, botocore.exceptions.ClientError):
            raise AwsError(f"{self.call} failed: {_reason(exc)}") from exc
        if isinstance(exc, botocore.exceptions.BotoCoreError):
            raise AwsError(f"{self.call} failed: {exc}") from exc


def _reason(exc: botocore.exceptions.ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'error')}: {error.get('Message', exc)}"


def _plain(value: Any, drop: tuple[str, ...] = ()) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if k not in drop}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value
