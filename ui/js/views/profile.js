// The investigator profile in the sidebar: who is recorded as the actor of every change.
import { h, mount, toast } from '../dom.js';
import { setProfile } from '../api/library.js';
import { openModal, closeModal } from './modal.js';
import { field, clearErrors, showError, showBackendError } from './form.js';

export function renderProfile(el, profile) {
  if (profile) {
    mount(el,
      h('div', { class: 'profile-name', text: profile.name }),
      h('div', { class: 'profile-org', text: profile.organisation }),
      h('button', { class: 'link', text: 'Change', onclick: () => openProfileForm(el, profile) }));
  } else {
    mount(el,
      h('div', { class: 'profile-missing', text: 'No investigator profile' }),
      h('button', { class: 'button small', 'data-testid': 'set-profile', text: 'Set your name',
        onclick: () => openProfileForm(el, null) }));
  }
}

/** Opens the profile form; `el` is the sidebar summary to refresh after saving. */
export function openProfileForm(el, profile, onSaved) {
  const p = 'profile';
  const form = h('form', { class: 'form', 'data-testid': 'profile-form', novalidate: true },
    h('p', { class: 'muted', text: 'Your name and organisation are recorded with every change you make, in the custody log.' }),
    field({ name: 'name', label: 'Name', prefix: p, value: profile?.name, required: true }),
    field({ name: 'organisation', label: 'Organisation', prefix: p, value: profile?.organisation }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'profile-save', text: 'Save' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const name = form.elements.name.value.trim();
    if (!name) { showError(form, 'name', 'Your name is required.'); return; }
    try {
      const saved = await setProfile(name, form.elements.organisation.value.trim());
      closeModal();
      renderProfile(el, saved);
      toast('Profile saved.');
      if (onSaved) onSaved(saved);
    } catch (err) {
      showBackendError(form, err);
    }
  });
  openModal('Investigator profile', form, { testid: 'profile-panel' });
}
