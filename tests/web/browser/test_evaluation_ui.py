"""The evaluator's page in Chromium: trend charts drawn from the stored history, how long
ties last, an objective recorded and judged, a story added, an activity evaluated, the report
downloaded — no request outside 127.0.0.1, no console error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Browsing

pytestmark = pytest.mark.browser


def test_an_evaluator_reads_trends_sets_an_objective_and_downloads_the_report(
    browsing: Browsing,
) -> None:
    page = browsing.page("evaluator")
    site = browsing.site
    rows = page.request.get(site.at("/api/v1/communities")).json()["items"]
    community = max(rows, key=lambda row: (row["size"], row["id"]))["id"]
    page.goto(site.at(f"/communities/{community}"))
    page.get_by_role("link", name="Evaluate").click()
    charts = page.locator("#trends figure img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 5  # one chart per stored indicator
    page.wait_for_function(  # every SVG chart loaded and drawn
        "() => [...document.querySelectorAll('#trends img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    expect(page.locator("#trends .benchmark").first).to_contain_text("vs the whole network")
    ties = page.locator("#ties-table tbody tr")  # the network's and the CoP's, cross and internal
    expect(ties).to_have_count(4)
    expect(ties.filter(has_text="the whole network").first).to_contain_text("%")
    page.locator("#objective-details summary").click()
    page.get_by_label("Indicator", exact=True).select_option("cross_share")
    page.get_by_label("Baseline", exact=True).fill("0.1")
    page.get_by_label("Baseline date").fill("2025-01-01")
    page.get_by_label("Target").fill("0.3")
    page.get_by_label("Deadline").fill("2025-12-31")
    page.get_by_label("Description").fill("Open up to other CoPs")
    page.get_by_role("button", name="Record").click()
    row = page.locator("#objectives-table tbody tr", has_text="Open up to other CoPs")
    expect(row.locator(".status")).to_have_text(re.compile("green|amber|red|insufficient"))
    page.locator("#activity-list li").get_by_role("button").first.click()
    expect(page.locator("#intervention h3")).to_be_visible(timeout=60_000)
    page.get_by_label("Story").fill("The data CoP now reviews models with the health CoP.")
    page.get_by_label("Value", exact=True).select_option("applied")
    page.get_by_role("button", name="Add the story").click()
    expect(page.locator("#stories-table tbody")).to_contain_text("reviews models")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<svg" in html and "Open up to other CoPs" in html and "reviews models" in html


def test_weavers_cannot_open_the_evaluation_page(browsing: Browsing) -> None:
    browsing.allow("403")
    page = browsing.page("weaver")
    response = page.goto(browsing.site.at("/evaluation"))
    assert response is not None and response.status == 403
