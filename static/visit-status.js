// Where the visit stands with the server, in one line under its title (saved, waiting, refused,
// log in again), and the way out when it cannot be sent: its unsent work exported as a file.

import { h } from "./dom.js";
import { allPhotos, auditState } from "./outbox.js";

/** Say where the record stands after state ("idle", "sending", "offline", "login", ...). */
export async function showStatus(status, form, record, state) {
  const waiting = auditState(record, await allPhotos()).changes;
  status.replaceChildren();
  status.dataset.state = state;
  status.dataset.pending = String(waiting);
  const submitting = record.submit_pending ? " The audit will be submitted when you are online." : "";
  const refusal = record.refused || record.rejected;
  if (refusal) {
    status.dataset.state = "refused";
    status.textContent = `Not submitted: the server refused it (${refusal.error || "refused"}). What to fix is listed under Submit.`;
  } else if (state === "login") {
    const link = h("a", { href: form.dataset.loginUrl }, "Log in again");
    status.append(`${waiting} change(s) kept on this phone. `, link, ` to send them.${submitting}`);
  } else if (waiting === 0) {
    status.textContent = "All changes are saved on the server.";
  } else if (record.submit_pending && navigator.onLine && state !== "offline") {
    status.textContent = "Submitting…";
  } else {
    status.textContent = `${waiting} change(s) waiting to be sent${navigator.onLine ? "…" : " (offline)"}. They are kept on this phone.${submitting}`;
  }
  document.getElementById("export-audit").hidden = waiting === 0;
}

/** Download the record's document and its unsent photos as one JSON file. */
export async function exportAudit(record) {
  const photos = (await allPhotos()).filter((p) => p.audit_id === record.audit_id && !p.sent);
  const encoded = await Promise.all(photos.map((p) => new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ photo_id: p.photo_id, item_id: p.item_id, data_url: reader.result });
    reader.readAsDataURL(p.blob);
  })));
  const file = new Blob([JSON.stringify({ audit_id: record.audit_id, document: record.doc, photos: encoded }, null, 2)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(file);
  link.download = `visitscore-audit-${record.audit_id}.json`;
  link.click();
}
