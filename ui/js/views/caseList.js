// The list of cases in the library.
import { h, mount, formatTime, toast } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { listCases } from '../api/cases.js';
import { openCaseForm } from './caseForm.js';
import { statusBadge } from './status.js';
import { loadSample } from '../api/contents.js';
import { libraryInfo } from '../api/library.js';
import { openProfileForm } from './profile.js';
import { openBundleImport } from './bundle.js';

/** The case list; renders nothing once `signal` aborts (the user went elsewhere). */
export async function caseListView(main, signal) {
  if (signal.aborted) return;
  const newButton = h('button', { type: 'button', class: 'button primary', 'data-testid': 'new-case', text: t('caseList.new'),
    'aria-keyshortcuts': 'N', onclick: () => openCaseForm(null, (c) => { location.hash = `#/cases/${c.id}`; }) });
  // The `n` shortcut (shortcuts.js) makes a new case here.
  window.addEventListener('casefile:new-record', (e) => { e.preventDefault(); newButton.click(); }, { signal });
  const body = h('div', { class: 'list-body' }, h('div', { class: 'muted pad', role: 'status', text: t('caseList.loading') }));
  const sampleButton = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'load-sample', text: t('caseList.sample'),
    title: t('caseList.sampleTitle'),
    onclick: async () => {
      sampleButton.disabled = true;
      try {
        const c = await loadSample();
        // Open it unless the user has gone elsewhere meanwhile (it is in the list either way).
        if (!signal.aborted) location.hash = `#/cases/${c.id}`;
      } catch (err) { sampleButton.disabled = false; toast(errorText(err), 'error'); }
    } });
  mount(main,
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', { tabindex: '-1', text: t('caseList.heading') }), h('p', { class: 'muted', 'data-testid': 'case-count' })),
      h('div', { class: 'head-actions' }, sampleButton,
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'import-bundle', text: t('caseList.importBundle'), onclick: () => openBundleImport(() => caseListView(main, signal)) }),
        newButton)),
    body);

  let cases;
  try {
    const [list, info] = await Promise.all([listCases(), libraryInfo()]);
    if (signal.aborted) return;
    cases = list;
    if (!info.profile) {
      const banner = h('div', { class: 'notice', 'data-testid': 'profile-notice' },
        h('div', {}, h('strong', { text: t('caseList.whoHeading') }), ' ',
          h('span', { text: t('caseList.whoText') })),
        h('button', { type: 'button', class: 'button secondary small-btn', 'data-testid': 'set-profile-notice', text: t('caseList.setProfile'),
          onclick: () => openProfileForm(document.querySelector('[data-testid=profile-summary]'), null, () => banner.remove()) }));
      main.querySelector('.page-head').after(banner);
    }
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  main.querySelector('[data-testid=case-count]').textContent = t('caseList.count', { count: cases.length });

  if (cases.length === 0) {
    mount(body, h('div', { class: 'empty', 'data-testid': 'empty-state' },
      h('h2', { text: t('caseList.emptyHeading') }),
      h('p', { text: t('caseList.emptyText') }),
      h('button', { type: 'button', class: 'button primary', text: t('caseList.createFirst'),
        onclick: () => newButton.click() })));
    return;
  }

  const rows = cases.map((c) => h('a', {
    class: 'case-row', href: `#/cases/${c.id}`, 'data-testid': 'case-row', dataset: { id: c.id } },
    h('span', { class: 'ref mono', text: c.reference || '—', 'aria-label': c.reference ? null : t('caseList.noReference') }),
    h('span', { class: 'title', text: c.title }),
    statusBadge(c.status),
    h('span', { class: 'muted time', text: formatTime(c.updated_at) })));
  // The rows are links (a screen reader lists them as such); the column heads are for the eye.
  mount(body, h('div', { class: 'table', 'data-testid': 'case-list' },
    h('div', { class: 'table-head case-row-grid', 'aria-hidden': 'true' },
      h('span', { text: t('caseList.colReference') }), h('span', { text: t('caseList.colTitle') }),
      h('span', { text: t('caseList.colStatus') }), h('span', { text: t('caseList.colChanged') })),
    rows));
}
