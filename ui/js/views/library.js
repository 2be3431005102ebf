// The library page: where it is, the signing key to confirm out of band, the investigator
// profile, how it is protected (encryption, auto-lock, the key wipe), the controlled
// vocabularies (add terms), and possible duplicates across every case.
import { h, mount, toast } from '../dom.js';
import { libraryInfo, libraryState, addTerm, runAudit, acceptLogHead } from '../api/library.js';
import { securityCard } from './gate.js';
import { followJob, cancelJob } from '../api/bundle.js';
import { listTerms } from '../api/contents.js';
import { listDuplicates, thumbUrl } from '../api/evidence.js';
import { facts } from './format.js';
import { field, row, onSubmit } from './form.js';
import { onAbort } from '../lifecycle.js';

const VOCABS = [
  ['incident_type', 'Incident types'], ['protected_object', 'Protected objects'], ['weapon', 'Weapons and methods'],
  ['violation_status', 'Violation status'], ['act_type', 'Acts'], ['involvement_degree', 'Degrees of involvement'],
  ['link_type', 'Link types'], ['connection', 'Connection to the facts'], ['reliability', 'Reliability'],
  ['person_role', 'Roles of people'], ['unit_kind', 'Kinds of unit'],
];

/** The library page; renders nothing once `signal` aborts (the user went elsewhere). */
export async function libraryView(main, signal) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', 'data-testid': 'library-loading', text: 'Loading…' }));
  let info, terms, dups, status;
  try {
    // The look-alikes compare every pair of hashed pictures: with thousands this takes a while,
    // and the user may have moved on before it ends.
    [info, terms, dups, status] = await Promise.all([libraryInfo(), listTerms(), listDuplicates(null), libraryState()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  mount(main,
    h('header', { class: 'page-head' }, h('h1', { text: 'Library' })),
    h('div', { class: 'detail-grid' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', { text: 'This installation' }), facts([
          ['Library folder', info.data_dir], ['Casefile', info.version], ['Schema', String(info.schema_version)],
          ['Investigator', info.profile ? `${info.profile.name}${info.profile.organisation ? ` (${info.profile.organisation})` : ''}` : 'not set'],
          ['Signing key', info.key.fingerprint, 'library-fingerprint'],
        ]), h('p', { class: 'muted small', text: 'Exports are signed with this key. Give its fingerprint to recipients by another channel (phone, in person) so they can confirm a bundle came from you.' })),
        securityCard(status),
        auditCard(signal),
        duplicatesCard(dups)),
      vocabCard(terms, () => libraryView(main, signal))));
}

function duplicatesCard(pairs) {
  return h('section', { class: 'card', 'data-testid': 'library-duplicates' },
    h('h2', { text: `Possible duplicates across all cases (${pairs.length})` }),
    pairs.length ? h('ul', { class: 'dup-list' }, pairs.slice(0, 200).map((p) => h('li', { class: 'dup' },
      [p.a, p.b].map((x) => h('a', { href: `#/evidence/${x.id}`, class: 'dup-item' },
        x.analysis === 'ok' && !x.graphic ? h('img', { src: thumbUrl(x.id), alt: '' }) : h('span', { class: 'dup-ph', text: x.kind }),
        h('span', { class: 'small', text: x.original_name }))),
      h('span', { class: 'muted small', text: p.distance === 0 ? 'look identical' : `${p.distance} bits apart` }))))
      : h('p', { class: 'muted', text: 'No two different files look alike.' }));
}

function vocabCard(terms, refresh) {
  const p = 'term';
  const form = h('form', { class: 'form compact', 'data-testid': 'term-form', novalidate: true },
    row(field({ name: 'vocab', label: 'Vocabulary', prefix: p, control: 'select', options: VOCABS }),
      field({ name: 'code', label: 'Code', prefix: p, attrs: { placeholder: 'attack_on_market' } })),
    row(field({ name: 'label_en', label: 'English', prefix: p }), field({ name: 'label_uk', label: 'Українською', prefix: p })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', 'data-testid': 'term-save', text: 'Add term' })));
  onSubmit(form, {
    collect: () => { const e = form.elements; return [e.vocab.value, e.code.value.trim(), e.label_en.value, e.label_uk.value]; },
    save: ([v, c, en, uk]) => addTerm(v, c, en, uk),
    done: (t) => { toast(`Added “${t.label_en}”.`); refresh(); },
  });
  return h('section', { class: 'card', 'data-testid': 'vocab-panel' },
    h('h2', { text: 'Controlled vocabularies' }), form,
    VOCABS.map(([v, name]) => h('details', { class: 'vocab' },
      h('summary', { text: `${name} (${terms.filter((t) => t.vocab === v).length})` }),
      h('ul', { class: 'plain small' }, terms.filter((t) => t.vocab === v).map((t) => h('li', { 'data-testid': 'vocab-term' },
        h('span', { text: t.label_en }), h('span', { class: 'muted', text: ` · ${t.label_uk} · ${t.code}${t.builtin ? '' : ' (added)'}` })))))));
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
  const start = h('button', { class: 'button primary', 'data-testid': 'audit-start', text: 'Check the library' });
  const stop = h('button', { class: 'button secondary', hidden: true, text: 'Stop' });
  let job = null;
  stop.addEventListener('click', () => { if (job) cancelJob(job); });
  onAbort(signal, () => { if (job) cancelJob(job).catch(() => {}); });
  start.addEventListener('click', async () => {
    start.disabled = true;
    stop.hidden = !files.checked;
    mount(out, h('p', { class: 'muted', text: 'Checking…' }));
    try {
      const r = await followJob('audit', async () => {
        job = await runAudit(files.checked);
        if (signal.aborted) cancelJob(job).catch(() => {});
        return job;
      }, (p) => {
        bar.hidden = false;
        fill.style.width = `${p.total ? (100 * p.done) / p.total : 100}%`;
        text.textContent = `re-hashing originals: ${(p.done / 1e6).toFixed(0)} of ${(p.total / 1e6).toFixed(0)} MB`;
      });
      mount(out, auditReport(r, () => start.click()));
    } catch (err) {
      mount(out, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    } finally {
      job = null;
      bar.hidden = true;
      stop.hidden = true;
      start.disabled = false;
    }
  });
  return h('section', { class: 'card', 'data-testid': 'audit-panel' },
    h('h2', { text: 'Audit' }),
    h('p', { class: 'muted small', text: 'Recomputes the custody log, checks that it ends where the head file says, and checks every record, statement version and original against the custody log. It names anything changed, added or removed behind Casefile\'s back.' }),
    h('label', { class: 'check' }, files, h('span', { text: 'Re-hash every original in the vault (reads every byte)' })),
    h('div', { class: 'form-actions' }, stop, start), bar, out);
}

function auditReport(r, again) {
  const ok = !r.chain_problem && !r.head_problem && !r.record_problems.length;
  const summary = `${r.entries} custody entries · ${r.records_checked} records · ${r.versions_checked} statement versions · ${r.files_checked} originals${r.files_rehashed ? ' re-hashed' : ' (not re-hashed)'}`;
  if (ok) {
    return h('div', { class: 'notice', 'data-testid': 'audit-ok' }, h('div', {},
      h('strong', { text: 'Everything matches the custody log.' }), h('div', { class: 'small', text: summary }),
      r.head_note ? h('div', { class: 'small muted', text: r.head_note }) : null));
  }
  const findings = [];
  if (r.chain_problem) findings.push(`Custody log, entry ${r.chain_problem.seq}: ${r.chain_problem.message}`);
  if (r.head_problem) findings.push(`Head file: ${r.head_problem}`);
  r.record_problems.forEach((p) => findings.push(p.message));
  const reason = h('input', { 'data-testid': 'accept-head-reason', placeholder: 'Why: e.g. restored from the backup of 20 November' });
  return h('div', { class: 'error-box', 'data-testid': 'audit-problems' },
    h('strong', { text: `${findings.length} finding${findings.length === 1 ? '' : 's'}:` }),
    h('ul', { class: 'plain audit-findings' }, findings.map((f) => h('li', { 'data-testid': 'audit-finding', text: f }))),
    h('div', { class: 'small', text: summary }),
    r.head_problem ? h('div', { class: 'pick-row' }, reason,
      h('button', { class: 'button secondary', 'data-testid': 'accept-head', text: 'Accept the log as it stands', onclick: async () => {
        try { await acceptLogHead(reason.value); toast('Accepted; a custody entry records it.'); again(); } catch (err) { toast(err.message, 'error'); }
      } })) : null);
}
