"""whoCanAssume: the principals that can assume a role, and with more hops, those that reach one that can
(role chains). The trust policy's TRUSTS edges narrow the candidates; the evaluator decides each one."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from service.database.records import TrustTargetRecord
from service.errors import QueryError
from service.evaluation.context import RequestContext
from service.evaluation.formula import Cond
from service.evaluation.request import Request
from service.evaluation.statements import compiled
from service.reachability.answers import Answers, Pending, merged
from service.reachability.classes import DecisionClass, ExtraKey, Member, classify, is_pattern
from service.reachability.clauses import about_the_account_only, principal_clauses
from service.reachability.decide import ClassAnswers, MakePaths, Target, counted, decide, member_paths
from service.reachability.external_trust import assume_external, unique_external
from service.reachability.index import ActionClasses, IndexView
from service.reachability.model import Access, NodeRef, Path
from service.reachability.profiles import ASSUME_ROLE, Entry, Profile, Role
from service.reachability.relabel import TrustPolicyName
from service.reachability.sharing import RoleFacts, SharedDecision
from service.reachability.signatures import SignatureClass


class TrustClauseResults(NamedTuple):  # (part of a class key: see classes.py)
    """What a trust policy's principal clauses give for a principal, and whether it is in the role's account
    (where the trust policy alone can grant)."""

    in_role_account: bool
    results: tuple[Cond, ...]


class Assumers:
    """Who can assume which role, for one question: each role's direct assumers are worked out once across
    the hops of its chains."""

    def __init__(self, view: IndexView) -> None:
        self.view = view
        self._roles: dict[str, Role | None] = {}
        self._direct: dict[str, Sequence[Access]] = {}
        self._parts: dict[str, DirectAssumers | None] = {}
        self._targets: dict[str, list[TrustTargetRecord]] = {}  # (read ahead by `read_roles`, or when asked)
        self._reads: dict[str, TrustRead] = {}

    async def role(self, arn: str) -> Role | None:
        if arn not in self._roles:
            self._roles[arn] = await self.view.role(arn)
        return self._roles[arn]

    async def read_roles(self, arns: Iterable[str]) -> None:
        """Read the roles not read yet among `arns`, and what their trust policies name, in one read each
        (then `role` and the direct assumers answer from memory)."""
        arns = list(dict.fromkeys(arns))
        wanted = [arn for arn in arns if arn not in self._roles]
        if wanted:
            found = await self.view.roles(wanted)
            for arn in wanted:
                self._roles[arn] = found.get(arn)
        await self.read_trust_targets(
            arn for arn in arns if arn not in self._parts and self._roles.get(arn) is not None
        )

    async def read_trust_targets(self, arns: Iterable[str]) -> None:
        """Read what the trust policies of the roles among `arns` name, for those not read yet, in one read."""
        unread = [arn for arn in dict.fromkeys(arns) if arn not in self._targets]
        if unread:
            targets = await self.view.trust_targets_of(unread)
            for arn in unread:
                self._targets[arn] = targets.get(arn, [])

    def keeping(
        self,
        roles: dict[str, Role | None],
        targets: dict[str, list[TrustTargetRecord]],
        reads: dict[str, TrustRead],
    ) -> None:
        """Read roles and trust targets (and what they name, `trust_read`) into (and from) these maps from now
        on, kept by the caller for as long as its generation (the escalation graph: every escalation question
        of a generation reads the same roles, about 13,000 of them for an `admins` at 100k principals)."""
        roles.update(self._roles)
        targets.update(self._targets)
        reads.update(self._reads)
        self._roles, self._targets, self._reads = roles, targets, reads

    async def _trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        found = self._targets.get(role_arn)
        if found is None:
            found = self._targets[role_arn] = await self.view.trust_targets(role_arn)
        return found

    async def who_can_assume(self, role_arn: str, max_hops: int) -> Sequence[Access]:
        if is_pattern(role_arn):
            # A trust policy belongs to one role: a question on a pattern of roles would mix several.
            raise QueryError(f"whoCanAssume needs one role ARN, not the pattern {role_arn!r}")
        if await self.role(role_arn) is None:
            raise QueryError(f"no role {role_arn!r} in the graph")
        return await self.chains(await self.direct(role_arn), 2, max_hops, frozenset({role_arn}))

    async def chains(
        self, first: Sequence[Access], first_hop: int, last_hop: int, exclude: frozenset[str] = frozenset()
    ) -> Sequence[Access]:
        """Extend `first` (in ARN order) backwards through role assumption: the principals that can assume a
        role in the answer join it, numbered `first_hop` to `last_hop`; each keeps its shortest chain."""
        if first_hop > last_hop:
            return first
        found = {access.principal.arn: access for access in first}
        frontier = [a for a in first if a.principal.kind == "role"]
        for hop in range(first_hop, last_hop + 1):
            next_frontier: list[Access] = []
            for reached in frontier:
                for assumer in await self.direct(reached.principal.arn):
                    arn = assumer.principal.arn
                    if arn in found or arn in exclude:
                        continue
                    prefix: Path = reached.paths[0] if reached.paths else ()
                    chained = assumer.via(prefix, reached.condition, hop)
                    found[arn] = chained
                    if assumer.principal.kind == "role":
                        next_frontier.append(chained)
            frontier = next_frontier
            if not frontier:
                break
        return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))

    async def direct(self, role_arn: str) -> Sequence[Access]:
        """The principals that can assume the role in one hop, in ARN order."""
        if role_arn in self._direct:
            return self._direct[role_arn]
        parts = await self.direct_parts(role_arn)
        if parts is None:
            return []
        found = self._direct[role_arn] = parts.answers()
        return found

    async def direct_parts(self, role_arn: str) -> DirectAssumers | None:
        """The role's direct assumers as `direct` decides them, before any answer is made (None: no such
        role): the escalation walk reads who they are and makes the answers of the few it shows. Worked out
        once per question, like `direct` (the same decisions: a path chosen among equal ones stays chosen)."""
        if role_arn not in self._parts:
            role = await self.role(role_arn)
            self._parts[role_arn] = None if role is None else await self._direct_assumers(role)
        return self._parts[role_arn]

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        """What the role's trust policy names: read ahead with the role (`read_roles`) or now."""
        return await self._trust_targets(role_arn)

    async def trust_read(self, role_arn: str) -> TrustRead:
        """`TrustRead` of the role's trust targets, worked out once (a walk at 100k principals asks it of
        26,000 roles, and again of some)."""
        found = self._reads.get(role_arn)
        if found is None:
            found = self._reads[role_arn] = TrustRead.of(await self._trust_targets(role_arn))
        return found

    async def admitted_classes(
        self, role: Role, trust: TrustRead, only: Collection[str] | None = None
    ) -> list[SignatureClass]:
        """The signature classes of the principals the trust policy admits through their account (or `*`);
        with `only`, of those accounts' principals alone."""
        accounts = None if trust.everyone else sorted(trust.accounts)
        if only is not None:
            accounts = sorted(a for a in only if trust.everyone or a in trust.accounts)
        entries = await self.view.entries(accounts) if trust.admits and accounts != [] else {}
        action = self.view.action(ASSUME_ROLE.lower())  # (for the entries just read)
        # In the role's own account a trust policy admitting anyone grants without any identity policy: every
        # user and role there is a candidate, not only those whose policies allow it.
        return action.signatures.classes(entries.values(), everyone_in=role.account_id if trust.everyone else None)

    async def individual_answers(self, role: Role, trust: TrustRead, classes: list[SignatureClass]) -> list[Access]:
        """The answers of the principals decided on their own (those the trust policy names, or everyone when
        it has a NotPrincipal) and of those outside the loaded data, by ARN."""
        individuals = await self.view.profiles(sorted(trust.direct))
        # The principals the trust policy names are decided on their own; so is everyone when it has a
        # NotPrincipal (which can leave out any one principal). The others are admitted through their account
        # (or `*`): their decisions are shared as whoCan's are.
        about_accounts = trust_is_about_accounts(role)
        named = trust.named
        for signature_class in classes if named or not about_accounts else ():
            if not about_accounts or not named.isdisjoint(signature_class.arns):
                individuals.update(
                    (e.arn, e.profile) for e in signature_class.entries if not about_accounts or e.arn in named
                )
        individuals.pop(role.arn, None)
        answers: list[Access] = []
        paths: MakePaths = partial(member_paths, role=role)
        target_side = Target.role(role)
        for profile in individuals.values():
            decision = decide(profile, ASSUME_ROLE, target_side)
            if (answer := ClassAnswers(None, Member(profile, {}), decision, paths, 1).answer(profile)) is not None:
                answers.append(answer)
        answers += [
            answer for target in unique_external(trust.external) if (answer := assume_external(target, role))
        ]
        answers.sort(key=_principal_arn)
        return answers

    async def direct_parts_from(self, role: Role, account: str) -> DirectAssumers:
        """`direct_parts` of the principals of `account` alone: only that account's signature classes are
        classified (the last hop of `admins(account)`). Not kept: another question wants them all."""
        return await self._direct_assumers(role, [account])

    async def direct_parts_among(
        self, role: Role, accounts: Collection[str], keep: Callable[[SignatureClass], bool], individuals: bool
    ) -> DirectAssumers:
        """`direct_parts` of the principals of `accounts` in the signature classes `keep` keeps, and (with
        `individuals`) of those decided on their own, whatever their account: the last hop of a walk of every
        account, where only some principals are still wanted. Not kept: another question wants them all."""
        return await self._direct_assumers(role, accounts, keep, individuals)

    async def _direct_assumers(
        self,
        role: Role,
        only: Collection[str] | None = None,
        keep: Callable[[SignatureClass], bool] | None = None,
        individuals: bool = True,
    ) -> DirectAssumers:
        trust = await self.trust_read(role.arn)
        classes = await self.admitted_classes(role, trust, only)
        if keep is not None:
            classes = [signature_class for signature_class in classes if keep(signature_class)]
        answers = await self.individual_answers(role, trust, classes) if individuals else []
        if only is not None and keep is None:
            answers = [answer for answer in answers if answer.principal.account_id in only]
        total, pending = len(answers), list[Members]()
        if trust_is_about_accounts(role) and classes:
            for part in class_members(self.view.action(ASSUME_ROLE.lower()), classes, role, trust):
                total += part.count
                pending.append(part.members)
        return DirectAssumers(role.ref, answers, pending, total)


@dataclass(frozen=True, slots=True)
class TrustRead:
    """What a role's trust policy names, as the direct assumers read it: the users and roles it admits by
    ARN (`direct`), the loaded accounts it admits (`accounts`), whether it admits anyone (`everyone`), the
    principals outside the loaded data (`external`), and whom any statement names, Allow or Deny (`named`:
    decided on their own, never by their class's decision)."""

    direct: frozenset[str]
    accounts: frozenset[str]
    everyone: bool
    external: tuple[TrustTargetRecord, ...]
    named: frozenset[str]

    @classmethod
    def of(cls, targets: Iterable[TrustTargetRecord]) -> TrustRead:
        targets = list(targets)
        direct: set[str] = set()
        accounts: set[str] = set()
        everyone = False
        external: list[TrustTargetRecord] = []
        for target in targets:
            if target.effect != "Allow":
                continue
            kind = target.target_kind
            if target.not_principal or (kind == "external" and target.external_kind == "any"):
                everyone = True
                external.append(target)
            elif kind in ("user", "role"):
                direct.add(target.target)
            elif kind == "account" and target.target_loaded:
                accounts.add(target.target)
            else:
                external.append(target)
        named = frozenset(t.target for t in targets if t.target_kind in ("user", "role"))
        return cls(frozenset(direct), frozenset(accounts), everyone, tuple(external), named)

    @property
    def admits(self) -> bool:
        """Whether it admits principals through their account (or `*`)."""
        return bool(self.accounts) or self.everyone



@dataclass(frozen=True, slots=True)
class DecidedClass:
    """A decision class whose members assume the role: its shared decision, how many answers it gives, and
    its members with their answers."""

    decision_class: DecisionClass
    shared: SharedDecision
    count: int
    unknown_only: bool
    members: Members


def class_members(
    action: ActionClasses,
    classes: list[SignatureClass],
    role: Role,
    trust: TrustRead,
    leave_out: AbstractSet[str] | None = None,
) -> list[DecidedClass]:
    """The admitted principals that are not named (nor the role itself, nor any of `leave_out` when given),
    in decision classes, each decided once (shared with other roles of the same trust document:
    sharing.py); those that assume the role."""
    # A trust policy that names no account admits every account alike: then principals of different
    # accounts share classes (under the same organization place, see `classify`), split only by
    # whether they are in the role's own account (where the trust policy alone can grant).
    anyone = trust.everyone and not (trust.accounts or trust.named)
    keys = trust_keys(role)
    decision_classes = classify(
        action.signatures,
        classes,
        role.arn,
        keys.key,
        by_account=not anyone,
        extra_by_account=keys.by_account,
        leave_out=trust.named | {role.arn} if leave_out is None else leave_out,
    )
    facts = RoleFacts.of(role)
    paths: MakePaths = partial(member_paths, role=role)
    found: list[DecidedClass] = []
    for decision_class in decision_classes:
        shared = _class_decision(action, decision_class, role, facts)
        if count := counted(decision_class, shared.decision):
            unknown_only = shared.decision.decision != "Allowed"
            members = role_members(decision_class, shared, unknown_only, role, paths)
            found.append(DecidedClass(decision_class, shared, count, unknown_only, members))
    return found


def role_members(
    decision_class: DecisionClass, shared: SharedDecision, unknown_only: bool, role: Role, paths: MakePaths
) -> Members:
    """The class's members that assume `role` under its shared decision, their paths to the role, and the
    role's own trust policy named where the decision names another's."""
    rename = None
    if shared.trust_policy != role.trust.name:
        rename = TrustPolicyName(shared.trust_policy, role.trust.name)
    answers = ClassAnswers(decision_class, shared.representative, shared.decision, paths, 1, rename)
    return Members(answers, decision_class, unknown_only, shared)


@dataclass(frozen=True, slots=True)
class Members:
    """A decision class's members that assume the role (with `unknown_only`, those holding a policy whose
    document is not loaded), their answers, and the class's shared decision."""

    answers: ClassAnswers
    decision_class: DecisionClass
    unknown_only: bool
    shared: SharedDecision

    def entries(self) -> Iterator[Entry]:
        return self.decision_class.entries(unknown_only=self.unknown_only)

    def lists(self) -> list[list[Entry]]:
        """The members as the lists they were classified in (each a signature class's, shared by every
        role whose classes hold it whole), in no order."""
        return self.decision_class.unknown_parts if self.unknown_only else self.decision_class.parts


@dataclass(frozen=True, slots=True)
class DirectAssumers:
    """A role's direct assumers: those decided on their own (`ready`, in ARN order) and the members of the
    decision classes that assume it (`pending`), `total` in all. Read as answers (`answers`, made as they
    are read), or by the escalation walk as who they are (its `reach`), making the answers of the few it
    shows."""

    role: NodeRef
    ready: list[Access]
    pending: list[Members]
    total: int

    def answers(self) -> Answers:
        return merged(self.ready, [Pending(part.answers.answer, part.entries()) for part in self.pending], self.total)


def _class_decision(
    action: ActionClasses, decision_class: DecisionClass, role: Role, facts: RoleFacts | None
) -> SharedDecision:
    """The class's decision on assuming the role, the member it was made for, and the name of the trust
    policy it names (another role's, when kept from a question about it: see sharing.py)."""
    key = action.shared.key(decision_class, role, facts)
    found = action.shared.get(key)
    if found is None:
        representative = decision_class.representative
        decision = decide(representative.profile, ASSUME_ROLE, Target.role(role))
        found = SharedDecision(representative, decision, role.trust.name)
        action.shared.put(key, found)
    return found


def trust_is_about_accounts(role: Role) -> bool:
    """Whether the trust policy admits the principals it does not name by their account (or `*`): it has no
    NotPrincipal, which can leave out any one principal."""
    return not any(st.not_principals is not None for st in role.trust.statements)


@dataclass(frozen=True)
class TrustKeys:
    """`trust_key` for one role, and whether it is the same for every principal of an account: when the
    trust policy's clauses look at nothing finer than the principal's account (aws:PrincipalOrgID, say)."""

    key: Callable[[Profile], ExtraKey]
    by_account: bool


def trust_keys(role: Role) -> TrustKeys:
    if not about_the_account_only(compiled(role.trust, "resource").for_action(ASSUME_ROLE.lower())):
        return TrustKeys(partial(trust_key, role), by_account=False)
    by_account: dict[str, ExtraKey] = {}

    def key(profile: Profile) -> ExtraKey:
        found = by_account.get(profile.account_id)
        if found is None:
            found = by_account[profile.account_id] = trust_key(role, profile)
        return found

    return TrustKeys(key, by_account=True)


def trust_key(role: Role, profile: Profile) -> ExtraKey:
    """What the trust policy's principal clauses (aws:PrincipalArn, tags, ...) give for this principal; the
    principal as an individual when the trust policy uses a policy variable."""
    context = RequestContext(
        Request(principal=profile.principal, action=ASSUME_ROLE, resource=role.arn, resource_account=role.account_id)
    )
    results: list[Cond] = []
    for cs in compiled(role.trust, "resource").for_action(ASSUME_ROLE.lower()):
        if principal_clauses(cs, context, results):
            return ExtraKey(profile.arn)
    return ExtraKey(None, TrustClauseResults(profile.account_id == role.account_id, tuple(results)))


def _principal_arn(access: Access) -> str:
    return access.principal.arn
