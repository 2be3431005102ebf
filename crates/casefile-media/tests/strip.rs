//! Metadata-free derived copies (`strip_metadata`), checked with real tools as references:
//! exiftool (Debian `libimage-exiftool-perl`) reads what is left in the copies, the `image`
//! crate decodes original and copy, ImageMagick's `convert` makes a PNG with metadata.
//!
//! Every "nothing left" assertion is paired with one that the original *had* it, so stripping
//! that did nothing fails these tests.

mod common;

use casefile_media::{strip_metadata, DecoderPanicked, MediaError, StripReport};
use common::TempDir;
use image::ImageDecoder;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

type Tags = Map<String, Value>;

fn strip(mime: &str, data: &[u8]) -> Result<(Vec<u8>, StripReport), MediaError> {
    let mut out = Vec::new();
    let report = strip_metadata(mime, &mut &data[..], &mut out)?;
    Ok((out, report))
}

/// `exiftool -j -G1 -a -n` over `files` in one run, keyed by path. (`-n`: numeric values, so
/// Orientation is 6 rather than "Rotate 90 CW".)
fn exiftool(files: &[PathBuf]) -> BTreeMap<PathBuf, Tags> {
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-a", "-n"])
        .args(files)
        .output()
        .expect(
            "exiftool must be installed (Debian libimage-exiftool-perl; \
             scripts/install-deps.sh test installs it)",
        );
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "exiftool output is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut by_file = BTreeMap::new();
    for entry in list {
        let obj = entry
            .as_object()
            .expect("exiftool entries are objects")
            .clone();
        let src = PathBuf::from(obj["SourceFile"].as_str().expect("SourceFile"));
        by_file.insert(src, obj);
    }
    assert_eq!(by_file.len(), files.len(), "exiftool reported every file");
    by_file
}

fn groups(tags: &Tags) -> Vec<&str> {
    let mut g: Vec<&str> = tags
        .keys()
        .filter_map(|k| k.split_once(':'))
        .map(|(g, _)| g)
        .collect();
    g.sort();
    g.dedup();
    g
}

fn has_tag(tags: &Tags, name: &str) -> bool {
    tags.keys()
        .any(|k| k.split_once(':').is_some_and(|(_, t)| t == name))
}

/// exiftool's tag names for what a public export must not carry (any group).
const FORBIDDEN_TAGS: &[&str] = &[
    "Make",
    "Model",
    "SerialNumber",
    "InternalSerialNumber",
    "LensSerialNumber",
    "Artist",
    "Copyright",
    "OwnerName",
    "CameraOwnerName",
    "XPAuthor",
    "Creator",
    "Comment",
    "UserComment",
    "ImageDescription",
    "DateTimeOriginal",
];

/// Groups exiftool may report for a clean copy: the file itself, JFIF, colour (ICC, Adobe),
/// values computed from those (Composite), and IFD0 for the single Orientation tag we write.
/// A whitelist: metadata in a group nobody thought of fails too.
const ALLOWED_GROUPS: &[&str] = &[
    "ExifTool",
    "System",
    "File",
    "JFIF",
    "Adobe",
    "ICC-header",
    "ICC_Profile",
    "ICC-view",
    "ICC-meas",
    "ICC-chad",
    "Composite",
    "PNG",
    "IFD0",
];

/// Problems with a copy's exiftool tags: anything identifying, anything outside the whitelist.
fn leaks(copy: &Tags) -> Vec<String> {
    let mut found = Vec::new();
    for key in copy.keys() {
        let Some((group, tag)) = key.split_once(':') else {
            continue; // SourceFile
        };
        if tag.starts_with("GPS") || group.starts_with("GPS") {
            found.push(format!("{key}: GPS"));
        } else if FORBIDDEN_TAGS.contains(&tag) {
            found.push(format!("{key}: identifying tag"));
        } else if group.starts_with("XMP") || group.starts_with("IPTC") || group == "Photoshop" {
            found.push(format!("{key}: XMP/IPTC"));
        } else if !ALLOWED_GROUPS.contains(&group) {
            found.push(format!(
                "{key}: group {group} is not on the clean-copy whitelist"
            ));
        } else if group == "IFD0" && tag != "Orientation" {
            found.push(format!("{key}: IFD0 may hold only Orientation"));
        } else if matches!(tag, "Warning" | "Error") {
            found.push(format!(
                "{key}: exiftool finds the copy malformed: {}",
                copy[key]
            ));
        }
    }
    found
}

/// The orientation the original asks for, as the app reads it: EXIF IFD0, else XMP.
fn orientation(tags: &Tags) -> Option<u64> {
    tags.get("IFD0:Orientation")
        .or_else(|| tags.get("XMP-tiff:Orientation"))
        .and_then(Value::as_u64)
}

fn is_jpeg(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg"))
}

fn sample_jpegs() -> Vec<PathBuf> {
    let files: Vec<PathBuf> = common::files_under(&common::samples().join("jpg"))
        .into_iter()
        .filter(|p| is_jpeg(p))
        .collect();
    assert!(
        files.len() >= 20,
        "the JPEG samples are there ({})",
        files.len()
    );
    files
}

fn rel(p: &Path) -> String {
    p.strip_prefix(common::samples())
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

/// Samples that are refused, and why: refusing is right for them (the exporter withholds them).
const REFUSED: &[(&str, &str)] = &[(
    "jpg/corrupted.jpg",
    // FF 9F inside the entropy-coded data: no such marker exists, so where the image data ends
    // cannot be known; jpeg-decoder refuses the file too (see robustness.rs).
    "media_undecodable",
)];

fn decode(data: &[u8], format: image::ImageFormat) -> image::ImageResult<image::DynamicImage> {
    image::load_from_memory_with_format(data, format)
}

#[test]
fn sample_jpegs_lose_their_metadata_and_keep_their_pixels() {
    let tmp = TempDir::new("strip-jpeg");
    let mut originals = Vec::new();
    let mut copies = Vec::new();
    let mut reports = Vec::new();
    for (i, path) in sample_jpegs().into_iter().enumerate() {
        let name = rel(&path);
        let data = std::fs::read(&path).unwrap();
        let refused = REFUSED.iter().find(|(n, _)| *n == name);
        match (strip("image/jpeg", &data), refused) {
            (Ok((copy, report)), None) => {
                assert_eq!(report.bytes_in, data.len() as u64, "{name}: read all input");
                assert_eq!(
                    report.bytes_out,
                    copy.len() as u64,
                    "{name}: counted output"
                );
                let copy_path = tmp.path(&format!("{i}.jpg"));
                std::fs::write(&copy_path, &copy).unwrap();
                originals.push((name, path, data));
                copies.push((copy_path, copy));
                reports.push(report);
            }
            (Err(e), Some((_, code))) => {
                assert_eq!(
                    e.code(),
                    *code,
                    "{name}: refused for the expected reason ({e})"
                )
            }
            (Ok(_), Some(_)) => panic!("{name}: a broken file must be refused, not copied"),
            (Err(e), None) => panic!("{name}: a sound photo must be stripped, got {e}"),
        }
    }

    let orig_paths: Vec<PathBuf> = originals.iter().map(|(_, p, _)| p.clone()).collect();
    let copy_paths: Vec<PathBuf> = copies.iter().map(|(p, _)| p.clone()).collect();
    let before = exiftool(&orig_paths);
    let after = exiftool(&copy_paths);

    // The samples must contain what we remove, or the assertions below prove nothing.
    let count = |pred: &dyn Fn(&Tags) -> bool| before.values().filter(|t| pred(t)).count();
    assert!(
        count(&|t| has_tag(t, "GPSLatitude")) >= 5,
        "samples with GPS"
    );
    assert!(
        count(&|t| has_tag(t, "Make") && has_tag(t, "Model")) >= 10,
        "with make/model"
    );
    // (The only sample with a camera serial number, corrupted.jpg, is refused as a whole.)
    assert!(
        count(&|t| has_tag(t, "OwnerName") || has_tag(t, "XPAuthor")) >= 2,
        "with the camera owner's or author's name"
    );
    assert!(
        count(&|t| has_tag(t, "Artist") || has_tag(t, "Copyright")) >= 1,
        "with owner"
    );
    assert!(
        count(&|t| groups(t).iter().any(|g| g.starts_with("XMP"))) >= 5,
        "with XMP"
    );
    assert!(
        count(&|t| groups(t).iter().any(|g| g.starts_with("IPTC"))) >= 1,
        "with IPTC"
    );
    assert!(
        count(&|t| has_tag(t, "Comment")) >= 1,
        "with a JPEG comment"
    );
    assert!(
        count(&|t| orientation(t).is_some_and(|o| o != 1)) >= 3,
        "rotated samples"
    );

    let mut problems = Vec::new();
    for (((name, orig_path, data), (copy_path, copy)), report) in
        originals.iter().zip(&copies).zip(&reports)
    {
        let orig_tags = &before[orig_path];
        let copy_tags = &after[copy_path];

        // (a) Nothing identifying is left, and nothing we did not vouch for.
        for leak in leaks(copy_tags) {
            problems.push(format!("{name}: {leak}"));
        }

        // (b) Lossless: the copy decodes to exactly the original's pixels, with the same
        // colour profile. The copy must decode wherever the original does.
        match decode(data, image::ImageFormat::Jpeg) {
            Ok(want) => match decode(copy, image::ImageFormat::Jpeg) {
                Ok(got) => {
                    if (got.width(), got.height(), got.color())
                        != (want.width(), want.height(), want.color())
                        || got.as_bytes() != want.as_bytes()
                    {
                        problems.push(format!("{name}: decoded pixels differ from the original's"));
                    }
                }
                Err(e) => problems.push(format!("{name}: original decodes, copy does not: {e}")),
            },
            Err(e) => problems.push(format!(
                "{name}: original does not decode ({e}): test data?"
            )),
        }
        let icc = |d: &[u8]| {
            image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(d))
                .ok()
                .and_then(|mut dec| dec.icc_profile().ok().flatten())
        };
        if icc(data) != icc(copy) {
            problems.push(format!("{name}: the ICC profile (colour) was not kept"));
        }

        // (c) A photo that must be shown rotated still is; an upright one gains nothing.
        let want = orientation(orig_tags).filter(|&o| o != 1);
        let got = copy_tags.get("IFD0:Orientation").and_then(Value::as_u64);
        if got != want {
            problems.push(format!(
                "{name}: orientation {want:?} expected in the copy, exiftool reads {got:?}"
            ));
        }
        if report.orientation.map(u64::from) != want {
            problems.push(format!(
                "{name}: report says orientation {:?}",
                report.orientation
            ));
        }

        // The report says what went, in line with what exiftool saw.
        if has_tag(orig_tags, "GPSLatitude") && report.removed("APP1 Exif").is_none() {
            problems.push(format!(
                "{name}: GPS removed but the report has no APP1 Exif"
            ));
        }

        // Stripping a clean copy changes nothing: there is nothing left to remove.
        match strip("image/jpeg", copy) {
            Ok((again, _)) if again == *copy => {}
            Ok(_) => problems.push(format!("{name}: stripping the copy again changed it")),
            Err(e) => problems.push(format!("{name}: the copy cannot be stripped again: {e}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// CRC-32 as PNG uses it, bit by bit: independent of the implementation under test.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = !0u32;
    for b in parts.iter().flat_map(|p| p.iter()) {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn png_chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
    [
        &(data.len() as u32).to_be_bytes()[..],
        ty,
        data,
        &crc32(&[ty, data]).to_be_bytes(),
    ]
    .concat()
}

/// (offset, type) of each chunk of a well-formed PNG.
fn png_chunks(png: &[u8]) -> Vec<(usize, String)> {
    let mut at = 8;
    let mut out = Vec::new();
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        out.push((
            at,
            String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned(),
        ));
        at += 12 + len;
    }
    out
}

/// A PNG from ImageMagick with a comment naming a person and a place (tEXt), plus an eXIf
/// chunk (Make, Artist, Orientation 6) and an XMP packet (iTXt) inserted before the image data.
fn png_with_metadata(tmp: &TempDir) -> Vec<u8> {
    let path = tmp.path("made.png");
    let status = Command::new("convert")
        .args([
            "-size",
            "8x6",
            "gradient:red-blue",
            "-set",
            "comment",
            "Olena, Mariupol",
        ])
        .arg(format!("png:{}", path.display()))
        .status()
        .expect("ImageMagick convert must be installed (scripts/install-deps.sh test)");
    assert!(status.success(), "convert made the PNG");
    let made = std::fs::read(&path).unwrap();

    // Big-endian TIFF, IFD0 with Make, Artist, Orientation (tags in ascending order).
    let mut tiff = b"MM\0*\0\0\0\x08\0\x03".to_vec();
    let strings_at = 8 + 2 + 3 * 12 + 4;
    let make = b"Olena's phone\0";
    let artist = b"Olena Kovalenko\0";
    tiff.extend_from_slice(&[0x01, 0x0F, 0, 2]);
    tiff.extend_from_slice(&(make.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&(strings_at as u32).to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x01, 0x3B, 0, 2]);
    tiff.extend_from_slice(&(artist.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&((strings_at + make.len()) as u32).to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(make);
    tiff.extend_from_slice(artist);
    let xmp = [
        &b"XML:com.adobe.xmp\0\0\0\0\0"[..],
        br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Olena Kovalenko</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"#,
    ]
    .concat();

    let idat = png_chunks(&made)
        .into_iter()
        .find(|(_, t)| t == "IDAT")
        .expect("convert wrote image data")
        .0;
    [
        &made[..idat],
        &png_chunk(b"eXIf", &tiff),
        &png_chunk(b"iTXt", &xmp),
        &made[idat..],
    ]
    .concat()
}

#[test]
fn png_from_imagemagick_loses_text_exif_and_xmp() {
    let tmp = TempDir::new("strip-png");
    let png = png_with_metadata(&tmp);
    let orig_path = tmp.path("orig.png");
    std::fs::write(&orig_path, &png).unwrap();
    let (copy, report) = strip("image/png", &png).expect("a sound PNG is stripped");
    let copy_path = tmp.path("copy.png");
    std::fs::write(&copy_path, &copy).unwrap();
    let tags = exiftool(&[orig_path.clone(), copy_path.clone()]);
    let (before, after) = (&tags[&orig_path], &tags[&copy_path]);

    // The original carries what must go, as exiftool reads it.
    assert!(
        before.values().any(|v| v == "Olena, Mariupol"),
        "comment in the original: {before:?}"
    );
    assert!(
        has_tag(before, "Make") && has_tag(before, "Artist"),
        "EXIF in the original"
    );
    assert!(
        groups(before).iter().any(|g| g.starts_with("XMP")),
        "XMP in the original"
    );
    assert_eq!(
        orientation(before),
        Some(6),
        "the original is to be shown rotated"
    );

    // The copy carries none of it, but still says how to turn the picture.
    assert_eq!(
        leaks(after),
        Vec::<String>::new(),
        "nothing identifying left in the copy"
    );
    assert!(!after
        .values()
        .any(|v| v.as_str().is_some_and(|s| s.contains("Olena"))));
    assert!(
        !copy.windows(5).any(|w| w == b"Olena"),
        "no trace of the name in the bytes"
    );
    assert_eq!(
        after.get("IFD0:Orientation").and_then(Value::as_u64),
        Some(6),
        "still rotated"
    );
    assert_eq!(report.orientation, Some(6));

    // Chunk by chunk: what is dropped is exactly the metadata, the rest is the same bytes in
    // the same order (eXIf replaced by the minimal one with the orientation only).
    let dropped = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"];
    let kept_orig: Vec<&[u8]> = chunk_slices(&png)
        .into_iter()
        .filter(|(t, _)| !dropped.contains(&t.as_str()))
        .map(|(_, s)| s)
        .collect();
    let kept_copy: Vec<&[u8]> = chunk_slices(&copy)
        .into_iter()
        .filter(|(t, _)| t != "eXIf")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        kept_copy, kept_orig,
        "kept chunks are copied byte for byte, CRC included"
    );
    assert!(report.removed("tEXt").is_some() && report.removed("iTXt").is_some());

    // Lossless.
    let want = decode(&png, image::ImageFormat::Png).expect("original decodes");
    let got = decode(&copy, image::ImageFormat::Png).expect("copy decodes");
    assert_eq!(
        (got.width(), got.height(), got.color()),
        (want.width(), want.height(), want.color())
    );
    assert!(got.as_bytes() == want.as_bytes(), "same pixels");
}

fn chunk_slices(png: &[u8]) -> Vec<(String, &[u8])> {
    let chunks = png_chunks(png);
    chunks
        .iter()
        .enumerate()
        .map(|(i, (at, t))| {
            let end = chunks.get(i + 1).map_or(png.len(), |(next, _)| *next);
            (t.clone(), &png[*at..end])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hostile input

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Offsets of markers (JPEG) or chunk starts (PNG) in the header part, where lengths live.
fn structure_offsets(mime: &str, data: &[u8]) -> Vec<usize> {
    if mime == "image/png" {
        return png_chunks(data).into_iter().map(|(at, _)| at).collect();
    }
    let mut v = Vec::new();
    let mut i = 2;
    while i + 4 <= data.len() {
        let m = data[i + 1];
        if data[i] != 0xFF || m == 0xD8 || m == 0xD9 {
            break;
        }
        v.push(i);
        if m == 0xDA {
            break;
        }
        i += 2 + usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
    }
    v
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Damage {
    /// Cut short before the end: must be refused (the end marker is missing).
    Truncated,
    /// Anything else: Ok or an error, either is fine.
    Other,
}

fn variants(
    files: &[(String, &'static str, Vec<u8>)],
    per_file: usize,
) -> Vec<(String, &'static str, Vec<u8>, Damage)> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::new();
    for (name, mime, data) in files {
        let marks = structure_offsets(mime, data);
        for k in 0..per_file {
            let v = match k % 5 {
                0 => {
                    // Truncation: anywhere, or just around a segment/chunk boundary.
                    let cut = if k % 2 == 0 || marks.is_empty() {
                        rng.below(data.len())
                    } else {
                        (marks[rng.below(marks.len())] + rng.below(8)).min(data.len() - 1)
                    };
                    (
                        format!("{name} cut at {cut}"),
                        data[..cut].to_vec(),
                        Damage::Truncated,
                    )
                }
                1 | 2 => {
                    let mut d = data.clone();
                    let flips = 1 + rng.below(8);
                    // Half of the flips land in the header, where they matter most.
                    let header = marks.last().map_or(d.len(), |&m| (m + 16).min(d.len()));
                    for _ in 0..flips {
                        let at = if rng.next() & 1 == 0 {
                            rng.below(header)
                        } else {
                            rng.below(d.len())
                        };
                        d[at] ^= 1 << rng.below(8);
                    }
                    (
                        format!("{name} with {flips} bit(s) flipped (variant {k})"),
                        d,
                        Damage::Other,
                    )
                }
                3 => {
                    // A lying length on a segment or chunk.
                    let mut d = data.clone();
                    if let Some(&at) = marks.get(rng.below(marks.len())) {
                        let lie: &[u8] = match rng.below(4) {
                            0 => &[0xFF, 0xFF, 0xFF, 0xFF],
                            1 => &[0, 0, 0, 0],
                            2 => &[0, 1, 0, 1],
                            _ => &[0x7F, 0xFF, 0xFF, 0xFF],
                        };
                        let (from, n) = if *mime == "image/png" {
                            (at, 4)
                        } else {
                            (at + 2, 2)
                        };
                        if from + n <= d.len() {
                            d[from..from + n].copy_from_slice(&lie[..n]);
                        }
                    }
                    (
                        format!("{name} with a lying length (variant {k})"),
                        d,
                        Damage::Other,
                    )
                }
                _ => {
                    // Spliced: the start of this file, the end of another (maybe of the other type).
                    let (other, _, od) = &files[rng.below(files.len())];
                    let a = rng.below(data.len());
                    let b = rng.below(od.len());
                    let d = [&data[..a], &od[b..]].concat();
                    (format!("{name}[..{a}] + {other}[{b}..]"), d, Damage::Other)
                }
            };
            out.push((v.0, *mime, v.1, v.2));
        }
    }
    out
}

/// What one hostile case must satisfy, beyond not panicking and returning in time. Ok(true):
/// accepted (and the copy checked), Ok(false): refused with an expected code.
fn check_hostile(mime: &str, data: &[u8], damage: Damage) -> Result<bool, String> {
    match strip(mime, data) {
        Ok((copy, _)) => {
            if damage == Damage::Truncated {
                return Err("a truncated file was copied and called a success".into());
            }
            // Whatever was accepted is clean: stripping it again changes nothing.
            match strip(mime, &copy) {
                Ok((again, _)) if again == copy => Ok(true),
                Ok(_) => Err("accepted, but the copy still held something to strip".into()),
                Err(e) => Err(format!("accepted, but the copy is refused: {e}")),
            }
        }
        Err(e) => {
            if let MediaError::Undecodable { source, .. } = &e {
                if source.is::<DecoderPanicked>() {
                    return Err(format!("panicked (caught): {source}"));
                }
            }
            if matches!(e.code(), "media_undecodable" | "media_unsupported") {
                Ok(false)
            } else {
                Err(format!("unexpected error {} ({e})", e.code()))
            }
        }
    }
}

#[test]
fn hostile_variants_never_panic_loop_or_pass_partial_copies() {
    let tmp = TempDir::new("strip-hostile");
    let mut files: Vec<(String, &'static str, Vec<u8>)> = sample_jpegs()
        .into_iter()
        .filter(|p| !REFUSED.iter().any(|(n, _)| *n == rel(p)))
        .map(|p| (rel(&p), "image/jpeg", std::fs::read(&p).unwrap()))
        .collect();
    files.push(("made.png".into(), "image/png", png_with_metadata(&tmp)));
    // Intact, they are all accepted; so a refusal below is caused by the damage.
    for (name, mime, data) in &files {
        strip(mime, data).unwrap_or_else(|e| panic!("{name}: intact file refused: {e}"));
    }
    let mut cases = variants(&files, 110);
    // The PNG is small and has many chunks: give it more.
    let png = files.pop().unwrap();
    cases.extend(variants(&[png], 1000));
    let total = cases.len();
    assert!(total >= 3000, "thousands of variants ({total})");

    // A worker runs the cases; this thread watches the clock, so a loop fails the test instead
    // of hanging it.
    let (tx, rx) = mpsc::channel::<(usize, Option<(Duration, Result<bool, String>)>)>();
    let labels: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    std::thread::spawn(move || {
        for (i, (_, mime, data, damage)) in cases.into_iter().enumerate() {
            let _ = tx.send((i, None));
            let start = Instant::now();
            let outcome = check_hostile(mime, &data, damage);
            let _ = tx.send((i, Some((start.elapsed(), outcome))));
        }
    });
    let mut problems = Vec::new();
    let mut done = 0;
    let mut current = 0;
    let (mut accepted, mut refused) = (0, 0);
    while done < total {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok((i, None)) => current = i,
            Ok((i, Some((elapsed, outcome)))) => {
                done += 1;
                if elapsed > Duration::from_secs(1) {
                    problems.push(format!("{}: took {elapsed:?}", labels[i]));
                }
                match outcome {
                    Ok(true) => accepted += 1,
                    Ok(false) => refused += 1,
                    Err(e) => problems.push(format!("{}: {e}", labels[i])),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{}: no result after 10 s (a loop?)", labels[current])
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!(
                    "{}: the worker died (a panic escaped strip_metadata)",
                    labels[current]
                )
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {total} variants failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Both outcomes must be common, or half of what this test checks was never exercised: a
    // flipped bit in the image data leaves the structure intact (accepted, and the copy is
    // checked); truncations must all be refused.
    assert!(
        accepted >= total / 10 && refused >= total / 10,
        "accepted {accepted}, refused {refused} of {total}"
    );
    eprintln!("hostile variants: {accepted} accepted, {refused} refused, of {total}");
}
