"""The web UI in a real browser: sign-in, every page, the explorer's controls, the map.

Each test runs in fresh Chromium contexts (``browsing``), fails on any request leaving
127.0.0.1 and on any console or page error (CSP violations included).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

if TYPE_CHECKING:
    from conftest import Browsing, Site

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def api_json(page: Page, site: Site, path: str) -> dict[str, Any]:
    """A GET on the API with the page's session."""
    response = page.request.get(site.at(path))
    assert response.ok, f"{path}: {response.status} {response.text()}"
    document: dict[str, Any] = response.json()
    return document


def open_explorer(browsing: Browsing, page: Page, query: str = "") -> None:
    page.goto(browsing.site.at("/" + query))
    browsing.wait_for_draw(page, 0)


def explorer_doc(page: Page) -> dict[str, Any]:
    document: dict[str, Any] = page.evaluate("() => window.graphsvcExplorer.doc")
    return document


def busiest_named(page: Page, site: Site) -> dict[str, Any]:
    """The named person with the highest degree in the whole network."""
    doc = api_json(page, site, "/api/v1/graph?view=people")
    named = [node for node in doc["nodes"] if node["named"]]
    return max(named, key=lambda node: (node["value"], node["id"]))


def test_sign_in_form_refuses_a_wrong_password_then_signs_in(browsing: Browsing) -> None:
    page = browsing.page()
    browsing.allow("status of 401")
    page.goto(browsing.site.at("/communities"))
    expect(page).to_have_url(browsing.site.at("/login?next=/communities"))
    browsing.sign_in(page, "weaver", "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("Wrong name or password")
    browsing.sign_in(page, "weaver", browsing.password)
    expect(page).to_have_url(browsing.site.at("/communities"))
    expect(page.locator(".site-user")).to_contain_text("weaver")
    expect(page.locator("#dashboard tbody tr").first).to_be_visible()


def test_every_page_loads_cleanly(browsing: Browsing) -> None:
    page = browsing.page("admin")
    site = browsing.site
    person = busiest_named(page, site)
    community = api_json(page, site, "/api/v1/communities")["items"][0]
    open_explorer(browsing, page)
    expect(page.locator("#summary")).to_contain_text("shown")
    page.goto(site.at("/communities"))
    expect(page.locator("#dashboard tbody tr")).to_have_count(
        len(api_json(page, site, "/api/v1/communities")["items"])
    )
    expect(page.locator("#heatmap td[class^='heat-']").first).to_be_visible()
    page.get_by_role("radio", name="density").check()
    expect(page.locator("#heatmap tbody td").first).to_have_attribute(
        "title", re.compile("density")
    )
    page.goto(site.at(f"/communities/{community['id']}?boundary=cop"))
    expect(page.locator("#community-name")).to_have_text(community["name"])
    expect(page.locator("#node-table tbody tr").first).to_be_visible()
    page.goto(site.at(f"/people/{person['id']}"))
    expect(page.locator("#person-name")).to_have_text(person["label"])
    expect(page.locator("#metrics dl")).to_be_visible()
    page.goto(site.at("/imports"))
    expect(page.locator("#summary")).not_to_have_text("Loading…")
    for path in ("/", "/communities", "/imports"):
        page.goto(site.at(path))
        expect(page.locator("#alert")).to_be_hidden()


def test_heatmap_title_names_the_pair(browsing: Browsing) -> None:
    page = browsing.page("viewer")
    page.goto(browsing.site.at("/communities"))
    cell = page.locator("#heatmap tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_attribute("title", re.compile(r".+ × .+: .* ties, density .*, O/E "))
    assert page.locator("#heatmap td[class~='heat-0']").count() > 0


def test_search_opens_the_ego_view(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    site = browsing.site
    person = busiest_named(page, site)
    open_explorer(browsing, page)
    before = browsing.loads(page)
    page.get_by_role("combobox", name="Find a person").fill(person["label"])
    first = page.locator("#search-suggestions li[data-person]").first
    expect(first).to_be_visible()
    chosen = first.get_attribute("data-person")
    page.keyboard.press("Enter")
    browsing.wait_for_draw(page, before)
    doc = explorer_doc(page)
    assert doc["view"] == "ego"
    assert len(doc["nodes"]) > 1
    assert chosen in {node["id"] for node in doc["nodes"]}
    assert chosen == person["id"], "the busiest person's full name should find them first"
    expect(page.locator("#ego-name")).to_have_text(person["label"])
    page.get_by_label("Steps out").select_option("1")
    browsing.wait_for_draw(page, before + 1)
    assert len(explorer_doc(page)["nodes"]) <= len(doc["nodes"])


def test_time_slider_reloads_an_earlier_window(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    open_explorer(browsing, page)
    before = browsing.loads(page)
    first_summary = page.locator("#summary").inner_text()
    first_count = len(explorer_doc(page)["nodes"])
    ends: list[str] = []

    def record_end(request: Request) -> None:
        if "/api/v1/graph?" in request.url:
            ends.append(parse_qs(urlsplit(request.url).query)["end"][0])

    page.on("request", record_end)
    page.locator("#asof").focus()
    page.keyboard.press("Home")
    browsing.wait_for_draw(page, before)
    doc = explorer_doc(page)
    year, month = (int(part) for part in page.locator("#asof-label").inner_text().split("-"))
    next_month = f"{year + month // 12}-{month % 12 + 1:02d}-01"
    assert ends and ends[-1] == next_month
    assert doc["window"]["end"].startswith(next_month)
    assert len(doc["nodes"]) < first_count
    expect(page.locator("#summary")).not_to_have_text(first_summary)
    expect(page.locator("#summary")).to_contain_text(f"{len(doc['nodes'])} people")


def test_community_filter_shows_only_its_members(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    open_explorer(browsing, page)
    before = browsing.loads(page)
    options = page.locator("#communities option")
    assert options.count() > 1
    community = options.nth(1).get_attribute("value")
    assert community
    page.get_by_label("Only these communities").select_option(community)
    browsing.wait_for_draw(page, before)
    rows = page.locator("#node-table tbody tr")
    groups = rows.evaluate_all("rows => rows.map(row => row.dataset.groups.split(' '))")
    assert groups, "the filtered map shows nobody"
    assert all(community in row for row in groups)
    assert len(groups) < len(api_json(page, browsing.site, "/api/v1/graph?view=people")["nodes"])
    assert f"communities={community}" in page.url


def test_clicking_a_node_shows_the_person(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    open_explorer(browsing, page)
    target = page.evaluate(
        """() => {
          const {network, doc} = window.graphsvcExplorer;
          const frame = document.getElementById('map').getBoundingClientRect();
          const named = doc.nodes.filter(n => n.named).sort((a, b) => b.size - a.size);
          for (const node of named) {
            const at = network.canvasToDOM(network.getPosition(node.id));
            if (network.getNodeAt(at) === node.id && at.x > 5 && at.y > 5
                && at.x < frame.width - 5 && at.y < frame.height - 5) {
              return {id: node.id, label: node.label, x: frame.left + at.x, y: frame.top + at.y};
            }
          }
          return null;
        }"""
    )
    assert target, "no named node can be clicked alone"
    page.mouse.click(target["x"], target["y"])
    expect(page.locator("#details-heading")).to_have_text(target["label"])
    expect(page.locator("#details-body")).to_contain_text("Strongest ties")
    link = page.get_by_role("link", name="Open the person page")
    expect(link).to_have_attribute("href", f"/people/{target['id']}")


def test_communities_view_drills_down_by_keyboard(browsing: Browsing) -> None:
    page = browsing.page("viewer")
    open_explorer(browsing, page)
    before = browsing.loads(page)
    page.get_by_label("View").select_option("communities")
    browsing.wait_for_draw(page, before)
    assert explorer_doc(page)["view"] == "communities"
    expect(page.locator("#summary")).to_contain_text("communities")
    button = page.locator("#node-table tbody tr button").first
    community = button.get_attribute("data-node")
    button.focus()
    page.keyboard.press("Enter")
    browsing.wait_for_draw(page, before + 1)
    doc = explorer_doc(page)
    assert doc["view"] == "people"
    assert doc["nodes"] and all(community in node["groups"] for node in doc["nodes"])


def test_export_png_and_gexf(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    open_explorer(browsing, page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export PNG").click()
    path = download.value.path()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    href = page.get_by_role("link", name="GEXF").get_attribute("href")
    assert href and href.startswith("/api/v1/export.gexf?")
    response = page.request.get(browsing.site.at(href))
    assert response.ok and b"<gexf" in response.body()


def test_viewer_sees_no_exports(browsing: Browsing) -> None:
    page = browsing.page("viewer")
    open_explorer(browsing, page)
    expect(page.get_by_role("link", name="GEXF")).to_be_hidden()
    expect(page.get_by_role("link", name="Imports")).to_have_count(0)


def test_person_page_needs_person_details(browsing: Browsing) -> None:
    browsing.allow("status of 403")
    viewer = browsing.page("viewer")
    person = busiest_named(viewer, browsing.site)
    response = viewer.goto(browsing.site.at(f"/people/{person['id']}"))
    assert response is not None and response.status == 403
    expect(viewer.locator("h1")).to_contain_text("403")
    weaver = browsing.page("weaver")
    response = weaver.goto(browsing.site.at(f"/people/{person['id']}"))
    assert response is not None and response.status == 200
    expect(weaver.locator("#person-name")).to_have_text(person["label"])
    expect(weaver.locator("#summary")).to_contain_text("people")
    expect(weaver.locator("#ties table")).to_be_visible()


def test_map_canvas_has_drawn_pixels(browsing: Browsing) -> None:
    page = browsing.page("viewer")
    open_explorer(browsing, page)
    coloured = page.evaluate(
        """() => {
          const canvas = document.querySelector('#map canvas');
          const context = canvas.getContext('2d');
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
          let count = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            const white = pixels[i] > 245 && pixels[i + 1] > 245 && pixels[i + 2] > 245;
            if (pixels[i + 3] > 0 && !white) count += 1;
          }
          return count;
        }"""
    )
    assert coloured > 2000


def test_every_control_is_reachable_by_tab(browsing: Browsing) -> None:
    page = browsing.page("weaver")
    open_explorer(browsing, page)
    page.locator("#search").focus()
    reached = set()
    for _ in range(40):
        reached.add(page.evaluate("() => document.activeElement.id"))
        page.keyboard.press("Tab")
    wanted = {"search", "view", "boundary", "communities", "size", "asof", "window", "reset"}
    assert wanted <= reached, f"not reached by Tab: {wanted - reached}"


def test_a_large_map_draws_every_cross_tie_then_the_strongest(browsing: Browsing) -> None:
    """Above 20,000 ties the map draws bridges and cross ties first, then internal ties by
    weight (the rest stay in the table and exports); "draw every tie" draws them all."""
    page = browsing.page("viewer")
    open_explorer(browsing, page)
    drawn = page.evaluate(
        """() => {
          const nodes = Array.from({length: 300}, (_, i) => ({id: 'n' + i, label: 'n' + i,
            x: i, y: i, size: 10, group: null, groups: []}));
          const edges = Array.from({length: 25000}, (_, i) => ({id: 'e' + i,
            from: 'n' + (i % 300), to: 'n' + ((i * 7 + 1) % 300), weight: (i * 37) % 1000,
            count: 1, cross: i % 10 === 0, bridge: false}));
          const doc = {view: 'people', nodes, edges, groups: [], brokers: [], bridges: [],
            silos: []};
          const some = window.graphsvc.graph.toVis(doc, null).edges.map(e => e.id);
          const every = window.graphsvc.graph.toVis(doc, null, true).edges.length;
          const kept = new Set(some);
          const weight = (e) => e.weight;
          const internal = edges.filter(e => !e.cross);
          return {
            drawn: some.length, every,
            crossKept: edges.filter(e => e.cross).every(e => kept.has(e.id)),
            weakestKept: Math.min(...internal.filter(e => kept.has(e.id)).map(weight)),
            strongestLeft: Math.max(...internal.filter(e => !kept.has(e.id)).map(weight)),
          };
        }"""
    )
    assert drawn["drawn"] == 20_000 and drawn["every"] == 25_000
    assert drawn["crossKept"]
    assert drawn["weakestKept"] >= drawn["strongestLeft"]
