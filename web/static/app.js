/* graphsvc: helpers every page script shares (window.graphsvc).
 *
 * api(path, options): fetch JSON from the app with the session's CSRF token; an error
 * document {"ok": false, "error": ...} or a failed request becomes a thrown ApiError.
 * el(tag, attrs, ...children): build DOM nodes; text always goes in as text nodes, never
 * through innerHTML, so names from the data cannot inject markup.
 */
"use strict";

(function () {
  /** An API failure: `message` is the server's `error`, `status` the HTTP status (0 = no answer). */
  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.name = "ApiError";
      this.status = status;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function requestInit(options) {
    const headers = new Headers(options.headers || {});
    headers.set("Accept", "application/json");
    const token = csrfToken();
    if (token) {
      headers.set("X-CSRF-Token", token);
    }
    let body = options.body;
    const plain = body !== undefined && !(body instanceof FormData) && typeof body !== "string";
    if (plain) {
      body = JSON.stringify(body);
      headers.set("Content-Type", "application/json");
    }
    return { ...options, body, headers, credentials: "same-origin" };
  }

  async function readJson(response) {
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("json")) {
      return null;
    }
    try {
      return await response.json();
    } catch (_error) {
      return null;
    }
  }

  /** GET (or `options.method`) `path` and return its JSON document; throws ApiError. */
  async function api(path, options = {}) {
    let response;
    try {
      response = await fetch(path, requestInit(options));
    } catch (error) {
      if (error.name === "AbortError") {
        throw error;
      }
      throw new ApiError("The server cannot be reached. Check the connection and retry.", 0);
    }
    const doc = await readJson(response);
    if (!response.ok || !doc || doc.ok === false) {
      const fallback = `${response.status} ${response.statusText || "error"}`;
      const message = doc && doc.error ? doc.error : fallback;
      throw new ApiError(response.status === 401 ? `${message} (reload to sign in)` : message,
        response.status);
    }
    return doc;
  }

  function setAttribute(node, name, value) {
    if (value === null || value === undefined || value === false) {
      return;
    }
    if (name === "class") {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name === "on") {
      Object.entries(value).forEach(([event, handler]) => node.addEventListener(event, handler));
    } else if (name === "text") {
      node.textContent = String(value);
    } else if (name.startsWith("on")) {
      throw new Error(`el(): use {on: {...}} for event handlers, not ${name}`);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function appendChildren(node, children) {
    children.flat(Infinity).forEach((child) => {
      if (child === null || child === undefined || child === false) {
        return;
      }
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
  }

  /** A new element: el("a", {href: "/x", class: "link"}, "text", otherNode). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => setAttribute(node, name, value));
    appendChildren(node, children);
    return node;
  }

  /** `fn` called `wait` ms after the last call (the controls' changes come in bursts). */
  function debounce(fn, wait) {
    let timer = null;
    const debounced = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        fn(...args);
      }, wait);
    };
    debounced.pending = () => timer !== null;
    debounced.cancel = () => {
      clearTimeout(timer);
      timer = null;
    };
    return debounced;
  }

  /** Show `message` in an alert region (empty message: hide it). */
  function showAlert(region, message) {
    if (!region) {
      return;
    }
    region.textContent = message || "";
    region.hidden = !message;
  }

  /** One formatter per number of decimals: `toLocaleString` builds a new one on every call,
   * which costs about 20 µs — a second for the tooltips of a 50,000-tie map. */
  const formatters = new Map();

  function formatterFor(digits) {
    if (!formatters.has(digits)) {
      formatters.set(digits, new Intl.NumberFormat("en", { maximumFractionDigits: digits }));
    }
    return formatters.get(digits);
  }

  /** A number for people: integers as is, others with `digits` significant decimals. */
  function formatNumber(value, digits = 3) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return "–";
    }
    return formatterFor(Number.isInteger(value) ? 0 : digits).format(Number(value));
  }

  /** The `data-*` values of the element with `id` (pages pass their ids this way). */
  function pageData(id) {
    const node = document.getElementById(id);
    return node ? { ...node.dataset } : {};
  }

  function can(user, permission) {
    return Boolean(user && Array.isArray(user.permissions) && user.permissions.includes(permission));
  }

  function personUrl(id) {
    return `/people/${encodeURIComponent(id)}`;
  }

  function communityUrl(id, boundary) {
    const query = boundary ? `?boundary=${encodeURIComponent(boundary)}` : "";
    return `/communities/${encodeURIComponent(id)}${query}`;
  }

  /** Readable names for metric keys. */
  const METRIC_LABELS = {
    degree: "Degree",
    betweenness: "Betweenness",
    cross_betweenness: "Cross-community betweenness",
    participation: "Participation",
    constraint: "Constraint",
    effective_size: "Effective size",
    role: "Role",
    members: "Members",
    within_z: "Within-community z",
    ei: "E-I",
    spanner: "Spanner",
    brokerage: "Brokerage",
    brokerage_z: "Brokerage z",
  };

  function metricLabel(key) {
    return METRIC_LABELS[key] || key.replace(/_/g, " ");
  }

  window.graphsvc = {
    ApiError,
    api,
    el,
    debounce,
    showAlert,
    formatNumber,
    pageData,
    can,
    personUrl,
    communityUrl,
    metricLabel,
  };
})();
