"""The community page, the imports page and the explorer's "draw every tie" in Chromium.

Same harness as ``test_ui.py``: every request outside 127.0.0.1 and every console error
fails the test. The upload adds two people with no interactions (and quarantines a bad
row), so the maps and dashboards other tests read do not change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect
from uploads import zip_of

if TYPE_CHECKING:
    from conftest import Browsing, Site

pytestmark = pytest.mark.browser


def api_json(page: Page, site: Site, path: str) -> dict[str, Any]:
    response = page.request.get(site.at(path))
    assert response.ok, f"{path}: {response.status} {response.text()}"
    document: dict[str, Any] = response.json()
    return document


def test_community_page_shows_purpose_roles_and_member_pages(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    site = browsing.site
    rows = api_json(page, site, "/api/v1/communities")["items"]
    community = max(rows, key=lambda row: (row["size"], row["id"]))
    doc = api_json(page, site, f"/api/v1/communities/{community['id']}?per_page=50")
    page.goto(site.at(f"/communities/{community['id']}"))
    expect(page.locator("#community-name")).to_have_text(doc["community"]["name"])
    if doc["community"]["description"]:
        expect(page.locator("#about")).to_contain_text(doc["community"]["description"])
    expect(page.locator("#about ul.chips li")).to_have_count(len(doc["focus_areas"]))
    first = doc["members"]["items"][0]
    table = page.locator("#member-table tbody tr")
    expect(table).to_have_count(len(doc["members"]["items"]))
    expect(table.first).to_contain_text(first["name"])
    expect(table.first).to_contain_text(", ".join(first["roles"]))
    expect(page.locator("#roster-summary")).to_contain_text("Now:")
    expect(page.locator("#facts dl")).to_be_visible()
    expect(page.locator("#node-table tbody tr").first).to_be_visible()
    if doc["members"]["total"] > 50:
        second = api_json(page, site, f"/api/v1/communities/{community['id']}?per_page=50&page=2")
        page.get_by_role("button", name="Next").click()
        expect(page.locator("#members-page")).to_contain_text("Page 2 of")
        expect(table.first).to_contain_text(second["members"]["items"][0]["name"])
        expect(page.get_by_role("button", name="Previous")).to_be_enabled()
    first_link = table.first.get_by_role("link")
    first_link.click()
    expect(page).to_have_url(re.compile(r"/people/"))


def test_an_admin_uploads_a_dataset_and_reads_its_quarantined_rows(browsing: Browsing) -> None:
    page = browsing.page("admin")
    page.goto(browsing.site.at("/imports"))
    expect(page.locator("#summary")).not_to_have_text("Loading…")
    before = page.locator("#imports tbody tr").count()
    payload = zip_of(
        {"people.csv": "id,name,email\nup1,Uma Upload,\nup2,Ugo Upload,not-an-address\n"}
    )
    page.get_by_label("Dataset file").set_input_files(
        {"name": "upload.zip", "mimeType": "application/zip", "buffer": payload}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#upload-status")).to_contain_text("1 inserted")
    expect(page.locator("#upload-status")).to_contain_text("1 quarantined")
    expect(page.locator("#run-errors li")).to_have_count(1)
    expect(page.locator("#run-errors li").first).to_contain_text("people.csv:3: email")
    expect(page.locator("#imports tbody tr")).to_have_count(before + 1)
    newest = page.locator("#imports tbody tr").first
    expect(newest).to_contain_text("partial")
    newest.get_by_role("button").click()
    expect(page.locator("#run-details")).to_be_visible()


def test_viewers_see_no_upload_form_and_cannot_open_imports(browsing: Browsing) -> None:
    browsing.allow("403")
    page = browsing.page("weaver")
    response = page.goto(browsing.site.at("/imports"))
    assert response is not None and response.status == 403
    expect(page.locator("#upload-form")).to_have_count(0)


def test_draw_every_tie_is_kept_in_the_address(browsing: Browsing) -> None:
    page = browsing.page("viewer")
    page.goto(browsing.site.at("/?view=people"))
    browsing.wait_for_draw(page, 0)
    page.get_by_label(re.compile("draw every tie")).check()
    expect(page).to_have_url(re.compile(r"ties=all"))
    page.reload()
    browsing.wait_for_draw(page, 0)
    expect(page.get_by_label(re.compile("draw every tie"))).to_be_checked()
