// Distances for the GPS warning: the haversine formula against known distances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceKm, farPlaces, gpsWarningKm, setGpsWarningKm, DEFAULT_GPS_WARNING_KM } from '../js/geo.js';

const near = (actual, expected, tolerance, what) => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} km, expected ${expected} ± ${tolerance}`);

test('known distances, to within half a per cent', () => {
  // Kyiv – Kharkiv is about 410 km; Kyiv – Lviv about 468 km (great circle).
  near(distanceKm(50.4501, 30.5234, 49.9935, 36.2304), 410, 5, 'Kyiv–Kharkiv');
  near(distanceKm(50.4501, 30.5234, 49.8397, 24.0297), 468, 5, 'Kyiv–Lviv');
  // The sample photo (Tuscany) and Kharkiv oblast: the 1 600-odd km the warning is about.
  near(distanceKm(43.467448, 11.885126, 49.9935, 36.2304), 1960, 30, 'Tuscany–Kharkiv');
  // A quarter of the equator.
  near(distanceKm(0, 0, 0, 90), (Math.PI * 6371.0088) / 2, 0.01, 'quarter of the equator');
});

test('the same point is 0 km; the distance is symmetric; antipodes are half the circumference', () => {
  assert.equal(distanceKm(49.99, 36.23, 49.99, 36.23), 0);
  assert.equal(distanceKm(47.1, 37.5, 50.4, 30.5), distanceKm(50.4, 30.5, 47.1, 37.5));
  near(distanceKm(10, 20, -10, -160), Math.PI * 6371.0088, 0.01, 'antipodes');
});

test('150 m apart is 0.15 km (two incidents in one street)', () => {
  near(distanceKm(49.9935, 36.2304, 49.9935 + 0.15 / 111.2, 36.2304), 0.15, 0.001, '150 m');
});

test('what is not a coordinate gives NaN, never a distance', () => {
  assert.ok(Number.isNaN(distanceKm(NaN, 0, 0, 0)));
  assert.ok(Number.isNaN(distanceKm(91, 0, 0, 0)));
  assert.ok(Number.isNaN(distanceKm(0, 181, 0, 0)));
  assert.ok(Number.isNaN(distanceKm(null, undefined, 0, 0)));
});

test('farPlaces keeps only the places beyond the limit, farthest first', () => {
  const photo = { lat: 43.467448, lon: 11.885126 };
  const places = [
    { id: 'near', lat: 43.47, lon: 11.9 },
    { id: 'kharkiv', lat: 49.9935, lon: 36.2304 },
    { id: 'kyiv', lat: 50.4501, lon: 30.5234 },
    { id: 'nowhere', lat: null, lon: null },
  ];
  const far = farPlaces(photo, places, 50);
  assert.deepEqual(far.map((p) => p.id), ['kharkiv', 'kyiv']);
  assert.ok(far[0].km > far[1].km);
});

test('the warning distance is kept, and a bad value falls back to the default', () => {
  const store = new Map();
  const storage = { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, v) };
  assert.equal(gpsWarningKm(storage), DEFAULT_GPS_WARNING_KM);
  assert.ok(setGpsWarningKm(200, storage));
  assert.equal(gpsWarningKm(storage), 200);
  assert.ok(!setGpsWarningKm(-5, storage));
  assert.ok(!setGpsWarningKm('abc', storage));
  assert.equal(gpsWarningKm(storage), 200);
  store.set('casefile.gpsWarningKm', 'junk');
  assert.equal(gpsWarningKm(storage), DEFAULT_GPS_WARNING_KM);
  assert.equal(gpsWarningKm(undefined), DEFAULT_GPS_WARNING_KM);
});
