"""HTTP guards: bearer tokens and a request body limit, as plain ASGI middleware."""

from __future__ import annotations

import hmac
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InputError

TOKENS = "ACCESSGRAPH_API_TOKENS"
TOKENS_FILE = "ACCESSGRAPH_API_TOKENS_FILE"

log = logging.getLogger("accessgraph")


def load_tokens(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Tokens from ACCESSGRAPH_API_TOKENS (comma-separated) and ACCESSGRAPH_API_TOKENS_FILE (one per line).

    A setting that is present counts as configured, even when empty: authentication is off only when
    neither is set, never because a secret came out blank.

    Raises:
        InputError: naming the setting, when a configured setting yields no token; when the file is
            missing, unreadable or writable by other users; when a token is shorter than 16 characters.
    """
    env = os.environ if env is None else env
    tokens: list[str] = []
    if TOKENS in env:
        listed = [t.strip() for t in env[TOKENS].split(",") if t.strip()]
        if not listed:
            raise InputError(
                f"{TOKENS} is set but holds no token; list the tokens (comma-separated), "
                "or unset it to serve without authentication"
            )
        tokens += listed
    if TOKENS_FILE in env:
        tokens += _tokens_from_file(env[TOKENS_FILE])
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise InputError(f"{len(short)} API token(s) are shorter than 16 characters; use long random tokens")
    return tuple(tokens)


def _tokens_from_file(name: str) -> list[str]:
    if not name.strip():
        raise InputError(f"{TOKENS_FILE} is set but names no file; name the token file, or unset it")
    path = Path(name)
    try:
        mode = path.stat().st_mode
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{TOKENS_FILE}: cannot read the API token file {path}: {reason}") from exc
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        # Whoever can write the file can add a token of their own.
        raise InputError(
            f"{TOKENS_FILE}: the API token file {path} is writable by other users "
            f"(mode {stat.S_IMODE(mode):04o}); run `chmod go-w {path}`"
        )
    if mode & stat.S_IROTH:
        # Kubernetes and Docker mount secrets world-readable inside the container: warn, do not refuse.
        log.warning("the API token file %s is readable by every local user (mode %04o)", path, stat.S_IMODE(mode))
    tokens = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not tokens:
        raise InputError(
            f"{TOKENS_FILE}: the API token file {path} holds no token (only blank or # comment lines); "
            "add one token per line, or unset the setting to serve without authentication"
        )
    return tokens


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
