"""What the audit answers: findings, the checks it could not run, and the settings it ran with. Plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.audit.catalogue import CATEGORIES, SEVERITIES, Category, Severity
from service.errors import QueryError

Evidence = str | int | bool | None
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_CATEGORY_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}
DEFAULT_DAYS = 90


@dataclass(frozen=True, slots=True)
class Subject:
    """What a finding is about: a user, a role, the root user, a policy, or an account (`arn` its id)."""

    arn: str
    kind: str  # user, role, root, policy, account


@dataclass(frozen=True, slots=True)
class Finding:
    category: str
    account_id: str
    subject: Subject
    evidence: tuple[tuple[str, Evidence], ...]

    @property
    def about(self) -> Category:
        return CATEGORIES[self.category]

    @property
    def severity(self) -> Severity:
        return self.about.severity

    @property
    def recommendation(self) -> str:
        return self.about.recommendation

    @property
    def cis(self) -> str:
        return self.about.cis

    @property
    def evidence_map(self) -> dict[str, Evidence]:
        return dict(self.evidence)

    def as_json(self) -> dict[str, object]:
        """The shape `accessgraph audit --format json` prints and the GraphQL `Finding` answers."""
        about = CATEGORIES[self.category]  # once: an organization's audit makes this for 100k findings
        return {
            "category": self.category,
            "severity": about.severity,
            "accountId": self.account_id,
            "entity": {"arn": self.subject.arn, "kind": self.subject.kind},
            "evidence": dict(self.evidence),
            "recommendation": about.recommendation,
            "cis": about.cis,
        }

    @property
    def order(self) -> tuple[int, int, str, str]:
        """Most severe first, then by category, account and entity (a stable sort keeps one entity's findings
        of a category, two keys of a user, in the order the checks made them)."""
        about = CATEGORIES[self.category]
        return _SEVERITY_RANK[about.severity], _CATEGORY_RANK[self.category], self.account_id, self.subject.arn


def finding(category: str, account_id: str, subject: Subject, evidence: Mapping[str, Evidence]) -> Finding:
    if category not in CATEGORIES:
        raise ValueError(f"unknown audit category {category!r}")
    return Finding(category, account_id, subject, tuple(evidence.items()))


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A check that could not run for an account (or some of its entities), and why: never a pass."""

    category: str
    account_id: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"category": self.category, "accountId": self.account_id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The windows of the age checks, in days, and the time they are measured from."""

    now: datetime
    max_key_age: int = DEFAULT_DAYS
    max_unused: int = DEFAULT_DAYS

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("the audit's clock must give an aware time (UTC)")
        for name in ("max_key_age", "max_unused"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1 day, not {getattr(self, name)}")


def utc_now() -> datetime:
    return datetime.now(UTC)


def settings_at(as_of: str | None, max_key_age: int = DEFAULT_DAYS, max_unused: int = DEFAULT_DAYS) -> AuditSettings:
    """The settings of one run: ages measured from `as_of` (ISO 8601; a naive time is UTC), else from now
    truncated to the minute, so the pages of one listing (and runs within a minute) share one audit.

    Raises:
        QueryError: `as_of` is not a time, or a window is under a day.
    """
    if as_of is None:
        now = utc_now().replace(second=0, microsecond=0)
    else:
        try:
            now = datetime.fromisoformat(as_of)
        except ValueError:
            raise QueryError(f"as-of must be an ISO 8601 time such as 2026-12-01T00:00:00Z, not {as_of!r}") from None
        now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    try:
        return AuditSettings(now=now, max_key_age=max_key_age, max_unused=max_unused)
    except ValueError as exc:
        raise QueryError(str(exc)) from None


@dataclass(frozen=True, slots=True, repr=False)
class Audit:
    """Every finding (most severe first) and every check that could not run."""

    findings: tuple[Finding, ...]
    unchecked: tuple[Unchecked, ...] = field(default=())

    def __repr__(self) -> str:
        # asyncio.run reprs the result of its task (reprlib cuts the text only after making all of it): an
        # organization's findings would take seconds.
        return f"Audit({len(self.findings)} findings, {len(self.unchecked)} unchecked)"

    def only(self, category: str | None) -> Audit:
        if category is None:
            return self
        return Audit(
            tuple(f for f in self.findings if f.category == category),
            tuple(u for u in self.unchecked if u.category == category),
        )
