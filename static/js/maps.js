// Draws every element with a data-map attribute as a Leaflet map, from the JSON block it names.
// Without a tile URL (or when tiles fail to load) the markers sit on a plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") {
    return;
  }

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function link(point) {
    var anchor = document.createElement("a");
    anchor.href = point.url;
    anchor.textContent = point.title;
    var wrapper = document.createElement("div");
    wrapper.appendChild(anchor);
    var when = document.createElement("div");
    when.textContent = point.date;
    wrapper.appendChild(when);
    return wrapper;
  }

  function draw(container) {
    var data = readData(container.getAttribute("data-map"));
    if (!data) {
      return;
    }
    container.textContent = "";
    container.classList.add("map--ready");
    var map = L.map(container, { scrollWheelZoom: false, worldCopyJump: true, attributionControl: true });
    if (data.tiles) {
      var tiles = L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" });
      tiles.on("tileerror", function () {
        container.classList.add("map--offline");
      });
      tiles.addTo(map);
    } else {
      container.classList.add("map--offline");
    }

    var bounds = [];
    var largest = 1;
    data.cells.forEach(function (cell) {
      largest = Math.max(largest, cell[2]);
    });
    data.cells.forEach(function (cell) {
      var radius = 4 + 16 * Math.sqrt(cell[2] / largest);
      L.circleMarker([cell[0], cell[1]], {
        radius: radius,
        color: "#8a3b12",
        weight: 1,
        fillColor: "#d9822b",
        fillOpacity: 0.45,
        interactive: true,
      })
        .bindTooltip(cell[2] + (cell[2] === 1 ? " incident" : " incidents"))
        .addTo(map);
      bounds.push([cell[0], cell[1]]);
    });
    data.points.forEach(function (point) {
      L.circleMarker([point.lat, point.lon], {
        radius: 6,
        color: "#ffffff",
        weight: 2,
        fillColor: "#1f4e8c",
        fillOpacity: 1,
      })
        .bindPopup(link(point))
        .addTo(map);
      bounds.push([point.lat, point.lon]);
    });

    if (bounds.length === 1) {
      map.setView(bounds[0], data.points.length === 1 && data.cells.length === 0 ? 8 : 6);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9 });
    } else {
      map.setView([15, 0], 2);
    }
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
