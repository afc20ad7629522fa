"""Security headers on every response, as plain ASGI middleware."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.explorer import EXPLORER_CSP, SECURITY_HEADERS

# The explorer's policy for everything, not only `/`: the same page is a static file too
# (/static/explorer/index.html), and an answer or an error page must not be framed or sniffed either.
DEFAULT_HEADERS = {"Content-Security-Policy": EXPLORER_CSP, "X-Frame-Options": "DENY", **SECURITY_HEADERS}


class SecurityHeaders:
    """Adds each of `headers` to every HTTP response that does not set it itself (GraphiQL's page sets its
    own policy)."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str] = DEFAULT_HEADERS) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
