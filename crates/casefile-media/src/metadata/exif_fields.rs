//! EXIF (via `kamadak-exif`) → [`Metadata`] fields, with the same conventions as
//! `exiftool -n`: signed decimal degrees, metres, the primary image's IFD (not the thumbnail's).

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use exif::{Exif, Field, In, Reader, Tag, Value};
use std::io::{self, BufReader, SeekFrom};

use super::{normalise_offset, Metadata};
use crate::input::{Bounded, ReadSeek};

/// TIFF files can put their IFDs anywhere, so EXIF parsing needs the file in memory; we read at
/// most this much of a TIFF (offsets beyond it are reported as missing, not as an error).
pub(super) const TIFF_EXIF_CAP: u64 = 64 * 1024 * 1024;
/// What `kamadak-exif` may read of a HEIF file while looking for its EXIF item (it reads the
/// `meta` box and the item's extents into memory; both are small in real files).
const HEIF_EXIF_BUDGET: u64 = 16 * 1024 * 1024;

fn reader() -> Reader {
    let mut r = Reader::new();
    r.continue_on_error(true);
    r
}

/// Parses an EXIF block (TIFF header onwards). Damaged EXIF gives what could be read, or None.
pub(super) fn parse_raw(tiff: Vec<u8>) -> Option<Exif> {
    match reader().read_raw(tiff) {
        Ok(exif) => Some(exif),
        Err(exif::Error::PartialResult(p)) => Some(p.into_inner().0),
        Err(_) => None,
    }
}

/// The EXIF item of a HEIF/HEIC/AVIF file. `kamadak-exif` walks the boxes itself, through a
/// [`Bounded`] reader so that no box or extent length can make it read more than
/// [`HEIF_EXIF_BUDGET`]. Missing or damaged EXIF is `Ok(None)`; only real I/O errors are errors.
pub(super) fn read_heif_exif(r: &mut dyn ReadSeek) -> io::Result<Option<Exif>> {
    r.seek(SeekFrom::Start(0))?;
    let mut bounded = BufReader::new(Bounded::new(&mut *r, HEIF_EXIF_BUDGET));
    match reader().read_from_container(&mut bounded) {
        Ok(exif) => Ok(Some(exif)),
        Err(exif::Error::PartialResult(p)) => Ok(Some(p.into_inner().0)),
        Err(exif::Error::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => Err(e),
        Err(_) => Ok(None), // no EXIF, or EXIF too damaged to read: nothing to report
    }
}

fn field(exif: &Exif, tag: Tag) -> Option<&Field> {
    exif.get_field(tag, In::PRIMARY)
}

/// First ASCII string of a field, trimmed of trailing NULs and spaces like exiftool does.
fn ascii(exif: &Exif, tag: Tag) -> Option<String> {
    match &field(exif, tag)?.value {
        Value::Ascii(v) => {
            let raw = v.first()?;
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            let s = String::from_utf8_lossy(&raw[..end]);
            let s = s.trim_end();
            (!s.is_empty()).then(|| s.to_string())
        }
        _ => None,
    }
}

/// The rational values of a field as f64; None if any denominator is zero.
fn rationals(exif: &Exif, tag: Tag) -> Option<Vec<f64>> {
    match &field(exif, tag)?.value {
        Value::Rational(v) if !v.is_empty() => v
            .iter()
            .map(|r| (r.denom != 0).then(|| r.num as f64 / r.denom as f64))
            .collect(),
        Value::SRational(v) if !v.is_empty() => v
            .iter()
            .map(|r| (r.denom != 0).then(|| r.num as f64 / r.denom as f64))
            .collect(),
        _ => None,
    }
}

/// Degrees, minutes, seconds (any prefix of them) → signed decimal degrees by the Ref letter.
fn coordinate(exif: &Exif, tag: Tag, ref_tag: Tag, negative_ref: u8, limit: f64) -> Option<f64> {
    let parts = rationals(exif, tag)?;
    let mut deg = 0.0;
    for (i, p) in parts.iter().take(3).enumerate() {
        deg += p / [1.0, 60.0, 3600.0][i];
    }
    if !deg.is_finite() || deg.abs() > limit {
        return None;
    }
    let negative =
        ascii(exif, ref_tag).is_some_and(|r| r.as_bytes().first() == Some(&negative_ref));
    Some(if negative { -deg } else { deg })
}

fn capture_time(exif: &Exif) -> Option<String> {
    let raw = match &field(exif, Tag::DateTimeOriginal)?.value {
        Value::Ascii(v) => v.first()?.clone(),
        _ => return None,
    };
    let dt = exif::DateTime::from_ascii(&raw).ok()?;
    let date = NaiveDate::from_ymd_opt(i32::from(dt.year), u32::from(dt.month), u32::from(dt.day))?;
    let time = NaiveTime::from_hms_opt(
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
    )?;
    Some(date.and_time(time).format("%Y-%m-%dT%H:%M:%S").to_string())
}

fn gps_time(exif: &Exif) -> Option<String> {
    let date = ascii(exif, Tag::GPSDateStamp)?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y:%m:%d").ok()?;
    let hms = rationals(exif, Tag::GPSTimeStamp)?;
    if hms.len() < 3 || hms.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let secs = hms[0] * 3600.0 + hms[1] * 60.0 + hms[2];
    if secs >= 86_400.0 {
        return None;
    }
    let millis = (secs * 1000.0).round() as i64;
    let start = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?);
    let t = start + chrono::Duration::milliseconds(millis);
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Copies everything we use from `exif` into `meta` (fields already set are overwritten only by
/// values actually present). Orientation is not among them: it is read from the raw block by
/// the `image` crate's rule, the one thumbnails are turned by (see `super::display_orientation`).
pub(super) fn apply(exif: &Exif, meta: &mut Metadata) {
    if let Some(v) = capture_time(exif) {
        meta.capture_time = Some(v);
    }
    if let Some(v) = ascii(exif, Tag::OffsetTimeOriginal).and_then(|s| normalise_offset(&s)) {
        meta.capture_time_offset = Some(v);
    }
    if let Some(v) = coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S', 90.0) {
        meta.gps_latitude = Some(v);
    }
    if let Some(v) = coordinate(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W', 180.0) {
        meta.gps_longitude = Some(v);
    }
    if let Some(alt) = rationals(exif, Tag::GPSAltitude).and_then(|v| v.first().copied()) {
        let below = field(exif, Tag::GPSAltitudeRef).and_then(|f| f.value.get_uint(0)) == Some(1);
        if alt.is_finite() {
            meta.gps_altitude = Some(if below { -alt } else { alt });
        }
    }
    if let Some(v) = gps_time(exif) {
        meta.gps_time = Some(v);
    }
    if let Some(v) = ascii(exif, Tag::Make) {
        meta.make = Some(v);
    }
    if let Some(v) = ascii(exif, Tag::Model) {
        meta.model = Some(v);
    }
}
