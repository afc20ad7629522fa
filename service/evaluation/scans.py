"""Which statements of a set of policies apply to one request, sorted the way the decision needs them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .context import RequestContext
from .decision import Reason
from .formula import Cond, conj, describe
from .parser import PolicyKind
from .policy import Policy, Statement
from .principals import NO_MATCH, PrincipalMatch, match_not_principal, match_principal, session_test_for
from .statements import compiled


@dataclass(frozen=True, slots=True)
class Hit:
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


@dataclass(frozen=True, slots=True)
class Target:
    """What the request is about: `action` lower-cased, `resource` an ARN or (with `pattern`) a pattern."""

    action: str
    resource: str
    pattern: bool


@dataclass(slots=True)
class Scan:
    """Allows and denies of a set of policies of one type, with the statements behind them."""

    allows: list[Cond] = field(default_factory=list)
    denies: list[Cond] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)


def scan(policies: Sequence[Policy], policy_type: PolicyKind, target: Target, ctx: RequestContext) -> Scan:
    """Identity-like policies (identity, boundary, session, SCP): no Principal to match."""
    out = Scan()
    for policy in policies:
        for cs in compiled(policy, policy_type).for_action(target.action):
            cond = cs.applies(target.resource, ctx, pattern=target.pattern)
            if cond is not False:
                st = cs.statement
                (out.allows if st.effect == "Allow" else out.denies).append(cond)
                out.hits.append(Hit(policy, policy_type, st, cond))
    return out


@dataclass(slots=True)
class ResourceScan:
    """A resource policy's Allows, by how they name the caller (see `PrincipalMatch`), and its Denies."""

    direct: list[Cond] = field(default_factory=list)
    user: list[Cond] = field(default_factory=list)
    role: list[Cond] = field(default_factory=list)
    account: list[Cond] = field(default_factory=list)
    denies: list[Cond] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    unknown_ids: list[str] = field(default_factory=list)


_CATEGORY_NOTES = {
    "direct": "",
    "user": " (names the user: its session policy, if any, still limits it)",
    "role": " (names the role: its boundary and session policy still limit it)",
    "account": " (names the account: delegation, the caller's identity policies must allow too)",
}


def scan_resource(
    policies: Sequence[Policy],
    policy_type: PolicyKind,
    target: Target,
    ctx: RequestContext,
    has_boundary: bool,
) -> ResourceScan:
    """Resource policies and RCPs: statements name their principals."""
    out = ResourceScan()
    who = ctx.principal
    userid = ctx.lookup("aws:userid")
    for policy in policies:
        for cs in compiled(policy, policy_type).for_action(target.action):
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
            cond = cs.applies(target.resource, ctx, pattern=target.pattern)
            if cond is False:
                continue
            if st.effect == "Deny":
                full = conj((match.any, cond))
                if full is not False:
                    out.denies.append(full)
                    out.hits.append(Hit(policy, policy_type, st, full))
                continue
            for category in ("direct", "user", "role", "account"):
                part = conj((getattr(match, category), cond))
                if part is not False:
                    getattr(out, category).append(part)
                    out.hits.append(Hit(policy, policy_type, st, part, _CATEGORY_NOTES[category]))
    return out
