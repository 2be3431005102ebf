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
