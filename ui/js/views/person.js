// A person, known by pseudonym. Identifying details are restricted: the view says whether any
// are on record, and shows them only when the user explicitly reveals them (which is logged).
import { h, mount, toast } from '../dom.js';
import { getPerson, createPerson, updatePerson, setIdentity, revealIdentity, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, checks, checkedValues, row, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

/** A person; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function personView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading…' }));
  let v;
  try {
    [v] = await Promise.all([getPerson(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const p = v.person;
  const refresh = () => personView(main, signal, id);
  mount(main,
    recordHead({ caseId: p.case_id, tab: 'people', kicker: p.roles.map((r) => label('person_role', r)).join(', ') || 'Person', title: p.pseudonym, testid: 'person-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-person', text: 'Edit', onclick: () => openPersonForm(p.case_id, p, () => { toast('Saved.'); refresh(); }) }),
      p.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-person', text: 'Delete',
        onclick: async () => {
          const reason = await askReason(`Delete ${p.pseudonym}?`);
          if (!reason) return;
          try { await deleteRecord('person', id, reason); location.hash = `#/cases/${p.case_id}/people`; } catch (err) { toast(err.message, 'error'); }
        } }),
    ] }),
    h('div', { class: 'detail-grid', 'data-testid': 'person-detail' },
      h('div', {},
        h('section', { class: 'card' }, facts([['Pseudonym', p.pseudonym], ['Description', p.description], ['Gender', p.gender], ['Age group', p.age_group]])),
        identityCard(p, v.has_identity, refresh)),
      h('div', {},
        linksPanel({ type: 'person', id, caseId: p.case_id, links: v.links, onChange: refresh }),
        historyPanel('person', id, signal))));
}

function identityCard(p, hasIdentity, refresh) {
  const body = h('div', { 'data-testid': 'identity-body' },
    h('p', { class: 'muted', text: hasIdentity
      ? 'Identifying details are on record. They are kept apart from the case, never listed or searched, and left out of exports unless explicitly included.'
      : 'No identifying details are recorded.' }));
  const reveal = hasIdentity ? h('button', { class: 'button secondary', 'data-testid': 'reveal-identity', text: 'Reveal identifying details',
    onclick: async () => {
      try {
        const id = await revealIdentity(p.id);
        mount(body, facts([['Real name', id.real_name, 'identity-real-name'], ['Date of birth', id.date_of_birth], ['Contact', id.contact], ['Address', id.address], ['Notes', id.notes]]),
          h('p', { class: 'muted small', text: 'This viewing is recorded in the custody log.' }));
        reveal.remove();
      } catch (err) { toast(err.message, 'error'); }
    } }) : null;
  return h('section', { class: 'card restricted', 'data-testid': 'identity-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: 'Identifying details (restricted)' }),
      h('button', { class: 'button secondary small-btn', 'data-testid': 'edit-identity', text: hasIdentity ? 'Replace' : 'Record', onclick: () => openIdentityForm(p, refresh) })),
    body, reveal);
}

function openIdentityForm(p, refresh) {
  const pre = 'identity';
  const form = h('form', { class: 'form', 'data-testid': 'identity-form', novalidate: true },
    h('p', { class: 'muted', text: `Identifying details of ${p.pseudonym}. The custody log records that they changed, never what they are.` }),
    field({ name: 'real_name', label: 'Real name', prefix: pre }),
    row(field({ name: 'date_of_birth', label: 'Date of birth', prefix: pre }), field({ name: 'contact', label: 'Contact', prefix: pre })),
    field({ name: 'address', label: 'Address', prefix: pre, control: 'textarea', rows: 2 }),
    field({ name: 'notes', label: 'Notes', prefix: pre, control: 'textarea', rows: 3 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'identity-save', text: 'Save' })));
  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      return { real_name: e.real_name.value, date_of_birth: e.date_of_birth.value, contact: e.contact.value, address: e.address.value, notes: e.notes.value };
    },
    save: (identity) => setIdentity(p.id, identity),
    done: () => { closeModal(); toast('Identifying details saved.'); refresh(); },
  });
  openModal('Identifying details', form, { testid: 'identity-form-panel' });
}

/** Opens the person form; with `existing`, edits it. */
export async function openPersonForm(caseId, existing, onSaved) {
  await loadVocab();
  const pre = 'person';
  const p = existing || { roles: [] };
  const form = h('form', { class: 'form', 'data-testid': 'person-form', novalidate: true },
    checks({ name: 'roles', label: 'Roles in the case', prefix: pre, options: options('person_role'), values: p.roles }),
    field({ name: 'pseudonym', label: 'Pseudonym code', prefix: pre, value: p.pseudonym || '', hint: 'Left empty, one is generated from the first role: W-001, V-001, S-001, P-001.' }),
    field({ name: 'description', label: 'Public description', prefix: pre, control: 'textarea', rows: 3, value: p.description || '', hint: 'Nothing that identifies the person: identifying details go in the restricted record.' }),
    row(field({ name: 'gender', label: 'Gender', prefix: pre, value: p.gender || '' }), field({ name: 'age_group', label: 'Age group', prefix: pre, value: p.age_group || '' })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'person-save', text: existing ? 'Save changes' : 'Create person' })));
  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      return { pseudonym: e.pseudonym.value, roles: checkedValues(form, 'roles'), description: e.description.value, gender: e.gender.value, age_group: e.age_group.value };
    },
    save: (input) => (existing ? updatePerson(existing.id, input) : createPerson(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? `Edit ${p.pseudonym}` : 'New person', form, { testid: 'person-form-panel' });
}
