/* graphsvc: the network explorer (the weaver's main page).
 *
 * Reads /api/v1/meta for the controls, then draws /api/v1/graph for the chosen window,
 * boundary, kinds, communities, metric and highlights. The controls' state is kept in the
 * page's query string (reload or share a link to get the same map). For tests and
 * debugging, window.graphsvcExplorer holds {network, data, doc, loads}.
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, debounce, showAlert, can } = gs;
  const $ = (id) => document.getElementById(id);
  const { state, readState, asOfLabel, windowQuery, graphQuery, pageQuery } = gs.explorerState;
  let map = null;
  let inFlight = null;
  let groupsBoundary = null;
  let loads = 0;

  // -- controls ------------------------------------------------------------------------------

  function fillOptions(select, values, label) {
    select.replaceChildren(...values.map((value) => el("option", { value }, label ? label(value) : value)));
  }

  function fillKinds(kinds) {
    $("kinds").replaceChildren(...kinds.map((kind) => el("label", {},
      el("input", { type: "checkbox", name: "kinds", value: kind }), ` ${kind.replace(/_/g, " ")}`)));
  }

  function fillControls(meta) {
    fillOptions($("boundary"), meta.boundaries);
    fillOptions($("size"), meta.metrics, gs.metricLabel);
    fillKinds(meta.kinds);
    const slider = $("asof");
    slider.max = String(Math.max(0, meta.months.length - 1));
    slider.disabled = meta.months.length === 0;
    $("export-links").hidden = !can(meta.user, "export_graph");
  }

  function fillCommunities(groups) {
    const select = $("communities");
    select.replaceChildren(...groups.map((group) => el("option", { value: group.id }, group.name)));
    syncCommunities();
  }

  function syncCommunities() {
    [...$("communities").options].forEach((option) => { option.selected = state.communities.includes(option.value); });
  }

  /** Put the state into the controls. */
  function syncControls() {
    $("boundary").value = state.boundary;
    $("size").value = state.size;
    $("view").value = state.view;
    $("window").value = String(state.window);
    $("hops").value = String(state.hops);
    $("asof").value = String(Math.max(0, state.asOf));
    $("all-ties").checked = state.allTies;
    document.querySelectorAll('input[name="kinds"]').forEach((box) => { box.checked = state.kinds.includes(box.value); });
    document.querySelectorAll('input[name="highlight"]').forEach((box) => { box.checked = state.highlight.includes(box.value); });
    syncCommunities();
    syncAsOfLabel();
    syncEgo();
  }

  function syncAsOfLabel() {
    const label = asOfLabel() || "no interactions yet";
    $("asof-label").textContent = label;
    $("asof").setAttribute("aria-valuetext", label);
  }

  function syncEgo() {
    $("ego-field").hidden = !state.person;
    $("ego-name").textContent = state.personName;
  }

  function checkedValues(name) {
    return [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  }

  /** Read the controls into the state (`target`: the control that changed). */
  function readControls(target) {
    if (target === $("boundary") && $("boundary").value !== state.boundary) {
      state.communities = []; // community ids belong to one boundary kind
    } else {
      state.communities = [...$("communities").selectedOptions].map((option) => option.value);
    }
    if (target === $("view")) {
      state.person = null;
    }
    state.boundary = $("boundary").value;
    state.size = $("size").value;
    state.view = $("view").value;
    state.window = Number($("window").value);
    state.hops = Number($("hops").value);
    state.asOf = Number($("asof").value);
    state.highlight = checkedValues("highlight");
    const kinds = checkedValues("kinds");
    if (kinds.length) {
      state.kinds = kinds;
    } else {
      target.checked = true;
      showAlert($("alert"), "Keep at least one interaction kind.");
    }
  }

  // -- loading and drawing -------------------------------------------------------------------

  function setLoading(loading) {
    $("loading").hidden = !loading;
    $("map").setAttribute("aria-busy", String(loading));
  }

  function exportHref(path, extra) {
    const params = graphQuery();
    Object.entries(extra || {}).forEach(([name, value]) => params.set(name, value));
    return `${path}?${params}`;
  }

  function syncExports() {
    $("export-gexf").href = exportHref("/api/v1/export.gexf");
    $("export-csv-nodes").href = exportHref("/api/v1/export.csv", { part: "nodes" });
    $("export-csv-edges").href = exportHref("/api/v1/export.csv", { part: "edges" });
  }

  function nameCell(node) {
    if (node.named === false) {
      return el("span", { class: "muted" }, node.label);
    }
    return el("button", { type: "button", class: "link-button", dataset: { node: node.id },
      on: { click: () => selectNode(node, true) } }, node.label);
  }

  function render(doc) {
    if (groupsBoundary !== doc.boundary) {
      groupsBoundary = doc.boundary;
      fillCommunities(doc.groups || []);
    }
    map.update(doc, state.person, { allTies: state.allTies });
    const ego = state.person ? doc.nodes.find((node) => node.id === state.person) : null;
    if (ego) {
      state.personName = ego.label;
      syncEgo();
    }
    $("summary").textContent = gs.graph.summary(doc, map.data.shownEdges);
    $("metric-heading").textContent = gs.metricLabel(doc.size_metric || state.size);
    $("group-heading").textContent = doc.view === "communities" ? "Silo" : "Community";
    gs.graph.fillNodeTable($("node-table").tBodies[0], doc, nameCell);
    gs.graph.fillLegend($("legend"), doc);
    loads += 1;
    $("map").dataset.loads = String(loads);
    window.graphsvcExplorer = { network: map.network, data: map.data, doc, loads };
  }

  async function load() {
    if (inFlight) {
      inFlight.abort();
    }
    const controller = new AbortController();
    inFlight = controller;
    history.replaceState(null, "", `?${pageQuery()}`);
    syncExports();
    setLoading(true);
    try {
      const doc = await api(`/api/v1/graph?${graphQuery()}`, { signal: controller.signal });
      showAlert($("alert"), "");
      render(doc);
    } catch (error) {
      if (error.name !== "AbortError") {
        showAlert($("alert"), error.message);
      }
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        setLoading(false);
      }
    }
  }

  const loadSoon = debounce(load, 250);

  // -- selection and the side panel ------------------------------------------------------------

  function selectNode(node, fromKeyboard) {
    if (!node) {
      return;
    }
    if (map.data.doc && map.data.doc.view === "communities") {
      drillDown(node);
      return;
    }
    if (fromKeyboard) {
      map.select(node.id); // a click has selected it already; from the table, show where it is
    }
    gs.explorerPanel.show(node, {
      user: state.meta.user,
      query: windowQuery(),
      focus: fromKeyboard,
      onCentre: centreOn,
      groups: gs.graph.groupIndex(map.data.doc),
      metric: map.data.doc.size_metric,
    });
  }

  function drillDown(community) {
    state.communities = [community.id];
    state.view = "people";
    state.person = null;
    syncControls();
    $("summary").textContent = `Opening the people of ${community.label}…`;
    load();
  }

  function centreOn(id, name) {
    state.person = id;
    state.personName = name;
    syncEgo();
    load();
  }

  // -- wiring ---------------------------------------------------------------------------------

  function onControlChange(event) {
    if (event.target.id === "search") {
      return; // the search box acts through its suggestions
    }
    if (event.target.id === "all-ties") {
      state.allTies = event.target.checked;
      history.replaceState(null, "", `?${pageQuery()}`);
      if (map.data.doc) {
        render(map.data.doc); // the same document, drawn again: nothing to fetch
      }
      return;
    }
    readControls(event.target);
    syncAsOfLabel();
    syncEgo();
    loadSoon();
  }

  function reset() {
    readState(state.meta, new URLSearchParams());
    syncControls();
    gs.explorerPanel.hide();
    $("search").value = "";
    load();
  }

  function exportPng() {
    const name = `graphsvc-${state.person ? "ego" : state.view}-${asOfLabel() || "all"}.png`;
    if (!gs.graph.downloadPng($("map"), name)) {
      showAlert($("alert"), "The map is not drawn yet.");
    }
  }

  function bind() {
    const form = $("explorer-form");
    form.addEventListener("change", onControlChange);
    $("asof").addEventListener("input", onControlChange);
    form.addEventListener("submit", (event) => event.preventDefault());
    $("reset").addEventListener("click", reset);
    $("export-png").addEventListener("click", exportPng);
    $("ego-clear").addEventListener("click", () => {
      state.person = null;
      syncEgo();
      load();
    });
    gs.search.attach($("search"), $("search-suggestions"),
      (person) => centreOn(person.id, person.name),
      (message) => showAlert($("alert"), message));
  }

  async function start() {
    map = gs.graph.createMap($("map"), (node) => selectNode(node, false));
    bind();
    try {
      const meta = await api("/api/v1/meta");
      fillControls(meta);
      readState(meta, new URLSearchParams(location.search));
      syncControls();
      await load();
    } catch (error) {
      setLoading(false);
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
