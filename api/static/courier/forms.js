// The screens that record: a pickup, a result delivered, a handover at a center, a failed stop.
// Each action is kept on the phone first (the outbox) and sent when the network allows.

import { codeFrom } from "./codes.js";
import { clock, config, money, t, today } from "./config.js";
import { downscale } from "./photo.js";
import { signaturePad } from "./sign.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { clean, field, fieldError, h, onLeave, show, toast } from "./ui.js";
import { actionOf, currentMarks, documentAsked, documentName, findStop, notFound, stateOf } from "./views.js";

const REASONS = ["not_home", "refused", "wrong_address", "documents_incomplete", "other"];
const REASON_LABEL = {
  not_home: () => t("Nobody at home"),
  refused: () => t("Refused by the citizen"),
  wrong_address: () => t("Wrong address"),
  documents_incomplete: () => t("Documents missing"),
  site_closed: () => t("Counter closed"),
  other: () => t("Other (write why)"),
};
const FIX_MAX_AGE_MS = 2 * 60_000;
let lastFix;
let watching = false;

/** Follow the phone's position from the first form on (not on opening the app: the courier is
 * asked for it when it is needed), when the courier allows it. */
function watchPosition() {
  if (watching || !navigator.geolocation) return;
  watching = true;
  navigator.geolocation.watchPosition(
    (position) => {
      lastFix = position;
    },
    () => undefined,
    { enableHighAccuracy: true, maximumAge: 60_000 },
  );
}

async function position() {
  if (lastFix && Date.now() - lastFix.timestamp < FIX_MAX_AGE_MS) return lastFix;
  if (!navigator.geolocation) return null;
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(resolve, () => resolve(null), {
      enableHighAccuracy: true,
      timeout: 8000,
      maximumAge: FIX_MAX_AGE_MS,
    });
  });
}

/** Where and when the action happened, as the phone knows it: without a fix (location refused,
 * no signal), a counter's site, or no position at all (never the planned point as if measured). */
async function captured(stop) {
  const fix = await position();
  const at = new Date().toISOString();
  if (fix) {
    return { device_at: at, lat: fix.coords.latitude, lon: fix.coords.longitude, accuracy_m: Math.round(fix.coords.accuracy) };
  }
  return stop.site_id ? { device_at: at, site_id: stop.site_id } : { device_at: at };
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A code field: the camera reads the label, or the courier types the code; `accept` checks it. */
function codeEntry({ accept, label }) {
  const input = h("input", { inputmode: "text", autocapitalize: "characters", autocomplete: "off", spellcheck: "false" });
  const video = h("video", { class: "scanner", playsinline: true, muted: true, hidden: true });
  let scanner;
  const stopScan = () => {
    scanner?.stop();
    scanner = undefined;
    video.hidden = true;
    scan.textContent = t("Scan the label");
  };
  onLeave(stopScan);
  const take = (raw) => {
    const code = codeFrom(raw);
    if (!code) return fieldError("code", t("%(code)s is not a dossier code.", { code: raw }));
    const refusal = accept(code);
    fieldError("code", refusal || null);
    if (!refusal) {
      input.value = "";
      if (navigator.vibrate) navigator.vibrate(80);
    }
  };
  const scan = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        if (scanner) return stopScan();
        video.hidden = false;
        scan.textContent = t("Stop the camera");
        try {
          const { startScanner } = await import("./scan.js");
          scanner = await startScanner(video, {
            onCode: take,
            barcodeModuleUrl: config.vendor.barcode,
            wasmUrl: config.vendor.wasm,
          });
        } catch (error) {
          stopScan();
          fieldError("code", error.name === "NotAllowedError" ? t("The camera is not allowed: type the code.") : t("No camera: type the code."));
        }
      },
    },
    t("Scan the label"),
  );
  const add = h("button", { type: "button", class: "secondary", onclick: () => input.value.trim() && take(input.value.trim()) }, t("Check the code"));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add.click();
    }
  });
  return {
    element: h("div", {}, field("code", label, input, t("Scan the label, or type the code printed under it.")), h("p", { class: "actions" }, scan, add), video),
    stop: stopScan,
  };
}

/** Photos of the packet, each scaled down on the phone to at most 2,000 px before it is kept. */
function photoEntry() {
  const blobs = [];
  const list = h("ul", { class: "thumbs" });
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden", id: "photos" });
  const urls = [];
  onLeave(() => urls.forEach((url) => URL.revokeObjectURL(url)));
  const preview = (blob) => {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    return url;
  };
  const render = () => {
    list.replaceChildren(
      ...blobs.map((blob, i) =>
        h(
          "li",
          {},
          h("img", { src: preview(blob), alt: t("Photo %(n)s", { n: i + 1 }) }),
          h("button", { type: "button", class: "link", onclick: () => { blobs.splice(i, 1); render(); } }, t("Remove")),
        ),
      ),
    );
  };
  input.addEventListener("change", async () => {
    for (const file of input.files) {
      try {
        blobs.push((await downscale(file)).blob);
      } catch {
        fieldError("photos", t("This file is not a photo the phone can read."));
      }
    }
    input.value = "";
    render();
  });
  const error = h("p", { class: "error", id: "photos-error", hidden: true });
  return {
    element: h(
      "div",
      { class: "field" },
      h("p", { class: "label" }, t("Photos of the sealed packet")),
      input,
      h("label", { for: "photos", class: "button secondary" }, t("Take a photo")),
      error,
      list,
    ),
    blobs,
  };
}

function sealField() {
  const input = h("input", { autocomplete: "off", maxlength: 32 });
  return { element: field("seal", t("Seal number"), input), value: () => input.value.trim() };
}

function feeField(amount) {
  const input = h("input", { type: "number", inputmode: "numeric", min: 0, step: 1000, value: amount });
  return {
    element: field("fee", t("Fee collected (đồng)"), input, amount ? t("Due: %(amount)s", { amount: money(amount) }) : null),
    value: () => (input.value === "" ? null : Number(input.value)),
  };
}

function checklist(stop) {
  const rows = (stop.documents || []).map((d) =>
    h(
      "fieldset",
      { class: "doc", id: `doc-${d.position}` },
      h("legend", {}, documentName(d), h("span", { class: "muted" }, " · " + documentAsked(d))),
      ["original", "copy"].map((form) =>
        h("label", { class: "choice" }, h("input", { type: "radio", name: `doc-${d.position}`, value: form }), form === "original" ? t("original") : t("copy")),
      ),
    ),
  );
  return {
    element: h("section", { class: "card" }, h("h2", {}, t("Documents handed in")), rows, h("p", { class: "error", id: "docs-error", hidden: true })),
    ticks: () =>
      (stop.documents || []).map((d) => ({
        position: d.position,
        form: document.querySelector(`input[name="doc-${d.position}"]:checked`)?.value,
      })),
  };
}

function showError(id, message) {
  const box = document.getElementById(id);
  box.textContent = message;
  box.hidden = false;
}

/** Keep the actions on the phone (under the courier who recorded them), mark their stops, and go
 * on: they are sent in the background, however long the upload takes. */
async function record(action, marks, afterwards, more = []) {
  const profile = await store.getMeta("profile");
  const day = today();
  for (const [each, itsMarks] of [[action, marks], ...more]) {
    const dated = Object.fromEntries(Object.entries(itsMarks).map(([id, mark]) => [id, { ...mark, day }]));
    await store.enqueue({ ...each, owner: profile.code, capturedAt: each.body.device_at }, dated);
  }
  clean();
  toast(t("Recorded on the phone; it is sent in the background."));
  afterwards();
  sync.flush().then(
    (result) => window.dispatchEvent(new CustomEvent("courier:outbox", { detail: result })),
    () => undefined,
  );
}

function submitRow(label, onSubmit) {
  const button = h("button", { type: "submit", class: "primary" }, label);
  const summary = h("p", { class: "error", id: "form-error", role: "alert", hidden: true });
  return { element: h("div", {}, summary, h("p", { class: "actions" }, button, h("a", { href: "#/", class: "button secondary" }, t("Cancel")))), button, onSubmit };
}

function form(children, submit) {
  return h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        submit.button.disabled = true;
        try {
          await submit.onSubmit();
        } finally {
          submit.button.disabled = false;
        }
      },
    },
    children,
    submit.element,
  );
}

function matchOne(stop) {
  let matched = null;
  const mark = h("p", { class: "matched", hidden: true });
  const entry = codeEntry({
    label: t("Dossier code"),
    accept: (code) => {
      if (code !== stop.tracking_code) return t("%(code)s is not the dossier of this stop (%(expected)s).", { code, expected: stop.tracking_code });
      matched = code;
      mark.textContent = `✓ ${code}`;
      mark.hidden = false;
      return null;
    },
  });
  return { element: h("div", {}, entry.element, mark), matched: () => matched, stop: entry.stop };
}

/** Collect a dossier from the citizen: code, checklist, seal, fee, signature, photos. */
export async function pickup(jobId, profile, done) {
  watchPosition();
  const stop = await findStop(jobId);
  if (!stop) return notFound();
  const code = matchOne(stop);
  const docs = checklist(stop);
  const seal = sealField();
  const fee = feeField(stop.fee_to_collect_vnd);
  const photos = photoEntry();
  const pad = await signaturePad("signature", t("The citizen signs here"));
  const submit = submitRow(t("Save the pickup"), async () => {
    const ticks = docs.ticks();
    const problems = [];
    if (!code.matched()) problems.push(["code", t("Scan or type the dossier's code.")]);
    if (ticks.some((tick) => !tick.form)) problems.push(["docs", t("Tick each document as original or copy.")]);
    if (!seal.value()) problems.push(["seal", t("Write the seal number of the packet.")]);
    if (fee.value() === null) problems.push(["fee", t("Write the fee collected (0 if none).")]);
    if (!photos.blobs.length) problems.push(["photos", t("Take at least one photo of the sealed packet.")]);
    if (pad.isEmpty()) problems.push(["signature", t("The citizen must sign.")]);
    if (report(problems)) return;
    code.stop();
    const body = {
      idempotency_key: newKey(),
      giver: { kind: "citizen" },
      receiver: { kind: "courier", id: profile.id },
      tracking_codes: [stop.tracking_code],
      ...(await captured(stop)),
      fees_collected_vnd: fee.value(),
      seal_number: seal.value(),
      documents: { [stop.tracking_code]: ticks },
    };
    const files = [{ role: "signature", blob: await pad.blob(), name: "signature.png" }];
    photos.blobs.forEach((blob, i) => files.push({ role: "photos", blob, name: `photo-${i + 1}.jpg` }));
    await record({ kind: "handover", body, files, codes: [stop.tracking_code], jobIds: [stop.job_id], who: stop.contact_name }, { [stop.job_id]: { status: "done" } }, done);
  });
  show(h("h1", {}, t("Collect the dossier")), h("p", {}, `${stop.contact_name} · ${stop.tracking_code}`), form([code.element, docs.element, seal.element, fee.element, photos.element, pad.element], submit));
}

/** Hand a result to the citizen: code, fee if any, the citizen's signature. */
export async function deliver(jobId, profile, done) {
  watchPosition();
  const stop = await findStop(jobId);
  if (!stop) return notFound();
  const code = matchOne(stop);
  const fee = feeField(stop.fee_to_collect_vnd || 0);
  const pad = await signaturePad("signature", t("The citizen signs here"));
  const submit = submitRow(t("Save the delivery"), async () => {
    const problems = [];
    if (!code.matched()) problems.push(["code", t("Scan or type the dossier's code.")]);
    if (fee.value() === null) problems.push(["fee", t("Write the fee collected (0 if none).")]);
    if (pad.isEmpty()) problems.push(["signature", t("The citizen must sign.")]);
    if (report(problems)) return;
    code.stop();
    const body = {
      idempotency_key: newKey(),
      giver: { kind: "courier", id: profile.id },
      receiver: { kind: "citizen" },
      tracking_codes: [stop.tracking_code],
      ...(await captured(stop)),
      fees_collected_vnd: fee.value(),
    };
    const files = [{ role: "signature", blob: await pad.blob(), name: "signature.png" }];
    await record({ kind: "handover", body, files, codes: [stop.tracking_code], jobIds: [stop.job_id], who: stop.contact_name }, { [stop.job_id]: { status: "done" } }, done);
  });
  show(h("h1", {}, t("Deliver the result")), h("p", {}, `${stop.contact_name} · ${stop.tracking_code}`), form([code.element, fee.element, pad.element], submit));
}

function report(problems) {
  for (const id of ["code", "docs", "seal", "fee", "photos", "signature", "reason", "note"]) {
    if (id === "docs") document.getElementById("docs-error")?.setAttribute("hidden", "");
    else fieldError(id, null);
  }
  const box = document.getElementById("form-error");
  if (!problems.length) {
    box.hidden = true;
    return false;
  }
  for (const [id, message] of problems) {
    if (id === "docs") showError("docs-error", message);
    else fieldError(id, message);
  }
  showError("form-error", problems.map(([, message]) => message).join(" "));
  document.getElementById(problems[0][0] === "docs" ? "docs-error" : problems[0][0])?.focus?.();
  return true;
}

/** The stops of today still to do at a counter, for one of its forms (hand in, collect results,
 * leave at the post office for the night, collect from it). */
async function pendingAt(siteId, direction) {
  const stored = await store.getRoute(today());
  const marks = await currentMarks(stored);
  return (stored?.stops || []).filter(
    (s) => s.site_id === Number(siteId) && actionOf(s).form === direction && stateOf(s, marks).status === "pending",
  );
}

/** Who gives, who receives and who signs at a counter, by form: at a center both sides sign; at
 * the post office only the receiver does (the clerk for the night, the courier the next morning). */
const COUNTERS = {
  center: { place: "center", inward: true, signers: () => [t("The clerk signs here"), t("You sign here")] },
  collect: { place: "center", inward: false, signers: () => [t("You sign here"), t("The clerk signs here")] },
  leave: { place: "post_office", inward: true, signers: () => [t("The post office clerk signs here")] },
  take: { place: "post_office", inward: false, signers: () => [t("You sign here")] },
};

/** The codes expected at a counter, each scanned or typed once; strangers refused on the spot. */
function codesAt(stops) {
  const expected = new Map(stops.map((s) => [s.tracking_code, s]));
  const scanned = new Set();
  const list = h("ul", { class: "codes" });
  const counter = h("p", { class: "counts", "aria-live": "polite" });
  const render = () => {
    counter.textContent = t("%(n)s of %(total)s scanned", { n: scanned.size, total: expected.size });
    list.replaceChildren(...[...expected.keys()].map((c) => h("li", { class: scanned.has(c) ? "ok" : "" }, scanned.has(c) ? `✓ ${c}` : c)));
  };
  const entry = codeEntry({
    label: t("Scan each dossier"),
    accept: (code) => {
      if (!expected.has(code)) return t("%(code)s is not expected here: keep it apart and call your dispatcher.", { code });
      if (scanned.has(code)) return t("%(code)s is already scanned.", { code });
      scanned.add(code);
      render();
      return null;
    },
  });
  render();
  return { elements: [entry.element, counter, list], stop: entry.stop, codes: () => [...scanned], stopOf: (c) => expected.get(c) };
}

/** At a counter (a center, the courier's post office): every dossier brought or collected there in
 * one handover, signed as the counter asks. */
export async function atCounter(siteId, profile, done, direction) {
  watchPosition();
  const stops = await pendingAt(siteId, direction);
  if (!stops.length) return notFound();
  const how = COUNTERS[direction];
  const codes = codesAt(stops);
  const seal = sealField();
  const [first, second] = how.signers();
  const pads = [await signaturePad("signature", first), ...(second ? [await signaturePad("counter_signature", second)] : [])];
  const site = stops[0];
  const submit = submitRow(t("Save the handover"), async () => {
    const problems = [];
    if (!codes.codes().length) problems.push(["code", t("Scan at least one dossier.")]);
    if (!seal.value()) problems.push(["seal", t("Write the seal number of the packet.")]);
    const unsigned = second ? t("Both sides must sign.") : how.inward ? t("The post office clerk must sign.") : t("You must sign.");
    pads.forEach((pad, i) => pad.isEmpty() && problems.push([i ? "counter_signature" : "signature", unsigned]));
    if (report(problems)) return;
    codes.stop();
    const me = { kind: "courier", id: profile.id };
    const counter = { kind: how.place, id: Number(siteId) };
    const scanned = codes.codes();
    const body = {
      idempotency_key: newKey(),
      giver: how.inward ? me : counter,
      receiver: how.inward ? counter : me,
      tracking_codes: scanned,
      ...(await captured(site)),
      site_id: Number(siteId),
      seal_number: seal.value(),
    };
    const names = ["signature.png", "counter-signature.png"];
    const files = await Promise.all(pads.map(async (pad, i) => ({ role: i ? "counter_signature" : "signature", blob: await pad.blob(), name: names[i] })));
    const jobIds = scanned.map((c) => codes.stopOf(c).job_id);
    await record({ kind: "handover", body, files, codes: scanned, jobIds, who: site.site_name }, Object.fromEntries(jobIds.map((id) => [id, { status: "done" }])), done);
  });
  // at the courier's own post office there is nobody to miss: no "could not do it" there
  const couldNot = how.place === "center" ? h("p", {}, h("a", { class: "danger button", href: `#/failcenter/${siteId}/${direction}` }, t("Could not do it"))) : "";
  show(h("h1", {}, actionOf(site).label), h("p", {}, site.site_name || ""), officeNote(direction), form([...codes.elements, seal.element, ...pads.map((pad) => pad.element)], submit), couldNot);
}

/** What happens to the packet at the post office, said before the form. */
function officeNote(direction) {
  if (direction === "leave") return h("p", { class: "notice" }, t("Hand the sealed packet to the post office clerk for the night: it goes on to the center on a later route."));
  if (direction === "take") return h("p", { class: "notice" }, t("The packet left here overnight: check its seal, then take it on to the center."));
  return "";
}

/** A stop that could not be done: why, from a list (and a note for "other"). */
export async function fail(jobId, done) {
  const stop = await findStop(jobId);
  if (!stop) return notFound();
  return failStops([stop], done);
}

/** A center's stops that could not be done (the counter closed): one reason for all of them. */
export async function failAtCenter(siteId, direction, done) {
  const stops = await pendingAt(siteId, direction);
  if (!stops.length) return notFound();
  return failStops(stops, done);
}

async function failStops(stops, done) {
  watchPosition();
  const stop = stops[0];
  const reasons = stop.site_id ? [...REASONS.filter((r) => r !== "not_home"), "site_closed"] : REASONS;
  const choices = h(
    "fieldset",
    { id: "reason" },
    h("legend", {}, t("Why could it not be done?")),
    reasons.map((r) => h("label", { class: "choice" }, h("input", { type: "radio", name: "reason", value: r }), REASON_LABEL[r]())),
    h("p", { class: "error", id: "reason-error", hidden: true }),
  );
  const note = h("textarea", { rows: 3, maxlength: 1000 });
  const opens = Math.max(...stops.map((s) => Date.parse(s.window_start)));
  const tooEarly = t("The stop's window opens at %(time)s: an attempt before it does not count. Come back then.", { time: clock(opens) });
  const early = Date.now() < opens ? h("p", { class: "notice", role: "alert" }, tooEarly) : "";
  const submit = submitRow(t("Save"), async () => {
    if (Date.now() < opens) return report([["reason", tooEarly]]);
    const reason = document.querySelector('input[name="reason"]:checked')?.value;
    const problems = [];
    if (!reason) problems.push(["reason", t("Choose a reason.")]);
    if (reason === "other" && !note.value.trim()) problems.push(["note", t("Write why.")]);
    if (report(problems)) return;
    const where = await captured(stop);
    const attempts = stops.map((each) => [
      {
        kind: "attempt",
        jobId: each.job_id,
        body: { idempotency_key: newKey(), reason, note: note.value.trim(), device_at: where.device_at, lat: where.lat, lon: where.lon, accuracy_m: where.accuracy_m },
        files: [],
        codes: [each.tracking_code],
        jobIds: [each.job_id],
        who: each.site_name || each.contact_name,
      },
      { [each.job_id]: { status: "failed" } },
    ]);
    const [first, ...more] = attempts;
    await record(first[0], first[1], done, more);
  });
  const codes = stops.map((s) => s.tracking_code).join(", ");
  show(h("h1", {}, t("Could not do it")), h("p", {}, `${stop.site_name || stop.contact_name} · ${codes} · ${actionOf(stop).label}`), early, form([choices, field("note", t("Note"), note)], submit));
}
