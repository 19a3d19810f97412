// A signature pad (signature_pad from npm) sized to its box, giving a PNG.

import { config, t } from "./config.js";
import { fitToBox } from "./fit.js";
import { fieldError, h, onLeave } from "./ui.js";

let SignaturePad;

/** A pad with its label and a clear button; `pad.blob()` is a PNG or null when empty. */
export async function signaturePad(id, label) {
  SignaturePad ??= (await import(config.vendor.signaturePad)).default;
  const canvas = h("canvas", { id, class: "pad", role: "img", "aria-label": label });
  const clear = h("button", { type: "button", class: "link" }, t("Clear"));
  const error = h("p", { class: "error", id: `${id}-error`, hidden: true });
  const box = h("div", { class: "field" }, h("p", { class: "label" }, label), canvas, clear, error);
  const pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" });
  clear.addEventListener("click", () => pad.clear());
  pad.addEventListener("endStroke", () => fieldError(id, null)); // signed: the error is put right
  const resized = fitToBox(pad, canvas);
  onLeave(() => resized.disconnect());
  return {
    element: box,
    isEmpty: () => pad.isEmpty(),
    async blob() {
      if (pad.isEmpty()) return null;
      return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    },
  };
}
