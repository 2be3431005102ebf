// Casefile's UI entry point: shows the lock screen the library folder calls for (first start,
// unlock, ...), then routes `#/...` hashes to views; locks on request, on Ctrl+L, after the
// chosen idle time and when the backend says so (the system going to sleep).
//
// Locking is done in the page first, at once: every view is aborted and removed, modals are
// closed, the sidebar's profile and paths and the search box are emptied and cached data is
// forgotten, so the page holds no case data; then the backend closes the library. Unlocking
// returns to the start page (the case list).
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
import { renderProfile } from './views/profile.js';
import { closeModal } from './views/modal.js';
import {
  setupScreen, unlockScreen, plaintextLockedScreen, keysDestroyedScreen, fatalScreen, encryptBanner,
} from './views/gate.js';
import { forgetVocab } from './vocab.js';
import { watchIdle, touch, describe } from './idle.js';
import { setLockHandler } from './session.js';
import { setLanguage, t } from './i18n.js';
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

/** Mounts the view of the current hash (again, if it is already shown). */
function route() {
  if (!open) return;
  if (mounted) mounted.abort();
  mounted = new AbortController();
  const { signal } = mounted;
  const hash = location.hash || '#/cases';
  const inCase = hash.match(/^#\/cases\/([\w-]+)/);
  if (inCase) currentCase = inCase[1];
  for (const a of document.querySelectorAll('.nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (m) {
      view(m, signal);
      main.focus({ preventScroll: true });
      return;
    }
  }
  location.hash = '#/cases';
}

/** Shows `panel` alone in the window (the shell hidden). */
function showGate(panel) {
  shell.hidden = true;
  gate.hidden = false;
  mount(gate, panel);
  const first = gate.querySelector('input:not([type=checkbox])');
  if (first) first.focus();
}

function fatal(err) {
  showGate(fatalScreen(err, () => showDoor()));
}

/** Removes every trace of the library from the page, at once. */
function wipe() {
  open = false;
  document.body.classList.add('locked');
  if (mounted) { mounted.abort(); mounted = null; }
  closeModal();
  for (const b of document.querySelectorAll('.backdrop')) b.remove();
  main.replaceChildren();
  banner.replaceChildren();
  for (const el of sidebarFoot) { el.replaceChildren(); el.removeAttribute('title'); }
  searchInput.value = '';
  clearToast();
  forgetJobs();
  forgetVocab();
  currentCase = null;
  // The URL names records by id: back to the start page, without routing.
  history.replaceState(null, '', '#/cases');
  shell.hidden = true;
}

const NOTES = {
  idle: (s) => `Locked after ${describe(s)} without activity.`,
  suspend: () => 'Locked because the system went to sleep.',
  user: () => '',
};

/**
 * Shows the lock screen the library folder calls for, or the app if a library is open.
 * `reason` (after a lock) is said on the lock screen.
 */
async function showDoor(reason, detail) {
  let status;
  try {
    status = await libraryState();
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
  sidebarFoot[1].title = t('nav.libraryFolder');
  const key = sidebarFoot[2];
  key.textContent = `Signing key ${info.key.fingerprint.split(' ').slice(0, 4).join(' ')}…`;
  key.title = `This installation signs its exports with the key whose fingerprint is ${info.key.fingerprint}`;
  renderProfile(sidebarFoot[0], info.profile);
  mount(banner, status.state === 'plaintext' ? encryptBanner((s) => { mount(banner); if (!s.unlocked) showDoor(); }) : null);
  if (stay || location.hash === '#/cases') route();
  else location.hash = '#/cases';
}

let locking = null;

/** Locks: the page first (at once), then the backend. */
function lock(reason = 'user', detail) {
  if (!open) return locking || Promise.resolve();
  wipe();
  showGate(h('section', { class: 'gate-panel', 'data-testid': 'locking' }, h('h1', { text: 'Locking…' })));
  // Should the backend fail to lock, the lock screen comes anyway and says what it knows.
  locking = lockLibrary()
    .catch(() => {})
    .then(() => showDoor(reason, detail))
    .finally(() => { locking = null; });
  return locking;
}

async function start() {
  // The catalogues first: every screen, the lock screens included, is worded from them.
  try { await setLanguage(); } catch (err) { console.error('language', err && err.message); }
  // A language switched live: the view on screen is drawn again in it.
  window.addEventListener('casefile:language', () => { if (open) route(); });
  setLockHandler(lock);
  document.querySelector('[data-testid=search-form]').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    const p = new URLSearchParams({ q });
    if (currentCase && location.hash.startsWith('#/cases/')) p.set('case', currentCase);
    location.hash = `#/search?${p}`;
  });
  document.querySelector('[data-testid=lock-button]').addEventListener('click', () => lock('user'));
  // Ctrl+L (Cmd+L) anywhere, inputs included.
  window.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'l') {
      e.preventDefault();
      e.stopPropagation();
      lock('user');
    }
  }, { capture: true });
  watchIdle((seconds) => lock('idle', seconds), () => open);
  // The backend locked by itself (the system is going to sleep, or the keys were destroyed).
  onLibraryLocked((reason) => {
    if (open) { wipe(); showDoor(reason); } else if (!locking) showDoor(reason);
  });
  window.addEventListener('hashchange', route);
  // Files dropped anywhere on the window go into the case on screen.
  onFilesDropped(async (paths) => {
    if (!open) return;
    const m = location.hash.match(/^#\/cases\/([\w-]+)/);
    if (!m) { toast('Open a case first, then drop files on it to add them as evidence.', 'error'); return; }
    try {
      const { case: c } = await getCase(m[1]);
      openImport(c, paths, () => { if (location.hash === `#/cases/${c.id}/evidence`) route(); else location.hash = `#/cases/${c.id}/evidence`; });
    } catch (err) { toast(err.message, 'error'); }
  });
  await showDoor();
}

start();
