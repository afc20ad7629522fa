"""Neo4j for accessgraph: settings, the local server, connections. Only this package opens connections."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from service.database.settings import Neo4jSettings, cache_dir

if TYPE_CHECKING:
    from service.database.driver import ServerInfo, apply_schema, connect, server_info, wait_until_ready

__all__ = [
    "Neo4jSettings",
    "ServerInfo",
    "apply_schema",
    "cache_dir",
    "connect",
    "server_info",
    "wait_until_ready",
]
_FROM_DRIVER = frozenset({"ServerInfo", "apply_schema", "connect", "server_info", "wait_until_ready"})


def __getattr__(name: str) -> Any:
    # The driver module imports neo4j (about 0.5 s): only commands that connect pay for it, so that
    # `accessgraph --help` and the parser, which read settings, stay fast.
    if name in _FROM_DRIVER:
        return getattr(importlib.import_module("service.database.driver"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
