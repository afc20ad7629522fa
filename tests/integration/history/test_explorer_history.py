"""The explorer's landing page and "changes since" view, in a real browser on the real stack (as
tests/integration/e2e): accounts with counts, a finding needing attention, the latest loads, and a change a
click away from the graph."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from tests.integration.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, require_bundle, serve
from tests.integration.history.conftest import A, B, account_a, account_b, changed_a
from tests.support.gaad import Account, trust, trusts

pytestmark = pytest.mark.e2e
BOB = f"arn:aws:iam::{A}:user/bob"
ADMIN_ROLE = f"arn:aws:iam::{A}:role/AdminRole"


def test_landing_page_and_changes_since(load: Callable[[Account], str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    from service.api.app import create_app

    load(account_a())
    b = account_b()
    b.role("VendorRole", trust(trusts({"AWS": "333333333333"})))  # an account nobody loaded: needs attention
    load(b)
    load(changed_a(account_a()))
    require_bundle()
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `bash .ci/explorer` (it installs Debian's)", pytrace=False)

    problems: list[str] = []
    # The browser is opened and closed here: Playwright's sync API holds an event loop in this thread while open,
    # and the other history tests run the CLI (asyncio.run) in it.
    with serve(create_app(dev=True, tokens=())) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT, base_url=url).new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            expect.set_options(timeout=30_000)
            page.goto("/")

            landing = page.get_by_test_id("landing")
            accounts = landing.get_by_test_id("landing-accounts")
            expect(accounts.locator(f'tr[data-account="{A}"]')).to_contain_text("6")  # principals now
            expect(accounts.locator(f'tr[data-account="{B}"]')).to_be_visible()
            expect(landing.get_by_test_id("attention").filter(has_text="not loaded")).to_contain_text(B)
            expect(landing.get_by_test_id("latest-load")).to_have_count(3)

            landing.get_by_role("button", name="changes since the load before").click()
            changes = page.get_by_test_id("changes")
            # First what the facts say (quick at any size); who gained or lost each role when asked for.
            expect(changes.get_by_test_id("membership-change")).to_contain_text("Admins")
            expect(changes.get_by_test_id("access-not-compared")).to_be_visible()
            expect(changes.get_by_test_id("access-change")).to_have_count(0)
            changes.get_by_role("button", name="Compare access").click()
            bobs = changes.locator(f'[data-testid="access-group"][data-principals~="{BOB}"]')
            gained = bobs.locator(f'[data-testid="access-change"][data-role="{ADMIN_ROLE}"]')
            expect(gained).to_contain_text("gained")
            expect(changes.get_by_test_id("access-note")).to_have_count(0)  # (read from the access records)
            expect(changes.get_by_test_id("access-not-compared")).to_have_count(0)
            expect(changes.get_by_test_id("membership-change")).to_contain_text("Admins")
            expect(changes.get_by_test_id("trust-change")).to_contain_text("carol")
            expect(changes.locator('[data-testid="entity-change"][data-arn$="role/OldRole"]')).to_contain_text("removed")
            # No change beyond those four (and the access they changed) is listed.
            expect(changes.get_by_test_id("entity-change")).to_have_count(1)
            expect(changes.get_by_test_id("document-change")).to_have_count(1)

            bobs.get_by_role("button", name="bob").click()
            page.wait_for_function("() => window.explorer && window.explorer.idle()")
            assert page.evaluate("(arn) => window.explorer.graph.cy.getElementById(arn).nonempty()", BOB)

            # The form asks for changes since a time: before everything, so A's and B's entities are all new.
            page.get_by_role("button", name="Overview and changes").click()
            page.get_by_label("Changes since (a load id or a time)").fill("2000-01-01")
            page.get_by_role("button", name="Show changes").click()
            expect(page.get_by_test_id("changes").get_by_test_id("entity-change").first).to_contain_text("added")
        finally:
            browser.close()
    assert not problems, problems
