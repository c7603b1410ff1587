// The service worker: keeps the app shell and the visit forms of the auditor's assigned visits, so
// a visit can be opened and finished with no network. Saves never go through here: the outbox in
// IndexedDB sends them when the network is back.

const VERSION = "v1";
const SHELL = `visitscore-shell-${VERSION}`;
const PAGES = "visitscore-pages";
const SHELL_FILES = [
  "/static/style.css", "/static/app.js", "/static/visit.js", "/static/outbox.js",
  "/static/photos.js", "/static/timer.js", "/static/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("visitscore-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(url) {
  return url.pathname === "/" || /^\/audits\/[0-9a-f-]{36}\/form$/.test(url.pathname);
}

async function networkFirst(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch {
    const kept = await cache.match(request, { ignoreSearch: false });
    if (kept) return kept;
    return new Response(
      "<!doctype html><html lang=en><meta name=viewport content='width=device-width'><title>Offline</title>" +
      "<link rel=stylesheet href=/static/style.css><main><h1>You are offline</h1><p>This page was not kept on the phone. " +
      "Visits assigned to you can be opened offline once you have opened your home page online.</p></main>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
    );
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(networkFirst(request));
  }
});

// The home page names the forms of the auditor's assigned visits; keep each one.
self.addEventListener("message", (event) => {
  if (event.data?.type === "keep-forms") {
    event.waitUntil((async () => {
      const cache = await caches.open(PAGES);
      for (const path of event.data.urls) {
        try {
          const response = await fetch(path, { credentials: "same-origin" });
          if (response.ok && !response.redirected) await cache.put(path, response);
        } catch { /* offline: try again on the next visit to the home page */ }
      }
      event.source?.postMessage({ type: "forms-kept", count: event.data.urls.length });
    })());
  } else if (event.data?.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
  }
});
