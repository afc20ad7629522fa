"""The GraphQL schema: reachability questions and navigation for the explorer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry
from strawberry.types import Info

from service.api.context import Context
from service.api.types import (
    Access,
    AccessPage,
    ChangeItem,
    Changes,
    ChangesPage,
    CrossAccountTrust,
    CrossAccountTrustPage,
    Decision,
    Entity,
    EscalationTechnique,
    ExternalAccessFinding,
    ExternalAccessPage,
    Finding,
    FindingPage,
    HistoryRow,
    Neighbourhood,
    NodeRef,
    StatsRow,
    UncheckedCheck,
    change_items,
)
from service.audit import CATEGORY_NAMES, AuditSettings, findings, settings_at
from service.errors import QueryError
from service.escalation.catalogue import load_catalogue
from service.history.columns import COUNT_NAMES, AccountCounts
from service.history.counts import account_counts
from service.history.store import RecordedLoad
from service.reachability import model, navigation
from service.reachability.answers import ready
from service.reachability.trusts import CATEGORIES

S = TypeVar("S")
T = TypeVar("T")

# Lucene builds one automaton per word, and refuses one over 1,000 states.
MAX_SEARCH_WORD = 1000


def _within_limit(total: int, limit: int | None, default: int, info: Info[Context, None], too_many: str) -> None:
    """Whole answers up to the limit; past it, `too_many` (formatted with total, cap and maximum) as an
    error. Never cut silently."""
    maximum = info.context.limits.max_result_limit
    cap = default if limit is None else limit
    if not 1 <= cap <= maximum:
        raise QueryError(f"limit must be between 1 and {maximum}")
    if total > cap:
        raise QueryError(too_many.format(total=total, cap=cap, maximum=maximum))


def _bounded(accesses: Sequence[model.Access], limit: int | None, info: Info[Context, None], what: str) -> list[Access]:
    too_many = (
        f"{what} has {{total}} principals, more than limit {{cap}}: pass a larger limit "
        f"(at most {{maximum}}) or page through it with {what}Page"
    )
    _within_limit(len(accesses), limit, info.context.limits.default_result_limit, info, too_many)
    return [Access.of(a) for a in accesses]


def _first_within(first: int, info: Info[Context, None]) -> None:
    if not 1 <= first <= info.context.limits.max_result_limit:
        raise QueryError(f"first must be between 1 and {info.context.limits.max_result_limit}")


@dataclass(frozen=True)
class _Slice(Generic[T]):
    """One page of a listing: what every `...Page` type answers besides its own fields."""

    total_count: int
    items: list[T]
    has_more: bool
    end_cursor: str | None


def _slice(
    found: Sequence[S], first: int, after: str | None, info: Info[Context, None], make: Callable[[S], T]
) -> _Slice[T]:
    """The `first` items after cursor `after` (an offset this API returned), each made by `make`."""
    _first_within(first, info)
    offset = navigation.cursor_offset(after)
    end = min(offset + first, max(len(found), offset))
    more = end < len(found)
    return _Slice(len(found), [make(item) for item in found[offset:end]], more, str(end) if more else None)


async def _trusts(
    info: Info[Context, None], account_id: str | None, outside_organization_only: bool, category: str | None
) -> list[model.TrustFinding]:
    if category is not None and category not in CATEGORIES:
        raise QueryError(f"unknown category {category!r}; choose from {', '.join(CATEGORIES)}")
    findings = await info.context.reachability.cross_account_trusts(
        account_id, outside_organization_only=outside_organization_only
    )
    return [f for f in findings if category is None or category in f.categories]


@dataclass(frozen=True)
class _ChangesQuestion:
    since: str
    account_id: str | None
    access: bool
    exact_access: bool


async def _changes(
    info: Info[Context, None], since: str, account_id: str | None, access: bool, exact_access: bool
) -> tuple[Changes, Sequence[ChangeItem]]:
    """The difference once per graph generation: every page of it reads the same answer, not a new diff."""
    from service.history.diff import changes, changes_json
    from service.reachability.answers import remembered

    async def compute() -> Sequence[tuple[Changes, list[ChangeItem]]]:
        found = Changes.of(changes_json(
            await changes(info.context.reader, since, account_id, access=access, exact_access=exact_access)
        ))
        return [(found, change_items(found))]

    reachability = info.context.reachability
    key = (await reachability.view.generation()).key
    question = _ChangesQuestion(since, account_id, access, exact_access)
    (found, items), = await remembered(reachability.index.answers, key, question, compute)
    return found, items


def _page(accesses: Sequence[model.Access], first: int, after: str | None, info: Info[Context, None]) -> AccessPage:
    page = _slice(accesses, first, after, info, Access.of)
    return AccessPage(
        total_count=page.total_count, items=page.items, has_more=page.has_more, end_cursor=page.end_cursor
    )


ResourceAccount = Annotated[
    str | None,
    strawberry.argument(
        description="The resource's account when its ARN names none (an S3 bucket). Without it, such a "
        "resource is taken to be in each caller's own account"
    ),
]

Escalation = Annotated[
    bool,
    strawberry.argument(
        description="Also those that get there by a privilege-escalation technique (docs/escalation.md): "
        "maxHops then counts steps of every kind, and an escalation step has kind escalates and its technique"
    ),
]


def history_row(load: RecordedLoad) -> HistoryRow:
    c = load.counts
    return HistoryRow(
        time=load.time, load_id=load.id, unit=load.unit, unit_id=load.unit_id, source=load.source, commit=load.commit,
        principals=c["principals"], users=c["users"], roles=c["roles"], groups=c["groups"], policies=c["policies"],
        trust_statements=c["trustStatements"], cross_account_trusts=c["crossAccountTrusts"], accounts=c["accounts"],
        organizational_units=c["organizationalUnits"], **{name: load.derived.get(name) for name in COUNT_NAMES},
    )


def stats_row(load: RecordedLoad, counts: AccountCounts) -> StatsRow:
    c = load.counts
    return StatsRow(
        account_id=load.unit_id, time=load.time, load_id=load.id, principals=c["principals"], users=c["users"],
        roles=c["roles"], groups=c["groups"], policies=c["policies"],
        **{f.name: getattr(counts, f.name) for f in dataclasses.fields(counts)},
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="Every principal that can assume the role; maxHops > 1 follows role chains. With escalation, "
        "also those that get there by a privilege-escalation technique (maxHops then counts steps of every kind)"
    )
    async def who_can_assume(
        self,
        info: Info[Context, None],
        role_arn: str,
        max_hops: int | None = 1,
        limit: int | None = None,
        escalation: bool = False,
    ) -> list[Access]:
        answers = await info.context.reachability.who_can_assume(
            role_arn, 1 if max_hops is None else max_hops, escalation
        )
        cap = info.context.limits.default_result_limit if limit is None else limit
        if len(answers) <= cap:  # (past it, `_bounded` says so; nothing to make)
            await ready(answers, 0, len(answers))
        return _bounded(answers, limit, info, "whoCanAssume")

    @strawberry.field(description="whoCanAssume a page at a time, with the total count")
    async def who_can_assume_page(
        self,
        info: Info[Context, None],
        role_arn: str,
        max_hops: int | None = 1,
        first: int = 100,
        after: str | None = None,
        escalation: bool = False,
    ) -> AccessPage:
        answers = await info.context.reachability.who_can_assume(
            role_arn, 1 if max_hops is None else max_hops, escalation
        )
        offset = navigation.cursor_offset(after)
        await ready(answers, offset, offset + max(0, min(first, info.context.limits.max_result_limit)))
        return _page(answers, first, after, info)

    @strawberry.field(
        description="Every principal whose effective permissions allow the action on the resource; "
        "maxHops >= 1 adds those that reach such a principal by assuming roles"
    )
    async def who_can(
        self,
        info: Info[Context, None],
        action: str,
        resource: str,
        max_hops: int | None = 0,
        limit: int | None = None,
        resource_account: ResourceAccount = None,
        escalation: Escalation = False,
    ) -> list[Access]:
        return _bounded(
            await info.context.reachability.who_can(
                action, resource, 0 if max_hops is None else max_hops, resource_account, escalation
            ),
            limit,
            info,
            "whoCan",
        )

    @strawberry.field(description="whoCan a page at a time, with the total count")
    async def who_can_page(
        self,
        info: Info[Context, None],
        action: str,
        resource: str,
        max_hops: int | None = 0,
        first: int = 100,
        after: str | None = None,
        resource_account: ResourceAccount = None,
        escalation: Escalation = False,
    ) -> AccessPage:
        return _page(
            await info.context.reachability.who_can(
                action, resource, 0 if max_hops is None else max_hops, resource_account, escalation
            ),
            first,
            after,
            info,
        )

    @strawberry.field(
        description="Everything the principal can become (roles, users), join (groups) or gain (policies) by "
        "assuming roles and privilege-escalation techniques, with paths; principal is what is reached"
    )
    async def escalations(
        self, info: Info[Context, None], principal_arn: str, max_hops: int | None = 3, limit: int | None = None
    ) -> list[Access]:
        answers = await info.context.reachability.escalations(principal_arn, 3 if max_hops is None else max_hops)
        return _bounded(answers, limit, info, "escalations")

    @strawberry.field(description="escalations a page at a time, with the total count")
    async def escalations_page(
        self,
        info: Info[Context, None],
        principal_arn: str,
        max_hops: int | None = 3,
        first: int = 100,
        after: str | None = None,
    ) -> AccessPage:
        answers = await info.context.reachability.escalations(principal_arn, 3 if max_hops is None else max_hops)
        return _page(answers, first, after, info)

    @strawberry.field(
        description="The administrators of their account (allowed every action on every resource: "
        "docs/escalation-questions.md) and, with escalation, those that can become one, with paths"
    )
    async def admins(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        escalation: bool = True,
        max_hops: int | None = 3,
        limit: int | None = None,
    ) -> list[Access]:
        answers = await info.context.reachability.admins(account_id, escalation, 3 if max_hops is None else max_hops)
        return _bounded(answers, limit, info, "admins")

    @strawberry.field(description="admins a page at a time, with the total count")
    async def admins_page(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        escalation: bool = True,
        max_hops: int | None = 3,
        first: int = 100,
        after: str | None = None,
    ) -> AccessPage:
        answers = await info.context.reachability.admins(account_id, escalation, 3 if max_hops is None else max_hops)
        return _page(answers, first, after, info)

    @strawberry.field(description="The catalogue's privilege-escalation techniques (or the one with this id): the id "
                      "an escalates step names, with its title")
    def escalation_techniques(self, id: str | None = None) -> list[EscalationTechnique]:
        return [
            EscalationTechnique(id=t.id, title=t.title, notes=t.notes, decided_by=t.decided_by.value)
            for t in load_catalogue().techniques
            if id is None or t.id == id
        ]

    @strawberry.field(description="One decision, with the statements that made it")
    async def access(
        self,
        info: Info[Context, None],
        principal_arn: str,
        action: str,
        resource: str,
        resource_account: ResourceAccount = None,
    ) -> Decision:
        _, decision, _ = await info.context.reachability.access(principal_arn, action, resource, resource_account)
        return Decision.of(decision)

    @strawberry.field(
        description="Roles trusting principals outside their account, with who, on which conditions, "
        "and whether that account is loaded or in the organization"
    )
    async def cross_account_trusts(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        outside_organization_only: bool = False,
        category: str | None = None,
        limit: int | None = None,
    ) -> list[CrossAccountTrust]:
        findings = await _trusts(info, account_id, outside_organization_only, category)
        too_many = (
            "crossAccountTrusts has {total} findings, more than limit {cap}: "
            "narrow it (accountId, category) or page through it with crossAccountTrustsPage"
        )
        _within_limit(len(findings), limit, info.context.limits.max_result_limit, info, too_many)
        return [CrossAccountTrust.of(f) for f in findings]

    @strawberry.field(description="crossAccountTrusts a page at a time, with the total count")
    async def cross_account_trusts_page(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        outside_organization_only: bool = False,
        category: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> CrossAccountTrustPage:
        findings = await _trusts(info, account_id, outside_organization_only, category)
        page = _slice(findings, first, after, info, CrossAccountTrust.of)
        return CrossAccountTrustPage(
            total_count=page.total_count, items=page.items, has_more=page.has_more, end_cursor=page.end_cursor
        )

    @strawberry.field(
        description="Loaded resources and roles granting principals outside their account (#14), a page at a "
        "time: who, which actions, the conditions, and categories (outside-account, outside-organization, "
        "public, service-without-source-condition)"
    )
    async def external_access(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        category: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> ExternalAccessPage:
        found = await info.context.reachability.external_access(account_id, category)
        page = _slice(found, first, after, info, ExternalAccessFinding.of)
        return ExternalAccessPage(
            total_count=page.total_count, items=page.items, has_more=page.has_more, end_cursor=page.end_cursor
        )

    @strawberry.field(
        description="The audit (#16): where the loaded accounts depart from the tutorial's best practices, most "
        "severe first, each with its evidence and CIS AWS Foundations Benchmark v3.0.0 control; `unchecked` lists "
        "the checks the loaded data could not decide"
    )
    async def findings(
        self,
        info: Info[Context, None],
        account_id: str | None = None,
        category: str | None = None,
        first: int = 100,
        after: str | None = None,
        max_key_age: Annotated[int, strawberry.argument(description="Days before an access key is old")] = 90,
        max_unused: Annotated[int, strawberry.argument(description="Days without use that count as unused")] = 90,
        as_of: Annotated[
            str | None,
            strawberry.argument(description="Measure ages from this ISO 8601 time instead of now (reproducible runs)"),
        ] = None,
    ) -> FindingPage:
        if category is not None and category not in CATEGORY_NAMES:
            raise QueryError(f"unknown category {category!r}; choose from {', '.join(CATEGORY_NAMES)}")
        settings: AuditSettings = settings_at(as_of, max_key_age, max_unused)
        reader = info.context.reader
        audit = (await findings(info.context.reachability, reader, account_id, settings)).only(category)
        page = _slice(audit.findings, first, after, info, Finding.of)
        return FindingPage(
            total_count=page.total_count,
            items=page.items,
            has_more=page.has_more,
            end_cursor=page.end_cursor,
            unchecked=[UncheckedCheck(category=u.category, account_id=u.account_id, reason=u.reason)
                       for u in audit.unchecked],
        )

    @strawberry.field(description="Any entity by ARN (an account by id or root ARN; an external principal by key)")
    async def entity(self, info: Info[Context, None], arn: str) -> Entity | None:
        view = await info.context.entities.load(navigation.entity_key(arn))
        return Entity.of(view) if view is not None else None

    @strawberry.field(description="Full-text search over names, ARNs and ids; each word matches as a prefix")
    async def search(self, info: Info[Context, None], text: str, first: int = 20) -> list[NodeRef]:
        if any(len(word) > MAX_SEARCH_WORD for word in text.split()):
            raise QueryError(f"search words are at most {MAX_SEARCH_WORD} characters long; shorten the longest")
        return [NodeRef.of(ref) for ref in await navigation.search(info.context.reader, text, first)]

    @strawberry.field(description="An entity's relationships, a page at a time")
    async def neighbours(
        self, info: Info[Context, None], arn: str, first: int = 50, after: str | None = None
    ) -> Neighbourhood:
        view = await navigation.neighbours(info.context.reader, arn, first, after)
        if view is None:
            raise QueryError(f"no entity {arn!r} in the graph")
        return Neighbourhood.of(view)

    # --- history (#17) ---------------------------------------------------------------------------------------

    @strawberry.field(
        description="What changed since a load (its id) or a time (ISO 8601): entities, policy documents and "
        "trust statements, memberships, attachments, and who gained or lost each role (up to 2 hops) and who "
        "became or stopped being an admin, read from the access records the load runs made (`accessMethod`); "
        "with `exactAccess: true` decided again in both worlds, with conditions (hours at 100k principals); "
        "with `access: false` not those two (docs/history.md)"
    )
    async def changes(
        self, info: Info[Context, None], since: str, account_id: str | None = None, access: bool = True,
        exact_access: bool = False,
    ) -> Changes:
        from service.history.diff import changes, changes_json

        return Changes.of(changes_json(
            await changes(info.context.reader, since, account_id, access=access, exact_access=exact_access)
        ))

    @strawberry.field(
        description="`changes` a page at a time (at 100k principals a reload's difference has thousands of "
        "rows): `first` changes after cursor `after`, in the order of `changes`' sections, with the total"
    )
    async def changes_page(
        self, info: Info[Context, None], since: str, account_id: str | None = None, first: int = 100,
        after: str | None = None, access: bool = True, exact_access: bool = False,
    ) -> ChangesPage:
        found, items = await _changes(info, since, account_id, access, exact_access)
        page = _slice(items, first, after, info, lambda item: item)
        return ChangesPage(
            since=found.since, loads=found.loads, access_compared=found.access_compared,
            access_method=found.access_method,
            total_count=page.total_count, items=page.items, has_more=page.has_more, end_cursor=page.end_cursor,
        )

    @strawberry.field(description="Each recorded load with its counts, newest first: rows to chart over `time`")
    async def history(
        self, info: Info[Context, None], account_id: str | None = None, first: int = 30
    ) -> list[HistoryRow]:
        from service.history.store import HistoryStore

        _first_within(first, info)
        loads = await HistoryStore(info.context.reader).loads(account_id, first)
        return [history_row(load) for load in loads]

    @strawberry.field(description="Each loaded account now (or one): counts and trust findings by category")
    async def stats(self, info: Info[Context, None], account_id: str | None = None) -> list[StatsRow]:
        from service.history.store import HistoryStore

        latest = [
            load for load in await HistoryStore(info.context.reader).latest(None)
            if load.unit == "account" and account_id in (None, load.unit_id)
        ]
        accounts = [load.unit_id for load in latest]
        counts = await account_counts(info.context.reachability, info.context.reader, accounts)
        return [stats_row(load, counts[load.unit_id]) for load in latest]
