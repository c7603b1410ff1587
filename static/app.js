// On every page: the service worker, keeping assigned visits for offline use, and a log-out that
// never silently drops unsent work on a shared phone.

import { pendingCount } from "./outbox.js";

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const list = document.getElementById("offline-visits");
    if (list && list.dataset.forms.trim()) {
      const urls = list.dataset.forms.trim().split(/\s+/).map((id) => `/audits/${id}/form`);
      ready.active?.postMessage({ type: "keep-forms", urls });
    }
  } catch {
    // Without a service worker (plain http on a LAN address) the app still works online.
  }
}

function guardLogout() {
  const logout = document.querySelector("form.logout");
  if (!logout) return;
  logout.addEventListener("submit", async (event) => {
    event.preventDefault();
    let waiting = 0;
    try { waiting = await pendingCount(); } catch { /* no IndexedDB: nothing kept */ }
    if (waiting > 0 && !confirm(
      `${waiting} change(s) on this phone have not reached the server yet. They stay on this phone and are sent ` +
      "when their auditor logs in again. Log out anyway?")) return;
    navigator.serviceWorker?.controller?.postMessage({ type: "forget-pages" });
    logout.submit();
  });
}

registerWorker();
guardLogout();
