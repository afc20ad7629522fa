"""The bulk evaluation (see the package): the roles sorted by how their assumers are worked out, then every
admitted signature class against every role that admits its account, then those decided on their own."""

from __future__ import annotations

from collections.abc import Mapping

from service.evaluation.aws_protected import refused_by_aws
from service.evaluation.engine import DecisionKind
from service.evaluation.sides import ResourceSide
from service.reachability.classes import ExtraKey
from service.reachability.edges.alone import Alone
from service.reachability.edges.decider import Decider, resource
from service.reachability.edges.fits import RoleFits
from service.reachability.edges.model import AssumeEdges, indices, lowest
from service.reachability.handback import HandBack
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, Profile, Role
from service.reachability.sharing import RoleFacts
from service.reachability.signatures import SignatureClass
from service.reachability.who_can_assume import Assumers, trust_is_about_accounts, trust_keys

ROLES_READ_AT_ONCE = 10_000  # (as the escalation index reads them: about half a second each at 100k)
Groups = Mapping[tuple[RoleFacts, bool, ExtraKey], int]  # (facts, of the callers' account, extra): roles


async def assume_edges(assumers: Assumers, entries: Mapping[str, AccountEntry]) -> AssumeEdges:
    """The direct assumers of every role of `entries` (their roles and trust targets read now, when they
    are not read already)."""
    arns = await read_every_role(assumers, entries)
    roles: list[Role] = []
    for arn in arns:
        role = await assumers.role(arn)
        assert role is not None, f"the loaded role {arn} reads as none"
        roles.append(role)
    builder = _Builder(assumers, entries, RoleFits(roles))
    await builder.sort_roles()
    await builder.classes()
    alone = await builder.alone.found()
    return AssumeEdges(
        tuple(arns),
        builder.fits.index,
        tuple(builder.class_list),
        tuple(builder.assume),
        tuple(builder.unknown),
        alone,
    )


async def read_every_role(assumers: Assumers, entries: Mapping[str, AccountEntry]) -> list[str]:
    """Read every role of `entries` and its trust targets, those not read already: their ARNs, in order."""
    arns = sorted(
        arn for entry in entries.values() for arn, profile in entry.profiles.items() if profile.kind == "role"
    )
    for start in range(0, len(arns), ROLES_READ_AT_ONCE):  # (each read well within the API's query timeout)
        await assumers.read_roles(arns[start : start + ROLES_READ_AT_ONCE])
    return arns


class _Builder:
    def __init__(self, assumers: Assumers, entries: Mapping[str, AccountEntry], fits: RoleFits) -> None:
        self.assumers, self.entries, self.fits = assumers, entries, fits
        self.roles = fits.roles
        self.signatures = assumers.view.action(ASSUME_ROLE.lower()).signatures
        self.decider = Decider(self.signatures, fits)
        self.alone = Alone(assumers, entries, self.decider)
        self.everyone = 0  # (of the roles decided by class) those that admit anyone
        self.admitting: dict[str, int] = {}  # (of those) by account, the roles that admit it
        self.facts: dict[int, RoleFacts] = {}
        self.class_numbers: dict[int, int] = {}  # by id of a signature class
        self.class_list: list[SignatureClass] = []
        self.assume: list[int] = []
        self.unknown: list[int] = []
        self._hand_back = HandBack()

    async def sort_roles(self) -> None:
        """Which roles' admitted principals are decided by class here; the others go to `Alone`: a role whose
        trust policy looks at the role itself or has a NotPrincipal, or that AWS protects, is worked out
        whole; one whose trust policy's principal clauses give each principal a result of its own, or that
        names a principal of an account it admits, member by member."""
        members = {arn: account for account, entry in self.entries.items() for arn in entry.profiles}
        for number, role in enumerate(self.roles):
            trust = await self.assumers.trust_read(role.arn)
            if not trust.admits:
                self.alone.add(number, role, trust, "named")
                continue
            facts = self.decider.role_facts(role)
            if facts is None or not trust_is_about_accounts(role) or refused_by_aws(ASSUME_ROLE, role.arn):
                self.alone.add(number, role, trust, "whole")
                continue
            admitted = set(self.entries) if trust.everyone else trust.accounts
            if not trust_keys(role).by_account or any(members.get(named) in admitted for named in trust.named):
                self.alone.add(number, role, trust, "by member", facts)
                continue
            self.alone.add(number, role, trust, "named")
            self.facts[number] = facts
            if trust.everyone:
                self.everyone |= 1 << number
            for account in trust.accounts:
                self.admitting[account] = self.admitting.get(account, 0) | (1 << number)

    async def classes(self) -> None:
        """Every admitted signature class against every role that admits its account."""
        for account, entry in sorted(self.entries.items()):
            own = self.fits.of_account.get(account, 0)
            roles = (self.everyone & ~own) | self.admitting.get(account, 0)
            # (a role that admits anyone admits every principal of its own account by its trust policy alone:
            # there the classes hold every principal, not only those whose policies may allow sts:AssumeRole)
            for everyone_in, admitting in ((None, roles), (account, self.everyone & own)):
                if admitting:
                    classes = self.signatures.classes([entry], everyone_in=everyone_in)
                    await self._classes_of(account, entry, classes, admitting)

    async def _classes_of(self, account: str, entry: AccountEntry, classes: list[SignatureClass], roles: int) -> None:
        """`classes` (of `account`) against `roles`: the roles grouped by what their side reads of the account's
        principals."""
        if not classes:
            return
        any_member = next(iter(entry.profiles.values()))
        groups: dict[tuple[RoleFacts, bool, ExtraKey], int] = {}
        for number in indices(roles):
            role = self.roles[number]
            same = role.account_id == account
            key = (self.facts[number], same, self.decider.account_extra(role, account, same, any_member))
            groups[key] = groups.get(key, 0) | (1 << number)
        # The groups' sides for each kind of caller (kind, service-linked, boundary).
        sides: dict[int, list[tuple[ResourceSide, Role, int]]] = {}
        for signature_class in classes:
            await self._hand_back()
            kind_boundary = signature_class.signature.kind_boundary
            merged = sides.get(kind_boundary)
            if merged is None:
                merged = sides[kind_boundary] = self._sides(signature_class.entries[0].profile, groups)
            self._decide_class(signature_class, merged, roles)

    def _sides(self, profile: Profile, groups: Groups) -> list[tuple[ResourceSide, Role, int]]:
        """The groups' sides for principals like `profile`, those that read alike merged (most trust policies
        admit an account unconditionally), each with one of its roles."""
        merged: dict[tuple[object, ...], tuple[ResourceSide, Role, int]] = {}
        for group in groups.values():
            role = self.roles[lowest(group)]
            side = resource(profile, role)
            key = (side.direct, side.user, side.role, side.account, side.denies, role.account_id == profile.account_id)
            held = merged.get(key)
            merged[key] = (side, role, group) if held is None else (side, held[1], held[2] | group)
        return list(merged.values())

    def _decide_class(
        self, signature_class: SignatureClass, sides: list[tuple[ResourceSide, Role, int]], roles: int
    ) -> None:
        number = self.class_numbers.get(id(signature_class))
        if number is None:
            number = self.class_numbers[id(signature_class)] = len(self.class_list)
            self.class_list.append(signature_class)
            self.assume.append(0)
            self.unknown.append(0)
        representative = signature_class.entries[0].profile
        parts = self.fits.parts(signature_class, roles)
        if parts is None or not self.decider.independent(signature_class.signature, representative):
            # (the decision reads the role itself: decided role by role)
            for role_number in indices(roles):
                role = self.roles[role_number]
                caller = self.decider.member_caller(representative, role)
                kind = self.decider.kind(caller, resource(representative, role), representative, role)
                self._found(number, signature_class, kind, 1 << role_number)
            return
        for contents, part in parts:
            caller = self.decider.caller(signature_class, contents, self.roles[lowest(part)])
            for side, role, group in sides:
                # (`role` stands for its group: a decision on assuming a role reads its ARN only through the
                # fits, and whether it is of the caller's account, the same for the whole group)
                if both := part & group:
                    self._found(number, signature_class, self.decider.kind(caller, side, representative, role), both)

    def _found(self, number: int, signature_class: SignatureClass, kind: DecisionKind, roles: int) -> None:
        if kind == "Allowed":
            self.assume[number] |= roles
        elif kind == "ImplicitlyDenied" and signature_class.unknown:
            self.unknown[number] |= roles
