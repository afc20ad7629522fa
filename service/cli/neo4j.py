"""`accessgraph neo4j start|stop|status|reset`: the local Neo4j server."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from service.database import Neo4jSettings
from service.database.local import LocalServer, ServerConfig
from service.database.settings import cache_dir, read_credentials


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "neo4j",
        help="provision, start, stop and inspect the local Neo4j server",
        description="The local Neo4j 5.26 Community server, provisioned from Maven Central into "
        f"{cache_dir()} (ACCESSGRAPH_NEO4J_DIR overrides). With NEO4J_URI set, the external server is "
        "used and nothing is provisioned.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start_parser = actions.add_parser("start", help="provision if needed and start; wait until it answers")
    start_parser.add_argument("--bolt-port", type=int, help="Bolt port on 127.0.0.1 (default 7687)")
    start_parser.add_argument("--http-port", type=int, help="also serve Neo4j's HTTP API on this port")
    start_parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the server")
    start_parser.set_defaults(func=_start)
    actions.add_parser("stop", help="shut the server down gracefully").set_defaults(func=_stop)
    status_parser = actions.add_parser("status", help="what runs where, and which version")
    status_parser.add_argument("--json", action="store_true", help="print the status as JSON")
    status_parser.set_defaults(func=_status)
    actions.add_parser(
        "reset", help="stop the server and delete its database and password (the jars stay)"
    ).set_defaults(func=_reset)
    actions.add_parser("provision", help="download the server without starting it").set_defaults(func=_provision)


def _progress(message: str) -> None:
    print(f"neo4j: {message}", file=sys.stderr, flush=True)


def _external() -> Neo4jSettings | None:
    return Neo4jSettings.resolve() if _uses_external() else None


def _uses_external() -> bool:
    return bool(os.environ.get("NEO4J_URI"))


def _start(args: argparse.Namespace) -> int:
    from service.database.lifecycle import start, status  # imports neo4j: only when run

    external = _external()
    if external is not None:
        report = status(LocalServer(), external)
        if not report.running:
            print(f"accessgraph: error: NEO4J_URI={external.uri} does not answer: {report.problem}", file=sys.stderr)
            return 3
        print(f"NEO4J_URI is set: using {external.uri} (Neo4j {report.version} {report.edition}); nothing to start")
        return 0
    server = LocalServer()
    stored = read_credentials(server.home)  # a restart keeps the port it was started on
    config = ServerConfig.from_env(
        bolt_port=args.bolt_port, http_port=args.http_port, stored_port=stored.bolt_port if stored else None
    )
    result = start(server, config, _progress, timeout=args.timeout)
    if result.already_running:
        print(f"Neo4j {result.version} is already running at {result.uri}")
    else:
        print(
            f"Neo4j {result.version} started at {result.uri} "
            f"(provisioning {result.provision_seconds:.1f} s, start {result.start_seconds:.1f} s)"
        )
    return 0


def _stop(_: argparse.Namespace) -> int:
    from service.database.lifecycle import stop

    if _uses_external():
        print("NEO4J_URI is set: the external server is not ours to stop")
        return 0
    if stop(LocalServer()):
        print("Neo4j stopped")
    else:
        print("Neo4j is not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    from service.database.lifecycle import status

    report = status(LocalServer(), _external())
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    elif report.running and report.version:
        where = "external server" if report.external else f"pid {report.pid}"
        print(f"running: Neo4j {report.version} {report.edition} at {report.uri} ({where})")
    elif report.running:
        print(f"running (pid {report.pid}) but not answering at {report.uri}: {report.problem}")
    else:
        provisioned = f"provisioned {report.provisioned_version}" if report.provisioned_version else "not provisioned"
        print(f"not running ({provisioned} in {report.folder})" + (f": {report.problem}" if report.problem else ""))
    return 0 if report.running and report.version else 3


def _reset(_: argparse.Namespace) -> int:
    from service.database.lifecycle import stop

    server = LocalServer()
    stop(server)
    server.reset()
    print(f"Neo4j data and password deleted from {server.home}; `accessgraph neo4j start` creates them afresh")
    return 0


def _provision(_: argparse.Namespace) -> int:
    version = LocalServer().provision(_progress)
    print(f"Neo4j {version} provisioned in {LocalServer().home}")
    return 0
