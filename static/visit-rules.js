// The server's rules for a visit (audits/document.py), checked on the phone so that the form can
// say at once what is shown, what failed and what stops the submit, online or not. Pure functions
// of the checklist's hints ({item id: hint}) and the audit document.

/** Did this answer fail its item (a failing choice, or a band worth nothing)? */
export function fails(hint, answer) {
  if (!answer || answer.na || !("value" in answer)) return false;
  if (hint.fail) return hint.fail.includes(answer.value);
  if (hint.bands && typeof answer.value === "number") {
    const band = hint.bands.find(([max]) => max === null || answer.value <= max);
    return band ? band[1] === 0 : false;
  }
  return false;
}

const hasValue = (answer) =>
  Boolean(answer) && ![undefined, null, ""].includes(answer.value) && !(Array.isArray(answer.value) && !answer.value.length);

export const answered = (hint, answer) => Boolean(answer?.na && hint.allow_na) || hasValue(answer);

/**
 * The items shown, of those in order (the checklist's): an item with show_if is shown when the
 * item it names is shown and answered with a listed value.
 */
export function shownItems(order, hints, doc) {
  const shown = new Set();
  for (const id of order) {
    const rule = hints[id].show_if;
    const answer = rule ? doc.answers[rule.item] || {} : null;
    if (!rule || (shown.has(rule.item) && !answer.na && "value" in answer && rule.in.some((v) => v === answer.value))) shown.add(id);
  }
  return shown;
}

/** How many of these items that count for the score are answered: {done, total}. */
export function progress(ids, hints, doc) {
  const scored = ids.filter((id) => hints[id].scored);
  return { done: scored.filter((id) => answered(hints[id], doc.answers[id])).length, total: scored.length };
}

/**
 * What stands between this document and submitting, as {path: [message]} in checklist order, for
 * the items shown. Photos not uploaded yet are left out: the outbox sends them before it submits.
 */
export function submissionProblems(shown, hints, doc) {
  const problems = {};
  for (const id of shown) {
    const hint = hints[id];
    const answer = doc.answers[id] || {};
    if (hint.scored && !answered(hint, answer)) problems[`answers.${id}`] = [`Answer this item${hint.allow_na ? " or mark it N/A." : "."}`];
    if (hint.answer_required && !hasValue(answer)) problems[`answers.${id}`] = ["This item must be filled in."];
    const failed = fails(hint, answer);
    if (failed && hint.comment_on_fail && !(answer.comment || "").trim()) problems[`answers.${id}.comment`] = ["A failed answer needs a comment."];
    if (failed && hint.photo_on_fail && !answer.photos?.length) problems[`answers.${id}.photos`] = ["A failed answer needs a photo."];
  }
  if (doc.visited_at && new Date(doc.visited_at).getTime() > Date.now() + 10 * 60000) problems.visited_at = ["The visit time is in the future."];
  return problems;
}
