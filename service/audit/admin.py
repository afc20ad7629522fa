"""Administrators and `*` on `*` policies, as the escalation issue defines them (service/reachability/admins.py,
docs/escalation-questions.md#who-is-an-administrator): one definition for the whole product.

A policy allows `*` on `*` (CIS 1.15) when an Allow statement has an Action pattern covering every action and a
Resource pattern covering every resource: decided with the evaluator's pattern question (`pattern_covers`), never
by comparing strings.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from service.evaluation import Policy, Statement
from service.evaluation.wildcards import pattern_covers
from service.reachability.admins import EVERY_ACTION, EVERY_RESOURCE, admins_of, covers_everything
from service.reachability.model import Path
from service.reachability.profiles import AccountEntry, Profile


def full_admin_statement(policy: Policy) -> Statement | None:
    """The first Allow statement of `policy` covering every action and every resource, or None. Conditions
    aside: CIS 1.15 counts such a statement whatever its Condition (the finding says it has one)."""
    for statement in policy.statements:
        if (
            statement.effect == "Allow"
            and covers_everything(statement.actions, EVERY_ACTION)
            and covers_everything(statement.resources, EVERY_RESOURCE)
        ):
            return statement
    return None


CUSTOMER_KINDS = ("customer", "inline")


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    """A customer managed or inline policy with a `*` on `*` allow, and the principals holding it."""

    arn: str
    name: str
    kind: str
    statement: str  # its index and Sid
    conditional: bool
    holders: tuple[str, ...]


def may_allow_everything(document: str) -> bool:
    """Whether a stored policy document may hold an Allow of `*` on `*` (`full_admin_statement` decides): False
    only when it surely does not. Read with json.loads and the evaluator's pattern question alone, far cheaper
    than a full parse: an organization's audit weighs every customer and inline policy (38k at 100k
    principals) and parses only these. What it cannot read this way (URL-encoded, not a policy) it leaves to
    the parser."""
    try:
        body = json.loads(document)["Statement"]
    except (ValueError, TypeError, KeyError):
        return True
    return any(_may_cover(statement) for statement in (body if isinstance(body, list) else [body]))


def _may_cover(statement: object) -> bool:
    if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
        return True  # not a statement the parser accepts: let it say so
    return statement["Effect"] == "Allow" and all(
        any(not isinstance(p, str) or pattern_covers(p, everything) for p in (v if isinstance(v, list) else [v]))
        for v, everything in ((statement.get("Action"), EVERY_ACTION), (statement.get("Resource"), EVERY_RESOURCE))
    )


def admin_policies(
    policies: Iterable[tuple[str, str, str, Policy]], holders: Mapping[str, Iterable[str]]
) -> list[AdminPolicy]:
    """Of `(arn, name, kind, parsed)` policies, the customer managed and inline ones allowing `*` on `*`."""
    found = []
    for arn, name, kind, policy in policies:
        if kind not in CUSTOMER_KINDS:
            continue
        statement = full_admin_statement(policy)
        if statement is not None:
            found.append(
                AdminPolicy(arn, name, kind, statement.label, bool(statement.conditions), tuple(holders.get(arn, ())))
            )
    return found


async def evaluator_admins(entry: AccountEntry, arns: Collection[str]) -> dict[str, str]:
    """Which of the principals `arns` of the account are administrators by the escalation issue's definition
    (the evaluator allows `*` on `*`, boundaries and SCPs weighed; escalation not followed), each with the
    policies granting it and any condition it hangs on."""
    held = (entry.profiles[arn] for arn in arns if arn in entry.profiles)
    profiles = {profile.arn: profile for profile in held if _may_be_admin(profile)}
    if not profiles:
        return {}
    found = {}
    for access in admins_of([replace(entry, profiles=profiles)]):
        grants = dict.fromkeys(_grant(path) for path in access.paths)
        why = ", ".join(grants) or "the evaluator allows * on *"
        found[access.principal.arn] = why + (f" when {access.condition_text}" if access.condition_text else "")
    return found


def _may_be_admin(profile: Profile) -> bool:
    """Whether the evaluator could answer the principal admin at all: only an identity policy's Allow of `*`
    on `*` allows it (boundaries and SCPs only take away), or a policy whose document is not loaded (the
    answer is then "may be"). Every other principal is an implicit or explicit deny, not worth evaluating:
    at 100k principals they are most of those without MFA."""
    return bool(profile.unknown_policies) or any(full_admin_statement(p) is not None for p in profile.identity_policies)


def _grant(path: Path) -> str:
    via = "; ".join(step.via for step in path if step.via) or "?"
    groups = [step.target.name or step.target.arn for step in path if step.kind == "member_of"]
    return via + (f" (through group {', '.join(groups)})" if groups else "")
