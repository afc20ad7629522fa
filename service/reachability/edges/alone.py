"""The direct assumers of a role decided on their own, role by role (see the package): the principals its
trust policy names, those outside the loaded data, every admitted principal of a role whose trust policy
gives each one a result of its own (or names one of them), and every assumer of a role worked out whole."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal

from service.evaluation.policy import ConditionClause
from service.evaluation.sides import ResourceSide
from service.evaluation.statements import compiled
from service.evaluation.wildcards import translate
from service.reachability.classes import ExtraKey
from service.reachability.clauses import principal_key
from service.reachability.edges.decider import ACTION, Decider, resource
from service.reachability.external_trust import assume_external, unique_external
from service.reachability.handback import HandBack
from service.reachability.profiles import AccountEntry, Profile, Role
from service.reachability.sharing import RoleFacts
from service.reachability.signatures import SignatureClass
from service.reachability.who_can_assume import Assumers, TrustRead, trust_key, trust_keys

How = Literal["named", "by member", "whole"]


class Alone:
    """The roles whose assumers (or some of them) are decided one by one, and how: `named`, those its trust
    policy names and those outside the loaded data; `by member`, those too and every admitted principal, in
    groups of what the trust policy's principal clauses give each; `whole`, as `direct_parts` decides them."""

    def __init__(self, assumers: Assumers, entries: Mapping[str, AccountEntry], decider: Decider) -> None:
        self.assumers, self.entries, self.decider = assumers, entries, decider
        self._roles: list[tuple[int, Role, TrustRead, How, RoleFacts | None]] = []
        self._external: dict[tuple[object, ...], str | None] = {}
        self._sides: dict[tuple[object, ...], ResourceSide] = {}
        self._extras: dict[tuple[object, ...], ExtraKey] = {}
        self._structures: dict[str, tuple[object, ...] | None] = {}
        self._matchers: dict[str, Callable[[str], bool] | None] = {}
        self._unknown: dict[int, frozenset[str]] = {}

    def add(self, number: int, role: Role, trust: TrustRead, how: How, facts: RoleFacts | None = None) -> None:
        if how != "named" or trust.direct or trust.external:
            self._roles.append((number, role, trust, how, facts))

    async def found(self) -> dict[int, frozenset[str]]:
        """By role number, the assumers decided on their own (the role itself left out)."""
        hand_back = HandBack()
        found: dict[int, frozenset[str]] = {}
        for number, role, trust, how, facts in self._roles:
            await hand_back()
            if how == "whole":
                parts = await self.assumers.direct_parts(role.arn)
                assert parts is not None
                assumers = {access.principal.arn for access in parts.ready}
                assumers.update(entry.arn for members in parts.pending for entry in members.entries())
            else:
                assumers = await self._named(role, trust)
                if how == "by member":
                    assert facts is not None
                    assumers |= self._by_member(number, role, trust, facts)
            assumers.discard(role.arn)
            if assumers:
                found[number] = frozenset(assumers)
        return found

    async def _named(self, role: Role, trust: TrustRead) -> set[str]:
        """Those the trust policy names (of the loaded users and roles), and those outside the loaded data
        (`assume_external`, kept per trust document and RCPs)."""
        found: set[str] = set()
        named = (await self.assumers.view.profiles(sorted(trust.direct))).values() if trust.direct else ()
        for profile in named:
            if profile.arn != role.arn and self.decider.assumes(profile, role):
                found.add(profile.arn)
        facts = self.decider.role_facts(role) if trust.external else None
        for target in unique_external(trust.external):
            key = (
                (facts, role.account_id) if facts is not None else (role.arn,),
                target.target_kind, target.target, target.external_kind, target.external_value,
            )  # fmt: skip
            if key not in self._external:
                answer = assume_external(target, role)
                self._external[key] = None if answer is None else answer.principal.arn
            if (arn := self._external[key]) is not None:
                found.add(arn)
        return found

    def _by_member(self, number: int, role: Role, trust: TrustRead, facts: RoleFacts) -> set[str]:
        """The admitted principals (but those the trust policy names) that may assume the role: each class's
        members grouped by what the trust policy's principal clauses give them (`_member_extra`), each group
        decided once, as `classify` does one by one."""
        found: set[str] = set()
        leave_out = trust.named | {role.arn}
        by_account = trust_keys(role).by_account
        may_match = None if by_account else self._may_match(role)
        for account in sorted(self.entries) if trust.everyone else sorted(trust.accounts):
            entry = self.entries.get(account)
            if entry is None:
                continue
            same = account == role.account_id
            everyone_in = account if trust.everyone and same else None
            for signature_class in self.decider.signatures.classes([entry], everyone_in=everyone_in):
                unknown = self._unknown_of(signature_class)
                members = [
                    e.profile
                    for e in signature_class.entries
                    if e.arn not in leave_out and (may_match is None or e.arn in unknown or may_match(e.arn))
                ]
                if members:
                    found |= self._members_assuming(signature_class, members, unknown, role, facts, by_account)
        return found

    def _members_assuming(
        self,
        signature_class: SignatureClass,
        members: list[Profile],
        unknown: frozenset[str],
        role: Role,
        facts: RoleFacts,
        by_account: bool,
    ) -> set[str]:
        decider = self.decider
        parts = decider.fits.parts(signature_class, 1 << decider.fits.index[role.arn])
        if parts is None or not decider.independent(signature_class.signature, members[0]):
            return {p.arn for p in members if decider.assumes(p, role)}
        caller = decider.caller(signature_class, parts[0][0], role)
        account = members[0].account_id
        same = account == role.account_id
        refused = caller.ident is False or caller.denies is True or caller.scp_ok is False
        if not same and refused and not unknown:
            return set()  # (across accounts the caller's side must allow: none may, nor hold an unloaded policy)
        groups: dict[ExtraKey, list[Profile]] = {}
        if by_account:
            groups[decider.account_extra(role, account, same, members[0])] = members
        else:
            for profile in members:
                groups.setdefault(self._member_extra(role, profile), []).append(profile)
        found: set[str] = set()
        for extra, profiles in groups.items():
            if extra.individual is not None:
                found.update(p.arn for p in profiles if decider.assumes(p, role))
                continue
            key = (facts, account, same, extra, signature_class.signature.kind_boundary)
            side = self._sides.get(key)
            if side is None:
                side = self._sides[key] = resource(profiles[0], role)
            kind = decider.kind(caller, side, profiles[0], role)
            if kind == "Allowed":
                found.update(p.arn for p in profiles)
            elif kind == "ImplicitlyDenied":
                found.update(p.arn for p in profiles if p.arn in unknown)
        return found

    def _unknown_of(self, signature_class: SignatureClass) -> frozenset[str]:
        """The class's members holding a policy whose document is not loaded."""
        found = self._unknown.get(id(signature_class))
        if found is None:
            found = self._unknown[id(signature_class)] = frozenset(e.arn for e in signature_class.unknown)
        return found

    def _may_match(self, role: Role) -> Callable[[str], bool] | None:
        """A test that no principal the role's trust policy admits fails (None: every principal may pass):
        when each of its Allow statements has a clause matching aws:PrincipalArn against static values, an
        ARN matching none of them, read as loosely as any of those operators reads them (any case, `*` and
        `?` across segments), is admitted by none. Those that pass are decided as they are
        (`_member_extra`): the test only spares deciding the many that cannot."""
        document = role.trust_document
        if document not in self._matchers:
            patterns: list[str] = []
            found: Callable[[str], bool] | None = None
            for cs in compiled(role.trust, "resource").for_action(ACTION):
                if cs.statement.effect != "Allow":
                    continue
                values = next((c.values for c, _ in cs.clauses if _names_principal_arns(c)), None)
                if values is None:
                    break
                patterns += values
            else:
                found = _matcher(patterns)
            self._matchers[document] = found
        return self._matchers[document]

    def _member_extra(self, role: Role, profile: Profile) -> ExtraKey:
        """What the role's trust policy's principal clauses give `profile` (`trust_key`), kept for every role
        of the account whose trust policy has the same principal clauses, when the results are decided."""
        structure = self._structure(role)
        key = (structure, role.account_id, profile.arn) if structure is not None else None
        found = self._extras.get(key) if key is not None else None
        if found is None:
            found = trust_key(role, profile)
            results = getattr(found.results, "results", ())
            if key is not None and found.individual is None and all(isinstance(r, bool) for r in results):
                self._extras[key] = found
        return found

    def _structure(self, role: Role) -> tuple[object, ...] | None:
        """The role's trust policy's principal clauses, statement by statement (None: a clause uses a policy
        variable, which makes each principal an individual)."""
        document = role.trust_document
        if document not in self._structures:
            found: tuple[object, ...] | None = None
            parts: list[object] = []
            for cs in compiled(role.trust, "resource").for_action(ACTION):
                if any("${" in value for clause, _ in cs.clauses for value in clause.values):
                    break
                parts.append((cs.variables, tuple(c for c, _ in cs.clauses if principal_key(c.key_lower))))
            else:
                found = tuple(parts)
            self._structures[document] = found
        return self._structures[document]


_PRINCIPAL_ARN_MATCHES = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})


def _names_principal_arns(clause: ConditionClause) -> bool:
    """A clause that holds only for principals whose ARN matches one of its values: aws:PrincipalArn under a
    positive string or ARN operator, on every value (no set qualifier), present (no IfExists), no variable."""
    return (
        clause.key_lower == "aws:principalarn"
        and clause.base in _PRINCIPAL_ARN_MATCHES
        and clause.qualifier is None
        and not clause.if_exists
        and not any("${" in value for value in clause.values)
    )


def _matcher(patterns: list[str]) -> Callable[[str], bool]:
    """Whether an ARN matches one of the patterns, read loosely (see `Alone._may_match`)."""
    if not patterns:
        return _nobody
    loose = re.compile(
        "|".join(f"(?:{translate(p, segmented=False, escaped=False)})" for p in patterns), re.DOTALL | re.IGNORECASE
    )

    def matches(arn: str) -> bool:
        return loose.fullmatch(arn) is not None

    return matches


def _nobody(_: str) -> bool:
    return False
