// The screens in front of the library, and the actions that change how it is protected: the
// first start (choose a passphrase), the lock screen (unlock), a library whose keys were
// destroyed, the offer to encrypt a library from before encryption, and the emergency key
// wipe. None of them shows case data: they are what the window holds while it is locked.
import { h, mount, toast } from '../dom.js';
import { t, errorText, formatDateTime } from '../i18n.js';
import {
  createLibrary, unlockLibrary, openPlaintextLibrary, libraryState, encryptLibrary, onEncryptProgress, destroyKeys,
} from '../api/library.js';
import { assess } from '../passphrase.js';
import { field, clearErrors, showError, showBackendError } from './form.js';
import { openModal, closeModal } from './modal.js';
import { facts } from './format.js';
import { autoLockSeconds, setAutoLockSeconds, CHOICES } from '../idle.js';
import { lockNow } from '../session.js';

/** A password field (`prefix`-`name`) with its label and error slot. */
function secretField(prefix, name, label, autocomplete) {
  return field({ name, label, prefix, type: 'password', attrs: { autocomplete, spellcheck: 'false', autocapitalize: 'off' } });
}

/** A length of time in words: "10 minutes", "1 hour", "45 seconds". */
export function durationText(seconds) {
  if (seconds % 3600 === 0) return t('gate.duration.hours', { count: seconds / 3600 });
  if (seconds % 60 === 0) return t('gate.duration.minutes', { count: seconds / 60 });
  return t('gate.duration.seconds', { count: seconds });
}

/** The strength hint's words for `assess()`'s findings, in the UI language. */
function strengthWords(a) {
  const notes = [t('gate.strength.kinds', { count: a.length, kinds: a.kinds })];
  for (const w of a.warnings || []) notes.push(t('gate.strength.easier', { reason: t(`gate.strength.warning.${w}`) }));
  if (a.level < 3) notes.push(t('gate.strength.advice'));
  return { label: t(`gate.strength.level${a.level}`), notes };
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
    const words = input.value ? strengthWords(a) : { label: '', notes: [] };
    label.textContent = words.label;
    mount(notes, words.notes.map((n) => h('li', { text: n })));
  });
  return el;
}

/** "Show the passphrase" for the password fields of `form`. */
function showToggle(form) {
  const box = h('input', { type: 'checkbox', 'data-testid': 'show-passphrase' });
  box.addEventListener('change', () => {
    for (const i of form.querySelectorAll('input[data-secret]')) i.type = box.checked ? 'text' : 'password';
  });
  return h('label', { class: 'check show-secret' }, box, h('span', { text: t('gate.showTyped') }));
}

/**
 * The fields of a new passphrase, typed twice, with the strength hint. Returns { nodes, read }:
 * `read()` gives the passphrase, or null after showing what is wrong (empty, or the two differ).
 */
function newPassphraseFields(form, prefix) {
  const first = secretField(prefix, 'passphrase', t('gate.passphrase'), 'new-password');
  const again = secretField(prefix, 'repeat', t('gate.passphraseAgain'), 'new-password');
  const a = first.querySelector('input');
  const b = again.querySelector('input');
  a.dataset.secret = '';
  b.dataset.secret = '';
  const nodes = [first, strengthHint(a), again];
  const read = () => {
    if (!a.value) { showError(form, 'passphrase', t('gate.choosePassphrase')); return null; }
    if (a.value !== b.value) {
      showError(form, 'repeat', t('gate.notTheSame'));
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
    h('span', { class: 'muted', text: `${t('nav.libraryFolder')} ` }), h('span', { class: 'mono', 'data-testid': 'gate-folder', text: status.data_dir }));
}

/** First start: no library yet. Resolves `onCreated(status)` once it is made and open. */
export function setupScreen(status, onCreated) {
  const form = h('form', { class: 'form gate-form', 'data-testid': 'setup-form', novalidate: true });
  const fields = newPassphraseFields(form, 'setup');
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'setup-submit', text: t('gate.setup.create') });
  mount(form, fields.nodes, showToggle(form),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const passphrase = fields.read();
    if (passphrase === null) return;
    submit.disabled = true;
    submit.textContent = t('gate.makingKeys');
    try {
      const s = await createLibrary(passphrase);
      fields.forget();
      onCreated(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      submit.textContent = t('gate.setup.create');
    }
  });
  return h('section', { class: 'gate-panel', 'data-testid': 'setup-screen' },
    h('h1', { text: t('gate.setup.title') }),
    where(status),
    h('p', { text: t('gate.setup.intro') }),
    h('p', { class: 'gate-warning', text: t('gate.setup.warning') }),
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
  const pass = secretField('unlock', 'passphrase', t('gate.passphrase'), 'current-password');
  const input = pass.querySelector('input');
  const error = h('div', { class: 'form-error', 'data-testid': 'unlock-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'unlock-submit', text: t('gate.unlock.submit') });
  mount(form, pass, error, h('div', { class: 'form-actions' }, submit));

  let timer = null;
  const wait = (ms) => {
    clearInterval(timer);
    const until = Date.now() + ms;
    const tick = () => {
      const left = secondsLeft(until);
      submit.disabled = left > 0;
      submit.textContent = left > 0 ? t('gate.unlock.submitIn', { count: left }) : t('gate.unlock.submit');
      if (!left) clearInterval(timer);
    };
    tick();
    if (ms > 0) timer = setInterval(tick, 250);
  };
  wait(status.retry_after_ms || 0);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!input.value) { error.textContent = t('gate.unlock.empty'); error.hidden = false; input.focus(); return; }
    const passphrase = input.value;
    input.value = '';
    submit.disabled = true;
    submit.textContent = t('gate.unlock.busy');
    try {
      const s = await unlockLibrary(passphrase);
      clearInterval(timer);
      onUnlocked(s);
    } catch (err) {
      if (!['wrong_passphrase', 'unlock_delayed', 'invalid_input'].includes(err.code)) { clearInterval(timer); onError(err); return; }
      let retry = 0;
      try { retry = (await libraryState()).retry_after_ms; } catch { /* the button simply comes back */ }
      // Worded here, with the wait the backend now asks for (its own message is English).
      const seconds = Math.max(1, Math.ceil(retry / 1000));
      error.textContent = err.code === 'wrong_passphrase' ? t('gate.unlock.wrong', { count: seconds })
        : err.code === 'unlock_delayed' ? t('gate.unlock.delayed', { count: seconds }) : errorText(err);
      error.hidden = false;
      wait(retry);
      input.focus();
    }
  });

  return h('section', { class: 'gate-panel', 'data-testid': 'unlock-screen' },
    h('div', { class: 'gate-lock', 'aria-hidden': 'true' }),
    h('h1', { text: t('gate.locked.title') }),
    note ? h('p', { class: 'gate-note', 'data-testid': 'lock-note', text: note }) : null,
    where(status),
    form,
    h('details', { class: 'gate-emergency' },
      h('summary', { text: t('gate.emergency.title') }),
      h('p', { class: 'small', text: t('gate.emergency.text') }),
      h('button', { type: 'button', class: 'button danger', 'data-testid': 'destroy-keys-open', text: t('gate.destroy.open'),
        onclick: () => openDestroyKeys(status, (s) => { clearInterval(timer); onDestroyed(s); }) })));
}

/** The lock screen of a library from before encryption: it opens without a passphrase. */
export function plaintextLockedScreen(status, { note, onOpened, onError }) {
  const open = h('button', { type: 'button', class: 'button primary', 'data-testid': 'open-plaintext', text: t('gate.plaintext.open'),
    onclick: async () => {
      open.disabled = true;
      try { onOpened(await openPlaintextLibrary()); } catch (err) { onError(err); }
    } });
  return h('section', { class: 'gate-panel', 'data-testid': 'plaintext-locked-screen' },
    h('h1', { text: t('gate.locked.title') }),
    note ? h('p', { class: 'gate-note', 'data-testid': 'lock-note', text: note }) : null,
    where(status),
    h('p', { class: 'gate-warning', text: t('gate.plaintext.warning') }),
    h('div', { class: 'form-actions' }, open));
}

/** A library whose passphrase keys were destroyed. */
export function keysDestroyedScreen(status) {
  const when = status.keys_destroyed_at ? formatDateTime(status.keys_destroyed_at) : '';
  return h('section', { class: 'gate-panel', 'data-testid': 'keys-destroyed-screen' },
    h('h1', { text: t('gate.destroyed.title') }),
    where(status),
    when ? h('p', { class: 'muted', text: t('gate.destroyed.when', { when }) }) : null,
    status.recovery_key
      ? h('p', { text: t('gate.destroyed.recovery') })
      : h('p', { class: 'gate-warning', text: t('gate.destroyed.noRecovery') }));
}

/** The screen when the library cannot be opened (another window holds it, say). */
export function fatalScreen(err, retry) {
  return h('section', { class: 'fatal', 'data-testid': 'fatal-error', role: 'alert' },
    h('h1', { text: t('gate.fatal.title') }),
    h('p', { class: 'fatal-message', text: errorText(err) }),
    h('p', { class: 'muted', text: t('gate.fatal.code', { code: err.code }) }),
    retry ? h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', 'data-testid': 'fatal-retry', text: t('gate.fatal.retry'), onclick: retry })) : null);
}

/** The banner over every view of a library from before encryption. */
export function encryptBanner(onEncrypted) {
  return h('div', { class: 'notice warn banner', 'data-testid': 'encrypt-banner', role: 'status' },
    h('div', {}, h('strong', { text: `${t('gate.banner.title')} ` }),
      h('span', { text: t('gate.banner.text') })),
    h('button', { type: 'button', class: 'button primary small-btn', 'data-testid': 'encrypt-open', text: t('gate.encrypt.open'),
      onclick: () => openEncryptForm(onEncrypted) }));
}

/** Encrypting a library from before encryption: a new passphrase, then progress. */
export function openEncryptForm(onEncrypted) {
  const form = h('form', { class: 'form', 'data-testid': 'encrypt-form', novalidate: true });
  const fields = newPassphraseFields(form, 'encrypt');
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted' });
  const progress = h('div', { class: 'progress', 'data-testid': 'encrypt-progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'encrypt-submit', text: t('gate.encrypt.submit') });
  const cancel = h('button', { type: 'button', class: 'button secondary', text: t('common.cancel'), onclick: closeModal });
  mount(form,
    h('p', { text: t('gate.encrypt.how') }),
    h('p', { class: 'small muted', text: t('gate.encrypt.ssd') }),
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
    submit.textContent = t('gate.encrypt.busy');
    progress.hidden = false;
    text.textContent = t('gate.makingKeys');
    const stop = await onEncryptProgress((p) => {
      fill.style.width = `${p.total ? (100 * p.done) / p.total : 100}%`;
      text.textContent = t('gate.encrypt.progress', { done: p.done, count: p.total });
    });
    try {
      const s = await encryptLibrary(passphrase);
      fields.forget();
      closeModal();
      toast(t('gate.encrypt.done'));
      onEncrypted(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      cancel.disabled = false;
      submit.textContent = t('gate.encrypt.submit');
      progress.hidden = true;
    } finally {
      stop();
    }
  });
  openModal(t('gate.encrypt.title'), form, { testid: 'encrypt-panel', dirty: () => [...form.querySelectorAll('input[data-secret]')].some((i) => i.value) });
}

/**
 * The emergency key wipe, guarded by typing the library folder's name, with what it means.
 * `onDestroyed(status)` after it is done (the library is then locked for good).
 */
export function openDestroyKeys(status, onDestroyed) {
  const form = h('form', { class: 'form', 'data-testid': 'destroy-form', novalidate: true });
  const confirm = field({ name: 'confirm_name', label: t('gate.destroy.confirmLabel', { name: status.name }), prefix: 'destroy', attrs: { spellcheck: 'false', autocapitalize: 'off' } });
  const input = confirm.querySelector('input');
  const submit = h('button', { type: 'submit', class: 'button danger', 'data-testid': 'destroy-submit', text: t('gate.destroy.submit'), disabled: true });
  input.addEventListener('input', () => { submit.disabled = input.value.trim() !== status.name; });
  mount(form,
    h('p', { class: 'gate-warning', text: t('gate.destroy.warning') }),
    h('ul', { class: 'consequences' },
      h('li', { text: t('gate.destroy.overwritten') }),
      status.recovery_key
        ? h('li', { 'data-testid': 'destroy-recovery', text: t('gate.destroy.recovery') })
        : h('li', { 'data-testid': 'destroy-recovery', text: t('gate.destroy.noRecovery') }),
      h('li', { text: t('gate.destroy.filesStay') })),
    confirm,
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', text: t('common.cancel'), onclick: closeModal }), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (input.value.trim() !== status.name) { showError(form, 'confirm_name', t('gate.destroy.typeExactly', { name: status.name })); return; }
    submit.disabled = true;
    submit.textContent = t('gate.destroy.busy');
    try {
      const s = await destroyKeys(input.value.trim());
      closeModal();
      onDestroyed(s);
    } catch (err) {
      showBackendError(form, err);
      submit.disabled = false;
      submit.textContent = t('gate.destroy.submit');
    }
  });
  openModal(t('gate.destroy.title'), form, { testid: 'destroy-panel', dirty: () => !!input.value });
}

/** The Library page's card about how the library is protected: encryption, recovery, locking. */
export function securityCard(status) {
  const encrypted = status.state === 'encrypted';
  const seconds = autoLockSeconds();
  const choices = CHOICES.map(([s]) => s);
  if (!choices.includes(seconds)) choices.push(seconds);
  const select = h('select', { id: 'autolock', 'data-testid': 'autolock-select' },
    choices.map((s) => h('option', { value: String(s), text: durationText(s) })));
  select.value = String(seconds);
  select.addEventListener('change', () => {
    setAutoLockSeconds(Number(select.value));
    toast(t('gate.security.willLock', { duration: durationText(Number(select.value)) }));
  });
  return h('section', { class: 'card', 'data-testid': 'security-panel' },
    h('h2', { text: t('gate.security.title') }),
    facts([
      [t('gate.security.encryption'), encrypted ? t('gate.security.encryptionOn') : t('gate.security.encryptionOff'), 'security-encryption'],
      [t('gate.security.recovery'), status.recovery_key ? t('gate.security.recoverySet') : t('gate.security.recoveryNone'), 'security-recovery'],
    ]),
    h('div', { class: 'field' }, h('label', { for: 'autolock', text: t('gate.security.autolock') }), select),
    h('p', { class: 'muted small', text: t('gate.security.lockHint') }),
    h('div', { class: 'form-actions' },
      encrypted ? h('button', { type: 'button', class: 'button danger', 'data-testid': 'destroy-keys-open', text: t('gate.destroy.open'),
        onclick: () => openDestroyKeys(status, () => lockNow('keys_destroyed')) }) : null,
      h('button', { type: 'button', class: 'button secondary', 'data-testid': 'lock-now', text: t('gate.security.lockNow'), onclick: () => lockNow('user') })));
}
