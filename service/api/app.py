"""The ASGI application: GraphQL at /graphql, the explorer at /, health at /healthz and /readyz.

Safe defaults live here and in `Limits`: depth, alias and token limits; internal errors masked while
accessgraph's own errors (a bad ARN, a dead database) pass through (see problems.py); no introspection, no
IDE and no field suggestions unless `dev`; a request body limit; a request body that is not a UTF-8 JSON
object → 400; a time limit on every operation and on every Cypher transaction; bearer tokens when
configured; security headers on every response; Neo4j unavailable, refusing us or not ready → HTTP 503,
and recovery without a restart. Connection-level guards (slow clients) are in server.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import neo4j
import strawberry
from cross_web import HTTPException
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from service.api.context import Context, Limits
from service.api.headers import SecurityHeaders
from service.api.problems import MASKED, Schema, is_internal
from service.api.schema import Query
from service.api.security import BearerAuth, BodyLimit, load_tokens
from service.database.reader import GraphReader
from service.database.settings import Neo4jSettings
from service.errors import AccessgraphError, DatabaseUnavailable, InputError, QueryError
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.index import PrincipalIndex
from service.reachability.snapshot import freeze
from service.reachability.warm import warm_escalation

log = logging.getLogger("accessgraph.api")

# The collector's thresholds in a server process (see `lifespan`); bench/bench_loop_holds.py measures with them.
SERVER_GC_THRESHOLDS = (50_000, 20, 100)


def build_schema(limits: Limits | None = None, *, dev: bool = False) -> strawberry.Schema:
    limits = limits or Limits()
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaskErrors(should_mask_error=is_internal, error_message=MASKED),
    ]
    if not dev:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return Schema(query=Query, extensions=extensions, suggestions=dev)


class GraphQLApp(GraphQL[Context, None]):
    def __init__(
        self, schema: strawberry.Schema, reader_of: Any, limits: Limits, index: PrincipalIndex, *, dev: bool
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if dev else None, allow_queries_via_get=dev)
        self._reader_of = reader_of
        self._limits = limits
        self._index = index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's HTTP handling, with its refusals (400, 404, 405) as JSON errors, like every other."""
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:
            response = JSONResponse({"errors": [{"message": exc.reason}]}, status_code=exc.status_code)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        """The body as a JSON object (a batch, a list, is refused later), or a 400 that says what is wrong."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"the request body is not UTF-8 (byte {exc.start} cannot be decoded)") from None
        try:
            body = json.loads(text)
            if "\\u" in text:
                # A lone surrogate escape (\ud800) decodes to a str no database driver can encode.
                json.dumps(body, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"the request body is not JSON: {exc.msg} at character {exc.pos}") from None
        except UnicodeEncodeError:
            raise HTTPException(400, "the request body holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None
        except RecursionError:
            raise HTTPException(400, "the request body nests JSON arrays or objects too deeply") from None
        if not isinstance(body, dict | list):
            raise HTTPException(400, 'the request body must be a JSON object: {"query": "...", "variables": {...}}')
        return body

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        request.state.sub_response = response
        return Context(reader=self._reader_of(), limits=self._limits, index=self._index)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the explorer's locally built assets: nothing is fetched from a CDN."""
        from service.explorer import graphiql_page

        return await graphiql_page(request)

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        try:
            async with asyncio.timeout(self._limits.query_timeout_seconds):
                return await super().execute_operation(*args, **kwargs)
        except TimeoutError:
            error = GraphQLError(
                f"the question took longer than {self._limits.query_timeout_seconds:.0f} s, counting any wait "
                "for a busy server; narrow it (fewer hops, a more specific action or resource) or retry",
                original_error=QueryError("timeout"),
            )
            return ExecutionResult(data=None, errors=[error])

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if any(isinstance(e.original_error, DatabaseUnavailable) for e in result.errors or ()):
            request.state.sub_response.status_code = 503
        return await super().process_result(request, result)


PRECOMPUTE_ESCALATION = "ACCESSGRAPH_ESCALATION_PRECOMPUTE"


def precompute_escalation() -> bool:
    """Whether the warm-up works out every principal's ways in ahead (the default; ACCESSGRAPH_ESCALATION_PRECOMPUTE=0
    or `serve --no-precompute-escalation` turns it off): whoCanAssume with escalation then walks them
    (docs/escalation-questions.md). Any other value than 1/0 (true/false, yes/no, on/off) is refused."""
    value = os.environ.get(PRECOMPUTE_ESCALATION, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("", "1", "true", "yes", "on"):
        return True
    raise InputError(f"{PRECOMPUTE_ESCALATION} must be 1 or 0, not {value!r}")


async def _warm_up(index: PrincipalIndex, reader: GraphReader, precompute: bool = False) -> None:
    """Read every loaded account into the principal index at start-up and parse their policies, so the first
    question does not wait for it. A database that does not answer yet is no error: questions read what
    they need themselves."""
    started = time.monotonic()
    try:
        entries, _ = await index.accounts(reader, await index.generation(reader))
        policies = await index.prepare()
        principals = sum(len(entry.profiles) for entry in entries.values())
        log.info(
            "principal index ready: %d accounts, %d users and roles, %d policies in %.1f s",
            len(entries),
            principals,
            policies,
            time.monotonic() - started,
        )
        # The escalation questions' own start (docs/escalation-questions.md), timed apart: its cost is
        # measured against the load's (bench/bench_questions.py reads this line).
        started = time.monotonic()
        if precompute:
            await warm_escalation(index, reader)  # (the index, every principal's ways in, and a first walk: warm.py)
        else:
            await build_escalation_index(index, reader)
        freeze()  # the escalation index lives as long as the generation: keep full collections off it
        log.info("escalation index built in %.1f s", time.monotonic() - started)
    except (AccessgraphError, neo4j.exceptions.Neo4jError, OSError) as exc:
        log.warning("principal index not warmed up: %s", exc)


def create_app(
    *,
    dev: bool = False,
    settings: Neo4jSettings | None = None,
    limits: Limits | None = None,
    tokens: tuple[str, ...] | None = None,
    warm: bool = False,
) -> Starlette:
    """The application. Settings resolve lazily at start-up, so `create_app()` never touches the database.
    With `warm`, start-up also reads every loaded account into the principal index, in the background."""
    limits = limits or Limits()
    tokens = load_tokens() if tokens is None else tokens
    precompute = precompute_escalation() if warm else False  # (refused now, not in the background)
    state: dict[str, GraphReader] = {}
    index = PrincipalIndex()
    warming: set[asyncio.Task[None]] = set()

    def reader() -> GraphReader:
        return state["reader"]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        state["reader"] = GraphReader(settings or Neo4jSettings.resolve(), timeout=limits.query_timeout_seconds)
        if warm:
            # A server process keeps a large, long-lived principal index: collect garbage in larger
            # batches (the defaults walk young objects every 700 allocations; a 30k-principal answer
            # allocates a few hundred thousand). The index itself is frozen out of collections.
            gc.set_threshold(*SERVER_GC_THRESHOLDS)
        warm_up = asyncio.create_task(_warm_up(index, state["reader"], precompute)) if warm else None
        if warm_up is not None:
            warming.add(warm_up)
        try:
            yield
        finally:
            if warm_up is not None and not warm_up.done():
                warm_up.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warm_up
            await state["reader"].close()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        if any(not task.done() for task in warming):
            # Keep a load balancer's traffic away until the principal index is read (or failed to be).
            message = "reading the principal index; ready in a moment"
            return JSONResponse({"status": "warming", "neo4j": "up", "message": message}, status_code=503)
        try:
            await reader().check()
        except DatabaseUnavailable as exc:
            message = f"{exc} (the API recovers by itself when Neo4j does)"
            return JSONResponse({"status": "unavailable", "neo4j": exc.reason, "message": message}, status_code=503)
        return JSONResponse({"status": "ready", "neo4j": "up"})

    async def unavailable(_: Request, exc: Exception) -> Response:
        return JSONResponse({"errors": [{"message": str(exc)}]}, status_code=503)

    graphql = GraphQLApp(build_schema(limits, dev=dev), reader, limits, index, dev=dev)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    routes += _explorer_routes(dev)
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={DatabaseUnavailable: unavailable})
    app.add_middleware(BearerAuth, tokens=tokens, protected=("/graphql", "/readyz"))
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _explorer_routes(dev: bool) -> list[BaseRoute]:
    try:
        from service import explorer
    except ImportError:
        return []
    routes: list[BaseRoute] = explorer.routes(dev)
    return routes


def create_dev_app() -> Starlette:
    """Factory for `uvicorn --factory` in development mode."""
    return create_app(dev=True, warm=True)


def create_production_app() -> Starlette:
    """Factory for `uvicorn --factory` in production mode."""
    return create_app(dev=False, warm=True)
