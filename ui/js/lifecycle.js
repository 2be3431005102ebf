// A view's lifetime. The router (app.js) mounts every route with an AbortSignal and aborts it
// when the route changes. A view checks `signal.aborted` after each await and renders nothing
// once it is set (the user has moved on, and `main` belongs to another view); what it started
// that outlives its DOM (backend event listeners, observers, timers, jobs) ends on abort.
// Modals are not views: they close themselves (views/modal.js) and may outlive the view that
// opened them.

/** Runs `fn` once when `signal` aborts (at once if it already has). */
export function onAbort(signal, fn) {
  if (!signal) return;
  if (signal.aborted) fn();
  else signal.addEventListener('abort', () => fn(), { once: true });
}

/**
 * Successive loads of one part of a view (a list reloaded when its filters change): each call
 * returns a new signal and aborts the one it returned before, so a slow earlier load never
 * lands over a later one; all of them abort with `parent`.
 * @param {AbortSignal} parent  the view's signal
 * @returns {() => AbortSignal}
 */
export function sequence(parent) {
  let current = null;
  return () => {
    if (current) current.abort();
    const c = new AbortController();
    if (parent.aborted) c.abort();
    // Removed again when `c` aborts first, so reloads do not pile listeners onto the parent.
    else parent.addEventListener('abort', () => c.abort(), { once: true, signal: c.signal });
    current = c;
    return c.signal;
  };
}
