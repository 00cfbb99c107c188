// Draws every element with a data-map attribute as a Leaflet map, from the JSON block it names.
// Without a tile URL the markers sit on the app's own basemap (data-basemap: country borders and
// coastlines, and admin-1 regions when zoomed in, all GeoJSON from the same origin); when tiles
// are configured but fail to load, on a plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") {
    return;
  }

  // Zoom from which the regions of the countries in view are loaded and drawn, and named.
  var REGIONS_FROM_ZOOM = 5;
  var REGION_NAMES_FROM_ZOOM = 6;
  // A country is named once its largest piece is wider than its name (about 7 px a letter).
  var PIXELS_PER_LETTER = 7;

  function pageLanguage() {
    return (document.documentElement.lang || "en").toLowerCase().split("-")[0];
  }

  // Leaflet places the label's corner on the point: the inner span centres the text on it.
  // Styles are set here (CSSOM, allowed by the CSP) so the basemap needs no stylesheet of its own.
  function label(text, language, kind) {
    var span = document.createElement("span");
    span.textContent = text;
    span.dir = "auto";
    if (language) {
      span.lang = language;
    }
    var style = span.style;
    style.position = "absolute";
    style.transform = "translate(-50%, -50%)";
    style.whiteSpace = "nowrap";
    style.pointerEvents = "none";
    style.font = kind === "country" ? "600 12px/1.2 system-ui, sans-serif" : "italic 11px/1.2 system-ui, sans-serif";
    style.color = kind === "country" ? "#4a4a4a" : "#6b6b6b";
    style.textShadow = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff";
    return L.divIcon({ className: "basemap-label basemap-label--" + kind, html: span, iconSize: null });
  }

  function countryName(properties, language) {
    var names = properties.names || {};
    return names[language] ? { text: names[language], language: language } : { text: properties.name, language: "en" };
  }

  function pixelWidth(map, bbox) {
    // West to east in Web Mercator is linear in longitude: 256 px for 360 degrees at zoom 0.
    return ((bbox[3] - bbox[1]) * 256 * Math.pow(2, map.getZoom())) / 360;
  }

  function intersects(bounds, bbox) {
    return !(bbox[2] < bounds.getSouth() || bbox[0] > bounds.getNorth() || bbox[3] < bounds.getWest() || bbox[1] > bounds.getEast());
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  // Country borders and coastlines under the markers, the countries named at a zoom where
  // their name fits, and the regions (admin-1) of the countries in view from REGIONS_FROM_ZOOM.
  function drawBasemap(map, container) {
    var countriesUrl = container.getAttribute("data-basemap");
    var regionsUrl = container.getAttribute("data-basemap-admin1") || "";
    var language = pageLanguage();
    // Below the markers (overlayPane, 400), above where tiles would be (200).
    map.createPane("basemap").style.zIndex = 250;
    map.createPane("basemapLabels").style.zIndex = 350;
    map.getPane("basemapLabels").style.pointerEvents = "none";
    map.attributionControl.addAttribution("Natural Earth");

    var countryLabels = L.layerGroup().addTo(map);
    var regions = L.layerGroup();
    var regionLabels = L.layerGroup();
    var loaded = {};
    var labelled = [];

    function showLabels() {
      countryLabels.clearLayers();
      labelled.forEach(function (entry) {
        if (pixelWidth(map, entry.bbox) > entry.text.length * PIXELS_PER_LETTER) {
          countryLabels.addLayer(entry.marker);
        }
      });
      var zoom = map.getZoom();
      if (zoom >= REGIONS_FROM_ZOOM) {
        regions.addTo(map);
      } else {
        regions.remove();
      }
      if (zoom >= REGION_NAMES_FROM_ZOOM) {
        regionLabels.addTo(map);
      } else {
        regionLabels.remove();
      }
    }

    function loadRegions(world) {
      if (map.getZoom() < REGIONS_FROM_ZOOM || !regionsUrl) {
        return;
      }
      var bounds = map.getBounds();
      world.features.forEach(function (country) {
        var code = country.id;
        if (!code || !country.properties.admin1 || loaded[code] || !intersects(bounds, country.properties.bbox)) {
          return;
        }
        loaded[code] = true;
        fetchJSON(regionsUrl.replace("XX", code))
          .then(function (data) {
            L.geoJSON(data, {
              pane: "basemap",
              interactive: false,
              style: { color: "#8f8f8f", weight: 1, opacity: 0.9, dashArray: "4 3", fill: false },
            }).addTo(regions);
            data.features.forEach(function (region) {
              var point = region.properties.label;
              if (point && region.properties.name) {
                L.marker(point, {
                  pane: "basemapLabels",
                  interactive: false,
                  keyboard: false,
                  icon: label(region.properties.name, "", "region"),
                }).addTo(regionLabels);
              }
            });
          })
          .catch(function () {
            loaded[code] = false;
          });
      });
    }

    fetchJSON(countriesUrl)
      .then(function (world) {
        container.classList.remove("map--offline");
        container.classList.add("map--basemap");
        L.geoJSON(world, {
          pane: "basemap",
          interactive: false,
          style: { color: "#7d7d7d", weight: 1, fillColor: "#f6f3ec", fillOpacity: 1 },
        }).addTo(map);
        world.features.forEach(function (country) {
          var properties = country.properties;
          if (!properties.label) {
            return;
          }
          var name = countryName(properties, language);
          labelled.push({
            text: name.text,
            bbox: properties.bbox,
            marker: L.marker(properties.label, {
              pane: "basemapLabels",
              interactive: false,
              keyboard: false,
              icon: label(name.text, name.language, "country"),
            }),
          });
        });
        showLabels();
        loadRegions(world);
        map.on("zoomend", showLabels);
        map.on("moveend", function () {
          loadRegions(world);
        });
      })
      .catch(function () {
        // The markers stay usable on the plain background.
        container.classList.add("map--offline");
      });
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
    } else if (container.getAttribute("data-basemap")) {
      drawBasemap(map, container);
    } else {
      container.classList.add("map--offline");
    }

    var cells = drawCells(map, data.cells);
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
    });
    frame(map, data.tiles, data.cells, data.points);

    // The list page's counts arrive after the page (facets.js) with the density of all the
    // matching incidents: drawn under the page's own markers, and framed unless the reader has
    // already moved the map.
    var moved = false;
    map.on("dragstart", function () {
      moved = true;
    });
    ["pointerdown", "wheel", "keydown"].forEach(function (type) {
      container.addEventListener(type, function () {
        moved = true;
      });
    });
    container.addEventListener("archive:cells", function (event) {
      cells.forEach(function (cell) {
        cell.remove();
      });
      cells = drawCells(map, event.detail);
      cells.forEach(function (cell) {
        cell.bringToBack();
      });
      if (!moved) {
        frame(map, data.tiles, event.detail, data.points);
      }
    });
  }

  // Circles sized by how many incidents each cell holds, beneath any single incident's marker.
  function drawCells(map, cells) {
    var largest = 1;
    cells.forEach(function (cell) {
      largest = Math.max(largest, cell[2]);
    });
    return cells.map(function (cell) {
      var radius = 4 + 16 * Math.sqrt(cell[2] / largest);
      return L.circleMarker([cell[0], cell[1]], {
        radius: radius,
        color: "#8a3b12",
        weight: 1,
        fillColor: "#d9822b",
        fillOpacity: 0.45,
        interactive: true,
      })
        // The label, when the page gives one (translated, with its plural form), else English.
        .bindTooltip(cell[3] || cell[2] + (cell[2] === 1 ? " incident" : " incidents"))
        .addTo(map);
    });
  }

  // Close enough to see the place, far enough to see its region and neighbours named: on the
  // basemap (no tiles) nothing finer than the regions is drawn.
  function frame(map, tiles, cells, points) {
    var bounds = cells
      .map(function (cell) {
        return [cell[0], cell[1]];
      })
      .concat(
        points.map(function (point) {
          return [point.lat, point.lon];
        })
      );
    var closest = tiles ? 8 : 6;
    if (bounds.length === 1) {
      map.setView(bounds[0], points.length === 1 && cells.length === 0 ? closest : 6);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: closest + 1 });
    } else {
      map.setView([15, 0], 2);
    }
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
