"""Neo4j for accessgraph: settings, the local server, connections. Only this package opens connections."""

from service.database.driver import ServerInfo, apply_schema, connect, server_info, wait_until_ready
from service.database.settings import Neo4jSettings, cache_dir

__all__ = [
    "Neo4jSettings",
    "ServerInfo",
    "apply_schema",
    "cache_dir",
    "connect",
    "server_info",
    "wait_until_ready",
]
