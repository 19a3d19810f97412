// A signature pad (signature_pad from npm) sized to its box, giving a PNG.

import { config, t } from "./config.js";
import { h, onLeave } from "./ui.js";

let SignaturePad;

/** A pad with its label and a clear button; `pad.blob()` is a PNG or null when empty. */
export async function signaturePad(id, label) {
  SignaturePad ??= (await import(config.vendor.signaturePad)).default;
  const canvas = h("canvas", { id, class: "pad", role: "img", "aria-label": label });
  const clear = h("button", { type: "button", class: "link" }, t("Clear"));
  const error = h("p", { class: "error", id: `${id}-error`, hidden: true });
  const box = h("div", { class: "field" }, h("p", { class: "label" }, label), canvas, clear, error);
  const pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" });
  const fit = () => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  clear.addEventListener("click", () => pad.clear());
  const resized = new ResizeObserver(fit);
  resized.observe(canvas);
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
