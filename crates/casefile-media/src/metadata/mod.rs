//! Metadata an investigator needs to place a file in time and space: capture time, GPS, device,
//! orientation and size, plus a warning when the camera clock and the GPS clock disagree.
//!
//! Extraction is best effort by design: a truncated or damaged file yields whatever could be read
//! (possibly nothing) rather than an error, because the file is evidence whatever its state. Only
//! a stream that fails to read is an error. Nothing here ever reads a whole video (or any
//! image's pixel data) into memory: JPEG segments, PNG and WebP chunks and MP4/MOV boxes are
//! walked by seeking, and every in-memory read is capped.

mod containers;
mod exif_fields;
pub(crate) mod isobmff;
pub(crate) mod jpeg;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use image::metadata::Orientation;
use serde::{Deserialize, Serialize};
use std::io::{self, BufReader};

use crate::error::{MediaError, Result};
use crate::guard::no_panic;
use crate::input::{read_prefix, Bounded, ReadSeek};

/// What the `image` crate may read of a file to tell its pixel size (headers only, normally a
/// few hundred bytes; a TIFF's first IFD may sit anywhere).
const DIMENSIONS_BUDGET: u64 = 16 * 1024 * 1024;

/// The camera clock and the GPS clock may differ by this much before we flag a mismatch.
pub const CLOCK_GPS_TOLERANCE_SECS: i64 = 3600;

/// Extracted metadata. Every field is optional: absent means "not recorded in the file" (or not
/// readable), never a guess.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    /// Camera clock at capture as the device wrote it: naive local time `YYYY-MM-DDTHH:MM:SS`
    /// (EXIF `DateTimeOriginal`; for Apple QuickTime `com.apple.quicktime.creationdate`).
    pub capture_time: Option<String>,
    /// UTC offset of `capture_time` such as `+03:00` (EXIF `OffsetTimeOriginal`), when recorded.
    pub capture_time_offset: Option<String>,
    /// WGS84 latitude in signed decimal degrees (south negative).
    pub gps_latitude: Option<f64>,
    /// WGS84 longitude in signed decimal degrees (west negative).
    pub gps_longitude: Option<f64>,
    /// Altitude in metres, negative below sea level (EXIF `GPSAltitudeRef` = 1).
    pub gps_altitude: Option<f64>,
    /// GPS fix time (EXIF `GPSDateStamp` + `GPSTimeStamp`), UTC, RFC 3339.
    pub gps_time: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// EXIF orientation 1..=8 (for JPEG without EXIF orientation, XMP `tiff:Orientation`). For
    /// MP4/MOV, the rotation of the first video track's matrix expressed as the same codes
    /// (1, 3, 6, 8).
    pub orientation: Option<u16>,
    /// Pixel size as stored, before orientation is applied: JPEG SOF, PNG IHDR, HEIF `ispe`,
    /// MP4/MOV first video track `tkhd`.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// MP4/MOV `mvhd` creation time, UTC, RFC 3339. Many devices write 0 (absent) or a time in
    /// UTC; some write local time. It is the container's claim, not the camera clock.
    pub container_creation_time: Option<String>,
    /// MP4/MOV duration in seconds (`mvhd`).
    pub duration_seconds: Option<f64>,
    /// Camera clock minus GPS clock, in seconds, when both are present. See
    /// [`clock_gps_disagreement`] for how a capture time without an offset is treated.
    pub clock_gps_disagreement: Option<i64>,
    /// True when `|clock_gps_disagreement| > CLOCK_GPS_TOLERANCE_SECS` (one hour).
    pub clock_gps_mismatch: bool,
}

impl Metadata {
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }

    /// Fills in `clock_gps_disagreement` and `clock_gps_mismatch` from the other fields.
    pub(crate) fn compare_clocks(&mut self) {
        self.clock_gps_disagreement = clock_gps_disagreement(
            self.capture_time.as_deref(),
            self.capture_time_offset.as_deref(),
            self.gps_time.as_deref(),
        );
        self.clock_gps_mismatch = self
            .clock_gps_disagreement
            .is_some_and(|d| d.abs() > CLOCK_GPS_TOLERANCE_SECS);
    }
}

/// Camera clock minus GPS clock in seconds.
///
/// The camera writes local wall-clock time. With an offset (`+03:00`) we convert it to UTC
/// exactly. **Without an offset we read it as if it were UTC**: we cannot know the zone the
/// camera was set to, and guessing one from the GPS position would be a guess dressed as a fact.
/// The consequence, stated plainly: a correctly set camera without an offset tag in a zone other
/// than UTC shows a disagreement of a whole number of hours (e.g. 7200 s in Kyiv in winter) and,
/// beyond one hour, is flagged. The flag means "check the clock", not "the photo is false".
pub fn clock_gps_disagreement(
    capture_time: Option<&str>,
    capture_offset: Option<&str>,
    gps_time: Option<&str>,
) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(capture_time?, "%Y-%m-%dT%H:%M:%S").ok()?;
    let camera_utc: DateTime<Utc> = match capture_offset.and_then(parse_offset) {
        Some(off) => off
            .from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
        None => Utc.from_utc_datetime(&naive),
    };
    let gps = DateTime::parse_from_rfc3339(gps_time?)
        .ok()?
        .with_timezone(&Utc);
    Some((camera_utc - gps).num_seconds())
}

/// `+03:00`, `-04:30`, `+0300` → offset. Anything else → None.
pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    let b = s.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = b[1..].iter().copied().filter(|c| *c != b':').collect();
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let h = i32::from((digits[0] - b'0') * 10 + (digits[1] - b'0'));
    let m = i32::from((digits[2] - b'0') * 10 + (digits[3] - b'0'));
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Canonical `±HH:MM` form of an offset string, or None if it is not one.
pub(crate) fn normalise_offset(s: &str) -> Option<String> {
    let off = parse_offset(s)?;
    let secs = off.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    Some(format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60))
}

/// Extracts metadata from the stream `r`, whose content was sniffed as `mime` (see
/// [`crate::sniff()`]). Unknown or metadata-less types give `Ok(Metadata::default())`. Reads
/// from the start of the stream whatever its position; leaves the position anywhere.
///
/// Errors: `media_unreadable` if reading fails (other than by the data ending early). A damaged
/// or truncated file gives `Ok` with what could be read. A panic inside a parser is caught and
/// reported as `media_undecodable`.
pub fn extract_metadata(r: &mut dyn ReadSeek, mime: &str) -> Result<Metadata> {
    let mut meta = Metadata::default();
    let outcome = no_panic(|| -> io::Result<()> {
        match mime {
            "image/jpeg" => {
                let mut h = jpeg::Headers::default();
                let walked = jpeg::read_headers(&mut BufReader::new(&mut *r), &mut h);
                if let Some((w, hgt)) = h.size {
                    meta.width = Some(w);
                    meta.height = Some(hgt);
                }
                apply_exif_block(h.exif, h.xmp_orientation, &mut meta);
                walked?;
            }
            "image/png" | "image/webp" => {
                let found = if mime == "image/png" {
                    containers::png_exif(r)
                } else {
                    containers::webp_exif(r)
                };
                match found {
                    Ok(block) => apply_exif_block(block, None, &mut meta),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {}
                    Err(e) => return Err(e),
                }
                image_dimensions(r, mime, &mut meta)?;
            }
            "image/heic" | "image/heif" | "image/avif" => {
                if let Some(exif) = exif_fields::read_heif_exif(r)? {
                    exif_fields::apply(&exif, &mut meta);
                    meta.orientation = exif_orientation(Some(exif.buf()), None);
                }
                let mut br = BufReader::new(&mut *r);
                isobmff::read_heif(&mut br, &mut meta)?;
            }
            "image/tiff" => {
                let block = read_prefix(r, exif_fields::TIFF_EXIF_CAP)?;
                apply_exif_block(Some(block), None, &mut meta);
                image_dimensions(r, mime, &mut meta)?;
            }
            "image/gif" | "image/bmp" => image_dimensions(r, mime, &mut meta)?,
            "video/mp4" | "video/quicktime" | "video/3gpp" | "video/3gpp2" | "audio/mp4" => {
                let mut br = BufReader::new(&mut *r);
                isobmff::read_movie(&mut br, &mut meta)?;
            }
            _ => {}
        }
        Ok(())
    })?;
    match outcome {
        Ok(()) => {}
        // Truncated file: keep what was read before the end.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(MediaError::unreadable(e)),
    }
    meta.compare_clocks();
    Ok(meta)
}

/// Fields of an EXIF block (TIFF header onwards) and the orientation by the display rule.
fn apply_exif_block(block: Option<Vec<u8>>, xmp_orientation: Option<u16>, meta: &mut Metadata) {
    meta.orientation = exif_orientation(block.as_deref(), xmp_orientation);
    if let Some(exif) = block.and_then(exif_fields::parse_raw) {
        exif_fields::apply(&exif, meta);
    }
}

fn exif_orientation(exif: Option<&[u8]>, xmp: Option<u16>) -> Option<u16> {
    display_orientation(exif, xmp).map(|o| u16::from(o.to_exif()))
}

/// Width and height from the image header via the `image` crate (reads the header only).
fn image_dimensions(r: &mut dyn ReadSeek, mime: &str, meta: &mut Metadata) -> io::Result<()> {
    let Some(format) = image_format(mime) else {
        return Ok(());
    };
    r.seek(io::SeekFrom::Start(0))?;
    let bounded = BufReader::new(Bounded::new(&mut *r, DIMENSIONS_BUDGET));
    let reader = image::ImageReader::with_format(bounded, format);
    if let Ok((w, h)) = reader.into_dimensions() {
        if w > 0 && h > 0 {
            meta.width = Some(w);
            meta.height = Some(h);
        }
    }
    Ok(())
}

/// The `image` crate's format for the types it decodes for us.
pub(crate) fn image_format(mime: &str) -> Option<image::ImageFormat> {
    Some(match mime {
        "image/png" => image::ImageFormat::Png,
        "image/webp" => image::ImageFormat::WebP,
        "image/gif" => image::ImageFormat::Gif,
        "image/tiff" => image::ImageFormat::Tiff,
        "image/bmp" => image::ImageFormat::Bmp,
        _ => return None,
    })
}

/// The orientation to display an image by, one rule for metadata, thumbnails and stripped
/// copies: the `Orientation` tag of the EXIF block's first IFD (TIFF header onwards) as the
/// `image` crate reads it; when that gives nothing, XMP `tiff:Orientation` (JPEG only).
pub(crate) fn display_orientation(exif: Option<&[u8]>, xmp: Option<u16>) -> Option<Orientation> {
    exif.and_then(Orientation::from_exif_chunk).or_else(|| {
        xmp.and_then(|v| u8::try_from(v).ok())
            .and_then(Orientation::from_exif)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(normalise_offset("+03:00").as_deref(), Some("+03:00"));
        assert_eq!(normalise_offset("-0430").as_deref(), Some("-04:30"));
        assert_eq!(normalise_offset("   :  "), None);
        assert_eq!(normalise_offset("+99:00"), None);
    }

    #[test]
    fn clock_comparison_uses_offset_when_present() {
        // 10:00 in Kyiv (UTC+3 in summer) is 07:00 UTC: the clocks agree.
        let d = clock_gps_disagreement(
            Some("2022-07-01T10:00:00"),
            Some("+03:00"),
            Some("2022-07-01T07:00:00Z"),
        );
        assert_eq!(d, Some(0));
        // Without the offset the same reading is taken as UTC and is three hours ahead.
        let d = clock_gps_disagreement(
            Some("2022-07-01T10:00:00"),
            None,
            Some("2022-07-01T07:00:00Z"),
        );
        assert_eq!(d, Some(3 * 3600));
        assert_eq!(
            clock_gps_disagreement(Some("garbage"), None, Some("2022-07-01T07:00:00Z")),
            None
        );
    }
}
