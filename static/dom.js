// Small DOM helpers shared by the pages' scripts.

/** A tiny DOM builder: text always goes through textContent, never innerHTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "checked" || key === "value") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Open every <details> that hides el, innermost first. */
export function openDetailsAround(el) {
  for (let box = el?.closest("details") ?? null; box; box = box.parentElement?.closest("details") ?? null) box.open = true;
}

/** The content of a <meta name="…"> the page carries (the CSRF token, the current user), or "". */
export const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content || "";
