"""The decision: every policy that applies to one request, combined the way AWS combines them.

IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic":

    allowed = NOT deny  AND  scp  AND  rcp  AND  grant

- `deny`: an applicable `Deny` in any policy (identity, boundary, session, SCP, RCP, resource).
- `scp`: an `Allow` at every level from the root through each OU to the account, unless the caller is
  in the management account, is a service-linked role, or is not an IAM identity (services, federated
  providers and anonymous callers belong to no account's SCPs).
- `rcp`: no Deny in the RCPs of the resource's account (`RCPFullAWSAccess` allows at every level), for
  services RCPs support, unless the resource is in the management account or the caller is a
  service-linked role (see `organizations`).
- `grant` within one account: identity Allow ∩ boundary ∩ session policy, OR a resource-policy Allow that
  names the caller's session (or everyone), OR one that names the user (then ∩ session), OR one that names
  its role (then ∩ boundary ∩ session). A resource policy
  that names only the account delegates: the identity side must allow too. For role trust policies and
  KMS key policies the resource policy must allow in every case.
- A federated user session (`GetFederationToken`) is its user's identity policies and boundary ∩ its
  session policy, and has no permissions without one (IAM UG, "Permissions for GetFederationToken"); a
  resource policy naming the session grants on its own, one naming its user is limited by the session
  policy.
- `grant` across accounts: the identity side AND the resource policy.

Before any policy: what AWS refuses or grants whatever the policies say (`aws_protected`).

Each part may be True, False or a `Condition` (see `formula`), so an answer the request context cannot
decide comes back as "Allowed if ..." rather than a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

from service.errors import PolicyError

from .aws_protected import NO_PERMISSION_NEEDED, refused_by_aws, restricted_for_caller
from .context import RequestContext
from .decision import Decision, DecisionKind, Reason, ReasonSource
from .formula import Cond, conj, disj, neg
from .organizations import rcp_levels, rcps_apply_to, scp_levels
from .policy import Policy, PolicyWarning
from .request import Principal, Request
from .resource_policies import is_public
from .scans import Hit, ResourceScan, Target, scan, scan_resource

ResourceKind = Literal["generic", "role-trust", "kms-key"]
RESOURCE_KINDS: tuple[ResourceKind, ...] = ("generic", "role-trust", "kms-key")

__all__ = ["RESOURCE_KINDS", "Decision", "DecisionKind", "Reason", "ResourceKind", "evaluate"]


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[Policy] = (),
    permissions_boundaries: Sequence[Policy] | None = None,
    service_control_policies: Sequence[Sequence[Policy]] | None = None,
    resource_control_policies: Sequence[Sequence[Policy]] | None = None,
    resource_policy: Policy | None = None,
    session_policy: Policy | None = None,
    resource_kind: ResourceKind = "generic",
    resource_in_management_account: bool = False,
    restrict_public_buckets: bool = False,
) -> Decision:
    """Decide `request` against the policies that apply to it.

    Args:
        identity_policies: every identity-based policy of the caller: inline, attached, and those of the
            user's groups.
        permissions_boundaries: `None` or an empty list means no boundary; otherwise (normally one
            policy) the boundary.
        service_control_policies: `None` means no organization; otherwise one list of SCPs per level,
            root first, then each OU, then the account. An empty level allows nothing.
        resource_control_policies: likewise, for the resource's account; RCPs only deny.
        resource_policy: the resource-based policy (bucket policy, role trust policy, key policy...).
        session_policy: the session policy of the caller's session, if any.
        resource_kind: `"role-trust"` and `"kms-key"` make the resource policy required even within
            one account.
        resource_in_management_account: RCPs do not apply to resources in the management account.
        restrict_public_buckets: S3 Block Public Access `RestrictPublicBuckets` is on for the bucket or its
            account: when the resource policy is public (`resource_policies.is_public`), it grants nothing to
            callers outside the resource's account except AWS service principals.

    Raises:
        PolicyError: a policy carries an element its type forbids (e.g. `Principal` in an identity policy,
            `NotPrincipal` in a role trust policy).
    """
    if resource_kind == "role-trust" and resource_policy is not None:
        check_trust_policy(resource_policy)
    boundaries = permissions_boundaries or None  # IAM UG: an entity has at most one boundary, or none
    given = (
        *identity_policies,
        *(boundaries or ()),
        *(p for level in service_control_policies or () for p in level),
        *(p for level in resource_control_policies or () for p in level),
        *((resource_policy,) if resource_policy else ()),
        *((session_policy,) if session_policy else ()),
    )
    warnings = warnings_of(given)
    found = _decide(
        request,
        identity_policies,
        boundaries,
        service_control_policies,
        resource_control_policies,
        resource_policy,
        session_policy,
        resource_kind,
        resource_in_management_account,
        restrict_public_buckets,
    )
    return Decision(found.decision, found.condition, found.explanation, warnings, request.resource_is_pattern)


def _decide(
    request: Request,
    identity_policies: Sequence[Policy],
    boundaries: Sequence[Policy] | None,
    service_control_policies: Sequence[Sequence[Policy]] | None,
    resource_control_policies: Sequence[Sequence[Policy]] | None,
    resource_policy: Policy | None,
    session_policy: Policy | None,
    resource_kind: ResourceKind,
    resource_in_management_account: bool,
    restrict_public_buckets: bool = False,
) -> Decision:
    action = request.action.lower()
    ctx = RequestContext(_with_federated_user_keys(request))
    who = request.principal
    target = Target(action, request.resource, request.resource_is_pattern)
    same_account = who.is_iam_identity and ctx.resource_account == who.account_id
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
            reasons.append(_note("scp", f"SCPs do not apply to a {exempt}"))
        else:
            scp_ok = scp_levels(service_control_policies, target, ctx, denies, hits, reasons)
    if resource_control_policies is not None:
        in_management = resource_in_management_account or (same_account and who.is_management_account)
        if in_management or who.is_service_linked:
            exempt = "resources in the management account" if in_management else "service-linked roles"
            reasons.append(_note("rcp", f"RCPs do not apply to {exempt}"))
        elif not rcps_apply_to(action):
            reasons.append(_note("rcp", f"RCPs do not apply to {action.partition(':')[0]} (not an RCP service)"))
        else:
            rcp_levels(resource_control_policies, target, ctx, denies, hits)

    res = scan_resource(
        () if resource_policy is None else (resource_policy,), "resource", target, ctx, boundaries is not None
    )
    if restrict_public_buckets and resource_policy is not None and not same_account and who.kind != "service":
        res = _restricted(res, resource_policy, reasons)
    denies.extend(res.denies)
    hits.extend(res.hits)
    for unknown_id in dict.fromkeys(res.unknown_ids):
        reasons.append(_note("resource", f"Principal {unknown_id} is a unique id no known principal has (deleted?)"))

    bound: Cond = True if boundary is None else disj(boundary.allows)
    # "If you do not pass any session policies, then the resulting federated user session has no permissions"
    # (STS API Reference, GetFederationToken > Policy).
    sess: Cond = (who.kind != "federated-user") if session is None else disj(session.allows)
    if who.kind == "root":
        ident: Cond = True  # "with the exception of the AWS account root user, which has full access"
    elif who.kind in ("user", "role"):
        ident = conj((disj(identity.allows), bound, sess))
    elif who.kind == "federated-user":
        parent_is_root = (who.parent_user_arn or "").endswith(":root")
        ident = conj((True if parent_is_root else disj(identity.allows), bound, sess))
    else:
        ident = False
    direct, via_role, via_account = disj(res.direct), disj(res.role), disj(res.account)
    # IAM UG, "Session policies": a resource policy naming the user (or role) ARN is limited by the session
    # policy; one naming the session itself is not.
    via_user = conj((disj(res.user), sess))
    role_path = conj((via_role, bound, sess))

    grant: Cond
    if not who.is_iam_identity:
        grant = disj((direct, via_user, via_role, via_account))
    elif not same_account:
        grant = conj((ident, disj((direct, disj(res.user), via_role, via_account))))
    elif resource_kind == "generic":
        grant = disj((ident, direct, via_user, role_path))
    else:
        grant = disj((direct, via_user, role_path, conj((via_account, ident))))
    if resource_kind == "role-trust" and who.kind == "root" and action.startswith("sts:assumerole"):
        grant = False
        reasons.append(_note("resource", "the root user cannot assume a role (STS AssumeRole)"))

    # Only now, so that every policy given has been checked for what its type forbids.
    free = NO_PERMISSION_NEEDED.get(action)
    if free is not None:
        return Decision("Allowed", None, (_note("aws", f"{request.action} needs no permission: {free}"),))
    restriction = restricted_for_caller(who.kind, action)
    if restriction is not None and not restriction.console_allowed:
        why = f"AWS refuses {request.action} to a {restriction.name}, whatever the policies say ({restriction.doc})"
        return Decision("ExplicitlyDenied", None, (_note("aws", why),))
    if restriction is not None:
        reasons.append(_note("aws", f"through the API or CLI, AWS refuses {request.action} ({restriction.doc})"))
    protection = None if request.resource_is_pattern else refused_by_aws(action, request.resource)
    if protection is not None:
        why = f"AWS refuses {request.action} on an {protection.name}, whatever the policies say ({protection.doc})"
        return Decision("ExplicitlyDenied", None, (_note("aws", why),))

    deny = disj(denies)
    allowed = conj((neg(deny), scp_ok, grant))
    if deny is True:
        kind: DecisionKind = "ExplicitlyDenied"
        chosen = [h.reason() for h in hits if h.statement.effect == "Deny" and h.cond is True]
        return Decision(kind, None, tuple(chosen))
    if allowed is False:
        missing = _missing(
            who.kind,
            same_account,
            resource_kind,
            resource_policy,
            identity_allow=disj(identity.allows),
            bound=bound,
            sess=sess,
            grant=grant,
            has_session_policy=session_policy is not None,
        )
        return Decision("ImplicitlyDenied", None, (*_reasons(hits), *reasons, *missing))
    return Decision("Allowed", None if allowed is True else allowed, (*_reasons(hits), *reasons))


_ACCOUNT_KINDS = ("user", "role", "root", "federated-user")
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
    reasons.append(_note("resource", why))
    kept = [h for h in res.hits if h.statement.effect == "Deny"]
    return ResourceScan(denies=res.denies, hits=kept, unknown_ids=res.unknown_ids)


def _reasons(hits: Iterable[Hit]) -> tuple[Reason, ...]:
    return tuple(h.reason() for h in hits)


def _note(source: ReasonSource, why: str) -> Reason:
    return Reason("", source, None, None, None, why)


def check_trust_policy(policy: Policy) -> None:
    """IAM UG, "AWS JSON policy elements: NotPrincipal": a role trust policy cannot use `NotPrincipal`.

    Raises:
        PolicyError: naming the statement.
    """
    for st in policy.statements:
        if st.not_principals is not None:
            raise PolicyError(
                "a role trust policy cannot have a NotPrincipal element",
                policy=policy.name,
                statement=st.index,
                sid=st.sid,
                field="NotPrincipal",
            )


def warnings_of(policies: Iterable[Policy]) -> tuple[PolicyWarning, ...]:
    """Every warning the parser attached to `policies`, in order."""
    return tuple(w for policy in policies for w in policy.warnings)


def _missing(
    kind: str,
    same_account: bool,
    resource_kind: ResourceKind,
    resource_policy: Policy | None,
    *,
    identity_allow: Cond,
    bound: Cond,
    sess: Cond,
    grant: Cond,
    has_session_policy: bool,
) -> list[Reason]:
    """What an implicit deny lacked, in words."""
    out: list[Reason] = []
    if grant is not False:
        return out  # SCP/RCP levels already said which one failed
    iam = kind in ("user", "role", "federated-user")
    if iam and identity_allow is False:
        out.append(_note("identity", "no identity-based policy allows the request"))
    if iam and bound is False:
        out.append(_note("boundary", "the permissions boundary does not allow the request"))
    if iam and sess is False and not has_session_policy:
        why = "a federated user session without a session policy has no permissions (GetFederationToken)"
        out.append(_note("session", why))
    elif iam and sess is False:
        out.append(_note("session", "the session policy does not allow the request"))
    needs_resource_policy = resource_kind != "generic" or not same_account or kind not in _ACCOUNT_KINDS
    if resource_policy is None and needs_resource_policy:
        out.append(_note("resource", "no resource-based policy, and this request needs one to allow it"))
    elif resource_policy is not None:
        if not same_account and kind in _ACCOUNT_KINDS:
            why = "cross-account: the identity side and the resource policy must both allow"
        elif resource_kind == "role-trust":
            why = "the role's trust policy must allow the caller"
        elif resource_kind == "kms-key":
            why = "the key policy must allow the caller"
        else:
            why = "the resource policy does not allow the caller"
        out.append(_note("resource", why))
    return out
