/* The editors' admin: sub-type selects that follow their type, searchable selects, and claim rows
   that open when the page is reached through a link to one of their fields. */
"use strict";
(function () {
  // A select with data-follows="event_type" data-field="sub_event_type" lists only the options whose
  // data-parent is the value of the field named data-follows in the same form row (same prefix).
  function parentOf(select) {
    var own = select.dataset.field;
    if (!own || select.name.slice(-own.length) !== own) return null;
    var prefix = select.name.slice(0, select.name.length - own.length);
    return select.form ? select.form.elements.namedItem(prefix + select.dataset.follows) : null;
  }

  function dependentsOf(parent) {
    if (!parent.form || !parent.name) return [];
    return Array.prototype.filter.call(parent.form.querySelectorAll("select[data-follows]"), function (select) {
      return parentOf(select) === parent;
    });
  }

  function follow(select) {
    var parent = parentOf(select);
    if (!parent) return;
    var chosen = parent.value;
    Array.prototype.forEach.call(select.options, function (option) {
      var other = chosen && option.dataset.parent && option.dataset.parent !== chosen;
      option.hidden = option.disabled = Boolean(other);
    });
    var current = select.options[select.selectedIndex];
    if (current && current.disabled) select.value = "";
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement)) return;
    dependentsOf(target).forEach(follow);
    // A sub-type chosen first names its type.
    var parent = target.dataset.follows ? parentOf(target) : null;
    var option = target.options[target.selectedIndex];
    if (parent && option && option.dataset.parent && !parent.value) {
      parent.value = option.dataset.parent;
      dependentsOf(parent).forEach(follow);
    }
  });

  function searchable(root) {
    var $ = window.django && window.django.jQuery;
    if (!$ || !$.fn.select2) return;
    $(root).find("select.archive-searchable").not("[name*=__prefix__]").each(function () {
      if (!this.classList.contains("select2-hidden-accessible")) {
        $(this).select2({ width: "style", dir: document.documentElement.dir || "ltr" });
      }
    });
  }

  // Above the table (narrow screens, admin.css), the filters start folded unless one is in use,
  // so the first rows show without scrolling; Django's filters.js remembers any the editor opens.
  function foldFilters() {
    var filters = document.getElementById("changelist-filter");
    if (!filters || !window.matchMedia("(max-width: 1799px)").matches) return;
    if (window.sessionStorage && sessionStorage.getItem("django.admin.filtersState")) return;
    Array.prototype.forEach.call(filters.querySelectorAll("details"), function (details) {
      var first = details.querySelector("li");
      if (first && first.classList.contains("selected")) details.open = false;
    });
  }

  function start() {
    foldFilters();
    Array.prototype.forEach.call(document.querySelectorAll("select[data-follows]"), follow);
    searchable(document);
    // A row added by django-nested-admin or Django's inlines: its selects become searchable too.
    document.addEventListener("formset:added", function (event) { searchable(event.target); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
