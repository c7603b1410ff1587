// The checklist editor: builds the checklist document in the browser, checks it live against the
// server's own validation, previews each item as the auditor's phone shows it, and saves it.

import { h, meta, openDetailsAround } from "./dom.js";

const TYPES = {
  yes_no: "Yes / no",
  scale: "Scale",
  choice: "Choice",
  number: "Number (bands)",
  text: "Text",
  photo: "Photo",
};
const SCORED = ["yes_no", "scale", "choice", "number"];
const TYPE_KEYS = { bands: "number", unit: "number", options: "choice", min: "scale", max: "scale" };

const root = document.getElementById("editor");
// The catalogue's codes, offered as the author types (a datalist) and checked as they type.
const STANDARDS = new Map([...document.querySelectorAll("#standard-codes option")].map((o) => [o.value, o.label]));
const LOOKS_LIKE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const state = JSON.parse(document.getElementById("checklist-document").textContent) || blankChecklist();
let validateTimer = null;
let lastErrors = [];
// Sections and items folded away by the author (the objects themselves, so that folds survive
// moves and re-renders). A long checklist opens with its items folded.
const folded = new WeakSet();
if (root.dataset.existing === "true" && state.sections.flatMap((s) => s.items).length > 8) {
  for (const section of state.sections) for (const item of section.items) folded.add(item);
}
// The item being dragged: { si, ii }.
let dragging = null;

function blankChecklist() {
  return { id: "", title: "", pass_mark: 80, sections: [blankSection(1)] };
}
function blankSection(n) {
  return { id: `section-${n}`, title: "", items: [blankItem(`${n}-1`)] };
}
function blankItem(suffix) {
  return { id: `item-${suffix}`, text: "", type: "yes_no" };
}

let uid = 0;
function field(label, path, value, options = {}) {
  const id = `f${++uid}`;
  const kind = options.kind || "text";
  let control;
  if (kind === "select") {
    control = h("select", { id, "data-path": path, "data-kind": "select", "data-rerender": true },
      Object.entries(options.choices).map(([v, l]) => h("option", { value: v, selected: v === value }, l)));
  } else if (kind === "bool") {
    return h("div", { class: "check" },
      h("input", { type: "checkbox", id, "data-path": path, "data-kind": "bool", checked: !!value,
        "data-rerender": options.rerender || false }),
      h("label", { for: id }, label));
  } else if (kind === "textarea") {
    control = h("textarea", { id, "data-path": path, "data-kind": "text", rows: 2 });
    control.value = value ?? "";
  } else {
    control = h("input", {
      id, type: kind === "number" ? "number" : "text", step: kind === "number" ? "any" : null,
      inputmode: kind === "number" ? "decimal" : null, "data-path": path, "data-kind": kind,
      value: value ?? "", placeholder: options.placeholder || null, list: options.list || null,
    });
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), control,
    options.hint ? h("p", { class: "hint" }, options.hint) : null);
}

function getPath(path) {
  return path.split(".").reduce((obj, key) => (obj == null ? undefined : obj[key]), state);
}
function setPath(path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  const parent = keys.reduce((obj, key) => obj[key], state);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

function allItems() {
  return state.sections.flatMap((s, si) => s.items.map((item, ii) => ({ item, si, ii })));
}

function move(list, index, step) {
  const target = index + step;
  if (target < 0 || target >= list.length) return;
  [list[index], list[target]] = [list[target], list[index]];
  changed(true);
}

function iconButton(label, onclick, extra = "") {
  return h("button", { type: "button", class: `button ${extra}`, onclick }, label);
}

// A foldable block: open unless the author folded it; folding is remembered on the object.
function foldable(owner, summary, ...body) {
  const box = h("details", { class: "fold", open: !folded.has(owner) }, h("summary", {}, summary), ...body);
  box.addEventListener("toggle", () => (box.open ? folded.delete(owner) : folded.add(owner)));
  return box;
}

function foldAll(fold) {
  for (const section of state.sections) {
    for (const item of section.items) (fold ? folded.add(item) : folded.delete(item));
    folded.delete(section);
  }
  render();
}

// Drag an item onto another (in any section) to put it there; Move up/down do the same by keyboard.
function dropItem(si, ii) {
  if (!dragging) return;
  const [item] = state.sections[dragging.si].items.splice(dragging.ii, 1);
  state.sections[si].items.splice(ii, 0, item);
  dragging = null;
  changed(true);
}

// Item editor

function typeFields(item, path) {
  const out = [];
  if (item.type === "scale") {
    out.push(h("div", { class: "pair" },
      field("Lowest (0 points)", `${path}.min`, item.min ?? 1, { kind: "number" }),
      field("Highest (full points)", `${path}.max`, item.max ?? 5, { kind: "number" })));
  }
  if (item.type === "choice") {
    const options = item.options || [];
    out.push(h("fieldset", { class: "rows-edit", "data-path": `${path}.options` },
      h("legend", {}, "Options (score 0–1; the best must score 1)"),
      options.map((o, i) => h("div", { class: "pair" },
        field(`Option ${i + 1}`, `${path}.options.${i}.label`, o.label),
        field("Score", `${path}.options.${i}.score`, o.score, { kind: "number" }),
        iconButton("Remove", () => { options.splice(i, 1); changed(true); }, "quiet"))),
      iconButton("Add option", () => { options.push({ label: "", score: 0 }); changed(true); })));
  }
  if (item.type === "number") {
    const bands = item.bands || [];
    out.push(field("Unit", `${path}.unit`, item.unit, { placeholder: "minutes" }));
    out.push(h("fieldset", { class: "rows-edit", "data-path": `${path}.bands` },
      h("legend", {}, "Bands: the first band whose maximum fits gives the score; the last catches all"),
      bands.map((b, i) => h("div", { class: "pair" },
        i === bands.length - 1
          ? h("p", { class: "hint" }, "Anything higher")
          : field("Up to", `${path}.bands.${i}.max`, b.max, { kind: "number" }),
        field("Score", `${path}.bands.${i}.score`, b.score, { kind: "number" }),
        bands.length > 1 ? iconButton("Remove", () => { bands.splice(i, 1); fixBands(item); changed(true); }, "quiet") : null)),
      iconButton("Add band", () => { bands.splice(bands.length - 1, 0, { max: null, score: 0 }); changed(true); })));
  }
  return out;
}

function fixBands(item) {
  const last = item.bands[item.bands.length - 1];
  if (last) delete last.max;
}

function showIfFields(item, path, earlier) {
  const rule = item.show_if;
  const choices = { "": "Always shown" };
  for (const other of earlier) choices[other.id] = `Only when “${other.text || other.id}” is…`;
  const parts = [field("Show this item", `${path}.show_if.item`, rule ? rule.item : "", { kind: "select", choices })];
  const target = rule && earlier.find((o) => o.id === rule.item);
  if (target) {
    const answers = target.type === "yes_no" ? ["yes", "no"]
      : target.type === "choice" ? (target.options || []).map((o) => o.label) : null;
    if (answers) {
      parts.push(h("fieldset", { class: "checks" }, h("legend", {}, "…one of these answers"),
        answers.map((answer) => {
          const id = `f${++uid}`;
          return h("div", { class: "check" },
            h("input", { type: "checkbox", id, checked: rule.in.includes(answer),
              onchange: (e) => {
                rule.in = e.target.checked ? [...rule.in, answer] : rule.in.filter((a) => a !== answer);
                changed(false);
              } }),
            h("label", { for: id }, answer));
        })));
    } else {
      parts.push(field("…one of these values (comma-separated)", `${path}.show_if.in`, rule.in.join(", "), { kind: "list" }));
    }
  }
  return parts;
}

function itemCard(item, si, ii, earlier) {
  const path = `sections.${si}.items.${ii}`;
  const items = state.sections[si].items;
  const scored = SCORED.includes(item.type);
  const require = item.require || {};
  const card = h("li", { class: "card item-card", "data-item": path,
    ondragover: (event) => { if (dragging) { event.preventDefault(); card.classList.add("drop-target"); } },
    ondragleave: () => card.classList.remove("drop-target"),
    ondrop: (event) => { event.preventDefault(); dropItem(si, ii); },
    ondragend: () => { dragging = null; } },
  foldable(item, h("span", { class: "fold-title" }, h("span", { class: "drag-handle", "aria-hidden": "true" }, "⠿ "),
      `${ii + 1}. ${item.text || "(no text yet)"}`, h("span", { class: "muted" }, ` · ${TYPES[item.type] || item.type}`)),
    h("div", { class: "item-grid" },
      h("div", { class: "item-fields" },
        field("What the auditor checks", `${path}.text`, item.text, { kind: "textarea" }),
        h("div", { class: "pair" },
          field("Answer type", `${path}.type`, item.type, { kind: "select", choices: TYPES }),
          field("Id", `${path}.id`, item.id, { hint: "Letters, digits, - and _; unique in the checklist." })),
        field("Standard it checks", `${path}.standard`, item.standard, { placeholder: "A code from the catalogue, e.g. GRE-1", list: "standard-codes" }),
        standardNote(item.standard),
        field("Guidance for the auditor", `${path}.guidance`, item.guidance, { kind: "textarea" }),
        scored ? field("Points", `${path}.weight`, item.weight ?? 1, { kind: "number" }) : null,
        typeFields(item, path),
        scored ? field("Critical: a zero here caps the whole score", `${path}.critical`, item.critical, { kind: "bool" }) : null,
        scored ? field("N/A allowed", `${path}.allow_na`, item.allow_na, { kind: "bool" }) : null,
        scored ? field("A failed answer needs a comment", `${path}.require.comment_on_fail`, require.comment_on_fail, { kind: "bool" }) : null,
        scored ? field("A failed answer needs a photo", `${path}.require.photo_on_fail`, require.photo_on_fail, { kind: "bool" }) : null,
        scored ? null : field("Must be filled in", `${path}.require.answer`, require.answer, { kind: "bool" }),
        showIfFields(item, path, earlier),
        h("p", { class: "field-errors", "data-errors-for": path })),
      h("div", { class: "preview", "aria-label": "Preview on the auditor's phone" },
        h("p", { class: "hint" }, "On the auditor's phone"), preview(item))),
    h("div", { class: "actions" },
      iconButton("Move up", () => move(items, ii, -1), "quiet"),
      iconButton("Move down", () => move(items, ii, 1), "quiet"),
      items.length > 1 ? iconButton("Remove item", () => { items.splice(ii, 1); changed(true); }, "quiet danger") : null)));
  // The item's title bar is the handle: fields inside stay free to select text in.
  const handle = card.querySelector("summary");
  handle.draggable = true;
  handle.addEventListener("dragstart", (event) => {
    dragging = { si, ii };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id || path);
  });
  return card;
}

// Under the standard: the linked standard's title, or a warning for a code the catalogue does not have.
function standardNote(value) {
  const text = (value || "").trim();
  if (!text) return h("p", { class: "hint standard-note" });
  if (STANDARDS.has(text)) return h("p", { class: "hint standard-note linked" }, `✓ ${text}: ${STANDARDS.get(text)}`);
  if (LOOKS_LIKE_CODE.test(text)) {
    return h("p", { class: "warning standard-note", role: "status" },
      `No standard has the code ${text}. Pick one from the list, or add it to the catalogue; until then it is free text and no report links it.`);
  }
  return h("p", { class: "hint standard-note" }, "Free text: not linked to a standard of the catalogue.");
}

// The preview mirrors the visit form: big answer buttons for the item's type.
function preview(item) {
  const buttons = (labels) => h("div", { class: "answer-buttons" }, labels.map((l) => h("span", { class: "answer" }, l)));
  const body = [];
  if (item.type === "yes_no") body.push(buttons(["Yes", "No", ...(item.allow_na ? ["N/A"] : [])]));
  if (item.type === "scale") {
    const lo = Number(item.min ?? 1), hi = Number(item.max ?? 5);
    const steps = hi > lo && hi - lo <= 10 && Number.isInteger(lo) && Number.isInteger(hi)
      ? Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i)) : [`${lo} … ${hi}`];
    body.push(buttons([...steps, ...(item.allow_na ? ["N/A"] : [])]));
  }
  if (item.type === "choice") body.push(buttons([...(item.options || []).map((o) => o.label || "…"), ...(item.allow_na ? ["N/A"] : [])]));
  if (item.type === "number") body.push(h("div", { class: "answer-number" }, h("span", { class: "answer wide" }, "0"), h("span", {}, item.unit || ""), h("span", { class: "answer" }, "⏱")));
  if (item.type === "text") body.push(h("div", { class: "answer wide tall" }, "Type here…"));
  if (item.type === "photo") body.push(buttons(["Take photo"]));
  return h("div", { class: "phone" },
    h("p", { class: "preview-text" }, item.text || "(no text yet)", item.critical ? h("span", { class: "tag critical" }, "critical") : null),
    body,
    item.standard || item.guidance ? h("p", { class: "hint" }, "ⓘ ", item.standard || "", item.guidance ? ` — ${item.guidance}` : "") : null);
}

function sectionCard(section, si) {
  const path = `sections.${si}`;
  const earlierItems = allItems().filter((x) => x.si < si).map((x) => x.item);
  return h("section", { class: "card section-card" },
    foldable(section, h("h2", { class: "fold-title" }, `Section ${si + 1}`,
      h("span", { class: "muted" }, ` · ${section.title || "(no title yet)"} · ${section.items.length} item(s)`)),
    h("div", { class: "pair" },
      field("Title", `${path}.title`, section.title),
      field("Id", `${path}.id`, section.id)),
    h("div", { class: "pair" },
      field("Section weight (multiplies its points)", `${path}.weight`, section.weight ?? 1, { kind: "number" }),
      field("The auditor names the employee this section scores", `${path}.about`, section.about === "employee", { kind: "bool" })),
    h("p", { class: "field-errors", "data-errors-for": path }),
    h("ol", { class: "item-list" },
      section.items.map((item, ii) => itemCard(item, si, ii, [...earlierItems, ...section.items.slice(0, ii)]))),
    h("div", { class: "actions" },
      iconButton("Add item", () => { section.items.push(blankItem(`${si + 1}-${section.items.length + 1}`)); changed(true); }),
      iconButton("Move section up", () => move(state.sections, si, -1), "quiet"),
      iconButton("Move section down", () => move(state.sections, si, 1), "quiet"),
      state.sections.length > 1 ? iconButton("Remove section", () => { state.sections.splice(si, 1); changed(true); }, "quiet danger") : null)));
}

function render() {
  const existing = root.dataset.existing === "true";
  root.replaceChildren(
    h("section", { class: "card" },
      h("div", { class: "pair" },
        field("Title", "title", state.title),
        existing ? h("div", { class: "field" }, h("span", { class: "label" }, "Id"), h("p", {}, h("code", {}, state.id)))
          : field("Id", "id", state.id, { hint: "Letters, digits, - and _. It cannot change later." })),
      field("Description", "description", state.description, { kind: "textarea" }),
      h("div", { class: "pair" },
        field("Pass mark (%)", "pass_mark", state.pass_mark ?? 0, { kind: "number" }),
        field("Score cap on a critical failure (%)", "critical_cap", state.critical_cap ?? 0, { kind: "number" }))),
    h("div", { class: "actions" },
      iconButton("Fold all items", () => foldAll(true), "quiet"),
      iconButton("Unfold all", () => foldAll(false), "quiet")),
    ...state.sections.map(sectionCard),
    h("div", { class: "actions" },
      iconButton("Add section", () => { state.sections.push(blankSection(state.sections.length + 1)); changed(true); })),
    h("div", { class: "savebar" },
      h("p", { class: "status", id: "editor-status", role: "status", "aria-live": "polite" }),
      h("button", { type: "button", class: "button primary", id: "save", onclick: save }, "Save checklist")));
  showErrors(lastErrors);
}

// State <- inputs

function readInput(el) {
  const kind = el.dataset.kind;
  if (kind === "bool") return el.checked;
  if (kind === "number") return el.value.trim() === "" ? undefined : Number(el.value);
  if (kind === "list") {
    return el.value.split(",").map((v) => v.trim()).filter(Boolean).map((v) => (isNaN(Number(v)) ? v : Number(v)));
  }
  return el.value;
}

function onInput(event) {
  const el = event.target;
  const path = el.dataset.path;
  if (!path) return;
  const value = readInput(el);
  if (path.endsWith(".about")) setPath(path, value ? "employee" : undefined);
  else if (path.endsWith(".show_if.item")) {
    setPath(path.replace(/\.item$/, ""), value ? { item: value, in: [] } : undefined);
  } else if (path.includes(".require.")) {
    const base = path.replace(/\.require\..*$/, "");
    const item = getPath(base);
    item.require = { ...(item.require || {}), [path.split(".").pop()]: value };
  } else setPath(path, value);
  if (path.endsWith(".type")) retype(getPath(path.replace(/\.type$/, "")));
  if (path.endsWith(".standard")) el.closest(".field").nextElementSibling.replaceWith(standardNote(value));
  const rerender = el.dataset.rerender !== undefined || path.endsWith(".show_if.item") || path.endsWith(".label");
  if (event.type === "change" && rerender) changed(true);
  else {
    refreshPreview(el);
    changed(false);
  }
}

function retype(item) {
  for (const [key, owner] of Object.entries(TYPE_KEYS)) if (item.type !== owner) delete item[key];
  if (item.type === "choice" && !item.options) item.options = [{ label: "Yes, fully", score: 1 }, { label: "Partly", score: 0.5 }, { label: "No", score: 0 }];
  if (item.type === "number" && !item.bands) item.bands = [{ max: 2, score: 1 }, { max: 5, score: 0.5 }, { score: 0 }];
  if (item.type === "scale") { item.min ??= 1; item.max ??= 5; }
  if (!SCORED.includes(item.type)) { delete item.critical; delete item.allow_na; delete item.weight; }
}

function refreshPreview(el) {
  const card = el.closest("[data-item]");
  if (!card) return;
  const item = getPath(card.dataset.item);
  card.querySelector(".preview .phone").replaceWith(preview(item));
}

// The document as sent: empty optional fields left out, so the server sees what a file would say.
function documentToSend() {
  const clean = (value) => {
    if (Array.isArray(value)) return value.map(clean);
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === "" || v === undefined || v === null || v === false) continue;
        if (k === "require" && !Object.values(v).some(Boolean)) continue;
        out[k] = clean(v);
      }
      return out;
    }
    return value;
  };
  return clean(state);
}

function changed(rerender) {
  if (rerender) render();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 400);
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": meta("csrf-token"), Accept: "application/json" },
    body: JSON.stringify(body),
  });
}

async function validate() {
  const status = document.getElementById("editor-status");
  try {
    const response = await post(root.dataset.validateUrl, documentToSend());
    const report = await response.json();
    lastErrors = report.errors || [];
    showErrors(lastErrors);
    status.textContent = report.valid ? "No problems found." : `${lastErrors.length} problem(s) to fix before saving.`;
  } catch {
    status.textContent = "Could not check the checklist: no connection.";
  }
}

// "sections[1].items[3].bands" -> "sections.1.items.3.bands"
const dotted = (path) => path.replace(/\[(\d+)\]/g, ".$1");

function showErrors(errors) {
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of root.querySelectorAll(".field-error")) el.remove();
  for (const el of root.querySelectorAll("[data-errors-for]")) el.replaceChildren();
  for (const error of errors) {
    const path = dotted(error.path);
    const input = root.querySelector(`[data-path="${CSS.escape(path)}"]`);
    const message = h("p", { class: "error field-error", role: "alert" }, error.message);
    openDetailsAround(input);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      (input.closest(".field, .check, fieldset") || input).after(message);
      continue;
    }
    // No input for this path (a missing key, a list): show it at the nearest item or section.
    const holders = [...root.querySelectorAll("[data-errors-for]")]
      .filter((el) => path === el.dataset.errorsFor || path.startsWith(el.dataset.errorsFor + "."))
      .sort((a, b) => b.dataset.errorsFor.length - a.dataset.errorsFor.length);
    const holder = holders[0] || document.getElementById("editor-status");
    holder.append(h("span", { class: "error" }, `${error.path}: ${error.message} `));
  }
}

async function save() {
  const status = document.getElementById("editor-status");
  status.textContent = "Saving…";
  try {
    const response = await post(root.dataset.saveUrl, documentToSend());
    const body = await response.json();
    if (response.ok) {
      window.location.assign(`${root.dataset.showUrl}${encodeURIComponent(body.id)}?version=${body.version}`);
      return;
    }
    lastErrors = Object.entries(body.fields || {}).flatMap(([path, messages]) => messages.map((message) => ({ path, message })));
    showErrors(lastErrors);
    status.textContent = `Not saved: ${body.error}`;
  } catch {
    status.textContent = "Not saved: no connection. Your changes are still on this page; try again.";
  }
}

root.addEventListener("input", onInput);
root.addEventListener("change", onInput);
render();
// A new checklist starts empty: say what is missing only once the author has begun.
if (root.dataset.existing === "true") validate();
