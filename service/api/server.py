"""How `accessgraph serve` runs the app under uvicorn, with guards against slow and idle clients.

uvicorn 0.54 closes idle keep-alive connections (`timeout_keep_alive`) and answers 503 past a number of
open connections (`limit_concurrency`), but it waits forever for a request's headers: a client that
sends them a byte at a time holds its connection, and with enough of them every slot. `HeaderDeadline`
closes a connection whose request line and headers have not all arrived within `header_timeout` seconds
of its first byte (or of the connection, for the first request).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.errors import InputError

HEADER_TIMEOUT_ENV = "ACCESSGRAPH_HEADER_TIMEOUT"
MAX_CONNECTIONS_ENV = "ACCESSGRAPH_MAX_CONNECTIONS"
KEEP_ALIVE_ENV = "ACCESSGRAPH_KEEP_ALIVE"


@dataclass(frozen=True)
class ServerLimits:
    """The connection-level safe defaults, per worker process."""

    header_timeout: float = 5.0
    max_connections: int = 256
    keep_alive: int = 5
    max_header_bytes: int = 16 * 1024

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ServerLimits:
        """Defaults overridden by ACCESSGRAPH_HEADER_TIMEOUT, ACCESSGRAPH_MAX_CONNECTIONS, ACCESSGRAPH_KEEP_ALIVE.

        Raises:
            InputError: a value that is not a positive number (naming the variable).
        """
        env = dict(os.environ) if env is None else env
        default = cls()
        return cls(
            header_timeout=_positive(env, HEADER_TIMEOUT_ENV, default.header_timeout, float),
            max_connections=_positive(env, MAX_CONNECTIONS_ENV, default.max_connections, int),
            keep_alive=_positive(env, KEEP_ALIVE_ENV, default.keep_alive, int),
        )

    def uvicorn_options(self) -> dict[str, Any]:
        """uvicorn.run's keyword arguments for these limits. uvicorn builds the protocol from its import
        string in each worker process, so `header_timeout` reaches it through the environment: the caller
        exports it (`os.environ.update(limits.environment())`)."""
        return {
            "http": f"{HeaderDeadline.__module__}:{HeaderDeadline.__qualname__}",
            "limit_concurrency": self.max_connections,
            "timeout_keep_alive": self.keep_alive,
            "h11_max_incomplete_event_size": self.max_header_bytes,
        }

    def environment(self) -> dict[str, str]:
        return {HEADER_TIMEOUT_ENV: str(self.header_timeout)}


def _positive(env: dict[str, str], name: str, default: Any, kind: type[float] | type[int]) -> Any:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"{name}={text!r} is not a positive {'number' if kind is float else 'whole number'}")
    return value


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is too slow to arrive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = ServerLimits.from_env().header_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is complete: the body is BodyLimit's, the answer the app's

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            client = "%s:%d" % self.client if self.client else "a client"  # noqa: UP031 (uvicorn's format)
            self.logger.info("%s - closed: no complete request head within %.0f s", client, self.header_timeout)
            self.transport.close()
