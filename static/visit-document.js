// The visit form and the audit document, both ways: the fields read as the document the server
// checks (audits/document.py), and a kept document put back into the fields.

import { isoWithOffset } from "./local-time.js";

function numberOrText(text) {
  const cleaned = text.trim().replace(",", ".");
  return cleaned !== "" && !isNaN(Number(cleaned)) ? Number(cleaned) : text.trim();
}

function answerValue(type, raw) {
  if (type === "scale" || type === "number") return numberOrText(raw);
  return type === "text" ? raw : raw.trim();
}

/** The document the form shows now, on top of the kept one (photos live only in the kept one). */
export function readForm(form, hints, kept) {
  const doc = structuredClone(kept);
  const data = new FormData(form);
  const answers = {};
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const hint = hints[id];
    const previous = kept.answers[id] || {};
    const answer = {};
    const raw = data.get(`a.${id}`);
    if (raw === "na" || data.get(`na.${id}`)) answer.na = true;
    else if (hint.type === "photo") { if (previous.value?.length) answer.value = previous.value; }
    else if (typeof raw === "string" && raw.trim() !== "") answer.value = answerValue(hint.type, raw);
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
  const visited = data.get("visited_at");
  if (visited) doc.visited_at = isoWithOffset(new Date(visited));
  return doc;
}

/** Put a kept document back into the fields (after a reload, or when the phone had newer work). */
export function fillForm(form, doc) {
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
