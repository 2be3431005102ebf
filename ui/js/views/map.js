// The map: incidents and geotagged evidence on an offline basemap (land, country borders and
// Ukraine's oblasts from Natural Earth, shipped as ui/data/basemap.js; see docs/basemap.md). No
// tiles and no network: the basemap is an ES module loaded on first use (the CSP allows scripts
// from 'self' but no fetch of the app's own files).
//
// Projection: equirectangular with a standard parallel of 48.5°N (x = lon·cos 48.5°, y = −lat), so
// shapes around Ukraine keep their proportions; one map unit is one degree of latitude (≈111 km).
// The basemap is one SVG group scaled and moved by a transform; points, clusters and labels are
// drawn in screen pixels (so a dot keeps its size) and only those in or near the view are built.
// Points closer than ~24 px merge into a cluster, computed with a grid for each zoom scale. A
// cluster that zooming cannot split (the same place, or too close even at the deepest zoom)
// opens a list of its records instead. Only the marks inside the view are in the Tab order.
import { h, mount } from '../dom.js';
import { t, has, language, formatNumber } from '../i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const COS0 = Math.cos((48.5 * Math.PI) / 180);
const KM_PER_UNIT = 111.32;
const CLUSTER_PX = 24;
const MIN_K = 1;          // px per map unit: the least zoom, whatever the points
const REGION = { w: 10, s: 40, e: 50, n: 58 };  // the basemap's extent (degrees)
const MAX_K = 200000;     // ~0.6 m per px
const ZOOM_STEP = 2;
const MARGIN = 256;       // px drawn beyond each edge of the view, shown while a gesture moves it
/** Radius in km that each location precision stands for, and the least radius drawn (px). */
const PRECISION = {
  vicinity: { km: 1, minPx: 9 },
  locality: { km: 10, minPx: 12 },
  region: { km: 50, minPx: 15 },
};
const UKRAINE = { w: 22.1, s: 44.3, e: 40.3, n: 52.4 };
/** The word for a kind of point ("Incident", "Evidence"), in the UI language. */
const kindText = (kind) => t(`map.kind.${kind === 'incident' ? 'incident' : 'evidence'}`);

/** Builds an SVG element; attributes as in `h()` (`class`, `text`, `dataset`, `on…`, others). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

const project = (lon, lat) => [lon * COS0, -lat];

// ---- basemap (loaded once, shared by every map) ----

let basemapPromise = null;

function loadBasemap() {
  if (!basemapPromise) {
    basemapPromise = import('../../data/basemap.js').then((m) => decodeBasemap(m.default));
    basemapPromise.catch(() => { basemapPromise = null; });
  }
  return basemapPromise;
}

/** Turns the delta-encoded integer lines into projected coordinates (map units). */
function decodeBasemap(data) {
  const sc = data.scale;
  const decode = (line) => {
    const out = new Float64Array(line.length);
    let x = 0;
    let y = 0;
    for (let i = 0; i < line.length; i += 2) {
      x += line[i];
      y += line[i + 1];
      out[i] = (x / sc) * COS0;
      out[i + 1] = -y / sc;
    }
    return out;
  };
  const extent = (line) => {
    let [w, so, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < line.length; i += 2) {
      w = Math.min(w, line[i]); e = Math.max(e, line[i]); so = Math.min(so, line[i + 1]); n = Math.max(n, line[i + 1]);
    }
    return { w: w / COS0, e: e / COS0, s: -n, n: -so };
  };
  const countries = data.countries.map((c) => {
    const rings = c.land.flat().map(decode);
    const largest = rings.reduce((x, y) => (y.length > x.length ? y : x));
    return { id: c.id, name: c.name, label: c.label, rings, extent: extent(largest) };
  });
  const [w, so, e, n] = data.bbox;
  return {
    bbox: { w, s: so, e, n },
    countries,
    oblasts: data.oblasts,
    borders: {
      coast: data.borders.coast.map(decode),
      oblast: data.borders.oblast.map(decode),
      country: data.borders.country.map(decode),
    },
    lod: new Map(),
  };
}

/**
 * Path data for the basemap at zoom band `band` (scale 2^band px per map unit): vertices closer
 * than about half a pixel to the previous kept one are left out, so a zoomed-out map strokes far
 * fewer of them. Cached per band.
 */
function basemapPaths(basemap, band) {
  let paths = basemap.lod.get(band);
  if (paths) return paths;
  const tol = 0.6 / 2 ** band;
  const tol2 = tol * tol;
  const pathOf = (lines, close) => {
    const parts = [];
    for (const line of lines) {
      const n = line.length;
      if (n < 4) continue;
      let px = line[0];
      let py = line[1];
      parts.push(`M${px.toFixed(4)} ${py.toFixed(4)}`);
      for (let i = 2; i < n; i += 2) {
        const x = line[i];
        const y = line[i + 1];
        const last = i === n - 2;
        if (!last && (x - px) ** 2 + (y - py) ** 2 < tol2) continue;
        parts.push(`L${x.toFixed(4)} ${y.toFixed(4)}`);
        px = x;
        py = y;
      }
      if (close) parts.push('Z');
    }
    return parts.join('');
  };
  paths = {
    land: basemap.countries.map((c) => pathOf(c.rings, true)),
    coast: pathOf(basemap.borders.coast, false),
    oblast: pathOf(basemap.borders.oblast, false),
    country: pathOf(basemap.borders.country, false),
  };
  basemap.lod.set(band, paths);
  return paths;
}

// ---- clustering ----

/** The radius (px) of a cluster bubble of `n` points. */
const bubbleRadius = (n) => Math.min(24, 10 + Math.log10(n) * 4.5);

/**
 * Groups points (projected to map units) that are closer than CLUSTER_PX on screen at scale `k`:
 * first by grid cell, then, largest first, each group absorbs the groups in nearby cells that are
 * closer than CLUSTER_PX or whose bubbles would overlap its own. O(n) per scale.
 * Returns [{x, y, members: number[], incidents}] in map units.
 */
function cluster(pts, k) {
  const cell = CLUSTER_PX / k;
  const cells = new Map();
  // Cell (cx, cy) has the numeric key cx·2^26 + cy (cy offset to be positive): fast Map keys.
  const keyOf = (cx, cy) => cx * 67108864 + (cy + 33554432);
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    const cx = Math.floor(p.x / cell);
    const cy = Math.floor(p.y / cell);
    const key = keyOf(cx, cy);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { cx, cy, sx: 0, sy: 0, members: [], incidents: 0, gone: false }));
    c.sx += p.x;
    c.sy += p.y;
    c.members.push(i);
    if (p.kind === 'incident') c.incidents += 1;
  }
  const groups = [...cells.values()].sort((a, b) => b.members.length - a.members.length);
  const radius = (n) => (n === 1 ? 6 : bubbleRadius(n)) / k;
  const reach = 2;
  const out = [];
  for (const c of groups) {
    if (c.gone) continue;
    for (let dx = -reach; dx <= reach; dx++) {
      for (let dy = -reach; dy <= reach; dy++) {
        if (!dx && !dy) continue;
        const o = cells.get(keyOf(c.cx + dx, c.cy + dy));
        if (!o || o.gone) continue;
        const n = c.members.length;
        const m = o.members.length;
        const ax = c.sx / n - o.sx / m;
        const ay = c.sy / n - o.sy / m;
        const limit = Math.max(cell, radius(n) + radius(m));
        if (ax * ax + ay * ay >= limit * limit) continue;
        o.gone = true;
        c.sx += o.sx;
        c.sy += o.sy;
        c.incidents += o.incidents;
        for (const i of o.members) c.members.push(i);
      }
    }
    out.push({ x: c.sx / c.members.length, y: c.sy / c.members.length, members: c.members, incidents: c.incidents });
  }
  return out;
}

/** The count shown in a bubble: short (1.2k) so it fits; the full number is in its label. */
function countText(n) {
  if (n < 1000) return String(n);
  if (n < 10000) return `${formatNumber(Number((n / 1000).toFixed(1)))}k`;
  return `${Math.round(n / 1000)}k`;
}

/** "3 incidents, 2 evidence items", in the UI language (either part left out when 0). */
function countsText(incidents, evidence) {
  const parts = [];
  if (incidents) parts.push(t('map.incidents', { count: incidents }));
  if (evidence) parts.push(t('map.evidenceItems', { count: evidence }));
  return parts.join(', ');
}

// ---- the view ----

/**
 * Renders the map into `container` (replacing its content).
 * @param {HTMLElement} container
 * @param {object} o
 * @param {{id:string, kind:'incident'|'evidence', lat:number, lon:number,
 *          precision:'exact'|'vicinity'|'locality'|'region'|null, label:string, href:string}[]} o.points
 * @param {(point:object) => void} [o.onOpen]  default: `location.hash = point.href`
 * @param {boolean} [o.compact]  a small map (one evidence item's place): no legend
 * @returns {{element: HTMLElement, setPoints: (points:object[]) => void, fit: () => void, destroy: () => void}}
 */
export function renderMap(container, { points = [], onOpen, compact = false } = {}) {
  const open = onOpen || ((p) => { if (p.href) location.hash = p.href; });

  const base = s('g', { class: 'map-base' });
  const labels = s('g', { class: 'map-labels', 'aria-hidden': 'true' });
  const marks = s('g', { class: 'map-marks' });
  const svgEl = s('svg', { class: 'map-svg', role: 'presentation' },
    s('g', { transform: `translate(${MARGIN} ${MARGIN})` }, base, labels, marks));
  // The stage is the drawing plus a margin. During a drag or a wheel zoom only its CSS transform
  // changes (the compositor moves the picture, nothing is repainted); when the gesture ends, or
  // the picture no longer covers the view, everything is drawn again for the new view.
  const stage = h('div', { class: 'map-stage' }, svgEl);
  for (const side of ['left', 'top', 'right', 'bottom']) stage.style[side] = `${-MARGIN}px`;

  const zoomIn = h('button', { type: 'button', class: 'map-btn', 'data-testid': 'map-zoom-in', title: t('map.zoomIn'), 'aria-label': t('map.zoomIn'), text: '+' });
  const zoomOut = h('button', { type: 'button', class: 'map-btn', 'data-testid': 'map-zoom-out', title: t('map.zoomOut'), 'aria-label': t('map.zoomOut'), text: '−' });
  const fitBtn = h('button', { type: 'button', class: 'map-btn map-btn-fit', 'data-testid': 'map-fit', title: t('map.fit'), 'aria-label': t('map.fit'), text: '⤢' });
  const scaleLine = h('div', { class: 'map-scale-line' });
  const scaleText = h('span', { class: 'map-scale-text' });
  const popover = h('div', { class: 'map-popover', 'data-testid': 'map-popover', role: 'dialog', 'aria-label': t('map.listLabel'), hidden: true });
  const summary = h('span', { class: 'map-summary' });

  // A small map (one item's place) has no room for the legend: its one point says what it is.
  const legend = compact ? null : h('div', { class: 'map-legend', 'data-testid': 'map-legend' },
    h('div', { class: 'map-legend-row' }, legendIcon('incident', null), t('map.legend.incident')),
    h('div', { class: 'map-legend-row' }, legendIcon('evidence', null), t('map.legend.evidence')),
    h('div', { class: 'map-legend-row' }, legendIcon('evidence', 'vicinity'), t('map.legend.approximate')),
    h('div', { class: 'map-legend-row' }, legendIcon('evidence', 'unknown'), t('map.legend.unknown')),
    h('div', { class: 'map-legend-row' }, legendIcon('mixed', 'cluster'), t('map.legend.cluster')),
    summary);

  const root = h('div', { class: `map${compact ? ' map-compact' : ''}`, 'data-testid': 'map', tabindex: '0', role: 'region', 'aria-label': t('map.label') },
    stage,
    h('div', { class: 'map-controls' }, zoomIn, zoomOut, fitBtn),
    legend,
    h('div', { class: 'map-scale', 'aria-hidden': 'true' }, scaleLine, scaleText),
    h('div', { class: 'map-attrib', text: t('map.attribution') }),
    popover);
  container.replaceChildren(root);

  let pts = [];          // projected points: {x, y, kind, p}
  let ptsBounds = null;  // {x0, y0, x1, y1} in map units
  const view = { k: 40, tx: 0, ty: 0 };
  let width = 0;
  let height = 0;
  let fitted = false;
  let moved = false;     // has the user moved the view since it was last fitted?
  let basemap = null;
  const clusterCache = new Map();
  let drawn = null;      // {k, tx, ty, items}: the view the stage was last drawn for

  function setPoints(list) {
    pts = [];
    const num = (v) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : NaN);
    for (const p of list || []) {
      const lat = num(p.lat);
      const lon = num(p.lon);
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
      const [x, y] = project(lon, lat);
      pts.push({ x, y, kind: p.kind === 'incident' ? 'incident' : 'evidence', p });
    }
    ptsBounds = null;
    for (const q of pts) {
      if (!ptsBounds) ptsBounds = { x0: q.x, y0: q.y, x1: q.x, y1: q.y };
      ptsBounds.x0 = Math.min(ptsBounds.x0, q.x); ptsBounds.x1 = Math.max(ptsBounds.x1, q.x);
      ptsBounds.y0 = Math.min(ptsBounds.y0, q.y); ptsBounds.y1 = Math.max(ptsBounds.y1, q.y);
    }
    const incidents = pts.filter((q) => q.kind === 'incident').length;
    summary.textContent = pts.length
      ? t('map.summary', { incidents: t('map.incidents', { count: incidents }), evidence: t('map.evidenceItems', { count: pts.length - incidents }) })
      : t('map.nothing');
    clusterCache.clear();
    drawn = null;
    if (fitted && !moved) fit();
    schedule();
  }

  /** Clusters for scale k, computed at quarter-octave steps (cells of 24 to 28.5 px) and cached. */
  function clustersAt(k) {
    const level = Math.floor(Math.log2(k) * 4);
    let c = clusterCache.get(level);
    if (!c) {
      c = cluster(pts, 2 ** (level / 4));
      if (clusterCache.size > 12) clusterCache.delete(clusterCache.keys().next().value);
      clusterCache.set(level, c);
    }
    return c;
  }

  // ---- view maths ----

  function fitBox(x0, y0, x1, y1, maxK = 3000) {
    const pad = 48;
    const w = Math.max(1, width - 2 * pad);
    const hgt = Math.max(1, height - 2 * pad);
    const k = clampK(Math.min(maxK, w / Math.max(x1 - x0, 1e-9), hgt / Math.max(y1 - y0, 1e-9)));
    view.k = k;
    view.tx = width / 2 - ((x0 + x1) / 2) * k;
    view.ty = height / 2 - ((y0 + y1) / 2) * k;
  }

  function fit() {
    if (!width || !height) return;
    moved = false;
    hidePopover();
    if (ptsBounds) {
      const b = ptsBounds;
      // A single place (or a tight group) is shown with some of its surroundings.
      const minSpan = 4; // about 300–450 km: the oblast and its neighbours
      const cx = (b.x0 + b.x1) / 2;
      const cy = (b.y0 + b.y1) / 2;
      const hw = Math.max(b.x1 - b.x0, minSpan) / 2;
      const hh = Math.max(b.y1 - b.y0, minSpan) / 2;
      fitBox(cx - hw, cy - hh, cx + hw, cy + hh);
    } else {
      const [x0, y0] = project(UKRAINE.w, UKRAINE.n);
      const [x1, y1] = project(UKRAINE.e, UKRAINE.s);
      fitBox(x0, y0, x1, y1);
    }
    schedule();
  }

  /** Zooming out stops when the whole extent fills about half the view. */
  function clampK(k) {
    const e = extent();
    const min = width && height ? 0.5 * Math.min(width / (e.x1 - e.x0), height / (e.y1 - e.y0)) : MIN_K;
    return Math.min(MAX_K, Math.max(MIN_K, min, k));
  }

  function zoomAt(factor, sx = width / 2, sy = height / 2) {
    const k = clampK(view.k * factor);
    const f = k / view.k;
    view.tx = sx - (sx - view.tx) * f;
    view.ty = sy - (sy - view.ty) * f;
    view.k = k;
    moved = true;
    hidePopover();
    schedule();
  }

  function panBy(dx, dy) {
    view.tx += dx;
    view.ty += dy;
    moved = true;
    schedule();
  }

  /** The region the map may show: the basemap's extent and every point (map units). */
  function extent() {
    const [x0, y0] = project(REGION.w, REGION.n);
    const [x1, y1] = project(REGION.e, REGION.s);
    if (!ptsBounds) return { x0, y0, x1, y1 };
    const b = ptsBounds;
    return { x0: Math.min(x0, b.x0), y0: Math.min(y0, b.y0), x1: Math.max(x1, b.x1), y1: Math.max(y1, b.y1) };
  }

  /** Keeps the centre of the view inside the extent. */
  function clampPan() {
    const { x0, y0, x1, y1 } = extent();
    const cx = (width / 2 - view.tx) / view.k;
    const cy = (height / 2 - view.ty) / view.k;
    const ncx = Math.min(x1, Math.max(x0, cx));
    const ncy = Math.min(y1, Math.max(y0, cy));
    view.tx -= (ncx - cx) * view.k;
    view.ty -= (ncy - cy) * view.k;
  }

  // ---- drawing ----

  let frame = 0;
  let gestureUntil = 0;
  let settleTimer = 0;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
  }

  function paint() {
    if (!width || !height) return;
    clampPan();
    const st = stageTransform();
    const interacting = (drag && drag.moved) || performance.now() < gestureUntil;
    if (!st || !interacting || st.f > 3 || st.f < 1 / 3 || !covers(st)) commit();
    else stage.style.transform = `matrix(${st.f}, 0, 0, ${st.f}, ${st.x}, ${st.y})`;
    paintScale();
  }

  /** The CSS transform that carries the stage as drawn to the current view (null: never drawn). */
  function stageTransform() {
    if (!drawn) return null;
    const f = view.k / drawn.k;
    // Stage pixel u showed view pixel s = u − MARGIN, which must now be at s·f + o (o: the
    // offset between the views); with the transform's origin at the stage's corner that is
    // u·f + o + MARGIN·(1 − f).
    return { f, x: view.tx - drawn.tx * f + MARGIN * (1 - f), y: view.ty - drawn.ty * f + MARGIN * (1 - f) };
  }

  function covers(st) {
    // The stage's box after the transform (it starts MARGIN px up and left) must contain the view.
    const left = st.x - MARGIN;
    const top = st.y - MARGIN;
    return left <= 0 && top <= 0 && (width + 2 * MARGIN) * st.f + left >= width && (height + 2 * MARGIN) * st.f + top >= height;
  }

  /** Draws the basemap transform, marks and labels for the current view. */
  function commit() {
    base.setAttribute('transform', `matrix(${view.k} 0 0 ${view.k} ${view.tx} ${view.ty})`);
    drawBasemap();
    drawMarks();
    stage.style.transform = '';
  }

  function paintScale() {
    const pxPerKm = view.k / KM_PER_UNIT;
    let km = 1e-3;
    for (const m of [1, 2, 5]) {
      for (let e = -3; e <= 4; e++) {
        const v = m * 10 ** e;
        if (v * pxPerKm <= 110 && v > km) km = v;
      }
    }
    scaleLine.style.width = `${Math.round(km * pxPerKm)}px`;
    scaleText.textContent = km >= 1 ? t('map.km', { n: formatNumber(km) }) : t('map.m', { n: formatNumber(Math.round(km * 1000)) });
  }

  let baseBand = null;
  let baseEls = null;
  /** Builds the basemap's elements once, and sets their path data for the zoom band. */
  function drawBasemap() {
    if (!basemap) return;
    if (!baseEls) {
      const [x0, y0] = project(basemap.bbox.w, basemap.bbox.n);
      const [x1, y1] = project(basemap.bbox.e, basemap.bbox.s);
      baseEls = {
        land: basemap.countries.map((c) => s('path', { class: c.id === 'UKR' ? 'map-land map-land-ua' : 'map-land' })),
        coast: s('path', { class: 'map-coast' }),
        oblast: s('path', { class: 'map-oblast-border' }),
        country: s('path', { class: 'map-country-border' }),
      };
      base.replaceChildren(
        s('rect', { class: 'map-sea', x: x0, y: y0, width: x1 - x0, height: y1 - y0 }),
        ...baseEls.land, baseEls.coast, baseEls.oblast, baseEls.country);
    }
    const band = Math.min(14, Math.max(0, Math.floor(Math.log2(view.k))));
    if (band === baseBand) return;
    baseBand = band;
    const paths = basemapPaths(basemap, band);
    paths.land.forEach((d, i) => baseEls.land[i].setAttribute('d', d));
    for (const key of ['coast', 'oblast', 'country']) baseEls[key].setAttribute('d', paths[key]);
  }

  /** Country and oblast names; a name that would overlap one already placed is left out. */
  function drawLabels(toScreen, inView) {
    if (!basemap) return [];
    const k = view.k;
    const showOblasts = k >= 45;
    const wanted = [];
    if (showOblasts) {
      for (const o of basemap.oblasts) {
        if (o.city && k < 400) continue;
        const name = oblastName(o);
        wanted.push({ at: o.label, text: name, cls: 'map-label map-label-oblast', w: name.length * 6.4 + 4, hgt: 14 });
      }
    }
    for (const c of basemap.countries) {
      if (c.id === 'UKR' && showOblasts) continue;
      const widthPx = (c.extent.e - c.extent.w) * COS0 * k;
      const name = countryName(c);
      const w = name.length * 9.5 + 8;
      if (widthPx < w) continue;
      const ua = c.id === 'UKR';
      wanted.push({ at: c.label, text: name, cls: ua ? 'map-label map-label-country map-label-ua' : 'map-label map-label-country', w: ua ? w * 1.2 : w, hgt: 16, size: widthPx });
    }
    // Oblasts first (they are what the map is about), then countries, larger first.
    const rank = (l) => l.size ?? Infinity;
    wanted.sort((a, b) => (rank(a) === rank(b) ? 0 : rank(a) < rank(b) ? 1 : -1));
    const placed = [];
    const out = [];
    const free = (b) => !placed.some((p) => p.x0 < b.x1 && b.x0 < p.x1 && p.y0 < b.y1 && b.y0 < p.y1);
    for (const l of wanted) {
      const [x, y0] = toScreen(...project(l.at[0], l.at[1]));
      if (!inView(x, y0)) continue;
      // Where the name collides, a place a little above or below will do.
      for (const dy of [0, -l.hgt, l.hgt]) {
        const y = y0 + dy;
        const box = { x0: x - l.w / 2, x1: x + l.w / 2, y0: y - l.hgt / 2, y1: y + l.hgt / 2 };
        if (!free(box)) continue;
        placed.push(box);
        out.push(s('text', { class: l.cls, x, y, text: l.text }));
        break;
      }
    }
    return out;
  }

  function drawMarks() {
    const k = view.k;
    const { tx, ty } = view;
    const mx = MARGIN;
    const my = MARGIN;
    const toScreen = (x, y) => [x * k + tx, y * k + ty];
    const inView = (x, y, r = 0) => x + r >= -mx && x - r <= width + mx && y + r >= -my && y - r <= height + my;
    // Marks in the margin are drawn (a drag shows them) but not reachable by Tab until on screen.
    const onScreen = (x, y) => x >= 0 && x <= width && y >= 0 && y <= height;
    const halos = [];
    const dots = [];
    const bubbles = [];
    const items = [];
    for (const c of clustersAt(k)) {
      const [x, y] = toScreen(c.x, c.y);
      if (c.members.length === 1) {
        const q = pts[c.members[0]];
        const prec = PRECISION[q.p.precision];
        const r = prec ? Math.max(prec.minPx, (prec.km / KM_PER_UNIT) * k) : 0;
        if (!inView(x, y, r)) continue;
        const key = items.push(c) - 1;
        if (prec) halos.push(s('circle', { class: `map-halo map-halo-${q.kind} map-halo-${q.p.precision}`, cx: x, cy: y, r }));
        dots.push(pointMark(q, x, y, key, onScreen(x, y)));
      } else {
        if (!inView(x, y)) continue;
        const key = items.push(c) - 1;
        bubbles.push(clusterMark(c, x, y, key, onScreen(x, y)));
      }
    }
    // A focused point keeps the focus when the marks are rebuilt.
    const focusedId = marks.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    const focusedCluster = focusedId === undefined && marks.contains(document.activeElement) ? document.activeElement.dataset.members : null;
    marks.removeAttribute('transform');
    labels.removeAttribute('transform');
    labels.replaceChildren(...drawLabels(toScreen, inView));
    marks.replaceChildren(s('g', { class: 'map-halos' }, halos), s('g', {}, dots), s('g', {}, bubbles));
    drawn = { k, tx, ty, items };
    if (focusedId !== null && focusedId !== undefined) {
      const again = dots.find((d) => d.dataset.id === focusedId);
      if (again) again.focus({ preventScroll: true });
      else root.focus({ preventScroll: true });
    } else if (focusedCluster !== null) {
      const again = bubbles.find((b) => b.dataset.members === focusedCluster);
      (again || root).focus({ preventScroll: true });
    }
  }

  /** Whether zooming in can split cluster `c` (else clicking it lists its records). */
  function splittable(c) {
    if (view.k >= MAX_K * 0.999) return false;
    // Clusters are cached per zoom level, and so is this answer (one pass over the members).
    if (c.split === undefined) c.split = cluster(c.members.map((m) => pts[m]), MAX_K).length > 1;
    return c.split;
  }

  function pointMark(q, x, y, key, reachable) {
    const p = q.p;
    const label = String(p.label ?? p.id);
    const prec = PRECISION[p.precision];
    const exact = p.precision === 'exact';
    const where = exact ? t('map.where.exact') : prec ? t('map.where.approximate', { precision: t(`map.precision.${p.precision}`) }) : t('map.where.unknown');
    const tip = `${label}\n${kindText(q.kind)} · ${where}`;
    return s('g', {
      class: `map-point map-point-${q.kind}${exact ? ' exact' : prec ? ' approx' : ' unknown'}`,
      'data-testid': 'map-point', dataset: { id: p.id, key, kind: q.kind, precision: p.precision || '' },
      transform: `translate(${x} ${y})`, tabindex: reachable ? '0' : '-1', role: 'button', 'aria-label': t('map.pointLabel', { label, kind: kindText(q.kind), where }),
    },
    s('title', { text: tip }),
    s('circle', { class: 'map-dot', r: exact ? 5.5 : 4.5 }));
  }

  function clusterMark(c, x, y, key, reachable) {
    const n = c.members.length;
    const kind = c.incidents === n ? 'incident' : c.incidents === 0 ? 'evidence' : 'mixed';
    const r = bubbleRadius(n);
    const split = splittable(c);
    const tip = t(split ? 'map.clusterZoom' : 'map.clusterList', { what: countsText(c.incidents, n - c.incidents) });
    // Members identify the cluster across redraws (the focus stays on it when the view moves).
    const members = n <= 50 ? c.members.map((m) => pts[m].p.id).sort().join(' ') : `${n}:${pts[c.members[0]].p.id}`;
    return s('g', {
      class: `map-cluster map-cluster-${kind}`, 'data-testid': 'map-cluster', dataset: { count: n, key, members, split: split ? '1' : '0' },
      transform: `translate(${x} ${y})`, tabindex: reachable ? '0' : '-1', role: 'button', 'aria-label': tip,
    },
    s('title', { text: tip }),
    s('circle', { class: 'map-cluster-ring', r: r + 3 }),
    s('circle', { class: 'map-cluster-disc', r }),
    s('text', { class: 'map-cluster-count', y: 0.5, text: countText(n) }));
  }

  // ---- actions ----

  function activate(el) {
    if (!drawn) return;
    const c = drawn.items[Number(el.dataset.key)];
    if (!c) return;
    if (c.members.length === 1) {
      open(pts[c.members[0]].p);
      return;
    }
    let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
    for (const m of c.members) {
      const q = pts[m];
      x0 = Math.min(x0, q.x); x1 = Math.max(x1, q.x); y0 = Math.min(y0, q.y); y1 = Math.max(y1, q.y);
    }
    // Points that stay together even fully zoomed in (the same place, or a few metres apart)
    // are listed instead, as they are when the view cannot zoom in any further.
    if (!splittable(c)) {
      showPopover(c, el);
      return;
    }
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const hw = Math.max(x1 - x0, (width - 96) / (view.k * 2.5)) / 2;
    const hh = Math.max(y1 - y0, (height - 96) / (view.k * 2.5)) / 2;
    const before = { ...view };
    fitBox(cx - hw, cy - hh, cx + hw, cy + hh, MAX_K);
    if (view.k <= before.k * 1.001) {
      Object.assign(view, before);
      showPopover(c, el);
      return;
    }
    moved = true;
    schedule();
  }

  let popoverFrom = null;  // the cluster's `members` key, to give the focus back on close
  function showPopover(c, el) {
    const max = 200;
    popoverFrom = el.dataset.members || null;
    const list = c.members.slice(0, max).map((m) => {
      const p = pts[m].p;
      const content = [h('span', { class: 'map-popover-kind', text: kindText(pts[m].kind) }), String(p.label ?? p.id)];
      // A link when the record has an address (the default opener follows it); else a button.
      const item = p.href && !onOpen
        ? h('a', { href: p.href, class: `map-popover-item map-popover-${pts[m].kind}`, 'data-testid': 'map-popover-item', onclick: () => hidePopover(false) }, content)
        : h('button', { type: 'button', class: `map-popover-item map-popover-${pts[m].kind}`, 'data-testid': 'map-popover-item', onclick: () => { hidePopover(false); open(p); } }, content);
      return h('li', {}, item);
    });
    mount(popover,
      h('div', { class: 'map-popover-head' },
        h('strong', { text: t('map.atThisPlace', { count: c.members.length }) }),
        h('button', { type: 'button', class: 'icon-button', 'data-testid': 'map-popover-close', 'aria-label': t('common.close'), text: '×', onclick: () => hidePopover(true) })),
      h('ul', {}, list),
      c.members.length > max ? h('div', { class: 'muted small', text: t('map.andMore', { count: c.members.length - max }) }) : null);
    const box = el.getBoundingClientRect();
    const rootBox = root.getBoundingClientRect();
    popover.style.left = `${Math.min(Math.max(8, box.right - rootBox.left + 6), Math.max(8, width - 300))}px`;
    popover.style.top = `${Math.min(Math.max(8, box.top - rootBox.top), Math.max(8, height - 260))}px`;
    popover.hidden = false;
    popover.querySelector('.map-popover-item')?.focus();
  }

  /** Hides the list of a cluster's records; with `refocus`, the focus goes back to the cluster. */
  function hidePopover(refocus = false) {
    const wasOpen = !popover.hidden;
    popover.hidden = true;
    if (!wasOpen || !refocus) return;
    const from = popoverFrom && [...marks.querySelectorAll('[data-members]')].find((m) => m.dataset.members === popoverFrom);
    (from || root).focus({ preventScroll: true });
  }

  // In the list: arrows move between records, Home/End to the ends, Escape closes it.
  popover.addEventListener('keydown', (e) => {
    const items = [...popover.querySelectorAll('.map-popover-item')];
    const i = items.indexOf(document.activeElement);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[e.key];
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      hidePopover(true);
    } else if (to !== undefined && items.length) {
      e.preventDefault();
      items[(to + items.length) % items.length].focus();
    }
  });

  // ---- input ----

  /** The event's position in view pixels. */
  const local = (e) => {
    const r = root.getBoundingClientRect();
    return [e.clientX - r.left - root.clientLeft, e.clientY - r.top - root.clientTop];
  };

  let drag = null;
  svgEl.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  });
  svgEl.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      svgEl.setPointerCapture(e.pointerId);
      root.classList.add('dragging');
      hidePopover();
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    panBy(dx, dy);
  });
  const endDrag = (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (drag.moved) {
      root.classList.remove('dragging');
      // The click that follows a drag opens nothing.
      const swallow = (ev) => { ev.stopPropagation(); ev.preventDefault(); };
      svgEl.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => svgEl.removeEventListener('click', swallow, { capture: true }), 0);
    }
    drag = null;
    schedule();
  };
  svgEl.addEventListener('pointerup', endDrag);
  svgEl.addEventListener('pointercancel', endDrag);

  svgEl.addEventListener('click', (e) => {
    const el = e.target.closest?.('[data-key]');
    if (el) activate(el);
    else hidePopover();
  });
  svgEl.addEventListener('dblclick', (e) => {
    if (e.target.closest?.('[data-key]')) return;
    zoomAt(ZOOM_STEP, ...local(e));
  });
  svgEl.addEventListener('wheel', (e) => {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    gestureUntil = performance.now() + 150;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(schedule, 160);
    zoomAt(2 ** (-(e.deltaY * unit) / 300), ...local(e));
  }, { passive: false });

  root.addEventListener('keydown', (e) => {
    const el = e.target.closest?.('[data-key]');
    if (el && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      activate(el);
      return;
    }
    if (e.target.closest('button, .map-popover')) {
      if (e.key === 'Escape') hidePopover(true);
      return;
    }
    const step = 80;
    const keys = {
      ArrowLeft: () => panBy(step, 0), ArrowRight: () => panBy(-step, 0),
      ArrowUp: () => panBy(0, step), ArrowDown: () => panBy(0, -step),
      '+': () => zoomAt(ZOOM_STEP), '=': () => zoomAt(ZOOM_STEP), '-': () => zoomAt(1 / ZOOM_STEP),
      0: fit, Escape: hidePopover,
    };
    const fn = keys[e.key];
    if (fn && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      fn();
    }
  });
  zoomIn.addEventListener('click', () => zoomAt(ZOOM_STEP));
  zoomOut.addEventListener('click', () => zoomAt(1 / ZOOM_STEP));
  fitBtn.addEventListener('click', fit);

  const resize = new ResizeObserver(() => {
    if (!root.isConnected && fitted) { destroy(); return; }
    const w = root.clientWidth;
    const hh = root.clientHeight;
    if (!w || !hh) return;
    // Keep the centre where it was.
    if (width && height) {
      view.tx += (w - width) / 2;
      view.ty += (hh - height) / 2;
    }
    width = w;
    height = hh;
    drawn = null;
    // Until the user moves it, the view keeps showing all points.
    if (!fitted || !moved) {
      fitted = true;
      fit();
    }
    schedule();
  });
  resize.observe(root);

  function destroy() {
    resize.disconnect();
    clearTimeout(settleTimer);
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
  }

  setPoints(points);
  loadBasemap().then((b) => {
    basemap = b;
    drawBasemap();
    drawn = null;
    schedule();
  }, (err) => {
    root.append(h('div', { class: 'map-error', role: 'alert', text: t('map.basemapError', { detail: err?.message || String(err) }) }));
  });

  return { element: root, setPoints, fit, destroy };
}

/** A country's name on the map in the UI language (the basemap's English name otherwise). */
function countryName(c) {
  const key = `map.country.${c.id}`;
  return has(key) ? t(key) : c.name;
}

/** An oblast's name on the map: in Ukrainian its adjective ("Харківська"), as maps print it. */
function oblastName(o) {
  if (language() === 'uk' && o.name_uk) return o.name_uk.replace(/ область$/u, '');
  return o.name;
}

/** A small SVG sample of a mark for the legend. */
function legendIcon(kind, precision) {
  const children = [];
  if (precision === 'cluster') {
    children.push(s('circle', { class: 'map-cluster-ring', cx: 11, cy: 11, r: 10 }), s('circle', { class: 'map-cluster-disc', cx: 11, cy: 11, r: 8 }));
    return s('svg', { class: `map-legend-icon map-cluster map-cluster-${kind}`, width: 22, height: 22, 'aria-hidden': 'true' }, children);
  }
  if (precision === 'vicinity') children.push(s('circle', { class: `map-halo map-halo-${kind}`, cx: 11, cy: 11, r: 10 }));
  const cls = precision === 'unknown' ? 'unknown' : precision ? 'approx' : 'exact';
  children.push(s('g', { class: `map-point map-point-${kind} ${cls}`, transform: 'translate(11 11)' }, s('circle', { class: 'map-dot', r: precision ? 4.5 : 5.5 })));
  return s('svg', { class: 'map-legend-icon', width: 22, height: 22, 'aria-hidden': 'true' }, children);
}
