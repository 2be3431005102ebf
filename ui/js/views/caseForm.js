// The form to create a case or edit its title, reference code and description.
import { h } from '../dom.js';
import { createCase, updateCase } from '../api/cases.js';
import { openModal, closeModal } from './modal.js';
import { field, clearErrors, showError, showBackendError } from './form.js';

/**
 * Opens the case form. With `existing`, edits that case; otherwise creates one.
 * Calls `onSaved(case)` after a successful save.
 */
export function openCaseForm(existing, onSaved) {
  const p = 'case';
  const form = h('form', { class: 'form', 'data-testid': 'case-form', novalidate: true },
    field({ name: 'title', label: 'Title', prefix: p, value: existing?.title, required: true,
      attrs: { maxlength: 300, placeholder: 'e.g. Strike on the Mariupol maternity hospital' } }),
    field({ name: 'reference', label: 'Reference code', prefix: p, value: existing?.reference ?? '',
      hint: 'Your organisation\u2019s identifier for the case; must be unique in this library.',
      attrs: { maxlength: 64, placeholder: 'e.g. UA-MAR-001' } }),
    field({ name: 'description', label: 'Description', prefix: p, control: 'textarea', rows: 6, value: existing?.description }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'case-save', text: existing ? 'Save changes' : 'Create case' })));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const title = form.elements.title.value.trim();
    const reference = form.elements.reference.value.trim();
    const description = form.elements.description.value;
    if (!title) {
      showError(form, 'title', 'A title is required.');
      return;
    }
    const save = form.querySelector('[data-testid=case-save]');
    save.disabled = true;
    try {
      const saved = existing
        ? await updateCase(existing.id, { title, reference, description })
        : await createCase({ title, reference: reference || null, description });
      closeModal();
      onSaved(saved);
    } catch (err) {
      showBackendError(form, err);
    } finally {
      save.disabled = false;
    }
  });

  openModal(existing ? 'Edit case' : 'New case', form, { testid: 'case-form-panel' });
}
