"""`accessgraph audit --format json` writes its findings with orjson (service/cli/jsonout.py): the same json as
`json.dumps(audit_json(audit), indent=2)`, and the same text where it is ASCII (orjson writes UTF-8 where the
standard library writes \\u escapes)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from service.audit.catalogue import CATEGORY_NAMES
from service.audit.model import Audit, Finding, Subject, Unchecked, finding
from service.cli import jsonout
from service.cli.audit import audit_json

# Text with quotes, backslashes, control characters and non-ASCII.
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
ASCII = st.text(alphabet=st.characters(max_codepoint=0x7E), max_size=12)  # DEL: json.dumps escapes it
EVIDENCE = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), TEXT)


def findings(text: st.SearchStrategy[str]) -> st.SearchStrategy[Finding]:
    return st.builds(
        finding,
        st.sampled_from(CATEGORY_NAMES),
        st.from_regex(r"[0-9]{12}", fullmatch=True),
        st.builds(Subject, text, st.sampled_from(["user", "role", "root", "policy", "account", "trail"])),
        st.dictionaries(text, EVIDENCE if text is TEXT else st.one_of(st.none(), st.booleans(), text), max_size=4),
    )


UNCHECKED = st.builds(Unchecked, st.sampled_from(CATEGORY_NAMES), st.just("111111111111"), TEXT)


@given(st.lists(findings(TEXT), max_size=4), st.lists(UNCHECKED, max_size=2))
def test_the_json_is_what_json_dumps_writes(found: list[Finding], unchecked: list[Unchecked]) -> None:
    value = audit_json(Audit(tuple(found), tuple(unchecked)))
    assert json.loads(jsonout.dumps(value)) == json.loads(json.dumps(value, indent=2))


@given(st.lists(findings(ASCII), max_size=4))
def test_ascii_text_is_json_dumps_with_indent_2_to_the_letter(found: list[Finding]) -> None:
    value = audit_json(Audit(tuple(found)))
    assert jsonout.dumps(value) == json.dumps(value, indent=2)


def test_an_audit_without_findings_is_an_empty_list() -> None:
    assert jsonout.dumps(audit_json(Audit(()))) == "[]" == json.dumps(audit_json(Audit(())), indent=2)


def test_evidence_keeps_its_order_and_types() -> None:
    found = finding("two-active-access-keys", "111111111111", Subject("arn:aws:iam::111111111111:user/é", "user"),
                    {"active_keys": 2, "z": None, "a": True, "access_keys": "AKIA1, AKIA2"})
    text = jsonout.dumps(audit_json(Audit((found,))))
    assert json.loads(text)[0]["evidence"] == {"active_keys": 2, "z": None, "a": True, "access_keys": "AKIA1, AKIA2"}
    assert list(json.loads(text)[0]["evidence"]) == ["active_keys", "z", "a", "access_keys"]
    assert "user/é" in text
