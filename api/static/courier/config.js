// The page's configuration, the app's texts in Vietnamese and English, and how values are shown.

const CONFIG = JSON.parse(document.getElementById("courier-config").textContent);
const LANG_KEY = "courier.lang";

/** @type {{lang: string, api: string, zone: string, scope: string, worker: string,
 *   vendor: Record<string, string>, messages: Record<string, Record<string, string|string[]>>}} */
export const config = CONFIG;

/** The language chosen on this phone, else the one the page was served in (Vietnamese first). */
export function lang() {
  const chosen = localStorage.getItem(LANG_KEY);
  return chosen === "vi" || chosen === "en" ? chosen : CONFIG.lang;
}

/** Switch the app's language (kept on the phone, offline too). */
export function setLang(value) {
  localStorage.setItem(LANG_KEY, value);
  document.documentElement.lang = value;
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params?.[name] ?? ""));
}

/** A text in the app's language; the English text is its id, %(name)s takes params. */
export function t(message, params) {
  const found = CONFIG.messages[lang()]?.[message];
  return fill(typeof found === "string" && found ? found : message, params);
}

/** A text with a count: %(n)s is the count. */
export function tn(singular, plural, n, params) {
  const forms = CONFIG.messages[lang()]?.[singular];
  let text = n === 1 ? singular : plural;
  if (Array.isArray(forms)) text = lang() === "vi" ? forms[0] : forms[n === 1 ? 0 : 1];
  return fill(text, { n, ...params });
}

const clockFormat = new Map();

/** A time of day, 24 h, in Vietnam time (the service's zone), e.g. 08:30. */
export function clock(value) {
  if (!value) return "";
  const key = lang();
  if (!clockFormat.has(key)) {
    clockFormat.set(
      key,
      new Intl.DateTimeFormat(key === "vi" ? "vi-VN" : "en-GB", {
        timeZone: CONFIG.zone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
    );
  }
  return clockFormat.get(key).format(new Date(value));
}

/** A day as dd/mm/yyyy in Vietnam time. */
export function day(value) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: CONFIG.zone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  }).formatToParts(new Date(value));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("day")}/${get("month")}/${get("year")}`;
}

/** Today's date in Vietnam time, as the API's yyyy-mm-dd. */
export function today() {
  const [d, m, y] = day(Date.now()).split("/");
  return `${y}-${m}-${d}`;
}

/** An amount of đồng, e.g. 50.000 đ. */
export function money(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount)} đ`;
}
