// What the answers come to, on the visit form: failed items that ask for a comment or photo at
// once, answered/total with the server's score named for what it is, and one list of what stops
// the submit, in checklist order, each entry linking to its item.

import { h } from "./dom.js";
import { fails } from "./visit-rules.js";

const FIELD_LABELS = { visited_at: "Time of the visit", started_at: "Start of the visit", ended_at: "End of the visit", staff_on_duty: "Employees on duty" };

/** Mark failed items; one that needs a comment or a photo says so above its comment field. */
export function showFailHints(form, hints, doc) {
  for (const el of form.querySelectorAll(".visit-item")) {
    const id = el.dataset.item;
    const hint = hints[id];
    const answer = doc.answers[id] || {};
    const failed = fails(hint, answer);
    el.classList.toggle("failed", failed);
    el.querySelector(".ask")?.remove();
    const asks = [];
    if (failed && hint.comment_on_fail && !answer.comment) asks.push("add a comment");
    if (failed && hint.photo_on_fail && !answer.photos?.length) asks.push("take a photo");
    if (asks.length) el.querySelector(".comment")?.before(h("p", { class: "ask", role: "alert" }, `This failed: please ${asks.join(" and ")}.`));
  }
}

/**
 * Answered/total, and the server's score for the record (score, score_revision): for all items or
 * only the answered ones, and whether it predates the latest changes.
 */
export function showScore(box, { done, total }, record) {
  const count = h("p", { class: "progress", "data-answered": done, "data-total": total }, `${done} of ${total} items answered`);
  const line = h("p", { class: "score-now" });
  const score = record.score;
  if (score?.percent === null || score?.percent === undefined) line.textContent = "No score yet: nothing scored has reached the server.";
  else {
    line.append(done === total ? "Score: " : `Score of the ${done} answered item${done === 1 ? "" : "s"}: `, h("strong", {}, `${score.percent.toFixed(1)}%`));
    if (record.score_revision < record.revision) line.append(" (before your latest changes)");
    if (score.critical_failure) line.append(" ", h("span", { class: "tag critical" }, "critical failure"));
  }
  box.replaceChildren(count, line);
}

const itemLabel = (form, id) => form.querySelector(`#item-${CSS.escape(id)} .item-text`)?.firstChild?.textContent.trim() || id;

/** problems ({path: [message]}) under title; the box hides when there is neither. */
export function showProblems(box, form, title, problems) {
  box.replaceChildren();
  const order = [...form.querySelectorAll(".visit-item")].map((el) => el.dataset.item);
  const byItem = new Map();
  const other = [];
  for (const [path, messages] of Object.entries(problems)) {
    const id = path.startsWith("answers.") ? path.split(".")[1] : null;
    if (id && order.includes(id)) byItem.set(id, new Set([...(byItem.get(id) || []), ...messages]));
    else other.push([path, messages]);
  }
  box.hidden = !title && !byItem.size && !other.length;
  if (box.hidden) return;
  const list = h("ul", { class: "missing" },
    order.filter((id) => byItem.has(id)).map((id) => h("li", {},
      h("a", { href: `#item-${id}` }, itemLabel(form, id)), " ", h("span", { class: "hint" }, [...byItem.get(id)].join(" ")))),
    other.map(([path, messages]) =>
      h("li", {}, `${path.startsWith("employees.") ? "Employee" : FIELD_LABELS[path] || path}: ${messages.join(" ")}`)),
  );
  box.append(h("p", { class: "problems-title" }, title || "Still to answer before you can submit:"));
  if (list.children.length) box.append(list);
}
