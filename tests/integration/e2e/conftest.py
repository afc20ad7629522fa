"""The explorer's end-to-end stack, all real: Neo4j (the `neo4j_settings` choice of tests/conftest.py), the demo
data loaded by `accessgraph load examples/`, the API and explorer under uvicorn on a free loopback port, and
Debian's Chromium driven by Playwright for Python (never a downloaded browser: `bash .ci/explorer` installs it).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import neo4j
import pytest

from tests.conftest import empty_database

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
BUNDLE = ROOT / "service" / "explorer" / "static" / "explorer" / "index.html"
CHROMIUM = os.environ.get("ACCESSGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo_graph(neo4j_driver: neo4j.Driver) -> neo4j.Driver:
    """The demo data of examples/, loaded into an emptied database by the real `accessgraph load`."""
    from service.cli import main
    from service.database import apply_schema

    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    code = main(["load", str(ROOT / "examples")])
    assert code == 0, f"`accessgraph load examples/` exited {code}"
    return neo4j_driver


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serves an ASGI app with uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start the API for the e2e tests", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def require_bundle() -> None:
    if not BUNDLE.is_file():
        pytest.fail("the explorer bundle is not built: run `bash .ci/explorer` first", pytrace=False)


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    """`create_app(dev=True)` served by uvicorn in a thread; yields its base URL. With ACCESSGRAPH_E2E_URL set,
    the tests drive that running `accessgraph serve --dev` instead (its database must hold examples/)."""
    if os.environ.get("ACCESSGRAPH_E2E_URL"):
        yield os.environ["ACCESSGRAPH_E2E_URL"].rstrip("/")
        return
    from service.api.app import create_app

    request.getfixturevalue("demo_graph")
    require_bundle()
    with serve(create_app(dev=True, tokens=())) as url:
        yield url


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One Chromium for the e2e package. Playwright's sync API keeps an event loop running in the main thread
    while it is open, so it is closed when the package ends: later in-process `asyncio.run` calls (the CLI's
    queries) would otherwise fail with "cannot be called from a running event loop"."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `bash .ci/explorer` (it installs Debian's)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, server: str, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh page on the explorer; fails the test on any console error or uncaught exception, and
    saves a screenshot to tests/artifacts/<test>.png whatever the outcome."""
    from playwright.sync_api import Browser, ConsoleMessage, Error, expect

    assert isinstance(browser, Browser)
    expect.set_options(timeout=30_000)  # the first questions warm Neo4j's caches up
    context = browser.new_context(viewport=VIEWPORT, base_url=server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    def on_error(error: Error) -> None:
        problems.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.goto("/")
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        context.close()
    assert not problems, "the page logged problems:\n" + "\n".join(problems)
