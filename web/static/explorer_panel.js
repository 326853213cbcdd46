/* graphsvc: the explorer's side panel for a clicked person (graphsvc.explorerPanel).
 *
 * With view_person_details it fetches /api/v1/people/<id> for the same window and shows
 * communities, metrics with their meaning, explanations, top ties and a link to the person
 * page; without it, what the map itself knows. Private people are shown as such and
 * never fetched.
 */
"use strict";

(function () {
  const { api, el, can, formatNumber, metricLabel, personUrl } = window.graphsvc;
  const $ = (id) => document.getElementById(id);
  let ticket = 0;

  function open(title, focus) {
    $("details-heading").textContent = title;
    $("details").hidden = false;
    if (focus) {
      $("details-heading").focus();
    }
  }

  function hide() {
    ticket += 1;
    $("details").hidden = true;
    $("details-body").replaceChildren();
  }

  function section(title, content) {
    return el("section", { class: "details-section" }, el("h3", {}, title), content);
  }

  function mapFacts(node, options) {
    const names = (node.groups && node.groups.length ? node.groups : [node.group])
      .filter((id) => id !== null && id !== undefined)
      .map((id) => window.graphsvc.graph.groupName(options.groups, id));
    return el("dl", { class: "profile" },
      el("dt", {}, "Communities"), el("dd", {}, names.join(", ") || "none"),
      el("dt", {}, metricLabel(options.metric || "degree")), el("dd", {}, formatNumber(node.value)),
      node.broker ? [el("dt", {}, "Broker"), el("dd", {}, "yes")] : null);
  }

  function actions(node, options) {
    const centre = el("button", { type: "button", class: "secondary",
      on: { click: () => options.onCentre(node.id, node.label) } }, "Centre the map on them");
    const page = can(options.user, "view_person_details")
      ? el("a", { href: personUrl(node.id), class: "button-like" }, "Open the person page") : null;
    return el("p", { class: "details-actions" }, centre, " ", page);
  }

  function renderDocument(doc, node, options) {
    const people = window.graphsvc.people;
    $("details-heading").textContent = doc.person.name;
    $("details-body").replaceChildren(
      people.profileList(doc.person),
      section("Communities", people.membershipsList(doc.memberships)),
      section("What stands out", people.explanationsList(doc.explanations)),
      section("Metrics", people.metricsList(doc.metrics)),
      section("Strongest ties", people.tiesTable(doc.ties, true)),
      actions(node, options));
  }

  async function fetchDetails(node, options, mine) {
    $("details-body").replaceChildren(el("p", { class: "muted", role: "status" }, "Loading…"));
    try {
      const doc = await api(`/api/v1/people/${encodeURIComponent(node.id)}?${options.query}`);
      if (mine === ticket) {
        renderDocument(doc, node, options);
      }
    } catch (error) {
      if (mine === ticket) {
        $("details-body").replaceChildren(el("p", { class: "form-error", role: "alert" }, error.message),
          mapFacts(node, options), actions(node, options));
      }
    }
  }

  /**
   * Show `node` (a /graph document node). options: user, query (URLSearchParams of the
   * window), focus (move focus to the panel), onCentre(id, name), groups, metric.
   */
  function show(node, options) {
    ticket += 1;
    open(node.label, options.focus);
    if (node.named === false) {
      $("details-body").replaceChildren(el("p", {}, "This person has not agreed to be named; only their place in the map is shown."),
        mapFacts(node, options));
      return;
    }
    if (!can(options.user, "view_person_details")) {
      $("details-body").replaceChildren(mapFacts(node, options),
        el("p", { class: "muted" }, "Your role does not include person details."), actions(node, options));
      return;
    }
    fetchDetails(node, options, ticket);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const close = $("details-close");
    if (close) {
      close.addEventListener("click", hide);
    }
  });

  window.graphsvc.explorerPanel = { show, hide };
})();
