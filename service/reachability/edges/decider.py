"""Decisions on assuming a role, made of their two sides and kept for as many requests as share them: a
signature class's side per fit (its members decide alike, `SignatureClass`), a principal's per signature and
fit, and the decision of each pair of sides that read alike."""

from __future__ import annotations

from service.evaluation.engine import DecisionKind, combined
from service.evaluation.request import Request
from service.evaluation.sides import CallerSide, ResourceSide, caller_side, context_of, resource_side
from service.reachability.classes import ExtraKey
from service.reachability.edges.fits import RoleFits
from service.reachability.profiles import ASSUME_ROLE, Profile, Role
from service.reachability.sharing import RoleFacts, decided_alike
from service.reachability.signatures import Signature, SignatureClass, Signatures
from service.reachability.who_can_assume import trust_key

ACTION = ASSUME_ROLE.lower()


class Decider:
    """The decisions of one bulk evaluation (see the package), with what they are made of kept."""

    def __init__(self, signatures: Signatures, fits: RoleFits) -> None:
        self.signatures, self.fits = signatures, fits
        self._callers: dict[tuple[object, ...], CallerSide] = {}
        self._kinds: dict[tuple[object, ...], DecisionKind] = {}
        self._independent: dict[tuple[object, ...], bool] = {}
        self._extras: dict[tuple[str, str, bool], ExtraKey] = {}
        self._facts: dict[tuple[str, str], RoleFacts | None] = {}

    def caller(self, signature_class: SignatureClass, contents: frozenset[int], role: Role) -> CallerSide:
        """The class's side on assuming a role its statements of `contents` fit (`role`, one of them); read
        only when the class is `independent` of the role."""
        key = (id(signature_class), contents)
        found = self._callers.get(key)
        if found is None:
            found = self._callers[key] = _caller(signature_class.entries[0].profile, role)
        return found

    def member_caller(self, profile: Profile, role: Role) -> CallerSide:
        """The principal's side on assuming the role, kept per signature (principals of one account with
        equal signatures decide alike) and fit when it reads the role only through the fit."""
        signature = self.signatures.of(profile)
        key: tuple[object, ...] | None = None
        if self.independent(signature, profile):
            contents = set(signature.fit_everywhere)
            number = self.fits.index[role.arn]
            for fitted in signature.fitted:
                fits = self.fits.fit(fitted)
                if fits is None:
                    break
                if (fits >> number) & 1:
                    contents.add(fitted.content)
            else:
                key = ("member", profile.account_id, signature.key, frozenset(contents))
        found = self._callers.get(key) if key is not None else None
        if found is None:
            found = _caller(profile, role)
            if key is not None:
                self._callers[key] = found
        return found

    def independent(self, signature: Signature, profile: Profile) -> bool:
        """Whether the decisions of principals of this signature (`profile` one of them) depend on the role
        only through which of their statements fit its ARN, and on the role's trust policy and RCPs (as
        `SharedDecisions.resource_independent` asks of a decision class: `decided_alike`)."""
        if signature.individual:
            return False
        key = (profile.account_id, signature.key)
        held = self._independent.get(key)
        if held is None:
            contents = [*signature.fit_everywhere, *(fitted.content for fitted in signature.fitted)]
            held = self._independent[key] = decided_alike(self.signatures, contents, profile)
        return held

    def role_facts(self, role: Role) -> RoleFacts | None:
        """`RoleFacts.of(role)`, kept per trust document and account: it reads those alone (the account's
        organization place)."""
        key = (role.trust_document, role.account_id)
        if key not in self._facts:
            self._facts[key] = RoleFacts.of(role)
        return self._facts[key]

    def kind(self, caller: CallerSide, resource: ResourceSide, profile: Profile, role: Role) -> DecisionKind:
        """The decision of the two sides (`profile` assuming `role`), kept per sides that read alike: no
        protection of AWS refuses sts:AssumeRole on a role (`aws_protected`: the builder works any such role
        out whole), so the decision reads nothing else of them."""
        key = (
            caller.ident, caller.bound, caller.sess, caller.denies, caller.scp_ok,
            resource.direct, resource.user, resource.role, resource.account, resource.denies,
            profile.account_id == role.account_id, profile.kind,
        )  # fmt: skip
        found = self._kinds.get(key)
        if found is None:
            decided = combined(request(profile, role), caller, resource, "role-trust", role.trust, False, explain=False)
            found = self._kinds[key] = decided.decision
        return found

    def assumes(self, profile: Profile, role: Role) -> bool:
        """Whether the principal, decided on its own, may assume the role (an answer whoCanAssume would give:
        allowed, or implicitly denied while it holds a policy whose document is not loaded)."""
        kind = self.kind(self.member_caller(profile, role), resource(profile, role), profile, role)
        return kind == "Allowed" or (kind == "ImplicitlyDenied" and bool(profile.unknown_policies))

    def account_extra(self, role: Role, account: str, same: bool, profile: Profile) -> ExtraKey:
        """What the role's trust policy's principal clauses give every principal of `account` (`profile` one
        of them: the same for each, `trust_keys(role).by_account`), kept per trust document."""
        key = (role.trust_document, account, same)
        found = self._extras.get(key)
        if found is None:
            found = self._extras[key] = trust_key(role, profile)
        return found


def request(profile: Profile, role: Role) -> Request:
    return Request(
        principal=profile.principal,
        action=ASSUME_ROLE,
        resource=role.arn,
        resource_account=role.account_id,
        resource_is_pattern=False,
    )


def _caller(profile: Profile, role: Role) -> CallerSide:
    """The principal's side of assuming the role (as `decide` asks it of the evaluator)."""
    asked = request(profile, role)
    return caller_side(
        asked,
        context_of(asked),
        profile.identity_policies,
        profile.boundary_policies,
        profile.org.scp_levels or None,
        None,
    )


def resource(profile: Profile, role: Role) -> ResourceSide:
    """The role's side of `profile` assuming it (as `decide` asks it of the evaluator)."""
    asked = request(profile, role)
    org = role.org
    return resource_side(
        asked,
        context_of(asked),
        (org.rcp_levels or None) if org else None,
        role.trust,
        bool(org and org.management_account_id == role.account_id),
        False,
        has_boundary=profile.boundary_policies is not None,
    )
