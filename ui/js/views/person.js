// A person, known by pseudonym. Identifying details are restricted: the view says whether any
// are on record, and shows them only when the user explicitly reveals them (which is logged).
import { h, mount, toast } from '../dom.js';
import { t, errorText, language } from '../i18n.js';
import { getPerson, createPerson, updatePerson, setIdentity, revealIdentity, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, checks, checkedValues, row, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead, guardForm } from './format.js';
import { formatDate } from '../dates.js';
import { dateField } from './dateField.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

/** A person; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function personView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: t('common.loading') }));
  let v;
  try {
    [v] = await Promise.all([getPerson(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const p = v.person;
  const refresh = () => personView(main, signal, id);
  mount(main,
    recordHead({ caseId: p.case_id, tab: 'people', kicker: p.roles.map((r) => label('person_role', r)).join(', ') || t('person.kicker'), title: p.pseudonym, testid: 'person-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-person', text: t('record.edit'), onclick: () => openPersonForm(p.case_id, p, () => { toast(t('record.saved')); refresh(); }) }),
      p.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-person', text: t('record.delete'),
        onclick: async () => {
          const reason = await askReason(t('person.deleteAsk', { name: p.pseudonym }));
          if (!reason) return;
          try { await deleteRecord('person', id, reason); location.hash = `#/cases/${p.case_id}/people`; } catch (err) { toast(errorText(err), 'error'); }
        } }),
    ] }),
    p.deleted_at ? h('div', { class: 'error-box', text: t('record.deleted', { reason: p.deleted_reason || '' }) }) : null,
    h('div', { class: 'detail-grid', 'data-testid': 'person-detail' },
      h('div', {},
        h('section', { class: 'card' }, facts([[t('person.pseudonym'), p.pseudonym], [t('person.description'), p.description], [t('person.gender'), p.gender], [t('person.ageGroup'), p.age_group]])),
        identityCard(p, v.has_identity, refresh)),
      h('div', {},
        linksPanel({ type: 'person', id, caseId: p.case_id, links: v.links, onChange: refresh }),
        historyPanel('person', id, signal))));
}

function identityCard(p, hasIdentity, refresh) {
  const body = h('div', { 'data-testid': 'identity-body' },
    h('p', { class: 'muted', text: t(hasIdentity ? 'identity.onRecord' : 'identity.none') }));
  const reveal = hasIdentity ? h('button', { class: 'button secondary', 'data-testid': 'reveal-identity', text: t('identity.reveal'),
    onclick: async () => {
      try {
        const id = await revealIdentity(p.id);
        const dob = id.date_of_birth ? formatDate(id.date_of_birth, language()) : '';
        mount(body, facts([[t('identity.realName'), id.real_name, 'identity-real-name'], [t('identity.dateOfBirth'), dob], [t('identity.contact'), id.contact], [t('identity.address'), id.address], [t('identity.notes'), id.notes]]),
          h('p', { class: 'muted small', text: t('identity.viewingLogged') }));
        reveal.remove();
      } catch (err) { toast(errorText(err), 'error'); }
    } }) : null;
  return h('section', { class: 'card restricted', 'data-testid': 'identity-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: t('identity.title') }),
      h('button', { class: 'button secondary small-btn', 'data-testid': 'edit-identity', text: t(hasIdentity ? 'identity.replace' : 'identity.record'), onclick: () => openIdentityForm(p, refresh) })),
    body, reveal);
}

function openIdentityForm(p, refresh) {
  const pre = 'identity';
  const dob = dateField({ name: 'date_of_birth', label: t('identity.dateOfBirth'), testid: 'identity-date_of_birth', allowRange: false, allowTime: false, precisions: ['year', 'month', 'day'] });
  const form = h('form', { class: 'form', 'data-testid': 'identity-form', novalidate: true },
    h('p', { class: 'muted', text: t('identity.formIntro', { name: p.pseudonym }) }),
    field({ name: 'real_name', label: t('identity.realName'), prefix: pre, limit: 300 }),
    row(dob.el, field({ name: 'contact', label: t('identity.contact'), prefix: pre, limit: 2000 })),
    field({ name: 'address', label: t('identity.address'), prefix: pre, control: 'textarea', rows: 2, limit: 2000 }),
    field({ name: 'notes', label: t('identity.notes'), prefix: pre, control: 'textarea', rows: 3, limit: 10_000 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'identity-save', text: t('common.save') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      const d = dob.read();
      if (!d.ok) throw { field: 'date_of_birth', message: d.message };
      return { real_name: e.real_name.value, date_of_birth: d.value.from || '', contact: e.contact.value, address: e.address.value, notes: e.notes.value };
    },
    save: (identity) => setIdentity(p.id, identity),
    done: () => { closeModal(); toast(t('identity.saved')); refresh(); },
  });
  openModal(t('identity.formTitle'), form, { testid: 'identity-form-panel' });
}

/** Opens the person form; with `existing`, edits it. */
export async function openPersonForm(caseId, existing, onSaved) {
  await loadVocab();
  const pre = 'person';
  const p = existing || { roles: [] };
  const form = h('form', { class: 'form', 'data-testid': 'person-form', novalidate: true },
    checks({ name: 'roles', label: t('person.roles'), prefix: pre, options: options('person_role'), values: p.roles }),
    field({ name: 'pseudonym', label: t('person.pseudonymCode'), prefix: pre, value: p.pseudonym || '', hint: t('person.pseudonymHint'), limit: 40 }),
    field({ name: 'description', label: t('person.publicDescription'), prefix: pre, control: 'textarea', rows: 3, value: p.description || '', hint: t('person.descriptionHint'), limit: 10_000 }),
    row(field({ name: 'gender', label: t('person.gender'), prefix: pre, value: p.gender || '', limit: 40 }), field({ name: 'age_group', label: t('person.ageGroup'), prefix: pre, value: p.age_group || '', limit: 40 })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'person-save', text: existing ? t('record.saveChanges') : t('person.create') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      return { pseudonym: e.pseudonym.value, roles: checkedValues(form, 'roles'), description: e.description.value, gender: e.gender.value, age_group: e.age_group.value };
    },
    save: (input) => (existing ? updatePerson(existing.id, input) : createPerson(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? t('person.editTitle', { name: p.pseudonym }) : t('person.newTitle'), form, { testid: 'person-form-panel' });
}
