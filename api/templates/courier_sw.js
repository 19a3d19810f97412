// The courier app's service worker (served at /courier/sw.js after VERSION and SHELL).
// The shell and its files are kept at install, so the app opens without a network; the API is
// never cached here (the app keeps the day's route and its outbox in IndexedDB itself).
/* global VERSION, SHELL */

const CACHE = `courier-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("courier-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/courier/")) {
    event.respondWith(shell(request));
  } else if (["/courier/app/", "/static/", "/vendor/"].some((p) => url.pathname.startsWith(p))) {
    event.respondWith(kept(request));
  }
});

// The shell from the cache, so it opens at once on a weak signal: a new shell comes with a new
// version of this worker (the version covers the shell's template, texts and files).
async function shell(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match("/courier/");
  return cached || fetch(request);
}

// Versioned files never change: from the cache, else fetched once and kept (the barcode reader).
async function kept(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}
