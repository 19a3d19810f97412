// A signature pad's canvas kept at its box's size and the screen's density, its strokes kept.

/**
 * Size the canvas to its box now and whenever the box changes.
 * @param {{toData(): any, fromData(data: any): void, clear(): void}} pad a SignaturePad
 * @param {HTMLCanvasElement} canvas its canvas
 * @returns {ResizeObserver} disconnect it when the pad leaves the page
 */
export function fitToBox(pad, canvas) {
  const fit = () => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  const resized = new ResizeObserver(fit);
  resized.observe(canvas);
  return resized;
}
