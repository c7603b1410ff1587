// The visit form, enhanced: every change is kept in IndexedDB and sent through the outbox; the
// page works offline, one section at a time, and shows the server's score. Without this script the
// form still works as plain posts.

import { syncNow } from "./app.js";
import {
  allPhotos, auditState, deletePhoto, getAudit, getPhoto, newUuid, putAudit, putPhoto, requestBackgroundSync, updateAudit,
} from "./outbox.js";
import { resize } from "./photos.js";
import { setUpTimers } from "./timer.js";

const form = document.getElementById("visit-form");
const auditId = form.dataset.auditId;
const userId = Number(form.dataset.userId);
const hints = JSON.parse(document.getElementById("audit-hints").textContent);
const serverDoc = JSON.parse(document.getElementById("audit-document").textContent);
const status = document.getElementById("sync-status");
const scoreBox = document.getElementById("score-box");
const problemsBox = document.getElementById("submit-problems");
let record = null;
let submitBlocked = false; // Submit was pressed with something missing: say so above the list

// Times carry the phone's own UTC offset, like the audit document.
function isoWithOffset(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function localInputToIso(value) {
  return value ? isoWithOffset(new Date(value)) : null;
}

function numberOrText(text) {
  const cleaned = text.trim().replace(",", ".");
  return cleaned !== "" && !isNaN(Number(cleaned)) ? Number(cleaned) : text.trim();
}

// The document the form shows now, on top of what is kept (photos live only in the record).
function readForm() {
  const doc = structuredClone(record.doc);
  const data = new FormData(form);
  const answers = {};
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const hint = hints[id];
    const previous = record.doc.answers[id] || {};
    const answer = {};
    const raw = data.get(`a.${id}`);
    if (raw === "na" || data.get(`na.${id}`)) answer.na = true;
    else if (hint.type === "photo") { if (previous.value?.length) answer.value = previous.value; }
    else if (typeof raw === "string" && raw.trim() !== "") {
      answer.value = hint.type === "scale" || hint.type === "number" ? numberOrText(raw) : hint.type === "text" ? raw : raw.trim();
    }
    const comment = (data.get(`c.${id}`) || "").trim();
    if (comment) answer.comment = comment;
    if (previous.photos?.length) answer.photos = previous.photos;
    if (Object.keys(answer).length) answers[id] = answer;
  }
  doc.answers = answers;
  doc.employees = {};
  doc.employee_descriptions = {};
  for (const select of form.querySelectorAll("select[name^='emp.']")) {
    if (select.value) doc.employees[select.name.slice(4)] = Number(select.value);
  }
  for (const input of form.querySelectorAll("input[name^='empdesc.']")) {
    if (input.value.trim()) doc.employee_descriptions[input.name.slice(8)] = input.value.trim();
  }
  const onDuty = (data.get("staff_on_duty") || "").trim();
  if (/^\d+$/.test(onDuty)) doc.staff_on_duty = Number(onDuty);
  else delete doc.staff_on_duty;
  const visited = localInputToIso(data.get("visited_at"));
  if (visited) doc.visited_at = visited;
  return doc;
}

// Put a kept document back into the fields (after a reload, or when the phone had newer work).
function fillForm(doc) {
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const answer = doc.answers[id] || {};
    for (const radio of el.querySelectorAll(`input[type=radio][name="a.${id}"]`)) {
      radio.checked = answer.na ? radio.value === "na" : String(answer.value) === radio.value;
    }
    const field = el.querySelector(`input[type=number][name="a.${id}"], textarea[name="a.${id}"]`);
    if (field) field.value = answer.value ?? "";
    const na = el.querySelector(`[name="na.${id}"]`);
    if (na) na.checked = Boolean(answer.na);
    const comment = el.querySelector(`[name="c.${id}"]`);
    if (comment) comment.value = answer.comment ?? "";
  }
  for (const select of form.querySelectorAll("select[name^='emp.']")) {
    select.value = doc.employees?.[select.name.slice(4)] ?? "";
  }
  for (const input of form.querySelectorAll("input[name^='empdesc.']")) {
    input.value = doc.employee_descriptions?.[input.name.slice(8)] ?? "";
  }
  const onDuty = form.querySelector("[name=staff_on_duty]");
  if (onDuty) onDuty.value = doc.staff_on_duty ?? "";
}

// show_if: an item is shown when the item it names is shown and answered with a listed value.
function applyVisibility(doc) {
  const shown = new Set();
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const rule = hints[id].show_if;
    let visible = true;
    if (rule) {
      const answer = doc.answers[rule.item] || {};
      visible = shown.has(rule.item) && !answer.na && "value" in answer && rule.in.some((v) => v === answer.value);
    }
    if (visible) shown.add(id);
    el.hidden = !visible;
    el.querySelector(".only-if")?.setAttribute("hidden", "");
  }
}

function fails(id, answer) {
  const hint = hints[id];
  if (!answer || answer.na || !("value" in answer)) return false;
  if (hint.fail) return hint.fail.includes(answer.value);
  if (hint.bands && typeof answer.value === "number") {
    const band = hint.bands.find(([max]) => max === null || answer.value <= max);
    return band ? band[1] === 0 : false;
  }
  return false;
}

const hasValue = (answer) => Boolean(answer) && ![undefined, null, ""].includes(answer.value) && !(Array.isArray(answer.value) && !answer.value.length);
const answered = (id, answer) => Boolean(answer?.na && hints[id].allow_na) || hasValue(answer);
const shownItems = () => [...form.querySelectorAll(".visit-item:not([hidden])")];

/**
 * What stands between this document and submitting, by the server's rules (submission_problems in
 * audits/document.py), as {path: [message]} in checklist order. Photos not uploaded yet are left
 * out: the outbox sends them before it submits. Call after applyVisibility(doc).
 */
function submissionProblems(doc) {
  const problems = {};
  for (const el of shownItems()) {
    const id = el.dataset.item;
    const hint = hints[id];
    const answer = doc.answers[id] || {};
    if (hint.scored && !answered(id, answer)) problems[`answers.${id}`] = [`Answer this item${hint.allow_na ? " or mark it N/A." : "."}`];
    if (hint.answer_required && !hasValue(answer)) problems[`answers.${id}`] = ["This item must be filled in."];
    const failed = fails(id, answer);
    if (failed && hint.comment_on_fail && !(answer.comment || "").trim()) problems[`answers.${id}.comment`] = ["A failed answer needs a comment."];
    if (failed && hint.photo_on_fail && !answer.photos?.length) problems[`answers.${id}.photos`] = ["A failed answer needs a photo."];
  }
  if (doc.visited_at && new Date(doc.visited_at).getTime() > Date.now() + 10 * 60000) problems.visited_at = ["The visit time is in the future."];
  return problems;
}

// A failed item that needs a comment or photo asks for it at once.
function applyFailHints(doc) {
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const hint = hints[id];
    const failed = fails(id, doc.answers[id]);
    const answer = doc.answers[id] || {};
    el.classList.toggle("failed", failed);
    el.querySelector(".ask")?.remove();
    const asks = [];
    if (failed && hint.comment_on_fail && !answer.comment) asks.push("add a comment");
    if (failed && hint.photo_on_fail && !answer.photos?.length) asks.push("take a photo");
    if (asks.length) {
      const note = document.createElement("p");
      note.className = "ask";
      note.setAttribute("role", "alert");
      note.textContent = `This failed: please ${asks.join(" and ")}.`;
      el.querySelector(".comment")?.before(note);
    }
  }
}

function progress(items, doc) {
  const scored = items.filter((el) => hints[el.dataset.item].scored);
  return { done: scored.filter((el) => answered(el.dataset.item, doc.answers[el.dataset.item])).length, total: scored.length };
}

function applySectionProgress(doc) {
  for (const link of form.querySelectorAll("[data-section-link]")) {
    const section = form.querySelector(`[data-section="${link.dataset.sectionLink}"]`);
    const { done, total } = progress([...section.querySelectorAll(".visit-item:not([hidden])")], doc);
    if (!total) continue;
    link.dataset.progress = `${done}/${total}`;
    link.classList.toggle("complete", done === total);
  }
}

// Progress in answered/total, and the server's score named for what it is until all is answered.
function showScore() {
  const { done, total } = progress(shownItems(), record.doc);
  const count = document.createElement("p");
  count.className = "progress";
  count.dataset.answered = String(done);
  count.dataset.total = String(total);
  count.textContent = `${done} of ${total} items answered`;
  const line = document.createElement("p");
  line.className = "score-now";
  const score = record.score;
  if (score?.percent === null || score?.percent === undefined) line.textContent = "No score yet: nothing scored has reached the server.";
  else {
    const strong = document.createElement("strong");
    strong.textContent = `${score.percent.toFixed(1)}%`;
    line.append(done === total ? "Score: " : `Score of the ${done} answered item${done === 1 ? "" : "s"}: `, strong);
    if (record.score_revision < record.revision) line.append(" (before your latest changes)");
    if (score.critical_failure) { const tag = document.createElement("span"); tag.className = "tag critical"; tag.textContent = "critical failure"; line.append(" ", tag); }
  }
  scoreBox.replaceChildren(count, line);
}

const itemLabel = (id) => form.querySelector(`#item-${CSS.escape(id)} .item-text`)?.firstChild?.textContent.trim() || id;
const FIELD_LABELS = { visited_at: "Time of the visit", started_at: "Start of the visit", ended_at: "End of the visit", staff_on_duty: "Employees on duty" };

/** One list of what stops the submit, in checklist order; each entry opens its item. */
function showProblems(title, problems) {
  problemsBox.replaceChildren();
  const order = [...form.querySelectorAll(".visit-item")].map((el) => el.dataset.item);
  const byItem = new Map();
  const other = [];
  for (const [path, messages] of Object.entries(problems)) {
    const id = path.startsWith("answers.") ? path.split(".")[1] : null;
    if (id && order.includes(id)) byItem.set(id, new Set([...(byItem.get(id) || []), ...messages]));
    else other.push([path, messages]);
  }
  problemsBox.hidden = !title && !byItem.size && !other.length;
  if (problemsBox.hidden) return;
  const heading = document.createElement("p");
  heading.className = "problems-title";
  heading.textContent = title || "Still to answer before you can submit:";
  const list = document.createElement("ul");
  list.className = "missing";
  for (const id of order.filter((i) => byItem.has(i))) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#item-${id}`;
    link.textContent = itemLabel(id);
    const why = document.createElement("span");
    why.className = "hint";
    why.textContent = [...byItem.get(id)].join(" ");
    li.append(link, " ", why);
    list.append(li);
  }
  for (const [path, messages] of other) {
    const li = document.createElement("li");
    const name = path.startsWith("employees.") ? "Employee" : FIELD_LABELS[path] || path;
    li.textContent = `${name}: ${messages.join(" ")}`;
    list.append(li);
  }
  problemsBox.append(heading);
  if (list.children.length) problemsBox.append(list);
}

// The phone's own check, merged with the server's refusal while the refused document is still
// the one on the phone (after a change, only the phone's check is current).
function applyProblems() {
  const problems = submissionProblems(record.doc);
  const refusal = record.refused || record.rejected;
  if (refusal && (refusal.revision ?? record.revision) === record.revision) {
    for (const [path, messages] of Object.entries(refusal.fields || {})) problems[path] = [...new Set([...(problems[path] || []), ...messages])];
  }
  if (!Object.keys(problems).length) submitBlocked = false;
  const title = refusal ? `The server did not accept this audit: ${refusal.error || "refused"}`
    : submitBlocked ? "Not submitted yet. Still to answer first:" : "";
  showProblems(title, problems);
}

function refreshUi() {
  applyVisibility(record.doc);
  applyFailHints(record.doc);
  applySectionProgress(record.doc);
  showScore();
  applyProblems();
  showPhotos();
}

// Sections one at a time, with a map.
function showSection(id) {
  for (const section of form.querySelectorAll(".visit-section")) section.classList.toggle("current", section.dataset.section === id);
  for (const link of form.querySelectorAll("[data-section-link]")) {
    if (link.dataset.sectionLink === id) link.setAttribute("aria-current", "step"); else link.removeAttribute("aria-current");
  }
  sessionStorage.setItem(`section:${auditId}`, id);
}

/** Open the section of an item, bring it into view and put the focus on its first control. */
function openItem(itemId) {
  const item = document.getElementById(`item-${itemId}`);
  if (!item || !form.contains(item)) return false;
  showSection(item.closest(".visit-section").dataset.section);
  item.scrollIntoView({ block: "start" });
  item.querySelector("input:not([type=hidden]), textarea, select")?.focus({ preventScroll: true });
  return true;
}

function setUpSections() {
  form.classList.add("paged");
  const ids = [...form.querySelectorAll(".visit-section")].map((s) => s.dataset.section);
  for (const link of form.querySelectorAll("[data-section-link]")) {
    link.addEventListener("click", (e) => { e.preventDefault(); showSection(link.dataset.sectionLink); window.scrollTo(0, 0); });
  }
  for (const nav of form.querySelectorAll(".section-nav")) {
    nav.hidden = false;
    const here = ids.indexOf(nav.closest(".visit-section").dataset.section);
    for (const button of nav.querySelectorAll("[data-step]")) {
      const target = ids[here + Number(button.dataset.step)];
      button.hidden = !target;
      button.addEventListener("click", () => { showSection(target); window.scrollTo(0, 0); });
    }
  }
  // Every link to an item, wherever it is on the page (also the server-rendered ones), opens it.
  document.addEventListener("click", (e) => {
    const link = e.target.closest?.("a[href^='#item-']");
    if (link && openItem(link.getAttribute("href").slice(6))) e.preventDefault();
  });
  showSection(sessionStorage.getItem(`section:${auditId}`) || ids[0]);
  if (location.hash.startsWith("#item-")) openItem(location.hash.slice(6));
}

async function showStatus(state) {
  const photos = await allPhotos();
  const waiting = auditState(record, photos).changes;
  status.replaceChildren();
  status.dataset.state = state;
  status.dataset.pending = String(waiting);
  const submitting = record.submit_pending ? " The audit will be submitted when you are online." : "";
  const refusal = record.refused || record.rejected;
  if (refusal) {
    status.dataset.state = "refused";
    status.textContent = `Not submitted: the server refused it (${refusal.error || "refused"}). What to fix is listed under Submit.`;
  } else if (state === "login") {
    const link = document.createElement("a");
    link.href = form.dataset.loginUrl;
    link.textContent = "Log in again";
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

// The outbox was replayed (by this page, another page or the service worker): show where we stand.
async function replayed(outcome) {
  record = (await getAudit(auditId)) || record;
  const body = outcome.bodies?.[auditId];
  if (body?.score) {
    record = (await updateAudit(auditId, (kept) => { kept.score = body.score; kept.score_revision = body.revision; })) || record;
  }
  if (record.locked || body?.status === "submitted" || body?.status === "published") { window.location.assign(form.dataset.doneUrl); return; }
  refreshUi();
  await showStatus(outcome.state || "idle");
}

async function saveChange() {
  const doc = readForm();
  doc.started_at ??= isoWithOffset();
  doc.ended_at = isoWithOffset();
  record = await updateAudit(auditId, (kept) => {
    doc.revision = kept.revision + 1;
    kept.doc = doc;
    kept.revision = doc.revision;
    kept.updated = Date.now();
    delete kept.rejected;
  });
  refreshUi();
  await showStatus(navigator.onLine ? "sending" : "offline");
  requestBackgroundSync();
  syncNow();
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

// Photos: shrunk, queued under their own UUID, shown at once from the phone's copy; each can be
// removed again before the submit (the next save simply no longer names it).
const objectUrls = new Map();
async function showPhotos() {
  for (const holder of form.querySelectorAll("[data-pending-for]")) {
    const id = holder.dataset.pendingFor;
    const answer = record.doc.answers[id] || {};
    const kind = holder.closest(".evidence") ? "photos" : "value";
    const ids = answer[kind] || [];
    const shown = [];
    for (const [index, photoId] of ids.entries()) {
      const figure = document.createElement("span");
      figure.className = "photo";
      const img = document.createElement("img");
      img.width = 64; img.height = 64; img.alt = `Photo ${index + 1}`;
      const kept = await getPhoto(photoId);
      if (kept?.blob) {
        if (!objectUrls.has(photoId)) objectUrls.set(photoId, URL.createObjectURL(kept.blob));
        img.src = objectUrls.get(photoId);
      } else {
        img.src = `${form.dataset.doneUrl}/photos/${photoId}?size=thumb`;
      }
      if (kept?.error) img.title = kept.error;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button quiet remove-photo";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove photo ${index + 1}`);
      remove.addEventListener("click", () => removePhoto(id, kind, photoId));
      figure.append(img, remove);
      shown.push(figure);
    }
    holder.replaceChildren(...shown);
    holder.closest(".visit-item, .evidence")?.querySelector(".thumbs")?.setAttribute("hidden", "");
  }
}

async function removePhoto(itemId, kind, photoId) {
  const answer = record.doc.answers[itemId] || {};
  answer[kind] = (answer[kind] || []).filter((p) => p !== photoId);
  if (!answer[kind].length) delete answer[kind];
  const kept = await getPhoto(photoId);
  if (kept && !kept.sent) await deletePhoto(photoId); // never uploaded: nothing to send any more
  await saveChange();
}

async function addPhotos(input) {
  const id = input.dataset.photoFor;
  const kind = input.dataset.photoKind === "value" ? "value" : "photos";
  for (const file of input.files) {
    let blob;
    try {
      blob = await resize(file);
    } catch (error) {
      status.textContent = error.message;
      continue;
    }
    const photoId = newUuid();
    await putPhoto({ photo_id: photoId, audit_id: auditId, user_id: userId, item_id: id, blob, sent: false });
    const answers = record.doc.answers;
    answers[id] ??= {};
    answers[id][kind] = [...(answers[id][kind] || []), photoId];
  }
  input.value = "";
  await saveChange();
}

function exportAudit() {
  (async () => {
    const photos = (await allPhotos()).filter((p) => p.audit_id === auditId && !p.sent);
    const encoded = await Promise.all(photos.map((p) => new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve({ photo_id: p.photo_id, item_id: p.item_id, data_url: reader.result });
      reader.readAsDataURL(p.blob);
    })));
    const file = new Blob([JSON.stringify({ audit_id: auditId, document: record.doc, photos: encoded }, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = `visitscore-audit-${auditId}.json`;
    link.click();
  })();
}

function localNow() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

// Submit: the phone checks first, so what is missing is said at once, online or not; otherwise the
// submit waits in the outbox and goes out with the last changes.
async function submit() {
  submitBlocked = true;
  refreshUi();
  if (submitBlocked) {
    showSection("review");
    problemsBox.scrollIntoView({ block: "start" });
    problemsBox.focus({ preventScroll: true });
    return;
  }
  record = await updateAudit(auditId, (kept) => { kept.submit_pending = true; delete kept.refused; });
  refreshUi();
  await showStatus(navigator.onLine ? "sending" : "offline");
  requestBackgroundSync();
  syncNow();
}

async function start() {
  if (form.dataset.status === "new") form.querySelector("#visited_at").value = localNow();
  const kept = await getAudit(auditId);
  // Sent back by the reviewer: the phone's copy was locked at the submit; the audit is open again.
  const reopened = kept?.locked && form.dataset.status === "returned";
  if (kept && kept.user_id === userId && kept.revision >= serverDoc.revision && !reopened) {
    record = kept;
    if (kept.revision > serverDoc.revision) fillForm(kept.doc);
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
  setUpSections();
  setUpTimers(form, () => saveChange());
  refreshUi();
  form.addEventListener("change", (e) => {
    if (e.target.matches(".photo-input")) { addPhotos(e.target); return; }
    askLocationOnce();
    saveChange();
  });
  let typing = null;
  form.addEventListener("input", (e) => {
    if (e.target.matches("textarea, input[type=text], input[type=number]")) { clearTimeout(typing); typing = setTimeout(saveChange, 600); }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await saveChange();
    if (e.submitter?.value === "submit") await submit();
  });
  document.getElementById("export-audit").addEventListener("click", exportAudit);
  window.addEventListener("outbox:replayed", (e) => replayed(e.detail));
  navigator.storage?.persist?.();
  await showStatus("idle");
  syncNow();
}

start();
