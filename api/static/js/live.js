// A staff page's live part (the element with data-refresh: its URL, or empty for the page itself):
// fetched again every 30 s while the tab is visible. The pages work without it.
const day = document.querySelector("[data-refresh]");
const PERIOD_MS = 30_000;
let timer = null;

async function refresh() {
  // a form being filled in (an opened action, a focused field) is not swept away under the hand
  if (day.querySelector("details[open]") || day.contains(document.activeElement)) return;
  try {
    const answer = await fetch(day.dataset.refresh || location.href, { credentials: "same-origin", cache: "no-store" });
    if (!answer.ok || answer.redirected) return;
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = page.getElementById(day.id);
    if (fresh) day.replaceChildren(...fresh.childNodes);
  } catch {
    // offline for a moment: the next round tries again
  }
}

function start() {
  if (timer === null) timer = setInterval(refresh, PERIOD_MS);
}

function stop() {
  clearInterval(timer);
  timer = null;
}

if (day) {
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      stop();
    } else {
      refresh();
      start();
    }
  });
  if (!document.hidden) start();
}
