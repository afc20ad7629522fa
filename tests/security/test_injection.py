"""Injection payloads through every string argument of every query (issue #18): the graph is unchanged,
and each answer is data (often empty) or an error that says what is wrong, never a masked internal error,
never a server error. Every Cypher statement is a parameterized file, so this guards that it stays so."""

from __future__ import annotations

import logging
from typing import Any

import neo4j
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, Undefined, get_named_type
from starlette.testclient import TestClient

from service.api.app import build_schema, create_app
from service.api.problems import MASKED
from service.cli import main
from service.database import Neo4jSettings, apply_schema
from tests.conftest import empty_database
from tests.integration.api.conftest import ROOT
from tests.support.graph_state import graph_state

PAYLOADS = [
    # Cypher: breaking out of a string, a map, a label; comments; procedure calls; parameters
    "x' OR 1=1 //",
    'x" OR 1=1 //',
    "'}) MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x`) DETACH DELETE n //",
    "x'}) CREATE (:Pwned) RETURN 1 //",
    "111111111111'}) WITH 1 AS x CALL db.labels() YIELD label RETURN label //",
    "$key",
    "{key: 'x'}",
    "x /* */ UNION MATCH (n) RETURN n",
    "arn:aws:iam::111111111111:role/* WITH * MATCH (n) SET n.pwned = true",
    # Lucene (the full-text search): every special character, a query syntax, a regex
    '+-&&||!(){}[]^"~*?:\\/',
    "name:* OR arn:/.*/",
    "/.*/",
    "*",
    # quotes and backslashes
    "\\",
    "\\'",
    '\\"',
    "\\u0000",
    # unicode: NUL, controls, bidi override, zero width, combining marks, astral, non-Latin scripts
    "\x00",
    "\x1b[31m\r\n\t",
    "\u202egnp.exe",
    "a\u200bb",
    "e\u0301\u0301\u0301",
    "🔑🧑\u200d💻",
    "ロール مدير",
    # other interpreters that have bitten Java services and log pipelines
    "${jndi:ldap://127.0.0.1:1/a}",
    "%s%s%s%n",
    "<script>alert(1)</script>",
    # very long: one word, and many words
    "A" * 1000,
    " ".join(["ab"] * 2000),
    "",
]

# A plain value for each required argument, so each payload goes through one argument at a time.
PLAIN = {
    "roleArn": "arn:aws:iam::111111111111:role/ContractorAccess",
    "principalArn": "arn:aws:iam::111111111111:user/alice",
    "action": "s3:GetObject",
    "resource": "*",
    "arn": "111111111111",
    "text": "alice",
    "since": "2000-01-01",  # changes: a time before every load
}


def _string_arguments() -> list[tuple[str, str]]:
    query = build_schema(dev=True)._schema.query_type
    assert isinstance(query, GraphQLObjectType)
    return [
        (field, name)
        for field, definition in query.fields.items()
        for name, argument in definition.args.items()
        if get_named_type(argument.type).name == "String"
    ]


def _operation(field: str, argument: str) -> str:
    """The query that sends `argument` and every required argument of `field` as variables."""
    query = build_schema(dev=True)._schema.query_type
    assert query is not None
    definition = query.fields[field]
    required = [
        name
        for name, a in definition.args.items()
        if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
    ]
    names = dict.fromkeys([*required, argument])
    declarations = ", ".join(f"${name}: {definition.args[name].type}" for name in names)
    arguments = ", ".join(f"{name}: ${name}" for name in names)
    return f"query({declarations}) {{ {field}({arguments}) {{ __typename }} }}"


@pytest.fixture(scope="module")
def demo_graph(neo4j_driver: neo4j.Driver) -> neo4j.Driver:
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    assert main(["load", "--quiet", str(ROOT / "examples")]) == 0
    return neo4j_driver


def test_every_string_argument_is_probed() -> None:
    fields = {field for field, _ in _string_arguments()}
    query = build_schema(dev=True)._schema.query_type
    assert query is not None and fields == set(query.fields), "a query without string arguments: check it here"
    assert len(_string_arguments()) >= 20


def test_injection_payloads_change_nothing(
    neo4j_settings: Neo4jSettings, demo_graph: neo4j.Driver, caplog: pytest.LogCaptureFixture
) -> None:
    before = graph_state(demo_graph)
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        for field, argument in _string_arguments():
            operation = _operation(field, argument)
            for payload in PAYLOADS:
                where = f"{field}({argument}: {payload[:60]!r})"
                variables: dict[str, Any] = {name: PLAIN[name] for name in PLAIN if f"${name}:" in operation}
                variables[argument] = payload
                answer = c.post("/graphql", json={"query": operation, "variables": variables})
                assert answer.status_code == 200, (where, answer.status_code, answer.text[:300])
                body = answer.json()
                errors = [e["message"] for e in body.get("errors") or ()]
                assert MASKED not in errors, (where, errors)
                assert not any(m.startswith("Variable '$") for m in errors), (where, errors)  # the resolver ran
                assert body.get("data") is not None or errors, (where, body)
    assert not [r.getMessage()[:300] for r in caplog.records if r.levelno >= logging.ERROR]
    assert graph_state(demo_graph) == before
    records, _, _ = demo_graph.execute_query("MATCH (n) WHERE n:Pwned OR n.pwned IS NOT NULL RETURN count(n) AS n")
    assert records[0]["n"] == 0
