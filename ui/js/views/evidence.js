// Evidence: the case's grid of items (thumbnails as they are made, graphic ones blurred), the
// import dialog (files, folders, a typed path or dropped files; acquisition record; progress;
// cancel; a list of what failed), and the detail view of one item.
import { h, mount, toast, formatTime } from '../dom.js';
import { filterEvidence } from '../api/search.js';
import { filterBar, control } from './filters.js';
import {
  getEvidence, updateEvidence, startImport, cancelImport, onImportProgress,
  onAnalysed, chooseFiles, thumbUrl, originalUrl,
} from '../api/evidence.js';
import { deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, section, onSubmit } from './form.js';
import { facts, recordHead } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';
import { renderMap } from './map.js';
import { onAbort, sequence } from '../lifecycle.js';

/** Items whose graphic content the user chose to see, for this session only. */
const revealed = new Set();

const METHODS = [['', '—'], ['own_capture', 'Own capture'], ['received', 'Received from a source'], ['downloaded', 'Downloaded from a URL'], ['other', 'Other']];
const VERIFICATION = [['unverified', 'Unverified'], ['in_progress', 'Verification in progress'], ['verified', 'Verified'], ['disputed', 'Disputed'], ['unverifiable', 'Cannot be verified']];
const TILE_W = 196;
const TILE_H = 236;

function size(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

/** The picture of an item: its thumbnail (or original), a placeholder, and the graphic blur. */
export function picture(item, { full = false, onReveal } = {}) {
  const status = item.analysis;
  const wrap = h('div', { class: `pic${full ? ' full' : ''}`, 'data-testid': 'evidence-picture', dataset: { status } });
  if (item.kind === 'image' && (status === 'ok' || full)) {
    const img = h('img', { src: full ? originalUrl(item.id) : thumbUrl(item.id), alt: item.original_name, loading: 'lazy', 'data-testid': 'evidence-image' });
    img.addEventListener('error', () => img.replaceWith(placeholder(item, 'No preview')));
    wrap.append(img);
  } else if (status === 'pending' && item.kind === 'image') {
    wrap.append(h('div', { class: 'placeholder pending', text: 'Making preview…' }));
  } else {
    wrap.append(placeholder(item, status === 'undecodable' ? 'Could not be decoded' : (item.kind === 'image' ? 'No preview' : item.media_type)));
  }
  if (item.graphic && !revealed.has(item.id)) {
    wrap.classList.add('blurred');
    wrap.append(h('button', { class: 'reveal', type: 'button', 'data-testid': 'reveal-graphic',
      onclick: (e) => { e.preventDefault(); e.stopPropagation(); revealed.add(item.id); wrap.classList.remove('blurred'); e.currentTarget.remove(); if (onReveal) onReveal(); } },
      h('strong', { text: 'Graphic content' }), h('span', { text: 'Click to show' })));
  }
  return wrap;
}

function placeholder(item, text) {
  return h('div', { class: `placeholder kind-${item.kind}`, 'data-testid': 'evidence-placeholder' },
    h('span', { class: 'ph-kind', text: item.kind }), h('span', { text }));
}

/** The Evidence tab of a case: a filter bar above the grid. */
export function evidenceTab(body, c, _counts, signal) {
  const yesNo = { options: [['yes', 'Yes'], ['no', 'No']], bool: true };
  const bar = filterBar([
    control('query', 'Search', 'search', { placeholder: 'File name, description, notes' }),
    control('media_type', 'Type', 'select', { options: [['image/', 'Images'], ['video/', 'Video'], ['audio/', 'Audio'], ['application/pdf', 'PDF'], ['text/', 'Text']] }),
    control('has_gps', 'Has GPS', 'select', yesNo),
    control('from', 'Captured from', 'date'),
    control('to', 'to', 'date'),
    control('graphic', 'Graphic', 'select', yesNo),
    control('verification_status', 'Verification', 'select', { options: VERIFICATION, list: true }),
  ], 'evidence-filters', signal);
  const results = h('div', {});
  mount(body, bar.el, results);
  // Each load (first, after a filter change, after an import) ends the one before it: its
  // answer is dropped and its thumbnail listener removed. All end when the view does.
  const next = sequence(signal);
  const load = () => evidenceItems(results, c, bar, next(), load);
  bar.onChange(load);
  return load();
}

/** The items matching the filter bar, as a grid whose thumbnails arrive as they are made. */
async function evidenceItems(body, c, bar, signal, reload) {
  if (signal.aborted) return;
  mount(body, h('div', { class: 'muted pad', text: 'Loading…' }));
  // Listen before loading: a thumbnail finished between the load and the listener would
  // otherwise leave its tile saying "Making preview…" for good.
  const arrived = new Map();
  let grid = null;
  let items = [];
  let stop;
  try {
    stop = await onAnalysed(({ sha256, status }) => {
      arrived.set(sha256, status);
      for (const it of items.filter((i) => i.sha256 === sha256)) {
        it.analysis = status;
        const tile = grid && grid.querySelector(`[data-id="${it.id}"] .pic`);
        if (tile) tile.replaceWith(picture(it));
      }
    }, { signal });
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const filter = bar.value();
  try {
    items = await filterEvidence(c.id, filter);
    for (const it of items) if (arrived.has(it.sha256)) it.analysis = arrived.get(it.sha256);
  } catch (err) {
    stop();
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const toolbar = h('div', { class: 'toolbar' },
    h('span', { class: 'muted', text: `${items.length} ${items.length === 1 ? 'item' : 'items'} · drop files on the window to add them` }),
    h('button', { class: 'button primary', 'data-testid': 'add-evidence', text: 'Add evidence', onclick: () => openImport(c, [], reload) }));
  if (!Object.keys(filter).length) {
    const count = document.querySelector('[data-testid=count-evidence]');
    if (count) count.textContent = String(items.length);
  }
  if (!items.length) {
    stop();
    mount(body, toolbar, Object.keys(filter).length
      ? h('div', { class: 'empty', 'data-testid': 'no-matches' }, h('p', { text: 'Nothing matches these filters.' }))
      : h('div', { class: 'empty', 'data-testid': 'empty-state' },
        h('p', { text: 'No evidence yet. Photos, video, audio and documents are kept bit for bit, hashed at intake, with their metadata and how they were acquired.' })));
    return;
  }
  // Thumbnails made in the background replace their placeholders as they arrive (above).
  grid = evidenceGrid(items, signal);
  mount(body, toolbar, grid);
}

/** A grid of tiles that renders only the rows on screen; it stops watching its size when `signal` aborts. */
function evidenceGrid(items, signal) {
  const inner = h('div', { class: 'vlist-inner' });
  const outer = h('div', { class: 'vlist egrid', 'data-testid': 'evidence-grid' }, inner);
  let cols = 1;
  let last = '';
  function paint() {
    cols = Math.max(1, Math.floor((outer.clientWidth || 900) / TILE_W));
    const rows = Math.ceil(items.length / cols);
    inner.style.height = `${rows * TILE_H}px`;
    const top = outer.scrollTop;
    const first = Math.max(0, Math.floor(top / TILE_H) - 2);
    const end = Math.min(rows, Math.ceil((top + (outer.clientHeight || 600)) / TILE_H) + 2);
    const key = `${cols}:${first}:${end}`;
    if (key === last) return;
    last = key;
    const tiles = [];
    for (let r = first; r < end; r++) {
      for (let k = 0; k < cols; k++) {
        const i = r * cols + k;
        if (i >= items.length) break;
        const tile = tileOf(items[i]);
        tile.style.top = `${r * TILE_H}px`;
        tile.style.left = `${k * TILE_W}px`;
        tiles.push(tile);
      }
    }
    inner.replaceChildren(...tiles);
  }
  outer.addEventListener('scroll', () => requestAnimationFrame(paint));
  const resize = new ResizeObserver(() => { last = ''; paint(); });
  resize.observe(outer);
  onAbort(signal, () => resize.disconnect());
  requestAnimationFrame(paint);
  return outer;
}

function tileOf(it) {
  return h('a', { class: 'tile', href: `#/evidence/${it.id}`, 'data-testid': 'evidence-tile', dataset: { id: it.id, status: it.analysis } },
    picture(it),
    h('div', { class: 'tile-name', title: it.relative_path, text: it.original_name }),
    h('div', { class: 'tile-meta muted', text: [it.capture_time ? it.capture_time.replace('T', ' ') : null, size(it.size)].filter(Boolean).join(' · ') }));
}

/** The import dialog; `paths` may come from a drop. Calls `onDone` when the import ends. */
export function openImport(c, paths, onDone) {
  const chosen = [...paths];
  const list = h('ul', { class: 'paths', 'data-testid': 'import-paths' });
  const renderPaths = () => mount(list, chosen.length
    ? chosen.map((p) => h('li', { class: 'mono small', text: p }))
    : h('li', { class: 'muted', text: 'Nothing chosen yet.' }));
  renderPaths();
  const typed = h('input', { id: 'import-path', 'data-testid': 'import-path', placeholder: '/media/usb/photos', autocomplete: 'off' });
  const addTyped = () => { const v = typed.value.trim(); if (v && !chosen.includes(v)) { chosen.push(v); typed.value = ''; renderPaths(); } };
  typed.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addTyped(); } });
  const pick = (directory) => async () => {
    try {
      for (const p of await chooseFiles({ directory, title: directory ? 'Choose folders to import' : 'Choose files to import' })) if (!chosen.includes(p)) chosen.push(p);
      renderPaths();
    } catch (err) { toast(err.message, 'error'); }
  };
  const p = 'acq';
  const progress = h('div', { class: 'progress', 'data-testid': 'import-progress', hidden: true },
    h('div', { class: 'bar' }, h('div', { class: 'fill' })), h('div', { class: 'progress-text small muted' }));
  const result = h('div', { 'data-testid': 'import-result', hidden: true });
  const start = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'import-start', text: 'Import' });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'import-cancel', text: 'Cancel' });
  const form = h('form', { class: 'form wide', 'data-testid': 'import-form', novalidate: true },
    section('Files',
      h('div', { class: 'pick-row' },
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'choose-files', text: 'Choose files…', onclick: pick(false) }),
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'choose-folder', text: 'Choose folder…', onclick: pick(true) }),
        typed,
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'import-path-add', text: 'Add path', onclick: addTyped })),
      list,
      h('div', { class: 'field-error', 'data-testid': 'error-paths', role: 'alert', hidden: true })),
    section('How it was acquired (recorded with every item)',
      row(field({ name: 'collected_by', label: 'Collected by', prefix: p }),
        field({ name: 'collected_at', label: 'Collected on', prefix: p, attrs: { placeholder: '2022-03-10 or 2022-03-10T14:30' } }),
        field({ name: 'method', label: 'Method', prefix: p, control: 'select', options: METHODS })),
      row(field({ name: 'source_url', label: 'Source URL (for downloads)', prefix: p }),
        field({ name: 'source_description', label: 'Source', prefix: p, attrs: { placeholder: 'e.g. received from witness W-002 via Signal' } })),
      field({ name: 'notes', label: 'Notes', prefix: p, control: 'textarea', rows: 2 })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    progress, result,
    h('div', { class: 'form-actions' }, cancel, start));

  let job = null;
  let unlisten = [];
  const finish = () => { unlisten.forEach((u) => u()); unlisten = []; };
  cancel.addEventListener('click', async () => {
    if (job) { await cancelImport(job); cancel.disabled = true; cancel.textContent = 'Stopping…'; } else { finish(); closeModal(); }
  });

  onSubmit(form, {
    collect: () => {
      addTyped();
      if (!chosen.length) throw { field: 'paths', message: 'Choose files or folders, or type a path.' };
      const e = form.elements;
      return { collected_by: e.collected_by.value, collected_at: e.collected_at.value, method: e.method.value, source_url: e.source_url.value, source_description: e.source_description.value, notes: e.notes.value };
    },
    save: async (acquisition) => {
      const fill = progress.querySelector('.fill');
      const text = progress.querySelector('.progress-text');
      unlisten.push(await onImportProgress(({ job: j, progress: pr }) => {
        if (j !== job) return;
        progress.hidden = false;
        fill.style.width = `${pr.bytes_total ? (100 * pr.bytes_done) / pr.bytes_total : 100}%`;
        text.textContent = `${pr.files_done} of ${pr.files_total} files · ${size(pr.bytes_done)} of ${size(pr.bytes_total)}${pr.current ? ` · ${pr.current}` : ''}`;
      }));
      const run = await startImport(c.id, chosen, acquisition);
      job = run.job;
      start.disabled = true;
      const d = await run.done;
      finish();
      job = null;
      if (d.error) throw d.error;
      return d.report;
    },
    done: (report) => {
      progress.hidden = true;
      result.hidden = false;
      mount(result,
        h('p', { class: 'import-summary', 'data-testid': 'import-summary',
          text: `${report.added.length} added, ${report.already_in_case.length} already in this case, ${report.failed.length} could not be taken in${report.cancelled ? ' (stopped)' : ''}.` }),
        report.failed.length ? h('ul', { class: 'failures', 'data-testid': 'import-failures' },
          report.failed.map((f) => h('li', {}, h('span', { class: 'mono small', text: f.path }), h('span', { text: ` — ${f.message}` })))) : null);
      start.hidden = true;
      cancel.disabled = false;
      cancel.textContent = 'Close';
      cancel.onclick = () => closeModal();
      onDone();
    },
  });
  openModal(`Add evidence to ${c.title}`, form, { testid: 'import-panel', onClose: finish });
}

/** One evidence item; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function evidenceView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: 'Loading…' }));
  let v;
  try {
    v = await getEvidence(id);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  const e = v.evidence;
  const m = e.metadata;
  const refresh = () => evidenceView(main, signal, id);
  const item = { ...e, analysis: v.analysis ? v.analysis.status : 'pending' };
  const warn = m.clock_gps_mismatch
    ? h('div', { class: 'notice warn', 'data-testid': 'clock-warning',
      text: `The camera clock and the GPS time differ by ${Math.round(Math.abs(m.clock_gps_disagreement) / 3600)} hours: the capture time may be wrong.` }) : null;
  mount(main,
    recordHead({ caseId: e.case_id, tab: 'evidence', kicker: `${e.media_type} · ${size(e.size)}`, title: e.original_name, testid: 'evidence-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-evidence', text: 'Edit', onclick: () => openEvidenceForm(e, refresh) }),
      e.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-evidence', text: 'Delete',
        onclick: async () => {
          const reason = await askReason('Delete this item? (the original stays in the vault)');
          if (!reason) return;
          try { await deleteRecord('evidence', id, reason); location.hash = `#/cases/${e.case_id}/evidence`; } catch (err) { toast(err.message, 'error'); }
        } }),
    ] }),
    warn,
    h('div', { class: 'detail-grid', 'data-testid': 'evidence-detail' },
      h('div', {},
        h('section', { class: 'card' }, picture(item, { full: true }),
          v.analysis && v.analysis.status === 'undecodable' ? h('p', { class: 'muted small', text: 'This file could not be decoded as an image. It is kept and hashed like any other.' }) : null),
        h('section', { class: 'card' }, h('h2', { text: 'File' }), facts([
          ['SHA-256', e.sha256, 'evidence-sha256'],
          ['File name', e.relative_path],
          ['Size', `${size(e.size)} (${e.size} bytes)`],
          ['Media type', `${e.media_type} (from the content)`],
          ['Modified', e.file_modified ? formatTime(e.file_modified) : ''],
          ['Taken in', formatTime(e.created_at)],
        ])),
        h('section', { class: 'card' }, h('h2', { text: 'What the file says' }), facts([
          ['Captured', m.capture_time ? `${m.capture_time.replace('T', ' ')}${m.capture_time_offset ? ` ${m.capture_time_offset}` : ' (camera clock, zone unknown)'}` : '', 'evidence-capture'],
          ['GPS', m.gps_latitude != null ? `${m.gps_latitude.toFixed(6)}, ${m.gps_longitude.toFixed(6)}${m.gps_altitude != null ? ` · ${m.gps_altitude} m` : ''}` : '', 'evidence-gps'],
          ['GPS time', m.gps_time || ''],
          ['Device', [m.make, m.model].filter(Boolean).join(' ')],
          ['Pixels', m.width ? `${m.width} × ${m.height}${m.orientation && m.orientation !== 1 ? ` (orientation ${m.orientation})` : ''}` : ''],
          ['Container created', m.container_creation_time || ''],
          ['Duration', m.duration_seconds ? `${m.duration_seconds.toFixed(1)} s` : ''],
        ]))),
      h('div', {},
        h('section', { class: 'card' }, h('h2', { text: 'Acquisition' }), facts([
          ['Collected by', e.collected_by], ['Collected on', e.collected_at], ['Method', (METHODS.find(([k]) => k === e.method) || [0, e.method])[1]],
          ['Source URL', e.source_url], ['Source', e.source_description], ['Notes', e.acquisition_notes],
        ]), h('h2', { text: 'Assessment' }), facts([
          ['Verification', (VERIFICATION.find(([k]) => k === e.verification_status) || [0, e.verification_status])[1], 'evidence-verification'],
          ['Notes', e.verification_notes], ['Graphic', e.graphic ? 'Yes — shown blurred until revealed' : 'No', 'evidence-graphic'], ['Description', e.description],
        ])),
        e.latitude != null ? locationCard(e, signal) : null,
        v.duplicates.length ? h('section', { class: 'card', 'data-testid': 'duplicates-panel' }, h('h2', { text: 'Possible duplicates' }),
          h('ul', { class: 'plain' }, v.duplicates.map((d) => h('li', {}, h('a', { href: `#/evidence/${d.item.id}`, text: d.item.original_name }),
            h('span', { class: 'muted small', text: ` — ${d.distance === 0 ? 'looks identical' : `${d.distance} bits apart`}` }))))) : null,
        linksPanel({ type: 'evidence', id, caseId: e.case_id, links: v.links, onChange: refresh }),
        historyPanel('evidence', id, signal))));
}

function openEvidenceForm(e, refresh) {
  const p = 'evidence';
  const form = h('form', { class: 'form wide', 'data-testid': 'evidence-form', novalidate: true },
    section('Assessment',
      row(field({ name: 'verification_status', label: 'Verification', prefix: p, control: 'select', options: VERIFICATION, value: e.verification_status }),
        h('label', { class: 'check big' }, h('input', { type: 'checkbox', name: 'graphic', 'data-testid': 'evidence-graphic-input', checked: e.graphic || null }), h('span', { text: 'Graphic content (blur until revealed)' }))),
      field({ name: 'verification_notes', label: 'Verification notes', prefix: p, control: 'textarea', rows: 2, value: e.verification_notes }),
      field({ name: 'description', label: 'Description', prefix: p, control: 'textarea', rows: 3, value: e.description })),
    section('Acquisition',
      row(field({ name: 'collected_by', label: 'Collected by', prefix: p, value: e.collected_by }),
        field({ name: 'collected_at', label: 'Collected on', prefix: p, value: e.collected_at }),
        field({ name: 'method', label: 'Method', prefix: p, control: 'select', options: METHODS, value: e.method })),
      row(field({ name: 'source_url', label: 'Source URL', prefix: p, value: e.source_url }),
        field({ name: 'source_description', label: 'Source', prefix: p, value: e.source_description })),
      field({ name: 'notes', label: 'Notes', prefix: p, control: 'textarea', rows: 2, value: e.acquisition_notes })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: 'Cancel' }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'evidence-save', text: 'Save' })));
  onSubmit(form, {
    collect: () => {
      const x = form.elements;
      return {
        graphic: x.graphic.checked, verification_status: x.verification_status.value, verification_notes: x.verification_notes.value, description: x.description.value,
        acquisition: { collected_by: x.collected_by.value, collected_at: x.collected_at.value, method: x.method.value, source_url: x.source_url.value, source_description: x.source_description.value, notes: x.notes.value },
      };
    },
    save: (edit) => updateEvidence(e.id, edit),
    done: () => { closeModal(); toast('Saved.'); refresh(); },
  });
  openModal('Edit evidence item', form, { testid: 'evidence-form-panel' });
}

/** Where the item's GPS says it was taken, on the offline map. */
function locationCard(e, signal) {
  const holder = h('div', { class: 'mini-map', 'data-testid': 'evidence-map' });
  requestAnimationFrame(() => {
    if (signal.aborted) return;
    const drawn = renderMap(holder, { points: [{ id: e.id, kind: 'evidence', lat: e.latitude, lon: e.longitude, precision: 'exact', label: e.original_name, href: `#/evidence/${e.id}` }] });
    onAbort(signal, () => drawn.destroy());
  });
  return h('section', { class: 'card' }, h('h2', { text: 'Location (from the file\'s GPS)' }), holder);
}
