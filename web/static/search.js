/* graphsvc: the person search box, an ARIA combobox over /api/v1/people?q= (graphsvc.search).
 *
 * Typing asks for suggestions (debounced); arrow keys move through them, Enter opens the
 * highlighted one or, when none is highlighted, the first (fetching at once if the typing
 * has not been sent yet); Escape closes the list; a click opens a suggestion too.
 */
"use strict";

(function () {
  const { api, el, debounce } = window.graphsvc;
  const LIMIT = 8;

  /**
   * Make `input` a combobox listing people in `listbox`; `onChoose({id, name})` is called
   * with the person picked, `onError(message)` when the search fails.
   */
  function attach(input, listbox, onChoose, onError) {
    let items = [];
    let active = -1;
    let latest = 0;

    function close() {
      items = [];
      active = -1;
      listbox.replaceChildren();
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      [...listbox.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", listbox.children[index].id);
        listbox.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      const item = items[index];
      if (!item) {
        return;
      }
      input.value = item.name;
      close();
      onChoose(item);
    }

    function option(item, index) {
      const node = el("li", { id: `${listbox.id}-${index}`, role: "option", "aria-selected": "false",
        class: "suggestion", dataset: { person: item.id } },
        el("span", { class: "suggestion-name" }, item.name),
        item.organisation ? el("span", { class: "suggestion-org" }, item.organisation) : null);
      node.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
      node.addEventListener("click", () => choose(index));
      return node;
    }

    function show(found) {
      items = found;
      active = -1;
      if (!found.length) {
        listbox.replaceChildren(el("li", { role: "option", "aria-disabled": "true", class: "suggestion muted" },
          "Nobody found"));
      } else {
        listbox.replaceChildren(...found.map(option));
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    async function suggest() {
      const text = input.value.trim();
      const ticket = ++latest;
      if (!text) {
        close();
        return;
      }
      try {
        const doc = await api(`/api/v1/people?q=${encodeURIComponent(text)}&per_page=${LIMIT}`);
        if (ticket === latest) {
          show(doc.items);
        }
      } catch (error) {
        if (ticket === latest) {
          close();
          onError(error.message);
        }
      }
    }

    const suggestSoon = debounce(suggest, 200);

    async function onEnter() {
      if (suggestSoon.pending() || (!items.length && input.value.trim())) {
        suggestSoon.cancel();
        await suggest();
      }
      choose(active >= 0 ? active : 0);
    }

    function onKey(event) {
      const count = items.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        highlight((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        onEnter();
      } else if (event.key === "Escape") {
        close();
      }
    }

    input.addEventListener("input", suggestSoon);
    input.addEventListener("keydown", onKey);
    input.addEventListener("blur", () => setTimeout(close, 150));
    return { close };
  }

  window.graphsvc.search = { attach };
})();
