"""Who gained or lost the ability to assume a role (directly, or through one role), as groups: principals
that gained and lost the same roles with the same hops are one group. Read from two access records
(`ability_groups`: seconds at 100k principals, whatever the answers' size), or made from the rows of the exact
comparison (`groups_of`, access.py), so that `accessGroups` means the same whichever made it.

Only principals and roles of both worlds are compared: a role or user added or removed is reported as such
(`entities`), not as everyone who lost it. A change of conditions alone is not a change of ability: the exact
comparison's rows (`access`) show those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.evaluation.request import arn_account
from service.history.access import AdminChange
from service.history.access_record import EXTERNAL, AccessRecord, renumbered, same_numbering
from service.reachability.edges import from_indices, indices

AbilityChange = Literal["gained", "lost", "changed"]


@dataclass(frozen=True, slots=True)
class RolesChange:
    """Roles gained (hops None → 1 or 2), lost (1 or 2 → None), or reached in another number of hops
    (`changed`: 1 → 2 or 2 → 1), in ARN order."""

    change: AbilityChange
    hops_before: int | None
    hops_after: int | None
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccessGroup:
    """Every principal of `principals` (ARN order) had every change of `changes` alike."""

    principals: tuple[str, ...]
    changes: tuple[RolesChange, ...]


# The kinds of change, in the order a group lists them.
KINDS: tuple[tuple[AbilityChange, int | None, int | None], ...] = (
    ("gained", None, 1), ("gained", None, 2), ("lost", 1, None), ("lost", 2, None),
    ("changed", 1, 2), ("changed", 2, 1),
)


def ability_groups(
    before: AccessRecord, after: AccessRecord, account_ids: Sequence[str] | None = None
) -> list[AccessGroup]:
    """The groups between two records, for the roles of `account_ids` (every account's when None)."""
    if not same_numbering(before, after):
        union = sorted({*before.roles, *after.roles})
        before, after = renumbered(before, union), renumbered(after, union)
    roles = after.roles if len(after.roles) >= len(before.roles) else before.roles
    common = before.present & after.present
    if account_ids is not None:
        wanted = set(account_ids)
        common &= from_indices(n for n, arn in enumerate(roles) if arn_account(arn) in wanted)
    position = {arn: number for number, arn in enumerate(roles)}
    pairs: dict[tuple[int, int], list[str]] = {}
    gone = (-1, EXTERNAL)
    for arn in {*before.principals, *after.principals}:
        (old, was), (new, now) = before.principals.get(arn, gone), after.principals.get(arn, gone)
        if (was == EXTERNAL) != (now == EXTERNAL):
            continue  # (loaded in one world only: added or removed, and reported as such)
        pairs.setdefault((old, new), []).append(arn)
    found: dict[tuple[int, ...], list[str]] = {}
    for (old, new), principals in pairs.items():
        changes = _changes(_row(before, old), _row(after, new), common)
        if not any(changes):
            continue
        changed = changes[0] | changes[1] | changes[2] | changes[3] | changes[4] | changes[5]
        shared: list[str] = []
        for arn in principals:
            own = position.get(arn)
            if own is not None and (changed >> own) & 1:  # (a role is not its own assumer)
                mask = ~(1 << own)
                found.setdefault(tuple(c & mask for c in changes), []).append(arn)
            else:
                shared.append(arn)
        if shared:
            found.setdefault(changes, []).extend(shared)
    return _sorted(
        (principals, _listed(bits, roles)) for bits, principals in found.items() if any(bits)
    )


def _sorted(groups: Iterable[tuple[list[str], tuple[RolesChange, ...]]]) -> list[AccessGroup]:
    """Groups of the same changes merged, each one's principals in ARN order, the groups in the order of
    their first principal."""
    merged: dict[tuple[RolesChange, ...], list[str]] = {}
    for principals, changes in groups:
        merged.setdefault(changes, []).extend(principals)
    return sorted(
        (AccessGroup(tuple(sorted(principals)), changes) for changes, principals in merged.items()),
        key=lambda group: group.principals[0],
    )


def _row(record: AccessRecord, key: int) -> tuple[int, int]:
    return (0, 0) if key < 0 else (record.direct[key], record.reach[key])


def _changes(before: tuple[int, int], after: tuple[int, int], common: int) -> tuple[int, ...]:
    (d1, a1), (d2, a2) = before, after
    d1, a1, d2, a2 = d1 & common, a1 & common, d2 & common, a2 & common
    if d1 == d2 and a1 == a2:
        return (0, 0, 0, 0, 0, 0)
    two1, two2 = a1 & ~d1, a2 & ~d2
    return (d2 & ~a1, two2 & ~a1, d1 & ~a2, two1 & ~a2, d1 & two2, two1 & d2)


def _listed(bits: tuple[int, ...], roles: Sequence[str]) -> tuple[RolesChange, ...]:
    return tuple(
        RolesChange(change, before, after, tuple(sorted(roles[number] for number in indices(found))))
        for found, (change, before, after) in zip(bits, KINDS, strict=True)
        if found
    )


def groups_of(rows: Iterable[tuple[str, str, int | None, int | None]]) -> list[AccessGroup]:
    """The groups of per-principal rows (role, principal, hops before, hops after): a row whose hops
    are the same on both sides (conditions changed only) is no change of ability."""
    of: dict[str, dict[tuple[int | None, int | None], list[str]]] = {}
    for role, principal, before, after in rows:
        if before != after:
            of.setdefault(principal, {}).setdefault((before, after), []).append(role)
    return _sorted(
        ([principal], tuple(
            RolesChange(change, before, after, tuple(sorted(kinds[(before, after)])))
            for change, before, after in KINDS
            if (before, after) in kinds
        ))
        for principal, kinds in of.items()
    )


def admin_changes_of(
    before: AccessRecord, after: AccessRecord, account_ids: Sequence[str] | None = None
) -> list[AdminChange]:
    """Who became and who stopped being an administrator (of `account_ids` when given), as `admin_changes`
    tells them (access.py)."""
    wanted = None if account_ids is None else set(account_ids)

    def listed(arns: frozenset[str]) -> list[str]:
        return sorted(arn for arn in arns if wanted is None or arn_account(arn) in wanted)

    return [AdminChange(arn, "became") for arn in listed(after.admins - before.admins)] + [
        AdminChange(arn, "stopped") for arn in listed(before.admins - after.admins)
    ]
