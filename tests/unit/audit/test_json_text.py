"""`accessgraph audit --format json` writes the findings without the standard library's slow indenting encoder:
the text must be exactly what `json.dumps(audit_json(audit), indent=2)` writes, for any finding."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from service.audit.catalogue import CATEGORY_NAMES
from service.audit.model import Audit, Finding, Subject, Unchecked, finding
from service.cli.audit import audit_json, json_text

# Text with quotes, backslashes, control characters and non-ASCII (json.dumps \u-escapes it).
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
EVIDENCE = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), TEXT)
FINDINGS = st.builds(
    finding,
    st.sampled_from(CATEGORY_NAMES),
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.builds(Subject, TEXT, st.sampled_from(["user", "role", "root", "policy", "account", "trail"])),
    st.dictionaries(TEXT, EVIDENCE, max_size=4),
)
UNCHECKED = st.builds(Unchecked, st.sampled_from(CATEGORY_NAMES), st.just("111111111111"), TEXT)


@given(st.lists(FINDINGS, max_size=4), st.lists(UNCHECKED, max_size=2))
def test_the_text_is_json_dumps_with_indent_2(findings: list[Finding], unchecked: list[Unchecked]) -> None:
    audit = Audit(tuple(findings), tuple(unchecked))
    assert json_text(audit) == json.dumps(audit_json(audit), indent=2)


def test_an_audit_without_findings_is_an_empty_list() -> None:
    assert json_text(Audit(())) == "[]" == json.dumps(audit_json(Audit(())), indent=2)


def test_evidence_keeps_its_order_and_types() -> None:
    found = finding("two-active-access-keys", "111111111111", Subject("arn:aws:iam::111111111111:user/é", "user"),
                    {"active_keys": 2, "z": None, "a": True, "access_keys": "AKIA1, AKIA2"})
    text = json_text(Audit((found,)))
    assert json.loads(text)[0]["evidence"] == {"active_keys": 2, "z": None, "a": True, "access_keys": "AKIA1, AKIA2"}
    assert list(json.loads(text)[0]["evidence"]) == ["active_keys", "z", "a", "access_keys"]
    assert "\\u00e9" in text
