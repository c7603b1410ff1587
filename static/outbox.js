// The outbox: every audit document and photo is kept in IndexedDB until the server has it.
// A save carries the whole document and its revision, so replaying it any number of times is safe.

const DB_NAME = "visitscore";
let dbPromise = null;

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("audits", { keyPath: "audit_id" });
      db.createObjectStore("photos", { keyPath: "photo_id" }).createIndex("audit_id", "audit_id");
    };
    request.onsuccess = () => resolve(request.result);
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
export const putAudit = (record) => tx("audits", "readwrite", (s) => s.put(record));
export const putPhoto = (photo) => tx("photos", "readwrite", (s) => s.put(photo));
export const allAudits = () => tx("audits", "readonly", (s) => s.getAll());
export const allPhotos = () => tx("photos", "readonly", (s) => s.getAll());
export const getPhoto = (photoId) => tx("photos", "readonly", (s) => s.get(photoId));

export function isPending(record) {
  return record.revision > record.acked_revision || record.submit_pending;
}

/** How many changes wait to be sent, per user (all users when userId is null). */
export async function pendingCount(userId = null) {
  const mine = (r) => userId === null || r.user_id === userId;
  const audits = (await allAudits()).filter(mine);
  const photos = (await allPhotos()).filter((p) => mine(p) && !p.sent);
  const changes = audits.reduce((n, r) => n + Math.max(0, r.revision - r.acked_revision) + (r.submit_pending ? 1 : 0), 0);
  return changes + photos.length;
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

// The session's CSRF token: every cookie-authenticated API write must carry it (X-CSRFToken).
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

function headers(csrf, extra = {}) {
  return { "X-CSRFToken": csrf || csrfToken(), Accept: "application/json", ...extra };
}

/**
 * Send what waits for userId: each audit's newest document, then its photos, then a pending submit.
 * Returns {state, audits: {id: lastServerBody}, problems} where state is "sent", "offline",
 * "login" (the session expired: everything stays queued) or "error".
 */
export async function replay({ userId, csrf, apiBase }) {
  const outcome = { state: "sent", bodies: {}, problems: {} };
  const records = (await allAudits()).filter((r) => r.user_id === userId);
  for (const record of records) {
    const photos = (await allPhotos()).filter((p) => p.audit_id === record.audit_id && !p.sent);
    if (!isPending(record) && photos.length === 0) continue;
    const url = `${apiBase}/${record.audit_id}`;
    try {
      if (record.revision > record.acked_revision) {
        const sentRevision = record.doc.revision;
        const response = await fetch(url, {
          method: "PUT", credentials: "same-origin",
          headers: headers(csrf, { "Content-Type": "application/json" }), body: JSON.stringify(record.doc),
        });
        if (response.status === 401) return { ...outcome, state: "login" };
        const body = await response.json().catch(() => ({}));
        const fresh = (await getAudit(record.audit_id)) || record;
        if (response.ok || response.status === 409) {
          fresh.acked_revision = Math.max(fresh.acked_revision, sentRevision);
          if (response.status === 409) { fresh.locked = true; fresh.submit_pending = false; }
          if (response.ok) outcome.bodies[record.audit_id] = body;
        } else if (response.status === 422 || response.status === 404) {
          fresh.rejected = body;
          outcome.problems[record.audit_id] = body;
        } else {
          return { ...outcome, state: "error" };
        }
        await putAudit(fresh);
        Object.assign(record, fresh);
      }
      for (const photo of photos) {
        const response = await fetch(`${url}/photos/${photo.photo_id}`, {
          method: "PUT", credentials: "same-origin",
          headers: headers(csrf, { "Content-Type": photo.blob.type || "image/jpeg" }), body: photo.blob,
        });
        if (response.status === 401) return { ...outcome, state: "login" };
        if (response.ok || response.status === 422 || response.status === 409) {
          photo.sent = true;
          if (!response.ok) photo.error = (await response.json().catch(() => ({}))).error || "refused";
          await putPhoto(photo);
        } else {
          return { ...outcome, state: "error" };
        }
      }
      if (record.submit_pending && !record.locked && !record.rejected) {
        const response = await fetch(`${url}/submit`, { method: "POST", credentials: "same-origin", headers: headers(csrf) });
        if (response.status === 401) return { ...outcome, state: "login" };
        const body = await response.json().catch(() => ({}));
        const fresh = (await getAudit(record.audit_id)) || record;
        fresh.submit_pending = false;
        if (response.ok) {
          fresh.locked = true;
          outcome.bodies[record.audit_id] = body;
        } else if (response.status === 422) {
          outcome.problems[record.audit_id] = body;
        } else {
          fresh.submit_pending = true;
          await putAudit(fresh);
          return { ...outcome, state: "error" };
        }
        await putAudit(fresh);
      }
    } catch {
      return { ...outcome, state: "offline" };
    }
  }
  return outcome;
}
