// Casefile's UI entry point: opens the library, then routes `#/...` hashes to views.
import { libraryInfo } from './api/library.js';
import { h, mount } from './dom.js';
import { caseListView } from './views/caseList.js';
import { caseDetailView } from './views/caseDetail.js';
import { incidentView } from './views/incident.js';
import { statementView } from './views/statement.js';
import { personView } from './views/person.js';
import { unitView } from './views/unit.js';
import { evidenceView, openImport } from './views/evidence.js';
import { onFilesDropped } from './api/evidence.js';
import { getCase } from './api/cases.js';
import { toast } from './dom.js';
import { searchView } from './views/search.js';
import { libraryView } from './views/library.js';
import { renderProfile } from './views/profile.js';

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

/** Mounts the view of the current hash (again, if it is already shown). */
function route() {
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

function fatal(err) {
  mount(main, h('section', { class: 'fatal', 'data-testid': 'fatal-error', role: 'alert' },
    h('h1', { text: 'The library cannot be opened' }),
    h('p', { class: 'fatal-message', text: err.message }),
    h('p', { class: 'muted', text: `Error code: ${err.code}` })));
}

async function start() {
  let info;
  try {
    info = await libraryInfo();
  } catch (err) {
    fatal(err);
    return;
  }
  document.querySelector('[data-testid=library-path]').textContent = info.data_dir;
  const key = document.querySelector('[data-testid=key-fingerprint]');
  key.textContent = `Signing key ${info.key.fingerprint.split(' ').slice(0, 4).join(' ')}…`;
  key.title = `This installation signs its exports with the key whose fingerprint is ${info.key.fingerprint}`;
  renderProfile(document.querySelector('[data-testid=profile-summary]'), info.profile);
  document.querySelector('[data-testid=search-form]').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    const p = new URLSearchParams({ q });
    if (currentCase && location.hash.startsWith('#/cases/')) p.set('case', currentCase);
    location.hash = `#/search?${p}`;
  });
  window.addEventListener('hashchange', route);
  route();
  // Files dropped anywhere on the window go into the case on screen.
  onFilesDropped(async (paths) => {
    const m = location.hash.match(/^#\/cases\/([\w-]+)/);
    if (!m) { toast('Open a case first, then drop files on it to add them as evidence.', 'error'); return; }
    try {
      const { case: c } = await getCase(m[1]);
      openImport(c, paths, () => { if (location.hash === `#/cases/${c.id}/evidence`) route(); else location.hash = `#/cases/${c.id}/evidence`; });
    } catch (err) { toast(err.message, 'error'); }
  });
}

start();
