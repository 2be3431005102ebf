// An incident: its detail view and its form.
import { h, mount, toast } from '../dom.js';
import { getIncident, createIncident, updateIncident, deleteRecord, listPersons, listUnits, createAct, createInvolvement } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, checks, checkedValues, row, section, onSubmit } from './form.js';
import { loadVocab, options, label } from '../vocab.js';
import { dateText, facts, recordHead } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';

const DATE_PRECISIONS = [['unknown', 'Unknown'], ['year', 'Year'], ['month', 'Month'], ['day', 'Day'], ['exact', 'Exact time']];
const LOCATION_PRECISIONS = [['', '—'], ['exact', 'Exact point'], ['vicinity', 'Vicinity (within ~1 km)'], ['locality', 'Locality (town or village)'], ['region', 'Region']];
const DATE_HINT = { unknown: '', year: 'e.g. 2022', month: 'e.g. 2022-03', day: 'e.g. 2022-03-09', exact: 'e.g. 2022-03-09T15:00' };

/** An incident; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function incidentView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading incident…' }));
  let v;
  try {
    [v] = await Promise.all([getIncident(id), loadVocab()]);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const i = v.incident;
  const refresh = () => incidentView(main, signal, id);
  const place = [i.place_name, i.settlement, i.raion && `${i.raion} raion`, i.oblast && `${i.oblast} oblast`, i.country].filter(Boolean).join(', ');
  const point = i.latitude !== null && i.latitude !== undefined
    ? `${i.latitude}, ${i.longitude}${i.location_precision ? ` (${i.location_precision})` : ''}` : '';
  const casualties = i.casualties.map((c) =>
    `${c.kind}: ${c.total ?? '?'}${c.civilians != null ? `, civilians ${c.civilians}` : ''}${c.children != null ? `, children ${c.children}` : ''}${c.reported_by ? ` — reported by ${c.reported_by}` : ''}`);
  const deleted = i.deleted_at ? h('div', { class: 'error-box', text: `Deleted: ${i.deleted_reason}` }) : null;
  mount(main,
    recordHead({ caseId: i.case_id, tab: 'incidents', kicker: 'Incident', title: i.title, testid: 'incident-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-incident', text: 'Edit',
        onclick: () => openIncidentForm(i.case_id, i, () => { toast('Incident saved.'); refresh(); }) }),
      i.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-incident', text: 'Delete',
        onclick: async () => {
          const reason = await askReason('Delete this incident?');
          if (!reason) return;
          try { await deleteRecord('incident', id, reason); toast('Incident deleted (it can be restored).'); location.hash = `#/cases/${i.case_id}/incidents`; } catch (err) { toast(err.message, 'error'); }
        } }),
    ] }),
    deleted,
    h('div', { class: 'detail-grid', 'data-testid': 'incident-detail' },
      h('div', {},
        h('section', { class: 'card' },
          facts([
            ['Date', `${dateText(i)}${i.timezone ? ` · ${i.timezone}` : ''}`, 'incident-detail-date'],
            ['Place', place, 'incident-detail-place'],
            ['Point', point, 'incident-detail-point'],
            ['Types', i.types.map((t) => label('incident_type', t))],
            ['Protected objects', i.protected_objects.map((t) => label('protected_object', t))],
            ['Weapon / method', i.weapons.map((t) => label('weapon', t))],
            ['Violation', label('violation_status', i.violation_status)],
            ['Casualties', casualties],
            ['Tags', i.tags],
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
    h('div', { class: 'card-head' }, h('h2', { text: 'Who did what to whom' }),
      h('div', {},
        h('button', { class: 'button secondary small-btn', 'data-testid': 'add-act', text: 'Add act', onclick: () => openActForm(i, refresh) }),
        ' ',
        h('button', { class: 'button secondary small-btn', 'data-testid': 'add-involvement', text: 'Add alleged perpetrator', onclick: () => openInvolvementForm(i, v.acts, refresh) }))),
    !v.acts.length && !v.involvements.length ? h('p', { class: 'muted', text: 'No acts or alleged perpetrators recorded yet.' }) : null,
    h('ul', { class: 'plain', 'data-testid': 'acts-list' },
      v.acts.map((a) => h('li', { text: `${label('act_type', a.act_type)}: ${a.label}${a.consequences ? ` — ${a.consequences}` : ''}` })),
      v.involvements.map((x) => h('li', { text: `Alleged: ${x.label}${x.notes ? ` — ${x.notes}` : ''}` }))));
}

function casualtyRow(p, kind, c = {}) {
  const num = (name, lab, value) => field({ name: `${kind}_${name}`, label: lab, prefix: p, type: 'number', value: value ?? '', attrs: { min: 0, step: 1 } });
  return row(
    num('total', `${kind === 'killed' ? 'Killed' : 'Injured'}`, c.total),
    num('civilians', 'of them civilians', c.civilians),
    num('children', 'of them children', c.children),
    field({ name: `${kind}_reported_by`, label: 'Reported by', prefix: p, value: c.reported_by || '' }));
}

/** Opens the incident form; with `existing`, edits it. */
export async function openIncidentForm(caseId, existing, onSaved) {
  await loadVocab();
  const p = 'incident';
  const i = existing || { date_precision: 'unknown', types: [], protected_objects: [], weapons: [], tags: [], casualties: [], violation_status: 'unknown' };
  const killed = i.casualties.find((c) => c.kind === 'killed');
  const injured = i.casualties.find((c) => c.kind === 'injured');
  const form = h('form', { class: 'form wide', 'data-testid': 'incident-form', novalidate: true },
    field({ name: 'title', label: 'Title', prefix: p, value: i.title, required: true, attrs: { placeholder: 'e.g. Airstrike on the maternity hospital' } }),
    field({ name: 'description', label: 'What happened', prefix: p, control: 'textarea', rows: 4, value: i.description }),
    section('When',
      row(
        field({ name: 'date_precision', label: 'Precision', prefix: p, control: 'select', options: DATE_PRECISIONS, value: i.date_precision }),
        field({ name: 'date_from', label: 'Date', prefix: p, value: i.date_from || '', hint: 'e.g. 2022-03, 2022-03-09 or 2022-03-09T15:00' }),
        field({ name: 'date_to', label: 'Until (for a range)', prefix: p, value: i.date_to || '' }),
        field({ name: 'timezone', label: 'Time zone', prefix: p, value: i.timezone || '', attrs: { placeholder: 'Europe/Kyiv' } }))),
    section('Where',
      field({ name: 'place_name', label: 'Place', prefix: p, value: i.place_name, attrs: { placeholder: 'e.g. Maternity Hospital No. 3' } }),
      row(
        field({ name: 'settlement', label: 'Settlement', prefix: p, value: i.settlement }),
        field({ name: 'raion', label: 'Raion', prefix: p, value: i.raion }),
        field({ name: 'oblast', label: 'Oblast', prefix: p, value: i.oblast }),
        field({ name: 'country', label: 'Country', prefix: p, value: i.country || 'Ukraine' })),
      row(
        field({ name: 'latitude', label: 'Latitude', prefix: p, value: i.latitude ?? '', attrs: { inputmode: 'decimal', placeholder: '47.0958' } }),
        field({ name: 'longitude', label: 'Longitude', prefix: p, value: i.longitude ?? '', attrs: { inputmode: 'decimal', placeholder: '37.5494' } }),
        field({ name: 'location_precision', label: 'Location precision', prefix: p, control: 'select', options: LOCATION_PRECISIONS, value: i.location_precision || '' }))),
    section('What',
      checks({ name: 'types', label: 'Incident types', prefix: p, options: options('incident_type'), values: i.types }),
      checks({ name: 'protected_objects', label: 'Protected objects', prefix: p, options: options('protected_object'), values: i.protected_objects }),
      checks({ name: 'weapons', label: 'Weapon or method', prefix: p, options: options('weapon'), values: i.weapons }),
      row(field({ name: 'violation_status', label: 'Violation status', prefix: p, control: 'select', options: options('violation_status'), value: i.violation_status }),
        field({ name: 'tags', label: 'Tags', prefix: p, value: i.tags.join(', '), hint: 'Separated by commas' }))),
    section('Casualties',
      casualtyRow(p, 'killed', killed),
      casualtyRow(p, 'injured', injured),
      h('div', { class: 'field-error', 'data-testid': 'error-casualties', role: 'alert', hidden: true })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'incident-save', text: existing ? 'Save changes' : 'Create incident' })));

  const precision = form.elements.date_precision;
  const syncDate = () => {
    const unknown = precision.value === 'unknown';
    form.elements.date_from.disabled = unknown;
    form.elements.date_to.disabled = unknown;
    form.elements.date_from.placeholder = DATE_HINT[precision.value];
  };
  precision.addEventListener('change', syncDate);
  syncDate();

  onSubmit(form, {
    collect: () => collect(form),
    save: (input) => (existing ? updateIncident(existing.id, input) : createIncident(caseId, input)),
    done: (saved) => { closeModal(); onSaved(saved); },
  });
  openModal(existing ? 'Edit incident' : 'New incident', form, { testid: 'incident-form-panel' });
}

function collect(form) {
  const e = form.elements;
  const title = e.title.value.trim();
  if (!title) throw { field: 'title', message: 'A title is required.' };
  const coord = (name, lo, hi) => {
    const raw = e[name].value.trim().replace(',', '.');
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < lo || n > hi) throw { field: name, message: `${name[0].toUpperCase()}${name.slice(1)} must be a number from ${lo} to ${hi}.` };
    return n;
  };
  const latitude = coord('latitude', -90, 90);
  const longitude = coord('longitude', -180, 180);
  if ((latitude === null) !== (longitude === null)) {
    throw { field: latitude === null ? 'latitude' : 'longitude', message: 'Give both latitude and longitude, or neither.' };
  }
  const count = (name) => {
    const raw = e[name].value.trim();
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw { field: 'casualties', message: 'Casualty figures are whole numbers.' };
    return n;
  };
  const casualties = [];
  for (const kind of ['killed', 'injured']) {
    const c = { kind, total: count(`${kind}_total`), civilians: count(`${kind}_civilians`), children: count(`${kind}_children`), reported_by: e[`${kind}_reported_by`].value.trim() };
    if (c.total !== null || c.civilians !== null || c.children !== null || c.reported_by) casualties.push(c);
  }
  const precision = e.date_precision.value;
  return {
    title,
    description: e.description.value,
    date: {
      precision,
      from: precision === 'unknown' ? null : e.date_from.value.trim() || null,
      to: precision === 'unknown' ? null : e.date_to.value.trim() || null,
      timezone: e.timezone.value.trim() || null,
    },
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
    tags: e.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
  };
}

/** An act: what the incident did to a victim (a person in the case, or a group). */
async function openActForm(i, refresh) {
  const persons = await listPersons(i.case_id);
  const p = 'act';
  const form = h('form', { class: 'form', 'data-testid': 'act-form', novalidate: true },
    field({ name: 'act_type', label: 'Act', prefix: p, control: 'select', options: options('act_type'), required: true }),
    row(field({ name: 'victim_person_id', label: 'Victim (a person)', prefix: p, control: 'select', options: [['', '—'], ...persons.map((x) => [x.id, x.pseudonym])] }),
      field({ name: 'victim_group', label: 'or a group', prefix: p, attrs: { placeholder: 'e.g. patients and staff' } })),
    field({ name: 'consequences', label: 'Consequences', prefix: p, control: 'textarea', rows: 2 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'act-save', text: 'Add act' })));
  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      return { incident_id: i.id, act_type: e.act_type.value, victim_person_id: e.victim_person_id.value || null, victim_group: e.victim_group.value, consequences: e.consequences.value };
    },
    save: (input) => createAct(i.case_id, input),
    done: () => { closeModal(); toast('Act added.'); refresh(); },
  });
  openModal('Add an act', form, { testid: 'act-form-panel' });
}

/** An alleged perpetrator (a person or a unit) of the incident or one of its acts. */
async function openInvolvementForm(i, acts, refresh) {
  const [persons, units] = await Promise.all([listPersons(i.case_id), listUnits(i.case_id)]);
  const p = 'involvement';
  const who = [['', 'Choose…'], ...units.map((u) => [`unit:${u.id}`, `Unit: ${u.name}`]), ...persons.map((x) => [`person:${x.id}`, `Person: ${x.pseudonym}`])];
  const form = h('form', { class: 'form', 'data-testid': 'involvement-form', novalidate: true },
    field({ name: 'who', label: 'Alleged perpetrator', prefix: p, control: 'select', options: who, required: true }),
    field({ name: 'target', label: 'Involved in', prefix: p, control: 'select', options: [['', 'The incident as a whole'], ...acts.map((a) => [a.id, a.label])] }),
    field({ name: 'degree', label: 'Degree of involvement', prefix: p, control: 'select', options: options('involvement_degree') }),
    field({ name: 'notes', label: 'Notes (basis for the allegation)', prefix: p, control: 'textarea', rows: 2 }),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'involvement-save', text: 'Add' })));
  onSubmit(form, {
    collect: () => {
      const e = form.elements;
      if (!e.who.value) throw { field: 'who', message: 'Choose a unit or a person.' };
      const [kind, id] = e.who.value.split(':');
      return {
        perpetrator_person_id: kind === 'person' ? id : null, perpetrator_unit_id: kind === 'unit' ? id : null,
        incident_id: e.target.value ? null : i.id, act_id: e.target.value || null, degree: e.degree.value, notes: e.notes.value,
      };
    },
    save: (input) => createInvolvement(i.case_id, input),
    done: () => { closeModal(); toast('Added.'); refresh(); },
  });
  openModal('Add an alleged perpetrator', form, { testid: 'involvement-form-panel' });
}
