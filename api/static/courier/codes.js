/**
 * UPU S10 tracking codes as the courier app reads them: from a typed entry, from the QR code of
 * a slip (the public tracking URL) or from the Code 128 of a route sheet (the bare code).
 * The same rules as courier/dossiers/codes.py.
 */

const S10 = /^[A-Z]{2}\d{9}[A-Z]{2}$/;
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];
const TRACKING_URL = /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?\/track\/([A-Za-z0-9]+)\/?(?:[?#].*)?$/i;

/**
 * The S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, mod 11).
 * @param {string} serial
 * @returns {number}
 */
function checkDigit(serial) {
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += Number(serial[i]) * WEIGHTS[i];
  const r = 11 - (sum % 11);
  return r === 10 ? 0 : r === 11 ? 5 : r;
}

/**
 * True when the code has the S10 shape and a correct check digit (case and surrounding spaces
 * do not matter).
 * @param {string} code
 * @returns {boolean}
 */
export function isValidCode(code) {
  if (typeof code !== "string") return false;
  const upper = code.trim().toUpperCase();
  return S10.test(upper) && checkDigit(upper.slice(2, 10)) === Number(upper[10]);
}

/**
 * The tracking code a label holds: a tracking URL `http(s)://host/track/<CODE>` (QR code) or
 * the bare code (Code 128); upper case, or null when it is not a valid code.
 * @param {string} raw what the reader decoded, or what was typed
 * @returns {string | null}
 */
export function codeFrom(raw) {
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  const url = TRACKING_URL.exec(text);
  const code = (url ? url[1] : text).toUpperCase();
  return isValidCode(code) ? code : null;
}
