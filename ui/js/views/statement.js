// A witness statement: its text (shown as text, never as HTML), translations, consent per
// purpose, earlier versions, links and custody history; and its form.
import { h, mount, toast, formatTime } from '../dom.js';
import { getStatement, createStatement, updateStatement, listPersons, setConsent, withdrawConsent, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, section, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead, consentBadges, PURPOSES, CONSENT_TEXT } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

/** A statement; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function statementView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading statement…' }));
  let v;
  try {
    [v] = await Promise.all([getStatement(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const s = v.statement;
  const refresh = () => statementView(main, signal, id);
  mount(main,
    recordHead({ caseId: s.case_id, tab: 'statements', kicker: `Statement · version ${s.version}`, title: s.title, testid: 'statement-detail-title', actions: [
      consentBadges(v.consent, 'consent-summary'),
      h('button', { class: 'button secondary', 'data-testid': 'edit-statement', text: 'Edit',
        onclick: () => openStatementForm(s.case_id, s, () => { toast('Saved as a new version.'); refresh(); }) }),
      s.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-statement', text: 'Delete',
        onclick: async () => {
          const reason = await askReason('Delete this statement?');
          if (!reason) return;
          try { await deleteRecord('statement', id, reason); location.hash = `#/cases/${s.case_id}/statements`; } catch (err) { toast(err.message, 'error'); }
        } }),
    ] }),
    h('div', { class: 'detail-grid', 'data-testid': 'statement-detail' },
      h('div', {},
        h('section', { class: 'card' },
          facts([
            ['Witness', v.witness.pseudonym, 'statement-detail-witness'],
            ['Interview', [s.interview_date, s.interview_place].filter(Boolean).join(' · ')],
            ['Interviewer', s.interviewer],
            ['Interpreter', s.interpreter],
            ['Others present', s.others_present],
            ['Language', s.language],
            ['Mode', s.mode === 'remote' ? 'Remote' : 'In person'],
            ['Connection to the facts', s.connection ? label('connection', s.connection) : ''],
            ['Reliability', s.reliability ? label('reliability', s.reliability) : ''],
          ])),
        h('section', { class: 'card' },
          h('h2', { text: `Original text${s.language ? ` (${s.language})` : ''}` }),
          h('div', { class: 'prose statement-text', 'data-testid': 'statement-detail-text', text: s.text || '(no text yet)' }),
          s.translations.map((t) => [
            h('h3', { text: `Translation (${t.language})${t.translator ? ` by ${t.translator}` : ''}` }),
            h('div', { class: 'prose statement-text', 'data-testid': 'statement-detail-translation', text: t.text })])),
        consentCard(s, v.consents, refresh),
        versionsCard(v.versions)),
      h('div', {},
        linksPanel({ type: 'statement', id, caseId: s.case_id, links: v.links, onChange: refresh }),
        historyPanel('statement', id, signal))));
}

function consentCard(s, consents, refresh) {
  const rows = PURPOSES.map(([purpose, name]) => {
    const c = consents.find((x) => x.purpose === purpose);
    const state = !c ? 'unknown' : c.withdrawn_on ? 'withdrawn' : c.granted ? 'granted' : 'refused';
    const detail = !c ? '' : c.withdrawn_on
      ? `withdrawn ${c.withdrawn_on}${c.withdrawal_note ? ` — ${c.withdrawal_note}` : ''}`
      : `${c.given_on || 'date not recorded'}${c.method ? ` · ${c.method}` : ''}`;
    return h('tr', { 'data-testid': `consent-${purpose}`, dataset: { state } },
      h('th', { text: name }),
      h('td', {}, h('span', { class: `cbadge consent-${state}`, text: CONSENT_TEXT[state] })),
      h('td', { class: 'muted small', text: detail }),
      h('td', { class: 'actions' },
        h('button', { class: 'link-button', 'data-testid': `consent-record-${purpose}`, text: 'Record', onclick: () => openConsentForm(s, purpose, name, refresh) }),
        state === 'granted' ? h('button', { class: 'link-button', 'data-testid': `consent-withdraw-${purpose}`, text: 'Withdraw', onclick: () => openWithdrawForm(s, purpose, name, refresh) }) : null));
  });
  return h('section', { class: 'card', 'data-testid': 'consent-panel' },
    h('h2', { text: 'Consent' }),
    h('table', { class: 'consent-table' }, h('tbody', {}, rows)));
}

function openConsentForm(s, purpose, name, refresh) {
  const p = 'consent';
  const form = h('form', { class: 'form', 'data-testid': 'consent-form', novalidate: true },
    field({ name: 'granted', label: 'Decision', prefix: p, control: 'select', options: [['yes', 'Consent given'], ['no', 'Consent refused']], value: 'yes' }),
    field({ name: 'given_on', label: 'Date', prefix: p, type: 'date' }),
    field({ name: 'method', label: 'How', prefix: p, attrs: { placeholder: 'e.g. signed form, oral (recorded)' } }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'consent-save', text: 'Record' })));
  onSubmit(form, {
    collect: () => ({ purpose, granted: form.elements.granted.value === 'yes', given_on: form.elements.given_on.value, method: form.elements.method.value }),
    save: (input) => setConsent(s.id, input),
    done: () => { closeModal(); toast('Consent recorded.'); refresh(); },
  });
  openModal(`Consent: ${name}`, form, { testid: 'consent-form-panel' });
}

function openWithdrawForm(s, purpose, name, refresh) {
  const p = 'withdraw';
  const form = h('form', { class: 'form', 'data-testid': 'withdraw-form', novalidate: true },
    field({ name: 'withdrawn_on', label: 'Withdrawn on', prefix: p, type: 'date', required: true }),
    field({ name: 'withdrawal_note', label: 'Note', prefix: p, control: 'textarea', rows: 3 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'withdraw-save', text: 'Record withdrawal' })));
  onSubmit(form, {
    collect: () => {
      if (!form.elements.withdrawn_on.value) throw { field: 'withdrawn_on', message: 'Enter the day consent was withdrawn.' };
      return { on: form.elements.withdrawn_on.value, note: form.elements.withdrawal_note.value };
    },
    save: ({ on, note }) => withdrawConsent(s.id, purpose, on, note),
    done: () => { closeModal(); toast('Withdrawal recorded.'); refresh(); },
  });
  openModal(`Withdraw consent: ${name}`, form, { testid: 'withdraw-form-panel' });
}

function versionsCard(versions) {
  if (versions.length < 2) return null;
  return h('section', { class: 'card', 'data-testid': 'versions-panel' },
    h('h2', { text: `Earlier versions (${versions.length - 1})` }),
    [...versions].reverse().slice(1).map((v) => h('details', { class: 'version', 'data-testid': 'statement-version' },
      h('summary', {}, `Version ${v.version} · ${formatTime(v.changed_at)} · ${v.changed_by}`,
        v.changed.length ? h('span', { class: 'muted small', text: ` (then changed: ${v.changed.join(', ')})` }) : null),
      h('div', { class: 'prose statement-text', text: v.snapshot.text }))));
}

/** Opens the statement form; with `existing`, saves a new version of it. */
export async function openStatementForm(caseId, existing, onSaved) {
  await loadVocab();
  let persons;
  try {
    persons = await listPersons(caseId);
  } catch (err) {
    toast(err.message, 'error');
    return;
  }
  const p = 'statement';
  const s = existing || { translations: [], mode: 'in_person' };
  const t0 = s.translations[0] || {};
  const witnessOptions = [['', persons.length ? 'Choose the witness…' : 'Add the witness under People first'], ...persons.map((x) => [x.id, `${x.pseudonym}${x.description ? ` — ${x.description.slice(0, 60)}` : ''}`])];
  const form = h('form', { class: 'form wide', 'data-testid': 'statement-form', novalidate: true },
    row(field({ name: 'witness_id', label: 'Witness', prefix: p, control: 'select', options: witnessOptions, value: s.witness_id || '', required: true }),
      field({ name: 'title', label: 'Title', prefix: p, value: s.title || '', hint: 'Left empty: "Statement of <pseudonym>, <date>"' })),
    section('Interview',
      row(field({ name: 'interview_date', label: 'Date', prefix: p, type: 'date', value: s.interview_date || '' }),
        field({ name: 'interview_place', label: 'Place', prefix: p, value: s.interview_place || '' }),
        field({ name: 'mode', label: 'Mode', prefix: p, control: 'select', options: [['in_person', 'In person'], ['remote', 'Remote']], value: s.mode })),
      row(field({ name: 'interviewer', label: 'Interviewer', prefix: p, value: s.interviewer || '' }),
        field({ name: 'interpreter', label: 'Interpreter', prefix: p, value: s.interpreter || '' }),
        field({ name: 'others_present', label: 'Others present', prefix: p, value: s.others_present || '' })),
      row(field({ name: 'connection', label: 'Connection to the facts', prefix: p, control: 'select', options: [['', '—'], ...options('connection')], value: s.connection || '' }),
        field({ name: 'reliability', label: 'Reliability', prefix: p, control: 'select', options: [['', '—'], ...options('reliability')], value: s.reliability || '' }),
        field({ name: 'language', label: 'Language of the original', prefix: p, value: s.language || '', attrs: { placeholder: 'uk, ru, en…' } }))),
    field({ name: 'text', label: 'Text in the original language', prefix: p, control: 'textarea', rows: 8, value: s.text || '' }),
    section('Translation',
      row(field({ name: 'tr_language', label: 'Language', prefix: p, value: t0.language || '', attrs: { placeholder: 'en' } }),
        field({ name: 'tr_translator', label: 'Translator', prefix: p, value: t0.translator || '' })),
      field({ name: 'tr_text', label: 'Translated text', prefix: p, control: 'textarea', rows: 5, value: t0.text || '' }),
      h('div', { class: 'field-error', 'data-testid': 'error-translations', role: 'alert', hidden: true })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'statement-save', text: existing ? 'Save new version' : 'Create statement' })));

  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      if (!e.witness_id.value) throw { field: 'witness_id', message: 'Choose the witness.' };
      const translations = s.translations.slice(1);
      if (e.tr_text.value.trim() || e.tr_language.value.trim()) {
        if (!e.tr_language.value.trim()) throw { field: 'tr_language', message: 'Say which language the translation is in.' };
        translations.unshift({ language: e.tr_language.value.trim(), text: e.tr_text.value, translator: e.tr_translator.value.trim() });
      }
      return {
        witness_id: e.witness_id.value, title: e.title.value, interview_date: e.interview_date.value, interview_place: e.interview_place.value,
        interviewer: e.interviewer.value, interpreter: e.interpreter.value, others_present: e.others_present.value, language: e.language.value,
        mode: e.mode.value, connection: e.connection.value, reliability: e.reliability.value, text: e.text.value, translations,
      };
    },
    save: (input) => (existing ? updateStatement(existing.id, input) : createStatement(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? 'Edit statement' : 'New statement', form, { testid: 'statement-form-panel' });
}
