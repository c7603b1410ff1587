// The outbox: every audit document and photo is kept in IndexedDB until the server has it.
// A save carries the whole document and its revision, so replaying it any number of times is safe.
// Pages and the service worker both replay it; a Web Lock keeps two replays from running at once.

const DB_NAME = "visitscore";
let dbPromise = null;

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 2);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        db.createObjectStore("audits", { keyPath: "audit_id" });
        db.createObjectStore("photos", { keyPath: "photo_id" }).createIndex("audit_id", "audit_id");
      }
      // Who is logged in and their CSRF token, so the service worker can replay in the background.
      if (event.oldVersion < 2) db.createObjectStore("meta");
    };
    request.onsuccess = () => {
      // A newer version of the app wants to upgrade the database: let it (the next call reopens).
      request.result.onversionchange = () => { request.result.close(); dbPromise = null; };
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

async function tx(store, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    const result = fn(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(result && "result" in result ? result.result : result);
    transaction.onerror = () => reject(transaction.error);
  });
}

export const getAudit = (auditId) => tx("audits", "readonly", (s) => s.get(auditId));

/** Change a kept audit in one transaction, so a page and a replay never undo each other's writes. */
export async function updateAudit(auditId, change) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction("audits", "readwrite");
    const store = transaction.objectStore("audits");
    let result;
    const read = store.get(auditId);
    read.onsuccess = () => {
      if (!read.result) return;
      result = read.result;
      change(result);
      store.put(result);
    };
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
  });
}
export const putAudit = (record) => tx("audits", "readwrite", (s) => s.put(record));
export const putPhoto = (photo) => tx("photos", "readwrite", (s) => s.put(photo));
export const deletePhoto = (photoId) => tx("photos", "readwrite", (s) => s.delete(photoId));
export const allAudits = () => tx("audits", "readonly", (s) => s.getAll());
export const allPhotos = () => tx("photos", "readonly", (s) => s.getAll());
export const getPhoto = (photoId) => tx("photos", "readonly", (s) => s.get(photoId));
export const keepSession = (session) => tx("meta", "readwrite", (s) => s.put(session, "session"));
export const getSession = () => tx("meta", "readonly", (s) => s.get("session"));

function isPending(record) {
  return record.revision > record.acked_revision || record.submit_pending;
}

/** What one audit still waits for: {changes, submitting, refused} (refused: the server's answer). */
export function auditState(record, photos) {
  const unsent = photos.filter((p) => p.audit_id === record.audit_id && !p.sent).length;
  return {
    changes: Math.max(0, record.revision - record.acked_revision) + unsent + (record.submit_pending ? 1 : 0),
    submitting: Boolean(record.submit_pending),
    refused: record.refused || record.rejected || null,
  };
}

/** How many changes wait to be sent, per user (all users when userId is null). */
export async function pendingCount(userId = null) {
  const mine = (r) => userId === null || r.user_id === userId;
  const photos = await allPhotos();
  return (await allAudits()).filter(mine).reduce((n, r) => n + auditState(r, photos).changes, 0);
}

/** Ask the browser to replay from the service worker when the network is back (Chromium has it). */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register("outbox");
  } catch { /* no Background Sync: the pages replay when they open or come online */ }
}

/** A UUID, also where crypto.randomUUID is missing (plain http on a LAN address). */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Every cookie-authenticated API write carries the session's CSRF token (X-CSRFToken): the page
// passes it from its meta tag, the service worker from the session kept in IndexedDB.
function headers(csrf, extra = {}) {
  return { "X-CSRFToken": csrf, Accept: "application/json", ...extra };
}

/** Run replay() alone: across tabs and the service worker (Web Locks), else directly. */
export function replayOnce(args) {
  const locks = (typeof navigator !== "undefined" && navigator.locks) || null;
  return locks ? locks.request("visitscore-outbox", () => replay(args)) : replay(args);
}

/**
 * Send what waits for userId: each audit's newest document, then its photos, then a pending submit.
 * Returns {state, bodies: {id: lastServerBody}, problems: {id: refusal}} where state is "sent",
 * "offline", "login" (the session expired: everything stays queued) or "error". A refusal is kept
 * on the record (rejected: a save, refused: a submit) until the auditor changes or submits again.
 */
export async function replay({ userId, csrf, apiBase = "/api/v1/audits" }) {
  const outcome = { state: "sent", bodies: {}, problems: {} };
  const records = (await allAudits()).filter((r) => r.user_id === userId);
  for (const record of records) {
    const photos = (await allPhotos()).filter((p) => p.audit_id === record.audit_id && !p.sent);
    if (!isPending(record) && photos.length === 0) continue;
    const url = `${apiBase}/${record.audit_id}`;
    try {
      if (record.revision > record.acked_revision && !record.rejected) { // a refused save waits for a change
        const sentRevision = record.doc.revision;
        const response = await fetch(url, {
          method: "PUT", credentials: "same-origin",
          headers: headers(csrf, { "Content-Type": "application/json" }), body: JSON.stringify(record.doc),
        });
        if (response.status === 401) return { ...outcome, state: "login" };
        const body = await response.json().catch(() => ({}));
        if (!response.ok && ![409, 422, 404, 403].includes(response.status)) return { ...outcome, state: "error" };
        const fresh = await updateAudit(record.audit_id, (kept) => {
          if (response.ok || response.status === 409) {
            kept.acked_revision = Math.max(kept.acked_revision, sentRevision);
            if (response.status === 409) { kept.locked = true; kept.submit_pending = false; }
          } else if (kept.revision === sentRevision) {
            kept.rejected = body;
          }
        });
        if (response.ok) outcome.bodies[record.audit_id] = body;
        else if (response.status !== 409) outcome.problems[record.audit_id] = body;
        Object.assign(record, fresh);
      }
      for (const photo of photos) {
        if (!(await getPhoto(photo.photo_id))) continue; // removed by the auditor meanwhile
        const response = await fetch(`${url}/photos/${photo.photo_id}`, {
          method: "PUT", credentials: "same-origin",
          headers: headers(csrf, { "Content-Type": photo.blob.type || "image/jpeg" }), body: photo.blob,
        });
        if (response.status === 401) return { ...outcome, state: "login" };
        if (response.ok || response.status === 422 || response.status === 409) {
          photo.sent = true;
          if (!response.ok) photo.error = (await response.json().catch(() => ({}))).error || "refused";
          if (await getPhoto(photo.photo_id)) await putPhoto(photo);
        } else {
          return { ...outcome, state: "error" };
        }
      }
      if (record.submit_pending && !record.locked && !record.rejected) {
        const response = await fetch(`${url}/submit`, { method: "POST", credentials: "same-origin", headers: headers(csrf) });
        if (response.status === 401) return { ...outcome, state: "login" };
        const body = await response.json().catch(() => ({}));
        if (!response.ok && ![409, 422, 403].includes(response.status)) return { ...outcome, state: "error" };
        await updateAudit(record.audit_id, (kept) => {
          kept.submit_pending = false;
          if (response.ok) { kept.locked = true; delete kept.refused; } else kept.refused = { ...body, revision: kept.revision };
        });
        if (response.ok) outcome.bodies[record.audit_id] = body;
        else outcome.problems[record.audit_id] = body;
      }
    } catch {
      return { ...outcome, state: "offline" };
    }
  }
  return outcome;
}
