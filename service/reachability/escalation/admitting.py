"""Which principals a role's trust policy can admit, read from its trust targets alone (before anything is
decided): an account's principals (`admits_account`, `admitted_accounts`: the last hops of `admins`), or one
principal (`trust_admits`: whether a changed principal is worth deciding on the role), or one a walk still
wants (`still_wanted`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from service.database.records import TrustTargetRecord
from service.evaluation.request import arn_account
from service.reachability.escalation.ways import Wanted
from service.reachability.external_trust import external_arn
from service.reachability.profiles import ASSUME_ROLE, Profile, Role
from service.reachability.who_can_assume import TrustRead


def admits_account(targets: Iterable[TrustTargetRecord], account: str) -> bool:
    """Whether a trust policy of a role of another account can admit some user or role of `account`: an
    Allow naming that account, one of its principals or sessions (by any ARN holding the account id), or
    anyone (`*`, a NotPrincipal). Assuming
    a role of another account needs the trust policy's Allow (IAM-SEMANTICS: cross-account access needs
    both sides), so a trust naming none of these admits nobody of `account`, whatever their own policies."""
    admitted = admitted_accounts(targets)
    return admitted is None or account in admitted


def admitted_accounts(targets: Iterable[TrustTargetRecord]) -> set[str] | None:
    """Every account whose principals the trust policy can admit someone of (None: any account, `*` or a
    NotPrincipal): the accounts it names, and every 12 digits in a row in what else an Allow names but a
    service or a federated provider (an account id among them is one: a user or role of the account, one
    of its sessions, or one the graph holds only by the ARN the trust policy wrote, a placeholder, which
    the direct assumers still resolve)."""
    found: set[str] = set()
    for target in targets:
        if target.effect != "Allow":
            continue
        if target.not_principal or target.external_kind == "any":
            return None
        if target.target_kind == "account":
            found.add(target.target)
        elif target.external_kind not in ("service", "federated"):
            for text in (target.target, target.principal, target.external_value):
                for run in _DIGITS.findall(text or ""):
                    found.update(run[i : i + 12] for i in range(len(run) - 11))
    return found


_DIGITS = re.compile(r"[0-9]{12,}")


def trust_admits(role: Role, targets: Iterable[TrustTargetRecord]) -> Callable[[Profile], bool]:
    """Whether the role's trust policy can admit a principal at all: one of the role's account (where its
    own policies may suffice, or it may rewrite the trust), one the trust names, one of an account it names
    or whose id is in an ARN it names and the graph does not hold (a placeholder, a session: see
    `admitted_accounts`), or anyone when it names anyone. Another account's principal needs the trust
    policy's Allow, so one it cannot admit is refused whatever its own policies say."""
    accounts, named = _admitting(targets)
    if accounts is None:
        return lambda _: True

    def admits(profile: Profile) -> bool:
        return profile.account_id == role.account_id or profile.account_id in accounts or profile.arn in named

    return admits


def admitted_actor_accounts(role: Role, targets: Iterable[TrustTargetRecord]) -> frozenset[str] | None:
    """The accounts of every principal `trust_admits` may admit (None: any): the role's own, those it admits
    through, and those of the users and roles it names. A walk decides only their gains on the role."""
    accounts, named = _admitting(targets)
    if accounts is None:
        return None
    return frozenset({role.account_id, *accounts, *filter(None, map(arn_account, named))})


def _admitting(targets: Iterable[TrustTargetRecord]) -> tuple[set[str] | None, set[str]]:
    """The accounts the trust policy admits through (`admitted_accounts` of what is not a user or role: None,
    any) and the users and roles it names."""
    targets = list(targets)
    accounts = admitted_accounts(t for t in targets if t.not_principal or t.target_kind not in ("user", "role"))
    return accounts, {t.target for t in targets if t.effect == "Allow" and t.target_kind in ("user", "role")}


@dataclass(frozen=True, slots=True)
class StillWanted:
    """What of a role's direct assumers a walk still wants: those its trust policy names or that are outside
    the loaded users and roles (`individuals`), and the principals of `accounts` it admits through their
    account (or `*`)."""

    individuals: bool
    accounts: tuple[str, ...]


def names_wanted(trust: TrustRead, wanted: Wanted, profiles: Container[str]) -> bool:
    """Whether the trust policy names a principal `wanted` still wants: a user or role still wanted, or one
    outside the loaded users and roles (`profiles`) not `seen` yet."""
    return any(
        named in wanted.arns or (named not in profiles and not wanted.seen(named)) for named in trust.direct
    ) or any(not wanted.seen(external_arn(target)) for target in trust.external)


def still_wanted(
    role: Profile,
    targets: Iterable[TrustTargetRecord],
    trust: TrustRead,
    wanted: Wanted,
    profiles: Mapping[str, Profile],
    accounts: Collection[str],
    candidates: Callable[[str], AbstractSet[str] | None],
    members: Callable[[str], AbstractSet[str]],
    holders: Callable[[str], Mapping[str, Sequence[tuple[str, frozenset[str]]]]],
) -> StillWanted | None:
    """Which of the role's direct assumers may be principals `wanted` still wants (None: nothing here can
    tell; a NotPrincipal admits too much, and `candidates(account)` is None for an account the graph does not
    check): one its trust policy names (a user or role, or one outside the loaded users and roles not `seen`
    yet); of an account it admits through the account (or anyone), one that may pass its own side: any user
    or role of the role's own account when the trust admits anyone (`members(account)`), else one of the
    account's candidates for sts:AssumeRole holding an Allow whose Resource matches the role
    (`holders(account)`: `AccountChecker.resource_holders`); `trust` is `TrustRead` of `targets`."""
    if any(t.effect == "Allow" and t.not_principal for t in targets):
        return None
    individuals = names_wanted(trust, wanted, profiles)
    own = role.account_id or ""
    found: list[str] = []
    # (of every account, only those with a principal still wanted: `Wanted.live`)
    for account in wanted.live(accounts) if trust.everyone else trust.accounts:
        if not wanted.any_of(account):
            continue  # (it admits that account's principals only, none of which is wanted)
        if account == own and trust.everyone:
            if wanted.meets((own, "members"), members(own)):
                found.append(own)
            continue
        held = candidates(account)
        if held is None:
            return None
        if wanted.meets((account, ASSUME_ROLE), held) and wanted.holds(
            account, ASSUME_ROLE.lower(), holders(account), role.arn, own
        ):
            found.append(account)
    return StillWanted(individuals, tuple(found))
