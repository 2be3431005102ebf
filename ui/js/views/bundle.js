// Handover in the app: the Export dialog (profile, format, destination, progress, cancel), the
// Import dialog (choose, verify first, then merge), and the conflicts a merge left to resolve.
import { h, mount, toast } from '../dom.js';
import { exportBundle, verifyBundle, importBundle, cancelJob, listConflicts, resolveConflict, followJob, chooseSavePath, caseStanding, caseProvenance, lastExportProfile } from '../api/bundle.js';
import { libraryInfo, setProfile } from '../api/library.js';
import { renderProfile } from './profile.js';
import { chooseFiles } from '../ipc.js';
import { openModal, closeModal } from './modal.js';
import { formatTime } from '../dom.js';

// The least revealing first: the dialog opens on it unless this case was last exported otherwise.
const PROFILES = [
  ['public', 'Public', 'For publication. Pseudonyms only: no identities and no investigator\'s name; only statements with publication consent; places to about a kilometre; photos as copies without GPS, camera or owner, other files withheld; no custody log.'],
  ['prosecutor', 'Prosecutor', 'For a prosecutor or court. Every record, exact places, the originals and the custody log; identities only of witnesses who consented to sharing with prosecutors.'],
  ['full', 'Full — identities included', 'For your own organisation only. Everything, including the real names, contacts and addresses of every witness.'],
];

/** The export summary: what went in and what stayed home. */
function summaryList(s) {
  const line = (label, text, testid) => h('li', { 'data-testid': testid }, h('strong', { text: `${label}: ` }), h('span', { text }));
  return h('ul', { class: 'plain small summary', 'data-testid': 'export-summary' },
    line('Identities', `${s.identities_included} included, ${s.identities_withheld} withheld`, 'summary-identities'),
    line('Statements', `${s.statements_included} included, ${s.statements_withheld} withheld for want of consent${s.statement_versions_included ? '' : '; earlier versions left out'}`, 'summary-statements'),
    line('Originals', `${s.originals_included} included, ${s.copies_without_metadata} as copies without metadata, ${s.originals_withheld} withheld`, 'summary-originals'),
    line('Locations', s.locations === 'exact' ? 'exact' : 'coarsened to about a kilometre (sensitive items: none)', 'summary-locations'),
    line('Custody log', s.custody_log_included ? 'included' : 'left out', 'summary-custody'),
    line('Your name and organisation', s.investigator_named ? 'included' : 'left out', 'summary-investigator'));
}

function progressBar() {
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted' });
  const el = h('div', { class: 'progress', 'data-testid': 'bundle-progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  return { el, set: (done, total, label) => { el.hidden = false; fill.style.width = `${total ? (100 * done) / total : 100}%`; text.textContent = label; } };
}

function mb(n) { return `${(n / 1e6).toFixed(1)} MB`; }

/** The export dialog for case `c`. */
export async function openExport(c) {
  const safe = (c.reference || c.title).replace(/[^\w.-]+/g, '_').slice(0, 60);
  const initial = (await lastExportProfile(c.id).catch(() => null)) || 'public';
  const profile = h('div', { class: 'choice-list', role: 'radiogroup' }, PROFILES.map(([v, name, text]) => h('label', { class: `choice${v === 'full' ? ' choice-danger' : ''}` },
    h('input', { type: 'radio', name: 'profile', value: v, checked: v === initial || null, 'data-testid': `export-profile-${v}` }),
    h('span', {}, h('strong', { text: name }), h('span', { class: 'muted small', text: ` — ${text}` })))));
  // Full hands over every witness's identity: it takes a deliberate second step.
  const confirmFull = h('input', { type: 'checkbox', 'data-testid': 'export-confirm-full' });
  const fullWarning = h('label', { class: 'check warning-box', hidden: initial !== 'full' }, confirmFull,
    h('span', { text: 'I am handing over the identities of the witnesses (real names, contacts, addresses) to my own organisation.' }));
  profile.addEventListener('change', () => { fullWarning.hidden = form.querySelector('input[name=profile]:checked').value !== 'full'; confirmFull.checked = false; });
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
    h('fieldset', { class: 'section' }, h('legend', { text: 'Who is it for?' }), profile, fullWarning),
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
    if (prof === 'full' && !confirmFull.checked) {
      error.textContent = 'A full bundle carries every witness\'s identity: confirm that this is what you mean to hand over, or choose another profile.';
      error.hidden = false;
      return;
    }
    go.disabled = true;
    try {
      const r = await followJob('export', async () => { job = await exportBundle(c.id, out, zip.checked, prof); return job; },
        (p) => bar.set(p.done, p.total, `${mb(p.done)} of ${mb(p.total)} of originals`));
      job = null;
      bar.el.hidden = true;
      result.hidden = false;
      mount(result, h('div', { class: 'notice' },
        h('div', {}, h('strong', { 'data-testid': 'export-done', text: `Exported to ${r.path}` }),
          h('div', { class: 'small', text: `${r.payload_files} files, ${mb(r.payload_bytes)}, ${r.profile} profile. What it carries and withholds:` }),
          summaryList(r.summary),
          h('div', { class: 'small', text: 'Signed by key:' }),
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

const STANDING = {
  new_case: ['notice', 'A case new to this library. Importing it trusts the key that signed it to change this case from now on.'],
  trusted: ['notice', 'This key is trusted for this case: its changes will be merged.'],
  untrusted: ['warning-box', 'This key is NOT trusted for this case. Nothing will be changed: what the bundle would add or change is kept as conflicts for you to review.'],
};

/** The import dialog: choose a bundle, see what verification found and how far its signer is
 * trusted for the case, give your name if the library has none, then merge. */
export function openBundleImport(onImported) {
  const path = h('input', { id: 'bundle-path', 'data-testid': 'bundle-path', placeholder: '/media/usb/UA-MAR-001.zip', autocomplete: 'off' });
  const report = h('div', { 'data-testid': 'verify-report' });
  const trustBox = h('div', { 'data-testid': 'import-trust' });
  const trust = h('input', { type: 'checkbox', 'data-testid': 'import-trust-key' });
  const who = h('fieldset', { class: 'section', 'data-testid': 'import-profile', hidden: true },
    h('legend', { text: 'Who is receiving it?' }),
    h('p', { class: 'muted small', text: 'The import is recorded in the custody log under your name. Set it once for this library.' }),
    h('label', { class: 'field' }, h('span', { text: 'Your name' }), h('input', { name: 'receiver_name', 'data-testid': 'import-profile-name', autocomplete: 'name' })),
    h('label', { class: 'field' }, h('span', { text: 'Organisation' }), h('input', { name: 'receiver_org', 'data-testid': 'import-profile-org', autocomplete: 'organization' })));
  const bar = progressBar();
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const verify = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'bundle-verify', text: 'Verify' });
  const go = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'bundle-import', text: 'Import', disabled: true });
  libraryInfo().then((i) => { who.hidden = !!i.profile; }, () => {});
  const pick = (directory) => async () => {
    try {
      const [p] = await chooseFiles({ directory, multiple: false, title: directory ? 'Choose a bundle folder' : 'Choose a bundle ZIP', filters: directory ? undefined : [{ name: 'Bundle', extensions: ['zip'] }] });
      if (p) { path.value = p; runVerify(); }
    } catch (err) { toast(err.message, 'error'); }
  };
  async function runVerify() {
    error.hidden = true;
    go.disabled = true;
    trust.checked = false;
    mount(trustBox);
    mount(report, h('p', { class: 'muted', text: 'Verifying… every file is re-hashed.' }));
    try {
      const r = await verifyBundle(path.value.trim());
      mount(report, r.ok
        ? h('div', { class: 'notice', 'data-testid': 'verify-ok' },
          h('div', {}, h('strong', { text: `Verified: ${r.case_title || ''}` }),
            h('div', { class: 'small', text: `${r.profile} bundle · ${r.payload_files} files · ${r.custody_entries} custody entries · signed by key` }),
            h('div', { class: 'mono small', 'data-testid': 'verify-fingerprint', text: r.signed_by }),
            r.origin_key && r.origin_key !== r.signed_by ? h('div', { class: 'small', text: `The case was created by the installation with key ${r.origin_key}.` }) : null,
            h('div', { class: 'small muted', text: 'Confirm this fingerprint with the sender before you rely on it.' })))
        : h('div', { class: 'error-box', 'data-testid': 'verify-problems' },
          h('strong', { text: 'This bundle does not verify and will not be imported:' }),
          h('ul', {}, r.problems.map((p) => h('li', { text: `${p.file || 'bundle'}: ${p.message}` }))),
          r.problems_not_listed ? h('p', { text: `…and ${r.problems_not_listed} more.` }) : null));
      go.disabled = !r.ok || r.profile === 'public';
      if (r.ok && r.profile === 'public') report.append(h('p', { class: 'muted', text: 'A public bundle is redacted: it can be read, not merged into a library.' }));
      if (r.ok && r.profile !== 'public') {
        const standing = await caseStanding(r.case_id, r.signed_by);
        const [cls, text] = STANDING[standing];
        mount(trustBox, h('div', { class: cls, 'data-testid': `standing-${standing}` }, h('div', {}, h('div', { text }),
          standing === 'untrusted' ? h('label', { class: 'check' }, trust,
            h('span', { text: 'I confirmed this fingerprint with the sender: trust this key for this case, and merge its changes.' })) : null)));
      }
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
    report, trustBox, who, bar.el, error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', text: 'Close', onclick: closeModal }), go));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!who.hidden) {
      const name = form.elements.receiver_name.value.trim();
      if (!name) { error.textContent = 'Give your name: the import is recorded under it.'; error.hidden = false; return; }
      try {
        const saved = await setProfile(name, form.elements.receiver_org.value.trim());
        who.hidden = true;
        const summary = document.querySelector('[data-testid=profile-summary]');
        if (summary) renderProfile(summary, saved);
      } catch (err) { error.textContent = err.message; error.hidden = false; return; }
    }
    go.disabled = true;
    try {
      const r = await followJob('import', () => importBundle(path.value.trim(), trust.checked), (p) => bar.set(p.done, p.total, `copying originals: ${mb(p.done)} of ${mb(p.total)}`));
      bar.el.hidden = true;
      mount(trustBox);
      const c = r.counts;
      mount(report, h('div', { class: r.trusted ? 'notice' : 'warning-box', 'data-testid': 'import-done' },
        h('div', {}, h('strong', { text: r.already_up_to_date ? 'Nothing new: this library already has everything in the bundle.' : `Imported ${r.case_title}` }),
          r.trusted ? null : h('div', { 'data-testid': 'import-untrusted', text: 'The key that signed it is not trusted for this case: nothing was changed; its changes are listed as conflicts on the case.' }),
          r.already_up_to_date ? null : h('div', { class: 'small', 'data-testid': 'import-counts',
            text: `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.kept_local} newer here (kept), ${c.conflicts} conflicts; ${r.originals_added} originals` }),
          h('a', { href: `#/cases/${r.case_id}`, 'data-testid': 'open-imported', text: 'Open the case', onclick: () => closeModal() }))));
      onImported(r);
    } catch (err) {
      bar.el.hidden = true;
      error.textContent = err.message;
      error.hidden = false;
      go.disabled = false;
    }
  });
  openModal('Import a bundle', form, { testid: 'bundle-import-panel' });
}

/** Where the case came from: its origin, the keys trusted for it, every bundle received. */
export async function provenanceCard(caseId) {
  const p = await caseProvenance(caseId).catch(() => null);
  if (!p) return null;
  const short = (fp) => (fp || '').slice(0, 19);
  const origin = !p.origin ? 'not recorded'
    : p.origin.fingerprint === p.own_key ? 'created in this library' : `created by the installation with key ${p.origin.fingerprint}`;
  const others = p.keys.filter((k) => k.role !== 'origin');
  return h('section', { class: 'card', 'data-testid': 'provenance-panel' },
    h('h2', { text: 'Where this case came from' }),
    h('p', { 'data-testid': 'provenance-origin', text: `Origin: ${origin}` }),
    others.length ? h('div', {}, h('div', { class: 'small muted', text: 'Keys trusted to change it:' }),
      h('ul', { class: 'plain small' }, others.map((k) => h('li', { 'data-testid': 'trusted-key' },
        h('span', { class: 'mono', text: k.fingerprint }),
        h('span', { class: 'muted', text: k.revoked_at ? ` — no longer trusted since ${formatTime(k.revoked_at)}` : ` — since ${formatTime(k.created_at)}${k.reason ? `: ${k.reason}` : ''}` }))))) : null,
    p.received.length
      ? h('table', { class: 'diff small', 'data-testid': 'received-bundles' },
        h('tr', {}, h('th', { text: 'Received' }), h('th', { text: 'From key' }), h('th', { text: 'Sender says' }), h('th', { text: 'Profile' }), h('th', { text: 'Trust' })),
        p.received.map((b) => h('tr', { 'data-testid': 'received-bundle' },
          h('td', { text: formatTime(b.received_at) }),
          h('td', { class: 'mono', title: b.signed_by, text: short(b.signed_by) }),
          h('td', { text: b.sender || '—' }),
          h('td', { text: b.profile || '—' }),
          h('td', { class: b.trusted === false ? 'warn' : '', text: b.trusted === true ? 'trusted' : b.trusted === false ? 'not trusted: held as conflicts' : 'not checked' }))))
      : h('p', { class: 'muted small', text: 'No bundle has been received into this case.' }));
}

/** The conflicts card on a case's overview (nothing when there are none). */
export async function conflictsCard(caseId) {
  const card = h('section', { class: 'card conflicts', 'data-testid': 'conflicts-panel', hidden: true });
  const list = await listConflicts(caseId).catch(() => []);
  const open = list.filter((c) => !c.resolved_at);
  if (!open.length) return card;
  card.hidden = false;
  mount(card, h('h2', { text: `Conflicts to resolve (${open.length})` }),
    h('p', { class: 'muted small', text: 'These records were changed both here and in a bundle since they were last shared, or offered by a key not trusted for this case. Nothing was overwritten: choose which version to keep. Either choice is recorded in the custody log.' }),
    open.map((c) => {
      const diffs = Object.keys(c.incoming).filter((k) => k !== 'updated_at' && JSON.stringify(c.incoming[k]) !== JSON.stringify(c.local ? c.local[k] : undefined));
      return h('div', { class: 'conflict', 'data-testid': 'conflict', dataset: { id: c.id } },
        h('div', {}, h('strong', { text: `${c.record_type}: ${c.label}` }),
          c.trusted === false ? h('span', { class: 'badge warn', 'data-testid': 'conflict-untrusted', text: ' offered by a key not trusted for this case' }) : null,
          c.local ? null : h('span', { class: 'muted small', text: ' — a record this library does not have' })),
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
