"""A role's direct assumers as the escalation walk reads them, worked out once per class of roles that nothing
a decision reads tells apart.

`Assumers.direct_parts` classifies the admitted principals for each role (`classify`: 7 to 12 ms a role at 100k
principals, most of an `admins` question that reaches thousands of roles). Two roles of one account get the
same decision classes, with the same decisions, when they have the same trust document and organization
policies (`RoleFacts`: nothing in them looks at the role itself), admit the same accounts, and every identity
statement about `sts:AssumeRole` of the admitted principals fits both ARNs alike (`classify`'s fits). The
classes worked out for the first such role R0 then serve the next one R with two differences: R0 was left out
of them (a role is not its own assumer), so it is classified alone for R when it is admitted (its class's
decision is then the one kept for that class: sharing.py); and R is in them, which a walk never reads (R is
the principal being expanded, or a goal: found already). A member's answer is its class's shared decision,
relabelled for it, as for R's own classes.

Only the walk reads these (who the assumers are, and each one's answer when it is shown); `direct_parts`
stays what every other question reads.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial

from service.evaluation.statements import CompiledStatement
from service.reachability.classes import DecisionClass, ResourceFit, fit_of
from service.reachability.decide import member_paths
from service.reachability.model import Access, NodeRef
from service.reachability.profiles import ASSUME_ROLE, Role
from service.reachability.sharing import RoleFacts, SharedDecision
from service.reachability.signatures import SignatureClass
from service.reachability.who_can_assume import (
    Assumers,
    DirectAssumers,
    Members,
    class_members,
    role_members,
    trust_is_about_accounts,
)


@dataclass(frozen=True, slots=True)
class AssumerWays:
    """A role's direct assumers for a walk: those decided on their own (`ready`) and the members of the
    decision classes that assume it (`pending`); the role itself may be among the latter."""

    role: NodeRef
    ready: Sequence[Access]
    pending: Sequence[Members]


@dataclass(frozen=True, slots=True)
class _Kept:
    """The classes worked out for `first`: each with its shared decision, and whether only its members
    with a policy whose document is not loaded assume the role."""

    first: Role
    classes: tuple[tuple[DecisionClass, SharedDecision, bool], ...]


class RoleClasses:
    """Kept per generation (with the escalation graph): the decision classes per class of roles."""

    def __init__(self) -> None:
        self._statements: dict[Hashable, tuple[tuple[int, CompiledStatement], ...]] = {}
        self._kept: dict[Hashable, _Kept] = {}

    def __len__(self) -> int:
        """How many classes of roles are kept (each worked out once, for its first role)."""
        return len(self._kept)

    async def ways_in(self, assumers: Assumers, role_arn: str) -> AssumerWays | None:
        return await self._ways(assumers, role_arn, None)

    async def ways_in_from(self, assumers: Assumers, role_arn: str, account: str) -> AssumerWays | None:
        """`ways_in` of the principals of `account` alone (the last hop of `admins(account)`, where no other
        is wanted): the admitted signature classes of that account only are classified, not those of every
        account a trust admitting the organization reads, once per class of roles and account (an `admins`
        question at 100k principals reaches some 300 roles of about 100 such classes). A trust policy with
        a NotPrincipal is read whole (`ways_in`)."""
        role = await assumers.role(role_arn)
        if role is None:
            return None
        if not trust_is_about_accounts(role):
            return await self.ways_in(assumers, role_arn)
        return await self._ways(assumers, role_arn, account)

    async def _ways(self, assumers: Assumers, role_arn: str, account: str | None) -> AssumerWays | None:
        """`ways_in`, of the principals of `account` alone when it is given."""
        role = await assumers.role(role_arn)
        if role is None:
            return None
        only = None if account is None else [account]
        facts = RoleFacts.of(role)
        trust = await assumers.trust_read(role_arn)
        if facts is None or not trust_is_about_accounts(role) or not trust.admits:
            parts = await _parts(assumers, role, account)
            return None if parts is None else AssumerWays(parts.role, parts.ready, parts.pending)
        classes = await assumers.admitted_classes(role, trust, only)
        base = (facts, role.account_id, trust.accounts, trust.everyone, trust.named)
        # (the statements `_fits` reads are those of the classes it is first given: of one account's alone
        # with `account`, kept apart from those of every admitted account)
        key = (base, self._fits(base if account is None else (base, account), classes, role), account)
        kept = self._kept.get(key)
        if kept is None:
            parts = await _parts(assumers, role, account)
            assert parts is not None
            self._kept[key] = _Kept(role, tuple((m.decision_class, m.shared, m.unknown_only) for m in parts.pending))
            return AssumerWays(parts.role, parts.ready, parts.pending)
        # The classes worked out for another role: answers made as this role's own classes would make them
        # (fresh members, so that each relabels the shared decision; the paths to this role).
        ready = await assumers.individual_answers(role, trust, classes)
        if only is not None:
            ready = [answer for answer in ready if answer.principal.account_id in only]
        action = assumers.view.action(ASSUME_ROLE.lower())
        paths = partial(member_paths, role=role)
        pending = [role_members(c.copy(), shared, unknown, role, paths) for c, shared, unknown in kept.classes]
        first = kept.first
        own = [signature_class for signature_class in classes if first.arn in signature_class.arns]
        if first.arn != role.arn and first.arn not in trust.named and own:
            # (left out of the classes worked out for it: classified alone, as this role's own classification
            # would place it; its class's decision is the one kept for that class, whoever asked first)
            others = trust.named | (own[0].arns - {first.arn})
            pending += [part.members for part in class_members(action, own[:1], role, trust, others)]
        return AssumerWays(role.ref, ready, pending)

    def _fits(
        self, base: Hashable, classes: Sequence[SignatureClass], role: Role
    ) -> tuple[tuple[int, ResourceFit], ...]:
        """How the identity statements about `sts:AssumeRole` of the admitted principals that may fit a role
        of this account fit this one (a statement whose every Resource names another account fits none)."""
        statements = self._statements.get(base)
        if statements is None:
            found: dict[int, CompiledStatement] = {}
            for signature_class in classes:
                for fitted in signature_class.signature.fitted:
                    if fitted.patterns not in found and _may_name(fitted.compiled, role.account_id):
                        found[fitted.patterns] = fitted.compiled
            statements = self._statements[base] = tuple(sorted(found.items(), key=lambda item: item[0]))
        return tuple((patterns, fit_of(compiled, role.arn)) for patterns, compiled in statements)


def _may_name(compiled: CompiledStatement, account: str) -> bool:
    """Whether the statement's Resource may name a role of `account`: not when it has Resource patterns only,
    each with another account (no wildcard, no policy variable, in the account field)."""
    statement = compiled.statement
    if statement.not_resources is not None or not statement.resources:
        return True
    for pattern in statement.resources:
        parts = pattern.split(":", 5)
        if len(parts) < 6 or parts[4] == account or any(c in parts[4] for c in "*?$"):
            return True
    return False


async def _parts(assumers: Assumers, role: Role, account: str | None) -> DirectAssumers | None:
    """The role's direct assumers as `Assumers.direct_parts` decides them (kept for the question), or of the
    principals of `account` alone (`direct_parts_from`: not kept, another question wants them all)."""
    if account is None:
        return await assumers.direct_parts(role.arn)
    return await assumers.direct_parts_from(role, account)
