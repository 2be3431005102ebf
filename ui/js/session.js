// The lock, reachable from any view without importing app.js (which imports the views): app.js
// says what locking does, and a view (the Library page's Lock and Destroy keys actions) asks
// for it.

let handler = null;

/** Registers what locking does (app.js, once). */
export function setLockHandler(fn) { handler = fn; }

/**
 * Locks now: every case view leaves the page, then the backend closes the library. `reason` is
 * shown on the lock screen: "user", "idle", "suspend", "keys_destroyed".
 */
export function lockNow(reason = 'user') {
  return handler ? handler(reason) : Promise.resolve();
}
