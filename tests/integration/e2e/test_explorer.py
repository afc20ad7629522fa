"""The explorer answers issue #6's headline questions on the demo data, in a real browser on the real stack."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.e2e.conftest import VIEWPORT, require_bundle, serve

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"
DANA = "arn:aws:iam::222222222222:user/dana"  # allowed to assume ContractorAccess (with the ExternalId)
LEE = "arn:aws:iam::222222222222:user/lee"  # not allowed
JESSE = "arn:aws:iam::111111111111:user/Jesse"
SEGUN = "arn:aws:iam::111111111111:user/Segun"
ALICE = "arn:aws:iam::111111111111:user/Alice"
OBJECT = "arn:aws:s3:::webapp-contractor-assets/report.csv"


def settle(page: Page) -> None:
    """Waits until the page has no request in flight (the graph is a canvas: its state is read from JS)."""
    page.wait_for_function("() => window.explorer && window.explorer.idle()")


def highlighted(page: Page) -> set[str]:
    return set(page.evaluate("() => window.explorer.highlighted()"))


def search_and_pick(page: Page, text: str, name: str) -> None:
    page.get_by_role("combobox", name="Search accounts, principals, roles and policies").fill(text)
    page.get_by_role("option", name=name).first.click()
    expect(page.get_by_test_id("details").get_by_role("heading", level=2)).to_contain_text(name)
    settle(page)


def test_search_suggests_and_shows_details(page: Page) -> None:
    search_and_pick(page, "Contractor", "ContractorAccess")
    details = page.get_by_test_id("details")
    expect(details).to_contain_text(ROLE)
    expect(details.get_by_test_id("trust-policy")).to_contain_text("sts:ExternalId")
    expect(details).to_contain_text("ContractorPolicy")
    expect(details.get_by_test_id("last-used")).to_contain_text("2025-06-18")
    assert page.evaluate("(arn) => window.explorer.graph.cy.getElementById(arn).nonempty()", ROLE)
    expect(page.get_by_role("list", name="Legend")).to_be_attached()


def test_who_can_assume_contractor_access(page: Page) -> None:
    search_and_pick(page, "ContractorAccess", "ContractorAccess")
    page.get_by_test_id("details").get_by_role("button", name="Who can assume this role?").click()
    settle(page)
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", level=2)).to_contain_text("Who can assume ContractorAccess")

    dana = answer.locator(f'[data-testid="answer-principal"][data-arn="{DANA}"]')
    expect(dana).to_be_visible()
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{LEE}"]')).to_have_count(0)
    expect(dana.get_by_test_id("condition-badge").filter(has_text="ExternalId")).to_be_visible()
    trust = dana.get_by_test_id("statement").filter(has_text="sts:ExternalId")
    expect(trust.first).to_be_visible()
    statement = json.loads(trust.first.inner_text())
    assert "sts:AssumeRole" in json.dumps(statement.get("Action"))
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == "webapp-contractor-4821"

    lit = highlighted(page)
    assert DANA in lit and ROLE in lit, lit
    assert LEE not in lit
    assert page.evaluate("(arn) => window.explorer.graph.cy.getElementById(arn).hasClass('answer')", DANA)
    expect(page.get_by_role("list", name="Highlighted nodes").locator(f'li[data-arn="{DANA}"]')).to_be_attached()
    if os.environ.get("ACCESSGRAPH_DOCS_SCREENSHOT"):  # refreshes the README's picture on request only
        page.screenshot(path=str(ROOT / "docs" / "explorer.png"))


def test_who_can_delete_objects(page: Page) -> None:
    page.get_by_label("Action", exact=True).fill("s3:DeleteObject")
    page.get_by_label("Resource", exact=True).fill(OBJECT)
    page.get_by_role("button", name="Who can?").click()
    settle(page)
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", level=2)).to_contain_text("s3:DeleteObject")
    for arn in (JESSE, SEGUN):
        principal = answer.locator(f'[data-testid="answer-principal"][data-arn="{arn}"]')
        expect(principal).to_be_visible()
        steps = principal.get_by_test_id("path-step")
        expect(steps.filter(has_text="Admins").first).to_be_visible()
        expect(steps.filter(has_text="AdministratorAccess").first).to_be_visible()
        expect(principal.get_by_test_id("statement").first).to_be_visible()
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{ALICE}"]')).to_have_count(0)
    lit = highlighted(page)
    assert {JESSE, SEGUN} <= lit, lit
    assert any(arn.endswith("group/Admins") for arn in lit), lit
    assert any(arn.endswith("policy/AdministratorAccess") for arn in lit), lit


def test_expand_on_click_and_export(page: Page, tmp_path: Path) -> None:
    search_and_pick(page, "Admins", "Admins")
    node_count = page.evaluate("() => window.explorer.graph.cy.nodes().length")
    assert node_count >= 3  # Admins, its members and its policy, in the account's box
    boxes = page.evaluate("() => window.explorer.graph.cy.nodes(':parent').map((n) => n.id())")
    assert "account:111111111111" in boxes

    page.evaluate("() => window.explorer.graph.cy.getElementById('account:111111111111').emit('tap')")
    settle(page)
    expect(page.get_by_test_id("details")).to_contain_text("111111111111")
    expect(page.get_by_test_id("details").get_by_role("heading", level=2)).to_contain_text("WebApp Production")

    with page.expect_download() as png:
        page.get_by_role("button", name="Export PNG").click()
    png_path = tmp_path / "view.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with page.expect_download() as exported:
        page.get_by_role("button", name="Export JSON").click()
    json_path = tmp_path / "view.json"
    exported.value.save_as(json_path)
    view: dict[str, Any] = json.loads(json_path.read_text())
    assert any(node["arn"] == JESSE for node in view["nodes"])
    assert any(edge["kind"] for edge in view["edges"])


def test_graphiql_is_served_locally(page: Page) -> None:
    page.goto("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.reload()
    expect(page.locator(".graphiql-container")).to_be_visible()
    base = page.url.split("/graphql")[0]
    assert all(url.startswith((base, "data:", "blob:")) for url in requests), requests


def test_cross_account_trusts_cross_the_account_boxes(page: Page) -> None:
    page.get_by_role("button", name="Cross-account trusts").click()
    settle(page)
    trust = page.get_by_test_id("answer").locator(f'[data-testid="trust"][data-arn="{ROLE}"]')
    expect(trust).to_be_visible()
    expect(trust.get_by_test_id("condition-badge").filter(has_text="ExternalId")).to_be_visible()
    expect(trust.get_by_test_id("statement")).to_contain_text("webapp-contractor-4821")
    crossing = page.evaluate(
        """(role) => window.explorer.graph.cy.edges('.highlighted').map((e) => [
             e.source().data('arn'), e.source().parent().map((p) => p.id())[0], e.target().id()])""",
        ROLE,
    )
    assert [ROLE, "account:111111111111", "account:222222222222"] in crossing, crossing


@pytest.mark.usefixtures("demo_graph")
def test_a_server_with_tokens_asks_for_one(browser: Browser) -> None:
    from service.api.app import create_app

    require_bundle()
    secret = "e2e-token-0123456789abcdef"
    with serve(create_app(dev=False, tokens=(secret,))) as url:
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        page = context.new_page()
        try:
            page.goto("/")
            page.get_by_role("combobox", name="Search accounts, principals, roles and policies").fill("Jesse")
            expect(page.get_by_role("form", name="This server needs an API token")).to_be_visible()
            expect(page.get_by_role("alert")).to_contain_text("API token")
            page.get_by_label("API token", exact=True).fill(secret)
            page.get_by_role("button", name="Use token").click()
            expect(page.get_by_role("form", name="This server needs an API token")).to_be_hidden()
            page.get_by_role("combobox", name="Search accounts, principals, roles and policies").fill("Jess")
            expect(page.get_by_role("option", name="Jesse")).to_be_visible()
        finally:
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "test_a_server_with_tokens_asks_for_one.png"))
            context.close()
