// The list page shows its rows at once and fetches its counts afterwards: the fragment at the
// filters' data-facets-url holds parts (data-facets-part) that replace the page's elements of
// the same data-facets-slot, and the map's density cells, which maps.js draws. Choices the
// reader made while the counts were on their way are kept. Without this script the page works
// with the choices uncounted, and a link shows the page with its counts.
(function () {
  "use strict";
  var filters = document.querySelector("[data-facets-url]");
  if (!filters || !window.fetch || !window.DOMParser) {
    return;
  }
  var pending = document.querySelectorAll("[data-facets-pending]");
  pending.forEach(function (element) {
    element.hidden = false;
  });

  function key(field) {
    return field.name + "\u0000" + (field.type === "checkbox" || field.type === "radio" ? field.value : "");
  }

  // What the reader changed in a slot since the page loaded, by field name (and value, for a box).
  function changes(slot) {
    var changed = {};
    slot.querySelectorAll("input, select").forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          changed[key(field)] = field.checked;
        }
      } else if (field.tagName === "SELECT") {
        var option = field.options[field.selectedIndex];
        if (option && !option.defaultSelected) {
          changed[key(field)] = field.value;
        }
      } else if (field.value !== field.defaultValue) {
        changed[key(field)] = field.value;
      }
    });
    return changed;
  }

  function reapply(slot, changed) {
    slot.querySelectorAll("input, select").forEach(function (field) {
      var name = key(field);
      if (!Object.prototype.hasOwnProperty.call(changed, name)) {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = changed[name];
      } else {
        field.value = changed[name];
      }
    });
  }

  function place(part) {
    var slot = document.querySelector('[data-facets-slot="' + part.getAttribute("data-facets-part") + '"]');
    if (!slot) {
      return;
    }
    var changed = changes(slot);
    var focused = slot.contains(document.activeElement) ? key(document.activeElement) : null;
    while (slot.firstChild) {
      slot.removeChild(slot.firstChild);
    }
    while (part.firstChild) {
      slot.appendChild(document.adoptNode(part.firstChild));
    }
    reapply(slot, changed);
    if (focused) {
      var again = Array.prototype.filter.call(slot.querySelectorAll("input, select"), function (field) {
        return key(field) === focused;
      })[0];
      if (again) {
        again.focus();
      }
    }
  }

  function failed() {
    pending.forEach(function (element) {
      element.textContent = filters.getAttribute("data-facets-failed") + " ";
      var link = document.createElement("a");
      link.href = filters.getAttribute("data-facets-fallback");
      link.textContent = filters.getAttribute("data-facets-fallback-label");
      element.appendChild(link);
    });
  }

  fetch(filters.getAttribute("data-facets-url"), { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.text();
    })
    .then(function (html) {
      // Parsed inert: nothing in it runs, and its parts move into the page as they are.
      var fragment = new DOMParser().parseFromString(html, "text/html");
      fragment.querySelectorAll("[data-facets-part]").forEach(place);
      var cells = fragment.getElementById("facets-map-cells");
      var map = document.getElementById("results-map");
      if (cells && map) {
        map.dispatchEvent(new CustomEvent("archive:cells", { detail: JSON.parse(cells.textContent) }));
      }
      filters.removeAttribute("aria-busy");
    })
    .catch(function () {
      filters.removeAttribute("aria-busy");
      failed();
    });
})();
