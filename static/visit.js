// The visit form, enhanced: every change is kept in IndexedDB and sent through the outbox; the
// page works offline, one section at a time, and shows the server's score. Without this script the
// form still works as plain posts.

import { allPhotos, getAudit, getPhoto, newUuid, pendingCount, putAudit, putPhoto, replay } from "./outbox.js";
import { resize } from "./photos.js";
import { setUpTimers } from "./timer.js";

const form = document.getElementById("visit-form");
const auditId = form.dataset.auditId;
const userId = Number(form.dataset.userId);
const csrf = form.querySelector("[name=csrf_token]").value;
const apiBase = form.dataset.api.replace(/\/[^/]+$/, "");
const hints = JSON.parse(document.getElementById("audit-hints").textContent);
const serverDoc = JSON.parse(document.getElementById("audit-document").textContent);
const status = document.getElementById("sync-status");
const scoreBox = document.getElementById("score-box");
let record = null;
let syncing = false;
let syncAgain = false;

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

function applySectionProgress(doc) {
  for (const link of form.querySelectorAll("[data-section-link]")) {
    const section = form.querySelector(`[data-section="${link.dataset.sectionLink}"]`);
    const items = [...section.querySelectorAll(".visit-item:not([hidden])")].filter((el) => hints[el.dataset.item].type !== "text" && hints[el.dataset.item].type !== "photo");
    if (!items.length) continue;
    const done = items.filter((el) => { const a = doc.answers[el.dataset.item]; return a && (a.na || "value" in a); }).length;
    link.dataset.progress = `${done}/${items.length}`;
    link.classList.toggle("complete", done === items.length);
  }
}

function refreshUi() {
  applyVisibility(record.doc);
  applyFailHints(record.doc);
  applySectionProgress(record.doc);
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
  const wanted = location.hash.startsWith("#item-") ? form.querySelector(location.hash)?.closest(".visit-section")?.dataset.section : null;
  showSection(wanted || sessionStorage.getItem(`section:${auditId}`) || ids[0]);
}

async function showStatus(state) {
  const waiting = await pendingCount(userId);
  status.replaceChildren();
  status.dataset.state = state;
  status.dataset.pending = String(waiting);
  if (state === "login") {
    const link = document.createElement("a");
    link.href = form.dataset.loginUrl;
    link.textContent = "Log in again";
    status.append(`${waiting} change(s) kept on this phone. `, link, " to send them.");
  } else if (waiting === 0) {
    status.textContent = "All changes are saved on the server.";
  } else {
    status.textContent = `${waiting} change(s) waiting to be sent${navigator.onLine ? "…" : " (offline)"}. They are kept on this phone.`;
  }
  document.getElementById("export-audit").hidden = waiting === 0;
}

function showScore(body) {
  scoreBox.replaceChildren();
  const p = document.createElement("p");
  p.className = "score-now";
  if (body.score?.percent === null || body.score?.percent === undefined) p.textContent = "Nothing scored yet.";
  else {
    const strong = document.createElement("strong");
    strong.textContent = `${body.score.percent.toFixed(1)}%`;
    p.append("Score so far: ", strong);
    if (body.score.critical_failure) { const tag = document.createElement("span"); tag.className = "tag critical"; tag.textContent = "critical failure"; p.append(" ", tag); }
  }
  scoreBox.append(p);
  if (body.missing?.length) {
    const list = document.createElement("p");
    list.append("Still to answer: ");
    body.missing.forEach((id, i) => {
      const a = document.createElement("a");
      a.href = `#item-${id}`;
      a.textContent = form.querySelector(`#item-${CSS.escape(id)} .item-text`)?.firstChild?.textContent.trim() || id;
      a.addEventListener("click", (e) => { e.preventDefault(); showSection(form.querySelector(`#item-${CSS.escape(id)}`).closest(".visit-section").dataset.section); document.getElementById(`item-${id}`).scrollIntoView(); });
      list.append(a, i < body.missing.length - 1 ? ", " : "");
    });
    scoreBox.append(list);
  }
}

function showProblems(body) {
  const box = document.createElement("div");
  box.className = "problems";
  box.setAttribute("role", "alert");
  const title = document.createElement("p");
  title.textContent = body.error || "The server refused the audit.";
  box.append(title);
  for (const [path, messages] of Object.entries(body.fields || {})) {
    const line = document.createElement("p");
    line.className = "error";
    const itemId = path.startsWith("answers.") ? path.split(".")[1] : null;
    const label = itemId ? form.querySelector(`#item-${CSS.escape(itemId)} .item-text`)?.firstChild?.textContent.trim() : path;
    line.textContent = `${label || path}: ${messages.join(" ")}`;
    box.append(line);
  }
  scoreBox.append(box);
}

async function sync() {
  if (syncing) { syncAgain = true; return; }
  syncing = true;
  try {
    do {
      syncAgain = false;
      const outcome = await replay({ userId, csrf, apiBase });
      const body = outcome.bodies[auditId];
      if (body) {
        showScore(body);
        if (body.status === "submitted" || body.status === "published") { window.location.assign(form.dataset.doneUrl); return; }
      }
      if (outcome.problems[auditId]) showProblems(outcome.problems[auditId]);
      record = (await getAudit(auditId)) || record;
      if (record.locked) { window.location.assign(form.dataset.doneUrl); return; }
      await showStatus(outcome.state);
      if (outcome.state !== "sent") break;
    } while (syncAgain);
  } finally {
    syncing = false;
  }
}

async function saveChange() {
  const doc = readForm();
  doc.revision = record.revision + 1;
  doc.started_at ??= isoWithOffset();
  doc.ended_at = isoWithOffset();
  record.doc = doc;
  record.revision = doc.revision;
  record.updated = Date.now();
  delete record.rejected;
  await putAudit(record);
  refreshUi();
  await showStatus(navigator.onLine ? "sending" : "offline");
  sync();
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

// Photos: shrunk, queued under their own UUID, shown at once from the phone's copy.
const objectUrls = new Map();
async function showPhotos() {
  for (const holder of form.querySelectorAll("[data-pending-for]")) {
    const id = holder.dataset.pendingFor;
    const answer = record.doc.answers[id] || {};
    const kind = holder.closest(".evidence") ? "photos" : "value";
    const ids = (kind === "value" ? answer.value : answer.photos) || [];
    holder.replaceChildren();
    for (const photoId of ids) {
      const img = document.createElement("img");
      img.width = 64; img.height = 64; img.alt = "Photo";
      const kept = await getPhoto(photoId);
      if (kept?.blob) {
        if (!objectUrls.has(photoId)) objectUrls.set(photoId, URL.createObjectURL(kept.blob));
        img.src = objectUrls.get(photoId);
      } else {
        img.src = `${form.dataset.doneUrl}/photos/${photoId}?size=thumb`;
      }
      if (kept?.error) img.title = kept.error;
      holder.append(img);
    }
    holder.closest(".visit-item, .evidence")?.querySelector(".thumbs")?.setAttribute("hidden", "");
  }
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

async function start() {
  if (form.dataset.status === "new") form.querySelector("#visited_at").value = localNow();
  const kept = await getAudit(auditId);
  const known = form.dataset.status !== "new";
  if (kept && kept.user_id === userId && kept.revision >= serverDoc.revision) {
    record = kept;
    if (kept.revision > serverDoc.revision) fillForm(kept.doc);
  } else {
    record = {
      audit_id: auditId, user_id: userId, doc: serverDoc, revision: serverDoc.revision,
      acked_revision: known ? serverDoc.revision : serverDoc.revision, submit_pending: false,
    };
    if (!record.doc.started_at) record.doc.started_at = isoWithOffset();
    await putAudit(record);
  }
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
    if (e.submitter?.value === "submit") {
      record.submit_pending = true;
      await putAudit(record);
      await showStatus(navigator.onLine ? "sending" : "offline");
      if (!navigator.onLine) status.textContent += " The audit will be submitted when the phone is back online.";
      sync();
    }
  });
  document.getElementById("export-audit").addEventListener("click", exportAudit);
  window.addEventListener("online", sync);
  setInterval(() => { if (navigator.onLine) sync(); }, 15000);
  navigator.storage?.persist?.();
  await showStatus("idle");
  sync();
}

start();
