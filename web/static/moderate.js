/* graphsvc: a moderator's page for one community.
 *
 * /api/v1/communities/<id>/moderation: members without a mentor (with their best mentors),
 * members, verdicts, introductions and conversion; /api/v1/recommendations/collaborators:
 * who a member should meet; /api/v1/communities/<id>/matching: the cohort assignment.
 * Every suggestion has Introduce / Decline (with a reason) / Dismiss, posted to
 * /api/v1/feedback; the page then reloads the introductions.
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, showAlert, formatNumber, personUrl } = gs;
  const $ = (id) => document.getElementById(id);
  const REASONS = [
    ["already_know", "already know each other"],
    ["not_relevant", "not relevant"],
    ["overloaded", "overloaded"],
    ["wrong_topic", "wrong topic"],
  ];
  const page = { id: null };

  function personLink(id, name) {
    return el("a", { href: personUrl(id) }, name || id);
  }

  async function sendVerdict(body, item) {
    try {
      await api("/api/v1/feedback", { method: "POST", body: { community: page.id, ...body } });
      item.replaceChildren(el("span", { class: "muted" },
        body.verdict === "accepted" ? "Introduction recorded." : `Recorded: ${body.verdict}.`));
      $("status").textContent = `Recorded: ${body.verdict}.`;
      await loadModeration(false);
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  /** Introduce / decline with a reason / dismiss, for `suggested` offered to `person`. */
  function verdictControls(person, suggested, recommender, item, label) {
    const reason = el("select", { "aria-label": `Reason to decline ${label}` },
      REASONS.map(([value, text]) => el("option", { value }, text)));
    const send = (verdict, extra = {}) => () =>
      sendVerdict({ person, suggested, recommender, verdict, ...extra }, item);
    return el("span", { class: "verdict" },
      el("button", { type: "button", on: { click: send("accepted") }, "aria-label": `Introduce ${label}` }, "Introduce"),
      reason,
      el("button", { type: "button", class: "secondary", "aria-label": `Decline ${label}`,
        on: { click: () => send("declined", { reason: reason.value })() } }, "Decline"),
      el("button", { type: "button", class: "secondary", "aria-label": `Dismiss ${label}`,
        on: { click: send("dismissed") } }, "Dismiss"));
  }

  function reasonList(reasons) {
    return el("ul", { class: "reasons" }, reasons.map((text) => el("li", {}, text)));
  }

  function mentorOption(member, mentor) {
    const item = el("li", { dataset: { mentor: mentor.id } });
    const label = `${mentor.name} as mentor of ${member.name}`;
    item.replaceChildren(personLink(mentor.id, mentor.name), ` (fit ${formatNumber(mentor.score, 2)})`,
      verdictControls(member.id, mentor.id, "mentor", item, label), reasonList(mentor.reasons));
    return item;
  }

  function renderUnmentored(rows) {
    $("unmentored").tBodies[0].replaceChildren(...rows.map((member) => el("tr", { dataset: { member: member.id } },
      el("th", { scope: "row" }, personLink(member.id, member.name)),
      el("td", {}, member.mentors.length
        ? el("ul", { class: "mentor-options" }, member.mentors.map((mentor) => mentorOption(member, mentor)))
        : el("span", { class: "muted" }, "No mentor with free slots knows their topics.")))));
  }

  function renderIntroductions(doc) {
    const all = doc.conversion.all[0];
    $("conversion").textContent = all
      ? `${all.introductions} introductions: ${all.converted} became ties, ${all.not_converted} did not, ${all.pending} waiting` +
        (all.rate === null ? "." : ` — conversion ${formatNumber(100 * all.rate, 0)}% (95% interval ${formatNumber(100 * all.low, 0)}–${formatNumber(100 * all.high, 0)}%).`)
      : "No introductions yet.";
    $("intro-table").tBodies[0].replaceChildren(...doc.introductions.map((intro) => el("tr", {},
      el("td", {}, intro.at.slice(0, 10)),
      el("td", {}, intro.person_name || intro.person),
      el("td", {}, intro.suggested_name || intro.suggested),
      el("td", {}, intro.recommender),
      el("td", {}, intro.moderator || "–"),
      el("td", {}, intro.status === "converted" ? `tie on ${intro.first_contact.slice(0, 10)}`
        : intro.status === "pending" ? `waiting until ${intro.window_ends.slice(0, 10)}` : "no tie"))));
    const others = doc.verdicts.filter((v) => v.verdict !== "accepted");
    $("verdict-list").replaceChildren(...(others.length ? others.map((v) => el("li", {},
      `${v.at.slice(0, 10)}: ${v.suggested_name || v.suggested} for ${v.person_name || v.person}, ${v.verdict}` +
      (v.reason ? ` (${v.reason.replace(/_/g, " ")})` : "") + (v.moderator ? ` by ${v.moderator}` : "")))
      : [el("li", { class: "muted" }, "None.")]));
  }

  async function loadModeration(full = true) {
    const doc = await api(`/api/v1/communities/${encodeURIComponent(page.id)}/moderation`);
    if (full) {
      renderUnmentored(doc.unmentored);
      $("collab-person").replaceChildren(...doc.members.map((m) => el("option", { value: m.id }, `${m.name} (${m.roles.join(", ")})`)));
      $("status").textContent = `${formatNumber(doc.members.length)} members, ${formatNumber(doc.unmentored.length)} without a mentor; data as of ${doc.as_of.slice(0, 10)}.`;
    }
    renderIntroductions(doc);
  }

  async function suggestCollaborators(event) {
    event.preventDefault();
    const person = $("collab-person").value;
    const name = $("collab-person").selectedOptions[0] ? $("collab-person").selectedOptions[0].textContent : person;
    const query = new URLSearchParams({ person, k: 10, strength: $("collab-strength").value });
    $("collab-list").replaceChildren(el("li", { class: "muted" }, "Loading…"));
    try {
      const doc = await api(`/api/v1/recommendations/collaborators?${query}`);
      $("collab-list").replaceChildren(...(doc.items.length ? doc.items.map((row) => {
        const item = el("li", { dataset: { suggested: row.id } });
        item.replaceChildren(personLink(row.id, row.name), row.cross ? " · crosses a boundary" : "",
          verdictControls(person, row.id, "collaborator", item, `${row.name} to ${name}`), reasonList(row.reasons));
        return item;
      }) : [el("li", { class: "muted" }, "No one to suggest.")]));
    } catch (error) {
      $("collab-list").replaceChildren();
      showAlert($("alert"), error.message);
    }
  }

  async function match(event) {
    event.preventDefault();
    const query = new URLSearchParams({ all_members: $("match-all").checked ? "true" : "false",
      balance: $("match-balance").value || "0" });
    try {
      const doc = await api(`/api/v1/communities/${encodeURIComponent(page.id)}/matching?${query}`);
      $("match-summary").textContent = `${doc.pairs.length} of ${doc.mentees} matched with ${doc.mentors} available mentors; ` +
        `total fit ${formatNumber(doc.total_fit, 2)}, ${formatNumber(100 * doc.capacity_use, 0)}% of free slots used, ` +
        `${doc.load_min}–${doc.load_max} mentees per mentor` + (doc.unmatched.length ? `; unmatched: ${doc.unmatched.map((u) => u.name).join(", ")}.` : ".");
      $("match-table").tBodies[0].replaceChildren(...doc.pairs.map((pair) => el("tr", {},
        el("td", {}, personLink(pair.mentee, pair.mentee_name)), el("td", {}, personLink(pair.mentor, pair.mentor_name)),
        el("td", { class: "number" }, formatNumber(pair.fit, 3)), el("td", {}, pair.shared_topics.join(", ")))));
    } catch (error) {
      showAlert($("alert"), error.message);
    }
  }

  async function start() {
    page.id = gs.pageData("moderate-page").communityId;
    $("collab-form").addEventListener("submit", suggestCollaborators);
    $("match-form").addEventListener("submit", match);
    try {
      const [about] = await Promise.all([
        api(`/api/v1/communities/${encodeURIComponent(page.id)}?per_page=1`), loadModeration()]);
      $("community-name").textContent = about.community.name;
      $("community-link").textContent = about.community.name;
      document.title = `Moderation: ${about.community.name} · graphsvc`;
    } catch (error) {
      $("status").textContent = "";
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
