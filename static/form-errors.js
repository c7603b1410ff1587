// A form answered with errors: open what hides the first field to mend, and put the cursor there.

const first = document.querySelector('[aria-invalid="true"]');
if (first) {
  for (let box = first.closest("details"); box; box = box.parentElement?.closest("details")) box.open = true;
  first.focus();
  first.scrollIntoView({ block: "center" });
}
