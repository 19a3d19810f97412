// The screens that read: sign-in, the day's route, one stop, and the outbox.

import { clock, day, lang, money, t, tn, today } from "./config.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { AGAIN, field, h, show, toast } from "./ui.js";

/** What the courier does at a stop, by place, leg and kind: at their post office a dossier is
 * left for the night, or collected from it the next morning. */
export function actionOf(stop) {
  if (stop.place_kind === "post_office") {
    return stop.kind === "delivery"
      ? { label: t("Leave at the post office overnight"), form: "leave" }
      : { label: t("Collect at the post office"), form: "take" };
  }
  const key = `${stop.leg}/${stop.kind}`;
  return {
    "inbound/pickup": { label: t("Collect the dossier"), form: "pickup" },
    "inbound/delivery": { label: t("Hand in at the center"), form: "center" },
    "relay/delivery": { label: t("Hand in at the center"), form: "center" },
    "return/pickup": { label: t("Collect the result at the center"), form: "collect" },
    "return/delivery": { label: t("Deliver the result"), form: "deliver" },
  }[key];
}

/** Whether the stop leaves its dossier at the post office for the night: its window is the
 * center's, which the courier does not reach that day, so only the planned time is shown. */
function overnight(stop) {
  return stop.place_kind === "post_office" && stop.kind === "delivery";
}

/** Whether the stop's form records every dossier of its counter at once (a center, a post office). */
function atCounter(stop) {
  return Boolean(stop.site_id) && !["pickup", "deliver"].includes(actionOf(stop).form);
}

/** What this phone did today that the route it holds does not show yet: actions not sent, and
 * those sent after the route was fetched. Older marks give way to the server's word (a failed
 * stop given again by the dispatcher is to do again). */
export async function currentMarks(route) {
  const all = await store.marks();
  const day = today();
  const fetchedAt = route?.fetchedAt || 0;
  return Object.fromEntries(
    Object.entries(all).filter(([, mark]) => mark.day === day && (!mark.sent || mark.sentAt > fetchedAt)),
  );
}

/** The stop's state on this phone: what the server says, or what was done here since. */
export function stateOf(stop, marks) {
  const mark = marks[stop.job_id];
  if (stop.status !== "pending" || !mark) return { status: stop.status, unsent: false };
  return { status: mark.status, unsent: !mark.sent };
}

const STATUS_LABEL = {
  pending: () => t("To do"),
  done: () => t("Done"),
  failed: () => t("Not done"),
};

/** The sign-in screen: once online, then the phone works all day. */
export async function login(onDone) {
  const waiting = (await store.outbox()).length;
  const last = await store.getMeta("lastUser");
  const notice = waiting && last
    ? tn(
        "%(n)s action recorded by %(name)s is not yet sent: it is sent when %(name)s signs in again on this phone.",
        "%(n)s actions recorded by %(name)s are not yet sent: they are sent when %(name)s signs in again on this phone.",
        waiting,
        { name: last.name },
      )
    : null;
  const user = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("Sign in"));
  const form = h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        error.hidden = true;
        try {
          await sync.login(user.value.trim(), password.value);
          await sync.refreshRoute().catch(() => undefined);
          onDone();
        } catch (e) {
          error.textContent = e instanceof sync.Refused ? e.message : t("No network: signing in needs the network once.");
          error.hidden = false;
        } finally {
          submit.disabled = false;
        }
      },
    },
    field("username", t("Username"), user),
    field("password", t("Password"), password),
    error,
    submit,
  );
  show(
    h("h1", {}, t("Sign in")),
    notice ? h("p", { class: "notice" }, notice) : "",
    h("p", {}, t("Sign in once with the network; the app then works offline all day on this phone.")),
    form,
  );
}

function stopCard(stop, number, marks, group) {
  const action = actionOf(stop);
  const state = stateOf(stop, marks);
  const when = stop.planned_arrival
    ? t("planned %(time)s", { time: clock(stop.planned_arrival) })
    : t("outside the plan");
  const href = group ? `#/${action.form}/${stop.site_id}` : `#/stop/${stop.job_id}`;
  const count = group ? tn("%(n)s dossier", "%(n)s dossiers", group.length) : "";
  const who = group ? `${stop.site_name} · ${count}` : stop.contact_name;
  const codes = group ? group.map((s) => s.tracking_code).join(", ") : stop.tracking_code;
  return h(
    "li",
    { class: `stop ${state.status}` },
    h(
      "a",
      { href, class: "stop-link" },
      h("span", { class: "pos", "aria-hidden": "true" }, String(number)),
      h(
        "span",
        { class: "what" },
        h("strong", {}, action.label),
        h("span", {}, who),
        h("span", { class: "muted" }, overnight(stop) ? when : `${clock(stop.window_start)}–${clock(stop.window_end)} · ${when}`),
        h("span", { class: "muted code" }, codes),
      ),
      h(
        "span",
        { class: `chip ${state.status}` },
        STATUS_LABEL[state.status](),
        state.unsent ? h("span", { class: "unsent" }, " · " + t("not sent")) : "",
      ),
    ),
  );
}

/** The route as cards: a center's pending dossiers of one kind make one card (one handover),
 * placed where the last of them comes (the courier hands in what they have collected). */
function cards(stops, marks) {
  const groups = new Map();
  const keyOf = (stop) => `${stop.site_id}/${actionOf(stop).form}`;
  const grouped = (stop) => stop.site_id && stateOf(stop, marks).status === "pending";
  for (const stop of stops.filter(grouped)) {
    if (!groups.has(keyOf(stop))) groups.set(keyOf(stop), []);
    groups.get(keyOf(stop)).push(stop);
  }
  const out = [];
  for (const stop of stops) {
    const group = grouped(stop) ? groups.get(keyOf(stop)) : null;
    if (!group) out.push({ stop, group: null });
    else if (group.at(-1) === stop) out.push({ stop: group[0], group });
  }
  return out.map((card, i) => ({
    element: stopCard(card.stop, i + 1, marks, card.group),
    state: stateOf(card.stop, marks),
  }));
}

/** The day's route from the phone, refreshed from the server when there is a network. */
export async function route({ again = false } = {}) {
  const date = today();
  const [stored, profile] = await Promise.all([store.getRoute(date), store.getMeta("profile")]);
  const marks = await currentMarks(stored);
  const stops = stored?.stops || [];
  const shown = cards(stops, marks);
  const counts = { pending: 0, done: 0, failed: 0 };
  for (const card of shown) counts[card.state.status] += 1;
  const reload = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        reload.disabled = true;
        try {
          await sync.refreshRoute(date);
          await route();
        } catch (e) {
          toast(e instanceof sync.SignedOut ? e.message : t("No network: the route on the phone is shown."));
          reload.disabled = false;
        }
      },
    },
    t("Refresh"),
  );
  show(
    ...(again ? [AGAIN] : []),
    h("h1", {}, t("Today's route"), h("span", { class: "muted" }, ` · ${day(Date.now())}`)),
    profile ? h("p", { class: "muted" }, `${profile.full_name} · ${profile.code} · ${profile.post_office.name}`) : "",
    h(
      "p",
      { class: "counts" },
      [
        tn("%(n)s to do", "%(n)s to do", counts.pending),
        tn("%(n)s done", "%(n)s done", counts.done),
        tn("%(n)s not done", "%(n)s not done", counts.failed),
      ].join(" · "),
    ),
    stored ? h("p", { class: "muted" }, t("Updated at %(time)s", { time: clock(stored.fetchedAt) })) : "",
    stops.length ? h("ol", { class: "stops" }, shown.map((card) => card.element)) : h("p", { class: "card" }, t("No stops today yet. Refresh when the dispatcher has published the plan.")),
    h("p", { class: "actions" }, reload, h("button", { type: "button", class: "link", onclick: signOut }, t("Sign out"))),
  );
}

async function signOut() {
  const unsent = (await store.outbox()).length;
  const question = unsent
    ? tn(
        "%(n)s action is not yet sent: it stays on this phone and is sent after the next sign-in. Sign out?",
        "%(n)s actions are not yet sent: they stay on this phone and are sent after the next sign-in. Sign out?",
        unsent,
      )
    : t("Sign out of this phone? The route is removed from it.");
  if (!window.confirm(question)) return;
  await sync.signOut();
  location.hash = "#/login";
}

/** The stop with what the form at it needs: found in the phone's route of today. */
export async function findStop(jobId) {
  const stored = await store.getRoute(today());
  return stored?.stops.find((s) => s.job_id === Number(jobId));
}

/** A required document's name in the app's language. */
export function documentName(d) {
  return lang() === "en" ? d.name_en || d.name_vi : d.name_vi;
}

/** What the procedure asks of a document: original or copy, how many. */
export function documentAsked(d) {
  const form = d.original ? t("original") : t("copy");
  return t("asked: %(form)s ×%(n)s", { form, n: d.copies });
}

function documentsList(stop) {
  if (!stop.documents?.length) return "";
  return h(
    "section",
    { class: "card" },
    h("h2", {}, t("Documents to collect")),
    h(
      "ul",
      {},
      stop.documents.map((d) =>
        h("li", {}, documentName(d), h("span", { class: "muted" }, " · " + documentAsked(d))),
      ),
    ),
  );
}

/** One stop: whom to meet, where, when, what to collect or hand over, and what to do. */
export async function stop(jobId) {
  const found = await findStop(jobId);
  const marks = await currentMarks(await store.getRoute(today()));
  if (!found) return notFound();
  const action = actionOf(found);
  const state = stateOf(found, marks);
  const formLink = atCounter(found) ? `#/${action.form}/${found.site_id}` : `#/${action.form}/${found.job_id}`;
  const doable = state.status === "pending";
  // at the courier's own post office there is nobody to miss: no "could not do it"
  const atOffice = found.place_kind === "post_office";
  show(
    h("h1", {}, action.label),
    h(
      "section",
      { class: "card" },
      h("p", {}, h("strong", {}, found.site_name || found.contact_name)),
      h("p", {}, found.address),
      found.point_source === "ward" ? h("p", { class: "notice" }, t("The citizen's point is only the ward's centre: call before you go.")) : "",
      h(
        "p",
        {},
        overnight(found) ? "" : t("Window %(from)s–%(to)s", { from: clock(found.window_start), to: clock(found.window_end) }),
        found.planned_arrival ? (overnight(found) ? "" : " · ") + t("planned %(time)s", { time: clock(found.planned_arrival) }) : "",
      ),
      h("p", {}, t("Dossier %(code)s", { code: found.tracking_code }), " · ", lang() === "en" ? found.procedure_en : found.procedure),
      found.fee_to_collect_vnd ? h("p", {}, t("Fee to collect:") + " ", h("strong", {}, money(found.fee_to_collect_vnd))) : "",
      h(
        "p",
        { class: "actions" },
        found.contact_phone ? h("a", { class: "secondary button", href: `tel:${found.contact_phone}` }, t("Call %(name)s", { name: found.contact_name })) : "",
        h("a", { class: "secondary button", href: found.navigation_url }, t("Navigate")),
      ),
    ),
    documentsList(found),
    doable
      ? h(
          "p",
          { class: "actions" },
          h("a", { class: "primary button", href: formLink }, action.label),
          atOffice ? "" : h("a", { class: "danger button", href: `#/fail/${found.job_id}` }, t("Could not do it")),
        )
      : h("p", { class: `chip ${state.status}` }, STATUS_LABEL[state.status](), state.unsent ? " · " + t("not sent") : ""),
    h("p", {}, h("a", { href: "#/" }, t("Back to the route"))),
  );
}

/** A stop that is not on this phone's route of today. */
export function notFound() {
  show(
    h("h1", {}, t("Not on today's route")),
    h("p", {}, t("This stop is not on the route kept on this phone. Refresh the route.")),
    h("p", {}, h("a", { href: "#/" }, t("Back to the route"))),
  );
}

function actionTitle(action) {
  const codes = action.codes.join(", ");
  const title = action.kind === "attempt" ? t("Not done at %(code)s", { code: codes }) : t("Handover of %(codes)s", { codes });
  return action.who ? `${title} · ${action.who}` : title;
}

function refusedItem(action, onChange) {
  const again = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        again.disabled = true;
        await sync.retryNow({ refused: action.id });
        await onChange();
      },
    },
    t("Try again"),
  );
  const remove = h(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: async () => {
        if (!window.confirm(t("Remove this action from the phone? It will not be sent."))) return;
        await store.removeAction(action.id, { unmark: true });
        await onChange();
      },
    },
    t("Remove"),
  );
  return [
    h("p", { class: "error" }, t("The service refused it: %(why)s", { why: action.error.detail })),
    h("p", {}, t("Call your dispatcher: once they have put it right, try again; if it must not be recorded, remove it.")),
    h("p", { class: "actions" }, again, remove),
  ];
}

function waitingItem(action) {
  if (!action.tries) return h("p", {}, t("Waiting for the network."));
  return h("p", {}, tn("Not sent yet (%(n)s try); it is sent when the network allows.", "Not sent yet (%(n)s tries); it is sent when the network allows.", action.tries));
}

/** What is not yet sent, what the server refused and why, with what to do. Another courier's
 * actions on this phone are only counted (their content is theirs). */
export async function outbox(onChange) {
  const me = (await store.getMeta("profile"))?.code;
  const all = await store.outbox();
  const actions = all.filter((a) => a.owner === me);
  const others = all.length - actions.length;
  const retry = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: async () => {
        retry.disabled = true;
        await sync.retryNow();
        await onChange();
      },
    },
    t("Send now"),
  );
  const items = actions.map((action) =>
    h(
      "li",
      { class: `card ${action.state}` },
      h("p", {}, h("strong", {}, actionTitle(action))),
      h("p", { class: "muted" }, t("Recorded at %(time)s", { time: clock(action.capturedAt) })),
      action.state === "refused" ? refusedItem(action, onChange) : waitingItem(action),
    ),
  );
  const queued = actions.some((a) => a.state !== "refused");
  show(
    h("h1", {}, t("Not yet sent")),
    actions.length ? h("ul", { class: "outbox" }, items) : h("p", { class: "card" }, t("Everything you recorded on this phone has been sent.")),
    others ? h("p", { class: "notice" }, othersWaiting(others)) : "",
    queued ? h("p", { class: "actions" }, retry) : "",
    h("p", {}, h("a", { href: "#/" }, t("Back to the route"))),
  );
}

/** Another courier's actions wait on this phone until they sign in again. */
export function othersWaiting(count) {
  return tn(
    "%(n)s action recorded by another courier waits on this phone until they sign in again.",
    "%(n)s actions recorded by another courier wait on this phone until they sign in again.",
    count,
  );
}
