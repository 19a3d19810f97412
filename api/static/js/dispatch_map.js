// The shown plan on a map (Leaflet from npm, loaded before this module): each courier's route as a
// coloured line from their post office through the numbered stops, round pickups and square
// deliveries, the post offices and the centers. Map tiles only when configured: on a closed
// network the lines and markers lie on a plain background. The data is the page's JSON
// (#plan-map-data); the live refresh replaces it, and the map is drawn again, keeping its view.
const TILE_FAILURES = 3;
const live = document.getElementById('dispatch-day');
let map = null;
let drawnFor = null;
let kept = null;
const SIZE = 26;
const RING_PX = 17;

// Stops at one place (the deliveries at a center, two couriers' stops at one address: within
// about 10 m) are set on a ring around it, so each number shows; the widest ring is returned too,
// for the first view to leave room for it.
function anchors(data) {
  const at = new Map();
  for (const route of data.routes) {
    for (const stop of route.stops) {
      const key = `${stop.lat.toFixed(4)},${stop.lon.toFixed(4)}`;
      at.set(key, [...(at.get(key) || []), stop]);
    }
  }
  const shifted = new Map();
  let widest = 0;
  for (const stops of at.values()) {
    const ring = Math.max(RING_PX, (stops.length * (SIZE + 2)) / (2 * Math.PI));
    const radius = stops.length > 1 ? ring : 0;
    widest = Math.max(widest, radius);
    stops.forEach((stop, k) => {
      const angle = (2 * Math.PI * k) / stops.length;
      shifted.set(stop, [SIZE / 2 - radius * Math.cos(angle), SIZE / 2 - radius * Math.sin(angle)]);
    });
  }
  return { shifted, widest };
}

function icon(className, text, anchor = [SIZE / 2, SIZE / 2]) {
  const span = document.createElement('span');
  span.textContent = text;
  return window.L.divIcon({ className, html: span, iconSize: [SIZE, SIZE], iconAnchor: anchor });
}

function addTiles(element) {
  const L = window.L;
  const tiles = L.tileLayer(element.dataset.tiles, {
    maxZoom: 19, attribution: element.dataset.attribution,
  }).addTo(map);
  let failures = 0;
  tiles.on('tileerror', () => {
    failures += 1;
    if (failures === TILE_FAILURES) {
      tiles.remove();
      element.classList.add('no-tiles');
    }
  });
}

// Post offices and centers are drawn above the stops (zIndexOffset), so a ring of stops around
// a center never hides it.
const ON_TOP = 1000;

function place(lat, lon, className, text, title, bounds, anchor = undefined, zIndexOffset = 0) {
  const point = [lat, lon];
  bounds.extend(point);
  const options = {
    icon: icon(className, text, anchor), title, alt: title, keyboard: true, zIndexOffset,
  };
  // a tap (phones show no title) or Enter opens what the marker is, as plain text
  const label = document.createElement('span');
  label.textContent = title;
  return window.L.marker(point, options).bindPopup(label).addTo(map);
}

function drawRoute(route, bounds, shifted) {
  const line = route.start ? [route.start] : [];
  for (const stop of route.stops) {
    line.push([stop.lat, stop.lon]);
    const kind = stop.kind === 'pickup' ? 'pickup' : 'delivery';
    const moved = stop.moved ? ' moved' : '';
    place(stop.lat, stop.lon, `stop-marker ${kind} c${route.colour}${moved}`, String(stop.n),
      `${route.title}, ${stop.title}`, bounds, shifted.get(stop));
  }
  if (route.seen) {
    place(route.seen.lat, route.seen.lon, `seen-marker c${route.colour}`, '▲', route.seen.title,
      bounds);
  }
  if (line.length > 1) {
    window.L.polyline(line, { className: `route-line c${route.colour}`, weight: 4, opacity: 0.9 })
      .addTo(map);
  }
}

function draw() {
  const element = document.getElementById('plan-map');
  if (element === drawnFor) return;
  if (map) {
    kept = { center: map.getCenter(), zoom: map.getZoom() };
    map.remove();
    map = null;
  }
  drawnFor = element;
  const source = document.getElementById('plan-map-data');
  if (!element || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  element.closest('section').hidden = false;
  map = window.L.map(element, { attributionControl: Boolean(element.dataset.tiles), zoomSnap: 0.5 });
  if (element.dataset.tiles) addTiles(element); else element.classList.add('no-tiles');
  const bounds = window.L.latLngBounds([]);
  data.centers.forEach((c) => place(c.lat, c.lon, 'site-marker center', '★', c.title, bounds,
    undefined, ON_TOP));
  data.offices.forEach((o) => place(o.lat, o.lon, 'site-marker office', '✉', o.title, bounds,
    undefined, ON_TOP));
  const { shifted, widest } = anchors(data);
  data.routes.forEach((route) => drawRoute(route, bounds, shifted));
  // every marker whole in the first view: the points, plus a marker and the widest ring around
  const pad = Math.ceil(widest + SIZE + 8);
  if (kept) map.setView(kept.center, kept.zoom);
  else if (bounds.isValid()) map.fitBounds(bounds, { padding: [pad, pad], maxZoom: 16 });
  else map.setView([10.98, 106.65], 12);
}

draw();
if (live) new MutationObserver(draw).observe(live, { childList: true });
