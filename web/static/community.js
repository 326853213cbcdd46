/* graphsvc: one community's page: its purpose (description, objectives, focus areas), its
 * dashboard row, its members with their roles (paged), and the map of its active members.
 *
 * Everything but the map comes from /api/v1/communities/<id> (the community's own kind is
 * the boundary); the map and its table from /api/v1/graph?view=people&communities=<id>.
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, showAlert, formatNumber, can, personUrl } = gs;
  const $ = (id) => document.getElementById(id);
  const PER_PAGE = 50;
  const ROLE_NAMES = {
    moderator: ["moderator", "moderators"], champion: ["champion", "champions"],
    expert: ["expert", "experts"], mentor: ["mentor", "mentors"],
    mentee: ["mentee", "mentees"], member: ["member", "members"],
  };
  const page = { id: null, number: 1, user: null };

  function fact(label, value) {
    return [el("dt", {}, label), el("dd", {}, value)];
  }

  function plural(count, [one, many]) {
    return `${formatNumber(count)} ${count === 1 ? one : many}`;
  }

  function personLink(person) {
    return can(page.user, "view_person_details") ? el("a", { href: personUrl(person.id) }, person.name) : person.name;
  }

  function peopleList(people) {
    return people.length ? el("ul", { class: "plain" }, people.map((p) => el("li", {}, personLink(p)))) : "–";
  }

  /** Objectives are free text; lines or semicolons separate them. */
  function objectiveList(text) {
    const parts = text.split(/\n|;/).map((part) => part.trim()).filter(Boolean);
    return el("ul", { class: "objectives" }, parts.map((part) => el("li", {}, part)));
  }

  function renderAbout(doc) {
    const about = doc.community;
    $("community-name").textContent = about.name;
    document.title = `${about.name} · graphsvc`;
    if (about.parent) {
      $("parent-crumb").replaceChildren(" ", el("a", { href: gs.communityUrl(about.parent.id) }, about.parent.name), " ›");
    }
    const focus = doc.focus_areas.map((row) => el("li", {}, `${row.topic} (${formatNumber(row.members)})`));
    $("about").replaceChildren(
      el("p", {}, about.description || "No description recorded."),
      el("h3", {}, "Objectives"),
      about.objectives ? objectiveList(about.objectives) : el("p", { class: "muted" }, "No objectives recorded."),
      el("h3", {}, "Focus areas"),
      el("p", { class: "hint" }, "The topics its members list most (number of members)."),
      focus.length ? el("ul", { class: "chips" }, focus) : el("p", { class: "muted" }, "No topics listed by its members."),
      about.children.length ? el("p", {}, "Sub-communities: ", ...about.children.flatMap((child, i) =>
        [i ? ", " : "", el("a", { href: gs.communityUrl(child.id) }, child.name)])) : "");
  }

  function renderFacts(doc) {
    const item = doc.metrics;
    if (!item) {
      $("facts").replaceChildren(el("p", {}, "None of its members interacted in this window."));
      return;
    }
    const fragile = item.fragile_pairs.map((pair) => el("li", {},
      el("a", { href: gs.communityUrl(pair.with) }, pair.name),
      ` (${plural(pair.ties, ["tie", "ties"])}, all through one person)`));
    $("facts").replaceChildren(el("dl", { class: "facts" },
      fact("Kind", doc.community.kind),
      fact("Members in the analysis", formatNumber(item.size)),
      fact("Active in the window", formatNumber(item.active)),
      fact("E-I", item.ei === null ? "–"
        : `${formatNumber(item.ei, 2)} (expected ${formatNumber(item.ei_expected, 2)}, p ${formatNumber(item.ei_p, 3)})`),
      fact("Silo", item.silo ? `yes: ${item.silo_reason || "inward-looking"}` : "no"),
      fact("Top boundary spanners", peopleList(item.spanners)),
      fact("Fragile pairs", fragile.length ? el("ul", { class: "plain" }, fragile) : "–")));
  }

  function renderRoster(doc) {
    const roles = Object.entries(doc.roles).filter(([, count]) => count > 0)
      .map(([role, count]) => plural(count, ROLE_NAMES[role] || [role, role]));
    const extra = [];
    if (doc.private_members) {
      extra.push(`${plural(doc.private_members, ["private member", "private members"])} not listed`);
    }
    if (doc.former_members) {
      extra.push(`${plural(doc.former_members, ["former member", "former members"])}`);
    }
    $("roster-summary").textContent = roles.length
      ? `Now: ${roles.join(", ")}${extra.length ? `; ${extra.join("; ")}` : ""}.`
      : "No current members.";
    const members = doc.members;
    $("member-table").tBodies[0].replaceChildren(...members.items.map((row) => el("tr", {},
      el("td", {}, personLink(row)),
      el("td", {}, row.roles.join(", ")),
      el("td", {}, row.organisation || "–"),
      el("td", {}, row.since ? row.since.slice(0, 10) : "–"),
      el("td", { class: "number" }, formatNumber(row.degree)),
      el("td", {}, row.spanner || "–"))));
    const pages = Math.max(1, Math.ceil(members.total / members.per_page));
    $("members-page").textContent = `Page ${members.page} of ${pages} (${plural(members.total, ["member", "members"])})`;
    $("members-previous").disabled = members.page <= 1;
    $("members-next").disabled = members.page >= pages;
  }

  async function loadDocument() {
    const query = new URLSearchParams({ page: page.number, per_page: PER_PAGE });
    const doc = await api(`/api/v1/communities/${encodeURIComponent(page.id)}?${query}`);
    renderRoster(doc);
    return doc;
  }

  function nameCell(node) {
    if (node.named === false || !can(page.user, "view_person_details")) {
      return node.label;
    }
    return el("a", { href: personUrl(node.id) }, node.label);
  }

  async function loadMap(boundary) {
    const query = new URLSearchParams({ view: "people", communities: page.id, boundary });
    const map = gs.graph.createMap($("map"), (node) => {
      if (node && node.named !== false && can(page.user, "view_person_details")) {
        location.href = personUrl(node.id);
      }
    });
    try {
      const doc = await api(`/api/v1/graph?${query}`);
      map.update(doc, null);
      $("summary").textContent = gs.graph.summary(doc);
      gs.graph.fillNodeTable($("node-table").tBodies[0], doc, nameCell);
      gs.graph.fillLegend($("legend"), doc);
      window.graphsvcExplorer = { network: map.network, data: map.data, doc };
    } finally {
      $("loading").hidden = true;
      $("map").setAttribute("aria-busy", "false");
    }
  }

  function turnPage(step) {
    page.number += step;
    loadDocument().catch((error) => showAlert($("alert"), error.message));
  }

  async function start() {
    page.id = gs.pageData("community-page").communityId;
    $("members-previous").addEventListener("click", () => turnPage(-1));
    $("members-next").addEventListener("click", () => turnPage(1));
    try {
      const meta = await api("/api/v1/meta");
      page.user = meta.user;
      const doc = await loadDocument();
      renderAbout(doc);
      renderFacts(doc);
      await loadMap(doc.boundary);
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
