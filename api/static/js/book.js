// The booking page's behaviour; the page works without it (see api/pages/booking.py).
// Filter-as-you-type procedure list, the phone's location, the map when tiles are configured,
// live refresh of the procedure's details and the slots, and a submit that cannot run twice.

const form = document.getElementById('book');
const search = document.getElementById('search');
const query = document.getElementById('q');
const count = document.getElementById('q-count');
const procedure = document.getElementById('procedure_code');
const ward = document.getElementById('ward');
const located = document.getElementById('located');
const submit = document.getElementById('submit');
const field = (id) => document.getElementById(id);

// text for matching: lower case, no diacritics, đ as d (as courier.catalogue.service.fold)
const fold = (text) => text.toLowerCase().replace(/đ/g, 'd').normalize('NFD')
  .replace(/[\u0300-\u036f]/g, '').replace(/\s+/g, ' ').trim();

function enhance() {
  document.querySelectorAll('[data-nojs]').forEach((element) => element.remove());
  document.querySelectorAll('[data-js]').forEach((element) => { element.hidden = false; });
}

// ---------------------------------------------------------------- procedure search

const allGroups = [...procedure.querySelectorAll('optgroup')].map((group) => group.cloneNode(true));

function filterProcedures() {
  const wanted = fold(query.value);
  const chosen = procedure.value;
  let found = 0;
  procedure.querySelectorAll('optgroup').forEach((group) => group.remove());
  for (const group of allGroups) {
    const kept = group.cloneNode(false);
    for (const option of group.querySelectorAll('option')) {
      if (!wanted || option.dataset.fold.includes(wanted)) {
        kept.append(option.cloneNode(true));
        found += 1;
      }
    }
    if (kept.children.length) procedure.append(kept);
  }
  const options = procedure.querySelectorAll('optgroup option');
  const still = [...options].some((option) => option.value === chosen);
  procedure.value = still ? chosen : (found === 1 ? options[0].value : '');
  count.textContent = !wanted ? '' : found === 0 ? count.dataset.none
    : found === 1 ? count.dataset.one : count.dataset.many.replace('%(n)s', found);
  if (procedure.value !== chosen) refresh();
}

// ---------------------------------------------------------------- the pickup point

const [south, west, north, east] = form.dataset.area.split(',').map(Number);
const inArea = (lat, lon) => lat >= south && lat <= north && lon >= west && lon <= east;
let pin = null;
let leaflet = null;

function setPoint(lat, lon, how, accuracy) {
  field('lat').value = lat.toFixed(6);
  field('lon').value = lon.toFixed(6);
  field('located_by').value = how;
  field('accuracy_m').value = accuracy ? Math.round(accuracy) : '';
  const text = located.dataset[how]
    .replace('%(m)s', accuracy ? Math.round(accuracy) : '?')
    .replace('%(ward)s', ward.selectedOptions[0]?.textContent.trim() || '');
  located.querySelector('span').textContent = text;
  if (pin && how !== 'map') pin.setLatLng([lat, lon]);
  refresh();
}

function chooseWard() {
  const option = ward.selectedOptions[0];
  if (!option || !option.value) return;
  setPoint(Number(option.dataset.lat), Number(option.dataset.lon), 'ward');
  if (leaflet) leaflet.setView([Number(option.dataset.lat), Number(option.dataset.lon)], 15);
}

function useLocation(event) {
  const button = event.currentTarget;
  const label = button.textContent;
  const failed = () => {
    button.disabled = false;
    button.textContent = label;
    located.querySelector('span').textContent = button.dataset.failed;
  };
  if (!navigator.geolocation) { failed(); return; }
  button.disabled = true;
  button.textContent = button.dataset.waiting;
  navigator.geolocation.getCurrentPosition((position) => {
    button.disabled = false;
    button.textContent = label;
    const { latitude, longitude, accuracy } = position.coords;
    setPoint(latitude, longitude, 'gps', accuracy);
  }, failed, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
}

function startMap(element) {
  const L = window.L;
  if (!L) return;
  const lat = Number(field('lat').value) || 10.98;
  const lon = Number(field('lon').value) || 106.65;
  leaflet = L.map(element).setView([lat, lon], field('lat').value ? 16 : 11);
  const tiles = L.tileLayer(element.dataset.tiles, {
    maxZoom: 19, attribution: element.dataset.attribution,
  }).addTo(leaflet);
  pin = L.marker([lat, lon], { draggable: true, keyboard: true }).addTo(leaflet);
  const place = (latlng) => {
    if (!inArea(latlng.lat, latlng.lng)) return;
    pin.setLatLng(latlng);
    setPoint(latlng.lat, latlng.lng, 'map');
  };
  leaflet.on('click', (event) => place(event.latlng));
  pin.on('dragend', () => place(pin.getLatLng()));
  let failures = 0;
  tiles.on('tileerror', () => {
    failures += 1;
    if (failures === 3) {
      element.hidden = true;
      pin = null;
      leaflet = null;
      located.querySelector('span').textContent = element.dataset.failed;
    }
  });
}

// ---------------------------------------------------------------- details and slots

let pending = null;

async function refresh() {
  if (pending) pending.abort();
  pending = new AbortController();
  const body = new URLSearchParams(new FormData(form));
  try {
    const answer = await fetch('/book/parts', { method: 'POST', body, signal: pending.signal });
    if (!answer.ok) return;
    const parts = document.createElement('template');
    parts.innerHTML = await answer.text();
    // the slot chosen while the answer was on its way stays chosen if it is still offered, and
    // the focus stays where it was (a keyboard user may have tabbed into the slots meanwhile)
    const chosen = form.querySelector('input[name=when]:checked')?.value;
    const focused = document.activeElement;
    let focusIn = null;
    for (const id of ['details', 'when']) {
      const fresh = parts.content.getElementById(id);
      if (!fresh) continue;
      if (field(id).contains(focused)) focusIn = fresh;
      field(id).replaceWith(fresh);
    }
    const again = [...form.querySelectorAll('input[name=when]')].find((r) => r.value === chosen);
    if (again) again.checked = true;
    if (focusIn) {
      const same = focused.id ? focusIn.querySelector(`[id="${focused.id}"]`) : null;
      (same || focusIn.querySelector('input, select, textarea, button, a[href]'))?.focus();
    }
  } catch (error) {
    if (error.name !== 'AbortError') throw error;
  }
}

// ---------------------------------------------------------------- sending

function sending(event) {
  if (submit.disabled) { event.preventDefault(); return; }
  submit.disabled = true;
  submit.setAttribute('aria-busy', 'true');
  submit.dataset.label = submit.textContent;
  submit.textContent = submit.dataset.sending;
}

function ready() {
  submit.disabled = false;
  submit.removeAttribute('aria-busy');
  if (submit.dataset.label) submit.textContent = submit.dataset.label;
}

enhance();
query.addEventListener('input', filterProcedures);
search.addEventListener('submit', (event) => { event.preventDefault(); filterProcedures(); });
procedure.addEventListener('change', refresh);
ward.addEventListener('change', chooseWard);
field('use-gps').addEventListener('click', useLocation);
form.addEventListener('submit', sending);
window.addEventListener('pageshow', ready);
if (query.value) filterProcedures();
const map = field('map');
if (map) startMap(map);
field('error-summary')?.focus();
