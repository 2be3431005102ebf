// Handover in the app: the Export dialog (profile, format, destination, progress, cancel), the
// Import dialog (choose, verify first, then merge), and the conflicts a merge left to resolve.
import { h, mount, toast } from '../dom.js';
import { exportBundle, verifyBundle, importBundle, cancelJob, listConflicts, resolveConflict, followJob, chooseSavePath } from '../api/bundle.js';
import { chooseFiles } from '../ipc.js';
import { openModal, closeModal } from './modal.js';

const PROFILES = [
  ['full', 'Full', 'Everything, identities included: for your own organisation.'],
  ['prosecutor', 'Prosecutor', 'Leaves out the identifying details of people who did not consent to sharing with prosecutors.'],
  ['public', 'Public', 'Pseudonyms only; no restricted field, no statement without publication consent, no location of sensitive items, no custody log.'],
];

function progressBar() {
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted' });
  const el = h('div', { class: 'progress', 'data-testid': 'bundle-progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  return { el, set: (done, total, label) => { el.hidden = false; fill.style.width = `${total ? (100 * done) / total : 100}%`; text.textContent = label; } };
}

function mb(n) { return `${(n / 1e6).toFixed(1)} MB`; }

/** The export dialog for case `c`. */
export function openExport(c) {
  const safe = (c.reference || c.title).replace(/[^\w.-]+/g, '_').slice(0, 60);
  const profile = h('div', { class: 'choice-list', role: 'radiogroup' }, PROFILES.map(([v, name, text], i) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'profile', value: v, checked: i === 0 || null, 'data-testid': `export-profile-${v}` }),
    h('span', {}, h('strong', { text: name }), h('span', { class: 'muted small', text: ` — ${text}` })))));
  const zip = h('input', { type: 'checkbox', checked: true, 'data-testid': 'export-zip' });
  const dest = h('input', { id: 'export-out', 'data-testid': 'export-out', placeholder: `/media/usb/${safe}.zip`, autocomplete: 'off' });
  const bar = progressBar();
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const result = h('div', { 'data-testid': 'export-result', hidden: true });
  const go = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'export-start', text: 'Export' });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'export-cancel', text: 'Cancel' });
  let job = null;
  cancel.addEventListener('click', async () => { if (job) { await cancelJob(job); } else closeModal(); });
  const form = h('form', { class: 'form wide', 'data-testid': 'export-form', novalidate: true },
    h('fieldset', { class: 'section' }, h('legend', { text: 'Who is it for?' }), profile),
    h('fieldset', { class: 'section' }, h('legend', { text: 'Where' }),
      h('div', { class: 'pick-row' }, dest,
        h('button', { type: 'button', class: 'button secondary', text: 'Choose…', onclick: async () => {
          try { const p = await chooseSavePath(`${safe}${zip.checked ? '.zip' : ''}`); if (p) dest.value = p; } catch (err) { toast(err.message, 'error'); }
        } })),
      h('label', { class: 'check' }, zip, h('span', { text: 'As one ZIP file (otherwise a folder)' }))),
    error, bar.el, result,
    h('div', { class: 'form-actions' }, cancel, go));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const out = dest.value.trim();
    if (!out) { error.textContent = 'Choose where to write the bundle.'; error.hidden = false; return; }
    const prof = form.querySelector('input[name=profile]:checked').value;
    go.disabled = true;
    try {
      const r = await followJob('export', async () => { job = await exportBundle(c.id, out, zip.checked, prof); return job; },
        (p) => bar.set(p.done, p.total, `${mb(p.done)} of ${mb(p.total)} of originals`));
      job = null;
      bar.el.hidden = true;
      result.hidden = false;
      mount(result, h('div', { class: 'notice' },
        h('div', {}, h('strong', { 'data-testid': 'export-done', text: `Exported to ${r.path}` }),
          h('div', { class: 'small', text: `${r.payload_files} files, ${mb(r.payload_bytes)}, ${r.profile} profile. Signed by key:` }),
          h('div', { class: 'mono small', 'data-testid': 'export-fingerprint', text: r.fingerprint }),
          h('div', { class: 'small muted', text: 'Tell the recipient this fingerprint by another channel so they can confirm the bundle is yours.' }))));
      go.hidden = true;
      cancel.textContent = 'Close';
      cancel.onclick = () => closeModal();
    } catch (err) {
      job = null;
      bar.el.hidden = true;
      error.textContent = err.message;
      error.hidden = false;
      go.disabled = false;
    }
  });
  openModal(`Export ${c.title}`, form, { testid: 'export-panel' });
}

/** The import dialog: choose a bundle, see what verification found, then merge. */
export function openBundleImport(onImported) {
  const path = h('input', { id: 'bundle-path', 'data-testid': 'bundle-path', placeholder: '/media/usb/UA-MAR-001.zip', autocomplete: 'off' });
  const report = h('div', { 'data-testid': 'verify-report' });
  const bar = progressBar();
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const verify = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'bundle-verify', text: 'Verify' });
  const go = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'bundle-import', text: 'Import', disabled: true });
  const pick = (directory) => async () => {
    try {
      const [p] = await chooseFiles({ directory, multiple: false, title: directory ? 'Choose a bundle folder' : 'Choose a bundle ZIP', filters: directory ? undefined : [{ name: 'Bundle', extensions: ['zip'] }] });
      if (p) { path.value = p; runVerify(); }
    } catch (err) { toast(err.message, 'error'); }
  };
  async function runVerify() {
    error.hidden = true;
    go.disabled = true;
    mount(report, h('p', { class: 'muted', text: 'Verifying… every file is re-hashed.' }));
    try {
      const r = await verifyBundle(path.value.trim());
      mount(report, r.ok
        ? h('div', { class: 'notice', 'data-testid': 'verify-ok' },
          h('div', {}, h('strong', { text: `Verified: ${r.case_title || ''}` }),
            h('div', { class: 'small', text: `${r.profile} bundle · ${r.payload_files} files · ${r.custody_entries} custody entries · signed by key` }),
            h('div', { class: 'mono small', 'data-testid': 'verify-fingerprint', text: r.signed_by }),
            h('div', { class: 'small muted', text: 'Confirm this fingerprint with the sender before you rely on it.' })))
        : h('div', { class: 'error-box', 'data-testid': 'verify-problems' },
          h('strong', { text: 'This bundle does not verify and will not be imported:' }),
          h('ul', {}, r.problems.map((p) => h('li', { text: `${p.file || 'bundle'}: ${p.message}` })))));
      go.disabled = !r.ok || r.profile === 'public';
      if (r.ok && r.profile === 'public') report.append(h('p', { class: 'muted', text: 'A public bundle is redacted: it can be read, not merged into a library.' }));
    } catch (err) {
      mount(report, h('div', { class: 'error-box', 'data-testid': 'verify-problems', text: err.message }));
    }
  }
  verify.addEventListener('click', runVerify);
  const form = h('form', { class: 'form wide', 'data-testid': 'bundle-import-form', novalidate: true },
    h('div', { class: 'pick-row' }, path, verify),
    h('div', { class: 'pick-row' },
      h('button', { type: 'button', class: 'button secondary', text: 'Choose ZIP…', onclick: pick(false) }),
      h('button', { type: 'button', class: 'button secondary', text: 'Choose folder…', onclick: pick(true) })),
    report, bar.el, error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', text: 'Close', onclick: closeModal }), go));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    go.disabled = true;
    try {
      const r = await followJob('import', () => importBundle(path.value.trim()), (p) => bar.set(p.done, p.total, `copying originals: ${mb(p.done)} of ${mb(p.total)}`));
      bar.el.hidden = true;
      const c = r.counts;
      mount(report, h('div', { class: 'notice', 'data-testid': 'import-done' },
        h('div', {}, h('strong', { text: r.already_up_to_date ? 'Nothing new: this library already has everything in the bundle.' : `Imported ${r.case_title}` }),
          r.already_up_to_date ? null : h('div', { class: 'small', 'data-testid': 'import-counts',
            text: `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.kept_local} newer here (kept), ${c.conflicts} conflicts; ${r.originals_added} originals` }),
          h('a', { href: `#/cases/${r.case_id}`, 'data-testid': 'open-imported', text: 'Open the case', onclick: () => closeModal() }))));
      onImported(r);
    } catch (err) {
      bar.el.hidden = true;
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  openModal('Import a bundle', form, { testid: 'bundle-import-panel' });
}

/** The conflicts card on a case's overview (nothing when there are none). */
export async function conflictsCard(caseId) {
  const card = h('section', { class: 'card conflicts', 'data-testid': 'conflicts-panel', hidden: true });
  const list = await listConflicts(caseId).catch(() => []);
  const open = list.filter((c) => !c.resolved_at);
  if (!open.length) return card;
  card.hidden = false;
  mount(card, h('h2', { text: `Conflicts to resolve (${open.length})` }),
    h('p', { class: 'muted small', text: 'These records were changed both here and in a bundle since they were last shared. Nothing was overwritten: choose which version to keep. Either choice is recorded in the custody log.' }),
    open.map((c) => {
      const diffs = Object.keys(c.incoming).filter((k) => k !== 'updated_at' && JSON.stringify(c.incoming[k]) !== JSON.stringify(c.local ? c.local[k] : undefined));
      return h('div', { class: 'conflict', 'data-testid': 'conflict', dataset: { id: c.id } },
        h('div', {}, h('strong', { text: `${c.record_type}: ${c.label}` })),
        h('table', { class: 'diff' }, h('tr', {}, h('th', { text: 'Field' }), h('th', { text: 'Here' }), h('th', { text: 'Incoming' })),
          diffs.map((k) => h('tr', {}, h('td', { text: k }), h('td', { text: fmt(c.local && c.local[k]) }), h('td', { text: fmt(c.incoming[k]) })))),
        h('div', { class: 'form-actions' },
          h('button', { class: 'button secondary', 'data-testid': 'keep-local', text: 'Keep ours', onclick: () => resolve(c.id, false, card, caseId) }),
          h('button', { class: 'button primary', 'data-testid': 'take-incoming', text: 'Take incoming', onclick: () => resolve(c.id, true, card, caseId) })));
    }));
  return card;
}

function fmt(v) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function resolve(id, take, card, caseId) {
  try {
    await resolveConflict(id, take);
    toast('Resolved.');
    card.replaceWith(await conflictsCard(caseId));
  } catch (err) { toast(err.message, 'error'); }
}
