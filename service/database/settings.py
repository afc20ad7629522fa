"""Where accessgraph finds its Neo4j: an external server named by the environment, or the local one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from service.errors import DatabaseUnavailable

DEFAULT_BOLT_PORT = 7687
# Bolt to one server, or neo4j:// routing (a cluster, Aura: writes to the leader, READ transactions to
# readers); "+s" verifies TLS against the system CAs, "+ssc" accepts a self-signed certificate.
DIRECT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc")
ROUTING_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc")


def project_root() -> Path | None:
    """The source checkout accessgraph runs from, if it runs from one (editable install or CI)."""
    candidate = Path(__file__).resolve().parents[2]
    return candidate if (candidate / "pyproject.toml").is_file() and (candidate / "cypher").is_dir() else None


def cache_dir() -> Path:
    """The folder that holds the provisioned Neo4j: `ACCESSGRAPH_NEO4J_DIR`, else `.neo4j/` in the checkout."""
    configured = os.environ.get("ACCESSGRAPH_NEO4J_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    root = project_root()
    if root is not None:
        return root / ".neo4j"
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "accessgraph" / "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str
    password: str = field(default="", repr=False)  # never printed, not even in a traceback
    database: str = "neo4j"
    external: bool = False

    def __post_init__(self) -> None:
        check_uri(self.uri)

    @classmethod
    def resolve(cls) -> Neo4jSettings:
        """`NEO4J_URI` (+ `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) if set, else the local server.

        Raises:
            DatabaseUnavailable: no external server is configured and none has been provisioned here, or
                NEO4J_URI is not a Bolt URI (see `check_uri`).
        """
        uri = os.environ.get("NEO4J_URI")
        database = os.environ.get("NEO4J_DATABASE", "neo4j")
        if uri:
            return cls(
                uri=uri,
                username=os.environ.get("NEO4J_USERNAME", "neo4j"),
                password=os.environ.get("NEO4J_PASSWORD", ""),
                database=database,
                external=True,
            )
        credentials = read_credentials(cache_dir() / "home")
        if credentials is None:
            raise DatabaseUnavailable(
                f"no Neo4j configured: set NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD), "
                f"or run `accessgraph neo4j start` to provision one in {cache_dir()}"
            )
        return cls(
            uri=f"bolt://127.0.0.1:{credentials.bolt_port}",
            username=credentials.username,
            password=credentials.password,
            database=database,
        )


def check_uri(uri: str) -> None:
    """Accept the Bolt URIs accessgraph can use, before any driver sees them.

    Raises:
        DatabaseUnavailable: credentials in the URI (`user:password@`; the message does not repeat them),
            another scheme (the driver's preview http:// support lacks transactions and routing), no host,
            a bad port, or a routing context (`?...`) on a direct bolt URI.
    """
    if "@" in uri:
        # The driver and every message would carry the URI, and the password with it: show none of it.
        raise DatabaseUnavailable(
            "NEO4J_URI holds credentials (user:password@ before the host); give the URI without them "
            "(e.g. neo4j+s://db.example.com:7687) and the user and password in NEO4J_USERNAME and NEO4J_PASSWORD"
        )
    schemes = ", ".join(f"{scheme}://" for scheme in (*DIRECT_SCHEMES, *ROUTING_SCHEMES))
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number in range)
    except ValueError as exc:
        raise DatabaseUnavailable(f"NEO4J_URI {uri!r} is not a valid URI ({exc})") from None
    if parts.scheme not in (*DIRECT_SCHEMES, *ROUTING_SCHEMES):
        raise DatabaseUnavailable(
            f"NEO4J_URI {uri!r}: the scheme must be one of {schemes} "
            "(e.g. neo4j+s://<id>.databases.neo4j.io for Aura, neo4j://<host>:7687 for a cluster)"
        )
    if not parts.hostname:
        raise DatabaseUnavailable(f"NEO4J_URI {uri!r} names no host (e.g. {parts.scheme}://db.example.com:7687)")
    if parts.query and parts.scheme in DIRECT_SCHEMES:
        raise DatabaseUnavailable(
            f"NEO4J_URI {uri!r}: a routing context (?{parts.query}) needs a neo4j:// URI, not {parts.scheme}://"
        )


@dataclass(frozen=True)
class LocalCredentials:
    username: str
    password: str = field(repr=False)
    bolt_port: int


def credentials_path(folder: Path) -> Path:
    return folder / "credentials.json"


def read_credentials(folder: Path) -> LocalCredentials | None:
    """The local server's credentials, or None when it has none yet.

    Raises:
        DatabaseUnavailable: the file is damaged, or this user may not read it (naming the file and the
            two ways out: the user that provisioned it, or the NEO4J_* settings of a server).
    """
    path = credentials_path(folder)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return LocalCredentials(
            username=str(raw["username"]), password=str(raw["password"]), bolt_port=int(raw["boltPort"])
        )
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise DatabaseUnavailable(
            f"cannot read {path}: permission denied; it belongs to the user who provisioned the local Neo4j "
            f"({_owner(path)}). Run accessgraph as that user, or set NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD "
            "to use a server you have credentials for"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise DatabaseUnavailable(
            f"{path} is damaged ({exc}); run `accessgraph neo4j reset` to start the local server afresh"
        ) from exc


def _owner(path: Path) -> str:
    try:
        return path.owner()
    except (OSError, KeyError):  # KeyError: a uid with no name on this machine
        return "its owner"


def write_credentials(folder: Path, credentials: LocalCredentials) -> None:
    """Write the credentials file readable by its owner only (0600) before any secret enters it."""
    path = credentials_path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {"username": credentials.username, "password": credentials.password, "boltPort": credentials.bolt_port},
            handle,
        )
    os.chmod(partial, 0o600)
    partial.replace(path)
