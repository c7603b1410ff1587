// On every page: the service worker, the outbox replayed for whoever is logged in (not only on the
// visit's page), the count of unsent changes, each visit's state on "My visits", and a log-out that
// never silently drops unsent work on a shared phone.

import { meta } from "./dom.js";
import { allAudits, allPhotos, auditState, keepSession, pendingCount, replayOnce } from "./outbox.js";

const csrfToken = meta("csrf-token");
const currentUser = Number(meta("visitscore-user")) || null;
const REPLAY_EVERY_MS = 10000;
let running = null;
let again = false;

/**
 * Replay the outbox of the logged-in user now (once more if asked while a replay runs), then tell
 * the page ("outbox:replayed", detail: the outcome) and update the counts.
 */
export async function syncNow() {
  if (!currentUser) return null;
  if (running) { again = true; return running; }
  running = (async () => {
    let outcome;
    do {
      again = false;
      try {
        outcome = await replayOnce({ userId: currentUser, csrf: csrfToken });
      } catch {
        outcome = { state: "error", bodies: {}, problems: {} }; // no IndexedDB: nothing is kept here
      }
      window.dispatchEvent(new CustomEvent("outbox:replayed", { detail: outcome }));
      await showOutbox();
      // The session expired: the count leads to the login page, which brings the auditor back here.
      for (const link of document.querySelectorAll("a.outbox")) {
        link.href = outcome.state === "login" ? `/login?next=${encodeURIComponent(location.pathname)}` : "/";
        link.title = outcome.state === "login" ? "Log in again to send them" : "";
      }
    } while (again && outcome.state === "sent");
    return outcome;
  })();
  try { return await running; } finally { running = null; }
}

function describe(state) {
  if (state.refused) return { text: `Not submitted: ${state.refused.error || "refused by the server"}`, kind: "refused" };
  if (state.submitting) return { text: "Submitted, waiting for signal", kind: "waiting" };
  if (state.changes) return { text: `${state.changes} change${state.changes === 1 ? "" : "s"} waiting`, kind: "waiting" };
  return null;
}

/** The count on every page; on "My visits", each visit's state and the unsent work of others. */
async function showOutbox() {
  let records, photos;
  try { [records, photos] = await Promise.all([allAudits(), allPhotos()]); } catch { return; }
  let mine = 0;
  let others = 0;
  const waiting = [];
  for (const record of records) {
    const state = auditState(record, photos);
    if (record.user_id !== currentUser) { others += state.changes; continue; }
    mine += state.changes;
    const said = describe(state);
    if (said) waiting.push({ record, said });
  }
  const shown = currentUser ? mine : mine + others;
  for (const el of document.querySelectorAll("[data-outbox-count]")) {
    el.textContent = String(shown);
    el.closest(".outbox")?.toggleAttribute("hidden", shown === 0);
  }
  const list = document.getElementById("outbox-list");
  if (!list) return;
  for (const el of document.querySelectorAll("[data-visit-state]")) el.replaceChildren();
  const unlisted = [];
  for (const { record, said } of waiting) {
    const tag = document.createElement("span");
    tag.className = `tag outbox-${said.kind}`;
    tag.textContent = said.text;
    const slots = document.querySelectorAll(`[data-visit-state="${CSS.escape(record.audit_id)}"]`);
    for (const slot of slots) slot.append(tag.cloneNode(true));
    if (!slots.length) unlisted.push({ record, tag });
  }
  // Work kept on this phone for a visit not in the list above (an unscheduled visit, one reassigned).
  const rows = unlisted.map(({ record, tag }) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.className = "row-link";
    link.href = record.url || `/audits/${record.audit_id}/form`;
    const name = document.createElement("span");
    name.className = "row-main";
    name.textContent = record.label || "A visit";
    const sub = document.createElement("span");
    sub.className = "row-sub";
    sub.append(tag);
    link.append(name, sub);
    li.append(link);
    return li;
  });
  list.querySelector("ul").replaceChildren(...rows);
  list.hidden = rows.length === 0;
  const note = document.getElementById("others-outbox");
  note.hidden = others === 0;
  note.textContent = `${others} change${others === 1 ? "" : "s"} of another auditor ${others === 1 ? "is" : "are"} kept on this phone. ` +
    "They are sent when that auditor logs in here again; nothing is thrown away.";
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/", type: "module" });
    const ready = await navigator.serviceWorker.ready;
    // Keep the start page and the forms of the assigned visits for offline use.
    const list = document.getElementById("offline-visits");
    if (list) {
      const urls = ["/", ...list.dataset.forms.trim().split(/\s+/).filter(Boolean).map((id) => `/audits/${id}/form`)];
      ready.active?.postMessage({ type: "keep-pages", urls });
    }
  } catch {
    // Without a service worker (plain http on a LAN address) the app still works online.
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "outbox-replayed") showOutbox();
  });
}

function guardLogout() {
  const logout = document.querySelector("form.logout");
  if (!logout) return;
  logout.addEventListener("submit", async (event) => {
    event.preventDefault();
    let waiting = 0;
    try { waiting = await pendingCount(); } catch { /* no IndexedDB: nothing kept */ }
    if (waiting > 0 && !confirm(
      `${waiting} change(s) on this phone have not reached the server yet. They stay on this phone and are sent ` +
      "when their auditor logs in again. Log out anyway?")) return;
    try { await keepSession(null); } catch { /* nothing kept */ }
    navigator.serviceWorker?.controller?.postMessage({ type: "forget-pages" });
    logout.submit();
  });
}

async function start() {
  registerWorker();
  guardLogout();
  if (currentUser) {
    // The service worker replays with these when the network comes back and no page is open.
    try { await keepSession({ user_id: currentUser, csrf: csrfToken }); } catch { /* no IndexedDB */ }
    window.addEventListener("online", syncNow);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") syncNow(); });
    setInterval(async () => { if (await pendingCount(currentUser).catch(() => 0)) syncNow(); }, REPLAY_EVERY_MS);
    syncNow();
  } else {
    showOutbox();
  }
}

start();
