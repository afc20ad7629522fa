"""The request context: the values condition keys take, including those derived from the caller.

Keys are case-insensitive (IAM User Guide, "Policy variables": "Key names are case-insensitive"). A key
is *present* (a tuple of values), *absent* (`ABSENT`: AWS's "not present"), or, when the caller did not
say the context is complete, *unknown* (`UNKNOWN`). Keys describing the principal and the resource
account are derived from the `Principal` and `Request` and are therefore always decided: the graph knows
them, so reporting them as conditions would only hide the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from .request import Principal, Request, arn_account
from .scopes import PRINCIPAL_TAG_PREFIX as _PRINCIPAL_TAG
from .scopes import Scope, scope_of
from .variables import ABSENT, UNKNOWN, Lookup

_PRINCIPAL_TYPES = {"user": "User", "role": "AssumedRole", "root": "Account", "anonymous": "Anonymous"}


class RequestContext:
    """Looks up condition keys for one request. Cheap to build: derived keys are computed on demand."""

    __slots__ = ("_given", "complete", "principal", "resource_account")

    def __init__(self, request: Request) -> None:
        given: dict[str, tuple[str, ...]] = {}
        for key, value in request.context.items():
            given[key.lower()] = (value,) if isinstance(value, str) else tuple(value)
        self._given = given
        self.complete = request.context_complete
        self.principal = request.principal
        self.resource_account = resolve_resource_account(request)

    def lookup(self, key_lower: str) -> Lookup:
        found = self._given.get(key_lower)
        if found is not None:
            return found
        derive = _DERIVED.get(key_lower)
        if (
            not self.principal.attributes_known
            and not _stand_in_tells(key_lower)
            and (derive is not None or key_lower.startswith(_PRINCIPAL_TAG))
        ):
            return ABSENT if self.complete else UNKNOWN
        if derive is not None:
            derived = derive(self)
            if derived is not UNKNOWN or self.complete:
                return ABSENT if derived is UNKNOWN else derived
        elif key_lower.startswith(_PRINCIPAL_TAG):
            return _principal_tag(self.principal, key_lower[len(_PRINCIPAL_TAG) :])
        return ABSENT if self.complete else UNKNOWN

    def lookup_variable(self, key: str) -> Lookup:
        return self.lookup(key.lower())


def _stand_in_tells(key_lower: str) -> bool:
    """What a stand-in principal (attributes_known=False) still tells: its account, the resource's account,
    and that it is no AWS service."""
    return scope_of(key_lower) in (Scope.ACCOUNT, Scope.RESOURCE) or key_lower == "aws:principalisawsservice"


def resolve_resource_account(request: Request) -> str | None:
    """The resource's account: as given, else from the ARN, else the caller's (see `Request`)."""
    if request.resource_account:
        return request.resource_account
    return arn_account(request.resource) or request.principal.account_id


def _iam_only(value: Callable[[Principal], Lookup]) -> Callable[[RequestContext], Lookup]:
    def derive(ctx: RequestContext) -> Lookup:
        return value(ctx.principal) if ctx.principal.is_iam_identity else ABSENT

    return derive


def _principal_arn(p: Principal) -> Lookup:
    if p.kind == "root":
        return (f"arn:{p.partition}:iam::{p.account_id}:root",)
    arn = p.role_arn if p.kind == "role" else p.arn
    return (arn,) if arn else UNKNOWN


def _userid(ctx: RequestContext) -> Lookup:
    p = ctx.principal
    if p.kind == "anonymous":
        return ("anonymous",)
    if p.kind == "root":
        return (p.account_id,) if p.account_id else UNKNOWN
    if p.kind == "user" and p.unique_id:
        return (p.unique_id,)
    if p.kind == "role" and p.unique_id and p.session_name:
        return (f"{p.unique_id}:{p.session_name}",)
    return UNKNOWN


def _username(ctx: RequestContext) -> Lookup:
    p = ctx.principal
    if p.kind != "user":
        return ABSENT
    return (p.name,) if p.name else UNKNOWN


def _principal_type(ctx: RequestContext) -> Lookup:
    kind = _PRINCIPAL_TYPES.get(ctx.principal.kind)
    return (kind,) if kind else UNKNOWN


def _principal_tag(p: Principal, tag_lower: str) -> Lookup:
    if p.kind not in ("user", "role"):
        return ABSENT
    for tag, value in p.tags.items():
        if tag.lower() == tag_lower:
            return (value,)
    return ABSENT


_DERIVED: dict[str, Callable[[RequestContext], Lookup]] = {
    "aws:principalaccount": _iam_only(lambda p: (p.account_id,) if p.account_id else UNKNOWN),
    "aws:principalarn": _iam_only(_principal_arn),
    "aws:principalorgid": _iam_only(lambda p: (p.org_id,) if p.org_id else ABSENT),
    "aws:principalorgpaths": _iam_only(lambda p: p.org_paths if p.org_paths else ABSENT),
    "aws:principaltype": _principal_type,
    "aws:userid": _userid,
    "aws:username": _username,
    "aws:principalisawsservice": lambda ctx: ("true",) if ctx.principal.kind == "service" else ("false",),
    "aws:principalservicename": lambda ctx: (ctx.principal.arn,) if ctx.principal.kind == "service" else ABSENT,
    "aws:resourceaccount": lambda ctx: (ctx.resource_account,) if ctx.resource_account else UNKNOWN,
}
