// The screens in front of the library, and the actions that change how it is protected: the
// first start (choose a passphrase), the lock screen (unlock), a library whose keys were
// destroyed, the offer to encrypt a library from before encryption, and the emergency key
// wipe. None of them shows case data: they are what the window holds while it is locked.
import { h, mount, toast } from '../dom.js';
import {
  createLibrary, unlockLibrary, openPlaintextLibrary, libraryState, encryptLibrary, onEncryptProgress, destroyKeys,
} from '../api/library.js';
import { assess } from '../passphrase.js';
import { field, clearErrors, showError, showBackendError } from './form.js';
import { openModal, closeModal } from './modal.js';
import { facts } from './format.js';
import { autoLockSeconds, setAutoLockSeconds, describe, CHOICES } from '../idle.js';
import { lockNow } from '../session.js';

/** A password field (`prefix`-`name`) with its label and error slot. */
function secretField(prefix, name, label, autocomplete) {
  return field({ name, label, prefix, type: 'password', attrs: { autocomplete, spellcheck: 'false', autocapitalize: 'off' } });
}

/** The strength hint under a new passphrase, updated as it is typed. */
function strengthHint(input) {
  const bar = h('div', { class: 'strength-bar' }, [1, 2, 3, 4].map(() => h('span')));
  const label = h('strong', { class: 'strength-label' });
  const notes = h('ul', { class: 'strength-notes' });
  const el = h('div', { class: 'strength', 'data-testid': 'passphrase-strength', 'data-level': '0', 'aria-live': 'polite', hidden: true },
    h('div', { class: 'strength-head' }, bar, label), notes);
  input.addEventListener('input', () => {
    const a = assess(input.value);
    el.hidden = !input.value;
    el.dataset.level = String(a.level);
    label.textContent = a.label;
    mount(notes, a.notes.map((n) => h('li', { text: n })));
  });
  return el;
}

/** "Show the passphrase" for the password fields of `form`. */
function showToggle(form) {
  const box = h('input', { type: 'checkbox', 'data-testid': 'show-passphrase' });
  box.addEventListener('change', () => {
    for (const i of form.querySelectorAll('input[data-secret]')) i.type = box.checked ? 'text' : 'password';
  });
  return h('label', { class: 'check show-secret' }, box, h('span', { text: 'Show what I type' }));
}

/**
 * The fields of a new passphrase, typed twice, with the strength hint. Returns { nodes, read }:
 * `read()` gives the passphrase, or null after showing what is wrong (empty, or the two differ).
 */
function newPassphraseFields(form, prefix) {
  const first = secretField(prefix, 'passphrase', 'Passphrase', 'new-password');
  const again = secretField(prefix, 'repeat', 'The same passphrase again', 'new-password');
  const a = first.querySelector('input');
  const b = again.querySelector('input');
  a.dataset.secret = '';
  b.dataset.secret = '';
  const nodes = [first, strengthHint(a), again];
  const read = () => {
    if (!a.value) { showError(form, 'passphrase', 'Choose a passphrase.'); return null; }
    if (a.value !== b.value) {
      showError(form, 'repeat', 'The two passphrases are not the same. Type the second one again.');
      b.value = '';
      return null;
    }
    return a.value;
  };
  const forget = () => { a.value = ''; b.value = ''; };
  return { nodes, read, forget };
}

/** The folder line under a screen's title. */
function where(status) {
  return h('p', { class: 'gate-where' },
    h('span', { class: 'muted', text: 'Library folder ' }), h('span', { class: 'mono', 'data-testid': 'gate-folder', text: status.data_dir }));
}

/** First start: no library yet. Resolves `onCreated(status)` once it is made and open. */
export function setupScreen(status, onCreated) {
  const form = h('form', { class: 'form gate-form', 'data-testid': 'setup-form', novalidate: true });
  const fields = newPassphraseFields(form, 'setup');
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'setup-submit', text: 'Create the library' });
  mount(form, fields.nodes, showToggle(form),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const passphrase = fields.read();
    if (passphrase === null) return;
    submit.disabled = true;
    submit.textContent = 'Making the keys…';
    try {
      const s = await createLibrary(passphrase);
      fields.forget();
      onCreated(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      submit.textContent = 'Create the library';
    }
  });
  return h('section', { class: 'gate-panel', 'data-testid': 'setup-screen' },
    h('h1', { text: 'Welcome to Casefile' }),
    where(status),
    h('p', { text: 'Choose the passphrase that will protect this library. Everything Casefile keeps in it (records, statements, identities, photos, videos and their previews) is encrypted with it, so a lost, stolen or seized laptop shows nothing without it.' }),
    h('p', { class: 'gate-warning', text: 'Nobody can recover a forgotten passphrase, and Casefile has no way around it. Only an organisation recovery key, if your organisation sets one up, can open the library without it.' }),
    form);
}

/** The seconds left before `until` (ms since the epoch), rounded up. */
const secondsLeft = (until) => Math.max(0, Math.ceil((until - Date.now()) / 1000));

/**
 * The lock screen of an encrypted library. `note` says why it locked (or is empty at start).
 * `onUnlocked(status)` once open; `onError(err)` for anything but a wrong passphrase (another
 * window holds the library, say); `onDestroyed(status)` after an emergency key wipe.
 */
export function unlockScreen(status, { note, onUnlocked, onError, onDestroyed }) {
  const form = h('form', { class: 'form gate-form', 'data-testid': 'unlock-form', novalidate: true });
  const pass = secretField('unlock', 'passphrase', 'Passphrase', 'current-password');
  const input = pass.querySelector('input');
  const error = h('div', { class: 'form-error', 'data-testid': 'unlock-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'unlock-submit', text: 'Unlock' });
  mount(form, pass, error, h('div', { class: 'form-actions' }, submit));

  let timer = null;
  const wait = (ms) => {
    clearInterval(timer);
    const until = Date.now() + ms;
    const tick = () => {
      const left = secondsLeft(until);
      submit.disabled = left > 0;
      submit.textContent = left > 0 ? `Unlock (in ${left} s)` : 'Unlock';
      if (!left) clearInterval(timer);
    };
    tick();
    if (ms > 0) timer = setInterval(tick, 250);
  };
  wait(status.retry_after_ms || 0);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!input.value) { error.textContent = 'Type the passphrase of this library.'; error.hidden = false; input.focus(); return; }
    const passphrase = input.value;
    input.value = '';
    submit.disabled = true;
    submit.textContent = 'Unlocking…';
    try {
      const s = await unlockLibrary(passphrase);
      clearInterval(timer);
      onUnlocked(s);
    } catch (err) {
      if (!['wrong_passphrase', 'unlock_delayed', 'invalid_input'].includes(err.code)) { clearInterval(timer); onError(err); return; }
      error.textContent = err.message;
      error.hidden = false;
      let retry = 0;
      try { retry = (await libraryState()).retry_after_ms; } catch { /* the button simply comes back */ }
      wait(retry);
      input.focus();
    }
  });

  return h('section', { class: 'gate-panel', 'data-testid': 'unlock-screen' },
    h('div', { class: 'gate-lock', 'aria-hidden': 'true' }),
    h('h1', { text: 'Casefile is locked' }),
    note ? h('p', { class: 'gate-note', 'data-testid': 'lock-note', text: note }) : null,
    where(status),
    form,
    h('details', { class: 'gate-emergency' },
      h('summary', { text: 'Emergency' }),
      h('p', { class: 'small', text: 'If this laptop is about to be taken, you can destroy the keys of this library: it becomes unreadable here, to anyone.' }),
      h('button', { type: 'button', class: 'button danger', 'data-testid': 'destroy-keys-open', text: 'Destroy keys…',
        onclick: () => openDestroyKeys(status, (s) => { clearInterval(timer); onDestroyed(s); }) })));
}

/** The lock screen of a library from before encryption: it opens without a passphrase. */
export function plaintextLockedScreen(status, { note, onOpened, onError }) {
  const open = h('button', { type: 'button', class: 'button primary', 'data-testid': 'open-plaintext', text: 'Open the library',
    onclick: async () => {
      open.disabled = true;
      try { onOpened(await openPlaintextLibrary()); } catch (err) { onError(err); }
    } });
  return h('section', { class: 'gate-panel', 'data-testid': 'plaintext-locked-screen' },
    h('h1', { text: 'Casefile is locked' }),
    note ? h('p', { class: 'gate-note', 'data-testid': 'lock-note', text: note }) : null,
    where(status),
    h('p', { class: 'gate-warning', text: 'This library is not encrypted. Locking closed it in this window, but anyone who has this laptop, or a copy of its disk, can read its files. Open it and encrypt it to protect it.' }),
    h('div', { class: 'form-actions' }, open));
}

/** A library whose passphrase keys were destroyed. */
export function keysDestroyedScreen(status) {
  const when = status.keys_destroyed_at ? new Date(status.keys_destroyed_at).toLocaleString() : '';
  return h('section', { class: 'gate-panel', 'data-testid': 'keys-destroyed-screen' },
    h('h1', { text: 'The keys of this library were destroyed' }),
    where(status),
    when ? h('p', { class: 'muted', text: `Destroyed ${when}.` }) : null,
    status.recovery_key
      ? h('p', { text: 'No passphrase opens it any more. Only your organisation\'s recovery key can: ask your organisation. With the recovery key file, the casefile command-line tool unlocks the library and sets a new passphrase.' })
      : h('p', { class: 'gate-warning', text: 'No passphrase opens it any more, and no organisation recovery key was set: nothing can open this library again. Its files stay on disk, unreadable.' }));
}

/** The screen when the library cannot be opened (another window holds it, say). */
export function fatalScreen(err, retry) {
  return h('section', { class: 'fatal', 'data-testid': 'fatal-error', role: 'alert' },
    h('h1', { text: 'The library cannot be opened' }),
    h('p', { class: 'fatal-message', text: err.message }),
    h('p', { class: 'muted', text: `Error code: ${err.code}` }),
    retry ? h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', 'data-testid': 'fatal-retry', text: 'Try again', onclick: retry })) : null);
}

/** The banner over every view of a library from before encryption. */
export function encryptBanner(onEncrypted) {
  return h('div', { class: 'notice warn banner', 'data-testid': 'encrypt-banner', role: 'status' },
    h('div', {}, h('strong', { text: 'This library is not encrypted. ' }),
      h('span', { text: 'Anyone who has this laptop, or a copy of its disk, can read every record, statement and photo in it.' })),
    h('button', { type: 'button', class: 'button primary small-btn', 'data-testid': 'encrypt-open', text: 'Encrypt this library…',
      onclick: () => openEncryptForm(onEncrypted) }));
}

/** Encrypting a library from before encryption: a new passphrase, then progress. */
export function openEncryptForm(onEncrypted) {
  const form = h('form', { class: 'form', 'data-testid': 'encrypt-form', novalidate: true });
  const fields = newPassphraseFields(form, 'encrypt');
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted' });
  const progress = h('div', { class: 'progress', 'data-testid': 'encrypt-progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'encrypt-submit', text: 'Encrypt' });
  const cancel = h('button', { type: 'button', class: 'button secondary', text: 'Cancel', onclick: closeModal });
  mount(form,
    h('p', { text: 'Casefile writes an encrypted copy of the database and of every file in the vault beside the library, then switches to it in one step, and overwrites and removes the unencrypted files. If the laptop loses power meanwhile, the library is either still the old one or already the encrypted one, whole.' }),
    h('p', { class: 'small muted', text: 'On SSDs and flash drives, overwritten files can survive in the drive\'s spare blocks: what was stored unencrypted before may still be recoverable with special tools.' }),
    fields.nodes, showToggle(form),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    progress,
    h('div', { class: 'form-actions' }, cancel, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const passphrase = fields.read();
    if (passphrase === null) return;
    submit.disabled = true;
    cancel.disabled = true;
    submit.textContent = 'Encrypting…';
    progress.hidden = false;
    text.textContent = 'Making the keys…';
    const stop = await onEncryptProgress((p) => {
      fill.style.width = `${p.total ? (100 * p.done) / p.total : 100}%`;
      text.textContent = `${p.done} of ${p.total} files encrypted`;
    });
    try {
      const s = await encryptLibrary(passphrase);
      fields.forget();
      closeModal();
      toast('The library is encrypted.');
      onEncrypted(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      cancel.disabled = false;
      submit.textContent = 'Encrypt';
      progress.hidden = true;
    } finally {
      stop();
    }
  });
  openModal('Encrypt this library', form, { testid: 'encrypt-panel' });
}

/**
 * The emergency key wipe, guarded by typing the library folder's name, with what it means.
 * `onDestroyed(status)` after it is done (the library is then locked for good).
 */
export function openDestroyKeys(status, onDestroyed) {
  const form = h('form', { class: 'form', 'data-testid': 'destroy-form', novalidate: true });
  const confirm = field({ name: 'confirm_name', label: `Type the library folder's name, “${status.name}”, to confirm`, prefix: 'destroy', attrs: { spellcheck: 'false', autocapitalize: 'off' } });
  const input = confirm.querySelector('input');
  const submit = h('button', { type: 'submit', class: 'button danger', 'data-testid': 'destroy-submit', text: 'Destroy the keys', disabled: true });
  input.addEventListener('input', () => { submit.disabled = input.value.trim() !== status.name; });
  mount(form,
    h('p', { class: 'gate-warning', text: 'For an imminent seizure. This cannot be undone.' }),
    h('ul', { class: 'consequences' },
      h('li', { text: 'Every passphrase of this library is overwritten on disk, and Casefile locks at once.' }),
      status.recovery_key
        ? h('li', { 'data-testid': 'destroy-recovery', text: 'Afterwards only your organisation\'s recovery key can open the library. No passphrase will, yours included.' })
        : h('li', { 'data-testid': 'destroy-recovery', text: 'This library has no organisation recovery key: afterwards nothing can open it, ever. Everything in it is lost to everyone, you included.' }),
      h('li', { text: 'The encrypted files stay on disk, unreadable without a key. Whatever you exported or handed over before is not affected.' })),
    confirm,
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', text: 'Cancel', onclick: closeModal }), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (input.value.trim() !== status.name) { showError(form, 'confirm_name', `Type ${status.name} exactly.`); return; }
    submit.disabled = true;
    submit.textContent = 'Destroying…';
    try {
      const s = await destroyKeys(input.value.trim());
      closeModal();
      onDestroyed(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      submit.textContent = 'Destroy the keys';
    }
  });
  openModal('Destroy the keys of this library', form, { testid: 'destroy-panel' });
}

/** The Library page's card about how the library is protected: encryption, recovery, locking. */
export function securityCard(status) {
  const encrypted = status.state === 'encrypted';
  const seconds = autoLockSeconds();
  const choices = CHOICES.some(([s]) => s === seconds) ? CHOICES : [...CHOICES, [seconds, describe(seconds)]];
  const select = h('select', { id: 'autolock', 'data-testid': 'autolock-select' },
    choices.map(([s, label]) => h('option', { value: String(s), text: label })));
  select.value = String(seconds);
  select.addEventListener('change', () => {
    setAutoLockSeconds(Number(select.value));
    toast(`Casefile will lock after ${describe(Number(select.value))} without activity.`);
  });
  return h('section', { class: 'card', 'data-testid': 'security-panel' },
    h('h2', { text: 'Protection' }),
    facts([
      ['Encryption', encrypted ? 'On: the database, the originals and their previews are encrypted under your passphrase' : 'Off: this library is not encrypted', 'security-encryption'],
      ['Recovery key', status.recovery_key ? 'Set: your organisation can open this library with its recovery key' : 'None: only a passphrase opens this library', 'security-recovery'],
    ]),
    h('div', { class: 'field' }, h('label', { for: 'autolock', text: 'Lock after this long without activity' }), select),
    h('p', { class: 'muted small', text: 'Lock at any time with Ctrl+L or the Lock button. Casefile also locks when the system goes to sleep (on Linux with systemd-logind).' }),
    h('div', { class: 'form-actions' },
      encrypted ? h('button', { type: 'button', class: 'button danger', 'data-testid': 'destroy-keys-open', text: 'Destroy keys…',
        onclick: () => openDestroyKeys(status, () => lockNow('keys_destroyed')) }) : null,
      h('button', { type: 'button', class: 'button secondary', 'data-testid': 'lock-now', text: 'Lock now', onclick: () => lockNow('user') })));
}
