// The library page: where it is, the signing key to confirm out of band, the investigator
// profile, how it is protected (encryption, auto-lock, the key wipe), the controlled
// vocabularies (add terms), and possible duplicates across every case.
import { h, mount, toast } from '../dom.js';
import { t, errorText, formatNumber } from '../i18n.js';
import { libraryInfo, libraryState, addTerm, runAudit, acceptLogHead } from '../api/library.js';
import { securityCard } from './gate.js';
import { followJob, cancelJob } from '../api/bundle.js';
import { listTerms } from '../api/contents.js';
import { listDuplicates, thumbUrl } from '../api/evidence.js';
import { facts } from './format.js';
import { field, row, onSubmit, guardEnter, LIMITS } from './form.js';
import { onAbort } from '../lifecycle.js';

/** The controlled vocabularies, each named `library.vocab.<code>` in the catalogues. */
const VOCAB_CODES = ['incident_type', 'protected_object', 'weapon', 'violation_status', 'act_type', 'involvement_degree',
  'link_type', 'connection', 'reliability', 'person_role', 'unit_kind'];

/** A vocabulary's name in the UI language. */
function vocabName(code) {
  switch (code) {
    case 'incident_type': return t('library.vocab.incident_type');
    case 'protected_object': return t('library.vocab.protected_object');
    case 'weapon': return t('library.vocab.weapon');
    case 'violation_status': return t('library.vocab.violation_status');
    case 'act_type': return t('library.vocab.act_type');
    case 'involvement_degree': return t('library.vocab.involvement_degree');
    case 'link_type': return t('library.vocab.link_type');
    case 'connection': return t('library.vocab.connection');
    case 'reliability': return t('library.vocab.reliability');
    case 'person_role': return t('library.vocab.person_role');
    case 'unit_kind': return t('library.vocab.unit_kind');
    default: return code;
  }
}

/** The library page; renders nothing once `signal` aborts (the user went elsewhere). */
export async function libraryView(main, signal) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', role: 'status', 'data-testid': 'library-loading', text: t('common.loading') }));
  let info, terms, dups, status;
  try {
    // The look-alikes compare every pair of hashed pictures: with thousands this takes a while,
    // and the user may have moved on before it ends.
    [info, terms, dups, status] = await Promise.all([libraryInfo(), listTerms(), listDuplicates(null), libraryState()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  mount(main,
    h('header', { class: 'page-head' }, h('h1', { tabindex: '-1', text: t('library.heading') })),
    h('div', { class: 'detail-grid' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', { text: t('library.installation') }), facts([
          [t('library.folder'), info.data_dir], [t('app.name'), info.version], [t('library.schema'), String(info.schema_version)],
          [t('library.investigator'), info.profile ? `${info.profile.name}${info.profile.organisation ? ` (${info.profile.organisation})` : ''}` : t('library.notSet')],
          [t('library.signingKey'), info.key.fingerprint, 'library-fingerprint'],
        ]), h('p', { class: 'muted small', text: t('library.signingKeyNote') })),
        securityCard(status),
        auditCard(signal),
        duplicatesCard(dups)),
      vocabCard(terms, () => libraryView(main, signal))));
}

function duplicatesCard(pairs) {
  return h('section', { class: 'card', 'data-testid': 'library-duplicates' },
    h('h2', { text: t('library.duplicates', { count: pairs.length }) }),
    pairs.length ? h('ul', { class: 'dup-list' }, pairs.slice(0, 200).map((p) => h('li', { class: 'dup' },
      [p.a, p.b].map((x) => h('a', { href: `#/evidence/${x.id}`, class: 'dup-item' },
        x.analysis === 'ok' && !x.graphic ? h('img', { src: thumbUrl(x.id), alt: '' }) : h('span', { class: 'dup-ph', text: x.kind }),
        h('span', { class: 'small', text: x.original_name }))),
      h('span', { class: 'muted small', text: p.distance === 0 ? t('library.identical') : t('library.bitsApart', { count: p.distance }) }))))
      : h('p', { class: 'muted', text: t('library.noDuplicates') }));
}

function vocabCard(terms, refresh) {
  const p = 'term';
  const form = h('form', { class: 'form compact', 'data-testid': 'term-form', novalidate: true },
    row(field({ name: 'vocab', label: t('library.vocabulary'), prefix: p, control: 'select', options: VOCAB_CODES.map((v) => [v, vocabName(v)]) }),
      field({ name: 'code', label: t('library.code'), prefix: p, hint: t('library.codeHint'), attrs: { placeholder: 'attack_on_market' } })),
    row(field({ name: 'label_en', label: t('library.labelEn'), prefix: p, limit: LIMITS.termLabel, attrs: { lang: 'en' } }),
      field({ name: 'label_uk', label: t('library.labelUk'), prefix: p, limit: LIMITS.termLabel, attrs: { lang: 'uk' } })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', 'data-testid': 'term-save', text: t('library.addTerm') })));
  guardEnter(form);
  onSubmit(form, {
    collect: () => { const e = form.elements; return [e.vocab.value, e.code.value.trim(), e.label_en.value, e.label_uk.value]; },
    save: ([v, c, en, uk]) => addTerm(v, c, en, uk),
    done: (term) => { toast(t('library.termAdded', { label: term.label_en })); refresh(); },
  });
  return h('section', { class: 'card', 'data-testid': 'vocab-panel' },
    h('h2', { text: t('library.vocabularies') }), form,
    VOCAB_CODES.map((v) => {
      const mine = terms.filter((term) => term.vocab === v);
      return h('details', { class: 'vocab' },
        h('summary', { text: t('library.vocabCount', { name: vocabName(v), count: mine.length }) }),
        h('ul', { class: 'plain small' }, mine.map((term) => h('li', { 'data-testid': 'vocab-term' },
          h('span', { lang: 'en', text: term.label_en }), ' · ', h('span', { class: 'muted', lang: 'uk', text: term.label_uk }),
          h('span', { class: 'muted', text: ` · ${term.code}${term.builtin ? '' : ` (${t('library.added')})`}` })))));
    }));
}

/** The audit: the custody log against its head file, every record against its last entry, and
 * (on by default) every original in the vault re-hashed, with progress and cancel. Leaving the
 * page stops a running audit: its report would have nowhere to show. */
function auditCard(signal) {
  const files = h('input', { type: 'checkbox', checked: true, 'data-testid': 'audit-files' });
  const fill = h('div', { class: 'fill' });
  const text = h('div', { class: 'progress-text small muted' });
  const bar = h('div', { class: 'progress', hidden: true }, h('div', { class: 'bar' }, fill), text);
  const out = h('div', { 'data-testid': 'audit-result' });
  const start = h('button', { type: 'button', class: 'button primary', 'data-testid': 'audit-start', text: t('library.auditStart') });
  const stop = h('button', { type: 'button', class: 'button secondary', hidden: true, text: t('jobs.stop') });
  let job = null;
  stop.addEventListener('click', () => { if (job) cancelJob(job); });
  onAbort(signal, () => { if (job) cancelJob(job).catch(() => {}); });
  start.addEventListener('click', async () => {
    start.disabled = true;
    stop.hidden = !files.checked;
    mount(out, h('p', { class: 'muted', role: 'status', text: t('library.auditChecking') }));
    try {
      const r = await followJob('audit', async () => {
        job = await runAudit(files.checked);
        if (signal.aborted) cancelJob(job).catch(() => {});
        return job;
      }, (p) => {
        bar.hidden = false;
        fill.style.width = `${p.total ? (100 * p.done) / p.total : 100}%`;
        text.textContent = t('library.auditProgress', { done: formatNumber(Math.round(p.done / 1e6)), total: formatNumber(Math.round(p.total / 1e6)) });
      });
      mount(out, auditReport(r, () => start.click()));
    } catch (err) {
      mount(out, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    } finally {
      job = null;
      bar.hidden = true;
      stop.hidden = true;
      start.disabled = false;
    }
  });
  return h('section', { class: 'card', 'data-testid': 'audit-panel' },
    h('h2', { text: t('library.audit') }),
    h('p', { class: 'muted small', text: t('library.auditAbout') }),
    h('label', { class: 'check' }, files, h('span', { text: t('library.auditFiles') })),
    h('div', { class: 'form-actions' }, stop, start), bar, out);
}

function auditReport(r, again) {
  const ok = !r.chain_problem && !r.head_problem && !r.record_problems.length;
  const summary = [
    t('library.auditEntries', { count: r.entries }),
    t('library.auditRecords', { count: r.records_checked }),
    t('library.auditVersions', { count: r.versions_checked }),
    r.files_rehashed ? t('library.auditRehashed', { count: r.files_checked }) : t('library.auditNotRehashed', { count: r.files_checked }),
  ].join(' · ');
  if (ok) {
    return h('div', { class: 'notice', 'data-testid': 'audit-ok', role: 'status' }, h('div', {},
      h('strong', { text: t('library.auditOk') }), h('div', { class: 'small', text: summary }),
      r.head_note ? h('div', { class: 'small muted', text: r.head_note }) : null));
  }
  const findings = [];
  if (r.chain_problem) findings.push(t('library.findingChain', { seq: r.chain_problem.seq, message: r.chain_problem.message }));
  if (r.head_problem) findings.push(t('library.findingHead', { message: r.head_problem }));
  r.record_problems.forEach((p) => findings.push(p.message));
  const reason = h('input', { 'data-testid': 'accept-head-reason', 'aria-label': t('library.acceptReason'), placeholder: t('library.acceptReasonPlaceholder') });
  return h('div', { class: 'error-box', 'data-testid': 'audit-problems', role: 'alert' },
    h('strong', { text: t('library.findings', { count: findings.length }) }),
    h('ul', { class: 'plain audit-findings' }, findings.map((f) => h('li', { 'data-testid': 'audit-finding', text: f }))),
    h('div', { class: 'small', text: summary }),
    r.head_problem ? h('div', { class: 'pick-row' }, reason,
      h('button', { type: 'button', class: 'button secondary', 'data-testid': 'accept-head', text: t('library.accept'), onclick: async () => {
        try { await acceptLogHead(reason.value); toast(t('library.accepted')); again(); } catch (err) { toast(errorText(err), 'error'); }
      } })) : null);
}
