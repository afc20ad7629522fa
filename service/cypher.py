"""Every Cypher statement accessgraph runs lives in `cypher/<name>.cypher` and is loaded by name."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from service.errors import AccessgraphError

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def cypher_dir() -> Path:
    """`cypher/` of the source checkout accessgraph runs from (an editable install: edits apply at once),
    else the copy an installed package carries in `service/_cypher/` (setup.py puts it there)."""
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "cypher").is_dir():
        return checkout / "cypher"
    if (here / "_cypher").is_dir():
        return here / "_cypher"
    raise AccessgraphError(
        f"no Cypher statements in {checkout / 'cypher'} nor in {here / '_cypher'}; reinstall accessgraph"
    )


@cache
def query(name: str) -> str:
    """The text of `cypher/<name>.cypher` (one statement; `//` comments kept, Neo4j ignores them)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a query name: {name!r}")
    path = cypher_dir() / f"{name}.cypher"
    try:
        return path.read_text(encoding="utf-8").strip().rstrip(";")
    except FileNotFoundError:
        raise AccessgraphError(f"query file {path} is missing") from None


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of a multi-statement file (such as schema.cypher), split on `;` at line ends."""
    text = "\n".join(
        line for line in query(name).splitlines() if not line.lstrip().startswith("//")
    )
    return tuple(part.strip() for part in re.split(r";\s*\n", text) if part.strip())
