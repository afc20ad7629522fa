"""Hypothesis: mutated GAAD and Organizations documents never crash the transforms; bad ones raise
InputError naming the file, nothing else."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from loaders.detect import detect
from loaders.gaad import merge_pages, transform_gaad
from loaders.organizations import transform_organization
from service.errors import InputError
from tests.support.loader_strategies import mutated
from tests.support.samples import gaad_a, gaad_b, organization

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load(document: Any) -> None:
    try:
        if detect([document], "fuzz.json") == "gaad":
            snapshot = transform_gaad(merge_pages([document], "fuzz.json"))
            assert snapshot.account_id
        else:
            transform_organization(document, "fuzz.json")
    except InputError as exc:
        assert str(exc).startswith("fuzz.json")


@FUZZ
@given(mutated(gaad_a()))
def test_mutated_tutorial_account(document: Any) -> None:
    _load(document)


@FUZZ
@given(mutated(gaad_b()))
def test_mutated_contractor_account(document: Any) -> None:
    _load(document)


@FUZZ
@given(mutated(organization()))
def test_mutated_organization(document: Any) -> None:
    _load(document)
