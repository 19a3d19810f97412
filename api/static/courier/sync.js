// Talking to the service: the device session (a short access token renewed from a refresh token
// bound to this phone), the day's route, and the outbox sent in order with retries and backoff.

import { config, lang, today } from "./config.js";
import * as store from "./store.js";

const RENEW_BEFORE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const TIMEOUT_MS = 30_000; // a small request; an upload waits as long as it makes progress
const STALLED_MS = 30_000; // an upload with no byte moving for this long is given up and retried
const SKEW_WARNING_MS = 4 * 60_000;

/** The server refused this phone's session (signed out by a dispatcher, or expired). */
export class SignedOut extends Error {
  constructor(detail, code) {
    super(detail);
    this.name = "SignedOut";
    this.code = code;
  }
}

/** The server answered with an error the courier must read (status, detail). */
export class Refused extends Error {
  constructor(status, detail, code) {
    super(detail);
    this.name = "Refused";
    this.status = status;
    this.code = code;
  }
}

/** How far the phone's clock is ahead of the server's (ms, negative when behind), last measured. */
export let clockAhead = 0;

function measureClock(dateHeader) {
  const server = Date.parse(dateHeader || "");
  if (!Number.isNaN(server)) clockAhead = Date.now() - server;
}

/** True when the phone's clock is so far ahead that the server would refuse its records. */
export function clockTooFast() {
  return clockAhead > SKEW_WARNING_MS;
}

function headers(extra) {
  return { "Accept-Language": lang(), ...extra };
}

async function call(path, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(config.api + path, {
      ...options,
      headers: headers(options.headers),
      signal: controller.signal,
    });
    measureClock(response.headers.get("Date"));
    return response;
  } finally {
    clearTimeout(timer);
  }
}

// An upload over XMLHttpRequest: it may take minutes on a weak signal, and is abandoned only when
// no byte has moved for STALLED_MS (fetch cannot tell a slow upload from a dead one).
function upload(path, options) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let timer;
    const stalled = () => {
      clearTimeout(timer);
      timer = setTimeout(() => xhr.abort(), STALLED_MS);
    };
    xhr.open(options.method, config.api + path);
    for (const [name, value] of Object.entries(headers(options.headers))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = stalled;
    xhr.onprogress = stalled;
    xhr.onload = () => {
      clearTimeout(timer);
      measureClock(xhr.getResponseHeader("Date"));
      resolve({
        ok: xhr.status >= 200 && xhr.status < 300,
        status: xhr.status,
        json: async () => JSON.parse(xhr.responseText),
      });
    };
    xhr.onerror = () => {
      clearTimeout(timer);
      reject(new Error("network error"));
    };
    xhr.onabort = () => reject(new Error("the upload stalled"));
    stalled();
    xhr.send(options.body);
  });
}

async function problem(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says enough
  }
  let detail = body.detail;
  if (Array.isArray(detail)) detail = detail.map((e) => e.msg).join(" ");
  return { detail: detail || `HTTP ${response.status}`, code: body.code };
}

function keep(answer) {
  return store.setMeta("session", {
    access: answer.access_token,
    accessUntil: Date.now() + answer.expires_in * 1000,
    refresh: answer.refresh_token,
    deviceId: answer.device_id,
  });
}

/** Sign in with the courier's password; the phone gets its own device session. */
export async function login(username, password) {
  const form = new URLSearchParams({ username, password, device_name: deviceName() });
  const response = await call("/auth/device", { method: "POST", body: form });
  if (!response.ok) {
    const { detail, code } = await problem(response);
    throw new Refused(response.status, detail, code);
  }
  await keep(await response.json());
  await store.setMeta("signedOut", undefined);
  await refreshProfile();
}

function deviceName() {
  const brand = navigator.userAgentData?.platform || navigator.platform || "";
  return `${brand} ${navigator.userAgent.match(/(Chrome|Firefox|Safari)\/[\d.]+/)?.[0] || ""}`
    .trim()
    .slice(0, 100);
}

/** One tab at a time renews the session and sends the outbox (the app may be open twice). */
function exclusively(name, work) {
  if (navigator.locks) return navigator.locks.request(`courier-${name}`, work);
  return work();
}

let renewing;

async function renew() {
  // the session is read inside the lock: another tab may have renewed it meanwhile
  const session = await store.getMeta("session");
  if (session.accessUntil - Date.now() >= RENEW_BEFORE_MS && session.renewedAt > Date.now() - 5000) return;
  const response = await call("/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: session.refresh }),
  });
  if (response.status === 401) {
    const { detail, code } = await problem(response);
    await signedOutBy(detail, code);
    throw new SignedOut(detail, code);
  }
  if (!response.ok) throw new Error(`refresh: HTTP ${response.status}`);
  await keep(await response.json());
  await store.setMeta("session", { ...(await store.getMeta("session")), renewedAt: Date.now() });
}

/** The server signed this phone out: forget the day's personal data, keep the outbox. */
async function signedOutBy(detail, code) {
  await store.clearAll({ keep: ["lastUser"] });
  await store.setMeta("signedOut", { detail, code, at: Date.now() });
}

/** A valid access token, renewed from the refresh token when it is about to expire. */
async function accessToken({ force = false } = {}) {
  const signedOut = await store.getMeta("signedOut");
  if (signedOut) throw new SignedOut(signedOut.detail, signedOut.code);
  const session = await store.getMeta("session");
  if (!session) throw new SignedOut("", "signed_out");
  if (force || session.accessUntil - Date.now() < RENEW_BEFORE_MS) {
    renewing ??= exclusively("renew", renew).finally(() => {
      renewing = undefined;
    });
    await renewing;
    return (await store.getMeta("session")).access;
  }
  return session.access;
}

/** An API call as the signed-in courier; a refused token is renewed once. */
export async function authorized(path, options = {}, transport = call) {
  for (const force of [false, true]) {
    const token = await accessToken({ force });
    const response = await transport(path, { ...options, headers: { ...options.headers, Authorization: `Bearer ${token}` } });
    if (response.status !== 401) return response;
    const { detail, code } = await problem(response);
    if (code === "device_revoked" || code === "device_expired") {
      await signedOutBy(detail, code);
      throw new SignedOut(detail, code);
    }
  }
  throw new SignedOut("", "signed_out");
}

async function fetchJson(path) {
  const response = await authorized(path);
  if (!response.ok) {
    const { detail, code } = await problem(response);
    throw new Refused(response.status, detail, code);
  }
  return response.json();
}

/** The courier's own profile (their courier id is a party to every handover). */
export async function refreshProfile() {
  const profile = await fetchJson("/couriers/me");
  await store.setMeta("profile", profile);
  await store.setMeta("lastUser", { code: profile.code, name: profile.full_name });
  return profile;
}

/** Today's route from the server, kept on the phone with every stop's details. */
export async function refreshRoute(date = today()) {
  const stops = await fetchJson(`/couriers/me/route?date=${date}`);
  const route = { stops, fetchedAt: Date.now() };
  await store.putRoute(date, route);
  return route;
}

function backoff(tries) {
  const base = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(tries, 10));
  return base / 2 + Math.random() * (base / 2);
}

function request(action) {
  if (action.kind === "attempt") {
    return {
      path: `/jobs/${action.jobId}/attempts`,
      options: {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(action.body),
      },
    };
  }
  const form = new FormData();
  form.append("handover", JSON.stringify(action.body));
  for (const file of action.files) form.append(file.role, file.blob, file.name);
  return { path: "/handovers", options: { method: "POST", body: form } };
}

let flushing;

/** Send what is waiting, oldest first; stops at the first action the network could not carry. */
export function flush() {
  flushing ??= exclusively("send", sendAll).finally(() => {
    flushing = undefined;
  });
  return flushing;
}

async function sendAll() {
  const result = { sent: 0, refused: 0, waiting: 0, others: 0, signedOut: null };
  const me = (await store.getMeta("profile"))?.code;
  for (const action of await store.outbox()) {
    if (action.owner !== me) {
      result.others += 1; // recorded by another courier on this phone: sent when they sign in
      continue;
    }
    if (action.state === "refused") {
      result.refused += 1;
      continue;
    }
    if (result.waiting || action.nextAt > Date.now()) {
      result.waiting += 1;
      continue;
    }
    const outcome = await send(action);
    if (outcome === "signed-out") {
      result.signedOut = await store.getMeta("signedOut");
      result.waiting += 1;
    } else result[outcome] += 1;
  }
  return result;
}

async function send(action) {
  const { path, options } = request(action);
  let response;
  try {
    response = await authorized(path, options, action.kind === "handover" ? upload : call);
  } catch (error) {
    if (error instanceof SignedOut) return "signed-out";
    return retryLater(action, String(error.message || error));
  }
  if (response.ok) {
    await store.removeAction(action.id);
    return "sent";
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    return retryLater(action, `HTTP ${response.status}`);
  }
  const { detail, code } = await problem(response);
  await store.updateAction({ ...action, state: "refused", error: { status: response.status, detail, code } });
  return "refused";
}

async function retryLater(action, why) {
  const tries = action.tries + 1;
  await store.updateAction({ ...action, tries, nextAt: Date.now() + backoff(tries), lastError: why });
  return "waiting";
}

/** Sign this phone out: the server forgets its session; what is not yet sent stays on the phone. */
export async function signOut() {
  const session = await store.getMeta("session");
  if (session?.deviceId) {
    await authorized(`/devices/${session.deviceId}/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "signed out on the phone" }),
    }).catch(() => undefined);
  }
  await store.clearAll({ keep: ["lastUser"] });
}

/** Send an action again now (the courier tapped "retry", or the network came back); a refused
 * one too when `refused` (the dispatcher has put right what the server refused). */
export async function retryNow({ refused = null } = {}) {
  for (const action of await store.outbox()) {
    if (action.id === refused) {
      await store.updateAction({ ...action, state: "queued", nextAt: 0, error: undefined });
    } else if (action.state === "queued" && action.nextAt > Date.now()) {
      await store.updateAction({ ...action, nextAt: 0 });
    }
  }
  return flush();
}
