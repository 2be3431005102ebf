// Evidence: the case's grid of items (thumbnails as they are made, graphic ones blurred), the
// import dialog (files, folders, a typed path or dropped files; acquisition record; progress;
// cancel; a list of what failed), and the detail view of one item.
import { h, mount, toast } from '../dom.js';
import { t, errorText, formatNumber, formatDateTime, language } from '../i18n.js';
import { formatDate } from '../dates.js';
import { filterEvidence, caseGeoTime } from '../api/search.js';
import { libraryInfo } from '../api/library.js';
import { startJob } from '../jobs.js';
import { farPlaces, gpsWarningKm, setGpsWarningKm } from '../geo.js';
import { filterBar, control } from './filters.js';
import {
  getEvidence, updateEvidence, startImport, cancelImport, onImportProgress,
  onAnalysed, chooseFiles, thumbUrl, originalUrl,
} from '../api/evidence.js';
import { deleteRecord } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { field, row, section, onSubmit } from './form.js';
import { dateField } from './dateField.js';
import { facts, recordHead } from './format.js';
import { linksPanel } from './links.js';
import { historyPanel } from './history.js';
import { renderMap } from './map.js';
import { onAbort, sequence } from '../lifecycle.js';

/** Items whose graphic content the user chose to see, for this session only. */
const revealed = new Set();

const METHOD_CODES = ['own_capture', 'received', 'downloaded', 'other'];
const VERIFICATION_CODES = ['unverified', 'in_progress', 'verified', 'disputed', 'unverifiable'];
/** [code, label] pairs of the acquisition methods, worded when asked for (the language may change). */
const methods = () => [['', '—'], ...METHOD_CODES.map((c) => [c, t(`evidence.method.${c}`)])];
const verifications = () => VERIFICATION_CODES.map((c) => [c, t(`evidence.verification.${c}`)]);
/** The label of `code` in `pairs`, or the code itself when it is not one of them. */
const labelOf = (pairs, code) => (pairs.find(([k]) => k === code) || [0, code])[1];
const TILE_W = 196;
const TILE_H = 236;

/** A file size in the UI language's units and number format ("1,5 МБ", "1.5 MB"). */
export function size(n) {
  const one = (v, digits) => formatNumberDigits(v, digits);
  if (n >= 1e9) return t('evidence.size.gb', { n: one(n / 1e9, 1) });
  if (n >= 1e6) return t('evidence.size.mb', { n: one(n / 1e6, 1) });
  if (n >= 1e3) return t('evidence.size.kb', { n: one(Math.round(n / 1e3), 0) });
  return t('evidence.size.b', { n: one(n, 0) });
}

function formatNumberDigits(v, digits) {
  return digits ? formatNumber(Number(v.toFixed(digits))) : formatNumber(v);
}

/** A capture time as the file gives it ("2008-10-22T16:28:39") shown without the T. */
const wallClock = (text) => (text ? String(text).replace('T', ' ') : '');

/** The word for a kind of file (image, video, audio, document), or the kind as given. */
function kindText(kind) {
  return ['image', 'video', 'audio', 'document'].includes(kind) ? t(`evidence.kind.${kind}`) : kind;
}

/** The picture of an item: its thumbnail (or original), a placeholder, and the graphic blur. */
export function picture(item, { full = false, onReveal } = {}) {
  const status = item.analysis;
  const wrap = h('div', { class: `pic${full ? ' full' : ''}`, 'data-testid': 'evidence-picture', dataset: { status } });
  if (item.kind === 'image' && (status === 'ok' || full)) {
    const img = h('img', { src: full ? originalUrl(item.id) : thumbUrl(item.id), alt: item.original_name, loading: 'lazy', 'data-testid': 'evidence-image' });
    img.addEventListener('error', () => img.replaceWith(placeholder(item, t('evidence.noPreview'))));
    wrap.append(img);
  } else if (status === 'pending' && item.kind === 'image') {
    wrap.append(h('div', { class: 'placeholder pending', text: t('evidence.makingPreview') }));
  } else {
    wrap.append(placeholder(item, status === 'undecodable' ? t('evidence.undecodable') : (item.kind === 'image' ? t('evidence.noPreview') : item.media_type)));
  }
  if (item.graphic && !revealed.has(item.id)) {
    wrap.classList.add('blurred');
    wrap.append(h('button', { class: 'reveal', type: 'button', 'data-testid': 'reveal-graphic',
      onclick: (e) => { e.preventDefault(); e.stopPropagation(); revealed.add(item.id); wrap.classList.remove('blurred'); e.currentTarget.remove(); if (onReveal) onReveal(); } },
      h('strong', { text: t('evidence.graphic.title') }), h('span', { text: t('evidence.graphic.reveal') })));
  }
  return wrap;
}

function placeholder(item, text) {
  return h('div', { class: `placeholder kind-${item.kind}`, 'data-testid': 'evidence-placeholder' },
    h('span', { class: 'ph-kind', text: kindText(item.kind) }), h('span', { text }));
}

/** The Evidence tab of a case: a filter bar above the grid. */
export function evidenceTab(body, c, _counts, signal) {
  const yesNo = { options: [['yes', t('evidence.yes')], ['no', t('evidence.no')]], bool: true };
  const bar = filterBar([
    control('query', t('evidence.filter.search'), 'search', { placeholder: t('evidence.filter.searchPlaceholder') }),
    control('media_type', t('evidence.filter.type'), 'select', { options: [['image/', t('evidence.filter.images')], ['video/', t('evidence.filter.video')], ['audio/', t('evidence.filter.audio')], ['application/pdf', t('evidence.filter.pdf')], ['text/', t('evidence.filter.text')]] }),
    control('has_gps', t('evidence.filter.hasGps'), 'select', yesNo),
    control('from', t('evidence.filter.from'), 'date'),
    control('to', t('evidence.filter.to'), 'date'),
    control('graphic', t('evidence.filter.graphic'), 'select', yesNo),
    control('verification_status', t('evidence.filter.verification'), 'select', { options: verifications(), list: true }),
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
  mount(body, h('div', { class: 'muted pad', text: t('common.loading') }));
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
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const filter = bar.value();
  try {
    items = await filterEvidence(c.id, filter);
    for (const it of items) if (arrived.has(it.sha256)) it.analysis = arrived.get(it.sha256);
  } catch (err) {
    stop();
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const toolbar = h('div', { class: 'toolbar' },
    h('span', { class: 'muted', text: t('evidence.toolbar', { count: items.length }) }),
    h('button', { class: 'button primary', 'data-testid': 'add-evidence', text: t('evidence.add'), onclick: () => openImport(c, [], reload) }));
  if (!Object.keys(filter).length) {
    const count = document.querySelector('[data-testid=count-evidence]');
    if (count) count.textContent = String(items.length);
  }
  if (!items.length) {
    stop();
    mount(body, toolbar, Object.keys(filter).length
      ? h('div', { class: 'empty', 'data-testid': 'no-matches' }, h('p', { text: t('evidence.noMatches') }))
      : h('div', { class: 'empty', 'data-testid': 'empty-state' },
        h('p', { text: t('evidence.empty') })));
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
    // Tiles already built are kept (their thumbnails need not load again), and so is the
    // focused tile even when it scrolls out of view, so the keyboard focus is never dropped.
    const built = new Map();
    for (const el of inner.children) built.set(Number(el.dataset.gindex), el);
    const active = document.activeElement;
    const focused = active && inner.contains(active) ? active.closest('.tile') : null;
    const tiles = [];
    for (let r = first; r < end; r++) {
      for (let k = 0; k < cols; k++) {
        const i = r * cols + k;
        if (i >= items.length) break;
        let tile = built.get(i);
        if (!tile) {
          tile = tileOf(items[i]);
          tile.dataset.gindex = String(i);
        }
        tile.style.top = `${r * TILE_H}px`;
        tile.style.left = `${k * TILE_W}px`;
        tiles.push(tile);
      }
    }
    if (focused && !tiles.includes(focused)) {
      tiles.push(focused);
      tiles.sort((x, y) => Number(x.dataset.gindex) - Number(y.dataset.gindex));
    }
    inner.replaceChildren(...tiles);
    if (focused && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
  }
  inner.addEventListener('focusout', () => requestAnimationFrame(() => { last = ''; paint(); }));
  outer.addEventListener('scroll', () => requestAnimationFrame(paint));
  const resize = new ResizeObserver(() => { last = ''; paint(); });
  resize.observe(outer);
  onAbort(signal, () => resize.disconnect());
  requestAnimationFrame(paint);
  return outer;
}

function tileOf(it) {
  const pic = picture(it);
  const name = h('div', { class: 'tile-name', title: it.relative_path, text: it.original_name });
  const meta = h('div', { class: 'tile-meta muted', text: [wallClock(it.capture_time) || null, size(it.size)].filter(Boolean).join(' · ') });
  const attrs = { 'data-testid': 'evidence-tile', dataset: { id: it.id, status: it.analysis } };
  // A graphic item's picture holds the button that reveals it, and a button never sits inside
  // a link: its tile is a box whose name is the link to the item.
  if (pic.querySelector('.reveal')) {
    return h('div', { class: 'tile tile-graphic', ...attrs }, pic,
      h('a', { class: 'tile-link', href: `#/evidence/${it.id}` }, name, meta));
  }
  return h('a', { class: 'tile', href: `#/evidence/${it.id}`, ...attrs }, pic, name, meta);
}

/**
 * The import dialog; `paths` may come from a drop. Calls `onDone` when the import ends.
 *
 * While files are being taken in, the import is a job in the sidebar: closing the dialog
 * (Escape, ×) leaves it running and listed there, Show opens this same dialog again with its
 * live progress, Stop cancels it (whole files already taken in are kept).
 */
export function openImport(c, paths, onDone) {
  const chosen = [...paths];
  const list = h('ul', { class: 'paths', 'data-testid': 'import-paths' });
  const renderPaths = () => mount(list, chosen.length
    ? chosen.map((p) => h('li', { class: 'mono small', text: p }))
    : h('li', { class: 'muted', text: t('evidence.import.nothingChosen') }));
  renderPaths();
  const typed = h('input', { id: 'import-path', 'data-testid': 'import-path', placeholder: t('evidence.import.pathPlaceholder'), autocomplete: 'off', 'aria-label': t('evidence.import.pathLabel') });
  const addTyped = () => { const v = typed.value.trim(); if (v && !chosen.includes(v)) { chosen.push(v); typed.value = ''; renderPaths(); } };
  typed.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addTyped(); } });
  const pick = (directory) => async () => {
    try {
      for (const p of await chooseFiles({ directory, title: directory ? t('evidence.import.chooseFoldersTitle') : t('evidence.import.chooseFilesTitle') })) if (!chosen.includes(p)) chosen.push(p);
      renderPaths();
    } catch (err) { toast(errorText(err), 'error'); }
  };
  const p = 'acq';
  // When the files were collected: a day, or a day and time (the shared date field reads it).
  const collectedOn = collectedOnField('acq');
  const progress = h('div', { class: 'progress', 'data-testid': 'import-progress', hidden: true },
    h('div', { class: 'bar' }, h('div', { class: 'fill' })), h('div', { class: 'progress-text small muted', 'aria-live': 'polite' }));
  const result = h('div', { 'data-testid': 'import-result', hidden: true });
  const start = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'import-start', text: t('evidence.import.start') });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'import-cancel', text: t('common.cancel') });
  const form = h('form', { class: 'form wide', 'data-testid': 'import-form', novalidate: true },
    section(t('evidence.import.files'),
      h('div', { class: 'pick-row' },
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'choose-files', text: t('evidence.import.chooseFiles'), onclick: pick(false) }),
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'choose-folder', text: t('evidence.import.chooseFolder'), onclick: pick(true) }),
        typed,
        h('button', { type: 'button', class: 'button secondary', 'data-testid': 'import-path-add', text: t('evidence.import.addPath'), onclick: addTyped })),
      list,
      h('div', { class: 'field-error', 'data-testid': 'error-paths', role: 'alert', hidden: true })),
    section(t('evidence.import.acquisition'),
      row(field({ name: 'collected_by', label: t('evidence.collectedBy'), prefix: p }),
        collectedOn.el,
        field({ name: 'method', label: t('evidence.field.method'), prefix: p, control: 'select', options: methods() })),
      row(field({ name: 'source_url', label: t('evidence.sourceUrlDownloads'), prefix: p }),
        field({ name: 'source_description', label: t('evidence.source'), prefix: p, attrs: { placeholder: t('evidence.sourcePlaceholder') } })),
      field({ name: 'notes', label: t('evidence.notes'), prefix: p, control: 'textarea', rows: 2 })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    progress, result,
    h('div', { class: 'form-actions' }, cancel, start));

  // "Collected by" starts as the investigator's own name; what the person types wins.
  const collectedBy = form.elements.collected_by;
  let typedBy = false;
  collectedBy.addEventListener('input', () => { typedBy = true; });
  libraryInfo().then((info) => {
    const name = info && info.profile && info.profile.name;
    if (name && !typedBy && !collectedBy.value) collectedBy.value = name;
  }, () => { /* no profile: the field stays empty */ });

  let job = null;        // the backend's job id while the import runs
  let sidebar = null;    // its row in the sidebar's list of running jobs
  let ended = false;     // the import has run (the dialog shows its result)
  let unlisten = [];
  const stopListening = () => { unlisten.forEach((u) => u()); unlisten = []; };
  const stopImport = async () => {
    if (!job) return;
    try { await cancelImport(job); } catch (err) { toast(errorText(err), 'error'); return; }
    cancel.disabled = true;
    cancel.textContent = t('evidence.import.stopping');
  };
  cancel.addEventListener('click', () => {
    if (job) stopImport();
    else { stopListening(); closeModal(); }
  });
  // Anything typed or chosen is asked about before the dialog is closed; a running import is not
  // (closing only hides it: it goes on in the sidebar).
  const dirty = () => !job && !ended && (chosen.length > 0 || [...form.querySelectorAll('input:not([type=checkbox]), textarea')]
    .some((el) => el !== collectedBy && el.value.trim() !== ''));
  const title = t('evidence.import.title', { title: c.title });
  const show = () => openModal(title, form, { testid: 'import-panel', dirty, onClose: () => { if (!job) stopListening(); } });

  onSubmit(form, {
    collect: () => {
      addTyped();
      if (!chosen.length) throw { field: 'paths', message: t('evidence.import.choosePaths') };
      const e = form.elements;
      const at = collectedOn.read();
      if (!at.ok) throw { field: 'collected_at', message: at.message };
      return { collected_by: e.collected_by.value, collected_at: at.value.from || '', method: e.method.value, source_url: e.source_url.value, source_description: e.source_description.value, notes: e.notes.value };
    },
    save: async (acquisition) => {
      const fill = progress.querySelector('.fill');
      const text = progress.querySelector('.progress-text');
      unlisten.push(await onImportProgress(({ job: j, progress: pr }) => {
        if (j !== job) return;
        progress.hidden = false;
        fill.style.width = `${pr.bytes_total ? (100 * pr.bytes_done) / pr.bytes_total : 100}%`;
        const line = t('evidence.import.progress', { done: pr.files_done, count: pr.files_total, bytesDone: size(pr.bytes_done), bytesTotal: size(pr.bytes_total) });
        text.textContent = `${line}${pr.current ? ` · ${pr.current}` : ''}`;
        if (sidebar) sidebar.update(line);
      }));
      const run = await startImport(c.id, chosen, acquisition);
      job = run.job;
      start.disabled = true;
      sidebar = startJob({ label: t('evidence.import.jobLabel', { title: c.title }), reopen: show, cancel: stopImport });
      try {
        const d = await run.done;
        if (d.error) throw d.error;
        return d.report;
      } catch (err) {
        // The dialog may be closed: the failure is then told at the bottom of the window too.
        if (!form.isConnected) toast(errorText(err), 'error');
        throw err;
      } finally {
        stopListening();
        job = null;
        ended = true;
        if (sidebar) sidebar.finish();
        sidebar = null;
      }
    },
    done: (report) => {
      progress.hidden = true;
      result.hidden = false;
      const summary = t('evidence.import.summary', { count: report.added.length, already: report.already_in_case.length, failed: report.failed.length });
      mount(result,
        h('p', { class: 'import-summary', 'data-testid': 'import-summary',
          text: report.cancelled ? `${summary} ${t('evidence.import.stopped')}` : summary }),
        report.failed.length ? h('ul', { class: 'failures', 'data-testid': 'import-failures' },
          report.failed.map((f) => h('li', {}, h('span', { class: 'mono small', text: f.path }), h('span', { text: ` — ${f.message}` })))) : null);
      start.hidden = true;
      cancel.disabled = false;
      cancel.textContent = t('common.close');
      // The import ran while its dialog was closed: say so, and where to see the result.
      if (!form.isConnected) toast(summary);
      onDone();
    },
  });
  show();
}

/** One evidence item; nothing is rendered once `signal` aborts (the user went elsewhere). */
export async function evidenceView(main, signal, id) {
  if (signal.aborted) return;
  mount(main, h('div', { class: 'muted pad', text: t('common.loading') }));
  let v;
  try {
    v = await getEvidence(id);
  } catch (err) {
    if (!signal.aborted) mount(main, h('div', { class: 'error-box', role: 'alert', text: errorText(err) }));
    return;
  }
  if (signal.aborted) return;
  const e = v.evidence;
  const m = e.metadata;
  const refresh = () => evidenceView(main, signal, id);
  const item = { ...e, analysis: v.analysis ? v.analysis.status : 'pending' };
  const warn = m.clock_gps_mismatch
    ? h('div', { class: 'notice warn', 'data-testid': 'clock-warning',
      text: t('evidence.clockWarning', { count: Math.round(Math.abs(m.clock_gps_disagreement) / 3600) }) }) : null;
  const gps = gpsCheck(e, v.links, signal);
  const captured = m.capture_time
    ? `${wallClock(m.capture_time)}${m.capture_time_offset ? ` ${m.capture_time_offset}` : ` ${t('evidence.zoneUnknown')}`}` : '';
  const orientation = m.orientation && m.orientation !== 1 ? ` ${t('evidence.orientation', { n: m.orientation })}` : '';
  mount(main,
    recordHead({ caseId: e.case_id, tab: 'evidence', kicker: `${e.media_type} · ${size(e.size)}`, title: e.original_name, testid: 'evidence-detail-title', actions: [
      h('button', { class: 'button secondary', 'data-testid': 'edit-evidence', text: t('evidence.edit'), onclick: () => openEvidenceForm(e, refresh) }),
      e.deleted_at ? null : h('button', { class: 'button danger', 'data-testid': 'delete-evidence', text: t('evidence.delete'),
        onclick: async () => {
          const reason = await askReason(t('evidence.deleteAsk'));
          if (!reason) return;
          try { await deleteRecord('evidence', id, reason); location.hash = `#/cases/${e.case_id}/evidence`; } catch (err) { toast(errorText(err), 'error'); }
        } }),
    ] }),
    warn,
    gps.warning,
    h('div', { class: 'detail-grid', 'data-testid': 'evidence-detail' },
      h('div', {},
        h('section', { class: 'card' }, picture(item, { full: true }),
          v.analysis && v.analysis.status === 'undecodable' ? h('p', { class: 'muted small', text: t('evidence.undecodableNote') }) : null),
        h('section', { class: 'card' }, h('h2', { text: t('evidence.file') }), facts([
          [t('evidence.sha256'), e.sha256, 'evidence-sha256'],
          [t('evidence.fileName'), e.relative_path],
          [t('evidence.field.size'), t('evidence.sizeBytes', { size: size(e.size), count: e.size })],
          [t('evidence.mediaType'), t('evidence.mediaTypeFromContent', { type: e.media_type })],
          [t('evidence.modified'), e.file_modified ? formatDateTime(e.file_modified) : ''],
          [t('evidence.addedToCasefile'), formatDateTime(e.created_at), 'evidence-added'],
        ])),
        h('section', { class: 'card' }, h('h2', { text: t('evidence.metadata') }), facts([
          [t('evidence.captured'), captured, 'evidence-capture'],
          [t('evidence.gps'), m.gps_latitude != null ? `${m.gps_latitude.toFixed(6)}, ${m.gps_longitude.toFixed(6)}${m.gps_altitude != null ? ` · ${t('evidence.altitude', { n: formatNumber(m.gps_altitude) })}` : ''}` : '', 'evidence-gps'],
          [t('evidence.gpsTime'), m.gps_time || ''],
          [t('evidence.device'), [m.make, m.model].filter(Boolean).join(' ')],
          [t('evidence.pixels'), m.width ? `${m.width} × ${m.height}${orientation}` : ''],
          [t('evidence.containerCreated'), m.container_creation_time || ''],
          [t('evidence.duration'), m.duration_seconds ? t('evidence.seconds', { n: formatNumberDigits(m.duration_seconds, 1) }) : ''],
        ]))),
      h('div', {},
        h('section', { class: 'card' }, h('h2', { text: t('evidence.acquisition') }), facts([
          [t('evidence.collectedBy'), e.collected_by], [t('evidence.collectedOn'), e.collected_at ? formatDate(e.collected_at, language()) : ''], [t('evidence.field.method'), e.method ? labelOf(methods(), e.method) : ''],
          [t('evidence.sourceUrl'), e.source_url], [t('evidence.source'), e.source_description], [t('evidence.notes'), e.acquisition_notes],
        ]), h('h2', { text: t('evidence.assessment') }), facts([
          [t('evidence.field.verification'), labelOf(verifications(), e.verification_status), 'evidence-verification'],
          [t('evidence.notes'), e.verification_notes], [t('evidence.field.graphic'), e.graphic ? t('evidence.graphicYes') : t('evidence.no'), 'evidence-graphic'], [t('evidence.description'), e.description],
        ])),
        e.latitude != null ? locationCard(e, signal, gps.setting) : null,
        v.duplicates.length ? h('section', { class: 'card', 'data-testid': 'duplicates-panel' }, h('h2', { text: t('evidence.duplicates') }),
          h('ul', { class: 'plain' }, v.duplicates.map((d) => h('li', {}, h('a', { href: `#/evidence/${d.item.id}`, text: d.item.original_name }),
            h('span', { class: 'muted small', text: ` — ${d.distance === 0 ? t('evidence.identical') : t('evidence.bitsApart', { count: d.distance })}` }))))) : null,
        linksPanel({ type: 'evidence', id, caseId: e.case_id, links: v.links, onChange: refresh }),
        historyPanel('evidence', id, signal))));
}

/**
 * The check of an item's GPS position against the incidents it is linked to: `warning` (a
 * notice, filled once the incidents' places are known, naming each incident farther than the
 * chosen distance) and `setting` (the distance, kept in localStorage; null without GPS or
 * linked incidents).
 */
function gpsCheck(e, links, signal) {
  const m = e.metadata || {};
  const warning = h('div', { class: 'notice warn', 'data-testid': 'gps-warning', role: 'status', hidden: true });
  const lat = m.gps_latitude ?? e.latitude;
  const lon = m.gps_longitude ?? e.longitude;
  const incidents = (links || []).filter((l) => l.other && l.other.record_type === 'incident');
  if (lat == null || lon == null || !incidents.length) return { warning, setting: null };
  let places = null;
  const inputs = [];
  /** The distance, editable both in the warning and under the map (one value, kept in localStorage). */
  const distanceControl = (where) => {
    const id = `gps-warning-km-${where}`;
    const input = h('input', { type: 'number', min: '1', step: '1', class: 'gps-km', id, 'data-testid': where === 'map' ? 'gps-warning-km' : `gps-warning-km-${where}`, value: String(gpsWarningKm()) });
    input.addEventListener('change', () => {
      if (setGpsWarningKm(input.value)) check();
      else input.value = String(gpsWarningKm());
    });
    inputs.push(input);
    return h('div', { class: 'field inline small gps-setting' },
      h('label', { for: id, text: t('evidence.gps.setting') }), ' ', input, ' ', h('span', { text: t('evidence.gps.km') }));
  };
  const setting = distanceControl('map');
  function check() {
    if (!places || signal.aborted) return;
    inputs.splice(0, inputs.length, ...inputs.filter((i) => i.isConnected));
    for (const i of inputs) if (document.activeElement !== i) i.value = String(gpsWarningKm());
    const far = farPlaces({ lat, lon }, places, gpsWarningKm());
    warning.hidden = !far.length;
    if (!far.length) { mount(warning); return; }
    mount(warning, h('div', {}, far.map((p) => h('p', { 'data-testid': 'gps-warning-line' },
      t(e.kind === 'image' ? 'evidence.gps.farPhoto' : 'evidence.gps.farItem', { km: formatNumber(Math.round(p.km)), incident: p.label }), ' ',
      h('a', { href: `#/incidents/${p.id}`, text: t('evidence.gps.open') }))),
    distanceControl('warning')));
  }
  caseGeoTime(e.case_id).then((items) => {
    const linked = new Map(incidents.map((l) => [l.other.id, l.other.label]));
    places = items.filter((i) => i.kind === 'incident' && linked.has(i.id) && i.lat != null && i.lon != null)
      .map((i) => ({ id: i.id, lat: i.lat, lon: i.lon, label: linked.get(i.id) || i.label }));
    check();
  }, () => { /* without the incidents' places there is nothing to compare */ });
  return { warning, setting };
}

function openEvidenceForm(e, refresh) {
  const p = 'evidence';
  const collectedOn = collectedOnField(p, e.collected_at);
  const form = h('form', { class: 'form wide', 'data-testid': 'evidence-form', novalidate: true },
    section(t('evidence.assessment'),
      row(field({ name: 'verification_status', label: t('evidence.field.verification'), prefix: p, control: 'select', options: verifications(), value: e.verification_status }),
        h('label', { class: 'check big' }, h('input', { type: 'checkbox', name: 'graphic', 'data-testid': 'evidence-graphic-input', checked: e.graphic || null }), h('span', { text: t('evidence.graphicCheck') }))),
      field({ name: 'verification_notes', label: t('evidence.verificationNotes'), prefix: p, control: 'textarea', rows: 2, value: e.verification_notes }),
      field({ name: 'description', label: t('evidence.description'), prefix: p, control: 'textarea', rows: 3, value: e.description })),
    section(t('evidence.acquisition'),
      row(field({ name: 'collected_by', label: t('evidence.collectedBy'), prefix: p, value: e.collected_by }),
        collectedOn.el,
        field({ name: 'method', label: t('evidence.field.method'), prefix: p, control: 'select', options: methods(), value: e.method })),
      row(field({ name: 'source_url', label: t('evidence.sourceUrl'), prefix: p, value: e.source_url }),
        field({ name: 'source_description', label: t('evidence.source'), prefix: p, value: e.source_description })),
      field({ name: 'notes', label: t('evidence.notes'), prefix: p, control: 'textarea', rows: 2, value: e.acquisition_notes })),
    h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: closeModal, text: t('common.cancel') }),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'evidence-save', text: t('common.save') })));
  // "Collected by" is not filled in here: editing an item later is not collecting it, and a
  // name put in without being typed would be recorded as fact.
  const snapshot = () => JSON.stringify([...form.elements].map((x) => (x.type === 'checkbox' ? x.checked : x.value)));
  const initial = snapshot();
  let saved = false;
  onSubmit(form, {
    collect: () => {
      const x = form.elements;
      const at = collectedOn.read();
      if (!at.ok) throw { field: 'collected_at', message: at.message };
      return {
        graphic: x.graphic.checked, verification_status: x.verification_status.value, verification_notes: x.verification_notes.value, description: x.description.value,
        acquisition: { collected_by: x.collected_by.value, collected_at: at.value.from || '', method: x.method.value, source_url: x.source_url.value, source_description: x.source_description.value, notes: x.notes.value },
      };
    },
    save: (edit) => updateEvidence(e.id, edit),
    done: () => { saved = true; closeModal(); toast(t('evidence.saved')); refresh(); },
  });
  openModal(t('evidence.editTitle'), form, { testid: 'evidence-form-panel', dirty: () => !saved && snapshot() !== initial });
}

/** The "Collected on" field: one day, or a day and time; empty is "not recorded". */
function collectedOnField(prefix, value = null) {
  return dateField({
    name: 'collected_at', label: t('evidence.collectedOn'), testid: `${prefix}-collected_at`, value: value || null,
    allowRange: false, allowTime: true, precisions: ['day', 'exact'],
  });
}

/** Where the item's GPS says it was taken, on the offline map (with the GPS warning's distance). */
function locationCard(e, signal, setting) {
  const holder = h('div', { class: 'mini-map', 'data-testid': 'evidence-map' });
  requestAnimationFrame(() => {
    if (signal.aborted) return;
    const drawn = renderMap(holder, { points: [{ id: e.id, kind: 'evidence', lat: e.latitude, lon: e.longitude, precision: 'exact', label: e.original_name, href: `#/evidence/${e.id}` }], compact: true });
    onAbort(signal, () => drawn.destroy());
  });
  return h('section', { class: 'card' }, h('h2', { text: t('evidence.location') }), holder, setting);
}
