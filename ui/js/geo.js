// Distances on the Earth, for warnings such as "this photo's GPS position is 1 630 km from the
// incident it is linked to". Pure functions: no DOM, so node can test them.

/** The mean radius of the Earth (km), as used by the haversine formula. */
export const EARTH_RADIUS_KM = 6371.0088;

const rad = (deg) => (deg * Math.PI) / 180;

/**
 * The great-circle distance (km) between two points given in degrees, by the haversine formula
 * (good to about 0.5 % anywhere: the Earth is not quite a sphere). NaN when a coordinate is not
 * a finite number or lies outside ±90° / ±180°.
 */
export function distanceKm(lat1, lon1, lat2, lon2) {
  const ok = (lat, lon) => Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  if (!ok(lat1, lon1) || !ok(lat2, lon2)) return NaN;
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The distance beyond which a linked item's GPS position is called out, unless set otherwise. */
export const DEFAULT_GPS_WARNING_KM = 50;
const STORAGE_KEY = 'casefile.gpsWarningKm';

/** The chosen warning distance (km), from `storage` (localStorage); the default if unset or unreadable. */
export function gpsWarningKm(storage = globalThis.localStorage) {
  let v = null;
  try { v = storage ? storage.getItem(STORAGE_KEY) : null; } catch { /* storage unavailable */ }
  const n = Number(v);
  return v !== null && v !== '' && Number.isFinite(n) && n > 0 ? n : DEFAULT_GPS_WARNING_KM;
}

/** Keeps the warning distance (km) for the next time; ignores what is not a positive number. */
export function setGpsWarningKm(km, storage = globalThis.localStorage) {
  const n = Number(km);
  if (!Number.isFinite(n) || n <= 0) return false;
  try { storage.setItem(STORAGE_KEY, String(n)); return true; } catch { return false; }
}

/**
 * The linked places farther than `limitKm` from `from` ({lat, lon}): each of `places`
 * ({lat, lon, ...}) with its `km`, farthest first. Places without coordinates are skipped.
 */
export function farPlaces(from, places, limitKm) {
  const num = (v) => (v === null || v === undefined || v === '' ? NaN : Number(v));
  const out = [];
  for (const p of places) {
    const km = distanceKm(num(from.lat), num(from.lon), num(p.lat), num(p.lon));
    if (Number.isFinite(km) && km > limitKm) out.push({ ...p, km });
  }
  return out.sort((a, b) => b.km - a.km);
}
