"""Which policies allow `*` on `*` (CIS 1.15), and who holds one: decided with the evaluator's pattern
questions (`pattern_covers`), so `"*:*"`, `["s3:*", "*"]` or `"arn:*"` count exactly when they cover every
action and every resource, and nothing is decided by comparing strings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.evaluation import Policy, Statement, pattern_covers

# Every action is service:name, every resource an ARN: a pattern covering these covers all of them.
EVERY_ACTION = "*:*"
EVERY_RESOURCE = "arn:*"
AWS_ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def full_admin_statement(policy: Policy) -> Statement | None:
    """The first Allow statement of `policy` whose actions and resources cover every action and every
    resource (conditions aside: CIS 1.15 counts such a statement whatever its Condition), or None."""
    for statement in policy.statements:
        if statement.effect != "Allow" or statement.actions is None or statement.resources is None:
            continue
        every_action = any(pattern_covers(action.lower(), EVERY_ACTION) for action in statement.actions)
        every_resource = any(pattern_covers(resource, EVERY_RESOURCE) for resource in statement.resources)
        if every_action and every_resource:
            return statement
    return None


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    """A customer managed or inline policy with a `*` on `*` allow, and the principals and groups holding it."""

    arn: str
    name: str
    kind: str
    statement: str  # its index and Sid
    conditional: bool
    holders: tuple[str, ...]


def admin_policies(
    policies: Iterable[tuple[str, str, str, Policy]], holders: Mapping[str, Iterable[str]]
) -> list[AdminPolicy]:
    """Of `(arn, name, kind, parsed)` policies, the customer managed and inline ones allowing `*` on `*`."""
    found = []
    for arn, name, kind, policy in policies:
        if kind not in ("customer", "inline"):
            continue
        statement = full_admin_statement(policy)
        if statement is not None:
            found.append(
                AdminPolicy(arn, name, kind, statement.label, bool(statement.conditions), tuple(holders.get(arn, ())))
            )
    return found
