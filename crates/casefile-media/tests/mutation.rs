//! Mutation test of every parser, on stable Rust: thousands of damaged variants of real files,
//! each fed to every entry point under a watchdog.
//!
//! Seeds: every file of the shared EXIF samples (JPEG, HEIF), the committed fixtures (an MP4
//! and a MOV made with ffmpeg; grayscale, 4:4:0, restart-marker, progressive and arithmetic
//! JPEGs made with cjpeg; see `tests/fixtures/README.md`), and files made here with the `image`
//! crate: a PNG carrying a camera's real EXIF block (GPS and all) plus text and XMP chunks, a
//! WebP with the same EXIF in an extended (VP8X) file, a GIF, a TIFF and a BMP.
//!
//! Mutations, from a fixed seed so every run feeds the same inputs: truncation (anywhere, or
//! in the first 2 KiB where the headers are), bit flips (1 to 8, half of them in the headers),
//! inserted bytes (random, or values that make lengths lie: 0x00, 0xFF, 0x7FFFFFFF...), a
//! lying length overwritten in place, and splices (the start of one file, the end of another
//! of any type).
//!
//! Each input goes to: `sniff_reader`; `extract_metadata` under every parser (JPEG, PNG, WebP,
//! TIFF, HEIF, MP4/MOV and GIF, whatever the input sniffs as, so each parser meets every kind of
//! damage, including ISOBMFF box walking on everything); the DC-only JPEG decoder directly;
//! `analyse_image` (thumbnail and hash, where the DC path serves) and `perceptual_hash` (where
//! jpeg-decoder's scaled path serves, for the small samples); `strip_metadata` as JPEG and as PNG.
//!
//! Each must return Ok or an error with an expected code within [`CALL_LIMIT`]; a panic, even
//! one the crate itself catches and reports as `DecoderPanicked`, is a failure; metadata of an
//! in-memory input is best effort and must always be Ok. Inputs run on worker threads; the test
//! thread is their watchdog: a call still running after [`CALL_LIMIT`] fails the test at once,
//! naming the input and the entry point (a hang never ends, so it cannot wait for the call).
//! Per mutation kind and entry point, the test prints how many inputs were accepted (Ok) and
//! refused (an error); for metadata, which is always Ok, accepted means some field was found.

mod common;

use casefile_media::internal_for_tests::jpeg_dc_decode_eighth;
use casefile_media::{
    analyse_image, extract_metadata, perceptual_hash, sniff, sniff_reader, strip_metadata,
    DecoderPanicked, MediaError,
};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// One entry point on one input may take this long, beyond which it counts as a failure (a
/// debug build of this crate, its dependencies optimised; the slowest call takes about 1.5 s,
/// on a loaded two-core machine).
const CALL_LIMIT: Duration = Duration::from_secs(10);
/// `CASEFILE_MUTATION_KEEP` (a directory) keeps the inputs that failed there, as
/// `input-<number>.bin`, for a closer look.
///
/// The fixed seed of every random choice. `CASEFILE_MUTATION_SEED` (a number, decimal or 0x
/// hex) replaces it and `CASEFILE_MUTATION_SCALE` (a number) multiplies the inputs, for longer
/// hunts by hand: `CASEFILE_MUTATION_SEED=$RANDOM CASEFILE_MUTATION_SCALE=10 cargo test
/// --release -p casefile-media --test mutation -- --nocapture`.
const SEED: u64 = 0x0C0F_FEE0_D15C_0BA1;

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so neighbouring job numbers give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A position in `0..len`, half the time within the first 2 KiB (headers, tables, EXIF).
    fn position(&mut self, len: usize) -> usize {
        if self.next() & 1 == 0 {
            self.below(len.min(2048))
        } else {
            self.below(len)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds

struct Seed {
    name: String,
    data: Vec<u8>,
}

/// CRC-32 as PNG uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
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
    let typed = [&ty[..], data].concat();
    [
        &(data.len() as u32).to_be_bytes()[..],
        &typed,
        &crc32(&typed).to_be_bytes(),
    ]
    .concat()
}

/// The TIFF part of the first APP1 EXIF segment of a JPEG.
fn exif_block(jpeg: &[u8]) -> Vec<u8> {
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let body = &jpeg[i + 4..i + 2 + len];
        if jpeg[i + 1] == 0xE1 && body.starts_with(b"Exif\0\0") {
            return body[6..].to_vec();
        }
        i += 2 + len;
    }
    panic!("the seed JPEG has an EXIF block")
}

fn encoded(img: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format)
        .expect("encode seed");
    out
}

fn seeds() -> Vec<Seed> {
    let mut seeds = Vec::new();
    let root = common::samples();
    for path in common::files_under(&root) {
        let data = std::fs::read(&path).unwrap();
        if sniff(&data).kind == casefile_media::Kind::Document {
            continue; // the samples' README files
        }
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        seeds.push(Seed { name, data });
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for path in common::files_under(&fixtures) {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let name = format!("fixtures/{}", path.file_name().unwrap().to_string_lossy());
        seeds.push(Seed {
            name,
            data: std::fs::read(&path).unwrap(),
        });
    }

    // Made here: a picture with some structure, and a real camera's EXIF block.
    let exif = exif_block(&std::fs::read(common::sample("jpg/gps/DSCN0010.jpg")).unwrap());
    let (w, h) = (48u32, 32u32);
    let rgba = image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([
            (x * 5) as u8,
            (y * 7) as u8,
            ((x + y) * 3) as u8,
            (x * 8) as u8,
        ])
    });
    let rgba = image::DynamicImage::ImageRgba8(rgba);
    let rgb = image::DynamicImage::ImageRgb8(rgba.to_rgb8());

    let png = encoded(&rgba, image::ImageFormat::Png);
    let after_ihdr = 8 + 8 + 13 + 4;
    let xmp = b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta><rdf:Description tiff:Orientation=\"6\" \
                exif:GPSLatitude=\"47,5.7N\"/></x:xmpmeta>";
    let png = [
        &png[..after_ihdr],
        &png_chunk(b"eXIf", &exif),
        &png_chunk(b"tEXt", b"Comment\0Olena, Mariupol"),
        &png_chunk(b"iTXt", xmp),
        &png[after_ihdr..],
    ]
    .concat();
    seeds.push(Seed {
        name: "made/exif.png".into(),
        data: png,
    });

    // WebP: the encoder's simple lossless file, rebuilt as an extended one with EXIF.
    let simple = encoded(&rgb, image::ImageFormat::WebP);
    assert_eq!(
        &simple[12..16],
        b"VP8L",
        "the image crate writes lossless WebP"
    );
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(b"VP8X");
    body.extend_from_slice(&10u32.to_le_bytes());
    body.push(0x08); // EXIF present
    body.extend_from_slice(&[0, 0, 0]);
    body.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    body.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    body.extend_from_slice(&simple[12..]);
    if body.len() % 2 == 1 {
        body.push(0);
    }
    body.extend_from_slice(b"EXIF");
    body.extend_from_slice(&(exif.len() as u32).to_le_bytes());
    body.extend_from_slice(&exif);
    if exif.len() % 2 == 1 {
        body.push(0);
    }
    let webp = [&b"RIFF"[..], &(body.len() as u32).to_le_bytes(), &body].concat();
    seeds.push(Seed {
        name: "made/exif.webp".into(),
        data: webp,
    });

    for (name, format) in [
        ("made/a.gif", image::ImageFormat::Gif),
        ("made/a.tiff", image::ImageFormat::Tiff),
        ("made/a.bmp", image::ImageFormat::Bmp),
    ] {
        seeds.push(Seed {
            name: name.into(),
            data: encoded(&rgba, format),
        });
    }
    seeds
}

// ---------------------------------------------------------------------------------------------
// Mutations

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Truncated,
    BitFlipped,
    BytesInserted,
    LyingLength,
    Spliced,
}

const KINDS: [Kind; 5] = [
    Kind::Truncated,
    Kind::BitFlipped,
    Kind::BytesInserted,
    Kind::LyingLength,
    Kind::Spliced,
];

/// Values that make a length or size field lie, big-endian and little-endian alike.
const LIES: [&[u8]; 8] = [
    &[0, 0],
    &[0xFF, 0xFF],
    &[0, 0, 0, 0],
    &[0, 0, 0, 1],
    &[0xFF, 0xFF, 0xFF, 0xFF],
    &[0x7F, 0xFF, 0xFF, 0xFF],
    &[0xFF, 0xFF, 0xFF, 0xF0],
    &[0, 0, 0, 0, 0, 0, 0, 0x10],
];

fn mutate(kind: Kind, seed: &Seed, seeds: &[Seed], rng: &mut Rng) -> (String, Vec<u8>) {
    let d = &seed.data;
    match kind {
        Kind::Truncated => {
            let cut = rng.position(d.len());
            (format!("{} cut at {cut}", seed.name), d[..cut].to_vec())
        }
        Kind::BitFlipped => {
            let mut v = d.clone();
            let n = 1 + rng.below(8);
            for _ in 0..n {
                let at = rng.position(v.len());
                v[at] ^= 1 << rng.below(8);
            }
            (format!("{} with {n} bit(s) flipped", seed.name), v)
        }
        Kind::BytesInserted => {
            let mut v = d.clone();
            let at = rng.position(v.len() + 1);
            let bytes: Vec<u8> = if rng.next() & 1 == 0 {
                LIES[rng.below(LIES.len())].to_vec()
            } else {
                (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect()
            };
            let n = bytes.len();
            v.splice(at..at, bytes);
            (
                format!("{} with {n} byte(s) inserted at {at}", seed.name),
                v,
            )
        }
        Kind::LyingLength => {
            let mut v = d.clone();
            let lie = LIES[rng.below(LIES.len())];
            let at = rng.position(v.len().saturating_sub(lie.len()) + 1);
            let end = (at + lie.len()).min(v.len());
            v[at..end].copy_from_slice(&lie[..end - at]);
            (format!("{} with {lie:02X?} written at {at}", seed.name), v)
        }
        Kind::Spliced => {
            let other = &seeds[rng.below(seeds.len())];
            let a = rng.position(d.len() + 1);
            let b = rng.below(other.data.len() + 1);
            let v = [&d[..a], &other.data[b..]].concat();
            (format!("{}[..{a}] + {}[{b}..]", seed.name, other.name), v)
        }
    }
}

/// How many variants of each kind a seed gets: fewer for the few large files, whose every
/// variant costs a full decode of megapixels.
fn per_kind(len: usize) -> usize {
    match len {
        0..=20_000 => 80,
        20_001..=200_000 => 20,
        _ => 4,
    }
}

// ---------------------------------------------------------------------------------------------
// Running the entry points

/// Every parser `extract_metadata` has, one type of each.
const METADATA_TYPES: [&str; 7] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/tiff",
    "image/heic",
    "video/mp4",
    "image/gif",
];

const DC_BOTH: &str = "jpeg_dc decoded, jpeg-decoder too";

/// One entry point's outcome on one input: accepted (Ok) or refused (an expected error), or a
/// failure described.
type Outcome = Result<bool, String>;

/// Panics on worker threads are expected findings, reported with the input that caused them:
/// the hook records the message and place for [`last_panic`] instead of printing. Panics
/// elsewhere (the test's own assertions) print as usual.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IS_WORKER.with(|w| w.get()) {
            return default(info);
        }
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = format!("{msg} at {at}"));
    }));
}

thread_local! {
    static IS_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn last_panic() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// What a worker is running (input number, input and entry point) and since when: the
/// watchdog's view.
type Watch = Mutex<Option<(usize, String, Instant)>>;

/// The call on the input being run, for the watchdog and for reports.
struct Ctx<'a> {
    job: usize,
    label: &'a str,
    watch: &'a Watch,
    slowest: (Duration, String),
}

/// Runs `f` with panics caught, time measured and the watchdog told; turns its result into an
/// [`Outcome`].
fn call(
    f: impl FnOnce() -> Result<(), MediaError>,
    allowed: &[&str],
    ctx: &mut Ctx,
    what: &str,
) -> Outcome {
    let start = Instant::now();
    *ctx.watch.lock().unwrap() = Some((ctx.job, format!("{}: {what}", ctx.label), start));
    let r = catch_unwind(AssertUnwindSafe(f));
    let took = start.elapsed();
    *ctx.watch.lock().unwrap() = None;
    let slowest = &mut ctx.slowest;
    if took > slowest.0 {
        *slowest = (took, what.to_string());
    }
    if took > CALL_LIMIT {
        return Err(format!("took {took:?}"));
    }
    match r {
        Err(_) => Err(format!("panicked: {}", last_panic())),
        Ok(Ok(())) => Ok(true),
        Ok(Err(e)) => {
            if let MediaError::Undecodable { source } = &e {
                if source.is::<DecoderPanicked>() {
                    return Err(format!(
                        "panicked (caught by the crate): {source}; {}",
                        last_panic()
                    ));
                }
            }
            if allowed.contains(&e.code()) {
                Ok(false)
            } else {
                Err(format!("unexpected error {} ({e})", e.code()))
            }
        }
    }
}

/// Every entry point on `data`: (entry point, outcome) pairs, and the slowest call.
fn run_all(
    data: &[u8],
    job: usize,
    label: &str,
    watch: &Watch,
) -> (Vec<(String, Outcome)>, (Duration, String)) {
    let mut out = Vec::new();
    let mut ctx = Ctx {
        job,
        label,
        watch,
        slowest: (Duration::ZERO, String::new()),
    };
    let c = || Cursor::new(data);
    const DECODE_ERRORS: &[&str] = &["media_undecodable", "media_unsupported", "media_too_large"];
    const STRIP_ERRORS: &[&str] = &["media_undecodable", "media_unsupported"];

    let o = call(
        || sniff_reader(&mut c()).map(|_| ()),
        &[],
        &mut ctx,
        "sniff",
    );
    out.push(("sniff".to_string(), o));
    for mime in METADATA_TYPES {
        let what = format!("metadata as {mime}");
        // Best effort on an input that cannot fail to read: always Ok. Counted as accepted
        // when it found something, refused when it found nothing.
        let mut found = false;
        let o = call(
            || {
                found = !extract_metadata(&mut c(), mime)?.is_empty();
                Ok(())
            },
            &[],
            &mut ctx,
            &what,
        );
        out.push((what, o.map(|_| found)));
    }
    let mut dc = false;
    let o = call(
        || {
            if let Some((w, h, rgb)) = jpeg_dc_decode_eighth(data) {
                dc = true;
                assert_eq!(rgb.len(), w as usize * h as usize * 3, "DC image size");
                assert!(w >= 1 && h >= 1, "DC image of {w}x{h}");
            }
            Ok(())
        },
        &[],
        &mut ctx,
        "jpeg_dc",
    );
    // Ok here means "did not panic"; whether it decoded is counted on its own line, and where
    // it did, whether jpeg-decoder (which it stands in for at 1/8 scale) decodes the input too.
    out.push(("jpeg_dc".to_string(), o));
    out.push(("jpeg_dc decoded".to_string(), Ok(dc)));
    if dc {
        let theirs = catch_unwind(|| {
            let mut dec = jpeg_decoder::Decoder::new(data);
            dec.read_info().ok()?;
            let info = dec.info()?;
            dec.scale(info.width.div_ceil(8), info.height.div_ceil(8))
                .ok()?;
            dec.decode().ok()
        })
        .ok()
        .flatten()
        .is_some();
        out.push((DC_BOTH.to_string(), Ok(theirs)));
    }
    let o = call(
        || {
            let (t, _) = analyse_image(&mut c(), 96)?;
            assert!(
                t.width >= 1 && t.height >= 1 && t.width.max(t.height) <= 96,
                "thumbnail of {}x{}",
                t.width,
                t.height
            );
            Ok(())
        },
        DECODE_ERRORS,
        &mut ctx,
        "analyse_image",
    );
    out.push(("analyse_image".to_string(), o));
    let o = call(
        || perceptual_hash(&mut c()).map(|_| ()),
        DECODE_ERRORS,
        &mut ctx,
        "perceptual_hash",
    );
    out.push(("perceptual_hash".to_string(), o));
    for mime in ["image/jpeg", "image/png"] {
        let what = format!("strip as {mime}");
        let o = call(
            || {
                let mut sink = Vec::new();
                strip_metadata(mime, &mut c(), &mut sink).map(|_| ())
            },
            STRIP_ERRORS,
            &mut ctx,
            &what,
        );
        out.push((what, o));
    }
    (out, ctx.slowest)
}

// ---------------------------------------------------------------------------------------------
// The test

struct Job {
    seed: usize,
    kind: Kind,
    /// Makes this job's input, whichever thread runs it.
    rng_seed: u64,
}

#[derive(Default)]
struct Tally {
    accepted: u64,
    refused: u64,
}

#[test]
fn every_parser_survives_thousands_of_damaged_inputs() {
    install_panic_hook();
    let seed = env_number("CASEFILE_MUTATION_SEED").unwrap_or(SEED);
    let scale = env_number("CASEFILE_MUTATION_SCALE").unwrap_or(1).max(1) as usize;
    let seeds = Arc::new(seeds());
    let mut jobs = Vec::new();
    for (i, s) in seeds.iter().enumerate() {
        for kind in KINDS {
            for _ in 0..per_kind(s.data.len()) * scale {
                let rng_seed = seed ^ (jobs.len() as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
                jobs.push(Job {
                    seed: i,
                    kind,
                    rng_seed,
                });
            }
        }
    }
    let total = jobs.len();
    assert!(total >= 5000, "thousands of inputs ({total})");
    eprintln!(
        "mutation test: seed {seed:#x} (CASEFILE_MUTATION_SEED replaces it), {total} inputs \
         from {} seed files, at most {CALL_LIMIT:?} per call",
        seeds.len()
    );
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    // What each worker is running and since when, for the watchdog.
    let running: Arc<Vec<Watch>> = Arc::new((0..workers).map(|_| Mutex::new(None)).collect());
    type Report = (usize, String, Vec<(String, Outcome)>, (Duration, String));
    let (tx, rx) = mpsc::channel::<Report>();
    let keep_dir = std::env::var_os("CASEFILE_MUTATION_KEEP").map(std::path::PathBuf::from);
    // Writes input `j` (made again from its seed: inputs are not kept in memory) to keep_dir.
    let keep = |j: usize| {
        let Some(dir) = &keep_dir else { return };
        let job = &jobs[j];
        let (_, data) = mutate(
            job.kind,
            &seeds[job.seed],
            &seeds,
            &mut Rng::new(job.rng_seed),
        );
        let path = dir.join(format!("input-{j}.bin"));
        std::fs::create_dir_all(dir).expect("create CASEFILE_MUTATION_KEEP");
        std::fs::write(&path, data).expect("write kept input");
        eprintln!("kept {}", path.display());
    };
    let started = Instant::now();
    for wi in 0..workers {
        let (jobs, seeds, next, running, tx) = (
            jobs.clone(),
            seeds.clone(),
            next.clone(),
            running.clone(),
            tx.clone(),
        );
        std::thread::spawn(move || loop {
            IS_WORKER.with(|w| w.set(true));
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(j) else { break };
            let mut rng = Rng::new(job.rng_seed);
            let (label, data) = mutate(job.kind, &seeds[job.seed], &seeds, &mut rng);
            let label = format!("input #{j}, {label}");
            let (outcomes, slowest) = run_all(&data, j, &label, &running[wi]);
            if tx.send((j, label, outcomes, slowest)).is_err() {
                break;
            }
        });
    }
    drop(tx);

    let mut tally: BTreeMap<(Kind, String), Tally> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut dc_only: Vec<String> = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut done = 0;
    while done < total {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok((j, label, outcomes, slow)) => {
                done += 1;
                let kind = jobs[j].kind;
                for (what, outcome) in outcomes {
                    if what == DC_BOTH && outcome == Ok(false) {
                        dc_only.push(label.clone());
                        keep(j);
                    }
                    let t = tally.entry((kind, what.clone())).or_default();
                    match outcome {
                        Ok(true) => t.accepted += 1,
                        Ok(false) => t.refused += 1,
                        Err(why) => {
                            failures.push(format!("{label}: {what}: {why}"));
                            keep(j);
                        }
                    }
                }
                if slow.0 > slowest.0 {
                    slowest = (slow.0, format!("{} on {label}", slow.1));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the workers stopped after {done} of {total} inputs (a panic escaped)")
            }
        }
        for watch in running.iter() {
            if let Some((j, what, since)) = &*watch.lock().unwrap() {
                if since.elapsed() > CALL_LIMIT {
                    keep(*j);
                }
                assert!(
                    since.elapsed() <= CALL_LIMIT,
                    "{what}: still running after {:?} (limit {CALL_LIMIT:?}): a hang \
                     (seed {seed:#x})",
                    since.elapsed()
                );
            }
        }
    }

    eprintln!(
        "mutation test: {total} inputs from {} seed files (seed {seed:#x}), {workers} workers, \
         {:.1?}",
        seeds.len(),
        started.elapsed()
    );
    eprintln!("slowest call: {:?} ({})", slowest.0, slowest.1);
    eprintln!(
        "{:<15} {:<28} {:>9} {:>9}",
        "mutation", "entry point", "accepted", "refused"
    );
    for ((kind, what), t) in &tally {
        eprintln!(
            "{:<15} {:<28} {:>9} {:>9}",
            format!("{kind:?}"),
            what,
            t.accepted,
            t.refused
        );
    }
    let mut per_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for j in jobs.iter() {
        *per_kind.entry(j.kind).or_default() += 1;
    }
    eprintln!("inputs per mutation: {per_kind:?}");
    eprintln!(
        "decoded by the DC path but refused by jpeg-decoder: {} input(s){}",
        dc_only.len(),
        dc_only
            .iter()
            .take(12)
            .map(|l| format!("\n  {l}"))
            .collect::<String>()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s) in {total} inputs (seed {seed:#x}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Both outcomes must be common, or half of what is exercised was not: damaged JPEGs that
    // still decode (flipped bits in the image data), and ones that do not.
    let t = &tally[&(Kind::BitFlipped, "analyse_image".to_string())];
    assert!(
        t.accepted > 100 && t.refused > 100,
        "bit flips: analyse_image accepted {} and refused {}",
        t.accepted,
        t.refused
    );
    // The DC-only fast path stands in for jpeg-decoder at 1/8 scale: it may decline anything,
    // but must not make a thumbnail of a file jpeg-decoder refuses.
    assert!(
        dc_only.is_empty(),
        "the DC path decoded {} input(s) jpeg-decoder refuses",
        dc_only.len()
    );
    let dc = &tally[&(Kind::BitFlipped, "jpeg_dc decoded".to_string())];
    assert!(
        dc.accepted > 100,
        "bit-flipped JPEGs reach the DC decoder's scan ({})",
        dc.accepted
    );
}
