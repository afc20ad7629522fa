"""What the benchmarks share: the `accessgraph` executable, a GraphQL client over HTTP, a served API,
percentiles, and the facts about the machine a figure was measured on."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.database.reader import GraphReader
    from service.reachability.index import PrincipalIndex

ROOT = Path(__file__).resolve().parents[1]
ACCESSGRAPH = str(Path(sys.executable).with_name("accessgraph"))


class GraphQLFailure(RuntimeError):
    """The request failed: HTTP error, connection error or GraphQL `errors`."""


async def read_index(reader: GraphReader) -> PrincipalIndex:
    """The principal index of every loaded account, read and its policies parsed: what the API's warm-up does
    first (imported here, so that the benchmarks over HTTP import no service code)."""
    from service.reachability.index import PrincipalIndex

    index = PrincipalIndex()
    await index.accounts(reader, await index.generation(reader))
    await index.prepare()
    return index


async def warmed_up(reader: GraphReader) -> PrincipalIndex:
    """`read_index`, then the escalation index with every role's direct assumers worked out ahead and a first
    walk (service/reachability/warm.py): what `serve` does at start-up by default."""
    from service.reachability.warm import warm_escalation

    index = await read_index(reader)
    await warm_escalation(index, reader)
    return index


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, query: str, variables: dict[str, Any], *, token: str | None = None,
         timeout: float = 120.0) -> dict[str, Any]:
    """POST one GraphQL request; the `data` object, or GraphQLFailure."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if not url.startswith(("http://", "https://")):
        raise GraphQLFailure(f"not an HTTP URL: {url!r}")
    request = urllib.request.Request(url, body, headers)  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from our own options
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise GraphQLFailure(f"HTTP {exc.code}: {exc.read()[:300]!r}") from None
    except OSError as exc:
        raise GraphQLFailure(f"{type(exc).__name__}: {exc}") from None
    if answer.get("errors"):
        raise GraphQLFailure(f"GraphQL errors: {answer['errors']}")
    data: dict[str, Any] = answer["data"]
    return data


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 and max in milliseconds (inclusive method: exact order statistics on small samples)."""
    if not samples:
        return {}
    if len(samples) == 1:
        only = round(samples[0] * 1000, 1)
        return {"p50": only, "p95": only, "p99": only, "max": only, "n": 1}
    cut = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"p50": round(cut[49] * 1000, 1), "p95": round(cut[94] * 1000, 1), "p99": round(cut[98] * 1000, 1),
            "max": round(max(samples) * 1000, 1), "n": len(samples)}


def describe(samples: list[float]) -> str:
    p = percentiles(samples)
    return f"p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  p99 {p['p99']:7.1f} ms  (n={p['n']})"


@dataclass(frozen=True)
class Api:
    url: str
    pid: int | None = None  # the server's process, when the benchmark started it (uvicorn's master with --workers)


@contextmanager
def served_api(*, workers: int = 1, log: Path | None = None, ready_within: float = 60) -> Iterator[Api]:
    """`accessgraph serve` in production mode on a free loopback port, until the block ends; it must be
    ready (warmed up) within `ready_within` seconds."""
    port = free_port()
    output = log.open("wb") if log else subprocess.DEVNULL
    command = [ACCESSGRAPH, "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + ready_within
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):  # 503 while warming up
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"`accessgraph serve` did not come up (exit code {server.poll()})") from None
                time.sleep(0.2)
        yield Api(f"http://127.0.0.1:{port}/graphql", server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            output.close()  # type: ignore[union-attr]


def machine() -> dict[str, Any]:
    """Where a figure was measured: CPUs, memory, load at the time, Python, the checkout's commit."""
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory_kb = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal:")), 0)
    load = _lines("/proc/loadavg")
    return {
        "cpus": os.cpu_count(),
        "cpuModel": cpu,
        "memoryGiB": round(memory_kb / 2**20, 1),
        "loadAverage": load[0].split()[:3] if load else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def memory(pid: int | None) -> dict[str, float] | None:
    """A process's resident memory now (VmRSS) and its peak since it started (VmHWM), in MiB."""
    if pid is None:
        return None
    fields = {}
    for line in _lines(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rssMiB": fields["VmRSS"], "peakMiB": fields["VmHWM"]} if len(fields) == 2 else None


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S607 - git from PATH, as a developer runs it
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
