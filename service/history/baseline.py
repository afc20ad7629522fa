"""Baselines for CI gates: a previous run's json, and which of this run's findings are not in it.

A finding's identity is what it says, never where it was listed: for the trust review, the role, the trusted
principal and the trust statement's content (canonical JSON, so key order and spacing do not matter; its
index in the policy does not count, so a statement moved within the policy is the same finding). Other
reviews (#14's resource-review, #16's audit) pass their own identity function to `new_findings`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from service.errors import InputError

Finding = Mapping[str, Any]
Identity = Callable[[Finding], str]


def _canonical_json_text(text: object) -> object:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def trust_identity(finding: Finding) -> str:
    """A trust-review finding: role, trusted principal, statement content."""
    return json.dumps(
        [finding["role"]["arn"], finding["trusted"]["arn"], _canonical_json_text(finding.get("statement"))],
        sort_keys=True,
    )


def resource_identity(finding: Finding) -> str:
    """A resource-review finding: the resource (or role), the principal granted, the statement's content."""
    return json.dumps(
        [finding["resource"]["arn"], finding["principal"]["arn"], _canonical_json_text(finding.get("statement"))],
        sort_keys=True,
    )


def audit_identity(finding: Finding) -> str:
    """An audit finding: its check (category) and entity. Not its evidence, which holds ages that grow
    every day: an accepted old access key stays accepted. (Two findings of one check on one entity, two keys
    of a user, are one identity.)"""
    return json.dumps([finding["category"], finding["entity"]["arn"]])


def read_baseline(path: Path, identity: Identity) -> set[str]:
    """The identities of the findings in a previous run's `--format json` output.

    Raises:
        InputError: the file cannot be read, is not a json list of findings, or a finding lacks a field
            the identity needs (naming the file and the finding's position).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise InputError(f"{path}: the baseline is not JSON ({exc}); pass a previous run's --format json") from exc
    if not isinstance(data, list):
        raise InputError(f"{path}: the baseline must be a JSON list of findings (a previous run's --format json)")
    found = set()
    for index, finding in enumerate(data):
        try:
            found.add(identity(finding))
        except (KeyError, TypeError) as exc:
            what = f"{path}: finding {index} of the baseline lacks {exc}"
            raise InputError(f"{what}; is it this command's --format json?") from exc
    return found


def new_findings(findings: Sequence[Finding], baseline: set[str], identity: Identity) -> list[Finding]:
    return [finding for finding in findings if identity(finding) not in baseline]
