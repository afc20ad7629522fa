"""The external-access view (#14) in a real browser on the demo data: the grants outside an account, drawn
from the resource (or role) to the grantee and listed with their categories."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"


def test_external_access_lists_and_draws_the_grants(page: Page) -> None:
    page.get_by_role("button", name="External access").click()
    page.wait_for_function("() => window.explorer && window.explorer.idle()")
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", level=2)).to_have_text("External access")
    finding = answer.locator(f'[data-testid="external-access"][data-arn="{ROLE}"]').first
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("outside-account")
    expect(finding.get_by_test_id("statement")).to_contain_text("sts:AssumeRole")
    edges = page.evaluate(
        "() => window.explorer.graph.cy.edges('.highlighted').map((e) => [e.source().id(), e.data('kind')])"
    )
    assert [ROLE, "grants"] in edges, edges
    page.get_by_role("button", name="public").click()
    page.wait_for_function("() => window.explorer && window.explorer.idle()")
    expect(page.get_by_test_id("answer").get_by_role("button", name="public")).to_have_attribute("aria-pressed", "true")
