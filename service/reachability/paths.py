"""Turn an evaluator decision into the path a person reads: principal → group → policy → statement."""

from __future__ import annotations

import json
from functools import lru_cache

from service.evaluation.engine import Decision, Reason
from service.reachability.model import NodeRef, Path, PathStep
from service.reachability.profiles import Profile


def principal_ref(profile: Profile) -> NodeRef:
    return profile.ref


@lru_cache(maxsize=16384)
def statement_json(document: str, index: int | None) -> str | None:
    """Statement `index` of a stored policy document, as compact JSON (None when it cannot be found)."""
    if index is None:
        return None
    try:
        statements = json.loads(document).get("Statement")
    except (ValueError, AttributeError):
        return None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not 0 <= index < len(statements):
        return None
    return json.dumps(statements[index], sort_keys=True)


def _where(reason: Reason) -> str:
    sid = f" (Sid {reason.sid})" if reason.sid else ""
    return f"statement {reason.statement}{sid}" if reason.statement is not None else "policy"


def identity_paths(profile: Profile, decision: Decision) -> list[Path]:
    """One path per identity-policy Allow statement that grants, through the group that carries it."""
    principal = principal_ref(profile)
    paths: list[Path] = []
    seen: set[tuple[str, str | None, int | None]] = set()
    for reason in decision.explanation:
        if reason.policy_type != "identity" or reason.effect != "Allow":
            continue
        for ref in profile.policies:
            if ref.arn != reason.policy or (ref.arn, ref.via, reason.statement) in seen:
                continue
            seen.add((ref.arn, ref.via, reason.statement))
            policy = NodeRef(ref.arn, "policy", ref.name, profile.account_id if ref.kind != "aws" else None)
            statement = statement_json(ref.document, reason.statement) if ref.document else None
            via = f"{ref.name} {_where(reason)}"
            if ref.via is None:
                paths.append((PathStep(principal, policy, "has_policy", via, statement),))
            else:
                group = NodeRef(ref.via, "group", ref.via_name, profile.account_id)
                paths.append(
                    (
                        PathStep(principal, group, "member_of"),
                        PathStep(group, policy, "has_policy", via, statement),
                    )
                )
    return paths


def resource_reasons(decision: Decision) -> list[Reason]:
    return [r for r in decision.explanation if r.policy_type == "resource" and r.effect == "Allow"]


def assume_step(source: NodeRef, role: NodeRef, trust_document: str, reason: Reason | None) -> PathStep:
    via = f"trust policy {_where(reason)}" if reason is not None else "trust policy"
    statement = statement_json(trust_document, reason.statement) if reason is not None else None
    return PathStep(source, role, "assumes", via, statement)


def assume_paths(
    source: NodeRef, identity: list[Path], role: NodeRef, trust_document: str, decision: Decision
) -> tuple[Path, ...]:
    """Paths for "source can assume role": each identity grant (if any was needed) then the trust statement."""
    trust: list[Reason | None] = [*resource_reasons(decision)] or [None]
    steps = [assume_step(source, role, trust_document, reason) for reason in trust]
    if not identity:
        return tuple((step,) for step in steps)
    return tuple((*path, step) for path in identity for step in steps[:1]) + tuple((step,) for step in steps[1:])
