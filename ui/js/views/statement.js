// A witness statement: its text (shown as text, never as HTML), translations, consent per
// purpose, earlier versions, links and custody history; and its form.
import { h, mount, toast } from '../dom.js';
import { t, errorText, language, formatDateTime } from '../i18n.js';
import { getStatement, createStatement, updateStatement, listPersons, setConsent, withdrawConsent, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, section, onSubmit, clearErrors, showError } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead, consentBadges, PURPOSES, purposeName, consentStateText, guardForm } from './format.js';
import { formatDate } from '../dates.js';
import { dateField } from './dateField.js';
import { languageName, languageOptions, isListed, isLanguageCode } from '../languages.js';
import { fieldName } from './history.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

const OTHER = '*other';
const day = (d) => (d ? formatDate(d, language()) : '');

/** A statement; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function statementView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: t('statement.loading') }));
  let v;
  try {
    [v] = await Promise.all([getStatement(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const s = v.statement;
  const refresh = () => statementView(main, signal, id);
  mount(main,
    recordHead({ caseId: s.case_id, tab: 'statements', kicker: t('statement.kicker', { version: s.version }), title: s.title, testid: 'statement-detail-title', actions: [
      consentBadges(v.consent, 'consent-summary'),
      h('button', { class: 'button secondary', 'data-testid': 'edit-statement', text: t('record.edit'),
        onclick: () => openStatementForm(s.case_id, s, () => { toast(t('statement.savedVersion')); refresh(); }) }),
      s.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-statement', text: t('record.delete'),
        onclick: async () => {
          const reason = await askReason(t('statement.deleteAsk'));
          if (!reason) return;
          try { await deleteRecord('statement', id, reason); location.hash = `#/cases/${s.case_id}/statements`; } catch (err) { toast(errorText(err), 'error'); }
        } }),
    ] }),
    s.deleted_at ? h('div', { class: 'error-box', text: t('record.deleted', { reason: s.deleted_reason || '' }) }) : null,
    h('div', { class: 'detail-grid', 'data-testid': 'statement-detail' },
      h('div', {},
        h('section', { class: 'card' },
          facts([
            [t('statement.witness'), v.witness.pseudonym, 'statement-detail-witness'],
            [t('statement.interview'), [day(s.interview_date), s.interview_place].filter(Boolean).join(' · '), 'statement-detail-interview'],
            [t('statement.interviewer'), s.interviewer],
            [t('statement.interpreter'), s.interpreter],
            [t('statement.othersPresent'), s.others_present],
            [t('statement.language'), languageName(s.language), 'statement-detail-language'],
            [t('statement.mode'), t(s.mode === 'remote' ? 'statement.mode.remote' : 'statement.mode.in_person')],
            [t('statement.connection'), s.connection ? label('connection', s.connection) : ''],
            [t('statement.reliability'), s.reliability ? label('reliability', s.reliability) : ''],
          ])),
        h('section', { class: 'card' },
          h('h2', { text: s.language ? t('statement.originalTextIn', { language: languageName(s.language) }) : t('statement.originalText') }),
          h('div', { class: 'prose statement-text', 'data-testid': 'statement-detail-text', text: s.text || t('statement.noText') }),
          s.translations.map((tr) => [
            h('h3', { text: tr.translator
              ? t('statement.translationBy', { language: languageName(tr.language), translator: tr.translator })
              : t('statement.translationIn', { language: languageName(tr.language) }) }),
            h('div', { class: 'prose statement-text', 'data-testid': 'statement-detail-translation', text: tr.text })])),
        consentCard(s, v.consents, refresh),
        versionsCard(v.versions)),
      h('div', {},
        linksPanel({ type: 'statement', id, caseId: s.case_id, links: v.links, onChange: refresh }),
        historyPanel('statement', id, signal))));
}

function consentCard(s, consents, refresh) {
  const rows = PURPOSES.map((purpose) => {
    const c = consents.find((x) => x.purpose === purpose);
    const state = !c ? 'unknown' : c.withdrawn_on ? 'withdrawn' : c.granted ? 'granted' : 'refused';
    const detail = !c ? '' : c.withdrawn_on
      ? t('consent.withdrawnOn', { date: day(c.withdrawn_on), note: c.withdrawal_note ? ` — ${c.withdrawal_note}` : '' })
      : `${c.given_on ? day(c.given_on) : t('consent.dateNotRecorded')}${c.method ? ` · ${c.method}` : ''}`;
    return h('tr', { 'data-testid': `consent-${purpose}`, dataset: { state } },
      h('th', { text: purposeName(purpose) }),
      h('td', {}, h('span', { class: `cbadge consent-${state}`, text: consentStateText(state) })),
      h('td', { class: 'muted small', text: detail }),
      h('td', { class: 'actions' },
        h('button', { class: 'link-button', 'data-testid': `consent-record-${purpose}`, text: t('consent.record'),
          'aria-label': t('consent.recordFor', { purpose: purposeName(purpose) }), onclick: () => openConsentForm(s, [purpose], refresh) }),
        state === 'granted' ? h('button', { class: 'link-button', 'data-testid': `consent-withdraw-${purpose}`, text: t('consent.withdraw'),
          'aria-label': t('consent.withdrawFor', { purpose: purposeName(purpose) }), onclick: () => openWithdrawForm(s, purpose, refresh) }) : null));
  });
  return h('section', { class: 'card', 'data-testid': 'consent-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: t('consent.title') }),
      h('button', { class: 'button secondary small-btn', 'data-testid': 'consent-record', text: t('consent.recordSeveral'), onclick: () => openConsentForm(s, [], refresh) })),
    h('table', { class: 'consent-table' }, h('tbody', {}, rows)));
}

/**
 * Consent for one or several purposes in one dialog: one decision, one date and one "how" for
 * every purpose ticked, recorded as one consent entry per purpose (the backend's unit).
 */
function openConsentForm(s, preset, refresh) {
  const p = 'consent';
  const date = dateField({ name: 'given_on', label: t('consent.date'), testid: 'consent-given_on', allowRange: false, allowTime: false, precisions: ['day'] });
  const purposes = h('fieldset', { class: 'field checks', 'data-testid': 'consent-purposes' },
    h('legend', { text: t('consent.purposes') }),
    h('div', { class: 'check-grid' }, PURPOSES.map((purpose) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'purpose', value: purpose, 'data-testid': `consent-purpose-${purpose}`, checked: preset.includes(purpose) || null }),
      h('span', { text: purposeName(purpose) })))),
    h('div', { class: 'field-error', 'data-testid': 'error-purpose', role: 'alert', hidden: true }));
  const form = h('form', { class: 'form', 'data-testid': 'consent-form', novalidate: true },
    purposes,
    field({ name: 'granted', label: t('consent.decision'), prefix: p, control: 'select', options: [['yes', t('consent.given')], ['no', t('consent.refused')]], value: 'yes' }),
    date.el,
    field({ name: 'method', label: t('consent.how'), prefix: p, limit: 300, attrs: { placeholder: t('consent.howPlaceholder') } }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'consent-save', text: t('consent.record') })));
  guardForm(form);
  const save = form.querySelector('[data-testid=consent-save]');
  const recorded = [];
  let finished = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const chosen = [...form.querySelectorAll('input[name=purpose]:checked')].map((i) => i.value).filter((x) => !recorded.includes(x));
    if (!chosen.length && !recorded.length) { showError(form, 'purpose', t('consent.choosePurpose')); return; }
    const d = date.read();
    if (!d.ok) return;
    save.disabled = true;
    try {
      // One entry per purpose, in order; if one fails, those before it stay recorded and are
      // named, so a second try records only the rest.
      for (const purpose of chosen) {
        await setConsent(s.id, { purpose, granted: form.elements.granted.value === 'yes', given_on: d.value.from || '', method: form.elements.method.value });
        recorded.push(purpose);
      }
      finished = true;
      closeModal();
      toast(t('consent.recorded', { purposes: recorded.map(purposeName).join(', ') }));
      refresh();
    } catch (err) {
      const msg = errorText(err);
      showError(form, err.field === 'given_on' ? 'given_on' : null, recorded.length
        ? t('consent.partlyRecorded', { done: recorded.map(purposeName).join(', '), error: msg }) : msg);
      for (const box of form.querySelectorAll('input[name=purpose]')) if (recorded.includes(box.value)) box.disabled = true;
    } finally {
      save.disabled = false;
    }
  });
  // Closed after a partial failure: what was recorded shows.
  openModal(t('consent.formTitle'), form, { testid: 'consent-form-panel', onClose: () => { if (recorded.length && !finished) refresh(); } });
  if (preset.length) date.focus();
}

function openWithdrawForm(s, purpose, refresh) {
  const p = 'withdraw';
  const date = dateField({ name: 'withdrawn_on', label: t('consent.withdrawnOnLabel'), testid: 'withdraw-withdrawn_on', required: true, allowRange: false, allowTime: false, precisions: ['day'] });
  const form = h('form', { class: 'form', 'data-testid': 'withdraw-form', novalidate: true },
    date.el,
    field({ name: 'withdrawal_note', label: t('consent.note'), prefix: p, control: 'textarea', rows: 3, limit: 2000 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'withdraw-save', text: t('consent.recordWithdrawal') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const d = date.read();
      if (!d.ok) throw { field: 'withdrawn_on', message: d.message };
      return { on: d.value.from, note: form.elements.withdrawal_note.value };
    },
    save: ({ on, note }) => withdrawConsent(s.id, purpose, on, note).catch((err) => { throw { ...err, message: errorText(err) }; }),
    done: () => { closeModal(); toast(t('consent.withdrawalRecorded')); refresh(); },
  });
  openModal(t('consent.withdrawTitle', { purpose: purposeName(purpose) }), form, { testid: 'withdraw-form-panel' });
}

function versionsCard(versions) {
  if (versions.length < 2) return null;
  return h('section', { class: 'card', 'data-testid': 'versions-panel' },
    h('h2', { text: t('statement.earlierVersions', { count: versions.length - 1 }) }),
    [...versions].reverse().slice(1).map((v) => h('details', { class: 'version', 'data-testid': 'statement-version' },
      h('summary', {}, t('statement.versionLine', { version: v.version, at: formatDateTime(v.changed_at), by: v.changed_by }),
        v.changed.length ? h('span', { class: 'muted small', text: ` ${t('statement.thenChanged', { fields: v.changed.map(fieldName).join(', ') })}` }) : null),
      h('div', { class: 'prose statement-text', text: v.snapshot.text }))));
}

/**
 * A language chosen from the list (stored as its code), or "Other…" with a code typed in. A
 * value stored before the list existed, or not on it, is kept and shown as it is.
 */
function languagePicker({ name, label: text, prefix, value }) {
  const v = String(value || '').trim();
  const listed = !v || isListed(v);
  const select = field({ name, label: text, prefix, control: 'select',
    options: [['', t('record.none')], ...languageOptions(), [OTHER, t('statement.languageOther')]], value: listed ? v.toLowerCase() : OTHER });
  const other = field({ name: `${name}_other`, label: t('statement.languageOtherCode'), prefix, value: listed ? '' : v, limit: 40,
    attrs: { placeholder: t('statement.languageOtherPlaceholder') } });
  const sel = select.querySelector('select');
  const sync = () => { other.hidden = sel.value !== OTHER; };
  sel.addEventListener('change', () => { sync(); if (sel.value === OTHER) other.querySelector('input').focus(); });
  sync();
  return {
    els: [select, other],
    /** The code, '' for none; throws a field error for an "Other…" that is not a language code. */
    read() {
      if (sel.value !== OTHER) return sel.value;
      const code = other.querySelector('input').value.trim();
      if (!code) throw { field: `${name}_other`, message: t('statement.languageOtherRequired') };
      if (code !== v && !isLanguageCode(code)) throw { field: `${name}_other`, message: t('statement.languageCodeInvalid') };
      return code;
    },
  };
}

/** Opens the statement form; with `existing`, saves a new version of it. */
export async function openStatementForm(caseId, existing, onSaved) {
  await loadVocab();
  let persons;
  try {
    persons = await listPersons(caseId);
  } catch (err) {
    toast(errorText(err), 'error');
    return;
  }
  const p = 'statement';
  const s = existing || { translations: [], mode: 'in_person' };
  const t0 = s.translations[0] || {};
  const witnessOptions = [['', persons.length ? t('statement.chooseWitness') : t('statement.addWitnessFirst')], ...persons.map((x) => [x.id, `${x.pseudonym}${x.description ? ` — ${x.description.slice(0, 60)}` : ''}`])];
  const interviewDate = dateField({ name: 'interview_date', label: t('statement.interviewDate'), testid: 'statement-interview_date', value: s.interview_date || null,
    allowRange: false, allowTime: false, precisions: ['day'] });
  const lang = languagePicker({ name: 'language', label: t('statement.languageOriginal'), prefix: p, value: s.language });
  const trLang = languagePicker({ name: 'tr_language', label: t('statement.language'), prefix: p, value: t0.language });
  const form = h('form', { class: 'form wide', 'data-testid': 'statement-form', novalidate: true },
    row(field({ name: 'witness_id', label: t('statement.witness'), prefix: p, control: 'select', options: witnessOptions, value: s.witness_id || '', required: true }),
      field({ name: 'title', label: t('statement.title'), prefix: p, value: s.title || '', hint: t('statement.titleHint'), limit: 300 })),
    section(t('statement.interview'),
      row(interviewDate.el,
        field({ name: 'interview_place', label: t('statement.interviewPlace'), prefix: p, value: s.interview_place || '', limit: 300 }),
        field({ name: 'mode', label: t('statement.mode'), prefix: p, control: 'select', options: [['in_person', t('statement.mode.in_person')], ['remote', t('statement.mode.remote')]], value: s.mode })),
      row(field({ name: 'interviewer', label: t('statement.interviewer'), prefix: p, value: s.interviewer || '', limit: 300 }),
        field({ name: 'interpreter', label: t('statement.interpreter'), prefix: p, value: s.interpreter || '', limit: 300 }),
        field({ name: 'others_present', label: t('statement.othersPresent'), prefix: p, value: s.others_present || '', limit: 1000 })),
      row(field({ name: 'connection', label: t('statement.connection'), prefix: p, control: 'select', options: [['', t('record.none')], ...options('connection')], value: s.connection || '' }),
        field({ name: 'reliability', label: t('statement.reliability'), prefix: p, control: 'select', options: [['', t('record.none')], ...options('reliability')], value: s.reliability || '' }),
        ...lang.els)),
    field({ name: 'text', label: t('statement.textLabel'), prefix: p, control: 'textarea', rows: 8, value: s.text || '', limit: 2_000_000 }),
    section(t('statement.translation'),
      row(...trLang.els,
        field({ name: 'tr_translator', label: t('statement.translator'), prefix: p, value: t0.translator || '', limit: 300 })),
      field({ name: 'tr_text', label: t('statement.translatedText'), prefix: p, control: 'textarea', rows: 5, value: t0.text || '', limit: 2_000_000 }),
      h('div', { class: 'field-error', 'data-testid': 'error-translations', role: 'alert', hidden: true })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'statement-save', text: existing ? t('statement.saveVersion') : t('statement.create') })));

  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      if (!e.witness_id.value) throw { field: 'witness_id', message: t('statement.witnessRequired') };
      const d = interviewDate.read();
      if (!d.ok) throw { field: 'interview_date', message: d.message };
      const originalLanguage = lang.read();
      const translations = s.translations.slice(1);
      const trLanguage = trLang.read();
      if (e.tr_text.value.trim() || trLanguage) {
        if (!trLanguage) throw { field: 'tr_language', message: t('statement.translationLanguageRequired') };
        translations.unshift({ language: trLanguage, text: e.tr_text.value, translator: e.tr_translator.value.trim() });
      }
      // Left empty, the title is made here rather than by the backend, so it is in the UI language.
      const witness = persons.find((x) => x.id === e.witness_id.value);
      const title = e.title.value.trim() || (witness ? (d.value.from
        ? t('statement.defaultTitleDated', { pseudonym: witness.pseudonym, date: formatDate(d.value.from, language(), { style: 'short' }) })
        : t('statement.defaultTitle', { pseudonym: witness.pseudonym })) : '');
      return {
        witness_id: e.witness_id.value, title, interview_date: d.value.from || '', interview_place: e.interview_place.value,
        interviewer: e.interviewer.value, interpreter: e.interpreter.value, others_present: e.others_present.value, language: originalLanguage,
        mode: e.mode.value, connection: e.connection.value, reliability: e.reliability.value, text: e.text.value, translations,
      };
    },
    save: (input) => (existing ? updateStatement(existing.id, input) : createStatement(caseId, input)).catch((err) => { throw { ...err, message: errorText(err) }; }),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? t('statement.editTitle') : t('statement.newTitle'), form, { testid: 'statement-form-panel' });
}
