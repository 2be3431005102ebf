// The form to create a case or edit its title, reference code and description.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { createCase, updateCase } from '../api/cases.js';
import { openModal, closeModal } from './modal.js';
import { field, clearErrors, showError, showBackendError, guardEnter, LIMITS } from './form.js';

/**
 * Opens the case form. With `existing`, edits that case; otherwise creates one.
 * Calls `onSaved(case)` after a successful save.
 */
export function openCaseForm(existing, onSaved) {
  const p = 'case';
  const form = h('form', { class: 'form', 'data-testid': 'case-form', novalidate: true },
    field({ name: 'title', label: t('caseForm.title'), prefix: p, value: existing?.title, required: true, limit: LIMITS.caseTitle,
      attrs: { placeholder: t('caseForm.titlePlaceholder') } }),
    field({ name: 'reference', label: t('caseForm.reference'), prefix: p, value: existing?.reference ?? '', limit: LIMITS.caseReference,
      hint: t('caseForm.referenceHint'),
      attrs: { placeholder: t('caseForm.referencePlaceholder') } }),
    field({ name: 'description', label: t('caseForm.description'), prefix: p, control: 'textarea', rows: 6, value: existing?.description,
      limit: LIMITS.description }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: () => closeModal(), text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'case-save', text: existing ? t('caseForm.saveChanges') : t('caseForm.create') })));
  guardEnter(form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const title = form.elements.title.value.trim();
    const reference = form.elements.reference.value.trim();
    const description = form.elements.description.value;
    if (!title) {
      showError(form, 'title', t('caseForm.titleRequired'));
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

  openModal(existing ? t('caseForm.editTitle') : t('caseForm.newTitle'), form, { testid: 'case-form-panel' });
}
