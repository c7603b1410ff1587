// A discreet stopwatch for waiting times: a small muted button, no ticking numbers, no sound.
// Tap to start, tap again to stop; the number field gets the time in its unit.

function format(seconds) {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
}

export function setUpTimers(root, onFilled) {
  for (const button of root.querySelectorAll("[data-timer]")) {
    const key = `timer:${location.pathname}:${button.dataset.target}`;
    const input = document.getElementById(button.dataset.target);
    button.hidden = false;
    const show = () => {
      const started = Number(sessionStorage.getItem(key));
      button.classList.toggle("running", Boolean(started));
      // A plain word that names the button (for screen readers and voice control alike), never a
      // ticking number that reads as a stopwatch from across the room.
      button.textContent = started ? "Stop timing" : "Time it";
      button.title = started ? `Started ${format((Date.now() - started) / 1000)} ago` : "Time it";
    };
    button.addEventListener("click", () => {
      const started = Number(sessionStorage.getItem(key));
      if (!started) {
        sessionStorage.setItem(key, String(Date.now()));
      } else {
        sessionStorage.removeItem(key);
        const seconds = (Date.now() - started) / 1000;
        input.value = button.dataset.timer === "seconds" ? Math.round(seconds) : Math.round(seconds / 6) / 10;
        onFilled(input);
      }
      show();
    });
    show();
  }
}
