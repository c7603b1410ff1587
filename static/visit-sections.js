// The visit form one section at a time: the section map with each section's progress, Previous and
// Next, and links to an item that open its section. The section open is kept for the tab's session.

import { progress } from "./visit-rules.js";

const sectionKey = (form) => `section:${form.dataset.auditId}`;

export function showSection(form, id) {
  for (const section of form.querySelectorAll(".visit-section")) section.classList.toggle("current", section.dataset.section === id);
  for (const link of form.querySelectorAll("[data-section-link]")) {
    if (link.dataset.sectionLink === id) link.setAttribute("aria-current", "step"); else link.removeAttribute("aria-current");
  }
  sessionStorage.setItem(sectionKey(form), id);
}

/** Open the section of an item, bring it into view and put the focus on its first control. */
function openItem(form, itemId) {
  const item = document.getElementById(`item-${itemId}`);
  if (!item || !form.contains(item)) return false;
  showSection(form, item.closest(".visit-section").dataset.section);
  item.scrollIntoView({ block: "start" });
  item.querySelector("input:not([type=hidden]), textarea, select")?.focus({ preventScroll: true });
  return true;
}

export function setUpSections(form) {
  form.classList.add("paged");
  const ids = [...form.querySelectorAll(".visit-section")].map((s) => s.dataset.section);
  const go = (id) => { showSection(form, id); window.scrollTo(0, 0); };
  for (const link of form.querySelectorAll("[data-section-link]")) {
    link.addEventListener("click", (e) => { e.preventDefault(); go(link.dataset.sectionLink); });
  }
  for (const nav of form.querySelectorAll(".section-nav")) {
    nav.hidden = false;
    const here = ids.indexOf(nav.closest(".visit-section").dataset.section);
    for (const button of nav.querySelectorAll("[data-step]")) {
      const target = ids[here + Number(button.dataset.step)];
      button.hidden = !target;
      button.addEventListener("click", () => go(target));
    }
  }
  // Every link to an item, wherever it is on the page (also the server-rendered ones), opens it.
  document.addEventListener("click", (e) => {
    const link = e.target.closest?.("a[href^='#item-']");
    if (link && openItem(form, link.getAttribute("href").slice(6))) e.preventDefault();
  });
  showSection(form, sessionStorage.getItem(sectionKey(form)) || ids[0]);
  if (location.hash.startsWith("#item-")) openItem(form, location.hash.slice(6));
}

/** Each section's answered/total on its link in the map, for the items shown now. */
export function showSectionProgress(form, hints, doc) {
  for (const link of form.querySelectorAll("[data-section-link]")) {
    const section = form.querySelector(`[data-section="${link.dataset.sectionLink}"]`);
    const shown = [...section.querySelectorAll(".visit-item:not([hidden])")].map((el) => el.dataset.item);
    const { done, total } = progress(shown, hints, doc);
    if (!total) continue;
    link.dataset.progress = `${done}/${total}`;
    link.classList.toggle("complete", done === total);
  }
}
