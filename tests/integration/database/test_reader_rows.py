"""The reader's rows are what `Record.data()` makes of each record: plain values taken as they are (the fast
path), and anything else (a node, a temporal value) through the driver's own export."""

from __future__ import annotations

import asyncio
from typing import Any

import neo4j

from service.database import Neo4jSettings
from service.database.reader import _collect

# Literal test queries: the product's queries live in cypher/, these only exercise the row conversion.
PLAIN = (
    "RETURN 'a' AS text, 1 AS number, 1.5 AS fraction, true AS flag, null AS nothing, "
    "[1, [2, 'x'], {k: [null, {deep: 'y'}]}] AS nested, {m: {n: [1.0, false]}} AS map"
)
GRAPH = "RETURN {name: 'node'} AS plain, date('2026-12-04') AS day, [date('2026-12-05')] AS days"
NODE = "CREATE (n:ReaderRowsProbe {name: 'probe'}) WITH n RETURN n AS node, [n] AS nodes, 'after' AS tail"


def both(settings: Neo4jSettings, text: str) -> tuple[list[Any], list[Any]]:
    """The rows of `_collect` and of `Record.data()` for the same query (a written probe is rolled back)."""

    async def run() -> tuple[list[Any], list[Any]]:
        driver = neo4j.AsyncGraphDatabase.driver(settings.uri, auth=(settings.username, settings.password))
        try:
            async with driver.session(database=settings.database) as session:
                tx = await session.begin_transaction()
                try:
                    ours = await _collect(tx, text, {})  # type: ignore[arg-type]
                    theirs = [record.data() async for record in await tx.run(text)]
                finally:
                    await tx.rollback()
            return ours, theirs
        finally:
            await driver.close()

    return asyncio.run(run())


def test_plain_values_come_back_as_the_driver_exports_them(neo4j_settings: Neo4jSettings) -> None:
    ours, theirs = both(neo4j_settings, PLAIN)
    assert ours == theirs
    assert ours[0]["nested"] == [1, [2, "x"], {"k": [None, {"deep": "y"}]}]
    assert ours[0]["map"] == {"m": {"n": [1.0, False]}}


def test_temporal_values_go_through_the_drivers_export(neo4j_settings: Neo4jSettings) -> None:
    ours, theirs = both(neo4j_settings, GRAPH)
    assert ours == theirs
    assert ours[0]["day"].iso_format() == "2026-12-04"


def test_a_node_is_exported_as_its_properties(neo4j_settings: Neo4jSettings) -> None:
    ours, theirs = both(neo4j_settings, NODE)
    assert ours == theirs == [{"node": {"name": "probe"}, "nodes": [{"name": "probe"}], "tail": "after"}]
