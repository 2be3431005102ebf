// The messages the views build from codes (t(`evidence.method.${code}`), ...), which a scan of
// the sources for t('...') cannot see: each family is complete in both catalogues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import basemap from '../data/basemap.js';
import { PERIODS } from '../js/timebins.js';

const load = (code) => JSON.parse(readFileSync(new URL(`../i18n/${code}.json`, import.meta.url), 'utf8'));
const catalogues = { en: load('en'), uk: load('uk') };
const present = (c, key) => key in c || `${key}_other` in c;

const families = {
  'evidence.method': ['own_capture', 'received', 'downloaded', 'other'],
  'evidence.verification': ['unverified', 'in_progress', 'verified', 'disputed', 'unverifiable'],
  'evidence.kind': ['image', 'video', 'audio', 'document'],
  'evidence.gps': ['farPhoto', 'farItem', 'setting', 'km', 'open'],
  'map.kind': ['incident', 'evidence'],
  'map.precision': ['vicinity', 'locality', 'region'],
  'map': ['clusterZoom', 'clusterList'],
  'map.country': basemap.countries.map((c) => c.id),
  'timeline.countedBy': PERIODS.map((p) => p.name),
  'timeline.group': ['incident', 'evidence'],
  'timeline.count': ['incident', 'evidence'],
  'timeline.kind': ['incident', 'evidence'],
  'search.group': ['incident', 'statement', 'evidence', 'person', 'unit'],
  'search.help': ['words', 'phrase', 'prefix', 'or', 'not'],
  'search': ['ranked', 'newest'],
  'bundle.profile': ['public', 'prosecutor', 'full', 'publicLong', 'prosecutorLong', 'fullLong', 'publicText', 'prosecutorText', 'fullText'],
  'bundle.recordType': ['case', 'incident', 'statement', 'evidence', 'person', 'unit', 'act', 'involvement', 'link'],
  'bundle.standing': ['newCase', 'trusted', 'untrusted'],
  'gate.strength': ['level0', 'level1', 'level2', 'level3', 'level4'],
  'gate.strength.warning': ['common', 'repeat', 'run', 'year'],
  'gate.duration': ['hours', 'minutes', 'seconds'],
};

for (const [prefix, names] of Object.entries(families)) {
  test(`${prefix}.* is complete in English and Ukrainian`, () => {
    for (const [code, c] of Object.entries(catalogues)) {
      const missing = names.filter((n) => !present(c, `${prefix}.${n}`));
      assert.deepEqual(missing, [], `${code}: ${prefix}.{${missing.join(',')}}`);
    }
  });
}

test('the GPS warning names the distance and the incident in both languages', () => {
  for (const c of Object.values(catalogues)) {
    for (const key of ['evidence.gps.farPhoto', 'evidence.gps.farItem']) {
      assert.match(c[key], /\{\{km\}\}/);
      assert.match(c[key], /\{\{incident\}\}/);
    }
  }
});
