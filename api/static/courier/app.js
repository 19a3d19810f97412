// The courier app: boots from the phone's own data, routes between screens, and keeps sending
// the outbox while the network comes and goes.

import { config, lang, setLang, t, tn } from "./config.js";
import * as forms from "./forms.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { banner, clean, h, isDirty, leave, touched } from "./ui.js";
import * as views from "./views.js";

const SYNC_EVERY_MS = 20_000;

async function signedIn() {
  return Boolean(await store.getMeta("session")) && Boolean(await store.getMeta("profile"));
}

async function showBanner() {
  const out = await store.getMeta("signedOut");
  if (out) {
    return banner(
      out.detail || t("This phone is signed out."),
      h("a", { class: "button primary", href: "#/login" }, t("Sign in again")),
    );
  }
  if (sync.clockTooFast()) {
    const minutes = Math.round(sync.clockAhead / 60_000);
    return banner(tn("The phone's clock is %(n)s minute fast: set it right, or the service will refuse what you record.", "The phone's clock is %(n)s minutes fast: set it right, or the service will refuse what you record.", minutes));
  }
  banner(null);
}

async function updateCount() {
  const me = (await store.getMeta("profile"))?.code;
  const actions = (await store.outbox()).filter((a) => a.owner === me);
  const link = document.getElementById("outbox-count");
  const refused = actions.filter((a) => a.state === "refused").length;
  link.hidden = !actions.length;
  link.classList.toggle("refused", refused > 0);
  link.textContent = refused
    ? tn("%(n)s not sent, needs you", "%(n)s not sent, need you", actions.length)
    : tn("%(n)s not sent", "%(n)s not sent", actions.length);
}

function screen() {
  const [path, arg, extra] = location.hash.replace(/^#\/?/, "").split("/");
  return { path: path || "", arg, extra };
}

async function render({ again = false } = {}) {
  const { path, arg, extra } = screen();
  if (!again) leave();
  await showBanner();
  if (path === "login" || !(await signedIn())) {
    return views.login(() => {
      clean();
      location.hash = "#/";
      keepReader();
    });
  }
  const profile = await store.getMeta("profile");
  const back = () => {
    location.hash = "#/";
  };
  const screens = {
    "": () => views.route({ again }),
    stop: () => views.stop(arg),
    pickup: () => forms.pickup(arg, profile, back),
    deliver: () => forms.deliver(arg, profile, back),
    center: () => forms.atCounter(arg, profile, back, "center"),
    collect: () => forms.atCounter(arg, profile, back, "collect"),
    leave: () => forms.atCounter(arg, profile, back, "leave"),
    take: () => forms.atCounter(arg, profile, back, "take"),
    fail: () => forms.fail(arg, back),
    failcenter: () => forms.failAtCenter(arg, extra, back),
    outbox: () => views.outbox(async () => render({ again: true })),
  };
  await (screens[path] || screens[""])();
  await updateCount();
}

/** After a send: the counter, the banner, and the route or outbox redrawn in place. */
async function afterSending(result) {
  if (result?.sent && !result.waiting) await sync.refreshRoute().catch(() => undefined);
  await updateCount();
  await showBanner();
  const { path } = screen();
  if (path === "" || path === "outbox" || result?.signedOut) await render({ again: !result?.signedOut });
}

async function syncNow({ now = false } = {}) {
  if (!(await signedIn())) return;
  const result = await (now ? sync.retryNow() : sync.flush());
  await afterSending(result);
}

function showNetwork() {
  document.getElementById("offline").hidden = navigator.onLine;
}

function translateShell() {
  document.documentElement.lang = lang();
  document.title = t("Dossier courier");
  document.getElementById("bar-title").textContent = t("Dossier courier");
  document.getElementById("offline").textContent = t("offline");
  const other = lang() === "vi" ? "en" : "vi";
  const button = document.getElementById("lang-switch");
  button.textContent = other === "en" ? "EN" : "VI";
  button.lang = other;
  button.setAttribute("aria-label", other === "en" ? "EN, English" : "VI, Tiếng Việt");
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
  showNetwork();
  document.getElementById("lang-switch").addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi");
    translateShell();
    // a form half filled in is not redrawn (it would lose what was entered): it changes on leaving
    if (["", "stop", "outbox", "login"].includes(screen().path)) render({ again: true });
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.worker, { scope: config.scope }).catch(() => undefined);
  }
  navigator.storage?.persist?.();
  let here = location.hash;
  let restoring = false;
  document.getElementById("view").addEventListener("input", touched);
  window.addEventListener("hashchange", () => {
    if (restoring) {
      restoring = false;
      return;
    }
    if (isDirty() && !window.confirm(t("Leave this form? What you entered is not kept."))) {
      restoring = true;
      location.hash = here;
      return;
    }
    here = location.hash;
    render();
  });
  window.addEventListener("online", () => {
    showNetwork();
    syncNow({ now: true });
  });
  window.addEventListener("offline", showNetwork);
  window.addEventListener("courier:outbox", (event) => afterSending(event.detail));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow({ now: true }));
  setInterval(() => syncNow(), SYNC_EVERY_MS);
  await render();
  if (await signedIn()) {
    sync.refreshRoute().then(() => screen().path === "" && render({ again: true }), () => undefined);
    syncNow();
    keepReader();
  }
}

boot();
