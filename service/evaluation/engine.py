"""The decision: every policy that applies to one request, combined the way AWS combines them.

IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic":

    allowed = NOT deny  AND  scp  AND  rcp  AND  grant

- `deny`: an applicable `Deny` in any policy (identity, boundary, session, SCP, RCP, resource).
- `scp`: an `Allow` at every level from the root through each OU to the account, unless the caller is
  in the management account, is a service-linked role, or is not an IAM identity (services, federated
  providers and anonymous callers belong to no account's SCPs).
- `rcp`: the same for the resource's account, unless the resource is in the management account or the
  caller is a service-linked role ("Resource control policies (RCPs)").
- `grant` within one account: identity Allow ∩ boundary ∩ session policy, OR a resource-policy Allow that
  names the caller directly, OR one that names its role (then ∩ boundary ∩ session). A resource policy
  that names only the account delegates: the identity side must allow too. For role trust policies and
  KMS key policies the resource policy must allow in every case.
- `grant` across accounts: the identity side AND the resource policy.

Each part may be True, False or a `Condition` (see `formula`), so an answer the request context cannot
decide comes back as "Allowed if ..." rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .context import RequestContext
from .formula import Cond, Condition, Leaf, conj, describe, disj, neg
from .parser import PolicyKind
from .policy import Policy, Statement
from .principals import NO_MATCH, PrincipalMatch, match_not_principal, match_principal, session_test_for
from .request import Request
from .statements import compiled

DecisionKind = Literal["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"]
ResourceKind = Literal["generic", "role-trust", "kms-key"]
RESOURCE_KINDS: tuple[ResourceKind, ...] = ("generic", "role-trust", "kms-key")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: one statement that applied, or one requirement that was not met (`statement` None)."""

    policy: str
    policy_type: PolicyKind
    statement: int | None
    sid: str | None
    effect: Literal["Allow", "Deny"] | None
    why: str

    def as_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "policyType": self.policy_type,
            "statement": self.statement,
            "sid": self.sid,
            "effect": self.effect,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer. `Allowed` with a `condition` means: allowed exactly when the condition holds."""

    decision: DecisionKind
    condition: Condition | None
    explanation: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        """Allowed unconditionally."""
        return self.decision == "Allowed" and self.condition is None

    @property
    def possibly_allowed(self) -> bool:
        return self.decision == "Allowed"

    def leaves(self) -> tuple[Leaf, ...]:
        return () if self.condition is None else self.condition.leaves()

    def describe(self) -> str:
        return "" if self.condition is None else describe(self.condition)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A statement whose Action, Resource, Principal and Condition (possibly undecided) apply."""

    policy: Policy
    policy_type: PolicyKind
    statement: Statement
    cond: Cond
    note: str = ""

    def reason(self) -> Reason:
        st = self.statement
        when = "" if self.cond is True else f" if {describe(self.cond)}"
        why = f"{st.effect} applies{when}{self.note}"
        return Reason(self.policy.name, self.policy_type, st.index, st.sid, st.effect, why)


class _Scan:
    """Allows and denies of a set of policies of one type, with the statements behind them."""

    __slots__ = ("allows", "denies", "hits")

    def __init__(self) -> None:
        self.allows: list[Cond] = []
        self.denies: list[Cond] = []
        self.hits: list[_Hit] = []

    def add(self, policy: Policy, policy_type: PolicyKind, st: Statement, cond: Cond, note: str = "") -> None:
        (self.allows if st.effect == "Allow" else self.denies).append(cond)
        self.hits.append(_Hit(policy, policy_type, st, cond, note))


def _scan(
    policies: Sequence[Policy], policy_type: PolicyKind, action: str, resource: str, ctx: RequestContext
) -> _Scan:
    out = _Scan()
    for policy in policies:
        for cs in compiled(policy, policy_type).for_action(action):
            cond = cs.applies(resource, ctx)
            if cond is not False:
                out.add(policy, policy_type, cs.statement, cond)
    return out


@dataclass(slots=True)
class _ResourceScan:
    direct: list[Cond]
    role: list[Cond]
    account: list[Cond]
    denies: list[Cond]
    hits: list[_Hit]
    unknown_ids: list[str]


_CATEGORY_NOTES = {
    "direct": "",
    "role": " (names the role: its boundary and session policy still limit it)",
    "account": " (names the account: delegation, the caller's identity policies must allow too)",
}


def _scan_resource(
    policies: Sequence[Policy],
    policy_type: PolicyKind,
    action: str,
    resource: str,
    ctx: RequestContext,
    has_boundary: bool,
) -> _ResourceScan:
    out = _ResourceScan([], [], [], [], [], [])
    who = ctx.principal
    userid = ctx.lookup("aws:userid")
    for policy in policies:
        for cs in compiled(policy, policy_type).for_action(action):
            st = cs.statement
            match: PrincipalMatch
            session_test = session_test_for(cs.make_test, userid)
            if st.principals is not None:
                match = match_principal(st.principals, who, session_test)
                out.unknown_ids.extend(match.unknown_ids)
            elif st.not_principals is not None:
                applies = match_not_principal(
                    st.not_principals, who, session_test, deny_with_boundary=has_boundary and st.effect == "Deny"
                )
                match = PrincipalMatch(direct=applies)
            else:
                match = NO_MATCH
            if match.any is False:
                continue
            cond = cs.applies(resource, ctx)
            if cond is False:
                continue
            if st.effect == "Deny":
                full = conj((match.any, cond))
                if full is not False:
                    out.denies.append(full)
                    out.hits.append(_Hit(policy, policy_type, st, full))
                continue
            for category, bucket in (("direct", out.direct), ("role", out.role), ("account", out.account)):
                part = conj((getattr(match, category), cond))
                if part is not False:
                    bucket.append(part)
                    out.hits.append(_Hit(policy, policy_type, st, part, _CATEGORY_NOTES[category]))
    return out


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
) -> Decision:
    """Decide `request` against the policies that apply to it.

    Args:
        identity_policies: every identity-based policy of the caller: inline, attached, and those of the
            user's groups.
        permissions_boundaries: `None` means no boundary; a list (normally of one) is the boundary, and an
            empty list is a boundary that allows nothing.
        service_control_policies: `None` means no organization; otherwise one list of SCPs per level,
            root first, then each OU, then the account. An empty level allows nothing.
        resource_control_policies: likewise, for the resource's account.
        resource_policy: the resource-based policy (bucket policy, role trust policy, key policy...).
        session_policy: the session policy of the caller's role session, if any.
        resource_kind: `"role-trust"` and `"kms-key"` make the resource policy required even within
            one account.
        resource_in_management_account: RCPs do not apply to resources in the management account.

    Raises:
        PolicyError: a policy carries an element its type forbids (e.g. `Principal` in an identity policy).
    """
    ctx = RequestContext(request)
    who = request.principal
    action = request.action.lower()
    resource = request.resource
    same_account = who.is_iam_identity and ctx.resource_account == who.account_id
    reasons: list[Reason] = []

    identity = _scan(identity_policies, "identity", action, resource, ctx)
    boundary = (
        None if permissions_boundaries is None else _scan(permissions_boundaries, "boundary", action, resource, ctx)
    )
    session = None if session_policy is None else _scan((session_policy,), "session", action, resource, ctx)
    denies: list[Cond] = [*identity.denies]
    hits: list[_Hit] = [*identity.hits]
    for scan in (boundary, session):
        if scan is not None:
            denies.extend(scan.denies)
            hits.extend(scan.hits)

    scp_ok: Cond = True
    if service_control_policies is not None and who.is_iam_identity:
        if who.is_management_account or who.is_service_linked:
            exempt = "management account" if who.is_management_account else "service-linked role"
            reasons.append(_note("scp", f"SCPs do not apply to a {exempt}"))
        else:
            scp_ok = _levels(service_control_policies, "scp", action, resource, ctx, denies, hits, reasons)
    rcp_ok: Cond = True
    if resource_control_policies is not None:
        in_management = resource_in_management_account or (same_account and who.is_management_account)
        if in_management or who.is_service_linked:
            exempt = "resources in the management account" if in_management else "service-linked roles"
            reasons.append(_note("rcp", f"RCPs do not apply to {exempt}"))
        else:
            rcp_ok = _levels(resource_control_policies, "rcp", action, resource, ctx, denies, hits, reasons)

    has_boundary = permissions_boundaries is not None
    res = _scan_resource(
        () if resource_policy is None else (resource_policy,), "resource", action, resource, ctx, has_boundary
    )
    denies.extend(res.denies)
    hits.extend(res.hits)
    for unknown_id in dict.fromkeys(res.unknown_ids):
        reasons.append(_note("resource", f"Principal {unknown_id} is a unique id no known principal has (deleted?)"))

    bound: Cond = True if boundary is None else disj(boundary.allows)
    sess: Cond = True if session is None else disj(session.allows)
    if who.kind == "root":
        ident: Cond = True  # "with the exception of the AWS account root user, which has full access"
    elif who.kind in ("user", "role"):
        ident = conj((disj(identity.allows), bound, sess))
    else:
        ident = False
    direct, via_role, via_account = disj(res.direct), disj(res.role), disj(res.account)

    grant: Cond
    if not who.is_iam_identity:
        grant = disj((direct, via_role, via_account))
    elif not same_account:
        grant = conj((ident, disj((direct, via_role, via_account))))
    else:
        role_path = conj((via_role, bound, sess))
        if resource_kind == "generic":
            grant = disj((ident, direct, role_path))
        else:
            grant = disj((direct, role_path, conj((via_account, ident))))
    if resource_kind == "role-trust" and who.kind == "root" and action.startswith("sts:assumerole"):
        grant = False
        reasons.append(_note("resource", "the root user cannot assume a role (STS AssumeRole)"))

    deny = disj(denies)
    allowed = conj((neg(deny), scp_ok, rcp_ok, grant))
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
        )
        return Decision("ImplicitlyDenied", None, (*(h.reason() for h in hits), *reasons, *missing))
    explanation = (*(h.reason() for h in hits), *reasons)
    return Decision("Allowed", None if allowed is True else allowed, explanation)


def _levels(
    levels: Sequence[Sequence[Policy]],
    policy_type: PolicyKind,
    action: str,
    resource: str,
    ctx: RequestContext,
    denies: list[Cond],
    hits: list[_Hit],
    reasons: list[Reason],
) -> Cond:
    """Organization policies: an Allow is needed at every level (root, each OU, the account)."""
    per_level: list[Cond] = []
    for depth, level in enumerate(levels):
        if policy_type == "rcp":
            scan = _scan_resource(level, "rcp", action, resource, ctx, False)
            allows, level_denies, level_hits = [*scan.direct, *scan.role, *scan.account], scan.denies, scan.hits
        else:
            plain = _scan(level, "scp", action, resource, ctx)
            allows, level_denies, level_hits = plain.allows, plain.denies, plain.hits
        denies.extend(level_denies)
        hits.extend(level_hits)
        level_ok = disj(allows)
        if level_ok is False:
            label = "SCP" if policy_type == "scp" else "RCP"
            where = "root" if depth == 0 else "account" if depth == len(levels) - 1 else f"OU level {depth}"
            attached = ", ".join(policy.name for policy in level) or f"(none attached at level {depth})"
            reasons.append(
                Reason(attached, policy_type, None, None, None, f"no {label} at level {depth} ({where}) allows it")
            )
        per_level.append(level_ok)
    return conj(per_level)


def _note(policy_type: PolicyKind, why: str) -> Reason:
    return Reason("", policy_type, None, None, None, why)


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
) -> list[Reason]:
    """What an implicit deny lacked, in words."""
    out: list[Reason] = []
    if grant is not False:
        return out  # SCP/RCP levels already said which one failed
    iam = kind in ("user", "role")
    if iam and identity_allow is False:
        out.append(_note("identity", "no identity-based policy allows the request"))
    if iam and bound is False:
        out.append(_note("boundary", "the permissions boundary does not allow the request"))
    if iam and sess is False:
        out.append(_note("session", "the session policy does not allow the request"))
    needs_resource_policy = resource_kind != "generic" or not same_account or kind not in ("user", "role", "root")
    if resource_policy is None and needs_resource_policy:
        out.append(_note("resource", "no resource-based policy, and this request needs one to allow it"))
    elif resource_policy is not None:
        if not same_account and kind in ("user", "role", "root"):
            why = "cross-account: the identity side and the resource policy must both allow"
        elif resource_kind == "role-trust":
            why = "the role's trust policy must allow the caller"
        elif resource_kind == "kms-key":
            why = "the key policy must allow the caller"
        else:
            why = "the resource policy does not allow the caller"
        out.append(_note("resource", why))
    return out
