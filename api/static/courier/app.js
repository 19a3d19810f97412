// The courier app: boots from the phone's own data, routes between screens, and keeps sending
// the outbox while the network comes and goes.

import { config, lang, setLang, t, tn } from "./config.js";
import * as forms from "./forms.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { banner, h } from "./ui.js";
import * as views from "./views.js";

const SYNC_EVERY_MS = 20_000;

async function signedIn() {
  return Boolean(await store.getMeta("session")) && Boolean(await store.getMeta("profile"));
}

async function showSignedOut() {
  const out = await store.getMeta("signedOut");
  if (!out) return banner(null);
  banner(
    out.detail || t("This phone is signed out."),
    h("a", { class: "button primary", href: "#/login" }, t("Sign in again")),
  );
}

async function updateCount() {
  const actions = await store.outbox();
  const link = document.getElementById("outbox-count");
  const refused = actions.filter((a) => a.state === "refused").length;
  link.hidden = !actions.length;
  link.classList.toggle("refused", refused > 0);
  link.textContent = refused
    ? tn("%(n)s not sent, needs you", "%(n)s not sent, need you", actions.length)
    : tn("%(n)s not sent", "%(n)s not sent", actions.length);
}

async function render() {
  const [path, arg] = location.hash.replace(/^#\/?/, "").split("/");
  await showSignedOut();
  if (path === "login" || !(await signedIn())) {
    return views.login(() => {
      location.hash = "#/";
      render();
      keepReader();
    });
  }
  const profile = await store.getMeta("profile");
  const back = () => {
    location.hash = "#/";
  };
  const screens = {
    "": () => views.route(),
    stop: () => views.stop(arg),
    pickup: () => forms.pickup(arg, profile, back),
    deliver: () => forms.deliver(arg, profile, back),
    center: () => forms.atCenter(arg, profile, back, "center"),
    collect: () => forms.atCenter(arg, profile, back, "collect"),
    fail: () => forms.fail(arg, back),
    outbox: () => views.outbox(async () => { await updateCount(); await render(); }),
  };
  await (screens[path] || screens[""])();
  await updateCount();
}

async function syncNow({ now = false } = {}) {
  if (!(await signedIn())) return;
  const before = (await store.outbox()).length;
  const result = await (now ? sync.retryNow() : sync.flush());
  if (result.signedOut) await showSignedOut();
  if (result.sent && !result.waiting) {
    await sync.refreshRoute().catch(() => undefined);
  }
  await updateCount();
  const onRoute = ["", "#", "#/", "#/outbox"].includes(location.hash);
  if (onRoute && (await store.outbox()).length !== before) await render();
}

function showNetwork() {
  const bar = document.getElementById("bar-title");
  const title = t("Dossier courier");
  const offline = t("offline");
  bar.textContent = navigator.onLine ? title : `${title} · ${offline}`;
}

function translateShell() {
  document.documentElement.lang = lang();
  document.title = t("Dossier courier");
  showNetwork();
  const other = lang() === "vi" ? "en" : "vi";
  const button = document.getElementById("lang-switch");
  button.textContent = other === "en" ? "English" : "Tiếng Việt";
  button.lang = other;
}

/** Keep the barcode reader on the phone for the day, where the browser has none of its own. */
function keepReader() {
  if ("BarcodeDetector" in window) return;
  setTimeout(() => {
    import(config.vendor.barcode).catch(() => undefined);
    fetch(config.vendor.wasm).catch(() => undefined);
  }, 3000);
}

async function boot() {
  translateShell();
  document.getElementById("lang-switch").addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi");
    translateShell();
    render();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.worker, { scope: config.scope }).catch(() => undefined);
  }
  navigator.storage?.persist?.();
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => {
    showNetwork();
    syncNow({ now: true });
  });
  window.addEventListener("offline", showNetwork);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow({ now: true }));
  setInterval(() => syncNow(), SYNC_EVERY_MS);
  await render();
  if (await signedIn()) {
    sync.refreshRoute().then(() => location.hash.length <= 2 && render(), () => undefined);
    syncNow();
    keepReader();
  }
}

boot();
