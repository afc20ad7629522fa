"""The product's questions, for one request. The graph narrows the candidates; the evaluator decides.

who_can_assume(role)        principals that can assume a role (and, with max_hops > 1, reach one that can)
who_can(action, resource)   principals whose effective permissions allow the action on the resource
access(principal, ...)      one decision with its explanation
cross_account_trusts()      trust statements that reach outside a role's account or organization
external_access()           loaded resources and roles that grant principals outside their account
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from service.database.records import SecurityLoadRecord
from service.database.source import GraphSource
from service.errors import QueryError
from service.reachability import access as access_question
from service.reachability import who_can as who_can_question
from service.reachability.access import AccessDecision
from service.reachability.answers import remembered
from service.reachability.escalation import questions as escalation_questions
from service.reachability.external_access import external_access
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access, ExternalFinding, TrustFinding
from service.reachability.snapshot import LoadIds
from service.reachability.trusts import cross_account_trusts
from service.reachability.who_can_assume import Assumers

MAX_HOPS = 5


# An escalation answer reads the loaded credential data too (#13's credential techniques), whose loads leave
# the generation as it was: its key holds their markers (`Reachability._credentials`).
Credentials = frozenset[SecurityLoadRecord]


@dataclass(frozen=True)
class WhoCanAssume:
    role_arn: str
    max_hops: int
    escalation: bool = False
    credentials: Credentials = frozenset()


@dataclass(frozen=True)
class WhoCan:
    action_lower: str
    resource: str
    max_hops: int
    resource_account: str | None
    escalation: bool = False
    credentials: Credentials = frozenset()


@dataclass(frozen=True)
class Escalations:
    principal_arn: str
    max_hops: int
    credentials: Credentials


@dataclass(frozen=True)
class Admins:
    account_id: str | None
    escalation: bool
    max_hops: int
    credentials: Credentials


@dataclass(frozen=True)
class ExternalAccess:
    account_id: str | None
    category: str | None


@dataclass(frozen=True)
class TrustReview:
    account_id: str | None
    outside_organization_only: bool


class Reachability:
    """Answers for one request, from the process-wide principal index (a fresh one when none is given)."""

    def __init__(self, source: GraphSource, index: PrincipalIndex | None = None) -> None:
        self.source = source
        self.index = index or PrincipalIndex()
        self.view = self.index.view(source)
        self.assumers = Assumers(self.view)

    async def who_can_assume(self, role_arn: str, max_hops: int = 1, escalation: bool = False) -> Sequence[Access]:
        """With `escalation`, also those that get there by a technique of the catalogue (each step of any
        kind counts as a hop); without it, exactly the answer without escalation."""
        _check_hops(max_hops, minimum=1)
        if escalation:
            generation, credentials = await self._generation_and_credentials()
            return await remembered(
                self.index.answers,
                generation,
                WhoCanAssume(role_arn, max_hops, escalation=True, credentials=credentials),
                lambda: escalation_questions.who_can_assume(self.index, self.assumers, role_arn, max_hops),
            )
        return await remembered(
            self.index.answers,
            (await self.view.generation()).key,
            WhoCanAssume(role_arn, max_hops),
            lambda: self.assumers.who_can_assume(role_arn, max_hops),
        )

    async def who_can(
        self,
        action: str,
        resource: str,
        max_hops: int = 0,
        resource_account: str | None = None,
        escalation: bool = False,
    ) -> Sequence[Access]:
        _check_hops(max_hops, minimum=0)
        _check_action(action)
        if escalation:
            generation, credentials = await self._generation_and_credentials()
            return await remembered(
                self.index.answers,
                generation,
                WhoCan(action.lower(), resource, max_hops, resource_account, True, credentials),
                lambda: escalation_questions.who_can(
                    self.index, self.assumers, action, resource, max_hops, resource_account
                ),
            )
        return await remembered(
            self.index.answers,
            (await self.view.generation()).key,
            WhoCan(action.lower(), resource, max_hops, resource_account),
            lambda: who_can_question.who_can(self.assumers, action, resource, max_hops, resource_account),
        )

    async def access(
        self, principal_arn: str, action: str, resource: str, resource_account: str | None = None
    ) -> AccessDecision:
        _check_action(action)
        return await access_question.access(self.assumers, principal_arn, action, resource, resource_account)

    async def admins(
        self, account_id: str | None = None, escalation: bool = True, max_hops: int = 3
    ) -> Sequence[Access]:
        """The principals that are administrators of their account (see service/reachability/admins.py for
        the definition) and, with `escalation`, those that can become one within `max_hops` steps."""
        _check_hops(max_hops, minimum=1)
        if account_id is not None and not (len(account_id) == 12 and account_id.isdigit()):
            raise QueryError(f"accountId must be a 12-digit account id, not {account_id!r}")
        if escalation:
            generation, credentials = await self._generation_and_credentials()
        else:
            generation, credentials = (await self.view.generation()).key, frozenset()
        return await remembered(
            self.index.answers,
            generation,
            Admins(account_id, escalation, max_hops, credentials),
            lambda: self._admins(account_id, escalation, max_hops),
        )

    async def _generation_and_credentials(self) -> tuple[LoadIds, Credentials]:
        """The generation's key and the security load markers, read again, at once (two reads of about 20 ms
        each at 100k principals, every question with escalation)."""
        generation, credentials = await asyncio.gather(self.view.generation(), self.view.security_loads(again=True))
        return generation.key, credentials

    async def _admins(self, account_id: str | None, escalation: bool, max_hops: int) -> Sequence[Access]:
        return await escalation_questions.admins(self.index, self.assumers, account_id, escalation, max_hops)

    async def escalations(self, principal_arn: str, max_hops: int = 3) -> Sequence[Access]:
        """Everything the principal can become (roles, users), join (groups) or gain (policies) within
        `max_hops` steps of any kind, each with its shortest path: `principal` is what is reached."""
        _check_hops(max_hops, minimum=1)
        generation, credentials = await self._generation_and_credentials()
        return await remembered(
            self.index.answers,
            generation,
            Escalations(principal_arn, max_hops, credentials),
            lambda: escalation_questions.escalations(self.index, self.assumers, principal_arn, max_hops),
        )

    async def cross_account_trusts(
        self, account_id: str | None = None, *, outside_organization_only: bool = False
    ) -> Sequence[TrustFinding]:
        """The trust review, remembered per generation like whoCan: its pages are read from Neo4j once."""
        return await remembered(
            self.index.answers,
            (await self.view.generation()).key,
            TrustReview(account_id, outside_organization_only),
            lambda: cross_account_trusts(
                self.source, account_id=account_id, outside_organization_only=outside_organization_only
            ),
        )

    async def external_access(
        self, account_id: str | None = None, category: str | None = None
    ) -> Sequence[ExternalFinding]:
        """The external access review, remembered per generation like the trust review."""
        return await remembered(
            self.index.answers,
            (await self.view.generation()).key,
            ExternalAccess(account_id, category),
            lambda: external_access(self.source, account_id=account_id, category=category),
        )


def _check_hops(max_hops: int, *, minimum: int) -> None:
    if not minimum <= max_hops <= MAX_HOPS:
        raise QueryError(f"maxHops must be between {minimum} and {MAX_HOPS}, not {max_hops}")


def _check_action(action: str) -> None:
    service, _, name = action.partition(":")
    if not service or not name or any(c.isspace() for c in action):
        raise QueryError(f"{action!r} is not an action; write service:Action, such as s3:GetObject")
