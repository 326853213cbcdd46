"""The moderator's page in Chromium: mentors for members without one, an introduction
recorded and shown with its outcome, collaborator suggestions with reasons, a decline with
its reason, and cohort matching — no request outside 127.0.0.1, no console error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Browsing

pytestmark = pytest.mark.browser


def test_a_moderator_introduces_declines_and_matches(browsing: Browsing) -> None:
    page = browsing.page("moderator")
    site = browsing.site
    rows = page.request.get(site.at("/api/v1/communities")).json()["items"]
    community = max(rows, key=lambda row: (row["size"], row["id"]))["id"]
    page.goto(site.at(f"/communities/{community}"))
    page.get_by_role("link", name="Moderate").click()
    expect(page.locator("#status")).to_contain_text("without a mentor")
    options = page.locator("#unmentored ul.mentor-options > li")
    if options.count():
        options.first.get_by_role("button", name="Introduce").click()
        expect(page.locator("#intro-table tbody tr")).to_have_count(1)
        expect(page.locator("#intro-table tbody tr").first).to_contain_text("waiting until")
        expect(page.locator("#conversion")).to_contain_text("1 introductions")
    page.get_by_role("button", name="Suggest").click()
    suggestion = page.locator("#collab-list > li[data-suggested]").first
    expect(suggestion).to_be_visible()
    expect(suggestion.locator("ul.reasons li").first).to_be_visible()
    suggestion.get_by_role("combobox").select_option("wrong_topic")
    suggestion.get_by_role("button", name="Decline").click()
    expect(page.locator("#verdict-list")).to_contain_text("declined (wrong topic)")
    page.get_by_label("every member without a mentor").check()
    page.get_by_role("button", name="Match").click()
    expect(page.locator("#match-summary")).to_contain_text("matched with")


def test_viewers_cannot_open_the_moderation_page(browsing: Browsing) -> None:
    browsing.allow("403")
    page = browsing.page("weaver")
    response = page.goto(browsing.site.at("/communities/cop-open-source/moderate"))
    assert response is not None and response.status == 403
