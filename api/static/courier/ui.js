// Small helpers to build the screens without HTML strings (nothing the server sends is parsed as
// markup), and the app's toast and banner.

/** An element with attributes (on* are listeners) and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let toastTimer;

/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("shown"), 5000);
}

/** A lasting message under the bar (null hides it); `action` is an optional element. */
export function banner(message, action) {
  const box = document.getElementById("banner");
  box.replaceChildren();
  box.hidden = !message;
  if (message) box.append(h("p", {}, message), action || "");
}

let leaving = [];
let dirty = false;

/** Something was entered on this screen (a form): leaving it asks first. */
export function touched() {
  dirty = true;
}

/** What was entered is kept (recorded) or may go: leaving no longer asks. */
export function clean() {
  dirty = false;
}

/** True when leaving would throw away what was entered. */
export function isDirty() {
  return dirty;
}

/** Something to undo when the courier leaves the screen (a camera, a position watch, a URL). */
export function onLeave(undo) {
  leaving.push(undo);
}

/** Leave the screen: undo what it started. */
export function leave() {
  dirty = false;
  const undo = leaving;
  leaving = [];
  for (const fn of undo) fn();
}

/** Replace the screen's content and move the focus to its heading (keyboard, screen readers);
 * a refresh of the same screen (`again`) keeps where the courier was reading. */
export function show(...children) {
  const again = children[0] === AGAIN;
  if (again) children.shift();
  const view = document.getElementById("view");
  const scrolled = window.scrollY;
  view.replaceChildren(...children);
  if (again) return window.scrollTo(0, scrolled);
  const heading = view.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

/** Pass first to `show` to redraw the same screen in place. */
export const AGAIN = Symbol("again");

/** A labelled field: the label, the control, and a place for its error. */
export function field(id, label, control, hint) {
  control.id = id;
  const error = h("p", { class: "error", id: `${id}-error`, hidden: true });
  const hintLine = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  control.addEventListener("input", () => fieldError(id, null)); // the courier is putting it right
  return h("div", { class: "field" }, h("label", { for: id }, label), hintLine, control, error);
}

/** Show (or clear, with null) the error of a field made by `field`. */
export function fieldError(id, message) {
  const error = document.getElementById(`${id}-error`);
  const control = document.getElementById(id);
  if (!error) return;
  error.textContent = message || "";
  error.hidden = !message;
  const summary = document.getElementById("form-error");
  if (!message && summary && !document.querySelector(".error:not([hidden]):not(#form-error)")) summary.hidden = true; // all put right
  if (!control) return;
  control.setAttribute("aria-invalid", message ? "true" : "false");
  if (message) control.setAttribute("aria-errormessage", error.id);
  // the error is read with the control (an error message must be announced or described)
  const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((each) => each && each !== error.id);
  if (message) described.push(error.id);
  if (described.length) control.setAttribute("aria-describedby", described.join(" "));
  else control.removeAttribute("aria-describedby");
}
