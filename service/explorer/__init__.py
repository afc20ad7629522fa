"""The explorer's web assets for Starlette: the page at `/`, its bundle under `/static/explorer/`, and, in
development mode, GraphiQL (`graphiql_page`, bundled under `/static/graphiql/` from npm, so it works offline).

The bundles are built from `explorer/` by `bash .ci/explorer` into `service/explorer/static/` (git-ignored).
When they have not been built, `/` answers 503 with the command that builds them.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["STATIC", "WithGraphiQL", "graphiql_page", "routes"]

STATIC = Path(__file__).parent / "static"
NOT_BUILT = "the explorer is not built: run `bash .ci/explorer` (npm ci and the esbuild bundle), then reload\n"

# The page loads only its own bundle and talks only to this server: no CDN, nothing inline but styles.
EXPLORER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

GRAPHIQL_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>accessgraph GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/graphiql/graphiql.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
  <script type="module" src="/static/graphiql/graphiql.js"></script>
</head>
<body>
  <div id="graphiql" data-endpoint="{endpoint}"><noscript>GraphiQL needs JavaScript.</noscript></div>
</body>
</html>
"""


class _Assets(StaticFiles):
    """Static files that revalidate (fixed bundle names, so a rebuilt bundle must not be served stale)."""

    def __init__(self, directory: Path, dev: bool) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._dev = dev

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers.update(SECURITY_HEADERS)
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.endswith(".map") and not self._dev:
            return PlainTextResponse("Not Found", status_code=404)
        return await super().get_response(path, scope)


def _index(dev: bool) -> Route:
    async def index(request: Request) -> Response:
        page = STATIC / "explorer" / "index.html"
        if not page.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503)
        text = page.read_text(encoding="utf-8")
        if dev:
            text = text.replace("<body>", '<body data-dev="true">', 1)
        headers = {"Content-Security-Policy": EXPLORER_CSP, "Cache-Control": "no-cache", **SECURITY_HEADERS}
        return HTMLResponse(text, headers=headers)

    return Route("/", index, methods=["GET", "HEAD"], name="explorer")


async def graphiql_page(request: Request) -> Response:
    """GraphiQL's page (development mode): route HTML GETs of /graphql here; it POSTs to the same path."""
    if not (STATIC / "graphiql" / "graphiql.js").is_file():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    endpoint = html.escape(request.url.path, quote=True)
    headers = {"Content-Security-Policy": GRAPHIQL_CSP, "Cache-Control": "no-cache", **SECURITY_HEADERS}
    return HTMLResponse(GRAPHIQL_HTML.format(endpoint=endpoint), headers=headers)


class WithGraphiQL:
    """An ASGI app for `/graphql` in development mode: a browser's GET asking for HTML (and no `query`) gets
    GraphiQL's page; everything else goes to the API. Usage: `Route("/graphql", WithGraphiQL(api))`."""

    def __init__(self, api: ASGIApp) -> None:
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            request = Request(scope, receive)
            if "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
                response = await graphiql_page(request)
                await response(scope, receive, send)
                return
        await self.api(scope, receive, send)


def routes(dev: bool) -> list[BaseRoute]:
    """The explorer's routes: `/` and `/static/explorer/`; in development mode also `/static/graphiql/`."""
    mounted: list[BaseRoute] = [
        _index(dev),
        Mount("/static/explorer", app=_Assets(STATIC / "explorer", dev), name="explorer-static"),
    ]
    if dev:
        mounted.append(Mount("/static/graphiql", app=_Assets(STATIC / "graphiql", dev), name="graphiql-static"))
    return mounted
