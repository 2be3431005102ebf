//! Media type from content, never from the file name.
//!
//! An evidence file's name is whatever the sender or a messaging app chose; its bytes are what we
//! can defend. So the type is read from magic numbers and container headers in the first
//! [`SNIFF_LEN`] bytes. Anything we do not recognise is `text/plain` only if those bytes are valid
//! UTF-8 text, otherwise `application/octet-stream`.

use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};
use crate::input::{read_prefix, ReadSeek};

/// How many leading bytes [`sniff`] wants to see. Fewer still work for most types; ZIP-based
/// office documents and Matroska doc types may need the full length.
pub const SNIFF_LEN: usize = 4096;

/// Broad kind of a media type, for grouping in the UI and choosing what to extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Image,
    Video,
    Audio,
    Document,
    Other,
}

/// A sniffed media type: an IANA MIME type string and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct MediaType {
    pub mime: &'static str,
    pub kind: Kind,
}

impl MediaType {
    pub const fn new(mime: &'static str, kind: Kind) -> Self {
        MediaType { mime, kind }
    }
    pub const OCTET_STREAM: MediaType = MediaType::new("application/octet-stream", Kind::Other);
}

const fn image(m: &'static str) -> MediaType {
    MediaType::new(m, Kind::Image)
}
const fn video(m: &'static str) -> MediaType {
    MediaType::new(m, Kind::Video)
}
const fn audio(m: &'static str) -> MediaType {
    MediaType::new(m, Kind::Audio)
}
const fn document(m: &'static str) -> MediaType {
    MediaType::new(m, Kind::Document)
}
const fn other(m: &'static str) -> MediaType {
    MediaType::new(m, Kind::Other)
}

/// Reads the first [`SNIFF_LEN`] bytes of the stream (from its start, whatever its position)
/// and sniffs them. Errors: `media_unreadable` if reading fails.
pub fn sniff_reader(r: &mut dyn ReadSeek) -> Result<MediaType> {
    let head = read_prefix(r, SNIFF_LEN as u64).map_err(MediaError::unreadable)?;
    Ok(sniff(&head))
}

/// Media type of content whose first bytes are `head` (pass [`SNIFF_LEN`] bytes, or the whole
/// file if it is shorter). Never panics, whatever the input.
pub fn sniff(head: &[u8]) -> MediaType {
    let h = head;
    let starts = |sig: &[u8]| h.starts_with(sig);
    let at = |off: usize, sig: &[u8]| h.len() >= off + sig.len() && &h[off..off + sig.len()] == sig;

    if h.is_empty() {
        return MediaType::OCTET_STREAM;
    }
    // Images.
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return image("image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return image("image/png");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return image("image/gif");
    }
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        return image("image/tiff");
    }
    if starts(b"RIFF") && h.len() >= 12 {
        match &h[8..12] {
            b"WEBP" => return image("image/webp"),
            b"AVI " => return video("video/x-msvideo"),
            b"WAVE" => return audio("audio/wav"),
            _ => {}
        }
    }
    if starts(b"BM") && h.len() >= 26 && at(6, &[0, 0, 0, 0]) {
        // BITMAPFILEHEADER: reserved fields are zero; header size is one of the known values.
        let hdr = u32::from_le_bytes([h[14], h[15], h[16], h[17]]);
        if matches!(hdr, 12 | 40 | 52 | 56 | 64 | 108 | 124) {
            return image("image/bmp");
        }
    }
    // ISO base media file format (MP4, MOV, HEIF, AVIF, M4A, 3GP): `ftyp` box first.
    if at(4, b"ftyp") && h.len() >= 12 {
        return sniff_ftyp(h);
    }
    // Old QuickTime files without `ftyp` start directly with one of these atoms.
    if h.len() >= 8 && matches!(&h[4..8], b"moov" | b"mdat" | b"wide" | b"pnot") {
        return video("video/quicktime");
    }
    // Matroska / WebM: EBML header, DocType string inside it.
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let window = &h[..h.len().min(64)];
        if contains(window, b"webm") {
            return video("video/webm");
        }
        return video("video/x-matroska");
    }
    // Audio.
    if starts(b"OggS") {
        if contains(h, b"\x80theora") {
            return video("video/ogg");
        }
        return audio("audio/ogg");
    }
    if starts(b"fLaC") {
        return audio("audio/flac");
    }
    if starts(b"ID3") {
        return audio("audio/mpeg");
    }
    if starts(b"#!AMR") {
        return audio("audio/amr");
    }
    if h.len() >= 4 && h[0] == 0xFF && h[1] & 0xF6 == 0xF0 {
        // ADTS AAC: 12-bit sync, layer bits 00.
        return audio("audio/aac");
    }
    if h.len() >= 4 && is_mpeg_audio_frame(h) {
        return audio("audio/mpeg");
    }
    // Documents and archives.
    if starts(b"%PDF-") {
        return document("application/pdf");
    }
    if starts(b"PK\x03\x04") {
        return sniff_zip(h);
    }
    if starts(b"PK\x05\x06") {
        return other("application/zip");
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE2 compound file: legacy .doc/.xls/.ppt/.msg. Which one needs the directory.
        return document("application/x-ole-storage");
    }
    if starts(b"{\\rtf") {
        return document("application/rtf");
    }
    if starts(b"WARC/") {
        return document("application/warc");
    }
    if starts(&[0x1F, 0x8B]) {
        return other("application/gzip");
    }
    if starts(b"7z\xBC\xAF\x27\x1C") {
        return other("application/x-7z-compressed");
    }
    if starts(b"Rar!\x1A\x07") {
        return other("application/vnd.rar");
    }
    // Text last, and only if it really is UTF-8 text.
    if is_utf8_text(h) {
        let body = strip_bom_and_space(h);
        let lower: Vec<u8> = body
            .iter()
            .take(64)
            .map(|b| b.to_ascii_lowercase())
            .collect();
        if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
            return document("text/html");
        }
        if lower.starts_with(b"mime-version:") || lower.starts_with(b"from: <saved by") {
            return document("multipart/related");
        }
        return document("text/plain");
    }
    MediaType::OCTET_STREAM
}

fn sniff_ftyp(h: &[u8]) -> MediaType {
    let major = &h[8..12];
    // Compatible brands follow minor_version, up to the end of the ftyp box (or of `head`).
    let box_len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let end = box_len.clamp(16, h.len().max(16)).min(h.len());
    let compat: Vec<&[u8]> = if end > 16 {
        h[16..end].chunks_exact(4).collect()
    } else {
        Vec::new()
    };
    let has = |b: &[u8]| major == b || compat.contains(&b);

    match major {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
            return image("image/heic")
        }
        b"avif" | b"avis" => return image("image/avif"),
        b"mif1" | b"msf1" | b"heif" | b"mif2" => {
            if has(b"avif") || has(b"avis") {
                return image("image/avif");
            }
            if has(b"heic") || has(b"heix") || has(b"hevc") {
                return image("image/heic");
            }
            return image("image/heif");
        }
        b"qt  " => return video("video/quicktime"),
        b"M4A " | b"M4B " | b"M4P " => return audio("audio/mp4"),
        b"crx " => return image("image/x-canon-cr3"),
        _ => {}
    }
    if major.starts_with(b"3g2") {
        return video("video/3gpp2");
    }
    if major.starts_with(b"3gp") || major.starts_with(b"3ge") || major.starts_with(b"3gg") {
        return video("video/3gpp");
    }
    // isom, iso2..iso9, mp41, mp42, avc1, dash, M4V, MSNV, f4v, mmp4, and anything else that
    // declares itself ISO base media: treat as MP4 video.
    video("video/mp4")
}

fn sniff_zip(h: &[u8]) -> MediaType {
    // OpenDocument and EPUB store an uncompressed `mimetype` entry first (offset 30 = name,
    // content right after it).
    if h.len() > 38 && &h[30..38] == b"mimetype" {
        let rest = &h[38..h.len().min(38 + 80)];
        let pairs: [(&[u8], MediaType); 4] = [
            (
                b"application/vnd.oasis.opendocument.text",
                document("application/vnd.oasis.opendocument.text"),
            ),
            (
                b"application/vnd.oasis.opendocument.spreadsheet",
                document("application/vnd.oasis.opendocument.spreadsheet"),
            ),
            (
                b"application/vnd.oasis.opendocument.presentation",
                document("application/vnd.oasis.opendocument.presentation"),
            ),
            (b"application/epub+zip", document("application/epub+zip")),
        ];
        for (sig, mt) in pairs {
            if rest.starts_with(sig) {
                return mt;
            }
        }
    }
    // Office Open XML: look for part names in the local file headers we can see.
    if contains(h, b"[Content_Types].xml") || contains(h, b"_rels/.rels") {
        if contains(h, b"word/") {
            return document(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            );
        }
        if contains(h, b"xl/") {
            return document("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if contains(h, b"ppt/") {
            return document(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            );
        }
    }
    other("application/zip")
}

/// MPEG-1/2 audio frame header (MP3 without an ID3 tag): 11-bit sync, a valid version, layer,
/// bitrate and sample rate. Rejects the JPEG SOI (FF D8), which is caught earlier anyway.
fn is_mpeg_audio_frame(h: &[u8]) -> bool {
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return false;
    }
    let version = (h[1] >> 3) & 0b11; // 01 reserved
    let layer = (h[1] >> 1) & 0b11; // 00 reserved
    let bitrate = h[2] >> 4; // 1111 invalid
    let rate = (h[2] >> 2) & 0b11; // 11 reserved
    version != 0b01 && layer != 0 && bitrate != 0b1111 && rate != 0b11
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn strip_bom_and_space(h: &[u8]) -> &[u8] {
    let h = h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h);
    let start = h
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(h.len());
    &h[start..]
}

/// Valid UTF-8 (allowing a multi-byte character cut off at the end of `head`) with no control
/// characters other than tab, newline, carriage return, form feed and escape.
fn is_utf8_text(h: &[u8]) -> bool {
    let valid = match std::str::from_utf8(h) {
        Ok(s) => s,
        // A truncated sequence at the very end is fine: `head` is a prefix of the file.
        Err(e) if e.error_len().is_none() && h.len() - e.valid_up_to() < 4 => {
            // The prefix up to the cut is valid UTF-8, as from_utf8 just told us.
            match std::str::from_utf8(&h[..e.valid_up_to()]) {
                Ok(s) => s,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && !valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C' | '\x1B'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        let mut x: u32 = 12345;
        for len in 0..200 {
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            let _ = sniff(&buf);
        }
        for sig in [
            &b"RIFF"[..],
            b"\0\0\0\x20ftyp",
            b"PK\x03\x04",
            b"\x1A\x45\xDF\xA3",
            b"\xFF",
        ] {
            for n in 0..=sig.len() {
                let _ = sniff(&sig[..n]);
            }
        }
    }

    #[test]
    fn text_needs_utf8() {
        assert_eq!(
            sniff("Свідчення: вибух о 10:15\n".as_bytes()).mime,
            "text/plain"
        );
        // Cut in the middle of a two-byte Cyrillic letter: still text.
        let s = "Маріуполь".as_bytes();
        assert_eq!(sniff(&s[..s.len() - 1]).mime, "text/plain");
        assert_eq!(
            sniff(&[0xC3, 0x28, b'a', b'b']).mime,
            "application/octet-stream"
        );
        assert_eq!(sniff(b"abc\0def").mime, "application/octet-stream");
    }

    #[test]
    fn iso_bmff_brands() {
        let ftyp = |major: &[u8; 4], compat: &[&[u8; 4]]| {
            let mut v = Vec::new();
            v.extend_from_slice(&((16 + 4 * compat.len()) as u32).to_be_bytes());
            v.extend_from_slice(b"ftyp");
            v.extend_from_slice(major);
            v.extend_from_slice(&[0, 0, 0, 0]);
            for c in compat {
                v.extend_from_slice(*c);
            }
            v
        };
        assert_eq!(
            sniff(&ftyp(b"heic", &[b"mif1", b"heic"])).mime,
            "image/heic"
        );
        assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])).mime, "image/heic");
        assert_eq!(sniff(&ftyp(b"mif1", &[b"mif1"])).mime, "image/heif");
        assert_eq!(sniff(&ftyp(b"qt  ", &[b"qt  "])).mime, "video/quicktime");
        assert_eq!(
            sniff(&ftyp(b"isom", &[b"isom", b"iso2", b"mp41"])).mime,
            "video/mp4"
        );
        assert_eq!(sniff(&ftyp(b"mp42", &[])).mime, "video/mp4");
        assert_eq!(sniff(&ftyp(b"M4A ", &[b"M4A "])).kind, Kind::Audio);
        assert_eq!(sniff(&ftyp(b"3gp4", &[])).mime, "video/3gpp");
    }

    #[test]
    fn riff_and_friends() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").mime, "image/webp");
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST").kind, Kind::Video);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt ").mime, "audio/wav");
        assert_eq!(sniff(b"OggS\0\x02").mime, "audio/ogg");
        assert_eq!(sniff(b"fLaC\0\0\0\x22").mime, "audio/flac");
        assert_eq!(sniff(b"ID3\x04\0").mime, "audio/mpeg");
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64]).mime, "audio/mpeg");
        assert_eq!(sniff(b"%PDF-1.7\n").kind, Kind::Document);
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm").mime,
            "video/webm"
        );
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3\xA3\x42\x82\x88matroska").mime,
            "video/x-matroska"
        );
        assert_eq!(sniff(b"<!DOCTYPE html><html>").mime, "text/html");
    }
}
