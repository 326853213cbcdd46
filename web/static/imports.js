/* graphsvc: the import runs (/api/v1/imports), newest first, as a plain table. */
"use strict";

(function () {
  const { api, el, showAlert } = window.graphsvc;
  const $ = (id) => document.getElementById(id);

  function cellText(value) {
    if (value === null || value === undefined) {
      return "–";
    }
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function render(items) {
    if (!items.length) {
      $("summary").textContent = "No imports yet.";
      return;
    }
    const columns = Object.keys(items[0]);
    const head = el("tr", {}, columns.map((name) => el("th", { scope: "col" }, name.replace(/_/g, " "))));
    const rows = items.map((item) => el("tr", {}, columns.map((name) => el("td", {}, cellText(item[name])))));
    $("imports").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
    $("summary").textContent = `${items.length} most recent import runs`;
  }

  async function start() {
    try {
      const doc = await api("/api/v1/imports");
      render(doc.items || []);
    } catch (error) {
      $("summary").textContent = "";
      showAlert($("alert"), error.status === 404 ? "The import history is not available yet." : error.message);
    }
  }

  start();
})();
