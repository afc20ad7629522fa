"""The checks: pure functions from one account's facts to its findings and the checks that could not run.

A check runs only on the data that decides it. When the data nobody loaded would decide it (no credential
report, no security snapshot, no admin definition), the check is listed as unchecked with the reason,
never passed: a dashboard counting findings and a CI job gating on them must see the difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.audit.admin import AdminPolicy
from service.audit.catalogue import CIS_MINIMUM_PASSWORD_LENGTH, CIS_PASSWORD_REUSE_PREVENTION
from service.audit.model import Audit, AuditSettings, Evidence, Finding, Subject, Unchecked, finding
from service.database.records import (
    AccessKeyRecord,
    AccountSecurityRecord,
    RoleUsageRecord,
    UserCredentialRecord,
)
from service.errors import QueryError

NO_REPORT = "no credential report loaded for account {account} (accessgraph collect --security, then load)"
NO_SNAPSHOT = "no security snapshot loaded for account {account} (accessgraph collect --security, then load)"
NO_SECURITY = "neither a credential report nor a security snapshot is loaded for account {account}"


@dataclass(frozen=True, slots=True)
class UserFacts:
    """A user as the graph holds it (GAAD): the policies attached to it directly (managed and inline)."""

    arn: str
    name: str
    direct_policies: tuple[str, ...]


@dataclass(frozen=True)
class AccountFacts:
    """Everything the checks read of one account. `admins` maps each administrator among the users the
    credential data does not show with MFA to why (None: no admin definition could be applied)."""

    account_id: str
    security: AccountSecurityRecord | None
    users: Sequence[UserFacts] = ()
    roles: Sequence[RoleUsageRecord] = ()  # GAAD's CreateDate and RoleLastUsed
    admins: Mapping[str, str] | None = None
    admin_policies: Sequence[AdminPolicy] = ()
    not_collected: Mapping[str, str] = field(default_factory=dict)  # snapshot part → why AWS refused it


# The snapshot parts (loaders/security.py PARTS) each check needs, when it reads the snapshot.
_NEEDS: dict[str, tuple[str, ...]] = {
    "PasswordPolicy": ("password-policy-missing", "password-policy-weak"),
    "Trails": ("no-multi-region-trail", "trail-not-logging"),
    "ConfigRecorders": ("config-not-recording",),
    "AccessKeys": ("access-key-not-rotated", "access-key-unused", "two-active-access-keys"),
    "MfaDevices": ("admin-without-mfa",),
    "AccountSummary": ("root-access-key", "root-without-mfa"),
}


@dataclass
class _Run:
    facts: AccountFacts
    settings: AuditSettings
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)

    @property
    def account(self) -> str:
        return self.facts.account_id

    def found(self, category: str, subject: Subject, **evidence: Evidence) -> None:
        self.findings.append(finding(category, self.account, subject, evidence))

    def cannot(self, category: str, reason: str) -> None:
        self.unchecked.append(Unchecked(category, self.account, reason.format(account=self.account)))

    def age_days(self, when: str | None, entity: str, name: str) -> int | None:
        moment = parse_time(when, entity, name)
        return None if moment is None else (self.settings.now - moment).days


def parse_time(text: str | None, entity: str, name: str) -> datetime | None:
    """An ISO 8601 time as AWS writes it (`Z` or an offset; a naive one is UTC), or None for None."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{entity}: field {name!r} is not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def audit_account(facts: AccountFacts, settings: AuditSettings) -> Audit:
    run = _Run(facts, settings)
    security = facts.security
    has_report = security is not None and security.report_time is not None
    has_snapshot = security is not None and security.snapshot_loaded
    users = [u for u in security.users if not u.is_root] if security is not None else []
    root = next((u for u in security.users if u.is_root), None) if security is not None else None

    _root_checks(run, security, root, has_report)
    if has_report:
        _report_checks(run, users)
    else:
        for category in ("user-console-without-mfa", "credentials-unused"):
            run.cannot(category, NO_REPORT)
    if has_report or has_snapshot:
        _key_checks(run, users)
    else:
        for category in ("access-key-not-rotated", "access-key-unused", "two-active-access-keys"):
            run.cannot(category, NO_SECURITY)
    _admin_without_mfa(run, users, has_report or has_snapshot)
    if security is not None and has_snapshot:
        _password_policy(run, security.password_policy)
        _trails_and_recorders(run, security)
    else:
        for category in ("password-policy-missing", "password-policy-weak", "no-multi-region-trail",
                         "trail-not-logging", "config-not-recording"):
            run.cannot(category, NO_SNAPSHOT)
    _graph_checks(run)
    _refused(run, has_report)
    return Audit(tuple(run.findings), tuple(run.unchecked))


def _refused(run: _Run, has_report: bool) -> None:
    """A snapshot part AWS refused to the collector decides nothing: the checks reading it are unchecked (the
    credential report, when loaded, still decides the root user's and the users' keys and MFA)."""
    for part, reason in sorted(run.facts.not_collected.items()):
        if has_report and part in ("AccessKeys", "MfaDevices", "AccountSummary"):
            continue
        categories = _NEEDS.get(part, ())
        run.findings = [f for f in run.findings if f.category not in categories]
        decided = {u.category for u in run.unchecked}
        for category in categories:
            if category not in decided:
                run.cannot(category, f"the security snapshot of account {{account}} lacks {part}: {reason}")


def _root_checks(
    run: _Run, security: AccountSecurityRecord | None, root: UserCredentialRecord | None, has_report: bool
) -> None:
    summary = security.summary if security is not None and security.snapshot_loaded else {}
    subject = Subject(f"arn:aws:iam::{run.account}:root", "root")
    keys = [k for k in root.access_keys if k.active] if root is not None and has_report else None
    if keys:
        for key in keys:
            run.found("root-access-key", subject, **_key_evidence(key))
    elif keys is None and "AccountAccessKeysPresent" in summary:
        if summary["AccountAccessKeysPresent"]:
            run.found("root-access-key", subject, AccountAccessKeysPresent=summary["AccountAccessKeysPresent"])
    elif keys is None:
        run.cannot("root-access-key", NO_SECURITY)

    mfa = root.mfa_active if root is not None and has_report else None
    if mfa is None and "AccountMFAEnabled" in summary:
        mfa = bool(summary["AccountMFAEnabled"])
    if mfa is None:
        run.cannot("root-without-mfa", NO_SECURITY)
    elif not mfa:
        run.found("root-without-mfa", subject, mfa_active=False)

    if root is None or not has_report:
        run.cannot("root-used-recently", NO_REPORT)
        return
    uses = {"password_last_used": root.password_last_used}
    uses |= {f"access_key_{k.slot or k.access_key_id}_last_used_date": k.last_used for k in root.access_keys}
    recent = {name: when for name, when in uses.items() if _within(run, when, root.arn, name, run.settings.max_unused)}
    if recent:
        run.found("root-used-recently", subject, **recent, window_days=run.settings.max_unused)


def _report_checks(run: _Run, users: Sequence[UserCredentialRecord]) -> None:
    window = run.settings.max_unused
    unknown_mfa = 0
    for user in users:
        subject = Subject(user.arn, "user")
        if user.password_enabled and user.mfa_active is None:
            unknown_mfa += 1
        elif user.password_enabled and not user.mfa_active:
            run.found("user-console-without-mfa", subject, password_enabled=True, mfa_active=False,
                      password_last_used=user.password_last_used)
        if not user.password_enabled:
            continue
        if _within(run, user.password_last_used, user.arn, "password_last_used", window):
            continue
        since = user.password_last_changed or user.created
        age = run.age_days(since, user.arn, "password_last_changed")
        if age is not None and age >= window:
            run.found("credentials-unused", subject, password_enabled=True,
                      password_last_used=user.password_last_used, password_last_changed=since, window_days=window)
    if unknown_mfa:
        run.cannot("user-console-without-mfa", f"{unknown_mfa} user(s) of account {{account}}: MFA not known")


def _key_checks(run: _Run, users: Sequence[UserCredentialRecord]) -> None:
    settings = run.settings
    undated = 0
    for user in users:
        subject = Subject(user.arn, "user")
        active = [key for key in user.access_keys if key.active]
        if len(active) > 1:
            run.found("two-active-access-keys", subject, active_keys=len(active),
                      access_keys=", ".join(_key_name(key) for key in active))
        for key in active:
            age = run.age_days(key.created, user.arn, f"{_key_name(key)} created")
            if age is None:
                undated += 1
                continue
            if age >= settings.max_key_age:
                run.found("access-key-not-rotated", subject, **_key_evidence(key), age_days=age,
                          max_key_age_days=settings.max_key_age)
            name = f"{_key_name(key)} last used"
            if age >= settings.max_unused and not _within(run, key.last_used, user.arn, name, settings.max_unused):
                run.found("access-key-unused", subject, **_key_evidence(key), window_days=settings.max_unused)
    if undated:
        for category in ("access-key-not-rotated", "access-key-unused"):
            run.cannot(category, f"{undated} active access key(s) of account {{account}} with no creation date")


def _admin_without_mfa(run: _Run, users: Sequence[UserCredentialRecord], has_credentials: bool) -> None:
    admins = run.facts.admins
    if admins is None:
        run.cannot("admin-without-mfa", "no admin definition could be applied to account {account}")
        return
    if not has_credentials:
        if run.facts.users:
            run.cannot("admin-without-mfa", NO_SECURITY)
        return
    by_arn = {user.arn: user for user in users}
    unknown = 0
    for arn, why in admins.items():
        user = by_arn.get(arn)
        if user is None:
            unknown += arn.split(":", 5)[-1].startswith("user/")
        elif user.mfa_active is None:
            unknown += 1
        elif not user.mfa_active:
            run.found("admin-without-mfa", Subject(arn, "user"), mfa_active=False, admin_because=why,
                      password_enabled=user.password_enabled)
    if unknown:
        run.cannot("admin-without-mfa", f"{unknown} admin user(s) of account {{account}}: MFA not known")


def _password_policy(run: _Run, policy: Mapping[str, object] | None) -> None:
    subject = Subject(run.account, "account")
    if policy is None:
        run.found("password-policy-missing", subject, PasswordPolicy=None)
        return
    weak: dict[str, Evidence] = {}
    length = policy.get("MinimumPasswordLength")
    if not isinstance(length, int) or length < CIS_MINIMUM_PASSWORD_LENGTH:
        weak |= {"MinimumPasswordLength": _scalar(length), "required_length": CIS_MINIMUM_PASSWORD_LENGTH}
    reuse = policy.get("PasswordReusePrevention")
    if not isinstance(reuse, int) or reuse < CIS_PASSWORD_REUSE_PREVENTION:
        weak |= {"PasswordReusePrevention": _scalar(reuse), "required_reuse": CIS_PASSWORD_REUSE_PREVENTION}
    if weak:
        run.found("password-policy-weak", subject, **weak)


def _trails_and_recorders(run: _Run, security: AccountSecurityRecord) -> None:
    account = Subject(run.account, "account")
    complete = [t for t in security.trails if t.multi_region and t.logging and t.management_events]
    if not complete:
        multi = [t.name for t in security.trails if t.multi_region]
        run.found("no-multi-region-trail", account, trails=len(security.trails),
                  multi_region_trails=", ".join(multi) or None)
    for trail in security.trails:
        if not trail.logging:
            arn = f"arn:aws:cloudtrail:{trail.home_region or '*'}:{run.account}:trail/{trail.name}"
            run.found("trail-not-logging", Subject(arn, "trail"), name=trail.name, IsLogging=False,
                      IsMultiRegionTrail=trail.multi_region)
    if not any(r.recording and r.all_supported for r in security.recorders):
        run.found("config-not-recording", account, recorders=len(security.recorders),
                  recording=", ".join(r.name for r in security.recorders if r.recording) or None)


def _graph_checks(run: _Run) -> None:
    facts, settings = run.facts, run.settings
    for user in facts.users:
        if user.direct_policies:
            run.found("user-with-direct-policies", Subject(user.arn, "user"), policies=", ".join(user.direct_policies),
                      count=len(user.direct_policies))
    for role in facts.roles:
        if role.is_service_linked:
            continue
        if _within(run, role.last_used, role.arn, "RoleLastUsed.LastUsedDate", settings.max_unused):
            continue
        age = run.age_days(role.created, role.arn, "CreateDate")
        if age is None or age >= settings.max_unused:
            run.found("unused-role", Subject(role.arn, "role"), last_used=role.last_used, created=role.created,
                      window_days=settings.max_unused)
    for policy in facts.admin_policies:
        run.found("admin-policy-customer", Subject(policy.arn, "policy"), name=policy.name, kind=policy.kind,
                  statement=policy.statement, conditional=policy.conditional, holders=len(policy.holders))


def _within(run: _Run, when: str | None, entity: str, name: str, days: int) -> bool:
    age = run.age_days(when, entity, name)
    return age is not None and age < days


def _key_name(key: AccessKeyRecord) -> str:
    return key.access_key_id or f"access_key_{key.slot}"


def _key_evidence(key: AccessKeyRecord) -> dict[str, Evidence]:
    return {"access_key": _key_name(key), "created": key.created, "last_used": key.last_used,
            "last_used_service": key.last_used_service}


def _scalar(value: object) -> Evidence:
    return value if value is None or isinstance(value, str | int | bool) else str(value)
