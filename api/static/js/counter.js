// «Nhận hồ sơ tại quầy»: scan (a keyboard-wedge scanner types the code and Enter, or type it, or
// the camera where the browser reads barcodes itself), check each code with the server at once,
// compare seal and checklist, both sides sign, and send the batch as one handover. The batch keeps
// one idempotency key until it changes, so a second tap or a retry never records it twice.
// Every word shown comes from the page (#counter-texts) or from the server, in the clerk's language.

import { codeFrom } from "../courier/codes.js";
import { fitToBox } from "../courier/fit.js";
import { startScanner } from "../courier/scan.js";

const form = document.getElementById("counter");
const TEXT = JSON.parse(document.getElementById("counter-texts").textContent);
const $ = (id) => document.getElementById(id);
const courierSelect = $("courier");
const codeInput = $("code");
const message = $("scan-message");
const list = $("batch");
const seal = $("seal");
const problems = $("problems");
/** @type {Map<string, {arrival: any, checked: boolean, refused: boolean}>} */
const batch = new Map();
let sealTyped = false;
let pending = null; // {key, deviceAt} of the batch as it is now; dropped on any change
const pads = {};

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params?.[name] ?? ""));
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

function changed() {
  pending = null;
  problems.hidden = true;
}

function say(text, ok = false) {
  message.textContent = text;
  message.classList.toggle("ok", ok);
}

async function add(raw) {
  const code = codeFrom(raw);
  codeInput.value = "";
  if (!code) return say(fill(TEXT.invalid, { code: raw.trim().slice(0, 40) }));
  if (batch.has(code)) return say(fill(TEXT.twice, { code }));
  const query = new URLSearchParams({ code, site: form.dataset.site });
  if (courierSelect.value) query.set("courier", courierSelect.value);
  let answer;
  try {
    answer = await fetch(`${form.dataset.check}?${query}`, { credentials: "same-origin", cache: "no-store" });
  } catch {
    return say(TEXT.offline);
  }
  const body = await answer.json();
  if (!answer.ok) return say(typeof body.detail === "string" ? body.detail : TEXT.offline);
  if (batch.has(code)) return say(fill(TEXT.twice, { code }));
  adopt(body.courier);
  batch.set(code, { arrival: body, checked: false, refused: false });
  say(`✓ ${code}`, true);
  changed();
  render();
}

/** The first dossier names the courier when the clerk chose none; the choice is then fixed. */
function adopt(courier) {
  if (courierSelect.value) return;
  let option = [...courierSelect.options].find((o) => o.value === String(courier.id));
  if (!option) {
    option = h("option", { value: String(courier.id) }, courier.name);
    courierSelect.append(option);
  }
  courierSelect.value = String(courier.id);
}

function documentsOf(arrival) {
  return h(
    "ul",
    { class: "docs" },
    ...arrival.documents.map((d) =>
      h("li", { class: d.ticked ? "" : "missing" }, `${d.name} — ${d.ticked ? TEXT[d.ticked] ?? d.ticked : TEXT.not_ticked}`),
    ),
  );
}

function row(code, item) {
  const { arrival } = item;
  const id = `ok-${code}`;
  const check = h("input", { type: "checkbox", id, checked: item.checked, disabled: item.refused });
  check.addEventListener("change", () => {
    item.checked = check.checked;
    changed();
  });
  const refuse = h("button", { type: "button", class: item.refused ? "" : "danger" }, item.refused ? TEXT.undo : TEXT.refuse);
  refuse.addEventListener("click", () => {
    item.refused = !item.refused;
    item.checked = false;
    changed();
    render();
  });
  return h(
    "li",
    { class: item.refused ? "refused" : "", "data-code": code },
    h("p", { class: "batch-code" }, h("strong", {}, code), " ", h("span", { class: "hint" }, arrival.procedure)),
    h("p", { class: "seal" }, `${TEXT.seal}: `, h("b", {}, arrival.seal_number || TEXT.no_seal)),
    documentsOf(arrival),
    h(
      "div",
      { class: "row-end" },
      item.refused ? h("p", { class: "late" }, TEXT.refused) : h("p", { class: "check" }, check, h("label", { for: id }, TEXT.checked)),
      refuse,
    ),
  );
}

function render() {
  // the newest first: the clerk sees what was just scanned next to the field
  list.replaceChildren(...[...batch].reverse().map(([code, item]) => row(code, item)));
  const n = [...batch.values()].filter((i) => !i.refused).length;
  $("batch-count").textContent = batch.size ? fill(n === 1 ? TEXT.count_one : TEXT.count_many, { n }) : "";
  courierSelect.disabled = batch.size > 0;
  if (!sealTyped) {
    const seals = new Set([...batch.values()].filter((i) => !i.refused).map((i) => i.arrival.seal_number));
    seal.value = seals.size === 1 ? [...seals][0] ?? "" : "";
  }
}

async function makePads() {
  const SignaturePad = (await import(form.dataset.pad)).default;
  for (const canvas of document.querySelectorAll("canvas.pad")) {
    const pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" });
    pad.addEventListener("endStroke", changed);
    fitToBox(pad, canvas);
    pads[canvas.id] = pad;
  }
  for (const button of document.querySelectorAll("[data-clear]")) {
    button.addEventListener("click", () => {
      pads[button.dataset.clear].clear();
      changed();
    });
  }
}

function blob(id) {
  return new Promise((resolve) => $(id).toBlob(resolve, "image/png"));
}

function refusals() {
  const kept = [...batch].filter(([, i]) => !i.refused);
  const found = [];
  if (!kept.length) found.push(TEXT.empty);
  if (kept.some(([, i]) => !i.checked)) found.push(TEXT.unchecked);
  if (!seal.value.trim()) found.push(TEXT.no_seal_number);
  if (pads["clerk-pad"]?.isEmpty() ?? true) found.push(TEXT.clerk);
  if (pads["courier-pad"]?.isEmpty() ?? true) found.push(TEXT.courier);
  return found;
}

async function send(event) {
  event.preventDefault();
  const button = $("receive");
  if (button.disabled) return;
  const found = refusals();
  if (found.length) return show(found.join(" "));
  button.disabled = true; // a second tap while this one is sent does nothing
  pending ??= { key: crypto.randomUUID().replaceAll("-", ""), deviceAt: new Date().toISOString() };
  const data = new FormData();
  data.set("idempotency_key", pending.key);
  data.set("device_at", pending.deviceAt);
  data.set("courier_id", courierSelect.value);
  data.set("seal_number", seal.value.trim());
  data.set("site", form.dataset.site);
  const kept = [...batch].filter(([, i]) => !i.refused).map(([code]) => code);
  for (const code of kept) data.append("codes", code);
  data.set("signature", await blob("clerk-pad"), "signature.png");
  data.set("counter_signature", await blob("courier-pad"), "counter-signature.png");
  show(TEXT.sending, "status");
  try {
    const answer = await fetch(form.dataset.receive, { method: "POST", body: data, credentials: "same-origin" });
    const body = await answer.json();
    if (!answer.ok) return show(typeof body.detail === "string" ? body.detail : TEXT.offline);
    const next = new URL(body.next, location.href);
    for (const [code, item] of batch) if (item.refused) next.searchParams.append("refused", code);
    location.assign(next);
  } catch {
    show(TEXT.offline);
  } finally {
    button.disabled = false;
  }
}

function show(text, role = "alert") {
  problems.textContent = text;
  problems.className = role === "alert" ? "alert" : "status";
  problems.setAttribute("role", role);
  problems.hidden = false;
}

async function camera() {
  const video = $("camera-view");
  video.hidden = false;
  const scanner = await startScanner(video, {
    onCode: (code) => add(code),
    barcodeModuleUrl: form.dataset.barcode,
    wasmUrl: form.dataset.wasm,
  });
  $("camera").onclick = () => {
    scanner.stop();
    video.hidden = true;
    $("camera").onclick = camera;
  };
}

codeInput.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  if (codeInput.value.trim()) add(codeInput.value);
});
$("add").addEventListener("click", () => codeInput.value.trim() && add(codeInput.value));
seal.addEventListener("input", () => {
  sealTyped = seal.value.trim() !== "";
  changed();
});
courierSelect.addEventListener("change", changed);
form.addEventListener("submit", send);
// the camera only where the browser reads barcodes itself (the page allows no WebAssembly)
if ("BarcodeDetector" in globalThis && navigator.mediaDevices?.getUserMedia) {
  $("camera").hidden = false;
  $("camera").onclick = camera;
}
codeInput.focus();
// the pads are ready: say so (tests wait for it; a clerk never notices)
makePads().then(() => {
  form.dataset.ready = "";
});
