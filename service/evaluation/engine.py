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

A decision is worked out in two sides, the caller's and the resource's (sides.py), then `combined`: a bulk
evaluation that shares one side among many requests makes the very decision `evaluate` makes.

Each part may be True, False or a `Condition` (see `formula`), so an answer the request context cannot
decide comes back as "Allowed if ..." rather than a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from service.errors import PolicyError

from .aws_protected import NO_PERMISSION_NEEDED, refused_by_aws, restricted_for_caller
from .context import resolve_resource_account
from .decision import Decision, DecisionKind, Reason
from .formula import Cond, conj, disj, neg
from .policy import Policy, PolicyWarning
from .request import Request
from .scans import Hit
from .sides import CallerSide, ResourceSide, caller_side, context_of, note, resource_side

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
    ctx = context_of(request)
    caller = caller_side(request, ctx, identity_policies, boundaries, service_control_policies, session_policy)
    resource = resource_side(
        request,
        ctx,
        resource_control_policies,
        resource_policy,
        resource_in_management_account,
        restrict_public_buckets,
        has_boundary=boundaries is not None,
    )
    found = combined(request, caller, resource, resource_kind, resource_policy, session_policy is not None)
    return Decision(found.decision, found.condition, found.explanation, warnings, request.resource_is_pattern)


def combined(
    request: Request,
    caller: CallerSide,
    resource: ResourceSide,
    resource_kind: ResourceKind,
    resource_policy: Policy | None,
    has_session_policy: bool,
    *,
    explain: bool = True,
) -> Decision:
    """The decision of `request` from its two sides, combined the way AWS combines them (see the module).
    Without `explain`, the decision and its condition alone (no reasons: a bulk evaluation makes thousands)."""
    action = request.action.lower()
    who = request.principal
    same_account = who.is_iam_identity and resolve_resource_account(request) == who.account_id
    reasons: list[Reason] = [*caller.reasons, *resource.reasons]
    bound, sess, ident = caller.bound, caller.sess, caller.ident
    direct, via_role, via_account = resource.direct, resource.role, resource.account
    # IAM UG, "Session policies": a resource policy naming the user (or role) ARN is limited by the session
    # policy; one naming the session itself is not.
    via_user = conj((resource.user, sess))
    role_path = conj((via_role, bound, sess))

    grant: Cond
    if not who.is_iam_identity:
        grant = disj((direct, via_user, via_role, via_account))
    elif not same_account:
        grant = conj((ident, disj((direct, resource.user, via_role, via_account))))
    elif resource_kind == "generic":
        grant = disj((ident, direct, via_user, role_path))
    else:
        grant = disj((direct, via_user, role_path, conj((via_account, ident))))
    if resource_kind == "role-trust" and who.kind == "root" and action.startswith("sts:assumerole"):
        grant = False
        reasons.append(note("resource", "the root user cannot assume a role (STS AssumeRole)"))

    # Only now, so that every policy given has been checked for what its type forbids.
    free = NO_PERMISSION_NEEDED.get(action)
    if free is not None:
        return Decision("Allowed", None, (note("aws", f"{request.action} needs no permission: {free}"),))
    restriction = restricted_for_caller(who.kind, action)
    if restriction is not None and not restriction.console_allowed:
        why = f"AWS refuses {request.action} to a {restriction.name}, whatever the policies say ({restriction.doc})"
        return Decision("ExplicitlyDenied", None, (note("aws", why),))
    if restriction is not None:
        reasons.append(note("aws", f"through the API or CLI, AWS refuses {request.action} ({restriction.doc})"))
    protection = None if request.resource_is_pattern else refused_by_aws(action, request.resource)
    if protection is not None:
        why = f"AWS refuses {request.action} on an {protection.name}, whatever the policies say ({protection.doc})"
        return Decision("ExplicitlyDenied", None, (note("aws", why),))

    hits = (*caller.hits, *resource.hits)
    deny = disj((caller.denies, resource.denies))
    allowed = conj((neg(deny), caller.scp_ok, grant))
    if not explain:
        if deny is True or allowed is False:
            return Decision("ExplicitlyDenied" if deny is True else "ImplicitlyDenied", None, ())
        return Decision("Allowed", None if allowed is True else allowed, ())
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
            identity_allow=caller.identity_allow,
            bound=bound,
            sess=sess,
            grant=grant,
            has_session_policy=has_session_policy,
        )
        return Decision("ImplicitlyDenied", None, (*_reasons(hits), *reasons, *missing))
    return Decision("Allowed", None if allowed is True else allowed, (*_reasons(hits), *reasons))


_ACCOUNT_KINDS = ("user", "role", "root", "federated-user")


def _reasons(hits: Iterable[Hit]) -> tuple[Reason, ...]:
    return tuple(h.reason() for h in hits)


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
        out.append(note("identity", "no identity-based policy allows the request"))
    if iam and bound is False:
        out.append(note("boundary", "the permissions boundary does not allow the request"))
    if iam and sess is False and not has_session_policy:
        why = "a federated user session without a session policy has no permissions (GetFederationToken)"
        out.append(note("session", why))
    elif iam and sess is False:
        out.append(note("session", "the session policy does not allow the request"))
    needs_resource_policy = resource_kind != "generic" or not same_account or kind not in _ACCOUNT_KINDS
    if resource_policy is None and needs_resource_policy:
        out.append(note("resource", "no resource-based policy, and this request needs one to allow it"))
    elif resource_policy is not None:
        if not same_account and kind in _ACCOUNT_KINDS:
            why = "cross-account: the identity side and the resource policy must both allow"
        elif resource_kind == "role-trust":
            why = "the role's trust policy must allow the caller"
        elif resource_kind == "kms-key":
            why = "the key policy must allow the caller"
        else:
            why = "the resource policy does not allow the caller"
        out.append(note("resource", why))
    return out
