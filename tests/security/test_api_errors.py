"""Client mistakes are answered as what they are (issue #18 items 5, 6, 13b): a GraphQL error or a 400
that says what is wrong, never "Internal error", never an ERROR log with a traceback; logs stay bounded;
no field suggestions in production; every `after` cursor is validated."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from graphql import GraphQLNamedType, GraphQLObjectType
from starlette.testclient import TestClient

from service.api.app import build_schema, create_app
from service.api.problems import MASKED
from service.cli import main
from service.database import Neo4jSettings, apply_schema
from service.reachability.questions import Reachability
from tests.conftest import empty_database
from tests.integration.api.conftest import ROOT

ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ContractorAccess"
SEARCH = "query($text: String!, $first: Int) { search(text: $text, first: $first) { arn } }"


@pytest.fixture(scope="module")
def demo_graph(neo4j_driver: neo4j.Driver) -> None:
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    assert main(["load", "--quiet", str(ROOT / "examples")]) == 0


@pytest.fixture
def api(neo4j_settings: Neo4jSettings, demo_graph: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        yield c


def _raw(c: TestClient, body: bytes) -> Any:
    return c.post("/graphql", content=body, headers={"content-type": "application/json"})


CLIENT_MISTAKES: dict[str, tuple[dict[str, Any] | bytes, str]] = {
    "variable of the wrong type": (
        {"query": SEARCH, "variables": {"text": "x", "first": "ten"}},
        "Int cannot represent",
    ),
    "variable missing": ({"query": SEARCH, "variables": {}}, "'String!' to be provided"),
    "variable of a list type": ({"query": SEARCH, "variables": {"text": ["a"]}}, "String cannot represent"),
    "search word over 1,000 characters": (
        {"query": SEARCH, "variables": {"text": "a" * 1001}},
        "search words are at most 1000 characters",
    ),
    "cursor past 64 bits": (
        {"query": '{ neighbours(arn: "111111111111", after: "9223372036854775807") { totalCount } }'},
        "is not a cursor this API returned",
    ),
    "cursor past 32 bits": (
        {"query": '{ neighbours(arn: "111111111111", after: "2147483647") { totalCount } }'},
        "is not a cursor this API returned",
    ),
    "lone surrogate in a variable": (
        b'{"query": "' + SEARCH.encode() + b'", "variables": {"text": "\\ud800"}}',
        "surrogate",
    ),
    "body that is a JSON string": (b'"{ __typename }"', "must be a JSON object"),
    "body that is a JSON number": (b"42", "must be a JSON object"),
    "body that is not UTF-8": (b'{"query": "{ search(text: \\"\xff\xfe\\") { arn } }"}', "not UTF-8"),
    "body that is not JSON": (b'{"query": ', "not JSON"),
    "JSON nested too deeply": (b"[" * 30000 + b"]" * 30000, "too deeply"),
    "query that is not a string": ({"query": 12}, "must be a string"),
    "variables that are not an object": ({"query": SEARCH, "variables": "x"}, "must be an object"),
}


@pytest.mark.parametrize("case", CLIENT_MISTAKES, ids=list(CLIENT_MISTAKES))
def test_client_mistakes_say_what_is_wrong(api: TestClient, caplog: pytest.LogCaptureFixture, case: str) -> None:
    body, expected = CLIENT_MISTAKES[case]
    caplog.set_level(logging.INFO)
    response = _raw(api, body) if isinstance(body, bytes) else api.post("/graphql", json=body)
    assert response.status_code in (200, 400), response.text
    assert response.headers["content-type"].startswith("application/json")
    messages = [e["message"] for e in response.json()["errors"]]
    assert any(expected in m for m in messages), messages
    assert MASKED not in messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], "logged as a server fault"


def test_internal_errors_stay_masked_and_are_logged_with_a_bounded_traceback(
    api: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> Any:
        raise RuntimeError("secret detail " + "x" * 100_000)

    monkeypatch.setattr(Reachability, "who_can", broken)
    caplog.set_level(logging.INFO)
    answer = api.post("/graphql", json={"query": '{ whoCan(action: "s3:GetObject", resource: "*") { hops } }'}).json()
    assert answer["errors"][0]["message"] == MASKED and "secret" not in str(answer)
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    text = logging.Formatter().format(record)
    assert "RuntimeError: secret detail" in text and "Traceback" in text
    assert len(text) < 20_000


@pytest.mark.parametrize(
    "body",
    [
        # our own errors quote what they could not find: here 60,000 characters
        {
            "query": "query($arn: String!) { whoCanAssume(roleArn: $arn) { hops } }",
            "variables": {"arn": "arn:aws:iam::111111111111:role/" + "y" * 60_000},
        },
        {"query": SEARCH, "variables": {"text": ["y" * 60_000]}},
        # one long line with many errors, each located in it
        {
            "query": "{ "
            + " ".join(f"f{i}: nope{i}(x: 1)" for i in range(14))
            + f' search(text: "{"y" * 60_000}") {{ arn }} }}'
        },
    ],
    ids=["a huge ARN", "a huge variable", "a huge line"],
)
def test_a_failed_query_is_logged_as_a_bounded_excerpt(
    api: TestClient, caplog: pytest.LogCaptureFixture, body: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    assert api.post("/graphql", json=body).json()["errors"]
    logged = sum(len(logging.Formatter().format(r)) for r in caplog.records)
    assert logged < 10_000, f"{logged} characters logged for one query"


def test_field_suggestions_only_in_development(neo4j_settings: Neo4jSettings) -> None:
    typo = {"query": '{ whoCanAssum(roleArn: "x") { hops } whoCan(actions: "s3:*", resource: "*") { hops } }'}
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        production = [e["message"] for e in c.post("/graphql", json=typo).json()["errors"]]
    with TestClient(create_app(settings=neo4j_settings, tokens=(), dev=True)) as c:
        development = [e["message"] for e in c.post("/graphql", json=typo).json()["errors"]]
    assert any("Cannot query field 'whoCanAssum'" in m for m in production)
    assert any("Unknown argument 'actions'" in m for m in production)
    assert not any("Did you mean" in m or "whoCanAssume" in m for m in production), production
    assert any("Did you mean 'whoCanAssume'" in m for m in development)


# -- cursors (item 6) ------------------------------------------------------------------------------

PAGED = {
    "whoCanAssumePage": f'roleArn: "{ROLE}"',
    "whoCanPage": 'action: "s3:GetObject", resource: "*"',
    "crossAccountTrustsPage": "",
    "externalAccess": "",
    "neighbours": f'arn: "{ACCOUNT}"',
    "adminsPage": "",
    "escalationsPage": f'principalArn: "{ROLE}"',
    "findings": "",
    "changesPage": 'since: "2020-01-01T00:00:00Z"',
}
NOT_CURSORS = ["-1", "+1", " 1", "1 ", "1_0", "1e3", "0x10", "\u0661", "\uff11", "abc", "9" * 400, "1000000001"]


def _type(name: str) -> GraphQLNamedType:
    schema = build_schema(dev=True)._schema
    return schema.query_type if name == "Query" else schema.type_map[name]  # type: ignore[return-value]


def test_every_after_argument_is_tested_here() -> None:
    query = _type("Query")
    assert isinstance(query, GraphQLObjectType)
    assert {name for name, field in query.fields.items() if "after" in field.args} == set(PAGED)


@pytest.mark.parametrize("field", PAGED)
def test_every_cursor_is_validated(api: TestClient, field: str) -> None:
    page = "totalCount hasMore endCursor"
    for after in NOT_CURSORS:
        arguments = ", ".join(a for a in (PAGED[field], "after: $after") if a)
        query = f"query($after: String) {{ {field}({arguments}) {{ {page} }} }}"
        answer = api.post("/graphql", json={"query": query, "variables": {"after": after}}).json()
        assert answer["data"] is None, (after, answer)
        assert "is not a cursor this API returned" in answer["errors"][0]["message"], (after, answer)


@pytest.mark.parametrize("field", PAGED)
def test_following_end_cursors_ends(api: TestClient, field: str) -> None:
    arguments = ", ".join(a for a in (PAGED[field], "first: 1", "after: $after") if a)
    items = "edges { kind }" if field == "neighbours" else "items { __typename }"
    query = f"query($after: String) {{ {field}({arguments}) {{ totalCount hasMore endCursor {items} }} }}"
    after, seen, pages = None, 0, 0
    while True:
        answer = api.post("/graphql", json={"query": query, "variables": {"after": after}}).json()
        page = answer["data"][field]
        pages += 1
        seen += len(page["edges" if field == "neighbours" else "items"])
        assert pages <= page["totalCount"] + 1, "cursors loop"
        if not page["hasMore"]:
            assert page["endCursor"] is None
            break
        assert page["endCursor"] is not None and page["endCursor"] != after
        after = page["endCursor"]
    assert seen == page["totalCount"] and pages >= 1
