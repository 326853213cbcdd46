/* graphsvc: one community's page: its dashboard row, the map of its active members and
 * the member table.
 *
 * The row comes from /api/v1/communities?boundary=… (the kind is in the page's query
 * string; dashboard links carry it, "cop" otherwise), the map and members from
 * /api/v1/graph?view=people&communities=<id> (people with interactions in the window).
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, showAlert, formatNumber, can, personUrl } = gs;
  const $ = (id) => document.getElementById(id);

  function fact(label, value) {
    return [el("dt", {}, label), el("dd", {}, value)];
  }

  function peopleList(people, user) {
    if (!people.length) {
      return "–";
    }
    const linked = can(user, "view_person_details");
    return el("ul", { class: "plain" }, people.map((person) => el("li", {},
      linked ? el("a", { href: personUrl(person.id) }, person.name) : person.name)));
  }

  function renderFacts(item, doc, user) {
    const byId = new Map(doc.matrix.ids.map((id, i) => [id, doc.matrix.names[i]]));
    const fragile = item.fragile_pairs.map((pair) => el("li", {},
      el("a", { href: gs.communityUrl(pair.with, doc.boundary) }, byId.get(pair.with) || pair.with),
      ` (${formatNumber(pair.ties)} ${pair.ties === 1 ? "tie" : "ties"}, all through one person)`));
    $("facts").replaceChildren(el("dl", { class: "facts" },
      fact("Kind", doc.boundary),
      fact("Members", formatNumber(item.size)),
      fact("Active in the window", formatNumber(item.active)),
      fact("E-I", item.ei === null ? "–"
        : `${formatNumber(item.ei, 2)} (expected ${formatNumber(item.ei_expected, 2)}, p ${formatNumber(item.ei_p, 3)})`),
      fact("Silo", item.silo ? `yes: ${item.silo_reason || "inward-looking"}` : "no"),
      fact("Top boundary spanners", peopleList(item.spanners, user)),
      fact("Fragile pairs", fragile.length ? el("ul", { class: "plain" }, fragile) : "–")));
  }

  function nameCell(user) {
    return (node) => {
      if (node.named === false || !can(user, "view_person_details")) {
        return node.label;
      }
      return el("a", { href: personUrl(node.id) }, node.label);
    };
  }

  async function loadRow(id, boundary, user) {
    const doc = await api(`/api/v1/communities?boundary=${encodeURIComponent(boundary)}`);
    const item = doc.items.find((candidate) => candidate.id === id);
    if (!item) {
      $("facts").replaceChildren(el("p", {}, `No community ${id} of kind ${boundary} in this window.`));
      return;
    }
    $("community-name").textContent = item.name;
    document.title = `${item.name} · graphsvc`;
    renderFacts(item, doc, user);
  }

  async function loadMap(id, boundary, user) {
    const query = new URLSearchParams({ view: "people", communities: id, boundary });
    const map = gs.graph.createMap($("map"), (node) => {
      if (node && node.named !== false && can(user, "view_person_details")) {
        location.href = personUrl(node.id);
      }
    });
    try {
      const doc = await api(`/api/v1/graph?${query}`);
      map.update(doc, null);
      $("summary").textContent = gs.graph.summary(doc);
      gs.graph.fillNodeTable($("node-table").tBodies[0], doc, nameCell(user));
      gs.graph.fillLegend($("legend"), doc);
      window.graphsvcExplorer = { network: map.network, data: map.data, doc };
    } finally {
      $("loading").hidden = true;
      $("map").setAttribute("aria-busy", "false");
    }
  }

  async function start() {
    const id = gs.pageData("community-page").communityId;
    const boundary = new URLSearchParams(location.search).get("boundary") || "cop";
    try {
      const meta = await api("/api/v1/meta");
      await Promise.all([loadRow(id, boundary, meta.user), loadMap(id, boundary, meta.user)]);
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
