"""`accessgraph serve` (the API and explorer) and `accessgraph export-schema`."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

from service.database.settings import project_root
from service.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve the GraphQL API at /graphql and the explorer at /",
        description="Serve the GraphQL API and the explorer. Production defaults: no introspection, no "
        "GraphiQL; --dev turns both on. Bearer tokens from ACCESSGRAPH_API_TOKENS or ACCESSGRAPH_API_TOKENS_FILE.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--dev", action="store_true", help="development mode: GraphiQL and introspection on")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--precompute-escalation",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="at start-up, also work out every role's direct assumers ahead, in a second process while the "
        "escalation index is built (the start-up takes no longer), so that whoCanAssume with escalation walks "
        "them as bits (at 100k principals: p99 1.0 s, 1.5 s without); on unless --no-precompute-escalation "
        "or ACCESSGRAPH_ESCALATION_PRECOMPUTE=0",
    )
    guards = serve.add_argument_group(
        "slow and idle clients (per worker process; put a reverse proxy in front in production: docs/deployment.md)"
    )
    guards.add_argument(
        "--header-timeout",
        type=float,
        metavar="SECONDS",
        help="close a connection whose request line and headers have not arrived within this time "
        "(default 5, or ACCESSGRAPH_HEADER_TIMEOUT)",
    )
    guards.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="answer 503 to requests while this many connections are open "
        "(default 256, or ACCESSGRAPH_MAX_CONNECTIONS)",
    )
    guards.add_argument(
        "--keep-alive",
        type=int,
        metavar="SECONDS",
        help="close a connection idle this long between requests (default 5, or ACCESSGRAPH_KEEP_ALIVE)",
    )
    serve.set_defaults(func=_serve)
    export = subparsers.add_parser("export-schema", help="write the GraphQL schema (SDL) to a file or stdout")
    default = (project_root() or Path.cwd()) / "schema.graphql"
    export.add_argument(
        "-o", "--output", default=str(default), help=f"where to write it (default {default}; - for stdout)"
    )
    export.set_defaults(func=_export)


def _serve(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    import uvicorn

    from service.api.security import load_tokens
    from service.api.server import ServerLimits
    from service.database import Neo4jSettings

    limits = ServerLimits.from_env()
    given = {
        "header_timeout": args.header_timeout,
        "max_connections": args.max_connections,
        "keep_alive": args.keep_alive,
    }
    for name, value in given.items():
        if value is not None and value <= 0:
            raise InputError(f"--{name.replace('_', '-')} must be positive, not {value}")
    limits = replace(limits, **{name: value for name, value in given.items() if value is not None})
    os.environ.update(limits.environment())  # for the protocol, in this and every worker process
    from service.api.app import PRECOMPUTE_ESCALATION, precompute_escalation

    if args.precompute_escalation is not None:  # (read by the app, in this and every worker process)
        os.environ[PRECOMPUTE_ESCALATION] = "1" if args.precompute_escalation else "0"
    precompute_escalation()  # (a value it refuses fails now)
    settings = Neo4jSettings.resolve()  # fail now, with a clear message, rather than at the first request
    tokens = load_tokens()
    mode = "development (GraphiQL, introspection)" if args.dev else "production"
    auth = f"bearer tokens required ({len(tokens)} configured)" if tokens else "no authentication"
    print(f"accessgraph: serving http://{args.host}:{args.port}/ in {mode} mode, {auth}; Neo4j at {settings.uri}")
    # uvicorn's logging, plus accessgraph's own messages (start-up warm-up, masked internal errors).
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["accessgraph"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(
        "service.api.app:create_dev_app" if args.dev else "service.api.app:create_production_app",
        factory=True,
        log_config=log_config,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        server_header=False,
        proxy_headers=False,
        **limits.uvicorn_options(),
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from service.api.app import build_schema

    text = build_schema(dev=True).as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0
