// The library page: where it is, the signing key to confirm out of band, the investigator
// profile, the controlled vocabularies (add terms), and possible duplicates across every case.
import { h, mount, toast } from '../dom.js';
import { libraryInfo, addTerm } from '../api/library.js';
import { listTerms } from '../api/contents.js';
import { listDuplicates, thumbUrl } from '../api/evidence.js';
import { facts } from './format.js';
import { field, row, onSubmit } from './form.js';

const VOCABS = [
  ['incident_type', 'Incident types'], ['protected_object', 'Protected objects'], ['weapon', 'Weapons and methods'],
  ['violation_status', 'Violation status'], ['act_type', 'Acts'], ['involvement_degree', 'Degrees of involvement'],
  ['link_type', 'Link types'], ['connection', 'Connection to the facts'], ['reliability', 'Reliability'],
  ['person_role', 'Roles of people'], ['unit_kind', 'Kinds of unit'],
];

export async function libraryView(main) {
  mount(main, h('div', { class: 'muted pad', text: 'Loading…' }));
  let info, terms, dups;
  try {
    [info, terms, dups] = await Promise.all([libraryInfo(), listTerms(), listDuplicates(null)]);
  } catch (err) {
    mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  mount(main,
    h('header', { class: 'page-head' }, h('h1', { text: 'Library' })),
    h('div', { class: 'detail-grid' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', { text: 'This installation' }), facts([
          ['Library folder', info.data_dir], ['Casefile', info.version], ['Schema', String(info.schema_version)],
          ['Investigator', info.profile ? `${info.profile.name}${info.profile.organisation ? ` (${info.profile.organisation})` : ''}` : 'not set'],
          ['Signing key', info.key.fingerprint, 'library-fingerprint'],
        ]), h('p', { class: 'muted small', text: 'Exports are signed with this key. Give its fingerprint to recipients by another channel (phone, in person) so they can confirm a bundle came from you.' })),
        duplicatesCard(dups)),
      vocabCard(terms, () => libraryView(main))));
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
