/* graphsvc: rendering a /api/v1/people/<id> document (graphsvc.people).
 *
 * Shared by the explorer's side panel and the person page: memberships, metrics with
 * their meaning, the plain-language explanations and the strongest ties. Everything is
 * built with el(), so names and topics are always text.
 */
"use strict";

(function () {
  const { el, formatNumber, metricLabel, personUrl, communityUrl } = window.graphsvc;

  /** What each metric means, in one sentence. */
  const METRIC_MEANINGS = {
    degree: "how many people they have interacted with",
    betweenness: "how often they lie on the shortest path between two others",
    cross_betweenness: "how often they lie on shortest paths between people of different communities",
    participation: "how evenly their ties spread over communities (0: all in one, towards 1: spread out)",
    constraint: "how much their contacts are tied to one another (low: they bridge structural holes)",
    effective_size: "how many of their contacts are not tied to each other (non-redundant contacts)",
    role: "their position between and within communities (see above)",
    within_z: "how connected they are inside their community compared with its other members (z-score)",
    ei: "the balance of their ties: −1 all inside their communities, +1 all outside",
    spanner: "what kind of boundary spanner they are, if any",
    brokerage: "how often they broker between two others, by the communities of the three (Gould–Fernandez roles)",
    brokerage_z: "the same brokerage counts compared with random mixing (z-scores)",
  };
  const METRIC_ORDER = ["degree", "betweenness", "cross_betweenness", "participation",
    "constraint", "effective_size", "within_z", "ei", "role", "spanner", "brokerage", "brokerage_z"];
  /** Keys of the metrics document that are not metrics (shown elsewhere on the page). */
  const NOT_METRICS = new Set(["id", "name", "groups", "person", "vertex"]);

  function describeValue(value) {
    if (value && typeof value === "object") {
      const parts = Object.entries(value).map(([key, inner]) => `${key.replace(/_/g, " ")} ${describeValue(inner)}`);
      return parts.join(", ") || "–";
    }
    return typeof value === "number" ? formatNumber(value) : String(value ?? "–");
  }

  /** A <dl> of the metrics (null metrics: no interactions in the window). */
  function metricsList(metrics) {
    if (!metrics) {
      return el("p", { class: "muted" }, "No interactions in this window.");
    }
    const keys = [...METRIC_ORDER.filter((key) => key in metrics),
      ...Object.keys(metrics).filter((key) => !METRIC_ORDER.includes(key) && !NOT_METRICS.has(key))];
    const entries = keys.map((key) => [
      el("dt", {}, metricLabel(key)),
      el("dd", {}, el("span", { class: "metric-value" }, describeValue(metrics[key])),
        METRIC_MEANINGS[key] ? el("span", { class: "metric-meaning" }, METRIC_MEANINGS[key]) : null),
    ]);
    return el("dl", { class: "metrics" }, entries);
  }

  function explanationsList(explanations) {
    if (!explanations || !explanations.length) {
      return el("p", { class: "muted" }, "Nothing stands out in this window.");
    }
    return el("ul", { class: "explanations" }, explanations.map((text) => el("li", {}, text)));
  }

  function tieName(tie, linkPeople) {
    if (tie.id && linkPeople) {
      return el("a", { href: personUrl(tie.id) }, tie.name || tie.id);
    }
    return tie.name || "(private)";
  }

  /** A table of the strongest ties (`linkPeople`: names link to person pages). */
  function tiesTable(ties, linkPeople) {
    if (!ties || !ties.length) {
      return el("p", { class: "muted" }, "No ties in this window.");
    }
    const rows = ties.map((tie) => el("tr", {},
      el("th", { scope: "row" }, tieName(tie, linkPeople)),
      el("td", { class: "number" }, formatNumber(tie.count)),
      el("td", { class: "number" }, formatNumber(tie.weight)),
      el("td", {}, tie.cross ? el("span", { class: "tag tag-cross" }, "across") : "inside")));
    return el("table", { class: "compact" },
      el("caption", { class: "visually-hidden" }, "Strongest ties"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Person"), el("th", { scope: "col" }, "Interactions"),
        el("th", { scope: "col" }, "Weight"), el("th", { scope: "col" }, "Communities"))),
      el("tbody", {}, rows));
  }

  function period(membership) {
    if (!membership.since && !membership.until) {
      return "";
    }
    const since = membership.since ? membership.since.slice(0, 10) : "…";
    const until = membership.until ? membership.until.slice(0, 10) : "now";
    return ` (${since} – ${until})`;
  }

  /** A list of memberships: community (linked), kind, role and period. */
  function membershipsList(memberships) {
    if (!memberships || !memberships.length) {
      return el("p", { class: "muted" }, "No memberships recorded.");
    }
    return el("ul", { class: "memberships" }, memberships.map((m) => el("li", {},
      el("a", { href: communityUrl(m.community_id, m.kind) }, m.community || m.community_id),
      m.kind ? el("span", { class: "tag" }, m.kind) : null,
      ` ${m.role}${period(m)}`)));
  }

  /** Organisation, location, topics and expertise as a <dl> (empty fields left out). */
  function profileList(person) {
    const fields = [
      ["Organisation", person.organisation],
      ["Location", person.location],
      ["Topics", (person.topics || []).join(", ")],
      ["Expertise", (person.expertise || []).join(", ")],
    ].filter(([, value]) => value);
    return el("dl", { class: "profile" }, fields.map(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]));
  }

  window.graphsvc.people = {
    metricsList,
    explanationsList,
    tiesTable,
    membershipsList,
    profileList,
  };
})();
