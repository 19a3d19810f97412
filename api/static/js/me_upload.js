// The upload form: one file sent once. A double tap would book the whole file twice, so the
// button is disabled (and says so) while the file is checked; the problems, when any, get focus.
const form = document.querySelector("form.upload");
const button = form ? form.querySelector("button[type=submit]") : null;
if (form && button) {
  const label = button.textContent;
  form.addEventListener("submit", () => {
    button.disabled = true;
    button.textContent = button.dataset.busy || label;
  });
  // coming back with the browser's Back button shows the page as it was left: usable again
  window.addEventListener("pageshow", () => {
    button.disabled = false;
    button.textContent = label;
  });
}
const problems = document.getElementById("problems");
if (problems) problems.focus();
