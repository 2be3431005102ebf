//! Metadata-free derived copies of photos, for public exports.
//!
//! A public export must not carry what sits inside an original photo besides its pixels: the EXIF
//! GPS position, camera make, model and serial number, owner names, maker notes, embedded
//! thumbnails, XMP and IPTC. [`strip_metadata`] writes a copy with all of that removed and the
//! image data byte for byte unchanged, so the copy decodes to exactly the same pixels (lossless).
//! The exporter carries that copy as a *derived* file pointing at the original's hash, and
//! withholds any file this function refuses.
//!
//! Rules, and why:
//! - **Keep only what decoding needs; drop everything else.** For JPEG that is SOI, APP0 JFIF
//!   (without its optional thumbnail), APP2 ICC_PROFILE and APP14 Adobe (colour), the tables and
//!   frame/scan headers (DQT, DHT, DAC, DRI, DNL, SOF*, DHP, EXP, SOS), the entropy-coded data
//!   and EOI. Every other APPn (EXIF, XMP, IPTC/Photoshop, MPF, maker data), COM, and anything
//!   after EOI (multi-picture secondary images with their own EXIF, vendor trailers) is dropped.
//!   For PNG that is the critical chunks and the ancillary chunks that change how the pixels
//!   look (transparency, colour space, gamma, physical size, animation frames); tEXt, zTXt,
//!   iTXt (XMP), eXIf, tIME and every other or unknown ancillary chunk (such as C2PA `caBX` with
//!   its creator assertions) are dropped. A list of what to keep, rather than of what to drop,
//!   means metadata in a chunk or segment we have never heard of stays out too.
//! - **Orientation survives.** If the original says (EXIF `Orientation`, or XMP
//!   `tiff:Orientation` when EXIF has none: the rule the app itself displays by, see
//!   [`crate::extract_metadata`]) that it must be shown rotated or mirrored, the copy gets a
//!   minimal EXIF block holding only IFD0 with the Orientation tag, so it still displays the
//!   right way up. Orientation 1 (or none) writes nothing.
//! - **Refuse rather than guess.** Input that does not have the structure of its type (no SOI,
//!   a segment length past the end of input, no EOI, a marker that does not exist, a PNG chunk
//!   with a bad CRC, no IEND) is an error, never a partial copy that claims success. Types we
//!   cannot clean (HEIC, WebP, TIFF, video, PDF, ...) are `media_unsupported`.
//! - **Streaming, constant memory.** Input is read through a 64 KiB buffer; at most one JPEG
//!   header segment (≤ 64 KiB by its 16-bit length) and the first MiB of a PNG eXIf chunk are
//!   held at a time; image data is copied through.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

use serde::{Deserialize, Serialize};

use crate::error::{BadContent, MediaError, Result};
use crate::guard::no_panic;
use crate::metadata::{display_orientation, jpeg::xmp_orientation};

/// The operation name in `media_unsupported` errors.
const OPERATION: &str = "metadata stripping";
const IO_BUF: usize = 64 * 1024;
/// How much of a PNG eXIf chunk we keep in memory to read its orientation from.
const PNG_EXIF_CAP: usize = 1024 * 1024;
const TRUNCATED: &str = "truncated: input ends inside the structure";

/// What [`strip_metadata`] removed and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripReport {
    /// Each kind of segment or chunk removed, once, in the order first met, with how many and
    /// their total size. Kinds are fixed names (`"APP1 Exif"`, `"APP1 XMP"`,
    /// `"APP13 Photoshop (IPTC)"`, `"COM"`, `"APP0 JFIF thumbnail"`, `"data after end of image"`,
    /// PNG chunk types such as `"tEXt"`); never any content of the file.
    pub removed: Vec<Removed>,
    /// Bytes read from the input (all of it, including any data after the end of the image).
    pub bytes_in: u64,
    /// Bytes written to the output.
    pub bytes_out: u64,
    /// The orientation written into the copy (2..=8), when the original asked for one other
    /// than 1. `None`: the copy displays as stored, as the original did.
    pub orientation: Option<u16>,
}

/// One kind of removed metadata in a [`StripReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub kind: String,
    pub count: u64,
    /// Bytes removed, including the segment marker and length (JPEG) or the chunk's length,
    /// type and CRC (PNG).
    pub bytes: u64,
}

impl StripReport {
    /// The entry for `kind`, if any was removed.
    pub fn removed(&self, kind: &str) -> Option<&Removed> {
        self.removed.iter().find(|r| r.kind == kind)
    }

    fn note(&mut self, kind: &str, bytes: u64) {
        match self.removed.iter_mut().find(|r| r.kind == kind) {
            Some(r) => {
                r.count += 1;
                r.bytes += bytes;
            }
            None => self.removed.push(Removed {
                kind: kind.to_string(),
                count: 1,
                bytes,
            }),
        }
    }
}

/// Writes to `out` a copy of the `mime` image read from `input` with its metadata removed and
/// its image data unchanged (see the module documentation for exactly what is kept).
///
/// `mime` is the sniffed type ([`crate::sniff()`]); `image/jpeg` and `image/png` are supported,
/// and the content must match it.
///
/// Errors (the caller withholds the file on any of the first three):
/// - `media_unsupported`: a type this function cannot clean (anything but JPEG and PNG), or a
///   JPEG/PNG using an extension we do not know how to carry (JPEG-LS markers, an unknown
///   critical PNG chunk).
/// - `media_undecodable`: the input does not have the structure of its type (including a
///   truncated file: no EOI / IEND).
/// - `media_unreadable`: reading `input` failed.
/// - `media_unwritable`: writing `out` failed (the export's problem, not the file's).
///
/// These errors name no file: the caller knows which one it handed in. On an error,
/// `out` may already hold part of a copy: discard it. `out` is written through a buffer and
/// flushed before `Ok` is returned. Never panics: a bug here is caught and reported as
/// `media_undecodable`.
pub fn strip_metadata(
    mime: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<StripReport> {
    let format = match mime {
        "image/jpeg" => Format::Jpeg,
        "image/png" => Format::Png,
        other => {
            return Err(MediaError::Unsupported {
                mime: static_mime(other),
                operation: OPERATION,
            })
        }
    };
    let outcome = no_panic(|| {
        let mut src = Src::new(input);
        let mut dst = Sink::new(out);
        let mut report = StripReport::default();
        let walked = match format {
            Format::Jpeg => strip_jpeg(&mut src, &mut dst, &mut report),
            Format::Png => strip_png(&mut src, &mut dst, &mut report),
        };
        match walked {
            Ok(()) => {
                report.bytes_out = dst.finish()?;
                report.bytes_in = src.count;
                Ok(report)
            }
            Err(fail) => {
                dst.discard();
                Err(fail)
            }
        }
    })?;
    outcome.map_err(|fail| fail.into_error(format.mime()))
}

#[derive(Clone, Copy)]
enum Format {
    Jpeg,
    Png,
}

impl Format {
    fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

/// `MediaError::Unsupported` names a `&'static str` type; the sniffer's image types are named,
/// anything else generically (the caller knows what it passed).
fn static_mime(mime: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "image/heic",
        "image/heif",
        "image/avif",
        "image/webp",
        "image/tiff",
        "image/gif",
        "image/bmp",
        "image/x-canon-cr3",
        "application/pdf",
        "application/octet-stream",
    ];
    if let Some(m) = KNOWN.iter().find(|m| **m == mime) {
        return m;
    }
    match mime.split('/').next() {
        Some("video") => "video",
        Some("audio") => "audio",
        Some("image") => "this image type",
        _ => "this media type",
    }
}

/// Why a walk stopped, before it becomes a [`MediaError`].
#[derive(Debug)]
enum Fail {
    /// The input does not have the structure of its type.
    Bad(&'static str),
    /// A valid file using something we cannot carry.
    Unsupported(&'static str),
    Read(io::Error),
    Write(io::Error),
}

impl Fail {
    fn into_error(self, mime: &'static str) -> MediaError {
        match self {
            Fail::Bad(why) => MediaError::undecodable(BadContent(why)),
            Fail::Unsupported(operation) => MediaError::Unsupported { mime, operation },
            Fail::Read(e) => MediaError::unreadable(e),
            Fail::Write(source) => MediaError::Unwritable { source },
        }
    }
}

type Walk<T = ()> = std::result::Result<T, Fail>;

/// Buffered input that counts what it consumes and turns a short read into [`Fail::Bad`].
struct Src<'a> {
    r: BufReader<&'a mut dyn Read>,
    count: u64,
}

impl<'a> Src<'a> {
    fn new(input: &'a mut dyn Read) -> Self {
        Src {
            r: BufReader::with_capacity(IO_BUF, input),
            count: 0,
        }
    }

    /// Buffered bytes, refilled when empty; empty at the end of input.
    fn fill(&mut self) -> Walk<&[u8]> {
        loop {
            match self.r.fill_buf() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Fail::Read(e)),
                Ok(_) => break,
            }
        }
        // Already filled: this returns the buffer without reading.
        self.r.fill_buf().map_err(Fail::Read)
    }

    fn consume(&mut self, n: usize) {
        self.r.consume(n);
        self.count += n as u64;
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Walk {
        match self.r.read_exact(buf) {
            Ok(()) => {
                self.count += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(Fail::Bad(TRUNCATED)),
            Err(e) => Err(Fail::Read(e)),
        }
    }

    fn byte(&mut self) -> Walk<u8> {
        let mut b = [0u8; 1];
        self.read_exact(&mut b)?;
        Ok(b[0])
    }

    /// Passes the next `len` bytes through `crc`, to `out` when given, and their first
    /// `capture.1` bytes into `capture.0`. Fails if the input ends first.
    fn pass(
        &mut self,
        mut len: u64,
        crc: &mut u32,
        mut out: Option<&mut Sink>,
        mut capture: Option<(&mut Vec<u8>, usize)>,
    ) -> Walk {
        while len > 0 {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Err(Fail::Bad(TRUNCATED));
            }
            let n = buf.len().min(usize::try_from(len).unwrap_or(usize::MAX));
            let part = &buf[..n];
            *crc = crc32_update(*crc, part);
            if let Some(o) = out.as_deref_mut() {
                o.write(part)?;
            }
            if let Some((v, cap)) = capture.as_mut() {
                let room = cap.saturating_sub(v.len()).min(n);
                v.extend_from_slice(&part[..room]);
            }
            self.consume(n);
            len -= n as u64;
        }
        Ok(())
    }

    /// Reads to the end of input; returns how many bytes that was.
    fn drain(&mut self) -> Walk<u64> {
        let mut n = 0u64;
        loop {
            let len = self.fill()?.len();
            if len == 0 {
                return Ok(n);
            }
            self.consume(len);
            n += len as u64;
        }
    }
}

/// Buffered output that counts what it writes.
struct Sink<'a> {
    w: BufWriter<&'a mut dyn Write>,
    count: u64,
}

impl<'a> Sink<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        Sink {
            w: BufWriter::with_capacity(IO_BUF, out),
            count: 0,
        }
    }

    fn write(&mut self, b: &[u8]) -> Walk {
        self.w.write_all(b).map_err(Fail::Write)?;
        self.count += b.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> Walk<u64> {
        self.w.flush().map_err(Fail::Write)?;
        Ok(self.count)
    }

    /// Drops what is still buffered instead of writing it: the walk failed.
    fn discard(self) {
        let _ = self.w.into_parts();
    }
}

/// The orientation code (1..=8) of an EXIF block by the display rule the app turns pictures by.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    display_orientation(Some(tiff), None).map(|o| u16::from(o.to_exif()))
}

/// A TIFF block (big-endian) holding only IFD0 with one entry: Orientation (SHORT) = `o`.
fn minimal_tiff(o: u16) -> [u8; 26] {
    let mut t = [0u8; 26];
    t[0..4].copy_from_slice(b"MM\0*");
    t[4..8].copy_from_slice(&8u32.to_be_bytes()); // IFD0 right after the header
    t[8..10].copy_from_slice(&1u16.to_be_bytes()); // one entry
    t[10..12].copy_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t[12..14].copy_from_slice(&3u16.to_be_bytes()); // SHORT
    t[14..18].copy_from_slice(&1u32.to_be_bytes()); // count 1
    t[18..20].copy_from_slice(&o.to_be_bytes()); // value, left-justified in the 4-byte field
                                                 // t[20..22]: value padding; t[22..26]: no next IFD.
    t
}

// ---------------------------------------------------------------------------------------------
// JPEG

const EXIF_ID: &[u8] = b"Exif\0\0";
const XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// Names of the APPn segments we recognise, for the report. Others are reported as `APPn`.
const APP_KINDS: &[(u8, &[u8], &str)] = &[
    (0, b"JFXX\0", "APP0 JFXX (thumbnail)"),
    (1, b"Exif\0", "APP1 Exif"),
    (1, XMP_ID, "APP1 XMP"),
    (
        1,
        b"http://ns.adobe.com/xmp/extension/\0",
        "APP1 extended XMP",
    ),
    (2, b"MPF\0", "APP2 MPF (multi-picture)"),
    (2, b"FPXR\0", "APP2 FlashPix"),
    (12, b"Ducky", "APP12 Ducky"),
    (13, b"Photoshop 3.0\0", "APP13 Photoshop (IPTC)"),
];

fn app_kind(n: u8, body: &[u8]) -> String {
    APP_KINDS
        .iter()
        .find(|(k, id, _)| *k == n && body.starts_with(id))
        .map(|(_, _, name)| name.to_string())
        .unwrap_or_else(|| format!("APP{n}"))
}

#[derive(Default)]
struct JpegState {
    seen_frame: bool,
    seen_scan: bool,
    /// The first EXIF block was met (before the first scan); its orientation, if any, is final.
    exif_decided: bool,
    exif_orientation: Option<u16>,
    /// Fallback: the first XMP `tiff:Orientation` before the first scan.
    xmp_orientation: Option<u16>,
}

fn strip_jpeg(src: &mut Src, dst: &mut Sink, rep: &mut StripReport) -> Walk {
    let mut soi = [0u8; 2];
    src.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Err(Fail::Bad("not a JPEG: no start-of-image marker"));
    }
    dst.write(&soi)?;
    let mut st = JpegState::default();
    // One segment body at a time; its 16-bit length bounds it to 65,533 bytes.
    let mut body: Vec<u8> = Vec::with_capacity(usize::from(u16::MAX));
    let mut marker = next_marker(src)?;
    loop {
        match marker {
            0xD9 => {
                if !st.seen_scan {
                    return Err(Fail::Bad("JPEG ends before any image data"));
                }
                dst.write(&[0xFF, 0xD9])?;
                let trailing = src.drain()?;
                if trailing > 0 {
                    rep.note("data after end of image", trailing);
                }
                return Ok(());
            }
            0xD8 => return Err(Fail::Bad("JPEG start-of-image marker inside the image")),
            0xD0..=0xD7 => return Err(Fail::Bad("JPEG restart marker outside image data")),
            0x01 => {
                // TEM: standalone, no length, no content.
                dst.write(&[0xFF, 0x01])?;
                marker = next_marker(src)?;
                continue;
            }
            0xC8 | 0xF0..=0xFD => {
                return Err(Fail::Unsupported(
                    "metadata stripping (JPEG extension marker such as JPEG-LS)",
                ))
            }
            0x02..=0xBF | 0x00 => return Err(Fail::Bad("JPEG marker that does not exist")),
            _ => {}
        }
        read_segment(src, &mut body)?;
        let seg_len = 4 + body.len() as u64;
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                st.seen_frame = true;
                write_segment(dst, marker, &body)?;
            }
            // DHT, DAC, DQT, DNL, DRI, DHP, EXP: tables and frame bookkeeping.
            0xC4 | 0xCC | 0xDB | 0xDC | 0xDD | 0xDE | 0xDF => write_segment(dst, marker, &body)?,
            0xDA => {
                if !st.seen_frame {
                    return Err(Fail::Bad("JPEG scan before any frame header"));
                }
                if !st.seen_scan {
                    st.seen_scan = true;
                    // EXIF had no orientation: the XMP fallback, written before the scan.
                    if st.exif_orientation.is_none() {
                        write_orientation_app1(dst, rep, st.xmp_orientation)?;
                    }
                }
                write_segment(dst, marker, &body)?;
                marker = copy_scan(src, dst)?;
                continue;
            }
            0xE0..=0xEF => app_segment(marker - 0xE0, &body, &mut st, dst, rep)?,
            0xFE => rep.note("COM", seg_len),
            _ => return Err(Fail::Bad("JPEG marker that does not exist")),
        }
        marker = next_marker(src)?;
    }
}

/// Reads `0xFF`, any fill bytes (`0xFF`), and returns the marker code.
fn next_marker(src: &mut Src) -> Walk<u8> {
    if src.byte()? != 0xFF {
        return Err(Fail::Bad("JPEG data where a marker should be"));
    }
    loop {
        let b = src.byte()?;
        if b != 0xFF {
            return Ok(b);
        }
    }
}

/// Reads a segment's length and body into `body`. The length is trusted only as far as the
/// input goes: a body past the end of input is [`TRUNCATED`].
fn read_segment(src: &mut Src, body: &mut Vec<u8>) -> Walk {
    let mut len = [0u8; 2];
    src.read_exact(&mut len)?;
    let len = usize::from(u16::from_be_bytes(len));
    if len < 2 {
        return Err(Fail::Bad("JPEG segment length below 2"));
    }
    body.clear();
    body.resize(len - 2, 0);
    src.read_exact(body)
}

fn write_segment(dst: &mut Sink, marker: u8, body: &[u8]) -> Walk {
    // Bodies come from `read_segment` (≤ 65,533 bytes) or are built here (small).
    let len = u16::try_from(body.len() + 2).map_err(|_| Fail::Bad("JPEG segment too long"))?;
    dst.write(&[0xFF, marker])?;
    dst.write(&len.to_be_bytes())?;
    dst.write(body)
}

fn app_segment(
    n: u8,
    body: &[u8],
    st: &mut JpegState,
    dst: &mut Sink,
    rep: &mut StripReport,
) -> Walk {
    let seg_len = 4 + body.len() as u64;
    match n {
        0 if body.starts_with(b"JFIF\0") => {
            // JFIF\0, version (2), units (1), X/Y density (2+2), thumbnail width and height
            // (1+1), then an optional uncompressed thumbnail: a picture of the original that
            // is not ours to vouch for. Keep the header, say "no thumbnail".
            if body.len() < 14 {
                rep.note("APP0 JFIF (malformed)", seg_len);
                return Ok(());
            }
            let mut jfif = [0u8; 14];
            jfif.copy_from_slice(&body[..14]);
            jfif[12] = 0;
            jfif[13] = 0;
            write_segment(dst, 0xE0, &jfif)?;
            if body.len() > 14 {
                rep.note("APP0 JFIF thumbnail", (body.len() - 14) as u64);
            }
        }
        1 if body.starts_with(EXIF_ID) => {
            rep.note("APP1 Exif", seg_len);
            if !st.exif_decided && !st.seen_scan {
                st.exif_decided = true;
                st.exif_orientation = exif_orientation(&body[EXIF_ID.len()..]);
                write_orientation_app1(dst, rep, st.exif_orientation)?;
            }
        }
        1 if body.starts_with(XMP_ID) => {
            rep.note("APP1 XMP", seg_len);
            if st.xmp_orientation.is_none() && !st.seen_scan {
                st.xmp_orientation = xmp_orientation(&body[XMP_ID.len()..]);
            }
        }
        2 if body.starts_with(b"ICC_PROFILE\0") => write_segment(dst, 0xE2, body)?,
        14 if body.starts_with(b"Adobe") => write_segment(dst, 0xEE, body)?,
        _ => rep.note(&app_kind(n, body), seg_len),
    }
    Ok(())
}

/// Writes the minimal EXIF APP1 for orientation `o` when it is one that changes the display.
fn write_orientation_app1(dst: &mut Sink, rep: &mut StripReport, o: Option<u16>) -> Walk {
    match o {
        Some(o @ 2..=8) if rep.orientation.is_none() => {
            let mut body = [0u8; 6 + 26];
            body[..6].copy_from_slice(EXIF_ID);
            body[6..].copy_from_slice(&minimal_tiff(o));
            write_segment(dst, 0xE1, &body)?;
            rep.orientation = Some(o);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Copies entropy-coded data through, byte for byte, up to the next marker that is not part of
/// it (stuffed `FF 00` and restart markers `FF D0`..`FF D7` are data), and returns that marker's
/// code. Fill bytes before the marker are dropped (they carry nothing). Running out of input
/// here means the file has no end-of-image marker: truncated.
fn copy_scan(src: &mut Src, dst: &mut Sink) -> Walk<u8> {
    let mut after_ff = false;
    loop {
        let buf = src.fill()?;
        if buf.is_empty() {
            return Err(Fail::Bad(
                "truncated: JPEG image data has no end-of-image marker",
            ));
        }
        if after_ff {
            let b = buf[0];
            src.consume(1);
            match b {
                0x00 | 0xD0..=0xD7 => {
                    dst.write(&[0xFF, b])?;
                    after_ff = false;
                }
                0xFF => {} // fill byte
                m => return Ok(m),
            }
            continue;
        }
        match buf.iter().position(|&b| b == 0xFF) {
            Some(i) => {
                dst.write(&buf[..i])?;
                src.consume(i + 1);
                after_ff = true;
            }
            None => {
                let n = buf.len();
                dst.write(buf)?;
                src.consume(n);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PNG

const PNG_SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

/// Ancillary chunks that change how the pixels are shown, and so are kept. Every other ancillary
/// chunk is dropped: text (tEXt, zTXt, iTXt with XMP), eXIf, tIME, and the private or unknown
/// ones that might hold anything.
const PNG_KEEP_ANCILLARY: &[&[u8; 4]] = &[
    b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCv", b"cLLi", b"bKGD",
    b"pHYs", b"hIST", b"acTL", b"fcTL", b"fdAT",
];
const PNG_CRITICAL: &[&[u8; 4]] = &[b"IHDR", b"PLTE", b"IDAT", b"IEND"];

fn strip_png(src: &mut Src, dst: &mut Sink, rep: &mut StripReport) -> Walk {
    let mut sig = [0u8; 8];
    src.read_exact(&mut sig)?;
    if sig != PNG_SIGNATURE {
        return Err(Fail::Bad("not a PNG: bad signature"));
    }
    dst.write(&sig)?;
    let mut first = true;
    let mut exif_decided = false;
    let mut exif = Vec::new();
    loop {
        let mut head = [0u8; 8];
        src.read_exact(&mut head)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let ty = [head[4], head[5], head[6], head[7]];
        if len > 0x7FFF_FFFF {
            return Err(Fail::Bad("PNG chunk length out of range"));
        }
        if !ty.iter().all(u8::is_ascii_alphabetic) {
            return Err(Fail::Bad("PNG chunk type is not four letters"));
        }
        if first != (&ty == b"IHDR") {
            return Err(Fail::Bad("PNG must start with exactly one IHDR"));
        }
        first = false;
        let critical = ty[0].is_ascii_uppercase();
        let keep = if critical {
            if !PNG_CRITICAL.contains(&&ty) {
                return Err(Fail::Unsupported(
                    "metadata stripping (unknown critical PNG chunk)",
                ));
            }
            true
        } else {
            PNG_KEEP_ANCILLARY.contains(&&ty)
        };

        let mut crc = crc32_update(!0, &ty);
        let read_exif = &ty == b"eXIf" && !exif_decided;
        if keep {
            dst.write(&head)?;
            src.pass(u64::from(len), &mut crc, Some(&mut *dst), None)?;
        } else {
            exif.clear();
            let capture = read_exif.then_some((&mut exif, PNG_EXIF_CAP));
            src.pass(u64::from(len), &mut crc, None, capture)?;
        }
        let mut stored = [0u8; 4];
        src.read_exact(&mut stored)?;
        if u32::from_be_bytes(stored) != !crc {
            return Err(Fail::Bad("PNG chunk CRC does not match its content"));
        }
        if keep {
            dst.write(&stored)?;
        } else {
            rep.note(&String::from_utf8_lossy(&ty), 12 + u64::from(len));
        }
        if read_exif {
            exif_decided = true;
            if let Some(o @ 2..=8) = exif_orientation(&exif) {
                let tiff = minimal_tiff(o);
                dst.write(&(tiff.len() as u32).to_be_bytes())?;
                dst.write(b"eXIf")?;
                dst.write(&tiff)?;
                dst.write(&(!crc32_update(crc32_update(!0, b"eXIf"), &tiff)).to_be_bytes())?;
                rep.orientation = Some(o);
            }
        }
        if &ty == b"IEND" {
            if len != 0 {
                return Err(Fail::Bad("PNG IEND chunk with content"));
            }
            let trailing = src.drain()?;
            if trailing > 0 {
                rep.note("data after end of image", trailing);
            }
            return Ok(());
        }
    }
}

/// CRC-32 (ISO 3309, as PNG uses it) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// Running CRC-32: start from `!0`, finish with `!`.
fn crc32_update(mut c: u32, data: &[u8]) -> u32 {
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(mime: &str, data: &[u8]) -> Result<(Vec<u8>, StripReport)> {
        let mut out = Vec::new();
        let rep = strip_metadata(mime, &mut &data[..], &mut out)?;
        Ok((out, rep))
    }

    fn seg(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    /// A structurally complete JPEG skeleton (not decodable: the tables are dummies) with
    /// `extra` inserted after SOI.
    fn jpeg_with(extra: &[u8]) -> Vec<u8> {
        [
            &[0xFF, 0xD8][..],
            extra,
            &seg(0xDB, &[0; 65]),
            &seg(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
            &seg(0xC4, &[0; 17]),
            &seg(0xDA, &[1, 1, 0, 0, 63, 0]),
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD9],
        ]
        .concat()
    }

    #[test]
    fn crc_matches_known_value() {
        // CRC of "IEND" with no data, as every PNG ends with.
        assert_eq!(!crc32_update(!0, b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn jpeg_drops_metadata_segments_and_keeps_the_rest() {
        let exif = [EXIF_ID, b"MM\0*\0\0\0\x08\0\0\0\0\0\0"].concat();
        let extra = [
            seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            seg(0xE1, &exif),
            seg(0xFE, b"Olena, Mariupol"),
            seg(0xED, b"Photoshop 3.0\0...."),
            seg(0xE2, b"ICC_PROFILE\0\x01\x01abc"),
            seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01"),
        ]
        .concat();
        let (out, rep) = strip("image/jpeg", &jpeg_with(&extra)).unwrap();
        let kept = [
            seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            seg(0xE2, b"ICC_PROFILE\0\x01\x01abc"),
            seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01"),
        ]
        .concat();
        // The fill byte before EOI is dropped; everything else is the skeleton byte for byte.
        let mut expected = jpeg_with(&kept);
        let n = expected.len();
        expected.remove(n - 3);
        assert_eq!(out, expected);
        let kinds: Vec<&str> = rep.removed.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["APP1 Exif", "COM", "APP13 Photoshop (IPTC)"]);
        assert_eq!(rep.removed("COM").unwrap().bytes, 4 + 15);
        assert_eq!(rep.orientation, None);
        assert_eq!(rep.bytes_out, out.len() as u64);
    }

    #[test]
    fn jpeg_orientation_is_rewritten_minimally() {
        // Little-endian EXIF with Orientation 6 and Make.
        let mut tiff = b"II*\0\x08\0\0\0\x02\0".to_vec();
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend_from_slice(&[0x0F, 0x01, 2, 0, 4, 0, 0, 0, b'A', b'c', b'm', 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let exif = [EXIF_ID, &tiff].concat();
        let (out, rep) = strip("image/jpeg", &jpeg_with(&seg(0xE1, &exif))).unwrap();
        assert_eq!(rep.orientation, Some(6));
        let minimal = seg(0xE1, &[EXIF_ID, &minimal_tiff(6)].concat());
        assert_eq!(&out[2..2 + minimal.len()], &minimal[..]);
        assert_eq!(exif_orientation(&minimal_tiff(6)), Some(6));
        // Stripping again gives the same bytes: the minimal block is all there is.
        let (again, _) = strip("image/jpeg", &out).unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn jpeg_xmp_orientation_is_the_fallback() {
        let xmp = [XMP_ID, br#"<x tiff:Orientation="8"/>"#].concat();
        let (out, rep) = strip("image/jpeg", &jpeg_with(&seg(0xE1, &xmp))).unwrap();
        assert_eq!(rep.orientation, Some(8));
        assert!(out.windows(26).any(|w| w == minimal_tiff(8)));
    }

    #[test]
    fn jfif_thumbnail_and_trailer_are_dropped() {
        let mut jfif = b"JFIF\0\x01\x02\0\0\x48\0\x48\x01\x01".to_vec();
        jfif.extend_from_slice(&[1, 2, 3]); // a 1x1 RGB thumbnail
        let mut data = jpeg_with(&seg(0xE0, &jfif));
        let trailer = b"\xFF\xD8second image with its own EXIF";
        data.extend_from_slice(trailer);
        let (out, rep) = strip("image/jpeg", &data).unwrap();
        assert!(out.ends_with(&[0xFF, 0xD9]));
        assert_eq!(
            &out[2..20],
            &seg(0xE0, b"JFIF\0\x01\x02\0\0\x48\0\x48\0\0")[..]
        );
        assert_eq!(rep.removed("APP0 JFIF thumbnail").unwrap().bytes, 3);
        assert_eq!(
            rep.removed("data after end of image").unwrap().bytes,
            trailer.len() as u64
        );
        assert_eq!(rep.bytes_in, data.len() as u64);
    }

    #[test]
    fn jpeg_structure_errors() {
        let good = jpeg_with(&[]);
        for (label, data, code) in [
            ("empty", Vec::new(), "media_undecodable"),
            ("png", PNG_SIGNATURE.to_vec(), "media_undecodable"),
            (
                "no EOI",
                good[..good.len() - 2].to_vec(),
                "media_undecodable",
            ),
            (
                "length past end",
                [&good[..4], b"\xFF\xE1\xFF\xFFExif"].concat(),
                "media_undecodable",
            ),
            (
                "length 1",
                b"\xFF\xD8\xFF\xE1\x00\x01".to_vec(),
                "media_undecodable",
            ),
            (
                "reserved marker",
                [&[0xFF, 0xD8][..], &[0xFF, 0x9F], &good[2..]].concat(),
                "media_undecodable",
            ),
            (
                "JPEG-LS",
                [&[0xFF, 0xD8][..], &seg(0xF7, &[0; 9]), &good[2..]].concat(),
                "media_unsupported",
            ),
            (
                "EOI first",
                b"\xFF\xD8\xFF\xD9".to_vec(),
                "media_undecodable",
            ),
            (
                "junk between segments",
                [&good[..2], b"x", &good[2..]].concat(),
                "media_undecodable",
            ),
        ] {
            let e = strip("image/jpeg", &data).expect_err(label);
            assert_eq!(e.code(), code, "{label}: {e}");
        }
    }

    #[test]
    fn unsupported_types() {
        for mime in [
            "image/heic",
            "video/mp4",
            "application/pdf",
            "image/webp",
            "x/y",
        ] {
            let e = strip(mime, b"whatever").unwrap_err();
            assert_eq!(e.code(), "media_unsupported", "{mime}");
        }
    }

    #[test]
    fn write_failure_is_unwritable() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::Error::other("disk full"))
            }
        }
        let data = jpeg_with(&[]);
        let e = strip_metadata("image/jpeg", &mut &data[..], &mut Full).unwrap_err();
        assert_eq!(e.code(), "media_unwritable");
    }

    fn chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let crc = !crc32_update(crc32_update(!0, ty), data);
        [
            &(data.len() as u32).to_be_bytes()[..],
            ty,
            data,
            &crc.to_be_bytes(),
        ]
        .concat()
    }

    #[test]
    fn png_chunks() {
        let ihdr = chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        let idat = chunk(b"IDAT", b"pixels");
        let iend = chunk(b"IEND", b"");
        let gama = chunk(b"gAMA", &[0, 0, 0xB1, 0x8F]);
        let data = [
            &PNG_SIGNATURE[..],
            &ihdr,
            &gama,
            &chunk(b"tEXt", b"Comment\0Olena, Mariupol"),
            &chunk(b"eXIf", &minimal_tiff(3)),
            &chunk(b"caBX", b"c2pa manifest"),
            &idat,
            &chunk(b"tIME", &[7, 0xE6, 3, 9, 10, 0, 0]),
            &iend,
        ]
        .concat();
        let (out, rep) = strip("image/png", &data).unwrap();
        let expected = [
            &PNG_SIGNATURE[..],
            &ihdr,
            &gama,
            &chunk(b"eXIf", &minimal_tiff(3)),
            &idat,
            &iend,
        ]
        .concat();
        assert_eq!(out, expected);
        assert_eq!(rep.orientation, Some(3));
        let kinds: Vec<&str> = rep.removed.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["tEXt", "eXIf", "caBX", "tIME"]);

        let mut bad_crc = data.clone();
        let at = PNG_SIGNATURE.len() + ihdr.len() + 9;
        bad_crc[at] ^= 1;
        assert_eq!(
            strip("image/png", &bad_crc).unwrap_err().code(),
            "media_undecodable"
        );
        let no_iend = &data[..data.len() - iend.len()];
        assert_eq!(
            strip("image/png", no_iend).unwrap_err().code(),
            "media_undecodable"
        );
        let unknown_critical = [
            &PNG_SIGNATURE[..],
            &ihdr,
            &chunk(b"ZZZZ", b""),
            &idat,
            &iend,
        ]
        .concat();
        assert_eq!(
            strip("image/png", &unknown_critical).unwrap_err().code(),
            "media_unsupported"
        );
        let idat_first = [&PNG_SIGNATURE[..], &idat, &ihdr, &iend].concat();
        assert_eq!(
            strip("image/png", &idat_first).unwrap_err().code(),
            "media_undecodable"
        );
    }
}
