"""The whole graph as comparable data, for "same input, same graph" and "nothing changed" checks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import neo4j

from loaders.pipeline import plan_from_paths, write_plan
from tests.support.samples import write_json

VOLATILE = frozenset({"loadedAt", "loadId", "source"})  # when, which load, from which file


def _node_key(labels: list[str], props: dict[str, Any]) -> str:
    return f"{'|'.join(sorted(labels))}:{props.get('arn') or props.get('key') or props.get('id')}"


def graph_state(driver: neo4j.Driver) -> tuple[Counter[str], Counter[str]]:
    nodes: Counter[str] = Counter()
    rels: Counter[str] = Counter()
    # The snapshot only: history's records of loads and their access (docs/history.md) grow with every load
    # by design, and tests/integration/history checks them.
    snapshot = "MATCH (n) WHERE NOT n:HistoryLoad AND NOT n:HistoryFact AND NOT n:HistoryAccess"
    for record in driver.execute_query(f"{snapshot} RETURN labels(n) AS labels, properties(n) AS props").records:
        props = {k: v for k, v in record["props"].items() if k not in VOLATILE}
        nodes[json.dumps([sorted(record["labels"]), props], sort_keys=True, default=str)] += 1
    query = (
        "MATCH (a)-[r]->(b) WHERE NOT a:HistoryLoad AND NOT a:HistoryAccess "
        "RETURN labels(a) AS al, properties(a) AS ap, type(r) AS type, "
        "properties(r) AS rp, labels(b) AS bl, properties(b) AS bp"
    )
    for record in driver.execute_query(query).records:
        rels[
            json.dumps(
                [
                    _node_key(record["al"], record["ap"]),
                    record["type"],
                    record["rp"],
                    _node_key(record["bl"], record["bp"]),
                ],
                sort_keys=True,
                default=str,
            )
        ] += 1
    return nodes, rels


def load(driver: neo4j.Driver, tmp_path: Path, *documents: Any, batch_size: int = 1000) -> None:
    """Write each document to a file and load them all, as `accessgraph load` does."""
    paths = []
    for index, document in enumerate(documents):
        paths.append(write_json(tmp_path / f"input-{len(list(tmp_path.iterdir()))}-{index}.json", document))
    write_plan(driver, plan_from_paths(paths), batch_size=batch_size)


def one(driver: neo4j.Driver, query: str, **params: Any) -> Any:
    records = driver.execute_query(query, params).records
    assert len(records) == 1, records
    return records[0][0]


def values(driver: neo4j.Driver, query: str, **params: Any) -> list[Any]:
    return [record[0] for record in driver.execute_query(query, params).records]
