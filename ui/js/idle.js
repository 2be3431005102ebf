// Auto-lock: the library locks when the window has had no keyboard, mouse or touch input for
// the time the investigator chose (default 10 minutes). The choice is kept in localStorage,
// not in the library, because it must be known while the library is locked; it holds no case
// data. A test may store a few seconds there to see the lock happen.

const KEY = 'casefile.autoLockSeconds';
export const DEFAULT_SECONDS = 600;
export const CHOICES = [[60, '1 minute'], [120, '2 minutes'], [300, '5 minutes'], [600, '10 minutes'],
  [900, '15 minutes'], [1800, '30 minutes'], [3600, '1 hour']];

/** The idle time before the library locks, in seconds. */
export function autoLockSeconds() {
  let v = NaN;
  try { v = Number(localStorage.getItem(KEY)); } catch { /* storage unavailable: the default */ }
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_SECONDS;
}

/** Sets the idle time before the library locks, in seconds. */
export function setAutoLockSeconds(seconds) {
  localStorage.setItem(KEY, String(seconds));
}

/** A human phrase for `seconds` ("10 minutes", "5 seconds"). */
export function describe(seconds) {
  const known = CHOICES.find(([s]) => s === seconds);
  if (known) return known[1];
  return seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} seconds`;
}

let last = Date.now();

/** Counts now as activity (also called when the library is unlocked). */
export function touch() { last = Date.now(); }

/**
 * Calls `onIdle()` once the window has had no input for the chosen time, whenever `active()`
 * says there is something to lock. Checked every second, so a changed choice applies at once.
 */
export function watchIdle(onIdle, active) {
  for (const ev of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'input']) {
    window.addEventListener(ev, touch, { capture: true, passive: true });
  }
  setInterval(() => {
    if (active() && Date.now() - last >= autoLockSeconds() * 1000) onIdle(autoLockSeconds());
  }, 1000);
}
