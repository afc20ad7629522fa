"""`accessgraph simulate FILE|-`: decide requests offline from policy documents, JSON in, JSON out.

Input: one simulation object, or an array of them (the output mirrors the input's shape):

    {"request": {"principal": "<ARN>" | {"arn": ..., "tags": {...}, "orgId": ..., "parentUser": ..., ...},
                 "action": "s3:GetObject", "resource": "<ARN or *>",
                 "resourceAccount": "<12 digits>", "context": {"<key>": "<value>" | ["<values>"]},
                 "contextComplete": false, "resourceIsPattern": <bool>},
     "identityPolicies": [...], "permissionsBoundaries": [...],
     "serviceControlPolicies": [[<root>], [<OU>], ..., [<account>]], "resourceControlPolicies": [[...]],
     "resourcePolicy": {...} | null, "sessionPolicy": {...} | null,
     "resourceKind": "generic" | "role-trust" | "kms-key"}

Absent keys mean "no such policy". `resourceKind` defaults to role-trust for `sts:AssumeRole*` on a role
ARN and to kms-key for a KMS key ARN. A resource with `*` or `?` is a pattern (the question is then about
some resource matching it) unless `resourceIsPattern` is false.

In an array, every valid simulation is answered and each invalid one is reported in its place as
{"error": "..."}; the exit code is then 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.errors import AccessgraphError, InputError
from service.evaluation import (
    PRINCIPAL_KINDS,
    RESOURCE_KINDS,
    Decision,
    Policy,
    Principal,
    Request,
    ResourceKind,
    evaluate,
    parse_policy,
    principal_from_arn,
)

_ITEM_FIELDS = frozenset(
    {
        "request",
        "identityPolicies",
        "permissionsBoundaries",
        "serviceControlPolicies",
        "resourceControlPolicies",
        "resourcePolicy",
        "sessionPolicy",
        "resourceKind",
        "resourceInManagementAccount",
    }
)
_PRINCIPAL_FIELDS = frozenset(
    {"arn", "kind", "uniqueId", "tags", "orgId", "orgPaths", "isServiceLinked", "isManagementAccount", "parentUser"}
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="decide IAM requests offline from policy documents (JSON in, JSON out)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="FILE|-", help="a JSON file of simulations, or - for stdin")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = _read(args.input)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{args.input}: not valid JSON ({exc})") from None
    invalid = False
    if isinstance(data, list):
        output: Any = []
        for i, item in enumerate(data):
            try:
                output.append(_simulate(item, f"[{i}]."))
            except AccessgraphError as exc:  # InputError and PolicyError name the item and policy at fault
                invalid = True
                output.append({"error": str(exc)})
    else:
        output = _simulate(data, "")
    text = json.dumps(output, indent=2) + "\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `simulate ... | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if invalid:
        print('accessgraph: error: some simulations are invalid (see their "error")', file=sys.stderr)
        return InputError.exit_code
    return 0


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None


def _simulate(item: object, where: str) -> dict[str, Any]:
    label = where.rstrip(".") or "input"
    if not isinstance(item, Mapping):
        raise InputError(f"{label}: expected an object with a 'request'")
    unknown = sorted(str(k) for k in item if k not in _ITEM_FIELDS)
    if unknown:
        raise InputError(f"{label}: unknown field {unknown[0]!r}")
    request = _request(item.get("request"), f"{where}request")
    decision = evaluate(
        request,
        identity_policies=_policies(item, "identityPolicies", where) or (),
        permissions_boundaries=_policies(item, "permissionsBoundaries", where),
        service_control_policies=_levels(item, "serviceControlPolicies", where),
        resource_control_policies=_levels(item, "resourceControlPolicies", where),
        resource_policy=_single(item, "resourcePolicy", where),
        session_policy=_single(item, "sessionPolicy", where),
        resource_kind=_resource_kind(item, request, where),
        resource_in_management_account=item.get("resourceInManagementAccount") is True,
    )
    return decision_json(decision, request.resource)


def decision_json(decision: Decision, resource: str | None = None) -> dict[str, Any]:
    """The JSON shape `simulate` prints for one decision."""
    out: dict[str, Any] = {
        "decision": decision.decision,
        "conditions": [leaf.as_dict() for leaf in decision.leaves()],
        "conditionText": decision.describe(),
        "explanation": [reason.as_dict() for reason in decision.explanation],
        "warnings": [warning.as_dict() for warning in decision.warnings],
        "resourcePattern": decision.resource_pattern,
    }
    if decision.resource_pattern and resource is not None:
        out["question"] = f"the action on some resource matching {resource!r}"
    return out


def _request(raw: object, where: str) -> Request:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: required, an object with principal, action and resource")
    for name in ("action", "resource"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise InputError(f"{where}.{name}: required, a non-empty string")
    account = raw.get("resourceAccount")
    if account is not None and not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
        raise InputError(f"{where}.resourceAccount: expected 12 digits")
    complete = raw.get("contextComplete", False)
    if not isinstance(complete, bool):
        raise InputError(f"{where}.contextComplete: expected true or false")
    pattern = raw.get("resourceIsPattern", "*" in raw["resource"] or "?" in raw["resource"])
    if not isinstance(pattern, bool):
        raise InputError(f"{where}.resourceIsPattern: expected true or false")
    return Request(
        principal=_principal(raw.get("principal"), f"{where}.principal"),
        action=raw["action"],
        resource=raw["resource"],
        resource_account=account,
        context=_context(raw.get("context", {}), f"{where}.context"),
        context_complete=complete,
        resource_is_pattern=pattern,
    )


def _principal(raw: object, where: str) -> Principal:
    if isinstance(raw, str):
        try:
            return principal_from_arn(raw)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("arn"), str):
        raise InputError(f"{where}: required, an ARN or an object with an 'arn'")
    unknown = sorted(str(k) for k in raw if k not in _PRINCIPAL_FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}")
    tags = raw.get("tags", {})
    if not isinstance(tags, Mapping) or not all(isinstance(v, str) for v in tags.values()):
        raise InputError(f"{where}.tags: expected an object of strings")
    kind = raw.get("kind")
    if kind is not None and kind not in PRINCIPAL_KINDS:
        raise InputError(f"{where}.kind: expected one of {', '.join(PRINCIPAL_KINDS)}")
    parent = raw.get("parentUser")
    if parent is not None and not isinstance(parent, str):
        raise InputError(f"{where}.parentUser: expected the ARN of the IAM user that called GetFederationToken")
    paths = raw.get("orgPaths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise InputError(f"{where}.orgPaths: expected a list of strings")
    try:
        return principal_from_arn(
            raw["arn"],
            kind=kind,
            unique_id=raw.get("uniqueId"),
            tags={str(k): v for k, v in tags.items()},
            org_id=raw.get("orgId"),
            org_paths=tuple(paths),
            is_service_linked=raw.get("isServiceLinked"),
            is_management_account=raw.get("isManagementAccount") is True,
            parent_user_arn=parent,
        )
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _context(raw: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected an object of key: value or [values]")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int | float | bool) for v in values):
            raise InputError(f"{where}.{key}: values must be strings, numbers or booleans")
        out[str(key)] = tuple(_text(v) for v in values)
    return out


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _policy(raw: object, name: str) -> Policy:
    if not isinstance(raw, str | Mapping):
        raise InputError(f"policy {name!r}: expected a policy document (object or JSON string)")
    return parse_policy(raw, name=name)


def _policies(item: Mapping[str, Any], field: str, where: str) -> list[Policy] | None:
    raw = item.get(field)
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InputError(f"{where}{field}: expected a list of policy documents")
    return [_policy(doc, f"{where}{field}[{i}]") for i, doc in enumerate(raw)]


def _levels(item: Mapping[str, Any], field: str, where: str) -> list[list[Policy]] | None:
    raw = item.get(field)
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(level, list) for level in raw):
        raise InputError(f"{where}{field}: expected a list of levels, each a list of policy documents")
    return [
        [_policy(doc, f"{where}{field}[{depth}][{i}]") for i, doc in enumerate(level)]
        for depth, level in enumerate(raw)
    ]


def _single(item: Mapping[str, Any], field: str, where: str) -> Policy | None:
    raw = item.get(field)
    return None if raw is None else _policy(raw, f"{where}{field}")


def _resource_kind(item: Mapping[str, Any], request: Request, where: str) -> ResourceKind:
    raw = item.get("resourceKind")
    if raw is not None:
        for kind in RESOURCE_KINDS:
            if raw == kind:
                return kind
        raise InputError(f"{where}resourceKind: expected one of {', '.join(RESOURCE_KINDS)}")
    return infer_resource_kind(request.action, request.resource)


def infer_resource_kind(action: str, resource: str) -> ResourceKind:
    """role-trust for `sts:AssumeRole*` on a role, kms-key for a KMS key, else generic."""
    if action.lower().startswith("sts:") and ":iam::" in resource and ":role/" in resource:
        return "role-trust"
    if resource.startswith("arn:") and resource.split(":", 5)[2:3] == ["kms"] and ":key/" in resource:
        return "kms-key"
    return "generic"
