"""Issue #18 item 7, against a real Neo4j: whatever the loader accepts, every question answers.

Hypothesis puts odd characters (newlines, NUL, escapes, line separators, lone surrogates, wildcards,
quotes) into the strings of a real GAAD (names, paths, ARNs, trust principals, tags, policy names) and
changes its structure; each document either is refused with an InputError naming the file, or loads,
and then who-can-assume answers for every role (following chains) and who-can answers, without error.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from loaders.pipeline import plan_from_paths, write_plan
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.errors import InputError
from service.reachability import Reachability
from service.reachability.index import PrincipalIndex
from tests.support.loader_strategies import mutated
from tests.support.samples import ACCOUNT_A, gaad_a, gaad_b, write_json

pytestmark = pytest.mark.neo4j
ODD = ["\n", "\r", "\x00", "\x1b[31m", "\u2028", "\u200b", "\ud800", " ", "\t", "*", "?", "${aws:username}",
       "'", '"', "\\", "/", ":", "é", "#inline/", "\x7f"]
_files = itertools.count()


def _string_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [prefix]
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [path for key, child in children for path in _string_paths(child, (*prefix, key))]


@st.composite
def odd_strings(draw: st.DrawFn, base: Any) -> Any:
    """`base` with one to three of its strings given an odd character (inserted, appended or alone)."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not (paths := _string_paths(document)):
            break
        path = draw(st.sampled_from(paths))
        text = _at(document, path)
        odd = draw(st.sampled_from(ODD))
        at = draw(st.integers(min_value=0, max_value=len(text)))
        changed = draw(st.sampled_from([text[:at] + odd + text[at:], text + odd, odd]))
        if not path:  # the document is itself a string (mutated() may replace the whole of it)
            document = changed
            continue
        _at(document, path[:-1])[path[-1]] = changed
    return document


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


DOCUMENTS = st.one_of(odd_strings(gaad_a()), odd_strings(gaad_a()), mutated(gaad_a()),
                      mutated(gaad_a()).flatmap(odd_strings))


def _newline_in_trust() -> dict[str, Any]:
    """The issue's report: loaded with exit 0, then who-can-assume on the role failed every time."""
    document = gaad_a()
    trusted = document["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]
    trusted["Principal"] = {"AWS": "arn:aws:iam::333333333333:user/a\nb"}
    return document


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=DOCUMENTS)
@example(document=_newline_in_trust())
def test_what_loads_is_answered(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path, document: Any
) -> None:
    write_plan(graph, plan_from_paths([write_json(tmp_path / "b.json", gaad_b())]))
    path = write_json(tmp_path / f"odd-{next(_files)}.json", document)
    try:
        plan = plan_from_paths([path])
    except InputError as exc:
        assert str(exc).startswith(str(path))
        event("refused")
        return
    event("loaded")
    write_plan(graph, plan)
    roles = [record["arn"] for record in graph.execute_query("MATCH (r:Role) RETURN r.arn AS arn").records]
    # In a thread of its own: the e2e tests' Playwright keeps an event loop running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_ask(neo4j_settings, roles))).result()


async def _ask(settings: Neo4jSettings, roles: list[str]) -> None:
    reader = GraphReader(settings, timeout=120)
    try:
        reachability = Reachability(reader, PrincipalIndex())
        for role in roles:
            await reachability.who_can_assume(role, 2)
        await reachability.who_can("s3:GetObject", "arn:aws:s3:::bucket/key", 1, ACCOUNT_A)
        await reachability.who_can("iam:PassRole", f"arn:aws:iam::{ACCOUNT_A}:role/x", 0)
    finally:
        await reader.close()
