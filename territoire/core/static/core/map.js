/* Progressive enhancement: turns <div class="map" data-geojson-src="#id"> into a Leaflet map.
   The page already shows the same data as a table or text; the map only adds a view.
   data-geojson-src: id of a <script type="application/json"> holding a GeoJSON object.
   data-tiles / data-attribution: tile URL template and credit (from settings).
   data-pick="#lon,#lat": clicking the map fills these two inputs (point picking). */
(function () {
  "use strict";
  if (!window.L) { return; }
  document.querySelectorAll("div.map[data-tiles]").forEach(function (el) {
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    var bounds = null;
    if (el.dataset.geojsonSrc) {
      var src = document.querySelector(el.dataset.geojsonSrc);
      if (src) {
        var layer = L.geoJSON(JSON.parse(src.textContent), {
          onEachFeature: function (f, l) {
            if (f.properties && f.properties.label) {
              var a = document.createElement(f.properties.url ? "a" : "span");
              a.textContent = f.properties.label;
              if (f.properties.url) { a.href = f.properties.url; }
              l.bindPopup(a);
            }
          }
        }).addTo(map);
        if (layer.getLayers().length) { bounds = layer.getBounds(); }
      }
    }
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
    else { map.setView([parseFloat(el.dataset.lat || "46.15"), parseFloat(el.dataset.lon || "-1.15")], parseInt(el.dataset.zoom || "13", 10)); }
    if (el.dataset.pick) {
      var ids = el.dataset.pick.split(",");
      var lon = document.querySelector(ids[0]), lat = document.querySelector(ids[1]);
      var marker = null;
      map.on("click", function (e) {
        if (lon && lat) { lon.value = e.latlng.lng.toFixed(6); lat.value = e.latlng.lat.toFixed(6); }
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
      });
    }
  });
})();
