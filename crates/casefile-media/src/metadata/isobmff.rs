//! ISO base media file format (MP4, MOV, 3GP, M4A, HEIF) box walking, by seeking.
//!
//! A phone video can be several gigabytes with its `moov` box after the media data, so we never
//! read a file sequentially: we read box headers and seek past bodies, and load into memory only
//! the few small boxes we parse (each capped at [`MAX_BOX_READ`]).
//!
//! What we read:
//! - `moov/mvhd`: creation time (seconds since 1904-01-01 UTC; 0 = absent), duration.
//! - `moov/trak` with handler `vide`: `tkhd` width, height and rotation matrix.
//! - `moov/udta/©xyz` (QuickTime/Android ISO 6709 location), `©mak`, `©mod`, `©day`.
//! - `moov/meta` and `moov/udta/meta` (`keys` + `ilst`, Apple's `mdta` scheme):
//!   `com.apple.quicktime.location.ISO6709`, `.make`, `.model`, `.creationdate`; and the bare
//!   `location`, `make`, `model` keys ffmpeg writes (`-movflags use_metadata_tags`), which
//!   exiftool reads as the same tags.
//! - HEIF `meta`: the primary item's (`pitm`) `ispe` size via `iprp/ipco` + `ipma`.

use chrono::{DateTime, TimeZone, Utc};
use std::io::{self, Read, Seek, SeekFrom};

use super::{normalise_offset, Metadata};

/// The largest box body we load into memory (keys, ilst, ipco, ...).
const MAX_BOX_READ: u64 = 1024 * 1024;
/// Bound on boxes visited per container, against files that chain millions of tiny boxes.
const MAX_CHILDREN: usize = 100_000;
/// Bound on box headers read in one file, all containers together: nesting cannot multiply
/// the per-container bound into billions of reads.
const MAX_BOXES: usize = 1_000_000;
/// Seconds from 1904-01-01 (QuickTime epoch) to 1970-01-01.
const EPOCH_1904_TO_1970: i64 = 2_082_844_800;

#[derive(Debug, Clone, Copy)]
struct BoxHdr {
    typ: [u8; 4],
    /// Offset of the first byte after the header.
    body: u64,
    /// Offset one past the box's last byte (clamped to the parent's end).
    end: u64,
}

impl BoxHdr {
    fn len(&self) -> u64 {
        self.end - self.body
    }
}

/// A stream being walked, with what is left of its [`MAX_BOXES`] budget.
pub(crate) struct Walker<'a, R: ?Sized> {
    r: &'a mut R,
    boxes_left: usize,
}

impl<'a, R: Read + Seek + ?Sized> Walker<'a, R> {
    pub(crate) fn new(r: &'a mut R) -> Self {
        Walker {
            r,
            boxes_left: MAX_BOXES,
        }
    }
}

/// Calls `f` for each child box in `[start, end)`; `f` returns false to stop early.
fn for_each_child<R: Read + Seek + ?Sized>(
    w: &mut Walker<R>,
    start: u64,
    end: u64,
    mut f: impl FnMut(&mut Walker<R>, BoxHdr) -> io::Result<bool>,
) -> io::Result<()> {
    let mut pos = start;
    for _ in 0..MAX_CHILDREN {
        if pos.saturating_add(8) > end || w.boxes_left == 0 {
            break;
        }
        w.boxes_left -= 1;
        w.r.seek(SeekFrom::Start(pos))?;
        let mut h = [0u8; 8];
        match w.r.read_exact(&mut h) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let typ = [h[4], h[5], h[6], h[7]];
        let (size, header_len) = match size32 {
            0 => (end - pos, 8), // extends to the end of the parent (or file)
            1 => {
                let mut l = [0u8; 8];
                match w.r.read_exact(&mut l) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
                (u64::from_be_bytes(l), 16)
            }
            n => (u64::from(n), 8),
        };
        if size < header_len {
            break; // corrupt
        }
        let box_end = pos.saturating_add(size).min(end);
        if pos + header_len > box_end {
            break;
        }
        if !f(
            w,
            BoxHdr {
                typ,
                body: pos + header_len,
                end: box_end,
            },
        )? {
            break;
        }
        pos = match pos.checked_add(size) {
            Some(p) => p,
            None => break,
        };
    }
    Ok(())
}

fn read_body<R: Read + Seek + ?Sized>(w: &mut Walker<R>, b: &BoxHdr) -> io::Result<Vec<u8>> {
    w.r.seek(SeekFrom::Start(b.body))?;
    let mut buf = Vec::new();
    (&mut *w.r)
        .take(b.len().min(MAX_BOX_READ))
        .read_to_end(&mut buf)?;
    Ok(buf)
}

fn stream_len<R: Seek + ?Sized>(r: &mut R) -> io::Result<u64> {
    r.seek(SeekFrom::End(0))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Where the children of a `meta` box start. ISO `meta` is a full box (4 bytes of version and
/// flags before its children); QuickTime's is not. Tell them apart by where `hdlr` sits.
fn meta_children_start<R: Read + Seek + ?Sized>(
    w: &mut Walker<R>,
    meta: &BoxHdr,
) -> io::Result<u64> {
    w.r.seek(SeekFrom::Start(meta.body))?;
    let mut p = [0u8; 12];
    let n = (&mut *w.r).take(12).read(&mut p)?;
    if n >= 8 && &p[4..8] == b"hdlr" {
        Ok(meta.body)
    } else {
        Ok(meta.body + 4)
    }
}

// ---------------------------------------------------------------------------------------------
// Movies (MP4 / MOV / 3GP / M4A)

pub(crate) fn read_movie<R: Read + Seek + ?Sized>(
    r: &mut R,
    meta: &mut Metadata,
) -> io::Result<()> {
    let len = stream_len(r)?;
    let w = &mut Walker::new(r);
    let mut moov = None;
    for_each_child(w, 0, len, |_, b| {
        if &b.typ == b"moov" {
            moov = Some(b);
            return Ok(false);
        }
        Ok(true)
    })?;
    let Some(moov) = moov else { return Ok(()) };
    let mut seen_video_track = false;
    for_each_child(w, moov.body, moov.end, |w, b| {
        match &b.typ {
            b"mvhd" => parse_mvhd(&read_body(w, &b)?, meta),
            b"trak" if !seen_video_track => seen_video_track = parse_trak(w, &b, meta)?,
            b"udta" => parse_udta(w, &b, meta)?,
            b"meta" => parse_item_list_meta(w, &b, meta)?,
            _ => {}
        }
        Ok(true)
    })
}

fn parse_mvhd(body: &[u8], meta: &mut Metadata) {
    let version = body.first().copied().unwrap_or(0);
    let (created, timescale, duration) = if version == 1 {
        (be64(body, 4), be32(body, 20), be64(body, 24))
    } else {
        (
            be32(body, 4).map(u64::from),
            be32(body, 12),
            be32(body, 16).map(u64::from),
        )
    };
    if let Some(t) = created.filter(|&t| t != 0) {
        if let Some(dt) = i64::try_from(t)
            .ok()
            .and_then(|t| t.checked_sub(EPOCH_1904_TO_1970))
            .and_then(|s| Utc.timestamp_opt(s, 0).single())
        {
            meta.container_creation_time =
                Some(dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    }
    if let (Some(ts), Some(d)) = (timescale.filter(|&t| t != 0), duration) {
        // All-ones duration means "unknown".
        let unknown = (version == 1 && d == u64::MAX) || (version != 1 && d == u64::from(u32::MAX));
        if !unknown {
            meta.duration_seconds = Some(d as f64 / f64::from(ts));
        }
    }
}

/// Returns true if this was a video track (and its size and rotation were taken).
fn parse_trak<R: Read + Seek + ?Sized>(
    w: &mut Walker<R>,
    trak: &BoxHdr,
    meta: &mut Metadata,
) -> io::Result<bool> {
    let mut tkhd = None;
    let mut is_video = false;
    for_each_child(w, trak.body, trak.end, |w, b| {
        match &b.typ {
            b"tkhd" => tkhd = Some(read_body(w, &b)?),
            b"mdia" => {
                for_each_child(w, b.body, b.end, |w, c| {
                    if &c.typ == b"hdlr" {
                        let h = read_body(w, &c)?;
                        is_video = h.get(8..12) == Some(b"vide");
                        return Ok(false);
                    }
                    Ok(true)
                })?;
            }
            _ => {}
        }
        Ok(true)
    })?;
    let Some(tkhd) = tkhd.filter(|_| is_video) else {
        return Ok(false);
    };
    let base = if tkhd.first() == Some(&1) { 36 } else { 24 };
    // After the times and ids: reserved(8) layer(2) group(2) volume(2) reserved(2) matrix(36).
    let matrix = base + 16;
    let (w, h) = (be32(&tkhd, matrix + 36), be32(&tkhd, matrix + 40));
    if let (Some(w), Some(h)) = (w, h) {
        let (w, h) = (w >> 16, h >> 16); // 16.16 fixed point
        if w > 0 && h > 0 {
            meta.width = Some(w);
            meta.height = Some(h);
        }
    }
    let m = |i: usize| be32(&tkhd, matrix + 4 * i).map(|v| v as i32);
    if let (Some(a), Some(b), Some(c), Some(d)) = (m(0), m(1), m(3), m(4)) {
        let one = 0x0001_0000;
        meta.orientation = match (a, b, c, d) {
            (a, 0, 0, d) if a == one && d == one => Some(1),
            (a, 0, 0, d) if a == -one && d == -one => Some(3),
            (0, b, c, 0) if b == one && c == -one => Some(6), // 90° clockwise
            (0, b, c, 0) if b == -one && c == one => Some(8), // 90° anticlockwise
            _ => meta.orientation,
        };
    }
    Ok(true)
}

fn parse_udta<R: Read + Seek + ?Sized>(
    w: &mut Walker<R>,
    udta: &BoxHdr,
    meta: &mut Metadata,
) -> io::Result<()> {
    for_each_child(w, udta.body, udta.end, |w, b| {
        match &b.typ {
            b"\xA9xyz" | b"\xA9mak" | b"\xA9mod" | b"\xA9day" => {
                let body = read_body(w, &b)?;
                let text = if body.get(4..8) == Some(b"data") {
                    // iTunes style: a nested `data` box, size(4) "data" type(4) locale(4) value.
                    body.get(16..).unwrap_or_default()
                } else {
                    // QuickTime user data text: u16 length, u16 language, then the text.
                    be16(&body, 0)
                        .and_then(|n| body.get(4..4 + usize::from(n)))
                        .unwrap_or_default()
                };
                apply_item(&b.typ, &String::from_utf8_lossy(text), meta);
            }
            b"meta" => parse_item_list_meta(w, &b, meta)?,
            _ => {}
        }
        Ok(true)
    })
}

/// `meta` with `keys` + `ilst` (Apple mdta) or an iTunes-style `ilst` with four-character names.
fn parse_item_list_meta<R: Read + Seek + ?Sized>(
    w: &mut Walker<R>,
    m: &BoxHdr,
    meta: &mut Metadata,
) -> io::Result<()> {
    let start = meta_children_start(w, m)?;
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut ilst = None;
    for_each_child(w, start, m.end, |w, b| {
        match &b.typ {
            b"keys" => keys = parse_keys(&read_body(w, &b)?),
            b"ilst" => ilst = Some(b),
            _ => {}
        }
        Ok(true)
    })?;
    let Some(ilst) = ilst else { return Ok(()) };
    for_each_child(w, ilst.body, ilst.end, |w, item| {
        let index = u32::from_be_bytes(item.typ) as usize;
        let name: Vec<u8> = if index >= 1 && index <= keys.len() {
            keys[index - 1].clone()
        } else {
            item.typ.to_vec()
        };
        // The value is in a `data` child: type(4) locale(4) value.
        for_each_child(w, item.body, item.end, |w, d| {
            if &d.typ == b"data" {
                let body = read_body(w, &d)?;
                let well_known_type = be32(&body, 0).unwrap_or(0) & 0x00FF_FFFF;
                if well_known_type == 1 && body.len() > 8 {
                    apply_item(&name, &String::from_utf8_lossy(&body[8..]), meta);
                }
                return Ok(false);
            }
            Ok(true)
        })?;
        Ok(true)
    })
}

fn parse_keys(body: &[u8]) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    let count = be32(body, 4).unwrap_or(0) as usize;
    let mut pos = 8;
    for _ in 0..count.min(10_000) {
        let Some(size) = be32(body, pos).map(|s| s as usize) else {
            break;
        };
        if size < 8 || pos + size > body.len() {
            break;
        }
        keys.push(body[pos + 8..pos + size].to_vec());
        pos += size;
    }
    keys
}

fn apply_item(name: &[u8], text: &str, meta: &mut Metadata) {
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.is_empty() {
        return;
    }
    match name {
        b"\xA9xyz" | b"com.apple.quicktime.location.ISO6709" | b"location" => {
            if let Some((lat, lon, alt)) = parse_iso6709(text) {
                meta.gps_latitude = Some(lat);
                meta.gps_longitude = Some(lon);
                if alt.is_some() {
                    meta.gps_altitude = alt;
                }
            }
        }
        b"\xA9mak" | b"com.apple.quicktime.make" | b"make" => meta.make = Some(text.to_string()),
        b"\xA9mod" | b"com.apple.quicktime.model" | b"model" => meta.model = Some(text.to_string()),
        b"\xA9day" | b"com.apple.quicktime.creationdate" => {
            // e.g. 2022-03-09T10:15:03+0200: local time with its offset, like EXIF's pair.
            if let Ok(dt) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z") {
                meta.capture_time = Some(dt.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string());
                meta.capture_time_offset = normalise_offset(&dt.offset().to_string());
            }
        }
        _ => {}
    }
}

/// ISO 6709 point: `±DD.DDDD±DDD.DDDD[±AAA.AAA][CRS...]/`, with degrees, degrees-minutes or
/// degrees-minutes-seconds told apart by the number of integer digits.
pub(crate) fn parse_iso6709(s: &str) -> Option<(f64, f64, Option<f64>)> {
    let s = s.trim().trim_end_matches('/');
    let s = s.split("CRS").next()?;
    // Split into signed numeric parts.
    let mut parts: Vec<&str> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c == '+' || c == '-' {
            if let Some(st) = start {
                parts.push(&s[st..i]);
            }
            start = Some(i);
        } else if !(c.is_ascii_digit() || c == '.') {
            return None;
        }
    }
    if let Some(st) = start {
        parts.push(&s[st..]);
    }
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let lat = angle(parts[0], 2)?;
    let lon = angle(parts[1], 3)?;
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    let alt = match parts.get(2) {
        Some(a) => Some(a.parse::<f64>().ok().filter(|v| v.is_finite())?),
        None => None,
    };
    Some((lat, lon, alt))
}

fn angle(part: &str, deg_digits: usize) -> Option<f64> {
    let (sign, digits) = part.split_at(1);
    let sign = if sign == "-" { -1.0 } else { 1.0 };
    let int_len = digits.find('.').unwrap_or(digits.len());
    let (int, frac) = digits.split_at(int_len);
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0{frac}").parse().ok()?
    };
    let num = |s: &str| s.parse::<f64>().ok();
    let v = match int.len().checked_sub(deg_digits)? {
        0 => num(int)? + frac,
        2 => num(&int[..deg_digits])? + (num(&int[deg_digits..])? + frac) / 60.0,
        4 => {
            num(&int[..deg_digits])?
                + num(&int[deg_digits..deg_digits + 2])? / 60.0
                + (num(&int[deg_digits + 2..])? + frac) / 3600.0
        }
        _ => return None,
    };
    Some(sign * v)
}

// ---------------------------------------------------------------------------------------------
// HEIF

pub(crate) fn read_heif<R: Read + Seek + ?Sized>(r: &mut R, meta: &mut Metadata) -> io::Result<()> {
    let len = stream_len(r)?;
    let w = &mut Walker::new(r);
    let mut meta_box = None;
    for_each_child(w, 0, len, |_, b| {
        if &b.typ == b"meta" {
            meta_box = Some(b);
            return Ok(false);
        }
        Ok(true)
    })?;
    let Some(m) = meta_box else { return Ok(()) };
    let start = meta_children_start(w, &m)?;
    let mut primary: Option<u32> = None;
    let mut ipco: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    let mut ipma: Option<Vec<u8>> = None;
    let mut ipma_flags = 0u32;
    for_each_child(w, start, m.end, |w, b| {
        match &b.typ {
            b"pitm" => {
                let body = read_body(w, &b)?;
                primary = if body.first() == Some(&0) {
                    be16(&body, 4).map(u32::from)
                } else {
                    be32(&body, 4)
                };
            }
            b"iprp" => {
                for_each_child(w, b.body, b.end, |w, c| {
                    match &c.typ {
                        b"ipco" => {
                            for_each_child(w, c.body, c.end, |w, p| {
                                // Only small property bodies matter (ispe, irot, imir).
                                let body = if &p.typ == b"ispe" {
                                    read_body(w, &p)?
                                } else {
                                    Vec::new()
                                };
                                ipco.push((p.typ, body));
                                Ok(true)
                            })?;
                        }
                        b"ipma" => {
                            let body = read_body(w, &c)?;
                            ipma_flags = be32(&body, 0).unwrap_or(0) & 0x00FF_FFFF;
                            ipma = Some(body);
                        }
                        _ => {}
                    }
                    Ok(true)
                })?;
            }
            _ => {}
        }
        Ok(true)
    })?;

    let ispe_of = |idx: usize| -> Option<(u32, u32)> {
        let (typ, body) = ipco.get(idx.checked_sub(1)?)?;
        if typ != b"ispe" {
            return None;
        }
        Some((be32(body, 4)?, be32(body, 8)?))
    };
    // The primary item's ispe, via ipma.
    let mut size = None;
    if let (Some(primary), Some(ipma)) = (primary, ipma.as_ref()) {
        let version = ipma.first().copied().unwrap_or(0);
        let count = be32(ipma, 4).unwrap_or(0);
        let mut pos = 8usize;
        'entries: for _ in 0..count.min(100_000) {
            let item = if version < 1 {
                let v = be16(ipma, pos).map(u32::from);
                pos += 2;
                v
            } else {
                let v = be32(ipma, pos);
                pos += 4;
                v
            };
            let Some(item) = item else { break };
            let Some(&n) = ipma.get(pos) else { break };
            pos += 1;
            for _ in 0..n {
                let idx = if ipma_flags & 1 == 1 {
                    let v = be16(ipma, pos).map(|v| usize::from(v & 0x7FFF));
                    pos += 2;
                    v
                } else {
                    let v = ipma.get(pos).map(|v| usize::from(v & 0x7F));
                    pos += 1;
                    v
                };
                let Some(idx) = idx else { break 'entries };
                if item == primary && size.is_none() {
                    size = ispe_of(idx);
                }
            }
        }
    }
    // Without a usable association, fall back to the largest ispe in the file.
    if size.is_none() {
        size = (1..=ipco.len())
            .filter_map(ispe_of)
            .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h));
    }
    if let Some((w, h)) = size.filter(|(w, h)| *w > 0 && *h > 0) {
        meta.width = Some(w);
        meta.height = Some(h);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_forms() {
        let (lat, lon, alt) = parse_iso6709("+50.4501+030.5234/").unwrap();
        assert!((lat - 50.4501).abs() < 1e-9 && (lon - 30.5234).abs() < 1e-9 && alt.is_none());
        let (lat, lon, alt) = parse_iso6709("-33.8688+151.2093+012.500/").unwrap();
        assert!((lat + 33.8688).abs() < 1e-9 && (lon - 151.2093).abs() < 1e-9);
        assert_eq!(alt, Some(12.5));
        // Degrees and minutes: +4707.5-07345.25 = 47°07.5' N, 73°45.25' W
        let (lat, lon, _) = parse_iso6709("+4707.5-07345.25/").unwrap();
        assert!((lat - (47.0 + 7.5 / 60.0)).abs() < 1e-9);
        assert!((lon + (73.0 + 45.25 / 60.0)).abs() < 1e-9);
        assert!(parse_iso6709("+47.1+007.2-005.1CRSWGS_84/").is_some());
        for bad in ["", "/", "+", "hello", "+91.0+000.0/", "+1+2+3+4/", "+5.0/"] {
            assert!(parse_iso6709(bad).is_none(), "{bad}");
        }
    }
}
