// What the app keeps on the phone (IndexedDB): the session, the day's route, the outbox of
// actions not yet sent (with their photos and signatures), and what was done at each stop.

import { config } from "./config.js";

const NAME = "courier";
const VERSION = 1;
let opened;

async function db() {
  if (!opened) {
    const { openDB } = await import(config.vendor.idb);
    opened = openDB(NAME, VERSION, {
      upgrade(database, oldVersion) {
        // each version adds what it needs to what the phone already has: the outbox is kept
        if (oldVersion < 1) {
          database.createObjectStore("meta");
          database.createObjectStore("routes");
          database.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
          database.createObjectStore("marks");
        }
      },
      // another tab holds an older version open: it closes and reloads, so neither waits forever
      blocked: () => location.reload(),
      blocking: (_current, _blocked, event) => {
        event.target.close();
        location.reload();
      },
    });
  }
  return opened;
}

/** A value kept under a name (session, profile), or undefined. */
export async function getMeta(key) {
  return (await db()).get("meta", key);
}

/** Keep a value under a name; undefined removes it. */
export async function setMeta(key, value) {
  const database = await db();
  if (value === undefined) return database.delete("meta", key);
  return database.put("meta", value, key);
}

/** The route of a day as last fetched: {stops, fetchedAt}. */
export async function getRoute(date) {
  return (await db()).get("routes", date);
}

/** Keep the route of a day; older days are forgotten (their dossiers' details with them). */
export async function putRoute(date, route) {
  const database = await db();
  const tx = database.transaction("routes", "readwrite");
  for (const key of await tx.store.getAllKeys()) {
    if (key < date) await tx.store.delete(key);
  }
  await tx.store.put(route, date);
  await tx.done;
}

/** Add an action to the outbox, in order; marks say what it did to its stops, in one go. */
export async function enqueue(action, marks) {
  const database = await db();
  const tx = database.transaction(["outbox", "marks"], "readwrite");
  const id = await tx.objectStore("outbox").add({
    ...action,
    state: "queued",
    tries: 0,
    nextAt: 0,
  });
  for (const [jobId, mark] of Object.entries(marks)) {
    await tx.objectStore("marks").put({ ...mark, actionId: id }, Number(jobId));
  }
  await tx.done;
  return id;
}

/** Every action not yet accepted by the server, oldest first. */
export async function outbox() {
  return (await db()).getAll("outbox");
}

/** Save an action's new state (tries, next attempt, a refusal), unless it is gone meanwhile
 * (another tab had it accepted): a stale state never brings it back. */
export async function updateAction(action) {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  if (await tx.store.get(action.id)) await tx.store.put(action);
  await tx.done;
}

/** The server accepted the action: drop it (its stops stay marked as done or failed). */
export async function removeAction(id, { unmark = false } = {}) {
  const database = await db();
  const tx = database.transaction(["outbox", "marks"], "readwrite");
  await tx.objectStore("outbox").delete(id);
  let cursor = await tx.objectStore("marks").openCursor();
  while (cursor) {
    if (cursor.value.actionId === id) {
      if (unmark) await cursor.delete();
      else await cursor.update({ ...cursor.value, sent: true, sentAt: Date.now() });
    }
    cursor = await cursor.continue();
  }
  await tx.done;
}

/** What was done at each stop on this phone: {jobId: {status, sent, actionId}}. */
export async function marks() {
  const database = await db();
  const keys = await database.getAllKeys("marks");
  const values = await database.getAll("marks");
  return Object.fromEntries(keys.map((key, i) => [key, values[i]]));
}

/** Forget the courier's day and session (signing out, or a phone signed out by the dispatcher):
 * the outbox stays, its actions still belong to whoever recorded them. */
export async function clearAll({ keep = [] } = {}) {
  const database = await db();
  const kept = await Promise.all(keep.map((key) => database.get("meta", key)));
  for (const name of ["meta", "routes", "marks"]) await database.clear(name);
  await Promise.all(keep.map((key, i) => kept[i] !== undefined && database.put("meta", kept[i], key)));
}
