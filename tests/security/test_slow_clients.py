"""Slow and idle clients against `accessgraph serve` itself (issue #18 item 9): a connection whose request
head does not arrive in time is closed, connections past the cap get 503, and complete requests are
served as before. Bounded: 50 connections, at most 10 s each."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

ACCESSGRAPH = str(Path(sys.executable).with_name("accessgraph"))
CLIENTS = 50
WITHIN_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(*flags: str) -> Iterator[int]:
    """`accessgraph serve` on a free port, with no Neo4j behind it (/healthz needs none)."""
    port = _free_port()
    env = {
        **os.environ,
        "NEO4J_URI": "bolt://127.0.0.1:9",
        "NEO4J_USERNAME": "neo4j",
        "NEO4J_PASSWORD": "unused",
    }
    # Without authentication: neither token setting may be present at all (an empty one refuses to start).
    env.pop("ACCESSGRAPH_API_TOKENS", None)
    env.pop("ACCESSGRAPH_API_TOKENS_FILE", None)
    command = [ACCESSGRAPH, "serve", "--port", str(port), *flags]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _status(port) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"`accessgraph serve` did not come up:\n{output}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def _status(port: int, path: str = "/healthz") -> int | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return int(conn.recv(64).split(b" ", 2)[1])
    except (OSError, IndexError, ValueError):
        return None


def _response(conn: socket.socket) -> bytes:
    """One whole response from a kept-alive connection: its head, and a body of its Content-Length (or up to
    the close)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += conn.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length")]
    if lengths:
        while len(body) < lengths[0]:
            body += conn.recv(4096)
    else:
        while chunk := conn.recv(4096):
            body += chunk
    return head + b"\r\n\r\n" + body


def _closed_by_server(conn: socket.socket) -> bool:
    try:
        return conn.recv(4096) == b""
    except ConnectionResetError:
        return True


def test_trickling_and_idle_connections_are_closed(tmp_path: Path) -> None:
    with _serve("--header-timeout", "2") as port, ExitStack() as stack:
        trickling = [stack.enter_context(socket.create_connection(("127.0.0.1", port))) for _ in range(CLIENTS - 1)]
        idle = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
        for conn in trickling:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        open_ = {*trickling, idle}
        deadline = time.monotonic() + WITHIN_SECONDS
        while open_ and time.monotonic() < deadline:
            readable, _, _ = select.select(list(open_), [], [], 0.5)
            open_ -= {conn for conn in readable if _closed_by_server(conn)}
            for conn in open_ & set(trickling):
                try:
                    conn.sendall(b"X-Slow: 1\r\n")  # a header line every half second, never the blank line
                except OSError:
                    open_.discard(conn)
        assert not open_, f"{len(open_)} of {CLIENTS} slow connections still open after {WITHIN_SECONDS:.0f} s"
        assert _status(port) == 200


def test_complete_requests_are_served_and_kept_alive() -> None:
    with _serve("--header-timeout", "2") as port, socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        for _ in range(3):
            # The head in pieces, but whole well within the deadline.
            for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
                conn.sendall(piece)
            assert _response(conn).startswith(b"HTTP/1.1 200")


def test_connections_past_the_cap_get_503() -> None:
    with _serve("--header-timeout", "60", "--max-connections", "10") as port, ExitStack() as stack:
        for _ in range(10):
            stack.enter_context(socket.create_connection(("127.0.0.1", port)))
        assert _status(port) == 503
        stack.close()
        deadline = time.monotonic() + WITHIN_SECONDS
        while (status := _status(port)) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200


@pytest.mark.parametrize(
    ("flag", "value"), [("--header-timeout", "0"), ("--max-connections", "-1"), ("--keep-alive", "0")]
)
def test_knobs_must_be_positive(flag: str, value: str) -> None:
    from service.cli import main

    assert main(["serve", flag, value]) == 2


def test_knobs_from_the_environment_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api.server import ServerLimits
    from service.errors import InputError

    limits = ServerLimits.from_env({"ACCESSGRAPH_HEADER_TIMEOUT": "1.5", "ACCESSGRAPH_MAX_CONNECTIONS": "64"})
    assert (limits.header_timeout, limits.max_connections, limits.keep_alive) == (1.5, 64, 5)
    with pytest.raises(InputError, match="ACCESSGRAPH_KEEP_ALIVE='soon'"):
        ServerLimits.from_env({"ACCESSGRAPH_KEEP_ALIVE": "soon"})


def test_an_incomplete_request_head_over_16_kib_is_refused() -> None:
    with _serve() as port, socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 17_000)
        assert _response(conn).startswith(b"HTTP/1.1 400")
