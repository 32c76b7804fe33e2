// Directory maps: markers of the listed professionals or structures, and the choropleth
// of the diagnostic. Data come from <script type="application/json"> elements.
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("fr-FR");

  function markers(holder) {
    var data = JSON.parse(document.getElementById(holder.dataset.source).textContent);
    var map = L.map(holder, { scrollWheelZoom: false });
    var outline = document.getElementById("territory-outline");
    if (outline) {
      // The territory's communes as a backdrop: the map has no tiles (no third party).
      L.geoJSON(JSON.parse(outline.textContent), {
        style: function () { return { color: "#6b7a89", weight: 1, fillColor: "#e8eef4", fillOpacity: 0.6 }; },
        interactive: false
      }).addTo(map);
    }
    var group = L.featureGroup().addTo(map);
    data.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#0b4f8a", weight: 2, fillOpacity: 0.6 });
      var link = document.createElement("a");
      link.href = (holder.dataset.base || "") + p.url + "/";
      link.textContent = p.label;
      m.bindPopup(link);
      m.addTo(group);
    });
    if (data.length) { map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 13 }); }
    else { map.setView([46.6, 2.4], 5); }
  }

  // Classes of the ratio between a commune's density and the reference density.
  function colour(p) {
    if (!p.count) { return "#fcbba1"; }
    if (!p.reference) { return "#6baed6"; }
    var r = p.density / p.reference;
    return r >= 1.25 ? "#08519c" : r >= 1 ? "#3182bd" : r >= 0.8 ? "#6baed6" : r >= 0.5 ? "#bdd7e7" : "#fee0d2";
  }

  function choropleth(holder) {
    var data = JSON.parse(document.getElementById(holder.dataset.source).textContent);
    var label = holder.dataset.label || "";
    var map = L.map(holder, { scrollWheelZoom: false });
    var layer = L.geoJSON(data, {
      style: function (f) { return { color: "#333", weight: 1, fillColor: colour(f.properties), fillOpacity: 0.75 }; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(p.name + " : " + p.count + " " + label + ", " +
          (p.density === null ? "—" : fmt.format(p.density)) + " / 10 000 hab. ; population " + fmt.format(p.population) +
          (p.nearest === null ? "" : " ; médecin généraliste le plus proche à " + fmt.format(p.nearest) + " km"), { sticky: true });
      }
    }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-map=markers]").forEach(markers);
    document.querySelectorAll("[data-map=choropleth]").forEach(choropleth);
  });
})();
