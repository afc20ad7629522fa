"""Where accessgraph finds its Neo4j: an external server named by the environment, or the local one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from service.errors import DatabaseUnavailable

DEFAULT_BOLT_PORT = 7687


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
    password: str = ""
    database: str = "neo4j"
    external: bool = False

    def __repr__(self) -> str:  # never print the password, not even in a traceback
        return f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"

    @classmethod
    def resolve(cls) -> Neo4jSettings:
        """`NEO4J_URI` (+ `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) if set, else the local server.

        Raises:
            DatabaseUnavailable: no external server is configured and none has been provisioned here.
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


@dataclass(frozen=True)
class LocalCredentials:
    username: str
    password: str
    bolt_port: int

    def __repr__(self) -> str:
        return f"LocalCredentials(username={self.username!r}, bolt_port={self.bolt_port})"


def credentials_path(folder: Path) -> Path:
    return folder / "credentials.json"


def read_credentials(folder: Path) -> LocalCredentials | None:
    path = credentials_path(folder)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return LocalCredentials(
            username=str(raw["username"]), password=str(raw["password"]), bolt_port=int(raw["boltPort"])
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise DatabaseUnavailable(
            f"{path} is damaged ({exc}); run `accessgraph neo4j reset` to start the local server afresh"
        ) from exc


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
