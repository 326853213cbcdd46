/* graphsvc: the evaluator's page for a community (or the whole network).
 *
 * /api/v1/evaluation/indicators: the stored series (charts are SVG images from
 * /api/v1/evaluation/chart.svg, each with a table of its periods); /api/v1/objectives: the
 * board and its form; /api/v1/activities (+ /<id>/intervention): before/after reports;
 * /api/v1/stories: the Wenger-Trayner stories and their form; /api/v1/evaluation/ties: how
 * long cross-community and internal ties last.
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, showAlert, formatNumber } = gs;
  const $ = (id) => document.getElementById(id);
  const SHARES = new Set(["cross_share", "cross_share_baseline", "active_spanner_share", "retention", "jaccard", "pairs_connected"]);
  const page = { community: "", series: {}, variant: null };

  function scopeQuery(extra = {}) {
    const query = new URLSearchParams(extra);
    if (page.community) {
      query.set("community", page.community);
    }
    return query;
  }

  function number(indicator, value) {
    if (value === null || value === undefined) {
      return "–";
    }
    return SHARES.has(indicator) ? `${formatNumber(100 * value, 1)}%` : formatNumber(value, 3);
  }

  function periodTable(indicator, periods) {
    const rows = periods.map((p) => el("tr", {},
      el("td", {}, p.period_start.slice(0, 10)),
      el("td", { class: "number" }, p.suppressed ? "suppressed" : p.insufficient ? "insufficient" : number(indicator, p.value)),
      el("td", { class: "number" }, p.low === null || p.suppressed ? "" : `${number(indicator, p.low)} – ${number(indicator, p.high)}`),
      el("td", { class: "number" }, formatNumber(p.n_interactions)),
      el("td", { class: "number" }, formatNumber(p.n_active))));
    return el("details", {}, el("summary", {}, `The ${periods.length} periods as a table`),
      el("table", { class: "compact" }, el("thead", {}, el("tr", {},
        ...["Period", "Value", "Interval", "Interactions", "Active people"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
  }

  function renderTrends(doc) {
    page.series = doc.series;
    page.variant = doc.variant;
    const names = Object.keys(doc.series).sort();
    $("obj-indicator").replaceChildren(...names.map((name) => el("option", { value: name }, name)));
    if (!names.length) {
      $("trends").replaceChildren(el("p", { class: "muted" }, "No indicator history stored yet: run graphsvc snapshot (or let the scheduler do it)."));
      $("variant").textContent = "";
      return;
    }
    const parameters = Object.entries(doc.variant.parameters).map(([k, v]) => `${k} ${v}`).join(", ");
    $("variant").textContent = `Definition ${doc.variant.definition} (${parameters}). Shaded: the interval of each value; gaps: too little data or a group too small to show.`;
    $("variant-field").hidden = doc.variants.length < 2;
    $("variant-select").replaceChildren(...doc.variants.map((v, i) => el("option", { value: i },
      `${v.definition}: ${Object.entries(v.parameters).map(([k, x]) => `${k} ${x}`).join(", ")}`)));
    $("trends").replaceChildren(...names.map((name) => {
      const src = `/api/v1/evaluation/chart.svg?${scopeQuery({ indicator: name, definition: doc.variant.definition,
        parameters_id: doc.variant.parameters_id })}`;
      const comparison = el("p", { class: "hint benchmark" });
      if (page.community) {
        loadBenchmark(name, comparison);
      }
      return el("figure", { class: "trend", dataset: { indicator: name } },
        el("img", { src, alt: `${name} per period with its interval`, width: 640, height: 240 }),
        el("figcaption", {}, name), comparison, periodTable(name, doc.series[name]));
    }));
  }

  /** "0.32 in 2025-06: +0.07 vs the network (beyond its interval), …" */
  async function loadBenchmark(name, target) {
    try {
      const doc = await api(`/api/v1/evaluation/benchmark?${scopeQuery({ indicator: name })}`);
      if (!doc.latest) {
        return;
      }
      const parts = doc.references.map((r) => `${r.difference >= 0 ? "+" : "−"}${number(name, Math.abs(r.difference))} vs ${r.label}` +
        (r.beyond_interval ? " (beyond its interval)" : ""));
      target.textContent = `Latest ${number(name, doc.latest.value)} (${doc.latest.period_start.slice(0, 7)}): ${parts.join("; ")}.`;
    } catch (error) {
      target.textContent = "";
    }
  }

  async function loadTrends(variant) {
    const extra = variant ? { definition: variant.definition, parameters_id: variant.parameters_id } : {};
    renderTrends(await api(`/api/v1/evaluation/indicators?${scopeQuery(extra)}`));
  }

  function renderObjectives(items) {
    $("objectives-table").tBodies[0].replaceChildren(...(items.length ? items.map((o) => {
      const status = o.status;
      const remove = el("button", { type: "button", class: "secondary", "aria-label": `Delete objective ${o.description || o.indicator}`,
        on: { click: () => deleteObjective(o.id) } }, "Delete");
      return el("tr", { dataset: { objective: o.id } },
        el("td", {}, o.description || o.indicator, el("br"), el("span", { class: "muted" }, `${o.indicator}, ${o.boundary}${o.interaction_kind ? `, ${o.interaction_kind}` : ""}`)),
        el("td", {}, `${number(o.indicator, o.baseline)} (${o.baseline_at.slice(0, 10)}) → ${number(o.indicator, o.target)} by ${o.deadline.slice(0, 10)}`),
        el("td", { class: "number" }, number(o.indicator, status.value)),
        el("td", {}, el("span", { class: `status status-${status.status}` }, status.status)),
        el("td", { class: "number" }, status.projection === null ? "–" : `${number(o.indicator, status.projection)}${status.on_track ? " (on track)" : ""}`),
        el("td", {}, remove));
    }) : [el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No objectives recorded."))]));
  }

  async function loadObjectives() {
    renderObjectives((await api(`/api/v1/objectives?${scopeQuery()}`)).items);
  }

  async function deleteObjective(id) {
    await api(`/api/v1/objectives/${encodeURIComponent(id)}`, { method: "DELETE" });
    await loadObjectives();
  }

  async function recordObjective(event) {
    event.preventDefault();
    const body = {
      indicator: $("obj-indicator").value, baseline: $("obj-baseline").value, baseline_at: $("obj-baseline-at").value,
      target: $("obj-target").value, deadline: $("obj-deadline").value, min_n: $("obj-min-n").value || "30",
      description: $("obj-description").value,
    };
    if (page.community) {
      body.community = page.community;
    }
    if (page.variant) {
      body.boundary = page.variant.parameters.boundary || "cop";
    }
    try {
      await api("/api/v1/objectives", { method: "POST", body });
      $("objective-form").reset();
      await loadObjectives();
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  function estimate(e) {
    if (!e || e.estimate === null) {
      return "no estimate";
    }
    return `${formatNumber(e.estimate, 2)} (95% interval ${formatNumber(e.ci_low, 2)} to ${formatNumber(e.ci_high, 2)}${e.p === null ? "" : `, p = ${formatNumber(e.p, 3)}`})`;
  }

  function renderIntervention(report) {
    const did = report.did;
    const its = report.its;
    const placebo = report.placebo;
    const lines = [el("h3", {}, `${report.intervention.name || report.intervention.activity_id} (${report.intervention.start.slice(0, 10)})`)];
    if (did) {
      lines.push(el("p", {}, `Participants vs ${did.n_pairs} matched non-participants: ${estimate(did.effect)} cross-community interactions per person and period.`));
    }
    if (its) {
      lines.push(el("p", {}, `Interrupted time series, level change: ${estimate(its.level_change)}${its.few_points ? " (few points: read with care)" : ""}.`));
    }
    if (placebo) {
      lines.push(el("p", {}, `${placebo.n_placebos} placebo dates before it; as extreme as the real effect: ${formatNumber(100 * (placebo.share_as_extreme || 0), 0)}%.`));
    }
    const periods = report.outcome ? report.outcome.periods : [];
    lines.push(el("table", { class: "compact" }, el("thead", {}, el("tr", {},
      ...["Period", "Cross-community", "All", "Phase"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, periods.map((p) => el("tr", {}, el("td", {}, p.period), el("td", { class: "number" }, formatNumber(p.cross)),
      el("td", { class: "number" }, formatNumber(p.total)), el("td", {}, p.phase || ""))))));
    report.notes.forEach((note) => lines.push(el("p", { class: "hint" }, note)));
    $("intervention").replaceChildren(...lines);
  }

  async function evaluateActivity(activity) {
    $("intervention").replaceChildren(el("p", { class: "muted" }, `Evaluating ${activity.name}…`));
    try {
      renderIntervention((await api(`/api/v1/activities/${encodeURIComponent(activity.id)}/intervention`)).report);
      $("report-link").href = `/evaluation/report.html?${scopeQuery({ activity: activity.id })}`;
    } catch (error) {
      $("intervention").replaceChildren();
      showAlert($("alert"), error.message);
    }
  }

  async function loadActivities() {
    const items = (await api(`/api/v1/activities?${scopeQuery()}`)).items;
    $("activity-list").replaceChildren(...(items.length ? items.slice(0, 20).map((a) => el("li", {},
      `${a.start.slice(0, 10)} · ${a.name} (${a.kind}, ${a.participants} participants) `,
      el("button", { type: "button", class: "secondary", "aria-label": `Evaluate ${a.name}`, on: { click: () => evaluateActivity(a) } }, "Evaluate")))
      : [el("li", { class: "muted" }, "No activities recorded.")]));
  }

  function renderStories(items) {
    $("stories-table").tBodies[0].replaceChildren(...(items.length ? items.map((s) => el("tr", {},
      el("td", {}, s.at.slice(0, 10)), el("td", {}, s.value_cycle || "–"), el("td", {}, s.text), el("td", {}, s.author),
      el("td", {}, el("button", { type: "button", class: "secondary", "aria-label": "Delete this story",
        on: { click: () => deleteStory(s.id) } }, "Delete"))))
      : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No stories yet."))]));
  }

  async function loadStories() {
    const [stories, values] = await Promise.all([api(`/api/v1/stories?${scopeQuery()}`),
      api(`/api/v1/evaluation/values?${scopeQuery()}`)]);
    renderStories(stories.items);
    $("value-table").tBodies[0].replaceChildren(...values.items.map((row) => el("tr", {},
      el("th", { scope: "row" }, row.cycle, el("br"), el("span", { class: "muted" }, row.meaning)),
      el("td", {}, row.proxies.length ? el("ul", { class: "plain" }, row.proxies.map((x) => el("li", {}, x))) : "–"),
      el("td", {}, row.stories.length ? el("ul", { class: "plain" }, row.stories.map((s) => el("li", {}, `${s.text} — ${s.author}, ${s.at.slice(0, 10)}`))) : "–"))));
  }

  function share(alive) {
    return `${formatNumber(100 * alive.value, 0)}% (${formatNumber(100 * alive.low, 0)}–${formatNumber(100 * alive.high, 0)}%)`;
  }

  function tieRow(row) {
    const median = row.median_days === null ? "–"
      : `${formatNumber(row.median_days, 0)} (${formatNumber(row.median_low, 0)}–${row.median_high === null ? "…" : formatNumber(row.median_high, 0)})`;
    const figures = row.suppressed ? ["suppressed", "", ""]
      : [median, share(row.surviving_90d), share(row.surviving_365d)];
    const note = row.insufficient && !row.suppressed ? " (few ties)" : "";
    return el("tr", {}, el("td", {}, row.scope === "network" ? "the whole network" : row.scope),
      el("td", {}, `${row.ties}${note}`), el("td", { class: "number" }, formatNumber(row.n)),
      ...figures.map((text) => el("td", { class: "number" }, text)));
  }

  async function loadTies() {
    const items = (await api(`/api/v1/evaluation/ties?${scopeQuery()}`)).items;
    const shown = page.community ? items : items.filter((row) => row.scope === "network");
    $("ties-table").tBodies[0].replaceChildren(...(shown.length ? shown.map(tieRow)
      : [el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No interactions yet."))]));
  }

  async function deleteStory(id) {
    await api(`/api/v1/stories/${encodeURIComponent(id)}`, { method: "DELETE" });
    await loadStories();
  }

  async function addStory(event) {
    event.preventDefault();
    const body = { text: $("story-text").value, value_cycle: $("story-cycle").value };
    if ($("story-at").value) {
      body.at = $("story-at").value;
    }
    if (page.community) {
      body.community = page.community;
    }
    try {
      await api("/api/v1/stories", { method: "POST", body });
      $("story-form").reset();
      await loadStories();
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  async function start() {
    page.community = gs.pageData("evaluation-page").communityId || "";
    $("objective-form").addEventListener("submit", recordObjective);
    $("story-form").addEventListener("submit", addStory);
    $("variant-select").addEventListener("change", async (event) => {
      const variants = (await api(`/api/v1/evaluation/indicators?${scopeQuery()}`)).variants;
      await loadTrends(variants[Number(event.target.value)]);
    });
    try {
      await Promise.all([loadTrends(null), loadObjectives(), loadActivities(), loadStories(), loadTies()]);
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
