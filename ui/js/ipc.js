// The one module that talks to the Rust backend. Nothing else touches window.__TAURI__.
//
// Every backend command rejects with `{ code, message, field? }`; this module guarantees that
// shape even for failures that happen before the command runs (a missing permission, a
// serialisation error), so views can always show `error.message` and branch on `error.code`.

/**
 * Calls a backend command.
 * @param {string} command  the Rust command name, e.g. "case_list"
 * @param {object} [args]   named arguments (camelCase keys map to the Rust parameter names)
 * @returns {Promise<any>}  the command's result
 */
export async function invoke(command, args = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    throw { code: 'no_backend', message: 'Casefile must be run as the desktop app; the backend is not available.' };
  }
  try {
    return await tauri.core.invoke(command, args);
  } catch (e) {
    throw normaliseError(e);
  }
}

function normaliseError(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    return e;
  }
  return { code: 'internal', message: String(e && e.message ? e.message : e) };
}

/**
 * Listens to a backend event; returns a function that stops listening (safe to call twice).
 * With `signal`, listening also stops when the signal aborts (a view's signal aborts when the
 * route changes), and the handler is never called after that, even for an event already queued.
 * @param {string} event  e.g. "evidence-progress"
 * @param {(payload:any) => void} handler
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<() => void>}
 */
export async function listen(event, handler, { signal } = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.event || (signal && signal.aborted)) return () => {};
  let stopped = false;
  let unlisten = null;
  const drop = () => { try { Promise.resolve(unlisten()).catch(() => {}); } catch { /* already gone */ } };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (signal) signal.removeEventListener('abort', stop);
    if (unlisten) drop();
  };
  if (signal) signal.addEventListener('abort', stop, { once: true });
  try {
    unlisten = await tauri.event.listen(event, (e) => { if (!stopped) handler(e.payload); });
  } catch (e) {
    stopped = true;
    if (signal) signal.removeEventListener('abort', stop);
    throw normaliseError(e);
  }
  // Aborted (or stopped) while the listener was being registered: remove it now.
  if (stopped) drop();
  return stop;
}

/**
 * The URL of a file the backend serves on its `media:` URI scheme (`media_response` in
 * src-tauri/src/evidence.rs, which reads the URL's path as `/<kind>/<id>`):
 * `mediaUrl('thumb', id)` for a thumbnail, `mediaUrl('original', id)` for an original. Every
 * media URL in the UI comes from here.
 *
 * Tauri's `convertFileSrc` knows how the webview spells a custom scheme: `media://localhost/`
 * on Linux and macOS, `http://media.localhost/` on Windows and Android (so the CSP's img-src
 * allows both). It percent-encodes its whole argument, `/` included, and the backend does not
 * decode the path, so it makes the base and each path segment is encoded on its own: the
 * backend sees `/thumb/<id>` on every platform.
 * @param {...string} segments  e.g. "thumb", an evidence id
 * @returns {string}  the URL, or "" outside the desktop app (an image then shows its fallback)
 */
export function mediaUrl(...segments) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core || !tauri.core.convertFileSrc) return '';
  const base = tauri.core.convertFileSrc('', 'media');
  return `${base.endsWith('/') ? base : `${base}/`}${segments.map((x) => encodeURIComponent(x)).join('/')}`;
}

/**
 * The native open dialog. Resolves to the chosen paths ([] if cancelled).
 * @param {{directory?: boolean, multiple?: boolean, title?: string}} options
 */
export async function chooseFiles(options) {
  const r = await invoke('plugin:dialog|open', { options: { multiple: true, ...options } });
  if (!r) return [];
  return Array.isArray(r) ? r : [r];
}

/**
 * Starts a background job and follows it to its end. The end event is listened for before the
 * job starts and matched to the job's id once it is known, so a job that ends at once is not
 * missed.
 * @param {string} doneEvent  e.g. "export-done"; its payload carries `job`
 * @param {() => Promise<string>} start  starts the job, resolves to its id
 * @returns {Promise<{ job: string, done: Promise<any> }>}
 */
export async function runJob(doneEvent, start) {
  const early = new Map();
  let want = null;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const stop = await listen(doneEvent, (d) => {
    if (want !== null && d.job === want) finish(d);
    else early.set(d.job, d);
  });
  try {
    want = await start();
  } catch (e) {
    stop();
    throw e;
  }
  if (early.has(want)) finish(early.get(want));
  return { job: want, done: done.finally(stop) };
}
