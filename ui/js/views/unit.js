// A unit or organisation: a military formation, armed group or authority, as an actor.
import { h, mount, toast } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { getUnit, createUnit, updateUnit, deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { facts, recordHead, guardForm } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

/** A unit; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function unitView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: t('common.loading') }));
  let v;
  try {
    [v] = await Promise.all([getUnit(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const u = v.unit;
  const refresh = () => unitView(main, signal, id);
  mount(main,
    recordHead({ caseId: u.case_id, tab: 'units', kicker: u.kind ? label('unit_kind', u.kind) : t('unit.kicker'), title: u.name, testid: 'unit-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-unit', text: t('record.edit'), onclick: () => openUnitForm(u.case_id, u, () => { toast(t('record.saved')); refresh(); }) }),
      u.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-unit', text: t('record.delete'),
        onclick: async () => {
          const reason = await askReason(t('unit.deleteAsk', { name: u.name }));
          if (!reason) return;
          try { await deleteRecord('unit', id, reason); location.hash = `#/cases/${u.case_id}/units`; } catch (err) { toast(errorText(err), 'error'); }
        } }),
    ] }),
    u.deleted_at ? h('div', { class: 'error-box', text: t('record.deleted', { reason: u.deleted_reason || '' }) }) : null,
    h('div', { class: 'detail-grid', 'data-testid': 'unit-detail' },
      h('div', {}, h('section', { class: 'card' },
        facts([[t('unit.kind'), u.kind ? label('unit_kind', u.kind) : ''], [t('unit.affiliation'), u.affiliation]]),
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
    field({ name: 'name', label: t('unit.name'), prefix: pre, value: u.name || '', required: true, limit: 300, attrs: { placeholder: t('unit.namePlaceholder') } }),
    row(field({ name: 'kind', label: t('unit.kind'), prefix: pre, control: 'select', options: [['', t('record.none')], ...options('unit_kind')], value: u.kind || '' }),
      field({ name: 'affiliation', label: t('unit.affiliationLabel'), prefix: pre, value: u.affiliation || '', limit: 300 })),
    field({ name: 'description', label: t('unit.description'), prefix: pre, control: 'textarea', rows: 4, value: u.description || '', limit: 10_000 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'unit-save', text: existing ? t('record.saveChanges') : t('unit.create') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      if (!e.name.value.trim()) throw { field: 'name', message: t('unit.nameRequired') };
      return { name: e.name.value, kind: e.kind.value, affiliation: e.affiliation.value, description: e.description.value };
    },
    save: (input) => (existing ? updateUnit(existing.id, input) : createUnit(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? t('unit.editTitle') : t('unit.newTitle'), form, { testid: 'unit-form-panel' });
}
