// The dispatcher's day: fetched again every 30 s while the tab is visible (the page works without).
const day = document.getElementById("dispatch-day");
const PERIOD_MS = 30_000;
let timer = null;

async function refresh() {
  try {
    const answer = await fetch(day.dataset.refresh, { credentials: "same-origin", cache: "no-store" });
    if (!answer.ok || answer.redirected) return;
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = page.getElementById("dispatch-day");
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
