/* graphsvc: the explorer's state and the queries it makes (graphsvc.explorerState).
 *
 * One state object (boundary, kinds, communities, metric, highlights, "as of" month and
 * window, view, ego person and hops) read from /api/v1/meta's defaults and the page's
 * query string, and turned into the /api/v1/graph query and back into the page's own.
 */
"use strict";

(function () {
  const DEFAULTS = { view: "auto", hops: 2, size: "degree", window: 0 };
  const state = { meta: null, boundary: "cop", kinds: [], communities: [], size: "degree", highlight: [],
    asOf: -1, window: 0, view: "auto", person: null, personName: "", hops: 2, allTies: false };

  // -- months: "YYYY-MM" labels as month numbers, and the window they give ----------------

  function monthNumber(label) {
    const [year, month] = label.split("-").map(Number);
    return year * 12 + month - 1;
  }

  function monthStart(number) {
    const year = Math.floor(number / 12);
    return `${year}-${String((number % 12) + 1).padStart(2, "0")}-01`;
  }

  function asOfLabel() {
    const months = state.meta ? state.meta.months : [];
    return state.asOf >= 0 && state.asOf < months.length ? months[state.asOf] : null;
  }

  /** `end` = first day of the month after "as of"; `start` = that many months before. */
  function addWindow(params) {
    const label = asOfLabel();
    if (!label) {
      return;
    }
    const asOf = monthNumber(label);
    params.set("end", monthStart(asOf + 1));
    if (state.window > 0) {
      params.set("start", monthStart(asOf - state.window + 1));
    }
  }

  // -- queries -------------------------------------------------------------------------------

  function windowQuery() {
    const params = new URLSearchParams({ boundary: state.boundary, kinds: state.kinds.join(",") });
    addWindow(params);
    return params;
  }

  /** The /api/v1/graph (and export) query of the current state. */
  function graphQuery() {
    const params = windowQuery();
    if (state.person) {
      params.set("view", "ego");
      params.set("person", state.person);
      params.set("hops", String(state.hops));
    } else {
      params.set("view", state.view);
    }
    params.set("size", state.size);
    if (state.communities.length) {
      params.set("communities", state.communities.join(","));
    }
    if (state.highlight.length) {
      params.set("highlight", state.highlight.join(","));
    }
    return params;
  }

  /** The page's own query string (what a reload restores). */
  function pageQuery() {
    const params = new URLSearchParams({ view: state.view, boundary: state.boundary, kinds: state.kinds.join(","),
      size: state.size, window: String(state.window) });
    [["communities", state.communities], ["highlight", state.highlight]]
      .filter(([, list]) => list.length).forEach(([name, list]) => params.set(name, list.join(",")));
    if (asOfLabel()) {
      params.set("asof", asOfLabel());
    }
    if (state.person) {
      params.set("person", state.person);
      params.set("hops", String(state.hops));
    }
    if (state.allTies) {
      params.set("ties", "all");
    }
    return params;
  }

  function listParam(params, name, allowed) {
    const words = (params.get(name) || "").split(",").filter(Boolean);
    return allowed ? words.filter((word) => allowed.includes(word)) : words;
  }

  function choice(value, allowed, fallback) {
    return allowed.includes(value) ? value : fallback;
  }

  /** State from the defaults of `meta`, then from the page's query string. */
  function readState(meta, params) {
    const months = meta.months;
    state.meta = meta;
    state.boundary = choice(params.get("boundary"), meta.boundaries, meta.boundaries.includes("cop") ? "cop" : meta.boundaries[0]);
    const kinds = listParam(params, "kinds", meta.kinds);
    state.kinds = kinds.length ? kinds : [...meta.default_kinds];
    state.communities = listParam(params, "communities");
    state.size = choice(params.get("size"), meta.metrics, DEFAULTS.size);
    state.highlight = listParam(params, "highlight", ["brokers", "bridges", "silos"]);
    const asOf = months.indexOf(params.get("asof"));
    state.asOf = asOf >= 0 ? asOf : months.length - 1;
    state.window = Number(choice(params.get("window"), ["0", "3", "6", "12"], String(DEFAULTS.window)));
    state.view = choice(params.get("view"), ["auto", "people", "communities"], DEFAULTS.view);
    state.person = params.get("person") || null;
    state.personName = state.person || "";
    state.hops = Number(choice(params.get("hops"), ["1", "2", "3"], String(DEFAULTS.hops)));
    state.allTies = params.get("ties") === "all";
  }

  window.graphsvc.explorerState = { state, readState, asOfLabel, windowQuery, graphQuery, pageQuery };
})();
