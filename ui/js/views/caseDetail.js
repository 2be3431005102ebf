// One case: its fields and status, and tabs for its incidents, statements, people and units.
//
// The tabs are links (each is its own page, `#/cases/<id>/<tab>`), the current one marked with
// `aria-current="page"`, the same pattern as the sidebar's navigation. The `n` shortcut
// (`casefile:new-record`) presses the current tab's add button.
import { h, mount, formatTime, toast } from '../dom.js';
import { t, errorText, formatNumber } from '../i18n.js';
import { getCase, updateCase } from '../api/cases.js';
import { listStatements, listPersons, listUnits, listDeleted, restoreRecord } from '../api/contents.js';
import { filterIncidents } from '../api/search.js';
import { filterBar, control } from './filters.js';
import { caseGeoTime } from '../api/search.js';
import { renderTimeline } from './timeline.js';
import { renderMap } from './map.js';
import { openCaseForm } from './caseForm.js';
import { statuses, statusLabel } from './status.js';
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

/** The tabs, by route; each is worded `caseDetail.tab.<key>`. */
const TABS = ['overview', 'incidents', 'statements', 'people', 'units', 'evidence', 'timeline', 'map'];

function tabLabel(key) {
  switch (key) {
    case 'overview': return t('caseDetail.tab.overview');
    case 'incidents': return t('caseDetail.tab.incidents');
    case 'statements': return t('caseDetail.tab.statements');
    case 'people': return t('caseDetail.tab.people');
    case 'units': return t('caseDetail.tab.units');
    case 'evidence': return t('caseDetail.tab.evidence');
    case 'timeline': return t('caseDetail.tab.timeline');
    default: return t('caseDetail.tab.map');
  }
}

/** Renders case `id` with tab `tab` into `main`; nothing once `signal` aborts (the user went elsewhere). */
export async function caseDetailView(main, signal, id, tab = 'overview') {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', role: 'status', text: t('caseDetail.loading') }));
  let view;
  try {
    [view] = await Promise.all([getCase(id), loadVocab()]);
  } catch (err) {
    if (signal.aborted) return;
    mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }),
      h('a', { href: '#/cases', class: 'button secondary', 'data-testid': 'back-to-list', text: t('caseDetail.allCases') }));
    return;
  }
  if (signal.aborted) return;
  render(main, view, tab, signal);
}

function render(main, view, tab, signal) {
  let c = view.case;
  const status = h('select', { id: 'case-status', class: 'status-select', 'data-testid': 'case-status' },
    statuses().map(([v, text]) => h('option', { value: v, text })));
  status.value = c.status;
  status.addEventListener('change', async () => {
    const previous = c.status;
    status.disabled = true;
    try {
      c = await updateCase(c.id, { status: status.value });
      toast(t('caseDetail.statusChanged', { status: statusLabel(status.value) }));
      view = { ...view, case: c };
    } catch (err) {
      status.value = previous;
      toast(errorText(err), 'error');
    } finally {
      status.disabled = false;
    }
  });

  const counts = view.counts;
  const tabs = h('nav', { class: 'tabs', 'aria-label': t('caseDetail.sections') }, TABS.map((key) => {
    const n = key === 'people' ? counts.persons : counts[key];
    return h('a', {
      href: key === 'overview' ? `#/cases/${c.id}` : `#/cases/${c.id}/${key}`,
      class: `tab${key === tab ? ' active' : ''}`, 'aria-current': key === tab ? 'page' : null,
      'data-testid': `tab-${key}`,
    }, tabLabel(key), n !== undefined ? h('span', { class: 'count', 'data-testid': `count-${key}`, text: String(n) }) : null);
  }));
  // `n`: the current tab's add button (New incident, New statement, Add evidence, ...).
  window.addEventListener('casefile:new-record', (e) => {
    const add = main.querySelector('.tab-body .toolbar .button.primary, .tab-body [data-testid=add-evidence]');
    if (!add || add.disabled) return;
    e.preventDefault();
    add.click();
  }, { signal });

  const body = h('div', { class: 'tab-body' });
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': t('caseDetail.breadcrumbs') }, h('a', { href: '#/cases', 'data-testid': 'back-to-list', text: t('caseDetail.allCases') })),
    h('section', { class: 'case-detail', 'data-testid': 'case-detail', dataset: { id: c.id } },
      h('header', { class: 'page-head' },
        h('div', { class: 'head-text' },
          h('div', { class: 'ref mono', 'data-testid': 'case-detail-reference', text: c.reference || t('caseDetail.noReference') }),
          h('h1', { 'data-testid': 'case-detail-title', tabindex: '-1', text: c.title })),
        h('div', { class: 'head-actions' },
          h('label', { class: 'inline-label', for: 'case-status', text: t('caseDetail.status') }), status,
          h('button', { type: 'button', class: 'button secondary', 'data-testid': 'export-case', text: t('caseDetail.export'), onclick: () => openExport(c) }),
          h('button', { type: 'button', class: 'button secondary', 'data-testid': 'edit-case', text: t('caseDetail.edit'),
            'aria-label': t('caseDetail.editLabel'),
            onclick: () => openCaseForm(c, () => { toast(t('caseDetail.saved')); location.reload(); }) }))),
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
      h('dt', { text: t('caseDetail.created') }), h('dd', { text: formatTime(c.created_at) }),
      h('dt', { text: t('caseDetail.changed') }), h('dd', { text: formatTime(c.updated_at) }),
      h('dt', { text: t('caseDetail.id') }), h('dd', { class: 'mono small', text: c.id })),
    h('section', { class: 'card' },
      h('h2', { text: t('caseDetail.description') }),
      c.description
        ? h('p', { class: 'prose', 'data-testid': 'case-detail-description', text: c.description })
        : h('p', { class: 'muted', text: t('caseDetail.noDescription') })),
    h('section', { class: 'stat-grid', 'aria-label': t('caseDetail.contents') },
      stat(t('caseDetail.stat.incidents', { count: counts.incidents }), counts.incidents, `#/cases/${c.id}/incidents`),
      stat(t('caseDetail.stat.statements', { count: counts.statements }), counts.statements, `#/cases/${c.id}/statements`),
      stat(t('caseDetail.stat.people', { count: counts.persons }), counts.persons, `#/cases/${c.id}/people`),
      stat(t('caseDetail.stat.units', { count: counts.units }), counts.units, `#/cases/${c.id}/units`),
      stat(t('caseDetail.stat.evidence', { count: counts.evidence }), counts.evidence, `#/cases/${c.id}/evidence`)));
}

function stat(name, n, href) {
  return h('a', { class: 'stat', href }, h('div', { class: 'stat-n', text: formatNumber(n) }), h('div', { class: 'stat-name', text: name }));
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
  mount(body, h('div', { class: 'muted pad', role: 'status', text: t('common.loading') }));
  let items;
  try {
    items = await load();
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', 'data-testid': 'filter-error', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const toolbar = h('div', { class: 'toolbar' },
    h('span', { class: 'muted', role: 'status', text: t('caseDetail.records', { count: items.length }) }),
    h('button', { type: 'button', class: 'button primary', 'data-testid': newTestid, 'aria-keyshortcuts': 'N', text: newLabel, onclick: onNew }));
  if (items.length === 0) {
    mount(body, toolbar, h('div', { class: 'empty', 'data-testid': filtered ? 'no-matches' : 'empty-state' }, h('p', { text: filtered ? t('caseDetail.noMatches') : empty })));
    return;
  }
  mount(body, toolbar, h('div', { class: 'table' }, h('div', { class: 'table-head', 'aria-hidden': 'true' }, header),
    virtualList({ items, rowHeight, render, testid, signal })));
}

const yesNo = () => ({ options: [['yes', t('caseDetail.yes')], ['no', t('caseDetail.no')]], bool: true });

function incidents(body, c, _counts, signal) {
  const bar = filterBar([
    control('query', t('caseDetail.filter.query'), 'search', { placeholder: t('caseDetail.filter.queryPlaceholder') }),
    control('types', t('caseDetail.filter.type'), 'select', { options: options('incident_type'), list: true }),
    control('from', t('caseDetail.filter.from'), 'date'),
    control('to', t('caseDetail.filter.to'), 'date'),
    control('place', t('caseDetail.filter.place'), 'text', { placeholder: t('caseDetail.filter.placePlaceholder') }),
    control('violation_status', t('caseDetail.filter.violation'), 'select', { options: options('violation_status'), list: true }),
    control('tags', t('caseDetail.filter.tag'), 'text', { placeholder: t('caseDetail.filter.tagPlaceholder'), list: true }),
    control('has_evidence', t('caseDetail.filter.evidence'), 'select', yesNo()),
    control('has_statements', t('caseDetail.filter.statements'), 'select', yesNo()),
  ], 'incident-filters', signal);
  listTab(body, signal, {
    filterBar: bar,
    load: (filter) => filterIncidents(c.id, filter || {}),
    newLabel: t('caseDetail.newIncident'), newTestid: 'new-incident',
    onNew: () => openIncidentForm(c.id, null, (i) => { location.hash = `#/incidents/${i.id}`; }),
    empty: t('caseDetail.emptyIncidents'),
    header: h('div', { class: 'row-grid incident-grid' }, h('span', { text: t('caseDetail.col.date') }), h('span', { text: t('caseDetail.col.incident') }),
      h('span', { text: t('caseDetail.col.place') }), h('span', { text: t('caseDetail.col.violation') })),
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
    newLabel: t('caseDetail.newStatement'), newTestid: 'new-statement',
    onNew: () => openStatementForm(c.id, null, (s) => { location.hash = `#/statements/${s.id}`; }),
    empty: t('caseDetail.emptyStatements'),
    header: h('div', { class: 'row-grid statement-grid' }, h('span', { text: t('caseDetail.col.interview') }), h('span', { text: t('caseDetail.col.statement') }),
      h('span', { text: t('caseDetail.col.witness') }), h('span', { text: t('caseDetail.col.consent') })),
    testid: 'statement-list',
    render: (s) => h('a', { class: 'list-row row-grid statement-grid', href: `#/statements/${s.id}`, 'data-testid': 'statement-row', dataset: { id: s.id }, role: 'listitem' },
      h('span', { class: 'mono small', text: s.interview_date || '—' }),
      h('span', { class: 'cell-main' }, h('span', { class: 'title', text: s.title }), h('span', { class: 'sub', text: t('caseDetail.statementSub', { language: s.language || '—', version: s.version }) })),
      h('span', { class: 'mono', text: s.witness_pseudonym }),
      consentBadges(s.consent)),
  });
}

function people(body, c, _counts, signal) {
  listTab(body, signal, {
    load: () => listPersons(c.id),
    newLabel: t('caseDetail.newPerson'), newTestid: 'new-person',
    onNew: () => openPersonForm(c.id, null, (p) => { location.hash = `#/persons/${p.id}`; }),
    empty: t('caseDetail.emptyPeople'),
    header: h('div', { class: 'row-grid person-grid' }, h('span', { text: t('caseDetail.col.pseudonym') }), h('span', { text: t('caseDetail.col.roles') }),
      h('span', { text: t('caseDetail.col.description') })),
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
    newLabel: t('caseDetail.newUnit'), newTestid: 'new-unit',
    onNew: () => openUnitForm(c.id, null, (u) => { location.hash = `#/units/${u.id}`; }),
    empty: t('caseDetail.emptyUnits'),
    header: h('div', { class: 'row-grid unit-grid' }, h('span', { text: t('caseDetail.col.name') }), h('span', { text: t('caseDetail.col.kind') }),
      h('span', { text: t('caseDetail.col.affiliation') })),
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
  mount(body, h('div', { class: 'muted pad', role: 'status', text: t('common.loading') }));
  let items;
  try {
    items = await caseGeoTime(c.id);
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
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
    if (!shown.length) { holder.append(h('div', { class: 'empty', text: t('caseDetail.noDated') })); return; }
    drawn = renderTimeline(holder, { items: shown });
    if (undated) holder.append(h('p', { class: 'muted small', text: t('caseDetail.undated', { count: undated }) }));
  };
  withEvidence.addEventListener('change', draw);
  mount(body, h('div', { class: 'toolbar' }, h('span', { class: 'muted', text: t('caseDetail.timelineHelp') }),
    h('label', { class: 'check' }, withEvidence, h('span', { text: t('caseDetail.timelineEvidence') }))), holder);
  draw();
}

/** The Map tab: incidents and geotagged evidence on the offline basemap. */
async function map(body, c, _counts, signal) {
  mount(body, h('div', { class: 'muted pad', role: 'status', text: t('common.loading') }));
  let items;
  try {
    items = await caseGeoTime(c.id);
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const points = items.filter((i) => i.lat !== null && i.lat !== undefined && i.lon !== null && i.lon !== undefined)
    .map((i) => ({ id: i.id, kind: i.kind, lat: i.lat, lon: i.lon, precision: i.location_precision, label: i.label, href: `#/${ROUTES[i.kind]}/${i.id}` }));
  const holder = h('div', { class: 'map-holder' });
  const missing = items.filter((i) => i.kind === 'incident' && (i.lat === null || i.lat === undefined)).length;
  const note = [t('caseDetail.mapPlaces', { count: points.length }), t('caseDetail.mapOffline')];
  if (missing) note.push(t('caseDetail.mapMissing', { count: missing }));
  mount(body, h('div', { class: 'toolbar' }, h('span', { class: 'muted', text: note.join(' · ') })), holder);
  const drawn = renderMap(holder, { points });
  onAbort(signal, () => drawn.destroy());
}

/** A record type's name in the UI language (an unknown one as it is stored). */
function recordType(type) {
  switch (type) {
    case 'incident': return t('caseDetail.type.incident');
    case 'statement': return t('caseDetail.type.statement');
    case 'person': return t('caseDetail.type.person');
    case 'unit': return t('caseDetail.type.unit');
    case 'evidence': return t('caseDetail.type.evidence');
    default: return type;
  }
}

const DELETED_ROUTES = { incident: 'incidents', statement: 'statements', person: 'persons', unit: 'units', evidence: 'evidence' };

/** Deleted records of the case, each with a Restore button (nothing is ever removed). */
async function deletedCard(caseId) {
  const list = await listDeleted(caseId).catch(() => []);
  if (!list.length) return null;
  const card = h('details', { class: 'card deleted', 'data-testid': 'deleted-panel' },
    h('summary', {}, h('strong', { text: t('caseDetail.deleted', { count: list.length }) }), h('span', { class: 'muted small', text: ` — ${t('caseDetail.deletedNote')}` })),
    h('ul', { class: 'plain' }, list.map((d) => {
      const name = t('caseDetail.deletedItem', { type: recordType(d.record_type), label: d.label });
      return h('li', { 'data-testid': 'deleted-record', dataset: { id: d.id } },
        DELETED_ROUTES[d.record_type] ? h('a', { href: `#/${DELETED_ROUTES[d.record_type]}/${d.id}`, text: name }) : h('span', { text: name }),
        h('span', { class: 'muted small', text: ` — ${t('caseDetail.deletedWhy', { reason: d.reason, when: formatTime(d.deleted_at) })} ` }),
        h('button', { type: 'button', class: 'link-button', 'data-testid': 'restore-record', text: t('caseDetail.restore'),
          'aria-label': t('caseDetail.restoreLabel', { name }), onclick: async (e) => {
            try { await restoreRecord(d.record_type, d.id); toast(t('caseDetail.restored')); e.target.closest('li').remove(); } catch (err) { toast(errorText(err), 'error'); }
          } }));
    })));
  return card;
}
