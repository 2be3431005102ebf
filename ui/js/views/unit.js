// A unit or organisation: a military formation, armed group or authority, as an actor.
import { h, mount, toast } from '../dom.js';
import { getUnit, createUnit, updateUnit, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

/** A unit; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function unitView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading…' }));
  let v;
  try {
    [v] = await Promise.all([getUnit(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const u = v.unit;
  const refresh = () => unitView(main, signal, id);
  mount(main,
    recordHead({ caseId: u.case_id, tab: 'units', kicker: u.kind ? label('unit_kind', u.kind) : 'Unit', title: u.name, testid: 'unit-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-unit', text: 'Edit', onclick: () => openUnitForm(u.case_id, u, () => { toast('Saved.'); refresh(); }) }),
      u.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-unit', text: 'Delete',
        onclick: async () => {
          const reason = await askReason(`Delete ${u.name}?`);
          if (!reason) return;
          try { await deleteRecord('unit', id, reason); location.hash = `#/cases/${u.case_id}/units`; } catch (err) { toast(err.message, 'error'); }
        } }),
    ] }),
    h('div', { class: 'detail-grid', 'data-testid': 'unit-detail' },
      h('div', {}, h('section', { class: 'card' },
        facts([['Kind', u.kind ? label('unit_kind', u.kind) : ''], ['Affiliation', u.affiliation]]),
        u.description ? h('p', { class: 'prose', text: u.description }) : null)),
      h('div', {},
        linksPanel({ type: 'unit', id, caseId: u.case_id, links: v.links, onChange: refresh }),
        historyPanel('unit', id, signal))));
}

/** Opens the unit form; with `existing`, edits it. */
export async function openUnitForm(caseId, existing, onSaved) {
  await loadVocab();
  const pre = 'unit';
  const u = existing || {};
  const form = h('form', { class: 'form', 'data-testid': 'unit-form', novalidate: true },
    field({ name: 'name', label: 'Name', prefix: pre, value: u.name || '', required: true, attrs: { placeholder: 'e.g. 3rd Battalion, 64th Separate Motor Rifle Brigade' } }),
    row(field({ name: 'kind', label: 'Kind', prefix: pre, control: 'select', options: [['', '—'], ...options('unit_kind')], value: u.kind || '' }),
      field({ name: 'affiliation', label: 'Part of / affiliation', prefix: pre, value: u.affiliation || '' })),
    field({ name: 'description', label: 'Description', prefix: pre, control: 'textarea', rows: 4, value: u.description || '' }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'unit-save', text: existing ? 'Save changes' : 'Create unit' })));
  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      if (!e.name.value.trim()) throw { field: 'name', message: 'A name is required.' };
      return { name: e.name.value, kind: e.kind.value, affiliation: e.affiliation.value, description: e.description.value };
    },
    save: (input) => (existing ? updateUnit(existing.id, input) : createUnit(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? 'Edit unit' : 'New unit', form, { testid: 'unit-form-panel' });
}
