// The investigator profile in the sidebar (who is recorded as the actor of every change), and the
// sidebar's settings: the UI language and the keyboard help.
import { h, mount, toast } from '../dom.js';
import { setProfile } from '../api/library.js';
import { LANGUAGES, language, setLanguage, t } from '../i18n.js';
import { openModal, closeModal } from './modal.js';
import { field, clearErrors, showError, showBackendError, guardEnter, LIMITS } from './form.js';

/** The summary on screen and the profile it shows, to be drawn again in another language. */
let shown = null;

/** Shows `profile` (or the invitation to set one) in the sidebar summary `el`. */
export function renderProfile(el, profile) {
  shown = { el, profile };
  if (profile) {
    mount(el,
      h('div', { class: 'profile-name', text: profile.name }),
      h('div', { class: 'profile-org', text: profile.organisation }),
      h('button', { type: 'button', class: 'link', 'data-testid': 'change-profile', text: t('profile.change'),
        'aria-label': t('profile.changeLabel'), onclick: () => openProfileForm(el, profile) }));
  } else {
    mount(el,
      h('div', { class: 'profile-missing', text: t('profile.missing') }),
      h('button', { type: 'button', class: 'button small', 'data-testid': 'set-profile', text: t('profile.set'),
        onclick: () => openProfileForm(el, null) }));
  }
}

/** Draws the sidebar summary again (the language changed); forgets it with `forget` (on lock). */
export function redrawProfile({ forget = false } = {}) {
  if (forget) { shown = null; return; }
  if (shown && shown.el.isConnected) renderProfile(shown.el, shown.profile);
}

/**
 * The language choice: the UI languages by their own names. A choice is remembered for the next
 * start and applies at once (the view on screen is drawn again in it). `id` must be unique on
 * the page.
 */
export function languageChoice(id = 'language-choice') {
  const select = h('select', { id, 'data-testid': 'language-select' },
    LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code, text: l.name })));
  select.value = language();
  select.addEventListener('change', () => {
    setLanguage(select.value, { remember: true }).catch(() => toast(t('error.internal'), 'error'));
  });
  return h('div', { class: 'language-choice' }, h('label', { for: id, text: t('settings.language') }), select);
}

/** Opens the profile form; `el` is the sidebar summary to refresh after saving. */
export function openProfileForm(el, profile, onSaved) {
  const p = 'profile';
  const form = h('form', { class: 'form', 'data-testid': 'profile-form', novalidate: true },
    h('p', { class: 'muted', text: t('profile.why') }),
    field({ name: 'name', label: t('profile.name'), prefix: p, value: profile?.name, required: true, limit: LIMITS.profileName }),
    field({ name: 'organisation', label: t('profile.organisation'), prefix: p, value: profile?.organisation, limit: LIMITS.profileOrganisation }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: () => closeModal(), text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'profile-save', text: t('common.save') })));
  guardEnter(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const name = form.elements.name.value.trim();
    if (!name) { showError(form, 'name', t('profile.nameRequired')); return; }
    try {
      const saved = await setProfile(name, form.elements.organisation.value.trim());
      closeModal();
      renderProfile(el, saved);
      toast(t('profile.saved'));
      if (onSaved) onSaved(saved);
    } catch (err) {
      showBackendError(form, err);
    }
  });
  openModal(t('profile.title'), form, { testid: 'profile-panel' });
}
