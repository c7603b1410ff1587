// The visit form, enhanced: every change is kept in IndexedDB and sent through the outbox; the
// page works offline, one section at a time, and shows the server's score. Without this script the
// form still works as plain posts. The parts: visit-document.js (form <-> document), visit-rules.js
// (the server's checks on the phone), visit-sections.js (paging), visit-score.js (score and what is
// missing), visit-photos.js and visit-status.js (where the visit stands with the server).

import { syncNow } from "./app.js";
import { isoWithOffset, localInputNow } from "./local-time.js";
import { getAudit, putAudit, requestBackgroundSync, updateAudit } from "./outbox.js";
import { setUpTimers } from "./timer.js";
import { fillForm, readForm } from "./visit-document.js";
import { keepPhotos, namePhotos, removePhoto, showPhotos } from "./visit-photos.js";
import { progress, shownItems, submissionProblems } from "./visit-rules.js";
import { showFailHints, showProblems, showScore } from "./visit-score.js";
import { setUpSections, showSection, showSectionProgress } from "./visit-sections.js";
import { exportAudit, showStatus } from "./visit-status.js";

const form = document.getElementById("visit-form");
const auditId = form.dataset.auditId;
const userId = Number(form.dataset.userId);
const hints = JSON.parse(document.getElementById("audit-hints").textContent);
const serverDoc = JSON.parse(document.getElementById("audit-document").textContent);
const items = [...form.querySelectorAll(".visit-item")];
const status = document.getElementById("sync-status");
const problemsBox = document.getElementById("submit-problems");
let record = null;
let submitBlocked = false; // Submit was pressed with something missing: say so above the list

// The phone's own check, merged with the server's refusal while the refused document is still
// the one on the phone (after a change, only the phone's check is current).
function applyProblems(shown) {
  const problems = submissionProblems(shown, hints, record.doc);
  const refusal = record.refused || record.rejected;
  if (refusal && (refusal.revision ?? record.revision) === record.revision) {
    for (const [path, messages] of Object.entries(refusal.fields || {})) problems[path] = [...new Set([...(problems[path] || []), ...messages])];
  }
  if (!Object.keys(problems).length) submitBlocked = false;
  const title = refusal ? `The server did not accept this audit: ${refusal.error || "refused"}`
    : submitBlocked ? "Not submitted yet. Still to answer first:" : "";
  showProblems(problemsBox, form, title, problems);
}

function refreshUi() {
  const shown = shownItems(items.map((el) => el.dataset.item), hints, record.doc);
  for (const el of items) {
    el.hidden = !shown.has(el.dataset.item);
    el.querySelector(".only-if")?.setAttribute("hidden", ""); // shown or hidden here, no need to say when
  }
  showFailHints(form, hints, record.doc);
  showSectionProgress(form, hints, record.doc);
  showScore(document.getElementById("score-box"), progress([...shown], hints, record.doc), record);
  applyProblems(shown);
  showPhotos(form, record.doc, async (itemId, kind, photoId) => {
    await removePhoto(record.doc, itemId, kind, photoId);
    await saveChange();
  });
}

// The outbox was replayed (by this page, another page or the service worker): show where we stand.
async function replayed(outcome) {
  record = (await getAudit(auditId)) || record;
  const body = outcome.bodies?.[auditId];
  if (body?.score) {
    record = (await updateAudit(auditId, (kept) => { kept.score = body.score; kept.score_revision = body.revision; })) || record;
  }
  if (record.locked || body?.status === "submitted" || body?.status === "published") { window.location.assign(form.dataset.doneUrl); return; }
  refreshUi();
  await showStatus(status, form, record, outcome.state || "idle");
}

// Keep the record as it is now in the outbox, and send it.
async function send() {
  refreshUi();
  await showStatus(status, form, record, navigator.onLine ? "sending" : "offline");
  requestBackgroundSync();
  syncNow();
}

async function saveChange() {
  const doc = readForm(form, hints, record.doc);
  doc.started_at ??= isoWithOffset();
  doc.ended_at = isoWithOffset();
  record = await updateAudit(auditId, (kept) => {
    doc.revision = kept.revision + 1;
    kept.doc = doc;
    kept.revision = doc.revision;
    kept.updated = Date.now();
    delete kept.rejected;
  });
  await send();
}

function askLocationOnce() {
  if (record.doc.location || record.asked_location || !navigator.geolocation) return;
  record.asked_location = true;
  navigator.geolocation.getCurrentPosition(
    (pos) => { record.doc.location = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy }; saveChange(); },
    () => {},
    { maximumAge: 600000, timeout: 20000 },
  );
}

async function addPhotos(input) {
  const photoIds = await keepPhotos(input, { audit_id: auditId, user_id: userId }, (message) => { status.textContent = message; });
  namePhotos(record.doc, input, photoIds);
  await saveChange();
}

// Submit: the phone checks first, so what is missing is said at once, online or not; otherwise the
// submit waits in the outbox and goes out with the last changes.
async function submit() {
  submitBlocked = true;
  refreshUi();
  if (submitBlocked) {
    showSection(form, "review");
    problemsBox.scrollIntoView({ block: "start" });
    problemsBox.focus({ preventScroll: true });
    return;
  }
  record = await updateAudit(auditId, (kept) => { kept.submit_pending = true; delete kept.refused; });
  await send();
}

async function start() {
  // Listen at once: a change made while the phone's copy is still being read (IndexedDB can take a
  // moment on a slow phone) is saved as soon as it is loaded, not lost.
  let loaded;
  const whenLoaded = new Promise((resolve) => { loaded = resolve; });
  form.addEventListener("change", async (e) => {
    await whenLoaded;
    if (e.target.matches(".photo-input")) { addPhotos(e.target); return; }
    askLocationOnce();
    saveChange();
  });
  let typing = null;
  form.addEventListener("input", (e) => {
    if (e.target.matches("textarea, input[type=text], input[type=number]")) {
      clearTimeout(typing);
      typing = setTimeout(async () => { await whenLoaded; saveChange(); }, 600);
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await whenLoaded;
    await saveChange();
    if (e.submitter?.value === "submit") await submit();
  });
  if (form.dataset.status === "new") form.querySelector("#visited_at").value = localInputNow();
  const kept = await getAudit(auditId);
  // Sent back by the reviewer: the phone's copy was locked at the submit; the audit is open again.
  const reopened = kept?.locked && form.dataset.status === "returned";
  if (kept && kept.user_id === userId && kept.revision >= serverDoc.revision && !reopened) {
    record = kept;
    if (kept.revision > serverDoc.revision) fillForm(form, kept.doc);
  } else {
    record = {
      audit_id: auditId, user_id: userId, doc: serverDoc, revision: serverDoc.revision,
      acked_revision: serverDoc.revision, submit_pending: false,
      score: JSON.parse(document.getElementById("audit-score").textContent), score_revision: serverDoc.revision,
    };
    if (!record.doc.started_at) record.doc.started_at = isoWithOffset();
    await putAudit(record);
  }
  // What the home page shows for this visit while it waits in the outbox.
  record = await updateAudit(auditId, (r) => { r.label = form.dataset.label; r.url = location.pathname; });
  setUpSections(form);
  setUpTimers(form, () => saveChange());
  refreshUi();
  loaded();
  document.getElementById("export-audit").addEventListener("click", () => exportAudit(record));
  window.addEventListener("outbox:replayed", (e) => replayed(e.detail));
  navigator.storage?.persist?.();
  await showStatus(status, form, record, "idle");
  syncNow();
}

start();
