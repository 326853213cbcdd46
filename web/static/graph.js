/* graphsvc: drawing a /api/v1/graph document with vis-network (graphsvc.graph).
 *
 * The server lays the graph out, so the map draws positions as given (physics off, nodes
 * fixed). Colours come from the document's groups; brokers get a thick dark border, silos
 * (community view) a red one; ties across communities are orange, ties inside one grey;
 * bridges are dashed and thicker. Tooltips are plain strings, which vis-network 9 shows as
 * text (never as HTML).
 */
"use strict";

(function () {
  const { el, formatNumber, metricLabel } = window.graphsvc;

  const SMALL_MAP = 30;
  /** ties drawn at most unless the user asks for all of them (see drawnEdges) */
  const EDGE_BUDGET = 20000;
  const COLOURS = {
    noGroup: "#9aa5b1",
    border: "#3e4c59",
    broker: "#102a43",
    silo: "#c62828",
    ego: "#102a43",
    internal: "#9aa5b1",
    cross: "#e8590c",
    bridge: "#7b2cbf",
    label: "#1f2933",
  };

  function groupIndex(doc) {
    const groups = new Map();
    (doc.groups || []).forEach((group) => groups.set(group.id, group));
    return groups;
  }

  function groupName(groups, id) {
    if (id === null || id === undefined) {
      return "no community";
    }
    const group = groups.get(id);
    return group ? group.name : id;
  }

  function nodeTooltip(node, doc, groups) {
    const lines = [node.label];
    if (doc.view === "communities") {
      lines.push(`${formatNumber(node.members)} members`);
      if (node.silo) {
        lines.push("silo");
      }
    } else {
      const names = (node.groups && node.groups.length ? node.groups : [node.group]);
      lines.push(`Community: ${names.map((id) => groupName(groups, id)).join(", ")}`);
      if (node.broker) {
        lines.push("broker");
      }
    }
    lines.push(`${metricLabel(doc.size_metric || "degree")}: ${formatNumber(node.value)}`);
    return lines.join("\n");
  }

  /** What the document asks to highlight: ids of brokers and silos, keys of bridges. */
  function highlights(doc) {
    return {
      brokers: new Set(doc.brokers || []),
      silos: new Set(doc.silos || []),
      bridges: new Set((doc.bridges || []).map(([a, b]) => pairKey(a, b))),
    };
  }

  function pairKey(a, b) {
    return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
  }

  function nodeBorder(node, marked, egoId) {
    if (node.id === egoId || node.ego) {
      return { color: COLOURS.ego, width: 5 };
    }
    if (marked.silos.has(node.id)) {
      return { color: COLOURS.silo, width: 5 };
    }
    if (marked.brokers.has(node.id)) {
      return { color: COLOURS.broker, width: 4 };
    }
    return { color: COLOURS.border, width: 1 };
  }

  /** One vis node from one document node. */
  function visNode(node, doc, groups, marked, egoId) {
    const group = groups.get(node.group);
    const fill = group ? group.color : COLOURS.noGroup;
    const border = nodeBorder(node, marked, egoId);
    return {
      id: node.id,
      label: node.label,
      x: node.x,
      y: node.y,
      fixed: true,
      size: node.size,
      shape: "dot",
      borderWidth: border.width,
      borderWidthSelected: border.width + 2,
      color: {
        background: fill,
        border: border.color,
        highlight: { background: fill, border: COLOURS.ego },
        hover: { background: fill, border: COLOURS.ego },
      },
      title: nodeTooltip(node, doc, groups),
    };
  }

  function edgeTooltip(edge, doc, labels, bridge) {
    const ends = `${labels.get(edge.from) || edge.from} – ${labels.get(edge.to) || edge.to}`;
    const lines = [ends, `${formatNumber(edge.count)} interactions, weight ${formatNumber(edge.weight)}`];
    if (doc.view === "communities") {
      lines.push(`${formatNumber(edge.carriers)} people carry these ties`);
    }
    if (bridge) {
      lines.push("bridge: the only link between its two sides");
    } else if (edge.cross) {
      lines.push("across communities");
    }
    return lines.join("\n");
  }

  /** One vis edge from one document edge (width grows with the log of the weight). */
  function visEdge(edge, doc, labels, marked) {
    const bridge = marked.bridges.has(pairKey(edge.from, edge.to));
    const base = 1 + Math.log1p(Math.max(0, edge.weight || 0));
    const colour = bridge ? COLOURS.bridge : edge.cross ? COLOURS.cross : COLOURS.internal;
    return {
      id: edge.id,
      from: edge.from,
      to: edge.to,
      width: Math.min(bridge ? base + 3 : base, 12),
      dashes: bridge ? [8, 6] : false,
      color: { color: colour, highlight: COLOURS.ego, hover: COLOURS.ego, opacity: edge.cross || bridge ? 0.9 : 0.55 },
      title: edgeTooltip(edge, doc, labels, bridge),
    };
  }

  /**
   * The edges to draw: all of them up to EDGE_BUDGET (or with `allTies`); above it every
   * bridge and cross-community tie first, then the strongest internal ties. vis-network
   * spends about 30 µs per edge building its map, so 50,000 ties would take 1.5 s more
   * before anything shows; the table and the exports always hold every tie.
   */
  function drawnEdges(doc, marked, allTies) {
    if (allTies || doc.edges.length <= EDGE_BUDGET) {
      return doc.edges;
    }
    const rank = (edge) => (marked.bridges.has(pairKey(edge.from, edge.to)) || edge.bridge ? 2 : edge.cross ? 1 : 0);
    const ordered = doc.edges.map((edge) => [rank(edge), edge.weight || 0, edge]);
    ordered.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    return ordered.slice(0, EDGE_BUDGET).map((item) => item[2]);
  }

  /** vis nodes and edges of a document (`egoId`: the person an ego view is centred on). */
  function toVis(doc, egoId, allTies = false) {
    const groups = groupIndex(doc);
    const marked = highlights(doc);
    const labels = new Map(doc.nodes.map((node) => [node.id, node.label]));
    return {
      nodes: doc.nodes.map((node) => visNode(node, doc, groups, marked, egoId)),
      edges: drawnEdges(doc, marked, allTies).map((edge) => visEdge(edge, doc, labels, marked)),
    };
  }

  function networkOptions(nodeCount) {
    return {
      autoResize: true,
      physics: false,
      layout: { improvedLayout: false, randomSeed: 1 },
      interaction: {
        hover: true,
        tooltipDelay: 120,
        hideEdgesOnDrag: nodeCount > 1000,
        hideEdgesOnZoom: nodeCount > 1000,
        keyboard: { enabled: true, bindToWindow: false },
        navigationButtons: false,
        multiselect: false,
      },
      nodes: {
        shape: "dot",
        font: { size: 14, color: COLOURS.label, strokeWidth: 3, strokeColor: "#ffffff" },
        scaling: { label: { drawThreshold: 9 } },
      },
      edges: { smooth: false, selectionWidth: 2, hoverWidth: 1 },
    };
  }

  /**
   * Small maps (the community view, most ego views) show every label at about 14 px on
   * screen at the fitted zoom; larger ones show labels only when zoomed in.
   */
  function readableLabels(network, data, egoId) {
    const perPixel = 1 / Math.max(network.getScale(), 0.05);
    if (data.nodes.length <= SMALL_MAP) { // large maps keep the default size (no pass over them)
      network.setOptions({ nodes: { font: { size: Math.round(14 * perPixel) } } });
    }
    if (egoId && data.nodes.get(egoId)) { // the centre of an ego map: always labelled, larger
      data.nodes.update({ id: egoId, font: { size: Math.round(18 * perPixel), strokeWidth: 5 } });
    }
  }

  /**
   * A map in `container`: returns {network, data, update(doc, egoId)}. `onSelect(node)` gets
   * the document node the user clicked (or chose with the keyboard), `null` on a click
   * on the background.
   */
  function createMap(container, onSelect) {
    const data = { nodes: new vis.DataSet([]), edges: new vis.DataSet([]), doc: null, byId: new Map() };
    const network = new vis.Network(container, { nodes: data.nodes, edges: data.edges }, networkOptions(0));
    network.on("click", (params) => {
      const id = params.nodes.length ? params.nodes[0] : null;
      onSelect(id === null ? null : data.byId.get(id) || null);
    });
    function update(doc, egoId, options = {}) {
      const converted = toVis(doc, egoId, Boolean(options.allTies));
      data.shownEdges = converted.edges.length;
      data.doc = doc;
      data.byId = new Map(doc.nodes.map((node) => [node.id, node]));
      network.setOptions(networkOptions(doc.nodes.length));
      // new data sets handed over at once: adding 50,000 edges to the shown ones would make
      // the map process them in many steps
      data.nodes = new vis.DataSet(converted.nodes);
      data.edges = new vis.DataSet(converted.edges);
      network.setData({ nodes: data.nodes, edges: data.edges });
      network.fit({ animation: false });
      readableLabels(network, data, egoId || (doc.nodes.find((node) => node.ego) || {}).id);
    }
    function select(id) {
      if (data.byId.has(id)) {
        network.selectNodes([id]);
        network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: false });
      }
    }
    return { network, data, update, select };
  }

  /** "N people, M ties shown" (or communities and links in the community view); `drawn`:
   * how many ties the map draws, when fewer than the document holds. */
  function summary(doc, drawn) {
    const n = doc.nodes.length;
    const m = doc.edges.length;
    if (drawn !== undefined && drawn < m && doc.view !== "communities") {
      return `${formatNumber(n)} people; ${formatNumber(drawn)} of ${formatNumber(m)} ties drawn`
        + " (every bridge and cross-community tie, then the strongest)";
    }
    if (doc.view === "communities") {
      const people = doc.total_people === undefined ? "" : ` (${formatNumber(doc.total_people)} people)`;
      return `${formatNumber(n)} communities, ${formatNumber(m)} links shown${people}`;
    }
    return `${formatNumber(n)} ${n === 1 ? "person" : "people"}, ${formatNumber(m)} ${m === 1 ? "tie" : "ties"} shown`;
  }

  function nodeGroups(node) {
    if (node.groups && node.groups.length) {
      return node.groups;
    }
    return node.group === null || node.group === undefined ? [] : [node.group];
  }

  /**
   * Fill `tbody` with one row per node (largest metric first): the map's text alternative.
   * `nameCell(node)` returns what goes in the name cell (e.g. a button selecting the node).
   */
  function fillNodeTable(tbody, doc, nameCell) {
    const groups = groupIndex(doc);
    const nodes = [...doc.nodes].sort((a, b) => (b.value || 0) - (a.value || 0)
      || String(a.label).localeCompare(String(b.label)));
    const rows = nodes.map((node) => {
      const ids = doc.view === "communities" ? [node.id] : nodeGroups(node);
      return el("tr", { dataset: { node: node.id, groups: ids.join(" ") } },
        el("th", { scope: "row" }, nameCell(node)),
        el("td", {}, doc.view === "communities" ? (node.silo ? "silo" : "–")
          : ids.map((id) => groupName(groups, id)).join(", ") || "no community"),
        el("td", { class: "number" }, formatNumber(node.value)));
    });
    tbody.replaceChildren(...rows);
  }

  /** A legend of the groups present in `doc` and of the line and border styles. */
  function fillLegend(container, doc) {
    const present = new Set();
    doc.nodes.forEach((node) => (doc.view === "communities" ? [node.id] : nodeGroups(node))
      .forEach((id) => present.add(id)));
    const items = (doc.groups || []).filter((group) => present.has(group.id)).map((group) => {
      const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.backgroundColor = group.color; // CSSOM, allowed by the CSP
      return el("li", {}, swatch, group.name);
    });
    if (doc.view !== "communities" && doc.nodes.some((node) => nodeGroups(node).length === 0)) {
      const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.backgroundColor = COLOURS.noGroup;
      items.push(el("li", {}, swatch, "no community of this kind"));
    }
    const styles = [
      el("li", {}, el("span", { class: "line line-internal", "aria-hidden": "true" }), "tie inside a community"),
      el("li", {}, el("span", { class: "line line-cross", "aria-hidden": "true" }), "tie across communities"),
      (doc.bridges || []).length
        ? el("li", {}, el("span", { class: "line line-bridge", "aria-hidden": "true" }), "bridge (dashed)") : null,
      (doc.brokers || []).length
        ? el("li", {}, el("span", { class: "ring ring-broker", "aria-hidden": "true" }), "broker (thick border)") : null,
      (doc.silos || []).length
        ? el("li", {}, el("span", { class: "ring ring-silo", "aria-hidden": "true" }), "silo (red border)") : null,
    ];
    container.replaceChildren(
      el("h3", { class: "visually-hidden" }, "Legend"),
      el("ul", { class: "legend-groups", "aria-label": "Communities" }, items),
      el("ul", { class: "legend-styles", "aria-label": "Line and border styles" }, styles),
    );
  }

  /** The map's canvas as PNG on a white background (a data: URL), or null. */
  function pngDataUrl(container) {
    const canvas = container.querySelector("canvas");
    if (!canvas) {
      return null;
    }
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(canvas, 0, 0);
    return copy.toDataURL("image/png");
  }

  /** Download the map as `filename` (PNG). */
  function downloadPng(container, filename) {
    const url = pngDataUrl(container);
    if (!url) {
      return false;
    }
    const link = el("a", { href: url, download: filename, class: "visually-hidden" }, "download");
    document.body.append(link);
    link.click();
    link.remove();
    return true;
  }

  window.graphsvc.graph = {
    COLOURS,
    toVis,
    createMap,
    summary,
    fillNodeTable,
    fillLegend,
    downloadPng,
    nodeGroups,
    groupName,
    groupIndex,
  };
})();
