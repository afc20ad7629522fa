"""Who asks, for what: the caller (`Principal`) and the question (`Request`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from service.errors import InputError

PrincipalKind = Literal["user", "role", "root", "service", "federated", "anonymous"]
PRINCIPAL_KINDS: tuple[PrincipalKind, ...] = ("user", "role", "root", "service", "federated", "anonymous")

_ACCOUNT = re.compile(r"\d{12}\Z")
_IAM_ARN = re.compile(r"arn:(?P<partition>[\w-]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)\Z")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller.

    A `"role"` principal stands for a session of the role: `arn` is the role's ARN and `session_name`
    the session's name when known. It matches `Principal` elements naming the role ARN, and
    assumed-role ARNs `arn:aws:sts::ACCT:assumed-role/NAME/SESSION` for its own session (when the
    session name is unknown, such a match is conditional on `aws:userid`). Build one from an ARN with
    `principal_from_arn`.
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
    def is_iam_identity(self) -> bool:
        """Users, role sessions and root: the principals whose account's SCPs and identity policies apply."""
        return self.kind in ("user", "role", "root")


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
) -> Principal:
    """A `Principal` from an ARN (or a service principal name, or `"*"`/`"anonymous"`).

    The kind is inferred when not given: `user/...` → user, `role/...` or `assumed-role/...` → role,
    `:root` → root, `*.amazonaws.com` → service, `saml-provider/`/`oidc-provider/` or a web identity
    provider host → federated. A session ARN keeps its session name.

    Raises:
        InputError: the ARN names no principal kind we know.
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
    elif resource.startswith(("saml-provider/", "oidc-provider/")):
        inferred = "federated"
    else:
        raise InputError(f"principal {arn!r}: expected a user, role, assumed-role, root or provider ARN")
    if kind is not None and kind != inferred:
        raise InputError(f"principal {arn!r} is a {inferred}, not a {kind}")
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
    )
    if inferred == "user":
        return replace(principal, username=arn.rsplit("/", 1)[-1])
    return principal


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
