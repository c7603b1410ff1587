// The service worker (a module): keeps the app shell, and each user's start page and visit forms,
// so a visit can be opened and finished with no network. Saves never go through here: the outbox in
// IndexedDB sends them, from any page, or from here through Background Sync where the browser has it.
//
// Pages are kept per user and only ever shown to the user they were made for: every HTML response
// names its user (X-Visitscore-User, "none" when logged out); a log-out, an expired session or
// another user logging in deletes the other users' kept pages. Unsent work is not in these caches
// but in IndexedDB, where it stays until its auditor sends it.

import { getSession, replayOnce } from "/static/outbox.js";

const VERSION = "v5"; // a new version whenever a file below changes or is added, so phones fetch it
const SHELL = `visitscore-shell-${VERSION}`;
const PAGES = "visitscore-pages-"; // + the user id
const STATE = "visitscore-state";
const USER_KEY = "/__visitscore/user";
// Every module a kept page imports, directly or not: one missing here and the page breaks offline.
const SHELL_FILES = [
  "/static/style.css", "/static/app.js", "/static/outbox.js", "/static/form-errors.js", "/static/dom.js",
  "/static/visit.js", "/static/visit-document.js", "/static/visit-rules.js", "/static/visit-sections.js",
  "/static/visit-score.js", "/static/visit-photos.js", "/static/visit-status.js", "/static/local-time.js",
  "/static/timer.js", "/static/icon.svg", "/static/manifest.webmanifest",
  "/static/icon-192.png", "/static/icon-512.png", "/static/icon-maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      const old = name.startsWith("visitscore-shell-") && name !== SHELL;
      if (old || name === "visitscore-pages") await caches.delete(name); // v1 kept every user's pages together
    }
    await self.clients.claim();
  })());
});

function isPage(url) {
  return url.pathname === "/" || /^\/audits\/[0-9a-f-]{36}\/form$/.test(url.pathname);
}

async function lastUser() {
  const kept = await (await caches.open(STATE)).match(USER_KEY);
  return kept ? kept.text() : "";
}

/** Remember whose pages these are; forget every other user's pages. */
async function noteUser(header) {
  const user = header === "none" ? "" : header;
  if (user !== (await lastUser())) await (await caches.open(STATE)).put(USER_KEY, new Response(user));
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + user) await caches.delete(name);
  }
  return user;
}

async function keep(request, response) {
  const header = response.headers.get("X-Visitscore-User");
  if (header === null) return; // a redirect or not one of our pages: says nothing about the user
  const user = await noteUser(header);
  if (user && response.ok && !response.redirected && isPage(new URL(response.url || request.url))) {
    await (await caches.open(PAGES + user)).put(request, response.clone());
  }
}

function offlinePage() {
  return new Response(
    "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>" +
    "<title>Offline · Visitscore</title><link rel=stylesheet href=/static/style.css>" +
    "<script type=module src=/static/app.js></script>" +
    "<header class=top><a class=brand href=/>Visitscore</a><a class=outbox href=/ hidden><span data-outbox-count>0</span> unsent</a></header>" +
    "<main id=main><h1>You are offline</h1><p>This page was not kept on the phone. Your start page and the visits " +
    "assigned to you open offline once you have opened your start page online. Unsent work stays on this phone.</p>" +
    "<p><a class=button href=/>Start page</a></p></main>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
  );
}

async function navigate(request) {
  try {
    const response = await fetch(request);
    await keep(request, response);
    return response;
  } catch {
    const user = await lastUser();
    const kept = user && isPage(new URL(request.url)) ? await (await caches.open(PAGES + user)).match(request) : undefined;
    return kept || offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "keep-pages") {
    // The start page names the forms of the auditor's assigned visits; keep each one (and itself).
    event.waitUntil((async () => {
      for (const path of event.data.urls) {
        try {
          const response = await fetch(path, { credentials: "same-origin" });
          await keep(new Request(new URL(path, self.location.origin)), response);
        } catch { /* offline: try again on the next visit to the start page */ }
      }
      event.source?.postMessage({ type: "pages-kept", count: event.data.urls.length });
    })());
  } else if (event.data?.type === "forget-pages") {
    event.waitUntil(noteUser("none"));
  }
});

// Background Sync: the network is back and maybe no page is open.
self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil((async () => {
    const session = await getSession();
    if (!session?.user_id) return;
    const outcome = await replayOnce({ userId: session.user_id, csrf: session.csrf });
    for (const client of await self.clients.matchAll()) client.postMessage({ type: "outbox-replayed" });
    if (outcome.state === "offline" || outcome.state === "error") throw new Error("try again later");
  })());
});
