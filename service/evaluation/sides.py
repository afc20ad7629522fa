"""The two sides of one decision (see engine.py): the caller's (its identity policies, boundary, session policy
and SCPs) and the resource's (its resource policy and the RCPs over it). `engine.combined` makes the decision of
the two. A side depends on less than the whole request: many requests that share one (the same caller on
resources its policies fit alike, or callers of one account on roles of one trust policy) can have it worked
out once (service/reachability/edges/).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .context import RequestContext
from .decision import Reason, ReasonSource
from .formula import Cond, conj, disj
from .organizations import rcp_levels, rcps_apply_to, scp_levels
from .policy import Policy
from .request import Principal, Request
from .resource_policies import is_public
from .scans import Hit, ResourceScan, Target, scan, scan_resource


def context_of(request: Request) -> RequestContext:
    """The request's context, with the keys AWS sets for a federated user session."""
    return RequestContext(_with_federated_user_keys(request))


@dataclass(frozen=True, slots=True)
class CallerSide:
    """What the caller's own policies give for one request: its identity policies, boundary, session policy and
    SCPs (`ident`: what they grant on their own; `bound`, `sess`: the boundary and session policy, which also
    limit a resource policy naming the caller's role or user; `denies`; `scp_ok`). A decision is `combined`
    from this and the resource's side: each may be worked out once for many requests that share it."""

    ident: Cond
    identity_allow: Cond
    bound: Cond
    sess: Cond
    denies: Cond
    scp_ok: Cond
    hits: tuple[Hit, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ResourceSide:
    """What the resource's side gives for one request: its resource policy's Allows by how they name the
    caller (see `PrincipalMatch`) and the Denies of the resource policy and the RCPs over it."""

    direct: Cond
    user: Cond
    role: Cond
    account: Cond
    denies: Cond
    hits: tuple[Hit, ...]
    reasons: tuple[Reason, ...]


def caller_side(
    request: Request,
    ctx: RequestContext,
    identity_policies: Sequence[Policy],
    boundaries: Sequence[Policy] | None,
    service_control_policies: Sequence[Sequence[Policy]] | None,
    session_policy: Policy | None,
) -> CallerSide:
    """The caller's side of `engine.evaluate` (its arguments; `ctx`: `context_of(request)`; `boundaries`: None
    when there is none)."""
    who = request.principal
    target = Target(request.action.lower(), request.resource, request.resource_is_pattern)
    reasons: list[Reason] = []
    identity = scan(identity_policies, "identity", target, ctx)
    boundary = None if boundaries is None else scan(boundaries, "boundary", target, ctx)
    session = None if session_policy is None else scan((session_policy,), "session", target, ctx)
    denies: list[Cond] = [*identity.denies]
    hits: list[Hit] = [*identity.hits]
    for part in (boundary, session):
        if part is not None:
            denies.extend(part.denies)
            hits.extend(part.hits)

    scp_ok: Cond = True
    if service_control_policies is not None and who.is_iam_identity:
        if who.is_management_account or who.is_service_linked:
            exempt = "management account" if who.is_management_account else "service-linked role"
            reasons.append(note("scp", f"SCPs do not apply to a {exempt}"))
        else:
            scp_ok = scp_levels(service_control_policies, target, ctx, denies, hits, reasons)

    bound: Cond = True if boundary is None else disj(boundary.allows)
    # "If you do not pass any session policies, then the resulting federated user session has no permissions"
    # (STS API Reference, GetFederationToken > Policy).
    sess: Cond = (who.kind != "federated-user") if session is None else disj(session.allows)
    identity_allow = disj(identity.allows)
    if who.kind == "root":
        ident: Cond = True  # "with the exception of the AWS account root user, which has full access"
    elif who.kind in ("user", "role"):
        ident = conj((identity_allow, bound, sess))
    elif who.kind == "federated-user":
        parent_is_root = (who.parent_user_arn or "").endswith(":root")
        ident = conj((True if parent_is_root else identity_allow, bound, sess))
    else:
        ident = False
    return CallerSide(ident, identity_allow, bound, sess, disj(denies), scp_ok, tuple(hits), tuple(reasons))


def resource_side(
    request: Request,
    ctx: RequestContext,
    resource_control_policies: Sequence[Sequence[Policy]] | None,
    resource_policy: Policy | None,
    resource_in_management_account: bool,
    restrict_public_buckets: bool,
    *,
    has_boundary: bool,
) -> ResourceSide:
    """The resource's side of `engine.evaluate` (its arguments; `ctx`: `context_of(request)`; `has_boundary`:
    whether the caller has a permissions boundary, which a NotPrincipal Deny reads)."""
    action = request.action.lower()
    who = request.principal
    target = Target(action, request.resource, request.resource_is_pattern)
    same_account = who.is_iam_identity and ctx.resource_account == who.account_id
    reasons: list[Reason] = []
    denies: list[Cond] = []
    hits: list[Hit] = []
    if resource_control_policies is not None:
        in_management = resource_in_management_account or (same_account and who.is_management_account)
        if in_management or who.is_service_linked:
            exempt = "resources in the management account" if in_management else "service-linked roles"
            reasons.append(note("rcp", f"RCPs do not apply to {exempt}"))
        elif not rcps_apply_to(action):
            reasons.append(note("rcp", f"RCPs do not apply to {action.partition(':')[0]} (not an RCP service)"))
        else:
            rcp_levels(resource_control_policies, target, ctx, denies, hits)

    res = scan_resource((() if resource_policy is None else (resource_policy,)), "resource", target, ctx, has_boundary)
    if restrict_public_buckets and resource_policy is not None and not same_account and who.kind != "service":
        res = _restricted(res, resource_policy, reasons)
    denies.extend(res.denies)
    hits.extend(res.hits)
    for unknown_id in dict.fromkeys(res.unknown_ids):
        reasons.append(note("resource", f"Principal {unknown_id} is a unique id no known principal has (deleted?)"))
    return ResourceSide(
        disj(res.direct),
        disj(res.user),
        disj(res.role),
        disj(res.account),
        disj(denies),
        tuple(hits),
        tuple(reasons),
    )


_PRINCIPAL_TAG = "aws:PrincipalTag/"


def _with_federated_user_keys(request: Request) -> Request:
    """`request` with the keys AWS sets for a federated user session (IAM UG, "AWS global condition context
    keys"): `aws:PrincipalType` `FederatedUser`, `aws:userid` `ACCOUNT:NAME`, and `aws:PrincipalTag/*` from its
    session tags; `aws:username` stays absent. Keys the request gives win, as for every other caller. The
    other principal keys (`aws:PrincipalArn`: the session's ARN, `aws:PrincipalAccount`, the organization)
    come from the request context like those of users and roles."""
    who = request.principal
    if who.kind != "federated-user" or not who.attributes_known:
        return request
    keys = _federated_user_keys(who)
    given = {key.lower() for key in request.context}
    extra = {key: value for key, value in keys.items() if key.lower() not in given}
    return replace(request, context={**request.context, **extra}) if extra else request


def _federated_user_keys(who: Principal) -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {
        "aws:PrincipalType": ("FederatedUser",),
        "aws:userid": (f"{who.account_id}:{who.federated_user_name}",),
    }
    keys.update({f"{_PRINCIPAL_TAG}{tag}": (value,) for tag, value in who.tags.items()})
    return keys


def _restricted(res: ResourceScan, policy: Policy, reasons: list[Reason]) -> ResourceScan:
    """S3 UG, "Blocking public access" > RestrictPublicBuckets: a public bucket policy grants nothing to callers
    outside the bucket owner's account ("including non-public delegation to specific accounts"), AWS service
    principals aside. Its Denies still apply."""
    if not is_public(policy):
        return res
    why = (
        "S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public, "
        "so it grants nothing outside the bucket's account"
    )
    reasons.append(note("resource", why))
    kept = [h for h in res.hits if h.statement.effect == "Deny"]
    return ResourceScan(denies=res.denies, hits=kept, unknown_ids=res.unknown_ids)


def note(source: ReasonSource, why: str) -> Reason:
    return Reason("", source, None, None, None, why)
