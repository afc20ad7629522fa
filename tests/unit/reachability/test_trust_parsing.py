"""A role's trust policy is parsed once per distinct document (`parse_trust`: at 100k principals a walk reads
26,000 roles holding 7,000 documents at once), and still reads as the role's own: its name in explanations
and in the error of a document that does not parse."""

from __future__ import annotations

import pytest

from service.errors import PolicyError
from service.reachability.profiles import parse_document, parse_trust

DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'


def test_roles_with_one_trust_document_share_its_statements_under_their_own_names() -> None:
    first, second = parse_trust("ops trust policy", DOCUMENT), parse_trust("dev trust policy", DOCUMENT)
    assert (first.name, second.name) == ("ops trust policy", "dev trust policy")
    assert first.statements is second.statements  # (parsed once)
    assert first == parse_document("ops trust policy", DOCUMENT)
    assert first.compiled_cache is not second.compiled_cache  # (each role's matchers are its own)


def test_a_trust_document_that_does_not_parse_is_reported_under_its_roles_name() -> None:
    broken = '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"sts:AssumeRole"}]}'
    with pytest.raises(PolicyError, match="ops trust policy"):
        parse_trust("ops trust policy", broken)
