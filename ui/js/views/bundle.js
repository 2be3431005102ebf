// Handover in the app: the Export dialog (profile, format, destination, progress, cancel), the
// Import dialog (choose, verify first, then merge), and the conflicts a merge left to resolve.
import { h, mount, toast } from '../dom.js';
import { t, errorText, formatNumber, formatDateTime, language } from '../i18n.js';
import { startJob } from '../jobs.js';
import { safeFileName } from '../filename.js';
import { exportBundle, verifyBundle, importBundle, cancelJob, listConflicts, resolveConflict, followJob, chooseSavePath, caseStanding, caseProvenance, lastExportProfile } from '../api/bundle.js';
import { libraryInfo, setProfile } from '../api/library.js';
import { renderProfile } from './profile.js';
import { chooseFiles } from '../ipc.js';
import { openModal, closeModal } from './modal.js';

// The least revealing first: the dialog opens on it unless this case was last exported otherwise.
const PROFILES = ['public', 'prosecutor', 'full'];

/** A bundle profile's name in the UI language ("public" → "Public"). */
const profileName = (code) => (PROFILES.includes(code) ? t(`bundle.profile.${code}`) : code);

/** A size in megabytes, written the UI language's way. */
function mb(n) { return t('bundle.mb', { n: formatNumber(Number((n / 1e6).toFixed(1))) }); }

/** The export summary: what went in and what stayed home. */
function summaryList(s) {
  const line = (label, text, testid) => h('li', { 'data-testid': testid }, h('strong', { text: t('bundle.summary.label', { label }) }), h('span', { text }));
  return h('ul', { class: 'plain small summary', 'data-testid': 'export-summary' },
    line(t('bundle.summary.identities'), t('bundle.summary.identitiesText', { included: s.identities_included, withheld: s.identities_withheld }), 'summary-identities'),
    line(t('bundle.summary.statements'), `${t('bundle.summary.statementsText', { included: s.statements_included, withheld: s.statements_withheld })}${s.statement_versions_included ? '' : t('bundle.summary.noVersions')}`, 'summary-statements'),
    line(t('bundle.summary.originals'), t('bundle.summary.originalsText', { included: s.originals_included, copies: s.copies_without_metadata, withheld: s.originals_withheld }), 'summary-originals'),
    line(t('bundle.summary.locations'), s.locations === 'exact' ? t('bundle.summary.exact') : t('bundle.summary.coarsened'), 'summary-locations'),
    line(t('bundle.summary.custody'), s.custody_log_included ? t('bundle.summary.included') : t('bundle.summary.leftOut'), 'summary-custody'),
    line(t('bundle.summary.investigator'), s.investigator_named ? t('bundle.summary.included') : t('bundle.summary.leftOut'), 'summary-investigator'));
}

function progressBar() {
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted', 'aria-live': 'polite' });
  const el = h('div', { class: 'progress', 'data-testid': 'bundle-progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  return { el, set: (done, total, label) => { el.hidden = false; fill.style.width = `${total ? (100 * done) / total : 100}%`; text.textContent = label; } };
}

/**
 * The export dialog for case `c`. While the bundle is written it is a job in the sidebar:
 * closing the dialog leaves it running there; Show opens the dialog again, Stop cancels.
 */
export async function openExport(c) {
  const safe = safeFileName(c.reference || c.title);
  const initial = (await lastExportProfile(c.id).catch(() => null)) || 'public';
  const profile = h('div', { class: 'choice-list', role: 'radiogroup', 'aria-label': t('bundle.export.who') }, PROFILES.map((v) => h('label', { class: `choice${v === 'full' ? ' choice-danger' : ''}` },
    h('input', { type: 'radio', name: 'profile', value: v, checked: v === initial || null, 'data-testid': `export-profile-${v}` }),
    h('span', {}, h('strong', { text: t(`bundle.profile.${v}Long`) }), h('span', { class: 'muted small', text: ` — ${t(`bundle.profile.${v}Text`)}` })))));
  // Full hands over every witness's identity: it takes a deliberate second step.
  const confirmFull = h('input', { type: 'checkbox', 'data-testid': 'export-confirm-full' });
  const fullWarning = h('label', { class: 'check warning-box', hidden: initial !== 'full' }, confirmFull,
    h('span', { text: t('bundle.export.confirmFull') }));
  profile.addEventListener('change', () => { fullWarning.hidden = form.querySelector('input[name=profile]:checked').value !== 'full'; confirmFull.checked = false; });
  const zip = h('input', { type: 'checkbox', checked: true, 'data-testid': 'export-zip' });
  const dest = h('input', { id: 'export-out', 'data-testid': 'export-out', placeholder: t('bundle.export.pathPlaceholder', { name: safe }), autocomplete: 'off', 'aria-label': t('bundle.export.where') });
  const bar = progressBar();
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const result = h('div', { 'data-testid': 'export-result', hidden: true });
  const go = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'export-start', text: t('bundle.export.start') });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'export-cancel', text: t('common.cancel') });
  let job = null;
  let sidebar = null;
  const stop = async () => { if (job) { try { await cancelJob(job); } catch (err) { toast(errorText(err), 'error'); } } };
  cancel.addEventListener('click', () => { if (job) stop(); else closeModal(); });
  const form = h('form', { class: 'form wide', 'data-testid': 'export-form', novalidate: true },
    h('fieldset', { class: 'section' }, h('legend', { text: t('bundle.export.who') }), profile, fullWarning),
    h('fieldset', { class: 'section' }, h('legend', { text: t('bundle.export.where') }),
      h('div', { class: 'pick-row' }, dest,
        h('button', { type: 'button', class: 'button secondary', text: t('bundle.choose'), onclick: async () => {
          try { const p = await chooseSavePath(`${safe}${zip.checked ? '.zip' : ''}`); if (p) dest.value = p; } catch (err) { toast(errorText(err), 'error'); }
        } })),
      h('label', { class: 'check' }, zip, h('span', { text: t('bundle.export.zip') }))),
    error, bar.el, result,
    h('div', { class: 'form-actions' }, cancel, go));
  const title = t('bundle.export.title', { title: c.title });
  const show = () => openModal(title, form, { testid: 'export-panel', dirty: () => !job && result.hidden && dest.value.trim() !== '' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const out = dest.value.trim();
    if (!out) { error.textContent = t('bundle.export.noDestination'); error.hidden = false; return; }
    const prof = form.querySelector('input[name=profile]:checked').value;
    if (prof === 'full' && !confirmFull.checked) {
      error.textContent = t('bundle.export.fullNotConfirmed');
      error.hidden = false;
      return;
    }
    go.disabled = true;
    sidebar = startJob({ label: t('bundle.export.jobLabel', { title: c.title }), reopen: show, cancel: stop });
    try {
      const r = await followJob('export', async () => { job = await exportBundle(c.id, out, zip.checked, prof, language()); return job; },
        (p) => {
          const line = t('bundle.export.progress', { done: mb(p.done), total: mb(p.total) });
          bar.set(p.done, p.total, line);
          if (sidebar) sidebar.update(line);
        });
      bar.el.hidden = true;
      result.hidden = false;
      mount(result, h('div', { class: 'notice' },
        h('div', {}, h('strong', { 'data-testid': 'export-done', text: t('bundle.export.done', { path: r.path }) }),
          h('div', { class: 'small', text: t('bundle.export.doneCounts', { count: r.payload_files, size: mb(r.payload_bytes), profile: profileName(r.profile) }) }),
          summaryList(r.summary),
          h('div', { class: 'small', text: t('bundle.export.signedBy') }),
          h('div', { class: 'mono small', 'data-testid': 'export-fingerprint', text: r.fingerprint }),
          h('div', { class: 'small muted', text: t('bundle.export.tellFingerprint') }))));
      go.hidden = true;
      cancel.textContent = t('common.close');
      if (!form.isConnected) toast(t('bundle.export.done', { path: r.path }));
    } catch (err) {
      bar.el.hidden = true;
      error.textContent = errorText(err);
      error.hidden = false;
      go.disabled = false;
      if (!form.isConnected) toast(errorText(err), 'error');
    } finally {
      job = null;
      if (sidebar) sidebar.finish();
      sidebar = null;
    }
  });
  show();
}

/** How an import of a case signed by a key is treated: [box class, message key]. */
const STANDING = {
  new_case: ['notice', 'bundle.standing.newCase'],
  trusted: ['notice', 'bundle.standing.trusted'],
  untrusted: ['warning-box', 'bundle.standing.untrusted'],
};

/** The import dialog: choose a bundle, see what verification found and how far its signer is
 * trusted for the case, give your name if the library has none, then merge. Verifying and
 * merging are jobs in the sidebar while they run: closing the dialog never hides them. */
export function openBundleImport(onImported) {
  const path = h('input', { id: 'bundle-path', 'data-testid': 'bundle-path', placeholder: t('bundle.import.pathPlaceholder'), autocomplete: 'off', 'aria-label': t('bundle.import.pathLabel') });
  const report = h('div', { 'data-testid': 'verify-report' });
  const trustBox = h('div', { 'data-testid': 'import-trust' });
  const trust = h('input', { type: 'checkbox', 'data-testid': 'import-trust-key' });
  const who = h('fieldset', { class: 'section', 'data-testid': 'import-profile', hidden: true },
    h('legend', { text: t('bundle.import.who') }),
    h('p', { class: 'muted small', text: t('bundle.import.whoText') }),
    h('label', { class: 'field' }, h('span', { text: t('bundle.import.name') }), h('input', { name: 'receiver_name', 'data-testid': 'import-profile-name', autocomplete: 'name' })),
    h('label', { class: 'field' }, h('span', { text: t('bundle.import.organisation') }), h('input', { name: 'receiver_org', 'data-testid': 'import-profile-org', autocomplete: 'organization' })));
  const bar = progressBar();
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const verify = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'bundle-verify', text: t('bundle.import.verify') });
  const go = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'bundle-import', text: t('bundle.import.start'), disabled: true });
  libraryInfo().then((i) => { who.hidden = !!i.profile; }, () => {});
  let job = null;        // the merge's job id while it runs
  let busy = false;      // verifying or merging
  const title = t('bundle.import.title');
  const show = () => openModal(title, form, { testid: 'bundle-import-panel', dirty: () => !busy && path.value.trim() !== '' && !report.querySelector('[data-testid=import-done]') });
  const pick = (directory) => async () => {
    try {
      const [p] = await chooseFiles({ directory, multiple: false, title: directory ? t('bundle.import.chooseFolderTitle') : t('bundle.import.chooseZipTitle'), filters: directory ? undefined : [{ name: t('bundle.import.filterName'), extensions: ['zip'] }] });
      if (p) { path.value = p; runVerify(); }
    } catch (err) { toast(errorText(err), 'error'); }
  };
  async function runVerify() {
    if (busy) return;
    error.hidden = true;
    go.disabled = true;
    trust.checked = false;
    mount(trustBox);
    mount(report, h('p', { class: 'muted', text: t('bundle.import.verifying') }));
    // Re-hashing a large bundle takes a while: shown in the sidebar (it cannot be stopped midway).
    busy = true;
    const sidebar = startJob({ label: t('bundle.import.verifyJob'), reopen: show });
    sidebar.update(t('bundle.import.verifyingShort'));
    try {
      const r = await verifyBundle(path.value.trim());
      mount(report, r.ok
        ? h('div', { class: 'notice', 'data-testid': 'verify-ok' },
          h('div', {}, h('strong', { text: t('bundle.import.verified', { title: r.case_title || '' }) }),
            h('div', { class: 'small', text: t('bundle.import.verifiedCounts', { profile: profileName(r.profile), count: r.payload_files, entries: r.custody_entries }) }),
            h('div', { class: 'mono small', 'data-testid': 'verify-fingerprint', text: r.signed_by }),
            r.origin_key && r.origin_key !== r.signed_by ? h('div', { class: 'small', text: t('bundle.import.origin', { key: r.origin_key }) }) : null,
            h('div', { class: 'small muted', text: t('bundle.import.confirmFingerprint') })))
        : h('div', { class: 'error-box', 'data-testid': 'verify-problems' },
          h('strong', { text: t('bundle.import.problems') }),
          h('ul', {}, r.problems.map((p) => h('li', { text: `${p.file || t('bundle.import.wholeBundle')}: ${p.message}` }))),
          r.problems_not_listed ? h('p', { text: t('bundle.import.moreProblems', { count: r.problems_not_listed }) }) : null));
      go.disabled = !r.ok || r.profile === 'public';
      if (r.ok && r.profile === 'public') report.append(h('p', { class: 'muted', text: t('bundle.import.publicCannotMerge') }));
      if (r.ok && r.profile !== 'public') {
        const standing = await caseStanding(r.case_id, r.signed_by);
        const [cls, key] = STANDING[standing];
        mount(trustBox, h('div', { class: cls, 'data-testid': `standing-${standing}` }, h('div', {}, h('div', { text: t(key) }),
          standing === 'untrusted' ? h('label', { class: 'check' }, trust,
            h('span', { text: t('bundle.import.trustKey') })) : null)));
      }
      if (!form.isConnected) toast(r.ok ? t('bundle.import.verifiedToast') : t('bundle.import.problems'), r.ok ? 'info' : 'error');
    } catch (err) {
      mount(report, h('div', { class: 'error-box', 'data-testid': 'verify-problems', text: errorText(err) }));
      if (!form.isConnected) toast(errorText(err), 'error');
    } finally {
      busy = false;
      sidebar.finish();
    }
  }
  verify.addEventListener('click', runVerify);
  const form = h('form', { class: 'form wide', 'data-testid': 'bundle-import-form', novalidate: true },
    h('div', { class: 'pick-row' }, path, verify),
    h('div', { class: 'pick-row' },
      h('button', { type: 'button', class: 'button secondary', text: t('bundle.import.chooseZip'), onclick: pick(false) }),
      h('button', { type: 'button', class: 'button secondary', text: t('bundle.import.chooseFolder'), onclick: pick(true) })),
    report, trustBox, who, bar.el, error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', text: t('common.close'), onclick: closeModal }), go));
  const stop = async () => { if (job) { try { await cancelJob(job); } catch (err) { toast(errorText(err), 'error'); } } };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    error.hidden = true;
    if (!who.hidden) {
      const name = form.elements.receiver_name.value.trim();
      if (!name) { error.textContent = t('bundle.import.nameNeeded'); error.hidden = false; return; }
      try {
        const saved = await setProfile(name, form.elements.receiver_org.value.trim());
        who.hidden = true;
        const summary = document.querySelector('[data-testid=profile-summary]');
        if (summary) renderProfile(summary, saved);
      } catch (err) { error.textContent = errorText(err); error.hidden = false; return; }
    }
    go.disabled = true;
    busy = true;
    const sidebar = startJob({ label: t('bundle.import.jobLabel'), reopen: show, cancel: stop });
    try {
      const r = await followJob('import', async () => { job = await importBundle(path.value.trim(), trust.checked); return job; }, (p) => {
        const line = t('bundle.import.progress', { done: mb(p.done), total: mb(p.total) });
        bar.set(p.done, p.total, line);
        sidebar.update(line);
      });
      bar.el.hidden = true;
      mount(trustBox);
      const c = r.counts;
      const headline = r.already_up_to_date ? t('bundle.import.upToDate') : t('bundle.import.imported', { title: r.case_title });
      mount(report, h('div', { class: r.trusted ? 'notice' : 'warning-box', 'data-testid': 'import-done' },
        h('div', {}, h('strong', { text: headline }),
          r.trusted ? null : h('div', { 'data-testid': 'import-untrusted', text: t('bundle.import.untrustedDone') }),
          r.already_up_to_date ? null : h('div', { class: 'small', 'data-testid': 'import-counts',
            text: t('bundle.import.counts', { added: c.added, updated: c.updated, unchanged: c.unchanged, kept: c.kept_local, conflicts: c.conflicts, count: r.originals_added }) }),
          h('a', { href: `#/cases/${r.case_id}`, 'data-testid': 'open-imported', text: t('bundle.import.openCase'), onclick: () => closeModal() }))));
      if (!form.isConnected) toast(headline);
      onImported(r);
    } catch (err) {
      bar.el.hidden = true;
      error.textContent = errorText(err);
      error.hidden = false;
      go.disabled = false;
      if (!form.isConnected) toast(errorText(err), 'error');
    } finally {
      job = null;
      busy = false;
      sidebar.finish();
    }
  });
  show();
}

/** Where the case came from: its origin, the keys trusted for it, every bundle received. */
export async function provenanceCard(caseId) {
  const p = await caseProvenance(caseId).catch(() => null);
  if (!p) return null;
  const short = (fp) => (fp || '').slice(0, 19);
  const origin = !p.origin ? t('bundle.provenance.notRecorded')
    : p.origin.fingerprint === p.own_key ? t('bundle.provenance.here') : t('bundle.provenance.elsewhere', { key: p.origin.fingerprint });
  const others = p.keys.filter((k) => k.role !== 'origin');
  return h('section', { class: 'card', 'data-testid': 'provenance-panel' },
    h('h2', { text: t('bundle.provenance.title') }),
    h('p', { 'data-testid': 'provenance-origin', text: t('bundle.provenance.origin', { origin }) }),
    others.length ? h('div', {}, h('div', { class: 'small muted', text: t('bundle.provenance.keys') }),
      h('ul', { class: 'plain small' }, others.map((k) => h('li', { 'data-testid': 'trusted-key' },
        h('span', { class: 'mono', text: k.fingerprint }),
        h('span', { class: 'muted', text: ` — ${k.revoked_at ? t('bundle.provenance.revoked', { when: formatDateTime(k.revoked_at) }) : t('bundle.provenance.since', { when: formatDateTime(k.created_at) })}${!k.revoked_at && k.reason ? `: ${k.reason}` : ''}` }))))) : null,
    p.received.length
      ? h('table', { class: 'diff small', 'data-testid': 'received-bundles' },
        h('tr', {}, h('th', { text: t('bundle.received.when') }), h('th', { text: t('bundle.received.key') }), h('th', { text: t('bundle.received.sender') }), h('th', { text: t('bundle.received.profile') }), h('th', { text: t('bundle.received.trust') })),
        p.received.map((b) => h('tr', { 'data-testid': 'received-bundle' },
          h('td', { text: formatDateTime(b.received_at) }),
          h('td', { class: 'mono', title: b.signed_by, text: short(b.signed_by) }),
          h('td', { text: b.sender || '—' }),
          h('td', { text: b.profile ? profileName(b.profile) : '—' }),
          h('td', { class: b.trusted === false ? 'warn' : '', text: b.trusted === true ? t('bundle.received.trusted') : b.trusted === false ? t('bundle.received.untrusted') : t('bundle.received.unchecked') }))))
      : h('p', { class: 'muted small', text: t('bundle.received.none') }));
}

/** The conflicts card on a case's overview (nothing when there are none). */
export async function conflictsCard(caseId) {
  const card = h('section', { class: 'card conflicts', 'data-testid': 'conflicts-panel', hidden: true });
  const list = await listConflicts(caseId).catch(() => []);
  const open = list.filter((c) => !c.resolved_at);
  if (!open.length) return card;
  card.hidden = false;
  mount(card, h('h2', { text: t('bundle.conflicts.title', { count: open.length }) }),
    h('p', { class: 'muted small', text: t('bundle.conflicts.text') }),
    open.map((c) => {
      const diffs = Object.keys(c.incoming).filter((k) => k !== 'updated_at' && JSON.stringify(c.incoming[k]) !== JSON.stringify(c.local ? c.local[k] : undefined));
      return h('div', { class: 'conflict', 'data-testid': 'conflict', dataset: { id: c.id } },
        h('div', {}, h('strong', { text: `${recordTypeName(c.record_type)}: ${c.label}` }),
          c.trusted === false ? h('span', { class: 'badge warn', 'data-testid': 'conflict-untrusted', text: ` ${t('bundle.conflicts.untrusted')}` }) : null,
          c.local ? null : h('span', { class: 'muted small', text: ` — ${t('bundle.conflicts.new')}` })),
        h('table', { class: 'diff' }, h('tr', {}, h('th', { text: t('bundle.conflicts.field') }), h('th', { text: t('bundle.conflicts.here') }), h('th', { text: t('bundle.conflicts.incoming') })),
          diffs.map((k) => h('tr', {}, h('td', { text: k }), h('td', { text: fmt(c.local && c.local[k]) }), h('td', { text: fmt(c.incoming[k]) })))),
        h('div', { class: 'form-actions' },
          h('button', { class: 'button secondary', 'data-testid': 'keep-local', text: t('bundle.conflicts.keep'), onclick: () => resolve(c.id, false, card, caseId) }),
          h('button', { class: 'button primary', 'data-testid': 'take-incoming', text: t('bundle.conflicts.take'), onclick: () => resolve(c.id, true, card, caseId) })));
    }));
  return card;
}

/** A record type's name ("incident" → "Incident"), or the type as given. */
function recordTypeName(type) {
  return ['case', 'incident', 'statement', 'evidence', 'person', 'unit', 'act', 'involvement', 'link'].includes(type) ? t(`bundle.recordType.${type}`) : type;
}

function fmt(v) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function resolve(id, take, card, caseId) {
  try {
    await resolveConflict(id, take);
    toast(t('bundle.conflicts.resolved'));
    card.replaceWith(await conflictsCard(caseId));
  } catch (err) { toast(errorText(err), 'error'); }
}
