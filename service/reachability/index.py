"""The principal index: what a process keeps across questions. The snapshot of every loaded account
(snapshot.py), what is worked out of it per action (candidates, signatures, shared decisions), and the
answer cache. Shared by every request of an app (or a CLI run); safe for concurrent requests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from service.database.records import SecurityLoadRecord, TrustTargetRecord
from service.database.source import GraphSource
from service.evaluation.request import arn_account
from service.evaluation.statements import compiled
from service.reachability.alike import ActionsAlike
from service.reachability.answers import AnswerCache
from service.reachability.candidates import ActionPolicies
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, OrgContext, Profile, Role, parsed
from service.reachability.sharing import MAX_SHARED_DECISIONS, SharedDecisions
from service.reachability.signatures import Signatures
from service.reachability.snapshot import (
    Accounts,
    AccountSnapshot,
    Generation,
    freeze,
    trust_targets,
)

_MAX_ACTIONS = 1024  # actions whose classes are kept; then they are dropped all at once


@dataclass(frozen=True)
class ActionClasses:
    """What is worked out for one action, kept while the organizations stay as they are. What is worked out
    of a policy, a principal or an account holds only for that very object (see `Kept`): an account loaded
    again is worked out again, the others are not. Numbers only ever grow, so a class key means the same
    thing for as long as this lives."""

    policies: ActionPolicies
    signatures: Signatures
    shared: SharedDecisions
    # The kinds of decisions made in a technique's request context (`grants.who_may`), by decision key and
    # what else they read: shared by the accounts whose classes have the same keys.
    kinds: dict[Hashable, str] = field(default_factory=dict)

    @classmethod
    def new(cls, action_lower: str) -> ActionClasses:
        policies = ActionPolicies(action_lower)
        signatures = Signatures(policies)
        return cls(policies, signatures, SharedDecisions(signatures))

    def keep_kind(self, key: Hashable, kind: str) -> None:
        if len(self.kinds) >= MAX_SHARED_DECISIONS:
            self.kinds.clear()
        self.kinds[key] = kind


class PrincipalIndex:
    def __init__(self) -> None:
        self.snapshot = AccountSnapshot()
        self._actions: dict[Hashable, ActionClasses] = {}
        self._alike = ActionsAlike()
        self._rebinds = 0
        # ACCESSGRAPH_ANSWER_CACHE: how many answers to remember (0: none, for measuring the computation).
        self.answers = AnswerCache(max_answers=int(os.environ.get("ACCESSGRAPH_ANSWER_CACHE", "32")))
        self._resources_loaded: tuple[Hashable, bool] | None = None  # (generation key, any resource loaded)
        # Whether every principal's escalation ways in are worked out ahead for each generation (the API's
        # warm-up sets it: `serve --precompute-escalation`).
        self.precompute_escalation = False

    async def generation(self, source: GraphSource) -> Generation:
        return await self.snapshot.generation(source)

    async def accounts(
        self, source: GraphSource, generation: Generation, account_ids: Iterable[str] | None = None
    ) -> Accounts:
        return await self.snapshot.accounts(source, generation, account_ids)

    async def resources_loaded(self, source: GraphSource, generation: Generation) -> bool:
        """Whether the graph holds any loaded resource (#14), read once per generation: an answer about a
        resource that is not loaded says so only then, so graphs without resources answer as before."""
        held = self._resources_loaded
        if held is None or held[0] != generation.key:
            held = self._resources_loaded = (generation.key, bool(await source.account_resources(None)))
        return held[1]

    def view(self, source: GraphSource) -> IndexView:
        return IndexView(source, self)

    def action(self, action_lower: str, revision: int) -> ActionClasses:
        """The action's classes, shared by the questions that read the snapshot's current revision (they live
        on across account loads, see `ActionClasses`); a question that read the entries of an earlier
        revision gets its own. An organization load, which rebinds every account, starts them all anew.
        Actions that no statement of the snapshot tells apart share their classes (alike.py)."""
        if self._rebinds != self.snapshot.rebinds:
            self._actions, self._rebinds = {}, self.snapshot.rebinds
        if revision != self.snapshot.revision:
            return ActionClasses.new(action_lower)
        state = (self.snapshot.revision, self.snapshot.rebinds)

        def entries() -> list[AccountEntry]:
            return self.snapshot.entries

        key = self._alike.key(action_lower, entries, state)
        found = self._actions.get(key)
        # (Made for another action, which a later load may have told apart from this one.)
        if found is None or self._alike.key(found.policies.action, entries, state) != key:
            if len(self._actions) >= _MAX_ACTIONS:
                self._actions.clear()
            found = self._actions[key] = ActionClasses.new(action_lower)
        return found

    async def prepare(self, every: int = 200) -> int:
        """Parse and compile every known identity policy and boundary of the snapshot ahead of the first
        question that needs it, yielding to the event loop every `every` policies, then put every account's
        principals in signature classes for sts:AssumeRole (the action of every whoCanAssume). Returns the
        count of policies."""
        seen: set[int] = set()
        entries = self.snapshot.entries
        for entry in entries:
            for ref in entry.policies.values():
                if ref.loaded and id(ref) not in seen:
                    seen.add(id(ref))
                    compiled(parsed(ref), "identity")
                    if len(seen) % every == 0:
                        await asyncio.sleep(0)
        signatures = self.action(ASSUME_ROLE.lower(), self.snapshot.revision).signatures
        for entry in self.snapshot.entries:
            signatures.classes([entry])
            signatures.classes([entry], everyone_in=entry.account_id)  # (for a trust policy admitting anyone)
            await asyncio.sleep(0)
        freeze()
        return len(seen)


class IndexView:
    """The principal index as one question sees it: as of the generation it read first."""

    def __init__(self, source: GraphSource, index: PrincipalIndex) -> None:
        self.source = source
        self.index = index
        self._generation: Generation | None = None
        self._revision = -1
        self._security: frozenset[SecurityLoadRecord] | None = None

    async def security_loads(self, again: bool = False) -> frozenset[SecurityLoadRecord]:
        """The markers of the loaded credential reports and security snapshots (`GraphSource.security_loads`:
        a security load leaves the generation as it was), as read last, or read `again` (a question reads them
        again when it starts: the escalation graph it asks for then keys on what it read)."""
        if again or self._security is None:
            self._security = frozenset(await self.source.security_loads())
        return self._security

    async def generation(self) -> Generation:
        if self._generation is None:
            self._generation = await self.index.generation(self.source)
        return self._generation

    async def entries(self, account_ids: Iterable[str] | None = None) -> dict[str, AccountEntry]:
        """The entries of the wanted loaded accounts (all loaded accounts when None)."""
        read = await self.index.accounts(self.source, await self.generation(), account_ids)
        self._revision = read.revision
        return read.entries

    def action(self, action_lower: str) -> ActionClasses:
        """The action's classes for the entries this question read last."""
        return self.index.action(action_lower, self._revision)

    async def profiles(self, arns: Iterable[str]) -> dict[str, Profile]:
        arns = list(dict.fromkeys(arns))
        entries = await self.entries({account for arn in arns if (account := arn_account(arn))})
        found: dict[str, Profile] = {}
        for arn in arns:
            entry = entries.get(arn_account(arn) or "")
            if entry is not None and (profile := entry.profiles.get(arn)) is not None:
                found[arn] = profile
        return found

    async def resources_loaded(self) -> bool:
        return await self.index.resources_loaded(self.source, await self.generation())

    async def org_context(self, account_id: str) -> OrgContext:
        await self.generation()
        return (await self.index.snapshot.org_contexts(self.source, [account_id]))[account_id]

    async def role(self, arn: str) -> Role | None:
        await self.generation()
        return await self.index.snapshot.role(self.source, arn)

    async def roles(self, arns: Sequence[str]) -> dict[str, Role]:
        await self.generation()
        return await self.index.snapshot.roles(self.source, arns)

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        return await self.source.trust_targets_of(role_arns) if role_arns else {}

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        return await trust_targets(self.source, role_arn)
