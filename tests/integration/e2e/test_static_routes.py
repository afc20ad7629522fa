"""service.explorer's routes without a browser or a database: the page, its assets, dev-only GraphiQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import service.explorer as explorer


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in bundle in a temporary static folder (the real one is built by .ci/explorer)."""
    (tmp_path / "explorer").mkdir()
    (tmp_path / "graphiql").mkdir()
    (tmp_path / "explorer" / "index.html").write_text("<html><body><p>explorer</p></body></html>")
    (tmp_path / "explorer" / "explorer.js").write_text("console.log('explorer')")
    (tmp_path / "explorer" / "explorer.js.map").write_text("{}")
    (tmp_path / "graphiql" / "graphiql.js").write_text("console.log('graphiql')")
    monkeypatch.setattr(explorer, "STATIC", tmp_path)
    return tmp_path


def client(dev: bool) -> TestClient:
    routes = [Route("/graphql", explorer.graphiql_page), *explorer.routes(dev)]
    return TestClient(Starlette(routes=routes))


def test_index_and_assets_are_served_with_a_strict_policy(built: Path) -> None:
    with client(dev=False) as http:
        page = http.get("/")
        assert page.status_code == 200
        assert "explorer" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert 'data-dev="true"' not in page.text
        script = http.get("/static/explorer/explorer.js")
        assert script.status_code == 200 and script.headers["cache-control"] == "no-cache"
        assert http.get("/static/explorer/explorer.js.map").status_code == 404
        assert http.get("/static/explorer/../graphiql/graphiql.js").status_code == 404
        assert http.get("/static/graphiql/graphiql.js").status_code == 404


def test_dev_mode_marks_the_page_and_serves_graphiql_locally(built: Path) -> None:
    with client(dev=True) as http:
        assert 'data-dev="true"' in http.get("/").text
        assert http.get("/static/graphiql/graphiql.js").status_code == 200
        assert http.get("/static/explorer/explorer.js.map").status_code == 200
        page = http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert '<script type="module" src="/static/graphiql/graphiql.js">' in page.text
        assert "http://" not in page.text and "https://" not in page.text


def test_an_unbuilt_explorer_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explorer, "STATIC", tmp_path)
    with client(dev=True) as http:
        for path in ("/", "/graphql"):
            answer = http.get(path)
            assert answer.status_code == 503
            assert "bash .ci/explorer" in answer.text


async def fake_api(request: Request) -> Response:
    return JSONResponse({"data": {"api": request.method}})


def test_with_graphiql_sends_browsers_to_graphiql_and_queries_to_the_api(built: Path) -> None:
    api = Route("/graphql", fake_api, methods=["GET", "POST"])
    app = Starlette(routes=[Route("/graphql", explorer.WithGraphiQL(api))])
    with TestClient(app) as http:
        page = http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
        assert page.status_code == 200 and "/static/graphiql/graphiql.js" in page.text
        assert http.get("/graphql?query={a}", headers={"Accept": "text/html"}).json() == {"data": {"api": "GET"}}
        assert http.get("/graphql", headers={"Accept": "application/json"}).json() == {"data": {"api": "GET"}}
        assert http.post("/graphql", json={"query": "{a}"}).json() == {"data": {"api": "POST"}}
