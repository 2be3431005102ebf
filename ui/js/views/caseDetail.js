// One case: its fields and status, and tabs for its incidents, statements, people and units.
import { h, mount, formatTime, toast } from '../dom.js';
import { getCase, updateCase } from '../api/cases.js';
import { listStatements, listPersons, listUnits, listDeleted, restoreRecord } from '../api/contents.js';
import { filterIncidents } from '../api/search.js';
import { filterBar, control } from './filters.js';
import { caseGeoTime } from '../api/search.js';
import { renderTimeline } from './timeline.js';
import { renderMap } from './map.js';
import { openCaseForm } from './caseForm.js';
import { STATUSES } from './status.js';
import { virtualList } from './virtualList.js';
import { loadVocab, label, options } from '../vocab.js';
import { dateText, consentBadges } from './format.js';
import { openIncidentForm } from './incident.js';
import { openStatementForm } from './statement.js';
import { openPersonForm } from './person.js';
import { openUnitForm } from './unit.js';
import { evidenceTab } from './evidence.js';
import { openExport, conflictsCard, provenanceCard } from './bundle.js';
import { onAbort, sequence } from '../lifecycle.js';

const TABS = [
  ['overview', 'Overview'],
  ['incidents', 'Incidents'],
  ['statements', 'Statements'],
  ['people', 'People'],
  ['units', 'Units'],
  ['evidence', 'Evidence'],
  ['timeline', 'Timeline'],
  ['map', 'Map'],
];

/** Renders case `id` with tab `tab` into `main`; nothing once `signal` aborts (the user went elsewhere). */
export async function caseDetailView(main, signal, id, tab = 'overview') {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading case…' }));
  let view;
  try {
    [view] = await Promise.all([getCase(id), loadVocab()]);
  } catch (err) {
    if (signal.aborted) return;
    mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }),
      h('a', { href: '#/cases', class: 'button secondary', 'data-testid': 'back-to-list', text: '← All cases' }));
    return;
  }
  if (signal.aborted) return;
  render(main, view, tab, signal);
}

function render(main, view, tab, signal) {
  let c = view.case;
  const status = h('select', { id: 'case-status', class: 'status-select', 'data-testid': 'case-status', 'aria-label': 'Status' },
    STATUSES.map(([v, text]) => h('option', { value: v, text })));
  status.value = c.status;
  status.addEventListener('change', async () => {
    const previous = c.status;
    status.disabled = true;
    try {
      c = await updateCase(c.id, { status: status.value });
      toast(`Status changed to ${status.value}.`);
      view = { ...view, case: c };
    } catch (err) {
      status.value = previous;
      toast(err.message, 'error');
    } finally {
      status.disabled = false;
    }
  });

  const counts = view.counts;
  const tabs = h('nav', { class: 'tabs', role: 'tablist' }, TABS.map(([key, text]) => {
    const n = key === 'people' ? counts.persons : counts[key];
    return h('a', {
      href: key === 'overview' ? `#/cases/${c.id}` : `#/cases/${c.id}/${key}`,
      class: `tab${key === tab ? ' active' : ''}`, role: 'tab', 'aria-selected': key === tab ? 'true' : 'false',
      'data-testid': `tab-${key}`,
    }, text, n !== undefined ? h('span', { class: 'count', 'data-testid': `count-${key}`, text: String(n) }) : null);
  }));

  const body = h('div', { class: 'tab-body' });
  mount(main,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/cases', 'data-testid': 'back-to-list', text: '← All cases' })),
    h('section', { class: 'case-detail', 'data-testid': 'case-detail', dataset: { id: c.id } },
      h('header', { class: 'page-head' },
        h('div', { class: 'head-text' },
          h('div', { class: 'ref mono', 'data-testid': 'case-detail-reference', text: c.reference || 'No reference code' }),
          h('h1', { 'data-testid': 'case-detail-title', text: c.title })),
        h('div', { class: 'head-actions' },
          h('label', { class: 'inline-label', for: 'case-status', text: 'Status' }), status,
          h('button', { class: 'button secondary', 'data-testid': 'export-case', text: 'Export…', onclick: () => openExport(c) }),
          h('button', { class: 'button secondary', 'data-testid': 'edit-case', text: 'Edit',
            onclick: () => openCaseForm(c, () => { toast('Case saved.'); location.reload(); }) }))),
      tabs, body));

  const tabRenderers = { overview, incidents, statements, people, units, evidence: evidenceTab, timeline, map };
  tabRenderers[tab](body, c, counts, signal);
}

function overview(body, c, counts, signal) {
  conflictsCard(c.id).then((card) => { if (!signal.aborted) body.prepend(card); });
  provenanceCard(c.id).then((card) => { if (card && !signal.aborted) body.append(card); });
  deletedCard(c.id).then((card) => { if (card && !signal.aborted) body.append(card); });
  mount(body,
    h('dl', { class: 'facts' },
      h('dt', { text: 'Created' }), h('dd', { text: formatTime(c.created_at) }),
      h('dt', { text: 'Last changed' }), h('dd', { text: formatTime(c.updated_at) }),
      h('dt', { text: 'Case id' }), h('dd', { class: 'mono small', text: c.id })),
    h('section', { class: 'card' },
      h('h2', { text: 'Description' }),
      c.description
        ? h('p', { class: 'prose', 'data-testid': 'case-detail-description', text: c.description })
        : h('p', { class: 'muted', text: 'No description yet.' })),
    h('section', { class: 'stat-grid' },
      stat('Incidents', counts.incidents, `#/cases/${c.id}/incidents`),
      stat('Statements', counts.statements, `#/cases/${c.id}/statements`),
      stat('People', counts.persons, `#/cases/${c.id}/people`),
      stat('Units', counts.units, `#/cases/${c.id}/units`),
      stat('Evidence items', counts.evidence, `#/cases/${c.id}/evidence`)));
}

function stat(name, n, href) {
  return h('a', { class: 'stat', href }, h('div', { class: 'stat-n', text: String(n) }), h('div', { class: 'stat-name', text: name }));
}

/**
 * A tab with a toolbar (count + new button) above a virtual list, or an empty state. With a
 * filter bar, each change of the filters reloads the list; a reload ends the one before it, so a
 * slow earlier answer never replaces a later one.
 */
async function listTab(body, signal, { load, newLabel, newTestid, onNew, empty, header, rowHeight = 52, render, testid, filterBar = null, filtered = false }) {
  if (filterBar) {
    const results = h('div', {});
    mount(body, filterBar.el, results);
    const next = sequence(signal);
    const reload = (isFiltered) => listTab(results, next(), { load: () => load(filterBar.value()), newLabel, newTestid, onNew, empty, header, rowHeight, render, testid, filtered: isFiltered });
    filterBar.onChange(() => reload(Object.keys(filterBar.value()).length > 0));
    return reload(false);
  }
  if (signal.aborted) return;
  mount(body, h('div', { class: 'muted pad', text: 'Loading…' }));
  let items;
  try {
    items = await load();
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', 'data-testid': 'filter-error', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const toolbar = h('div', { class: 'toolbar' },
    h('span', { class: 'muted', text: `${items.length} ${items.length === 1 ? 'record' : 'records'}` }),
    h('button', { class: 'button primary', 'data-testid': newTestid, text: newLabel, onclick: onNew }));
  if (items.length === 0) {
    mount(body, toolbar, h('div', { class: 'empty', 'data-testid': filtered ? 'no-matches' : 'empty-state' }, h('p', { text: filtered ? 'Nothing matches these filters.' : empty })));
    return;
  }
  mount(body, toolbar, h('div', { class: 'table' }, h('div', { class: 'table-head', 'aria-hidden': 'true' }, header),
    virtualList({ items, rowHeight, render, testid, signal })));
}

const YES_NO = { options: [['yes', 'Yes'], ['no', 'No']], bool: true };

function incidents(body, c, _counts, signal) {
  const bar = filterBar([
    control('query', 'Search', 'search', { placeholder: 'Words in title, text, place' }),
    control('types', 'Type', 'select', { options: options('incident_type'), list: true }),
    control('from', 'From', 'date'),
    control('to', 'To', 'date'),
    control('place', 'Place', 'text', { placeholder: 'Oblast or town' }),
    control('violation_status', 'Violation', 'select', { options: options('violation_status'), list: true }),
    control('tags', 'Tag', 'text', { placeholder: 'one tag', list: true }),
    control('has_evidence', 'Evidence', 'select', YES_NO),
    control('has_statements', 'Statements', 'select', YES_NO),
  ], 'incident-filters', signal);
  listTab(body, signal, {
    filterBar: bar,
    load: (filter) => filterIncidents(c.id, filter || {}),
    newLabel: 'New incident', newTestid: 'new-incident',
    onNew: () => openIncidentForm(c.id, null, (i) => { location.hash = `#/incidents/${i.id}`; }),
    empty: 'No incidents yet. An incident is one event: what happened, when and where.',
    header: h('div', { class: 'row-grid incident-grid' }, h('span', { text: 'Date' }), h('span', { text: 'Incident' }), h('span', { text: 'Place' }), h('span', { text: 'Violation' })),
    testid: 'incident-list',
    render: (i) => h('a', { class: 'list-row row-grid incident-grid', href: `#/incidents/${i.id}`, 'data-testid': 'incident-row', dataset: { id: i.id }, role: 'listitem' },
      h('span', { class: 'mono small', text: dateText(i) }),
      h('span', { class: 'cell-main' }, h('span', { class: 'title', text: i.title }),
        h('span', { class: 'sub', text: i.types.map((t) => label('incident_type', t)).join(' · ') })),
      h('span', { class: 'cell', text: [i.place_name, i.settlement || i.oblast].filter(Boolean).join(', ') }),
      h('span', { class: `badge violation-${i.violation_status}`, text: label('violation_status', i.violation_status) })),
  });
}

function statements(body, c, _counts, signal) {
  listTab(body, signal, {
    load: () => listStatements(c.id),
    newLabel: 'New statement', newTestid: 'new-statement',
    onNew: () => openStatementForm(c.id, null, (s) => { location.hash = `#/statements/${s.id}`; }),
    empty: 'No statements yet. Add the witness under People first, then record what they said.',
    header: h('div', { class: 'row-grid statement-grid' }, h('span', { text: 'Interview' }), h('span', { text: 'Statement' }), h('span', { text: 'Witness' }), h('span', { text: 'Consent' })),
    testid: 'statement-list',
    render: (s) => h('a', { class: 'list-row row-grid statement-grid', href: `#/statements/${s.id}`, 'data-testid': 'statement-row', dataset: { id: s.id }, role: 'listitem' },
      h('span', { class: 'mono small', text: s.interview_date || '—' }),
      h('span', { class: 'cell-main' }, h('span', { class: 'title', text: s.title }), h('span', { class: 'sub', text: `${s.language || '—'} · version ${s.version}` })),
      h('span', { class: 'mono', text: s.witness_pseudonym }),
      consentBadges(s.consent)),
  });
}

function people(body, c, _counts, signal) {
  listTab(body, signal, {
    load: () => listPersons(c.id),
    newLabel: 'New person', newTestid: 'new-person',
    onNew: () => openPersonForm(c.id, null, (p) => { location.hash = `#/persons/${p.id}`; }),
    empty: 'No people yet. Victims, witnesses, sources and alleged perpetrators are recorded by pseudonym.',
    header: h('div', { class: 'row-grid person-grid' }, h('span', { text: 'Pseudonym' }), h('span', { text: 'Roles' }), h('span', { text: 'Description' })),
    testid: 'person-list',
    render: (p) => h('a', { class: 'list-row row-grid person-grid', href: `#/persons/${p.id}`, 'data-testid': 'person-row', dataset: { id: p.id }, role: 'listitem' },
      h('span', { class: 'mono title', text: p.pseudonym }),
      h('span', { class: 'cell', text: p.roles.map((r) => label('person_role', r)).join(', ') }),
      h('span', { class: 'cell muted', text: p.description })),
  });
}

function units(body, c, _counts, signal) {
  listTab(body, signal, {
    load: () => listUnits(c.id),
    newLabel: 'New unit', newTestid: 'new-unit',
    onNew: () => openUnitForm(c.id, null, (u) => { location.hash = `#/units/${u.id}`; }),
    empty: 'No units yet. Military formations, armed groups and authorities are recorded here.',
    header: h('div', { class: 'row-grid unit-grid' }, h('span', { text: 'Name' }), h('span', { text: 'Kind' }), h('span', { text: 'Affiliation' })),
    testid: 'unit-list',
    render: (u) => h('a', { class: 'list-row row-grid unit-grid', href: `#/units/${u.id}`, 'data-testid': 'unit-row', dataset: { id: u.id }, role: 'listitem' },
      h('span', { class: 'title', text: u.name }),
      h('span', { class: 'cell', text: u.kind ? label('unit_kind', u.kind) : '' }),
      h('span', { class: 'cell muted', text: u.affiliation })),
  });
}

const ROUTES = { incident: 'incidents', evidence: 'evidence' };

/** The Timeline tab: incidents as ranges or points, evidence capture times optionally. */
async function timeline(body, c, _counts, signal) {
  mount(body, h('div', { class: 'muted pad', text: 'Loading…' }));
  let items;
  try {
    items = await caseGeoTime(c.id);
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  let drawn = null;
  onAbort(signal, () => { if (drawn) drawn.destroy(); });
  const withEvidence = h('input', { type: 'checkbox', 'data-testid': 'timeline-evidence' });
  const holder = h('div', { class: 'timeline-holder' });
  const draw = () => {
    const shown = items.filter((i) => i.lo && (i.kind === 'incident' || withEvidence.checked))
      .map((i) => ({ id: i.id, kind: i.kind, label: i.label, lo: i.lo, hi: i.hi || i.lo, precision: i.precision, href: `#/${ROUTES[i.kind]}/${i.id}` }));
    const undated = items.filter((i) => i.kind === 'incident' && !i.lo).length;
    if (drawn) drawn.destroy();
    drawn = null;
    mount(holder);
    if (!shown.length) { holder.append(h('div', { class: 'empty', text: 'No dated incidents yet.' })); return; }
    drawn = renderTimeline(holder, { items: shown });
    if (undated) holder.append(h('p', { class: 'muted small', text: `${undated} incident${undated === 1 ? '' : 's'} without a date ${undated === 1 ? 'is' : 'are'} not shown.` }));
  };
  withEvidence.addEventListener('change', draw);
  mount(body, h('div', { class: 'toolbar' }, h('span', { class: 'muted', text: 'An uncertain date is drawn as a range. Click an item to open it.' }),
    h('label', { class: 'check' }, withEvidence, h('span', { text: 'Show evidence capture times' }))), holder);
  draw();
}

/** The Map tab: incidents and geotagged evidence on the offline basemap. */
async function map(body, c, _counts, signal) {
  mount(body, h('div', { class: 'muted pad', text: 'Loading…' }));
  let items;
  try {
    items = await caseGeoTime(c.id);
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const points = items.filter((i) => i.lat !== null && i.lat !== undefined && i.lon !== null && i.lon !== undefined)
    .map((i) => ({ id: i.id, kind: i.kind, lat: i.lat, lon: i.lon, precision: i.location_precision, label: i.label, href: `#/${ROUTES[i.kind]}/${i.id}` }));
  const holder = h('div', { class: 'map-holder' });
  const missing = items.filter((i) => i.kind === 'incident' && (i.lat === null || i.lat === undefined)).length;
  mount(body, h('div', { class: 'toolbar' }, h('span', { class: 'muted', text: `${points.length} places · works offline: the basemap ships with Casefile${missing ? ` · ${missing} incidents have no coordinates` : ''}` })), holder);
  const drawn = renderMap(holder, { points });
  onAbort(signal, () => drawn.destroy());
}

const DELETED_ROUTES = { incident: 'incidents', statement: 'statements', person: 'persons', unit: 'units', evidence: 'evidence' };

/** Deleted records of the case, each with a Restore button (nothing is ever removed). */
async function deletedCard(caseId) {
  const list = await listDeleted(caseId).catch(() => []);
  if (!list.length) return null;
  const card = h('details', { class: 'card deleted', 'data-testid': 'deleted-panel' },
    h('summary', {}, h('strong', { text: `Deleted records (${list.length})` }), h('span', { class: 'muted small', text: ' — kept, and can be restored' })),
    h('ul', { class: 'plain' }, list.map((d) => h('li', { 'data-testid': 'deleted-record', dataset: { id: d.id } },
      DELETED_ROUTES[d.record_type] ? h('a', { href: `#/${DELETED_ROUTES[d.record_type]}/${d.id}`, text: `${d.record_type}: ${d.label}` }) : h('span', { text: `${d.record_type}: ${d.label}` }),
      h('span', { class: 'muted small', text: ` — ${d.reason} (${formatTime(d.deleted_at)}) ` }),
      h('button', { class: 'link-button', 'data-testid': 'restore-record', text: 'Restore', onclick: async (e) => {
        try { await restoreRecord(d.record_type, d.id); toast('Restored.'); e.target.closest('li').remove(); } catch (err) { toast(err.message, 'error'); }
      } })))));
  return card;
}
