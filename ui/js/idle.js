// Auto-lock: the library locks when the window has had no keyboard, mouse or touch input for
// the time the investigator chose (default 10 minutes). The choice is kept in localStorage,
// not in the library, because it must be known while the library is locked; it holds no case
// data. A test may store a few seconds there to see the lock happen.

import { t } from './i18n.js';

const KEY = 'casefile.autoLockSeconds';
export const DEFAULT_SECONDS = 600;

/**
 * A human phrase for `seconds` in the UI language ("10 minutes", "1 година", "45 секунд"), in
 * whole hours or minutes when it is some.
 */
export function describe(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return t('idle.hours', { count: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t('idle.minutes', { count: seconds / 60 });
  return t('idle.seconds', { count: seconds });
}

/** A choice [seconds, label] whose label is worded when read (in the language of the moment). */
function choice(seconds) {
  const c = [seconds];
  Object.defineProperty(c, 1, { get: () => describe(seconds), enumerable: true });
  return c;
}

/** The idle times offered, as [seconds, label]. */
export const CHOICES = [60, 120, 300, 600, 900, 1800, 3600].map(choice);

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
