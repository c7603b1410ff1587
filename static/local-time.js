// Times on the phone's own clock: for datetime-local fields, and for the audit document, whose
// times carry the phone's UTC offset.

const pad = (n) => String(n).padStart(2, "0");

/** "YYYY-MM-DDTHH:MM:SS" as the phone's clock reads at date. */
function localDigits(date) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
}

/** Now, as the value of a datetime-local field ("YYYY-MM-DDTHH:MM"). */
export const localInputNow = () => localDigits(new Date()).slice(0, 16);

/** date as ISO 8601 with the phone's offset, e.g. "2026-11-30T20:15:00+01:00". */
export function isoWithOffset(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${localDigits(date)}${offset >= 0 ? "+" : "-"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
