// A form answered with errors: open what hides the first field to mend, and put the cursor there.

import { openDetailsAround } from "./dom.js";

const first = document.querySelector('[aria-invalid="true"]');
if (first) {
  openDetailsAround(first);
  first.focus();
  first.scrollIntoView({ block: "center" });
}
