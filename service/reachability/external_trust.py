"""The principals a role's trust policy names outside the loaded data (an account not loaded, a principal
of one, a service, a federated provider, anyone): decided on the trust policy, their own side assumed
willing, each answer saying so."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from service.database.records import TrustTargetRecord
from service.errors import InputError
from service.evaluation import Policy, Principal, parse_policy
from service.evaluation.engine import evaluate
from service.evaluation.request import Request, arn_account, principal_from_arn
from service.reachability.model import Access, NodeRef
from service.reachability.paths import assume_paths
from service.reachability.profiles import ASSUME_ROLE, Role

_ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def external_arn(target: TrustTargetRecord) -> str:
    """The ARN of the principal `assume_external` answers for the target (whether it admits it or not)."""
    if target.target_kind == "account":
        return f"arn:aws:iam::{target.target}:root"
    if target.target_kind != "placeholder" and target.external_kind in ("service", "federated"):
        return str(target.external_value)
    if target.target_kind != "placeholder" and target.external_kind == "any":
        return "*"
    return target.target


def _unknown_principal(target: TrustTargetRecord) -> Access:
    """A trust principal that names nobody the evaluator can stand in for, told as such."""
    ref = NodeRef(external_arn(target), target.external_kind or "unknown", target.external_value or target.target, None)
    note = (
        f"the trust policy names {target.principal!r}, which matches no "
        "known principal (a deleted role or user shows as its unique id)"
    )
    return Access(ref, None, (), (note,), 1)


def assume_external(target: TrustTargetRecord, role: Role) -> Access | None:
    """Principals outside the loaded data: decided on the trust policy, their own side assumed willing."""
    kind, value = target.target_kind, target.target
    external_kind = target.external_kind or ""
    notes: list[str] = []
    identity: tuple[Policy, ...] = ()
    action = ASSUME_ROLE
    if kind == "account":
        principal = Principal(f"arn:aws:iam::{value}:user/*", value, "user", attributes_known=False)
        ref = NodeRef(external_arn(target), "account", value, value)
        notes.append(
            f"account {value} is not loaded: any of its principals whose own policies allow "
            f"sts:AssumeRole on {role.name} (and whose SCPs allow it)"
        )
        identity = (_assumed_willing(value),)
    elif kind == "placeholder":
        try:
            principal = replace(principal_from_arn(value), attributes_known=False)
        except InputError:  # stored before the loaders refused values AWS never returns: answer, don't fail
            return _unknown_principal(target)
        ref = NodeRef(external_arn(target), principal.kind, principal.name, principal.account_id)
        notes.append(
            f"{value} belongs to account {principal.account_id}, which is not loaded: "
            "its own policies must also allow sts:AssumeRole"
        )
        identity = (_assumed_willing(principal.account_id or "unknown"),)
    elif external_kind == "service":
        principal = Principal(arn=external_arn(target), account_id=None, kind="service")
        ref = NodeRef(principal.arn, "service", principal.arn, None)
    elif external_kind == "federated":
        provider = external_arn(target)
        principal = Principal(arn=provider, account_id=arn_account(provider), kind="federated")
        ref = NodeRef(provider, "federated", provider.rsplit("/", 1)[-1], arn_account(provider))
        action = "sts:AssumeRoleWithSAML" if ":saml-provider/" in provider else "sts:AssumeRoleWithWebIdentity"
    elif external_kind == "any":
        principal = Principal(arn="*", account_id=None, kind="user", attributes_known=False)
        ref = NodeRef(external_arn(target), "any", "any AWS principal", None)
        notes.append("the trust policy admits principals of any AWS account whose own policies allow it")
        identity = (_assumed_willing("any"),)
    else:
        return _unknown_principal(target)
    decision = evaluate(
        Request(principal=principal, action=action, resource=role.arn, resource_account=role.account_id),
        identity_policies=identity,
        resource_control_policies=role.org.rcp_levels or None,
        resource_policy=role.trust,
        resource_kind="role-trust",
        resource_in_management_account=role.org.is_management_account,
    )
    if decision.decision != "Allowed":
        return None
    paths = assume_paths(ref, [], role.ref, role.trust_document, decision)
    return Access(ref, decision.condition, paths, tuple(notes), 1)


def _assumed_willing(account: str) -> Policy:
    return parse_policy(_ALLOW_ALL, name=f"(identity policies in account {account}, not loaded)")


def unique_external(targets: Iterable[TrustTargetRecord]) -> list[TrustTargetRecord]:
    seen: dict[str, TrustTargetRecord] = {}
    for target in targets:
        seen.setdefault(f"{target.target_kind}:{target.target}", target)
    return list(seen.values())
