/* graphsvc: a person's page: profile, memberships and roles, metrics with their meaning,
 * explanations, strongest ties (/api/v1/people/<id>) and the ego map
 * (/api/v1/graph?view=ego&person=<id>&hops=…). Clicking someone in the map opens their page.
 */
"use strict";

(function () {
  const gs = window.graphsvc;
  const { api, el, showAlert, personUrl } = gs;
  const $ = (id) => document.getElementById(id);

  function renderPerson(doc) {
    const people = gs.people;
    $("person-name").textContent = doc.person.name;
    document.title = `${doc.person.name} · graphsvc`;
    $("profile").replaceChildren(people.profileList(doc.person));
    $("memberships").replaceChildren(people.membershipsList(doc.memberships));
    $("explanations").replaceChildren(people.explanationsList(doc.explanations));
    $("metrics").replaceChildren(people.metricsList(doc.metrics));
    $("ties").replaceChildren(people.tiesTable(doc.ties, true));
  }

  function nameCell(node) {
    return node.named === false ? node.label : el("a", { href: personUrl(node.id) }, node.label);
  }

  function egoLoader(map, id) {
    return async () => {
      const query = new URLSearchParams({ view: "ego", person: id, hops: $("hops").value });
      $("loading").hidden = false;
      $("map").setAttribute("aria-busy", "true");
      try {
        const doc = await api(`/api/v1/graph?${query}`);
        map.update(doc, id);
        $("summary").textContent = gs.graph.summary(doc);
        gs.graph.fillNodeTable($("node-table").tBodies[0], doc, nameCell);
        gs.graph.fillLegend($("legend"), doc);
        window.graphsvcExplorer = { network: map.network, data: map.data, doc };
      } catch (error) {
        showAlert($("alert"), error.message);
      } finally {
        $("loading").hidden = true;
        $("map").setAttribute("aria-busy", "false");
      }
    };
  }

  async function start() {
    const id = gs.pageData("person-page").personId;
    const map = gs.graph.createMap($("map"), (node) => {
      if (node && node.named !== false && node.id !== id) {
        location.href = personUrl(node.id);
      }
    });
    const loadEgo = egoLoader(map, id);
    $("hops").addEventListener("change", loadEgo);
    loadEgo();
    try {
      renderPerson(await api(`/api/v1/people/${encodeURIComponent(id)}`));
    } catch (error) {
      $("profile").replaceChildren();
      showAlert($("alert"), error.message);
    }
  }

  start();
})();
