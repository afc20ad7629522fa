"""HTTP guards: bearer tokens and a request body limit, as plain ASGI middleware."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InputError


def load_tokens(env: dict[str, str] | None = None) -> tuple[str, ...]:
    """Tokens from ACCESSGRAPH_API_TOKENS (comma-separated) and ACCESSGRAPH_API_TOKENS_FILE (one per line)."""
    env = dict(os.environ) if env is None else env
    tokens = [t.strip() for t in env.get("ACCESSGRAPH_API_TOKENS", "").split(",") if t.strip()]
    path = env.get("ACCESSGRAPH_API_TOKENS_FILE")
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"cannot read the API token file {path}: {exc.strerror}") from exc
        tokens += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise InputError(f"{len(short)} API token(s) are shorter than 16 characters; use long random tokens")
    return tuple(tokens)


class BearerAuth:
    """When tokens are configured, requests to protected paths need `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, tokens: Iterable[str], protected: tuple[str, ...]) -> None:
        self.app = app
        self.tokens = tuple(t.encode() for t in tokens)
        self.protected = protected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.tokens or not scope["path"].startswith(self.protected):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, presented = header.partition(b" ")
        if scheme.lower() == b"bearer" and any(hmac.compare_digest(presented.strip(), t) for t in self.tokens):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"errors": [{"message": "authentication required: send Authorization: Bearer <token>"}]},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="accessgraph"'},
        )
        await response(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not Content-Length says so."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse({"errors": [{"message": f"request body over {self.limit} bytes"}]}, status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
