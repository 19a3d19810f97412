/**
 * Photos of sealed packets, scaled down on the phone before they are stored or sent: a JPEG at
 * most maxSide pixels on its longest side, upright as the camera held it, without EXIF (so
 * without the camera's own GPS tags).
 */

const HEADER_BYTES = 256 * 1024; // where the JPEG's size and EXIF orientation are found

/**
 * A JPEG's size and EXIF orientation from its first segments, or null for anything else.
 * @param {ArrayBuffer} buffer the file's first bytes
 * @returns {{width: number, height: number, orientation: number} | null}
 */
function jpegHeader(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
  let orientation = 1;
  let at = 2;
  while (at + 9 < view.byteLength && view.getUint8(at) === 0xff) {
    const marker = view.getUint8(at + 1);
    const length = view.getUint16(at + 2);
    if (marker === 0xe1 && view.getUint32(at + 4) === 0x45786966) orientation = exifOrientation(view, at + 10);
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's size
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7), orientation };
    }
    at += 2 + length;
  }
  return null;
}

/**
 * The orientation tag (1-8) of the TIFF block at `tiff`, 1 when absent or unreadable.
 * @param {DataView} view
 * @param {number} tiff offset of the TIFF header inside the APP1 segment
 * @returns {number}
 */
function exifOrientation(view, tiff) {
  if (tiff + 8 > view.byteLength) return 1;
  const little = view.getUint16(tiff) === 0x4949;
  const entries = tiff + view.getUint32(tiff + 4, little);
  if (entries + 2 > view.byteLength) return 1;
  const count = view.getUint16(entries, little);
  for (let i = 0; i < count; i += 1) {
    const entry = entries + 2 + i * 12;
    if (entry + 12 > view.byteLength) break;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/**
 * The upright size of the image and the size it is scaled to.
 * @param {Blob} file
 * @param {number} maxSide
 * @returns {Promise<{width: number, height: number} | null>} null when the header does not say
 */
async function targetSize(file, maxSide) {
  const header = jpegHeader(await file.slice(0, HEADER_BYTES).arrayBuffer());
  if (!header) return null;
  const turned = header.orientation >= 5; // 5-8 swap width and height
  const [width, height] = turned ? [header.height, header.width] : [header.width, header.height];
  return fit(width, height, maxSide);
}

/**
 * The size that fits maxSide on the longest side, never larger than the original.
 * @param {number} width
 * @param {number} height
 * @param {number} maxSide
 * @returns {{width: number, height: number}}
 */
function fit(width, height, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The photo decoded upright at the size it is stored at.
 * @param {Blob} file
 * @param {number} maxSide
 * @returns {Promise<ImageBitmap>}
 */
async function decode(file, maxSide) {
  const size = await targetSize(file, maxSide);
  const upright = { imageOrientation: /** @type {const} */ ("from-image") };
  const resize = (/** @type {{width: number, height: number}} */ to) => ({
    ...upright,
    resizeWidth: to.width,
    resizeHeight: to.height,
    resizeQuality: /** @type {const} */ ("high"),
  });
  if (size) return createImageBitmap(file, resize(size));
  const full = await createImageBitmap(file, upright); // not a JPEG: learn its size by decoding
  const to = fit(full.width, full.height, maxSide);
  if (to.width === full.width && to.height === full.height) return full;
  const scaled = await createImageBitmap(full, resize(to));
  full.close();
  return scaled;
}

/**
 * The bitmap as a JPEG: on an OffscreenCanvas where the browser has one, else on a canvas.
 * @param {ImageBitmap} bitmap
 * @param {number} quality
 * @returns {Promise<Blob>}
 */
async function encode(bitmap, quality) {
  const type = "image/jpeg";
  if (typeof OffscreenCanvas === "function" && "convertToBlob" in OffscreenCanvas.prototype) {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d")).drawImage(bitmap, 0, 0);
    return canvas.convertToBlob({ type, quality });
  }
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).drawImage(bitmap, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the photo could not be encoded"))), type, quality),
  );
}

/**
 * A JPEG of the photo whose longest side is at most maxSide (never enlarged), upright.
 * @param {Blob} file the photo as the camera or the file picker gave it
 * @param {{maxSide?: number, quality?: number}} [options]
 * @returns {Promise<{blob: Blob, width: number, height: number}>}
 */
export async function downscale(file, { maxSide = 2000, quality = 0.85 } = {}) {
  const bitmap = await decode(file, maxSide);
  try {
    const blob = await encode(bitmap, quality);
    return { blob, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}
