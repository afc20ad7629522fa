"""Every role's direct assumers worked out in a second process, while this one goes on with other work.

The bulk evaluation (build.py) reads nothing from the database once the roles and their trust targets are
read: it is CPU work on what this process holds. A fork of this process does it on another core and hands
back what walks read of it (`EdgeBits`, tens of megabytes at 100k principals) through a pipe, pickled (the
child is a copy of this process, its pipe private to both); meanwhile this process prepares the rest of the
escalation index. Where there is no fork (or the child fails: it may not
read the database, whose connections belong to this process), the work is done here, as before.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import pickle
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from service.reachability.edges.build import assume_edges, read_every_role
from service.reachability.edges.model import EdgeBits
from service.reachability.profiles import AccountEntry
from service.reachability.who_can_assume import Assumers

log = logging.getLogger("accessgraph")

# `ACCESSGRAPH_EDGES_IN_CHILD=0` keeps the work in this process (a platform whose fork misbehaves, a test).
IN_CHILD = "ACCESSGRAPH_EDGES_IN_CHILD"


class OfflineSource:
    """The child's database: none (the connections are its parent's). Any read refuses, and the work falls
    back to the parent."""

    def __getattr__(self, name: str) -> Any:
        raise ChildCannotRead(f"the worker process may not read the database ({name})")


class ChildCannotRead(RuntimeError):
    pass


async def assume_edges_elsewhere(assumers: Assumers, entries: Mapping[str, AccountEntry]) -> asyncio.Future[EdgeBits]:
    """Start working out `assume_edges(assumers, entries).bits()` in a child process, once every role is read
    here (`read_every_role`); the future holds it when done. Without a child, it is worked out here before
    this returns."""
    loop = asyncio.get_running_loop()
    await read_every_role(assumers, entries)
    if not hasattr(os, "fork") or os.environ.get(IN_CHILD, "1") == "0":
        done: asyncio.Future[EdgeBits] = loop.create_future()
        done.set_result((await assume_edges(assumers, entries)).bits())
        return done
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, hand the result over, and leave without running this process's exits
        os.close(read_end)
        _child(write_end, lambda: _bits(assumers, entries))
    os.close(write_end)
    return asyncio.ensure_future(_from_child(pid, read_end, assumers, entries))


async def _bits(assumers: Assumers, entries: Mapping[str, AccountEntry]) -> EdgeBits:
    assumers.view.source = OfflineSource()  # (the child's copy of the view)
    return (await assume_edges(assumers, entries)).bits()


def _child(write_end: int, work: Callable[[], Coroutine[Any, Any, EdgeBits]]) -> None:
    code = 0
    try:
        gc.disable()  # (a collection would write to every page it visits: the child copies only what it uses)
        payload = pickle.dumps(("ok", asyncio.run(work())), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # (whatever it is, the parent falls back; say what it was)
        payload, code = pickle.dumps(("failed", f"{type(exc).__name__}: {exc}")), 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(code)


async def _from_child(pid: int, read_end: int, assumers: Assumers, entries: Mapping[str, AccountEntry]) -> EdgeBits:
    loop = asyncio.get_running_loop()
    try:
        payload = await loop.run_in_executor(None, _read_all, read_end)
    finally:
        await loop.run_in_executor(None, os.waitpid, pid, 0)
    try:
        # (the payload is our own fork's, over a pipe only the two processes hold)
        status, found = pickle.loads(payload) if payload else ("failed", "it exited without an answer")  # noqa: S301
    except (pickle.UnpicklingError, EOFError) as exc:
        status, found = "failed", f"its answer does not read: {exc}"
    if status == "ok" and isinstance(found, EdgeBits):
        return found
    log.warning("direct assumers not worked out in a worker process (%s): working them out here", found)
    return (await assume_edges(assumers, entries)).bits()


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read()
