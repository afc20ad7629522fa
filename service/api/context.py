"""Per-request context: the shared reader, a DataLoader for entities, one Reachability per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from service.database.reader import GraphReader
from service.reachability import Reachability
from service.reachability.index import PrincipalIndex
from service.reachability.navigation import EntityView, entities


@dataclass
class Limits:
    """The API's safe defaults, in one place."""

    max_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 2000
    max_body_bytes: int = 64 * 1024
    query_timeout_seconds: float = 30.0
    default_result_limit: int = 1000
    max_result_limit: int = 10000


@dataclass
class Context:
    reader: GraphReader
    limits: Limits
    # Shared by every request of an app (see service/reachability/index.py); a fresh one for a CLI run.
    index: PrincipalIndex = field(default_factory=PrincipalIndex)
    entities: DataLoader[str, EntityView | None] = field(init=False)
    _reachability: Reachability | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        async def load(keys: list[str]) -> list[EntityView | None]:
            return await entities(self.reader, keys)

        self.entities = DataLoader(load_fn=load)

    @property
    def reachability(self) -> Reachability:
        if self._reachability is None:
            self._reachability = Reachability(self.reader, self.index)
        return self._reachability
