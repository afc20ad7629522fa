"""Baselines: a finding's identity is role, trusted principal and statement content, not its position."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from service.cli.baseline import apply_baseline, baseline_options
from service.errors import InputError, QueryError
from service.history.baseline import new_findings, read_baseline, trust_identity


def finding(role: str, trusted: str, statement: dict[str, object], index: int = 0) -> dict[str, object]:
    return {"role": {"arn": role}, "trusted": {"arn": trusted}, "statement": json.dumps(statement),
            "statementIndex": index, "categories": ["outside-account"]}


STATEMENT = {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "sts:AssumeRole"}


def test_identity_is_content_not_position() -> None:
    a = finding("r", "222222222222", STATEMENT, index=0)
    moved = finding("r", "222222222222", dict(reversed(list(STATEMENT.items()))), index=3)
    assert trust_identity(a) == trust_identity(moved)
    assert trust_identity(a) != trust_identity(finding("r", "333333333333", STATEMENT))
    assert trust_identity(a) != trust_identity(finding("other", "222222222222", STATEMENT))
    conditioned = {**STATEMENT, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert trust_identity(a) != trust_identity(finding("r", "222222222222", conditioned))


def args(tmp_path: Path, findings: object, *flags: str) -> argparse.Namespace:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(findings), encoding="utf-8")
    parser = argparse.ArgumentParser()
    baseline_options(parser)
    return parser.parse_args(["--baseline", str(path), *flags])


def test_the_gate_judges_only_new_findings(tmp_path: Path) -> None:
    old = finding("r", "222222222222", STATEMENT)
    new = finding("r", "444444444444", STATEMENT)
    listed, judged = apply_baseline(args(tmp_path, [old]), [old, new], trust_identity)
    assert (listed, judged) == ([old, new], [new])
    listed, judged = apply_baseline(args(tmp_path, [old], "--new-only"), [old, new], trust_identity)
    assert (listed, judged) == ([new], [new])
    assert new_findings([old], read_baseline(tmp_path / "baseline.json", trust_identity), trust_identity) == []


def test_bad_baselines_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"baseline\.json: the baseline must be a JSON list"):
        apply_baseline(args(tmp_path, {"findings": []}), [], trust_identity)
    with pytest.raises(InputError, match="finding 0 of the baseline lacks 'role'"):
        apply_baseline(args(tmp_path, [{"x": 1}]), [], trust_identity)
    with pytest.raises(InputError, match="cannot read the baseline"):
        read_baseline(tmp_path / "missing.json", trust_identity)
    parser = argparse.ArgumentParser()
    baseline_options(parser)
    with pytest.raises(QueryError, match="--new-only needs --baseline"):
        apply_baseline(parser.parse_args(["--new-only"]), [], trust_identity)
