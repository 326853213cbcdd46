/* graphsvc: the communities dashboard (sortable table) and the tie-matrix heatmap.
 *
 * Both come from /api/v1/communities?boundary=…; the heatmap's cells take one of ten
 * classes .heat-0 … .heat-9 by the decile of their value among all cells (no inline
 * style: the CSP forbids it), and a title with all three measures.
 */
"use strict";

(function () {
  const { api, el, showAlert, formatNumber, can, personUrl, communityUrl } = window.graphsvc;
  const $ = (id) => document.getElementById(id);
  const view = { doc: null, user: null, sortKey: "size", descending: true, metric: "ties" };

  // -- the dashboard table ---------------------------------------------------------------------

  const SORT_VALUES = {
    name: (item) => item.name.toLowerCase(),
    size: (item) => item.size,
    active: (item) => item.active,
    ei: (item) => (item.ei === null ? -Infinity : item.ei),
    silo: (item) => (item.silo ? 1 : 0),
    spanners: (item) => item.spanners.length,
    fragile: (item) => item.fragile_pairs.length,
  };

  function compare(a, b) {
    const key = SORT_VALUES[view.sortKey];
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (view.descending ? -order : order) || a.name.localeCompare(b.name);
  }

  function names() {
    const matrix = view.doc.matrix;
    return new Map(matrix.ids.map((id, i) => [id, matrix.names[i]]));
  }

  function eiCell(item) {
    if (item.ei === null) {
      return el("td", { class: "number" }, "–");
    }
    return el("td", { class: "number" }, formatNumber(item.ei, 2),
      el("span", { class: "sub" }, `expected ${formatNumber(item.ei_expected, 2)}, p ${formatNumber(item.ei_p, 3)}`));
  }

  function siloCell(item) {
    if (!item.silo) {
      return el("td", {}, "no");
    }
    return el("td", {}, el("span", { class: "tag tag-silo" }, "silo"),
      item.silo_reason ? el("span", { class: "sub" }, item.silo_reason) : null);
  }

  function spannersCell(item) {
    const linked = can(view.user, "view_person_details");
    const people = item.spanners.map((person) => el("li", {},
      linked ? el("a", { href: personUrl(person.id) }, person.name) : person.name));
    return el("td", {}, people.length ? el("ul", { class: "plain" }, people) : "–");
  }

  function fragileCell(item, byId) {
    const pairs = item.fragile_pairs.map((pair) => el("li", {},
      `${byId.get(pair.with) || pair.with} (${formatNumber(pair.ties)} ${pair.ties === 1 ? "tie" : "ties"})`));
    return el("td", {}, pairs.length ? el("ul", { class: "plain" }, pairs) : "–");
  }

  function row(item, byId) {
    return el("tr", { dataset: { community: item.id } },
      el("th", { scope: "row" }, el("a", { href: communityUrl(item.id, view.doc.boundary) }, item.name)),
      el("td", { class: "number" }, formatNumber(item.size)),
      el("td", { class: "number" }, formatNumber(item.active)),
      eiCell(item), siloCell(item), spannersCell(item), fragileCell(item, byId));
  }

  function renderTable() {
    const byId = names();
    const items = [...view.doc.items].sort(compare);
    $("dashboard").tBodies[0].replaceChildren(...items.map((item) => row(item, byId)));
    document.querySelectorAll("#dashboard th[data-key]").forEach((th) => {
      const sorted = th.dataset.key === view.sortKey;
      if (sorted) {
        th.setAttribute("aria-sort", view.descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  function onSort(event) {
    const th = event.target.closest("th[data-key]");
    if (!th || !view.doc) {
      return;
    }
    const key = th.dataset.key;
    view.descending = key === view.sortKey ? !view.descending : key !== "name";
    view.sortKey = key;
    renderTable();
  }

  // -- the heatmap -----------------------------------------------------------------------------

  function lowerBound(sorted, value) {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle] < value) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** value → "heat-0".."heat-9": the share of all values below it, in tenths. */
  function heatClasser(rows) {
    const values = rows.flat().filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
    return (value) => {
      if (value === null || !Number.isFinite(value)) {
        return "heat-none";
      }
      const share = values.length ? lowerBound(values, value) / values.length : 0;
      return `heat-${Math.min(9, Math.floor(share * 10))}`;
    };
  }

  function cellTitle(matrix, i, j) {
    const pick = (name) => formatNumber(matrix[name][i][j], 3);
    return `${matrix.names[i]} × ${matrix.names[j]}: ${pick("ties")} ties, density ${pick("density")}, O/E ${pick("oe")}`;
  }

  function renderHeatmap() {
    const matrix = view.doc.matrix;
    const values = matrix[view.metric];
    const classOf = heatClasser(values);
    const digits = view.metric === "ties" ? 0 : 2;
    const head = el("tr", {}, el("td", {}), matrix.names.map((name) => el("th", { scope: "col", class: "col-name" },
      el("span", {}, name))));
    const body = matrix.names.map((name, i) => el("tr", {}, el("th", { scope: "row" }, name),
      values[i].map((value, j) => el("td", { class: classOf(value), title: cellTitle(matrix, i, j), tabindex: "0",
        "aria-label": cellTitle(matrix, i, j) }, formatNumber(value, digits)))));
    const caption = el("caption", { class: "visually-hidden" }, `Community × community: ${$("heat-metric")
      .querySelector("input:checked").parentElement.textContent.trim()}`);
    $("heatmap").replaceChildren(caption, el("thead", {}, head), el("tbody", {}, body));
  }

  // -- loading ---------------------------------------------------------------------------------

  async function load() {
    const boundary = $("boundary").value;
    history.replaceState(null, "", `?boundary=${encodeURIComponent(boundary)}`);
    $("summary").textContent = "Loading…";
    try {
      view.doc = await api(`/api/v1/communities?boundary=${encodeURIComponent(boundary)}`);
      showAlert($("alert"), "");
      const silos = view.doc.items.filter((item) => item.silo).length;
      $("summary").textContent = `${view.doc.items.length} communities of kind ${view.doc.boundary}, ${silos} flagged as silos`;
      renderTable();
      renderHeatmap();
    } catch (error) {
      $("summary").textContent = "";
      showAlert($("alert"), error.message);
    }
  }

  async function start() {
    $("dashboard").tHead.addEventListener("click", onSort);
    $("heat-metric").addEventListener("change", (event) => {
      view.metric = event.target.value;
      if (view.doc) {
        renderHeatmap();
      }
    });
    $("boundary").addEventListener("change", load);
    try {
      const meta = await api("/api/v1/meta");
      view.user = meta.user;
      const wanted = new URLSearchParams(location.search).get("boundary");
      $("boundary").replaceChildren(...meta.boundaries.map((kind) => el("option", { value: kind }, kind)));
      $("boundary").value = meta.boundaries.includes(wanted) ? wanted : "cop";
      await load();
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
