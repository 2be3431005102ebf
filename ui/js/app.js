// Casefile's UI entry point: shows the lock screen the library folder calls for (first start,
// unlock, ...), then routes `#/...` hashes to views; locks on request, on Ctrl+L, after the
// chosen idle time and when the backend says so (the system going to sleep).
//
// Locking is done in the page first, at once: every view is aborted and removed, modals are
// closed, the sidebar's profile and paths and the search box are emptied and cached data is
// forgotten, so the page holds no case data; then the backend closes the library. Unlocking
// returns to the start page (the case list).
//
// After each navigation the focus lands on the new view's heading (its `h1`), or, when only the
// tab of a case changed, on that tab, so a keyboard or screen reader user starts from the top
// of what changed; the sidebar and the case tabs mark the current page with
// `aria-current="page"`. A language chosen in the sidebar (or on a lock screen) draws the view,
// the sidebar and the lock screen again in it.
import { libraryInfo, libraryState, lockLibrary, openPlaintextLibrary, onLibraryLocked } from './api/library.js';
import { h, mount, toast, clearToast } from './dom.js';
import { caseListView } from './views/caseList.js';
import { caseDetailView } from './views/caseDetail.js';
import { incidentView } from './views/incident.js';
import { statementView } from './views/statement.js';
import { personView } from './views/person.js';
import { unitView } from './views/unit.js';
import { evidenceView, openImport } from './views/evidence.js';
import { onFilesDropped } from './api/evidence.js';
import { getCase } from './api/cases.js';
import { searchView } from './views/search.js';
import { libraryView } from './views/library.js';
import { renderProfile, redrawProfile, languageChoice } from './views/profile.js';
import { closeModal, modalOpen } from './views/modal.js';
import { openHelp } from './views/help.js';
import { installShortcuts } from './shortcuts.js';
import {
  setupScreen, unlockScreen, plaintextLockedScreen, keysDestroyedScreen, fatalScreen, encryptBanner,
} from './views/gate.js';
import { forgetVocab } from './vocab.js';
import { watchIdle, touch, describe } from './idle.js';
import { setLockHandler } from './session.js';
import { setLanguage, preferredLanguage, t, errorText } from './i18n.js';
import { forgetJobs } from './jobs.js';

const main = document.getElementById('main');

// Each view is called as view(main, signal, ...): `signal` aborts when the route changes, and a
// view whose signal has aborted renders nothing more (see lifecycle.js).
const routes = [
  [/^#\/cases\/([\w-]+)$/, (m, signal) => caseDetailView(main, signal, m[1])],
  [/^#\/cases\/([\w-]+)\/(incidents|statements|people|units|evidence|timeline|map)$/, (m, signal) => caseDetailView(main, signal, m[1], m[2])],
  [/^#\/evidence\/([\w-]+)$/, (m, signal) => evidenceView(main, signal, m[1])],
  [/^#\/incidents\/([\w-]+)$/, (m, signal) => incidentView(main, signal, m[1])],
  [/^#\/statements\/([\w-]+)$/, (m, signal) => statementView(main, signal, m[1])],
  [/^#\/persons\/([\w-]+)$/, (m, signal) => personView(main, signal, m[1])],
  [/^#\/units\/([\w-]+)$/, (m, signal) => unitView(main, signal, m[1])],
  [/^#\/cases$/, (m, signal) => caseListView(main, signal)],
  [/^#\/library$/, (m, signal) => libraryView(main, signal)],
  [/^#\/search(?:\?(.*))?$/, (m, signal) => searchView(main, signal, new URLSearchParams(m[1] || ''))],
];

/** The case last shown, so a search can be limited to it. */
let currentCase = null;

/** The lifetime of the view on screen: aborted when the next one is mounted. */
let mounted = null;

/** Whether a library is open in the page (case views may be shown). */
let open = false;

const shell = document.querySelector('.shell');
const gate = document.getElementById('gate');
const banner = document.getElementById('banner');
const sidebarFoot = ['profile-summary', 'library-path', 'key-fingerprint'].map((t) => document.querySelector(`[data-testid=${t}]`));
const searchInput = document.querySelector('[data-testid=search-input]');

/** The hash shown last, to tell a change of case tab from a new page. */
let lastHash = null;

/**
 * Marks the sidebar link of the current page: `aria-current="page"` on the page itself, `true`
 * on the section a record page is in (a case's tabs are in Cases); the `active` class follows.
 */
function markCurrent(hash) {
  for (const a of document.querySelectorAll('.nav a')) {
    const href = a.getAttribute('href');
    const page = hash === href || hash.startsWith(`${href}?`);
    const within = !page && hash.startsWith(`${href}/`);
    a.classList.toggle('active', page || within);
    if (page || within) a.setAttribute('aria-current', page ? 'page' : 'true'); else a.removeAttribute('aria-current');
  }
}

/** Resolves to what `find()` gives once it gives something (the view draws it), or null after `ms`. */
function waitFor(signal, find, ms) {
  const found = find();
  if (found || signal.aborted) return Promise.resolve(found || null);
  return new Promise((resolve) => {
    let observer = null;
    let timer = null;
    const done = (v) => {
      if (observer) observer.disconnect();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(null);
    observer = new MutationObserver(() => { const f = find(); if (f) done(f); });
    observer.observe(main, { childList: true, subtree: true });
    timer = setTimeout(() => done(null), ms);
    signal.addEventListener('abort', onAbort);
  });
}

/**
 * Once the view has drawn itself, moves the focus to its heading (or, after a change of case tab,
 * to the tab), unless the person has already moved it somewhere, or a dialog is open.
 */
async function focusView(signal, rendering, tabSwitch) {
  try { await rendering; } catch { /* the view shows its own error */ }
  if (signal.aborted) return;
  const find = () => (tabSwitch && main.querySelector('.tabs [aria-current=page]')) || main.querySelector('h1');
  // A view may draw its heading twice (a first frame, then the whole page): the focus follows
  // the heading that is there once the view settles, if nobody has moved it meanwhile.
  for (let round = 0; round < 3; round++) {
    const target = await waitFor(signal, find, 5000);
    if (!target || signal.aborted || modalOpen()) return;
    const active = document.activeElement;
    if (active && active !== main && active !== document.body && active.isConnected) return;
    if (target.tagName === 'H1' && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
    const replaced = await waitFor(signal, () => (target.isConnected ? null : true), 2000);
    if (!replaced) return;
  }
}

/**
 * Mounts the view of the current hash (again, if it is already shown). With `keepFocus` (a
 * language switched from the sidebar) the focus stays where it is.
 */
function route({ keepFocus = false } = {}) {
  if (!open) return;
  if (mounted) mounted.abort();
  mounted = new AbortController();
  const { signal } = mounted;
  const hash = location.hash || '#/cases';
  const previous = lastHash;
  lastHash = hash;
  const inCase = hash.match(/^#\/cases\/([\w-]+)/);
  if (inCase) currentCase = inCase[1];
  markCurrent(hash);
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (m) {
      const tabSwitch = Boolean(inCase && previous && previous !== hash && previous.match(/^#\/cases\/([\w-]+)/)?.[1] === inCase[1]);
      if (!keepFocus) main.focus({ preventScroll: true });
      const rendering = view(m, signal);
      if (!keepFocus) focusView(signal, rendering, tabSwitch);
      return;
    }
  }
  location.hash = '#/cases';
}

/** The language choice above a lock screen (a first start on an English system, in Ukrainian). */
function gateLanguage() {
  return h('div', { class: 'gate-language' }, languageChoice('gate-language'));
}

/** Shows `panel` alone in the window (the shell hidden). */
function showGate(panel) {
  shell.hidden = true;
  gate.hidden = false;
  mount(gate, h('div', { class: 'gate-column' }, gateLanguage(), panel));
  const first = gate.querySelector('input:not([type=checkbox])');
  if (first) first.focus();
}

/** What the lock screen shown last was for, to draw it again in another language. */
let door = { reason: undefined, detail: undefined };

function fatal(err) {
  showGate(fatalScreen(err, () => showDoor()));
}

/** Removes every trace of the library from the page, at once. */
function wipe() {
  open = false;
  document.body.classList.add('locked');
  if (mounted) { mounted.abort(); mounted = null; }
  closeModal();
  for (const d of document.querySelectorAll('dialog.modal')) d.remove();
  main.replaceChildren();
  banner.replaceChildren();
  for (const el of sidebarFoot) { el.replaceChildren(); el.removeAttribute('title'); }
  redrawProfile({ forget: true });
  searchInput.value = '';
  clearToast();
  forgetJobs();
  forgetVocab();
  currentCase = null;
  lastHash = null;
  // The URL names records by id: back to the start page, without routing.
  history.replaceState(null, '', '#/cases');
  shell.hidden = true;
}

/** What the lock screen says about why the library locked. */
const NOTES = {
  idle: (s) => t('app.lockedIdle', { duration: describe(s) }),
  suspend: () => t('app.lockedSuspend'),
  user: () => '',
};

/**
 * Shows the lock screen the library folder calls for, or the app if a library is open.
 * `reason` (after a lock) is said on the lock screen. `known`: the library's state when the
 * caller has just read it (at start), so the folder is not read twice.
 */
async function showDoor(reason, detail, known = null) {
  door = { reason, detail };
  let status = known;
  try {
    if (!status) status = await libraryState();
  } catch (err) {
    fatal(err);
    return;
  }
  // Open already: the page was reloaded (a view may do that); it stays where it was.
  if (status.unlocked) { enter(status, { stay: true }); return; }
  const note = reason && NOTES[reason] ? NOTES[reason](detail) : '';
  switch (status.state) {
    case 'missing':
      showGate(setupScreen(status, enter));
      break;
    case 'encrypted':
      showGate(unlockScreen(status, { note, onUnlocked: enter, onError: fatal, onDestroyed: () => showDoor() }));
      break;
    case 'plaintext':
      // Nothing to unlock: opened at once at start; after a lock, on request (with a warning).
      if (reason) {
        showGate(plaintextLockedScreen(status, { note, onOpened: enter, onError: fatal }));
      } else {
        try { enter(await openPlaintextLibrary()); } catch (err) { fatal(err); }
      }
      break;
    default:
      showGate(keysDestroyedScreen(status));
  }
}

/** The library is open: the shell, on the start page (or, with `stay`, on the current one). */
async function enter(status, { stay = false } = {}) {
  let info;
  try {
    info = await libraryInfo();
  } catch (err) {
    fatal(err);
    return;
  }
  open = true;
  touch();
  document.body.classList.remove('locked');
  gate.replaceChildren();
  gate.hidden = true;
  shell.hidden = false;
  sidebarFoot[1].textContent = info.data_dir;
  fingerprint = info.key.fingerprint;
  renderProfile(sidebarFoot[0], info.profile);
  wordSidebar();
  mount(banner, status.state === 'plaintext' ? encryptBanner((s) => { mount(banner); if (!s.unlocked) showDoor(); }) : null);
  if (stay || location.hash === '#/cases') route();
  else location.hash = '#/cases';
}

/** The installation's key fingerprint, shown in the sidebar while a library is open. */
let fingerprint = '';

/** The sidebar's words that are not in the static page: the key, the settings, the profile. */
function wordSidebar() {
  sidebarFoot[1].title = t('nav.libraryFolder');
  const key = sidebarFoot[2];
  if (open && fingerprint) {
    key.textContent = t('nav.signingKey', { short: fingerprint.split(' ').slice(0, 4).join(' ') });
    key.title = t('nav.signingKeyTitle', { fingerprint });
  }
  mount(document.querySelector('[data-testid=sidebar-tools]'),
    languageChoice('sidebar-language'),
    h('button', { type: 'button', class: 'link', 'data-testid': 'keyboard-help', 'aria-keyshortcuts': '?',
      text: t('nav.keyboard'), title: t('nav.keyboardTitle'), onclick: () => openHelp() }));
}

let locking = null;

/** Locks: the page first (at once), then the backend. */
function lock(reason = 'user', detail) {
  if (!open) return locking || Promise.resolve();
  wipe();
  showGate(h('section', { class: 'gate-panel', 'data-testid': 'locking' }, h('h1', { text: t('app.locking') })));
  // Should the backend fail to lock, the lock screen comes anyway and says what it knows.
  locking = lockLibrary()
    .catch(() => {})
    .then(() => showDoor(reason, detail))
    .finally(() => { locking = null; });
  return locking;
}

async function start() {
  // The catalogues first: every screen, the lock screens included, is worded from them.
  let first = null;
  try { first = await libraryState(); } catch { /* told by showDoor below */ }
  try { await setLanguage(preferredLanguage(first ? first.system_languages : [])); } catch (err) { console.error('language', err && err.message); }
  // A language switched live: the view on screen (or the lock screen) is drawn again in it; the
  // focus stays on the language choice.
  window.addEventListener('casefile:language', () => {
    if (open) {
      wordSidebar();
      redrawProfile();
      route({ keepFocus: true });
      const choice = document.getElementById('sidebar-language');
      if (choice) choice.focus();
    } else if (!locking && !gate.hidden) {
      showDoor(door.reason, door.detail).then(() => {
        const choice = document.getElementById('gate-language');
        if (choice) choice.focus();
      });
    }
  });
  setLockHandler(lock);
  document.querySelector('[data-testid=search-form]').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    const p = new URLSearchParams({ q });
    if (currentCase && location.hash.startsWith('#/cases/')) p.set('case', currentCase);
    location.hash = `#/search?${p}`;
  });
  document.querySelector('[data-testid=lock-button]').addEventListener('click', () => lock('user'));
  // Ctrl+L (Cmd+L) anywhere, inputs included, whatever the keyboard layout (Ctrl+"д" on the
  // Ukrainian one: the key's position says L).
  window.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key.toLowerCase() === 'l' || e.code === 'KeyL')) {
      e.preventDefault();
      e.stopPropagation();
      lock('user');
    }
  }, { capture: true });
  watchIdle((seconds) => lock('idle', seconds), () => open);
  installShortcuts({ actions: { help: () => openHelp() }, enabled: () => open, main, toast });
  // The skip link: past the sidebar, to the view's heading (the hash stays the route's).
  document.querySelector('[data-testid=skip-link]').addEventListener('click', (e) => {
    e.preventDefault();
    const target = main.querySelector('h1') || main;
    if (target !== main && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  });
  // The backend locked by itself (the system is going to sleep, or the keys were destroyed).
  onLibraryLocked((reason) => {
    if (open) { wipe(); showDoor(reason); } else if (!locking) showDoor(reason);
  });
  window.addEventListener('hashchange', route);
  // Files dropped anywhere on the window go into the case on screen.
  onFilesDropped(async (paths) => {
    if (!open) return;
    const m = location.hash.match(/^#\/cases\/([\w-]+)/);
    if (!m) { toast(t('app.dropNeedsCase'), 'error'); return; }
    try {
      const { case: c } = await getCase(m[1]);
      openImport(c, paths, () => { if (location.hash === `#/cases/${c.id}/evidence`) route(); else location.hash = `#/cases/${c.id}/evidence`; });
    } catch (err) { toast(errorText(err), 'error'); }
  });
  await showDoor(undefined, undefined, first);
}

start();
