// An incident: its detail view and its form.
import { h, mount, toast } from '../dom.js';
import { t, errorText, formatNumber } from '../i18n.js';
import { getIncident, createIncident, updateIncident, deleteRecord, listPersons, listUnits, createAct, createInvolvement } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, checks, checkedValues, row, section, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { dateLong, placeText, facts, recordHead, guardForm } from './format.js';
import { dateField } from './dateField.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

const LOCATION_PRECISIONS = ['exact', 'vicinity', 'locality', 'region'];
const locationPrecisionOptions = () => [['', t('record.none')], ...LOCATION_PRECISIONS.map((p) => [p, t(`incident.locationPrecision.${p}`)])];

/** "killed: 12, civilians 10, children 2 — reported by X", in the UI language. */
function casualtyText(c) {
  const parts = [t('incident.casualtyTotal', { kind: t(`incident.casualty.${c.kind}`), total: c.total ?? '?' })];
  if (c.civilians != null) parts.push(t('incident.casualtyCivilians', { n: c.civilians }));
  if (c.children != null) parts.push(t('incident.casualtyChildren', { n: c.children }));
  const text = parts.join(', ');
  return c.reported_by ? t('incident.casualtyReportedBy', { text, by: c.reported_by }) : text;
}

/** An incident; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function incidentView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: t('incident.loading') }));
  let v;
  try {
    [v] = await Promise.all([getIncident(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const i = v.incident;
  const refresh = () => incidentView(main, signal, id);
  const place = placeText(i);
  // Coordinates as stored (a dot, never a locale's decimal comma: they are copied into maps).
  const point = i.latitude !== null && i.latitude !== undefined
    ? `${i.latitude}, ${i.longitude}${i.location_precision ? ` (${t(`incident.locationPrecisionShort.${i.location_precision}`)})` : ''}` : '';
  const casualties = i.casualties.map(casualtyText);
  const deleted = i.deleted_at ? h('div', { class: 'error-box', text: t('record.deleted', { reason: i.deleted_reason || '' }) }) : null;
  mount(main,
    recordHead({ caseId: i.case_id, tab: 'incidents', kicker: t('incident.kicker'), title: i.title, testid: 'incident-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-incident', text: t('record.edit'),
        onclick: () => openIncidentForm(i.case_id, i, () => { toast(t('incident.saved')); refresh(); }) }),
      i.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-incident', text: t('record.delete'),
        onclick: async () => {
          const reason = await askReason(t('incident.deleteAsk'));
          if (!reason) return;
          try { await deleteRecord('incident', id, reason); toast(t('incident.deleted')); location.hash = `#/cases/${i.case_id}/incidents`; } catch (err) { toast(errorText(err), 'error'); }
        } }),
    ] }),
    deleted,
    h('div', { class: 'detail-grid', 'data-testid': 'incident-detail' },
      h('div', {},
        h('section', { class: 'card' },
          facts([
            [t('incident.date'), `${dateLong(i)}${i.timezone ? ` · ${i.timezone}` : ''}`, 'incident-detail-date'],
            [t('incident.place'), place, 'incident-detail-place'],
            [t('incident.point'), point, 'incident-detail-point'],
            [t('incident.types'), i.types.map((x) => label('incident_type', x))],
            [t('incident.protectedObjects'), i.protected_objects.map((x) => label('protected_object', x))],
            [t('incident.weapons'), i.weapons.map((x) => label('weapon', x))],
            [t('incident.violation'), label('violation_status', i.violation_status)],
            [t('incident.casualties'), casualties],
            [t('incident.tags'), i.tags],
          ]),
          i.description ? h('p', { class: 'prose', 'data-testid': 'incident-detail-description', text: i.description }) : null),
        actsCard(v, refresh)),
      h('div', {},
        linksPanel({ type: 'incident', id, caseId: i.case_id, links: v.links, onChange: refresh }),
        historyPanel('incident', id, signal))));
}

function actsCard(v, refresh) {
  const i = v.incident;
  return h('section', { class: 'card', 'data-testid': 'acts-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: t('incident.acts.title') }),
      h('div', {},
        h('button', { class: 'button secondary small-btn', 'data-testid': 'add-act', text: t('incident.acts.addAct'), onclick: () => openActForm(i, refresh) }),
        ' ',
        h('button', { class: 'button secondary small-btn', 'data-testid': 'add-involvement', text: t('incident.acts.addInvolvement'), onclick: () => openInvolvementForm(i, v.acts, refresh) }))),
    !v.acts.length && !v.involvements.length ? h('p', { class: 'muted', text: t('incident.acts.none') }) : null,
    h('ul', { class: 'plain', 'data-testid': 'acts-list' },
      v.acts.map((a) => h('li', { text: t('incident.acts.act', { act: label('act_type', a.act_type), label: a.label, more: a.consequences ? ` — ${a.consequences}` : '' }) })),
      v.involvements.map((x) => h('li', { text: t('incident.acts.alleged', { label: x.label, more: x.notes ? ` — ${x.notes}` : '' }) }))));
}

function casualtyRow(p, kind, c = {}) {
  const num = (name, lab, value) => field({ name: `${kind}_${name}`, label: lab, prefix: p, type: 'number', value: value ?? '', attrs: { min: 0, step: 1 } });
  return row(
    num('total', t(`incident.casualtyLabel.${kind}`), c.total),
    num('civilians', t('incident.ofThemCivilians'), c.civilians),
    num('children', t('incident.ofThemChildren'), c.children),
    field({ name: `${kind}_reported_by`, label: t('incident.reportedBy'), prefix: p, value: c.reported_by || '', limit: 300 }));
}

/** Opens the incident form; with `existing`, edits it. */
export async function openIncidentForm(caseId, existing, onSaved) {
  await loadVocab();
  const p = 'incident';
  const i = existing || { date_precision: 'unknown', types: [], protected_objects: [], weapons: [], tags: [], casualties: [], violation_status: 'unknown' };
  const killed = i.casualties.find((c) => c.kind === 'killed');
  const injured = i.casualties.find((c) => c.kind === 'injured');
  // One text box for the date: the precision is what is typed ("03.2022" is a month, "початок
  // березня 2022" days 1–10), and the line under it says how it was read before saving.
  const date = dateField({ name: 'date', label: t('incident.date'), testid: 'incident-date',
    value: { precision: i.date_precision, from: i.date_from, to: i.date_to } });
  const form = h('form', { class: 'form wide', 'data-testid': 'incident-form', novalidate: true },
    field({ name: 'title', label: t('incident.title'), prefix: p, value: i.title, required: true, limit: 300, attrs: { placeholder: t('incident.titlePlaceholder') } }),
    field({ name: 'description', label: t('incident.description'), prefix: p, control: 'textarea', rows: 4, value: i.description, limit: 100_000 }),
    section(t('incident.when'),
      row(date.el,
        field({ name: 'timezone', label: t('incident.timezone'), prefix: p, value: i.timezone || '', attrs: { placeholder: t('incident.timezonePlaceholder') } }))),
    section(t('incident.where'),
      field({ name: 'place_name', label: t('incident.place'), prefix: p, value: i.place_name, attrs: { placeholder: t('incident.placePlaceholder') } }),
      row(
        field({ name: 'settlement', label: t('incident.settlement'), prefix: p, value: i.settlement }),
        field({ name: 'raion', label: t('incident.raion'), prefix: p, value: i.raion }),
        field({ name: 'oblast', label: t('incident.oblast'), prefix: p, value: i.oblast }),
        field({ name: 'country', label: t('incident.country'), prefix: p, value: existing ? i.country : t('incident.defaultCountry') })),
      row(
        field({ name: 'latitude', label: t('incident.latitude'), prefix: p, value: i.latitude ?? '', attrs: { inputmode: 'decimal', placeholder: '47.0958' } }),
        field({ name: 'longitude', label: t('incident.longitude'), prefix: p, value: i.longitude ?? '', attrs: { inputmode: 'decimal', placeholder: '37.5494' } }),
        field({ name: 'location_precision', label: t('incident.locationPrecision'), prefix: p, control: 'select', options: locationPrecisionOptions(), value: i.location_precision || '' }))),
    section(t('incident.what'),
      checks({ name: 'types', label: t('incident.types'), prefix: p, options: options('incident_type'), values: i.types }),
      checks({ name: 'protected_objects', label: t('incident.protectedObjects'), prefix: p, options: options('protected_object'), values: i.protected_objects }),
      checks({ name: 'weapons', label: t('incident.weaponsLabel'), prefix: p, options: options('weapon'), values: i.weapons }),
      row(field({ name: 'violation_status', label: t('incident.violationStatus'), prefix: p, control: 'select', options: options('violation_status'), value: i.violation_status }),
        field({ name: 'tags', label: t('incident.tags'), prefix: p, value: i.tags.join(', '), hint: t('incident.tagsHint') }))),
    section(t('incident.casualties'),
      casualtyRow(p, 'killed', killed),
      casualtyRow(p, 'injured', injured),
      h('div', { class: 'field-error', 'data-testid': 'error-casualties', role: 'alert', hidden: true })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'incident-save', text: existing ? t('record.saveChanges') : t('incident.create') })));

  onSubmit(guardForm(form), {
    collect: () => collect(form, date),
    save: async (input) => {
      try {
        return await (existing ? updateIncident(existing.id, input) : createIncident(caseId, input));
      } catch (err) {
        // The backend names the parts of a date (date_from, date_to, date_precision): one box here.
        if (err && /^date_/.test(err.field || '')) throw { ...err, field: 'date', message: errorText({ ...err, params: { ...(err.params || {}), field: 'date' } }) };
        throw err && err.code ? { ...err, message: errorText(err) } : err;
      }
    },
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? t('incident.editTitle') : t('incident.newTitle'), form, { testid: 'incident-form-panel' });
}

function collect(form, date) {
  const e = form.elements;
  const title = e.title.value.trim();
  if (!title) throw { field: 'title', message: t('incident.titleRequired') };
  const d = date.read();
  if (!d.ok) throw { field: 'date', message: d.message };
  const coord = (name, lo, hi) => {
    const raw = e[name].value.trim().replace(',', '.');
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < lo || n > hi) throw { field: name, message: t('incident.coordRange', { field: t(`incident.${name}`), lo: formatNumber(lo), hi: formatNumber(hi) }) };
    return n;
  };
  const latitude = coord('latitude', -90, 90);
  const longitude = coord('longitude', -180, 180);
  if ((latitude === null) !== (longitude === null)) {
    throw { field: latitude === null ? 'latitude' : 'longitude', message: t('incident.coordBoth') };
  }
  const count = (name) => {
    const raw = e[name].value.trim();
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw { field: 'casualties', message: t('incident.casualtyWhole') };
    return n;
  };
  const casualties = [];
  for (const kind of ['killed', 'injured']) {
    const c = { kind, total: count(`${kind}_total`), civilians: count(`${kind}_civilians`), children: count(`${kind}_children`), reported_by: e[`${kind}_reported_by`].value.trim() };
    if (c.total !== null || c.civilians !== null || c.children !== null || c.reported_by) casualties.push(c);
  }
  return {
    title,
    description: e.description.value,
    date: { ...d.value, timezone: e.timezone.value.trim() || null },
    place_name: e.place_name.value,
    country: e.country.value,
    oblast: e.oblast.value,
    raion: e.raion.value,
    settlement: e.settlement.value,
    latitude,
    longitude,
    location_precision: e.location_precision.value || null,
    types: checkedValues(form, 'types'),
    protected_objects: checkedValues(form, 'protected_objects'),
    weapons: checkedValues(form, 'weapons'),
    violation_status: e.violation_status.value,
    casualties,
    tags: e.tags.value.split(',').map((x) => x.trim()).filter(Boolean),
  };
}

/** An act: what the incident did to a victim (a person in the case, or a group). */
async function openActForm(i, refresh) {
  const persons = await listPersons(i.case_id);
  const p = 'act';
  const form = h('form', { class: 'form', 'data-testid': 'act-form', novalidate: true },
    field({ name: 'act_type', label: t('act.type'), prefix: p, control: 'select', options: options('act_type'), required: true }),
    row(field({ name: 'victim_person_id', label: t('act.victimPerson'), prefix: p, control: 'select', options: [['', t('record.none')], ...persons.map((x) => [x.id, x.pseudonym])] }),
      field({ name: 'victim_group', label: t('act.victimGroup'), prefix: p, limit: 300, attrs: { placeholder: t('act.victimGroupPlaceholder') } })),
    field({ name: 'consequences', label: t('act.consequences'), prefix: p, control: 'textarea', rows: 2, limit: 10_000 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'act-save', text: t('incident.acts.addAct') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      return { incident_id: i.id, act_type: e.act_type.value, victim_person_id: e.victim_person_id.value || null, victim_group: e.victim_group.value, consequences: e.consequences.value };
    },
    save: (input) => createAct(i.case_id, input),
    done: () => { closeModal(); toast(t('act.added')); refresh(); },
  });
  openModal(t('act.formTitle'), form, { testid: 'act-form-panel' });
}

/** An alleged perpetrator (a person or a unit) of the incident or one of its acts. */
async function openInvolvementForm(i, acts, refresh) {
  const [persons, units] = await Promise.all([listPersons(i.case_id), listUnits(i.case_id)]);
  const p = 'involvement';
  const who = [['', t('involvement.choose')], ...units.map((u) => [`unit:${u.id}`, t('involvement.unit', { name: u.name })]), ...persons.map((x) => [`person:${x.id}`, t('involvement.person', { name: x.pseudonym })])];
  const form = h('form', { class: 'form', 'data-testid': 'involvement-form', novalidate: true },
    field({ name: 'who', label: t('involvement.who'), prefix: p, control: 'select', options: who, required: true }),
    field({ name: 'target', label: t('involvement.target'), prefix: p, control: 'select', options: [['', t('involvement.wholeIncident')], ...acts.map((a) => [a.id, a.label])] }),
    field({ name: 'degree', label: t('involvement.degree'), prefix: p, control: 'select', options: options('involvement_degree') }),
    field({ name: 'notes', label: t('involvement.notes'), prefix: p, control: 'textarea', rows: 2, limit: 10_000 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'involvement-save', text: t('involvement.add') })));
  onSubmit(guardForm(form), {
    collect: () => {
      const e = form.elements;
      if (!e.who.value) throw { field: 'who', message: t('involvement.whoRequired') };
      const [kind, id] = e.who.value.split(':');
      return {
        perpetrator_person_id: kind === 'person' ? id : null, perpetrator_unit_id: kind === 'unit' ? id : null,
        incident_id: e.target.value ? null : i.id, act_id: e.target.value || null, degree: e.degree.value, notes: e.notes.value,
      };
    },
    save: (input) => createInvolvement(i.case_id, input),
    done: () => { closeModal(); toast(t('involvement.added')); refresh(); },
  });
  openModal(t('involvement.formTitle'), form, { testid: 'involvement-form-panel' });
}
