"""The HTTP surface, probed (issue #18): bearer tokens, the limits at and past each bound, content types,
path tricks, and security headers on every response (item 10)."""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from service.api.app import create_app
from service.api.context import Limits
from service.database import Neo4jSettings
from service.explorer import EXPLORER_CSP, GRAPHIQL_CSP, STATIC
from service.reachability.questions import Reachability

TOKEN = "probe-token-0123456789abcdef"
TYPENAME = {"query": "{ __typename }"}
# No Neo4j answers here: nothing in this module needs one, and anything that reached it would be a 503.
NOWHERE = Neo4jSettings("bolt://127.0.0.1:9", "neo4j", "unused")


def _client(**options: Any) -> TestClient:
    return TestClient(
        create_app(settings=options.pop("settings", NOWHERE), tokens=options.pop("tokens", ()), **options)
    )


# -- bearer tokens ---------------------------------------------------------------------------------

AUTHORIZATION: dict[str, tuple[bytes | None, int]] = {
    "valid": (f"Bearer {TOKEN}".encode(), 200),
    "scheme in lower case": (f"bearer {TOKEN}".encode(), 200),
    "missing": (None, 401),
    "wrong token": (b"Bearer wrong-token-0123456789abcdef", 401),
    "token with a suffix": (f"Bearer {TOKEN}x".encode(), 401),
    "token cut short": (f"Bearer {TOKEN[:-1]}".encode(), 401),
    "no scheme": (TOKEN.encode(), 401),
    "basic scheme": (f"Basic {TOKEN}".encode(), 401),
    "scheme only": (b"Bearer", 401),
    "empty": (b"", 401),
    "two tokens": (f"Bearer {TOKEN}, Bearer {TOKEN}".encode(), 401),
    "not ASCII": (b"Bearer \xff\xfe" + TOKEN.encode(), 401),
}


@pytest.mark.parametrize("case", AUTHORIZATION)
def test_bearer_token_variants(case: str) -> None:  # bytes: httpx sends them as they are
    header, status = AUTHORIZATION[case]
    headers = {} if header is None else {"authorization": header}
    with _client(tokens=(TOKEN,)) as c:
        answer = c.post("/graphql", json=TYPENAME, headers=headers)
    assert answer.status_code == status, answer.text
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "authentication required" in answer.json()["errors"][0]["message"]
    else:
        assert answer.json() == {"data": {"__typename": "Query"}}


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with _client(tokens=(TOKEN,)) as c:
        assert c.post("/graphql", json=TYPENAME, headers={"authorization": "Bearer nope-nope-nope-nope"}).status_code
    assert compared and all(b == TOKEN.encode() for _, b in compared)


def test_what_tokens_protect_and_what_stays_open() -> None:
    with _client(tokens=(TOKEN,)) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 401
        assert c.post("/graphql", json=TYPENAME, params={"access_token": TOKEN}).status_code == 401
        assert c.get("/").status_code in (200, 503)  # the explorer page asks for a token itself


# -- limits at and past each bound ---------------------------------------------------------------


def _depth(depth: int) -> str:
    """A valid query exactly `depth` fields deep. At the root, search (a NodeRef) or entity (an Entity);
    then alternately entity and groups, so that the last is a NodeRef; arn last."""
    if depth % 2 == 0:
        root, chain = 'search(text: "x")', ["entity", "groups"]
    else:
        root, chain = 'entity(arn: "x")', ["groups", "entity"]
    inner = "arn"
    for name in reversed((chain * depth)[: depth - 2]):
        inner = f"{name} {{ {inner} }}"
    return f"{{ {root} {{ {inner} }} }}"


def _messages(answer: Any) -> str:
    return " ".join(e["message"] for e in answer.json().get("errors", ()))


def test_depth_limit_at_and_past_the_bound() -> None:
    with _client() as c:
        # strawberry counts the root field as depth 0: depth 12 is 13 nested fields.
        at, past = c.post("/graphql", json={"query": _depth(13)}), c.post("/graphql", json={"query": _depth(14)})
    assert "depth" not in _messages(at) and at.status_code == 503  # validated; then no Neo4j
    assert "exceeds maximum operation depth of 12" in _messages(past)


def test_alias_limit_at_and_past_the_bound() -> None:
    def aliases(n: int) -> dict[str, str]:
        return {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"}

    with _client() as c:
        assert c.post("/graphql", json=aliases(15)).json()["data"]["a14"] == "Query"
        assert "16 aliases found. Allowed: 15" in _messages(c.post("/graphql", json=aliases(16)))


def test_token_limit_at_and_past_the_bound() -> None:
    def tokens(n: int) -> dict[str, str]:  # 10 tokens around n copies of `arn`
        return {"query": '{ search(text: "x") { ' + "arn " * (n - 10) + "} }"}

    with _client() as c:
        assert "tokens" not in _messages(c.post("/graphql", json=tokens(2000)))
        assert "more than 2000 tokens" in _messages(c.post("/graphql", json=tokens(2001)))


def test_body_limit_at_and_past_the_bound() -> None:
    def body(size: int) -> bytes:
        text = json.dumps({"query": "{ __typename }", "variables": {"pad": ""}}).encode()
        return text.replace(b'"pad": ""', b'"pad": "' + b"x" * (size - len(text)) + b'"')

    with _client() as c:
        headers = {"content-type": "application/json"}
        assert len(body(65536)) == 65536
        assert c.post("/graphql", content=body(65536), headers=headers).status_code == 200
        refused = c.post("/graphql", content=body(65537), headers=headers)
        assert refused.status_code == 413 and "over 65536 bytes" in _messages(refused)

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield body(65537)

        assert c.post("/graphql", content=chunks(), headers=headers).status_code == 413


def test_operation_time_limit_by_config(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*_: Any) -> Any:
        await asyncio.Event().wait()

    monkeypatch.setattr(Reachability, "who_can", never)
    with _client(limits=Limits(query_timeout_seconds=1.0)) as c:
        answer = c.post("/graphql", json={"query": '{ whoCan(action: "s3:GetObject", resource: "*") { hops } }'})
    assert answer.status_code == 200 and answer.json()["data"] is None
    assert "the question took longer than 1 s" in _messages(answer)


# -- content types ---------------------------------------------------------------------------------

CONTENT: dict[str, tuple[str, dict[str, Any], int]] = {
    "JSON": ("POST", {"json": TYPENAME}, 200),
    "JSON with a charset": (
        "POST",
        {"content": b'{"query": "{ __typename }"}', "headers": {"content-type": "application/json; charset=utf-8"}},
        200,
    ),
    "GET with a query (production)": ("GET", {"params": TYPENAME}, 400),
    "GET without a query": ("GET", {}, 404),
    "form-encoded": ("POST", {"data": TYPENAME}, 400),
    "text/plain": ("POST", {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}}, 400),
    "multipart": ("POST", {"files": {"operations": ("o", b'{"query": "{ __typename }"}')}}, 400),
    "missing content type": ("POST", {"content": b'{"query": "{ __typename }"}'}, 400),
    "a batch": ("POST", {"json": [TYPENAME, TYPENAME]}, 400),
    "PUT": ("PUT", {"json": TYPENAME}, 405),
    "DELETE": ("DELETE", {}, 405),
}


@pytest.mark.parametrize("case", CONTENT)
def test_content_types(case: str) -> None:
    method, options, status = CONTENT[case]
    with _client() as c:
        answer = c.request(method, "/graphql", **options)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json() == {"data": {"__typename": "Query"}}
    elif status != 405:
        assert answer.headers["content-type"].startswith("application/json") and _messages(answer)


def test_get_queries_only_in_development() -> None:
    with _client(dev=True) as c:
        assert c.get("/graphql", params=TYPENAME).json() == {"data": {"__typename": "Query"}}


# -- security headers (item 10) --------------------------------------------------------------------


def test_the_explorer_page_has_its_policy_under_every_path() -> None:
    assert (STATIC / "explorer" / "index.html").is_file(), "build the explorer first: bash .ci/explorer"
    with _client() as c:
        for path in ("/", "/static/explorer/index.html", "/static/explorer/explorer.js"):
            answer = c.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-security-policy"] == EXPLORER_CSP, path
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["x-frame-options"] == "DENY"


def test_every_response_has_security_headers() -> None:
    with _client(tokens=(TOKEN,)) as c:
        answers = [
            c.get("/healthz"),
            c.get("/nowhere"),
            c.post("/graphql", json=TYPENAME),  # 401
            c.post("/graphql", content=b"x" * 70_000, headers={"content-type": "application/json"}),  # 413
            c.post("/graphql", json=TYPENAME, headers={"authorization": f"Bearer {TOKEN}"}),
            c.get("/readyz", headers={"authorization": f"Bearer {TOKEN}"}),  # 503
        ]
    for answer in answers:
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], answer.request.url
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_graphiql_keeps_its_own_policy() -> None:
    with _client(dev=True) as c:
        page = c.get("/graphql", headers={"accept": "text/html"})
    if page.status_code == 200:
        assert page.headers["content-security-policy"] == GRAPHIQL_CSP
    else:
        assert page.status_code == 503 and "not built" in page.text


# -- path tricks, on a real server (clients normalise dots before they send) -------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = create_app(settings=NOWHERE, tokens=(TOKEN,))
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(timeout=30)


def _raw_request(port: int, target: str, method: str = "GET", body: bytes = b"") -> tuple[int, bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        head = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        conn.sendall(head.encode() + b"\r\n" + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    headers, _, content = received.partition(b"\r\n\r\n")
    return int(headers.split(b" ", 2)[1]), headers.lower(), content


SOURCE_MARKERS = (b"def create_app", b"import ", b"[project]", b"password")
TRAVERSALS = [
    "/static/../service/api/app.py",
    "/static/explorer/../../app.py",
    "/static/explorer/../../../../pyproject.toml",
    "/static/explorer/%2e%2e/%2e%2e/api/app.py",
    "/static/explorer/%2E%2E%2F%2E%2E%2Fapi%2Fapp.py",
    "/static/explorer/..%2f..%2f..%2f..%2fpyproject.toml",
    "/static/explorer/..%5c..%5capi%5capp.py",
    "/static/explorer/.%2e/.%2e/api/app.py",
    "/static//explorer/../../../pyproject.toml",
    "/static/explorer/index.html%00.py",
    "/static/explorer/%252e%252e/%252e%252e/api/app.py",
    "//etc/passwd",
    "/static/explorer//etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_tricks_reach_no_file_outside_the_bundle(server: int, target: str) -> None:
    status, _, content = _raw_request(server, target)
    assert status in (400, 404), (target, status)
    assert not any(marker in content for marker in SOURCE_MARKERS), target


GRAPHQL_SPELLINGS = ["/graphql", "//graphql", "/graphql/", "/./graphql", "/static/../graphql", "/%67raphql", "/GRAPHQL"]


@pytest.mark.parametrize("target", GRAPHQL_SPELLINGS)
def test_no_spelling_of_graphql_skips_the_token(server: int, target: str) -> None:
    status, _, content = _raw_request(server, target, "POST", json.dumps(TYPENAME).encode())
    assert status in (307, 401, 404), (target, status)
    assert b'"__typename"' not in content


def test_static_files_carry_the_policy_on_a_real_server(server: int) -> None:
    status, headers, _ = _raw_request(server, "/static/explorer/index.html")
    if status == 200:
        assert f"content-security-policy: {EXPLORER_CSP}".lower().encode() in headers
    else:
        assert status == 404  # not built
