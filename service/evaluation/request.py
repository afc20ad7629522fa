"""Who asks, for what: the caller (`Principal`) and the question (`Request`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from service.errors import InputError

PrincipalKind = Literal["user", "role", "root", "federated-user", "service", "federated", "anonymous"]
PRINCIPAL_KINDS: tuple[PrincipalKind, ...] = (
    "user",
    "role",
    "root",
    "federated-user",
    "service",
    "federated",
    "anonymous",
)

_ACCOUNT = re.compile(r"\d{12}\Z")
_IAM_ARN = re.compile(r"arn:(?P<partition>[\w-]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)\Z")
# STS API Reference, GetFederationToken > Name: 2 to 32 characters of [\w+=,.@-].
_FEDERATED_USER_NAME = re.compile(r"[\w+=,.@-]{2,32}\Z")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller.

    A `"role"` principal stands for a session of the role: `arn` is the role's ARN and `session_name`
    the session's name when known. It matches `Principal` elements naming the role ARN, and
    assumed-role ARNs `arn:aws:sts::ACCT:assumed-role/NAME/SESSION` for its own session (when the
    session name is unknown, such a match is conditional on `aws:userid`). Build one from an ARN with
    `principal_from_arn`.

    A `"federated-user"` principal is a federated user session (STS `GetFederationToken`), ARN
    `arn:aws:sts::ACCT:federated-user/NAME`; `parent_user_arn` is the IAM user (or root user) whose
    credentials created it, when known. Its identity policies and boundary are that user's, and its
    session policy is the one passed to `GetFederationToken`.
    """

    arn: str
    account_id: str | None
    kind: PrincipalKind
    unique_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    is_service_linked: bool = False
    is_management_account: bool = False
    username: str | None = None
    session_name: str | None = None
    parent_user_arn: str | None = None
    # False for a stand-in principal the graph knows only by its account (an account that is not loaded, or
    # `*`): every key describing it, except its account, is then unknown rather than absent.
    attributes_known: bool = True

    @property
    def name(self) -> str | None:
        """The user or role name (last path segment), for IAM users and roles."""
        if self.kind not in ("user", "role"):
            return None
        if self.username is not None and self.kind == "user":
            return self.username
        parsed = _IAM_ARN.match(self.arn)
        if parsed is None:
            return None
        resource = parsed.group("resource")
        if resource.startswith("assumed-role/"):
            return resource.split("/")[1] if resource.count("/") >= 1 else None
        return resource.rsplit("/", 1)[-1]

    @property
    def partition(self) -> str:
        parsed = _IAM_ARN.match(self.arn)
        return parsed.group("partition") if parsed else "aws"

    @property
    def role_arn(self) -> str | None:
        """The IAM role ARN of a role session (path unknown when built from a session ARN)."""
        if self.kind != "role":
            return None
        if ":assumed-role/" in self.arn and self.account_id:
            return f"arn:{self.partition}:iam::{self.account_id}:role/{self.name}"
        return self.arn

    @property
    def federated_user_name(self) -> str | None:
        """The name given to `GetFederationToken`, for a federated user session."""
        if self.kind != "federated-user":
            return None
        return self.arn.rsplit("/", 1)[-1]

    @property
    def is_iam_identity(self) -> bool:
        """Users, role sessions, federated user sessions and root: the principals of an account, whose SCPs
        and identity policies apply."""
        return self.kind in ("user", "role", "root", "federated-user")


@dataclass(frozen=True, slots=True)
class Request:
    """One request: `principal` wants to do `action` on `resource`.

    `context` maps condition keys (any case) to their values. With `context_complete=False`, a key that is
    neither in `context` nor derivable from the principal or resource is *unknown*: conditions on it are
    returned undecided. With `context_complete=True` it is *missing*, and AWS's missing-key rules apply.
    `resource_account` defaults to the account in the resource ARN, then to the caller's account.

    With `resource_is_pattern`, `resource` is a pattern (`*`, `arn:aws:s3:::logs/AWSLogs/*`) and the question
    becomes "may the principal do this on *some* resource matching it?": an Allow counts when its
    Resource/NotResource can match one of those resources, a Deny only when it covers all of them.
    """

    principal: Principal
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    context_complete: bool = False
    resource_is_pattern: bool = False


def principal_from_arn(
    arn: str,
    *,
    kind: PrincipalKind | None = None,
    unique_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    org_id: str | None = None,
    org_paths: tuple[str, ...] = (),
    is_service_linked: bool | None = None,
    is_management_account: bool = False,
    parent_user_arn: str | None = None,
) -> Principal:
    """A `Principal` from an ARN (or a service principal name, or `"*"`/`"anonymous"`).

    The kind is inferred when not given: `user/...` → user, `role/...` or `assumed-role/...` → role,
    `:root` → root, `sts::ACCT:federated-user/NAME` → federated-user, `*.amazonaws.com` → service,
    `saml-provider/`/`oidc-provider/` or a web identity provider host → federated. A session ARN keeps its
    session name. `parent_user_arn` (federated user sessions only) is the IAM user or root user of the
    same account that called `GetFederationToken`.

    Raises:
        InputError: the ARN names no principal kind we know, or `parent_user_arn` does not fit it.
    """
    tags = dict(tags or {})
    if arn in ("*", "anonymous"):
        return Principal(arn="anonymous", account_id=None, kind="anonymous")
    parsed = _IAM_ARN.match(arn)
    if parsed is None:
        # Web identity providers are host names; "cognito-identity.amazonaws.com" is one, not a service.
        is_service = arn.endswith(".amazonaws.com") and arn != "cognito-identity.amazonaws.com"
        inferred: PrincipalKind = kind or ("service" if is_service else "federated")
        if inferred not in ("service", "federated") or "." not in arn or arn.startswith("arn:"):
            raise InputError(
                f"principal {arn!r}: expected an IAM ARN, a service principal (name.amazonaws.com) "
                "or an identity provider"
            )
        return Principal(arn=arn, account_id=None, kind=inferred)
    account, resource = parsed.group("account"), parsed.group("resource")
    session_name = None
    if resource == "root":
        inferred = "root"
    elif resource.startswith("user/"):
        inferred = "user"
    elif resource.startswith("role/"):
        inferred = "role"
    elif resource.startswith("assumed-role/") and resource.count("/") >= 2:
        inferred = "role"
        session_name = resource.split("/", 2)[2]
    elif resource.startswith("federated-user/") and parsed.group("service") == "sts":
        inferred = "federated-user"
        if _FEDERATED_USER_NAME.match(resource[len("federated-user/") :]) is None:
            raise InputError(
                f"principal {arn!r}: a federated user name is 2 to 32 letters, digits or _+=,.@- (GetFederationToken)"
            )
    elif resource.startswith(("saml-provider/", "oidc-provider/")):
        inferred = "federated"
    else:
        raise InputError(
            f"principal {arn!r}: expected a user, role, assumed-role, federated-user, root or provider ARN"
        )
    if kind is not None and kind != inferred:
        raise InputError(f"principal {arn!r} is a {inferred}, not a {kind}")
    if parent_user_arn is not None:
        _check_parent_user(arn, inferred, account, parent_user_arn)
    if inferred == "federated":
        return Principal(arn=arn, account_id=account, kind="federated")
    slr = is_service_linked
    if slr is None:
        slr = inferred == "role" and "/aws-service-role/" in arn
    principal = Principal(
        arn=arn,
        account_id=account,
        kind=inferred,
        unique_id=unique_id,
        tags=tags,
        org_id=org_id,
        org_paths=org_paths,
        is_service_linked=slr,
        is_management_account=is_management_account,
        session_name=session_name,
        parent_user_arn=parent_user_arn,
    )
    if inferred == "user":
        return replace(principal, username=arn.rsplit("/", 1)[-1])
    return principal


def _check_parent_user(arn: str, kind: PrincipalKind, account: str, parent: str) -> None:
    """STS API Reference, GetFederationToken: called with the long-term credentials of an IAM user (or the
    root user) of the account the federated user session then belongs to."""
    if kind != "federated-user":
        raise InputError(f"principal {arn!r}: only a federated user session has a parent user")
    parsed = _IAM_ARN.match(parent)
    resource = parsed.group("resource") if parsed is not None and parsed.group("service") == "iam" else ""
    is_user = resource == "root" or resource.startswith("user/")
    if parsed is None or not is_user or parsed.group("account") != account:
        raise InputError(
            f"principal {arn!r}: parent user {parent!r} must be an IAM user or root ARN of account {account}"
        )


def is_account_id(text: str) -> bool:
    return _ACCOUNT.match(text) is not None


def parse_iam_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(partition, service, account, resource) of an `iam`/`sts` ARN, else None."""
    parsed = _IAM_ARN.match(arn)
    if parsed is None:
        return None
    return parsed.group("partition"), parsed.group("service"), parsed.group("account"), parsed.group("resource")


def arn_account(arn: str) -> str | None:
    """The account field of any ARN, when it is 12 digits."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and _ACCOUNT.match(parts[4]):
        return parts[4]
    return None
