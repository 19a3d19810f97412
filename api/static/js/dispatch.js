// The dispatcher's forms that ask first (publishing an older plan than the newest, discarding a
// plan): the question is the form's data-confirm. Without JavaScript the button's words and the
// hint next to it say the same, and the form is sent as it is.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
