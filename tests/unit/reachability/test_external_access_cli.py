"""`externalAccess` through the GraphQL schema and `accessgraph resource-review` as a CI gate (#14), on a
`FakeSource`: the GraphQL layer and the CLI without a database."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.api.app import build_schema
from service.api.context import Context, Limits
from service.cli import main
from service.cli import questions as cli_questions
from service.database.records import ResourceRecord
from service.errors import AccessgraphError, QueryError
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, document, run, trusting

A, C = "111111111111", "333333333333"
BUCKET = "arn:aws:s3:::reports"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
PAGE = """query($category: String, $after: String) {
  externalAccess(category: $category, first: 2, after: $after) {
    totalCount hasMore endCursor items { resource { arn kind } principal { arn kind } who actions categories }
  }
}"""


def _source() -> FakeSource:
    a = FakeAccount(A)
    a.role("vendor", trust=trusting({"AWS": f"arn:aws:iam::{C}:root"}))
    public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
    to_c = {"Effect": "Allow", "Principal": {"AWS": C}, "Action": ["s3:PutObject"], "Resource": f"{BUCKET}/*"}
    sns = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
    }
    return FakeSource(
        a,
        resources=[
            ResourceRecord(BUCKET, "AWS::S3::Bucket", A, "us-east-1", document(public, to_c)),
            ResourceRecord(QUEUE, "AWS::SQS::Queue", A, "us-east-1", document(sns)),
        ],
    )


def _query(source: FakeSource, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async def execute() -> dict[str, Any]:
        limits = Limits()
        context = Context(reader=source, limits=limits)  # type: ignore[arg-type]  # (a GraphSource is all it reads)
        result = await build_schema(limits, dev=True).execute(query, variable_values=variables, context_value=context)
        for error in result.errors or ():
            original = error.original_error
            raise original if isinstance(original, AccessgraphError) else QueryError(error.message)
        assert result.data is not None
        return result.data

    return run(execute())


def test_external_access_pages_through_every_finding() -> None:
    source = _source()
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = _query(source, PAGE, {"category": None, "after": after})["externalAccess"]
        assert page["totalCount"] == 4
        items += page["items"]
        if (after := page["endCursor"]) is None:
            assert not page["hasMore"]
            break
    assert [(i["resource"]["kind"], i["who"]) for i in items] == [
        ("role", "account"),
        ("s3-bucket", "anyone"),
        ("s3-bucket", "account"),
        ("sqs-queue", "service"),
    ]
    public = _query(source, PAGE, {"category": "public", "after": None})["externalAccess"]
    assert [i["resource"]["arn"] for i in public["items"]] == [BUCKET]
    with pytest.raises(QueryError, match="unknown category"):
        _query(source, PAGE, {"category": "bogus", "after": None})


@pytest.fixture
def fake_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source()
    monkeypatch.setattr(cli_questions, "run_query", lambda query, variables: _query(source, query, variables))

    def pages(query: str, variables: dict[str, Any], field: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after = None
        while True:  # as cli_questions.run_pages does, over the fake graph
            page = _query(source, query, {**variables, "after": after})[field]
            items += page["items"]
            if (after := page["endCursor"]) is None:
                return items

    monkeypatch.setattr(cli_questions, "run_pages", pages)


@pytest.mark.usefixtures("fake_graph")
def test_resource_review_is_a_ci_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resource-review", "--format", "json", "--fail-on", "public"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert all(
        list(f) == ["resource", "principal", "actions", "conditions", "conditionText", "categories", "statement"]
        for f in findings
    )
    assert findings[1]["resource"] == {"arn": BUCKET, "kind": "s3-bucket"}
    assert findings[1]["principal"] == {"arn": "*", "kind": "any"}
    assert findings[1]["actions"] == ["s3:GetObject"] and "public" in findings[1]["categories"]
    assert json.loads(findings[1]["statement"])["Principal"] == "*"
    assert main(["resource-review", "--fail-on", "service-without-source-condition", "--account", C]) == 0
    assert main(["resource-review", "--fail-on", "bogus"]) == 2
    assert "unknown --fail-on categories ['bogus']" in capsys.readouterr().err


@pytest.mark.usefixtures("fake_graph")
@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_resource_review_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resource-review", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert BUCKET in out and "sns.amazonaws.com" in out and "service-without-source-condition" in out
