/* graphsvc: the imports page (admin). The recent runs (/api/v1/imports) with their row
 * outcomes; "Show" opens a run with its quarantined rows (/api/v1/imports/<id>); the upload
 * form posts the file to /api/v1/imports (multipart, CSRF header) and shows the new run.
 */
"use strict";

(function () {
  const { api, el, showAlert, formatNumber } = window.graphsvc;
  const $ = (id) => document.getElementById(id);
  const OUTCOMES = ["inserted", "updated", "unchanged", "rejected"];

  /** Rows per outcome summed over every entity of the run. */
  function totals(run) {
    const sums = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]));
    for (const perEntity of Object.values(run.outcomes || {})) {
      for (const outcome of OUTCOMES) {
        sums[outcome] += perEntity[outcome] || 0;
      }
    }
    return sums;
  }

  function when(iso) {
    return iso ? iso.replace("T", " ").slice(0, 19) : "–";
  }

  function runRow(run) {
    const sums = totals(run);
    const show = el("button", { type: "button", class: "secondary", "data-run": run.id,
      "aria-label": `Show run ${run.id}` }, "Show");
    show.addEventListener("click", () => openRun(run.id));
    return el("tr", { "data-run-row": run.id },
      el("td", {}, when(run.started_at)),
      el("td", {}, run.source),
      el("td", { class: `status-${run.status}` }, run.status),
      ...OUTCOMES.map((outcome) => el("td", { class: "number" }, formatNumber(sums[outcome]))),
      el("td", { class: "number" }, run.seconds === null ? "–" : formatNumber(run.seconds, 2)),
      el("td", {}, show));
  }

  function renderRun(run) {
    const sums = totals(run);
    $("run-heading").textContent = `Run ${run.id}`;
    const perEntity = Object.entries(run.outcomes || {}).map(([entity, counts]) => el("li", {},
      `${entity}: ${OUTCOMES.map((o) => `${formatNumber(counts[o] || 0)} ${o}`).join(", ")}`));
    $("run-facts").replaceChildren(
      el("p", {}, `${run.source}, ${run.status}, started ${when(run.started_at)}; ` +
        `${formatNumber(sums.inserted)} inserted, ${formatNumber(sums.updated)} updated, ` +
        `${formatNumber(sums.unchanged)} unchanged, ${formatNumber(sums.rejected)} quarantined.`),
      perEntity.length ? el("ul", { class: "plain" }, perEntity) : "");
    $("run-errors").replaceChildren(...(run.errors.length
      ? run.errors.map((message) => el("li", {}, message))
      : [el("li", { class: "muted" }, "None: every row loaded.")]));
    $("run-details").hidden = false;
  }

  async function openRun(id) {
    try {
      const doc = await api(`/api/v1/imports/${encodeURIComponent(id)}`);
      renderRun(doc.run);
      $("run-heading").scrollIntoView({ block: "start" });
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  async function loadRuns() {
    const doc = await api("/api/v1/imports?limit=50");
    const items = doc.items || [];
    $("imports").tBodies[0].replaceChildren(...items.map(runRow));
    $("summary").textContent = items.length ? `${items.length} most recent import runs, newest first.` : "No imports yet.";
  }

  async function upload(event) {
    event.preventDefault();
    const form = event.target;
    const file = $("upload-file").files[0];
    if (!file) {
      $("upload-status").textContent = "Choose a file first.";
      return;
    }
    $("upload-button").disabled = true;
    $("upload-status").textContent = `Importing ${file.name}…`;
    try {
      const doc = await api("/api/v1/imports", { method: "POST", body: new FormData(form) });
      const sums = totals(doc.run);
      $("upload-status").textContent = `${file.name}: ${doc.run.status}, ${formatNumber(sums.inserted)} inserted, ` +
        `${formatNumber(sums.updated)} updated, ${formatNumber(sums.rejected)} quarantined.`;
      renderRun(doc.run);
      form.reset();
      await loadRuns();
    } catch (error) {
      $("upload-status").textContent = "";
      showAlert($("alert"), error.message);
    } finally {
      $("upload-button").disabled = false;
    }
  }

  async function start() {
    const form = $("upload-form");
    if (form) {
      form.addEventListener("submit", upload);
    }
    try {
      await loadRuns();
    } catch (error) {
      $("summary").textContent = "";
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
