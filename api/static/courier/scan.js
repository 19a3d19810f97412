/**
 * The label scanner: the rear camera into a <video>, read a few times a second by the browser's
 * own BarcodeDetector, or by the ZXing WebAssembly reader (loaded only when the browser has none).
 */

import { codeFrom } from "./codes.js";

const FORMATS = ["qr_code", "code_128"];
const READ_EVERY_MS = 150; // about 6 reads a second: a cheap phone stays responsive
const SAME_CODE_MS = 1000; // a label held in view is reported once a second at most

/**
 * A BarcodeDetector for QR and Code 128: the native one when it reads both, else the ponyfill.
 * @param {string} barcodeModuleUrl URL of barcode-detector's ponyfill.js
 * @param {string} wasmUrl URL of zxing_reader.wasm
 * @returns {Promise<{detect(source: HTMLVideoElement): Promise<{rawValue: string}[]>}>}
 */
async function makeDetector(barcodeModuleUrl, wasmUrl) {
  const Native = globalThis.BarcodeDetector;
  if (Native && typeof Native.getSupportedFormats === "function") {
    const supported = await Native.getSupportedFormats();
    if (FORMATS.every((format) => supported.includes(format))) return new Native({ formats: FORMATS });
  }
  const reader = await import(barcodeModuleUrl);
  const overrides = {
    locateFile: (/** @type {string} */ path, /** @type {string} */ prefix) =>
      path.endsWith(".wasm") ? wasmUrl : prefix + path,
  };
  reader.setZXingModuleOverrides(overrides);
  // load the WebAssembly now, so a reader that cannot load fails here and not silently later
  await reader.prepareZXingModule({ overrides, fireImmediately: true });
  return new reader.BarcodeDetector({ formats: FORMATS });
}

/**
 * The rear camera's stream; errors keep their name (NotAllowedError, NotFoundError...).
 * @returns {Promise<MediaStream>}
 */
async function openCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    const error = new Error("camera unavailable (the page needs HTTPS)");
    error.name = "NotSupportedError";
    throw error;
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (cause) {
    if (cause instanceof Error) throw cause;
    const error = new Error(String(cause?.message ?? cause), { cause });
    error.name = cause?.name ?? "Error";
    throw error;
  }
}

/**
 * Open the rear camera into the video and report each valid tracking code it reads.
 * @param {HTMLVideoElement} video where the camera is shown
 * @param {{onCode: (code: string) => void, barcodeModuleUrl: string, wasmUrl: string}} options
 *   onCode gets the upper-case code (a QR's tracking URL is reduced to its code)
 * @returns {Promise<{stop(): void}>} stop() releases the camera
 */
export async function startScanner(video, { onCode, barcodeModuleUrl, wasmUrl }) {
  const stream = await openCamera();
  const release = () => {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  let detector;
  try {
    detector = await makeDetector(barcodeModuleUrl, wasmUrl);
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
  } catch (error) {
    release();
    throw error;
  }
  const scanner = readLoop(video, detector, onCode);
  return {
    stop() {
      scanner.stop();
      release();
    },
  };
}

/**
 * Read the video every READ_EVERY_MS (waiting for the previous read), until stopped.
 * @param {HTMLVideoElement} video
 * @param {{detect(source: HTMLVideoElement): Promise<{rawValue: string}[]>}} detector
 * @param {(code: string) => void} onCode
 * @returns {{stop(): void}}
 */
function readLoop(video, detector, onCode) {
  /** @type {Map<string, number>} */
  const lastSeen = new Map();
  let stopped = false;
  let timer = 0;
  const read = async () => {
    const started = performance.now();
    if (!document.hidden && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      let found = [];
      try {
        found = await detector.detect(video);
      } catch {
        found = []; // a frame that cannot be read (resizing, not yet decoded): try the next
      }
      for (const { rawValue } of found) {
        const code = codeFrom(rawValue);
        const now = performance.now();
        if (stopped || !code || now - (lastSeen.get(code) ?? -Infinity) < SAME_CODE_MS) continue;
        lastSeen.set(code, now);
        onCode(code);
      }
    }
    if (!stopped) timer = setTimeout(read, Math.max(0, READ_EVERY_MS - (performance.now() - started)));
  };
  timer = setTimeout(read, 0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
