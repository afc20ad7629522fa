"""The escalation graph of the loaded accounts, worked out once per generation: every escalation the
checker finds and every role's direct assumers. The questions with `escalation` walk it:

- `into(arn)`: the one-step ways to become a principal (assume it, or a technique that becomes it);
- `gains`: escalations after which the actor acts with more (a policy, a group) or as a changed principal;
- `admins`: the administrators, as `admins.py` decides them.

A step of any kind counts as one hop. After a gain, the changed principal is decided again (by the evaluator)
for what the question asks: assuming the role, rewriting its trust policy (iam-012), being an administrator.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Collection, Iterable, KeysView, Mapping, Sequence
from dataclasses import replace

from service.database.records import SecurityLoadRecord, TrustTargetRecord
from service.database.source import GraphSource
from service.escalation import load_catalogue
from service.evaluation.formula import disj
from service.reachability.admins import AdminDecisions, admins_of, is_admin
from service.reachability.decide import Target, access_from, decide
from service.reachability.escalation.admitting import admits_account, admitted_accounts, still_wanted
from service.reachability.escalation.checker import AccountChecker
from service.reachability.escalation.steps import Escalation
from service.reachability.escalation.ways import Wanted, Ways
from service.reachability.handback import HandBack
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access, NodeRef, Path, PathStep, both
from service.reachability.paths import assume_paths, identity_paths
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, Entry, Profile, Role
from service.reachability.role_classes import AssumerWays, RoleClasses
from service.reachability.signatures import SignatureClass
from service.reachability.snapshot import LoadIds
from service.reachability.who_can_assume import Assumers, TrustRead, trust_is_about_accounts

UPDATE_TRUST = "iam:UpdateAssumeRolePolicy"
# The warm-up reads every role, and every role's trust targets, in reads of this many: about half a second
# each at 100k principals, so that no one read nears the API's 30 s query timeout however large the
# organization.
ROLES_READ_AT_ONCE = 10_000


class EscalationGraph:
    """The escalations of the loaded accounts, as of one generation, worked out as questions need them:
    the ways to become a principal per principal, the gains per account (all of them, on first use)."""

    def __init__(self, checkers: dict[str, AccountChecker], profiles: dict[str, Profile]) -> None:
        self.checkers, self.profiles = checkers, profiles
        self._into: dict[str, Sequence[Access]] = {}
        self._direct: dict[str, Sequence[Access]] = {}  # (the questions' Assumers live for one question)
        self._direct_ways: dict[str, AssumerWays | None] = {}
        self._own_ways: dict[str, AssumerWays] = {}
        self.role_classes = RoleClasses()
        self._gains: list[Escalation] | None = None
        self._admins: list[Access] | None = None
        self.admin_decisions = AdminDecisions()
        # The roles and trust targets read, for every question of the generation (`Assumers.keeping`).
        self._roles: dict[str, Role | None] = {}
        self._trust_targets: dict[str, list[TrustTargetRecord]] = {}
        self._trust_reads: dict[str, TrustRead] = {}
        self.assumers: Assumers
        self._admitting: dict[str, set[str]] | None = None
        self._everyone: frozenset[str] = frozenset()
        self._admins_of: dict[str, tuple[AccountEntry, list[Access]]] = {}
        self._lists: dict[int, tuple[list[Entry], frozenset[str]]] = {}

    async def admitting(self, account: str) -> frozenset[str]:
        """The roles of other accounts whose trust policy can admit some principal of `account`
        (`admits_account`), from every role's trust targets (read once per generation, and indexed by the
        accounts they admit at once)."""
        await self.index_trusts()
        assert self._admitting is not None
        found = self._admitting.get(account, set()) | self._everyone
        return frozenset(arn for arn in found if self.profiles[arn].account_id != account)

    async def index_trusts(self) -> None:
        """Read every role's trust targets, and index the roles by the accounts they can admit (`admitting`)."""
        if self._admitting is None:
            roles = [arn for arn, profile in self.profiles.items() if profile.kind == "role"]
            for start in range(0, len(roles), ROLES_READ_AT_ONCE):
                await self.assumers.read_trust_targets(roles[start : start + ROLES_READ_AT_ONCE])
            by_account: dict[str, set[str]] = {}
            everyone: set[str] = set()
            for arn in roles:
                admitted = admitted_accounts(await self.assumers.trust_targets(arn))
                if admitted is None:
                    everyone.add(arn)
                else:
                    for admitted_account in admitted:
                        by_account.setdefault(admitted_account, set()).add(arn)
            self._admitting, self._everyone = by_account, frozenset(everyone)

    def members(self, account: str) -> KeysView[str]:
        """The ARNs of the account's users and roles."""
        checker = self.checkers.get(account)
        return checker.entry.profiles.keys() if checker is not None else {}.keys()

    def using(self, assumers: Assumers) -> EscalationGraph:
        if assumers is not getattr(self, "assumers", None):
            assumers.keeping(self._roles, self._trust_targets, self._trust_reads)
            self._lists = {}  # (the question's: `arns_in`)
        self.assumers = assumers
        return self

    async def into(self, arn: str, *, techniques: bool = True) -> Sequence[Access]:
        """The one-step ways to become `arn`: each an answer about the actor, with a path ending at `arn`.
        Without `techniques`, only its direct assumers (a technique's actor is of `arn`'s own account)."""
        found = self._into.get(arn)
        if found is not None:
            return found
        profile = self.profiles.get(arn)
        checker = self.checkers.get(profile.account_id) if profile is not None else None
        direct: Sequence[Access] = []
        if profile is not None and profile.kind == "role":
            direct = self._direct.get(arn) or []
            if arn not in self._direct:
                direct = self._direct[arn] = await self.assumers.direct(arn)
        if not techniques:
            return direct
        found = [*direct]
        if checker is not None:
            found += [e.access() for e in await checker.using(self.assumers).becoming(arn)]
        self._into[arn] = found
        return found

    async def ways(
        self, arn: str, *, techniques: bool = True, admitting: str | None = None, wanted: Wanted | None = None
    ) -> tuple[AssumerWays | None, Sequence[Ways]]:
        """`into(arn)` before its answers are made: its direct assumers (None: it is no role), as a walk reads
        them (role_classes.py), then the techniques' ways (`AccountChecker.ways`; none without
        `techniques`). With `admitting`, only the direct assumers of that account are wanted: a role of
        another account whose trust policy cannot admit any of them (`admits_account`) gives none, and the
        others classify that account's principals alone (`RoleClasses.ways_in_from`), unless the role's ways
        are worked out whole already; with `wanted` too, not even those when none of its possible direct
        assumers there is wanted (`_may_admit`). With `wanted` alone, only those that may be wanted
        (`still_wanted`). `wanted`: see `AccountChecker.ways`."""
        profile = self.profiles.get(arn)
        direct: AssumerWays | None = None
        if profile is not None and profile.kind == "role":
            if arn in self._direct_ways or (admitting is None and wanted is None):
                direct = await self._ways_in(arn)
            elif admitting is None:
                assert wanted is not None
                direct = await self._wanted_ways_in(profile, wanted)
            elif profile.account_id != admitting and not admits_account(
                await self.assumers.trust_targets(arn), admitting
            ):
                return None, ()  # (nobody of `admitting` is among its direct assumers, nor a technique's actor)
            elif wanted is None or await self._may_admit(arn, admitting, wanted):
                direct = await self.role_classes.ways_in_from(self.assumers, arn, admitting)
        checker = self.checkers.get(profile.account_id) if profile is not None else None
        if not techniques or checker is None:
            return direct, ()
        return direct, await checker.using(self.assumers).ways(arn, wanted)

    async def names_others(self, arn: str, account: str) -> bool:
        """Whether the role's direct assumers may hold a principal of `account` that is no loaded user or
        role (one its trust policy names by an ARN the graph does not hold, as a placeholder, or a federated
        provider of the account): those are not among `members(account)`."""
        profile = self.profiles.get(arn)
        if profile is None or profile.kind != "role":
            return False
        for target in await self.assumers.trust_targets(arn):
            if target.effect != "Allow":
                continue
            if target.external_kind == "any":
                continue  # (anyone: answered as "*", of no account; a NotPrincipal's are decided by ARN)
            if target.target_kind in ("user", "role", "account") and (
                target.target in self.profiles or (target.target_kind == "account" and target.target_loaded)
            ):
                continue
            if any(account in (text or "") for text in (target.target, target.principal, target.external_value)):
                return True
        return False

    async def own_ways(self, role: Role) -> AssumerWays:
        """The role's direct assumers of its own account (`Assumers.direct_parts_from`), kept for the
        generation."""
        found = self._own_ways.get(role.arn)
        if found is None:
            parts = await self.assumers.direct_parts_from(role, role.account_id)
            found = self._own_ways[role.arn] = AssumerWays(parts.role, parts.ready, parts.pending)
        return found

    async def _ways_in(self, arn: str) -> AssumerWays | None:
        if arn not in self._direct_ways:
            self._direct_ways[arn] = await self.role_classes.ways_in(self.assumers, arn)
        return self._direct_ways[arn]

    async def _wanted_ways_in(self, role: Profile, wanted: Wanted) -> AssumerWays | None:
        """The role's direct assumers that may be principals `wanted` still wants (`still_wanted`): of the
        accounts that may hold one, the signature classes holding one (not kept: see `ways_in_from`)."""

        def holders(account: str) -> Mapping[str, Sequence[tuple[str, frozenset[str]]]]:
            return self.checkers[account].using(self.assumers).resource_holders(ASSUME_ROLE.lower())

        def keep(signature_class: SignatureClass) -> bool:
            key = (signature_class.account, f"signature class {id(signature_class)}")
            return wanted.meets(key, signature_class.arns)

        targets = await self.assumers.trust_targets(role.arn)
        trust = await self.assumers.trust_read(role.arn)
        accounts = self.checkers.keys()
        candidates = self._assume_candidates
        found = still_wanted(role, targets, trust, wanted, self.profiles, accounts, candidates, self.members, holders)
        if found is None:
            return await self._ways_in(role.arn)
        if not found.individuals and not found.accounts:
            return None
        read = await self.assumers.role(role.arn)
        if read is None:
            return None
        own = role.account_id
        if trust.everyone and own in found.accounts and trust_is_about_accounts(read):
            # (A role anyone may assume admits every principal of its own account by its trust policy alone: at
            # 100k principals a walk of every account takes some ninety such roles at its last expanding hop, and
            # each one's own account is nearly all wanted there, every time. Those ways are kept.)
            own_ways = await self.own_ways(read)
            others = [account for account in found.accounts if account != own]
            if not others and not found.individuals:
                return own_ways
            parts = await self.assumers.direct_parts_among(read, others, keep, found.individuals)
            return AssumerWays(parts.role, (*own_ways.ready, *parts.ready), (*own_ways.pending, *parts.pending))
        parts = await self.assumers.direct_parts_among(read, found.accounts, keep, found.individuals)
        return AssumerWays(parts.role, parts.ready, parts.pending)

    async def _may_admit(self, arn: str, account: str, wanted: Wanted) -> bool:
        """Whether the role's direct assumers of `account` may hold a principal of `wanted`: one its trust
        policy names, one outside the loaded users and roles (`names_others`), or, when it admits the account
        (or anyone), a candidate (`Assumers.admitted_classes`: every principal of the role's own account when
        it admits anyone, else those holding a policy that may allow sts:AssumeRole)."""
        trust = await self.assumers.trust_read(arn)
        arns = wanted.arns
        if any(named in arns for named in trust.direct) or await self.names_others(arn, account):
            return True
        if not (trust.everyone or account in trust.accounts):
            return False
        if trust.everyone and self.profiles[arn].account_id == account:
            return bool(arns)
        candidates = self._assume_candidates(account)
        if candidates is None:
            return True  # (not an account of the graph: nothing tells what it holds)
        return wanted.meets((account, ASSUME_ROLE), candidates)

    def _assume_candidates(self, account: str) -> frozenset[str] | None:
        """The account's candidates for sts:AssumeRole (`AccountChecker.candidate_arns`; None: not an account
        of the graph)."""
        checker = self.checkers.get(account)
        return None if checker is None else checker.using(self.assumers).candidate_arns(ASSUME_ROLE.lower())

    async def prepare_admins(self) -> None:
        """Work out what every `admins` question's walk starts from: each account's administrators (its
        goals, kept: `admins_in`), their direct assumers, and the ways into those of other accounts, the
        first hop the questions of every account share (at 100k, the management account's principals,
        which every OrganizationAccountAccessRole admits: a generation's first `admins` worked them out)."""
        entries = await self.assumers.view.entries(None)
        first: set[str] = set()
        for goal in self.admins_in(entries.values()):
            direct, _ = await self.ways(goal.principal.arn, techniques=False)
            if direct is None:
                continue
            own = goal.principal.account_id
            first.update(a.principal.arn for a in direct.ready if a.principal.account_id != own)
            for part in direct.pending:
                for members in part.lists():
                    first.update(actor for actor, profile in members if profile.account_id != own)
        await self.read_roles(first)
        for arn in sorted(first):
            if arn in self.profiles:
                await self.ways(arn)

    def admins_in(self, entries: Iterable[AccountEntry]) -> list[Access]:
        """`admins_of` the entries, kept per entry for the generation (decisions never span accounts: each
        account has its own organization place)."""
        found: list[Access] = []
        for entry in entries:
            held = self._admins_of.get(entry.account_id)
            if held is None or held[0] is not entry:
                held = self._admins_of[entry.account_id] = (entry, admins_of([entry]))
            found += held[1]
        found.sort(key=lambda access: access.principal.arn)
        return found

    async def read_roles(self, arns: Iterable[str]) -> None:
        """Read the roles among `arns` whose direct assumers are not worked out yet, in one read (a walk's
        hop)."""
        await self.assumers.read_roles(arn for arn in arns if arn not in self._direct_ways and arn in self.profiles)

    async def becoming(self, arn: str) -> list[Escalation]:
        """Every escalation that becomes `arn` (`AccountChecker.becoming`)."""
        profile = self.profiles.get(arn)
        checker = self.checkers.get(profile.account_id) if profile is not None else None
        return [] if checker is None else await checker.using(self.assumers).becoming(arn)

    async def making_admin(
        self, arn: str, leave_out: frozenset[str], have: Collection[str] = ()
    ) -> list[Escalation]:
        """The escalations that change `arn` first into an administrator (`AccountChecker.making_admin`)."""
        profile = self.profiles.get(arn)
        checker = self.checkers.get(profile.account_id) if profile is not None else None
        if checker is None:
            return []
        return await checker.using(self.assumers).making_admin(arn, leave_out, self._is_admin, have)

    def _is_admin(self, profile: Profile) -> bool:
        return self.admin_decisions.of(profile) is not None

    async def gains(self, accounts: Collection[str] | None = None) -> list[Escalation]:
        """Every account's gains (`AccountChecker.gains`), or those of the actors of `accounts` alone, in
        the same order (the checkers': an actor's gains are its own account's)."""
        if accounts is None and self._gains is not None:
            return self._gains
        found: list[Escalation] = []
        for account, checker in self.checkers.items():
            if accounts is None or account in accounts:
                found += await checker.using(self.assumers).gains()
        if accounts is None:
            self._gains = found
        return found

    async def out(self, arn: str) -> list[tuple[NodeRef, Access]]:
        """The one-step ways out of `arn`: what it reaches, with the answer about it (one path). A technique
        acts only in the actor's own account (IAM changes and passed roles stay in it); an assumption may
        reach a role of any loaded account whose trust policy can admit the actor's account. Works out the
        ways into those principals (once per generation)."""
        actor = self.profiles.get(arn)
        found: list[tuple[NodeRef, Access]] = []
        # (a role of another account admits the actor only if its trust policy can admit someone of the
        # actor's account, `admitting`: the others' direct assumers are not worked out for it)
        admitting = await self.admitting(actor.account_id) if actor is not None else None
        hand_back = HandBack()  # (everything read is in memory by now: handback.py)
        for target, profile in self.profiles.items():
            await hand_back()
            # (`into(target)` read for `arn` alone: its direct answers, then its escalations, made for `arn` only)
            if actor is not None and profile.account_id == actor.account_id:
                ways = await self._assuming(target, arn, hand_back) if profile.kind == "role" else []
                ways += [e.access() for e in await self.becoming(target) if e.actor.arn == arn]
            elif profile.kind == "role" and (admitting is None or target in admitting):
                ways = await self._assuming(target, arn, hand_back)
            else:
                continue
            found += [(profile.ref, access) for access in ways]
        for gain in await self.gains():
            if gain.actor.arn == arn:
                found.append((gain.reached, gain.access()))
        return found

    async def _assuming(self, role_arn: str, arn: str, hand_back: HandBack) -> list[Access]:
        """`arn`'s own entries among the role's direct answers, as `Assumers.direct` makes them (ARN order; for
        equal ARNs, those decided on their own first, then by decision class), without making the others
        (at 100k principals, a role trusting the organization has 25,000)."""
        parts = await self.assumers.direct_parts(role_arn)
        if parts is None:
            return []
        found = [access for access in parts.ready if access.principal.arn == arn]
        for members in parts.pending:
            for entries in members.lists():
                if arn in self.arns_in(entries):
                    profile = next(profile for member, profile in entries if member == arn)
                    if (made := members.answers.answer(profile)) is not None:
                        found.append(made)
                    break  # (a principal is in one list of a class)
        await hand_back()
        return found

    def arns_in(self, entries: list[Entry]) -> frozenset[str]:
        """The principals of a list of class members (a signature class's, shared by the classes of every role
        holding it whole), kept for the question."""
        held = self._lists.get(id(entries))
        if held is None or held[0] is not entries:
            held = self._lists[id(entries)] = (entries, frozenset(member for member, _ in entries))
        return held[1]


# Per index: the generation and the credential loads (the credential techniques read that data, and its loads
# leave the generation as it was) the graph was worked out for.
_GRAPHS: weakref.WeakKeyDictionary[
    PrincipalIndex, tuple[tuple[LoadIds, frozenset[SecurityLoadRecord]], EscalationGraph]
] = weakref.WeakKeyDictionary()


async def escalation_graph(index: PrincipalIndex, assumers: Assumers) -> EscalationGraph:
    """The graph for the generation the question reads: one per generation and index, filled in as the
    questions need it."""
    view = assumers.view
    loads = ((await view.generation()).key, await view.security_loads())
    held = _GRAPHS.get(index)
    if held is not None and held[0] == loads:
        return held[1].using(assumers)
    techniques = load_catalogue().techniques
    entries = await view.entries(None)
    checkers: dict[str, AccountChecker] = {}
    profiles: dict[str, Profile] = {}
    for account_id, entry in sorted(entries.items()):
        groups = await view.source.account_groups(account_id)
        checkers[account_id] = AccountChecker(entry, groups, techniques)
        profiles.update(entry.profiles)
    graph = EscalationGraph(checkers, profiles).using(assumers)
    _GRAPHS[index] = (loads, graph)
    return graph


async def build_escalation_index(
    index: PrincipalIndex,
    source: GraphSource,
    after_reads: Callable[[EscalationGraph], Awaitable[object]] | None = None,
) -> EscalationGraph:
    """Work out ahead of the first question (at the API's warm-up) what every escalation question of the
    generation starts from: a checker per account, with its target classes, every account's gains, and every
    role with its trust policy (the first walk of every account read 26,000 of them at its hop before the
    last at 100k principals: about a second of that question; 2-4 s here for every role, in reads of
    `ROLES_READ_AT_ONCE`). `after_reads` is called once everything is read from the database, before the
    rest is worked out (it may start work of its own elsewhere: reverse.py)."""
    graph = await escalation_graph(index, Assumers(index.view(source)))
    await graph.index_trusts()  # (what the hop before an `admins` question's last reads)
    roles = [arn for arn, profile in graph.profiles.items() if profile.kind == "role"]
    for start in range(0, len(roles), ROLES_READ_AT_ONCE):  # (each read well within the query timeout)
        await graph.read_roles(roles[start : start + ROLES_READ_AT_ONCE])
    if after_reads is not None:
        await after_reads(graph)
    await graph.gains()
    await graph.prepare_admins()
    for checker in graph.checkers.values():
        checker.using(graph.assumers).prepare_walks()
    return graph


def decide_after_gain(
    decide_changed: Callable[[Profile], Access | None], goal_arn: str
) -> Callable[[Escalation, Access], Access | None]:
    """`after_gain` for one goal: the changed principal decided by `decide_changed`."""

    def decided(gain: Escalation, goal: Access) -> Access | None:
        if goal.principal.arn != goal_arn or gain.after is None:
            return None
        return decide_changed(gain.after)

    return decided


def assume_changed(role: Role, admits: Callable[[Profile], bool]) -> Callable[[Profile], Access | None]:
    """Whether a changed principal may assume `role`, or else rewrite its trust policy (iam-012). `admits`
    (see `trust_admits`) leaves out, undecided, the principals the trust policy cannot admit."""

    def decided(changed: Profile) -> Access | None:
        if not admits(changed):
            return None
        decision = decide(changed, ASSUME_ROLE, Target.role(role))
        if (access := access_from(changed, decision)) is not None:
            paths = assume_paths(
                changed.ref, identity_paths(changed, decision), role.ref, role.trust_document, decision
            )
            return replace(access, paths=paths[:1])
        if role.account_id == changed.account_id:
            target = Target(role.arn, role.account_id, role.org, None, "generic")
            decision = decide(changed, UPDATE_TRUST, target)
            if (access := access_from(changed, decision)) is not None:
                via = f"iam-012: {UPDATE_TRUST} on {role.arn}"
                step = PathStep(changed.ref, role.ref, "escalates", via, None, "iam-012")
                return replace(access, paths=((step,),))
        return None

    return decided


async def gains_to_admin(
    graph: EscalationGraph, admins: frozenset[str], escalations: Iterable[Escalation]
) -> list[Access]:
    """The actors (not administrators already) that one gain makes administrators, or that become a
    principal the gain made one: one step."""
    found: dict[str, Access] = {}
    for gain in escalations:
        if gain.after is None or gain.actor.arn in admins or gain.actor.arn in found:
            continue
        admin = graph.admin_decisions.of(gain.after)
        if admin is None:
            continue
        notes = (*gain.notes, *admin.notes)
        found[gain.actor.arn] = Access(gain.actor, both(gain.condition, admin.condition), ((gain.step,),), notes, 1)
    return list(found.values())


async def walk_forward(graph: EscalationGraph, start: str, max_hops: int) -> list[Access]:
    """Everything `start` can become or gain within `max_hops` steps, at its fewest hops, with every way to
    reach it in that many (one path each: another technique, or an assumption, may reach the same role);
    its condition is that at least one of them holds."""
    found: dict[str, Access] = {}
    frontier: list[tuple[str, Path, Access | None]] = [(start, (), None)]
    for hop in range(1, max_hops + 1):
        next_frontier: list[tuple[str, Path, Access | None]] = []
        this_hop: dict[str, Access] = {}
        for arn, prefix, before in frontier:
            for reached, step in await graph.out(arn):
                if reached.arn == start or reached.arn in found:
                    continue
                path = prefix + (step.paths[0] if len(step.paths) else ())
                condition = both(before.condition if before else None, step.condition)
                notes = tuple(dict.fromkeys((*(before.notes if before else ()), *step.notes)))
                had = this_hop.get(reached.arn)
                if had is None:
                    this_hop[reached.arn] = Access(reached, condition, (path,), notes, hop)
                    if reached.kind in ("role", "user"):
                        next_frontier.append((reached.arn, path, this_hop[reached.arn]))
                elif path not in had.paths:
                    either = None if had.condition is None or condition is None else disj([had.condition, condition])
                    merged_notes = tuple(dict.fromkeys((*had.notes, *notes)))
                    this_hop[reached.arn] = Access(
                        reached, either if not isinstance(either, bool) else None, (*had.paths, path), merged_notes, hop
                    )
        found.update(this_hop)
        frontier = next_frontier
    for gain in await graph.gains():
        gained = found.get(gain.reached.arn)
        if gain.actor.arn == start and gained is not None and gain.after is not None and is_admin(gain.after):
            found[gain.reached.arn] = replace(gained, notes=(*gained.notes, "then an administrator of its account"))
    return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))
