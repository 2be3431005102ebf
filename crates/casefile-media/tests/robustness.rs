//! Hostile and broken input: evidence files arrive damaged, truncated or mislabelled, and none
//! of that may crash the application. Each entry point must return Ok or an error with a stable
//! code; a panic escaping would fail the test outright.

mod common;

use casefile_media::{
    analyse_image, extract_metadata, perceptual_hash, sniff, sniff_file, thumbnail, MediaError,
};
use common::{sample, TempDir};
use std::path::Path;

/// Runs every entry point on `path` and checks the outcome is Ok or one of the expected codes.
fn survive(path: &Path, label: &str) {
    let media = sniff_file(path).unwrap_or_else(|e| panic!("{label}: sniff failed: {e}"));
    let meta = extract_metadata(path, media.mime);
    assert!(
        meta.is_ok(),
        "{label}: metadata extraction of damaged data is best effort, got {meta:?}"
    );
    for (what, result) in [
        (
            "thumbnail",
            thumbnail(path, 128).map(|t| (t.width, t.height)),
        ),
        (
            "analyse_image",
            analyse_image(path, 128).map(|(t, _)| (t.width, t.height)),
        ),
        ("perceptual_hash", perceptual_hash(path).map(|_| (1, 1))),
    ] {
        match result {
            Ok((w, h)) => assert!(
                w >= 1 && h >= 1 && w.max(h) <= 128,
                "{label}: {what} gave {w}x{h}"
            ),
            Err(e) => {
                assert!(
                    matches!(
                        e.code(),
                        "media_undecodable" | "media_unsupported" | "media_too_large"
                    ),
                    "{label}: {what}: unexpected {} ({e})",
                    e.code()
                );
                if let MediaError::Undecodable { source, .. } = &e {
                    // A caught decoder panic is survivable but worth knowing about.
                    if source.is::<casefile_media::DecoderPanicked>() {
                        eprintln!(
                            "note: {label}: {what}: decoder panicked and was caught: {source}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn broken_sample_files() {
    // corrupted.jpg: its entropy-coded data is damaged (a marker where restart marker 4 should
    // be); the decoder refuses it, and we say so with media_undecodable. Its metadata is intact.
    let corrupted = sample("jpg/corrupted.jpg");
    assert_eq!(
        thumbnail(&corrupted, 256).unwrap_err().code(),
        "media_undecodable"
    );
    assert_eq!(
        perceptual_hash(&corrupted).unwrap_err().code(),
        "media_undecodable"
    );
    let meta = extract_metadata(&corrupted, "image/jpeg").unwrap();
    assert_eq!(meta.model.as_deref(), Some("u1020,S1020"));

    // jpg/invalid/* and jpg/tests/*: what is broken or odd there is the metadata (bad EXIF,
    // zero-length strings); the pixels are intact, so they get thumbnails.
    for name in [
        "jpg/invalid/image00971.jpg",
        "jpg/invalid/image01088.jpg",
        "jpg/invalid/image01137.jpg",
        "jpg/tests/35-empty.jpg",
        "jpg/tests/67-0_length_string.jpg",
    ] {
        let t = thumbnail(&sample(name), 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(t.width.max(t.height) <= 256, "{name}");
        survive(&sample(name), name);
    }
    survive(&corrupted, "corrupted.jpg");
}

#[test]
fn empty_and_garbage_files() {
    let tmp = TempDir::new("garbage");
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect()
    };
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("one byte", vec![0xFF]),
        ("random", random(10_000)),
        ("jpeg soi then garbage", [&[0xFF, 0xD8, 0xFF][..], &random(5000)].concat()),
        ("jpeg sof with 0 size", b"\xFF\xD8\xFF\xC0\x00\x11\x08\x00\x00\x00\x00\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9".to_vec()),
        ("jpeg sof 65535x65535", b"\xFF\xD8\xFF\xC0\x00\x11\x08\xFF\xFF\xFF\xFF\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9".to_vec()),
        ("png signature then garbage", [&b"\x89PNG\r\n\x1a\n"[..], &random(3000)].concat()),
        ("gif header only", b"GIF89a\x10\x00\x10\x00".to_vec()),
        ("webp header only", b"RIFF\x20\0\0\0WEBPVP8 ".to_vec()),
        ("tiff header only", b"II*\0\x08\0\0\0\xFF\xFF".to_vec()),
        ("ftyp then garbage", [&b"\0\0\0\x14ftypisom\0\0\0\0isom"[..], &random(4000)].concat()),
        // Boxes claiming sizes beyond the file, size 0, size 1 with an absurd 64-bit size.
        ("mp4 lying box sizes", [&b"\0\0\0\x10ftypmp42\0\0\0\0"[..], b"\xFF\xFF\xFF\xF0moov\0\0\0\0mvhd", b"\0\0\0\x01free\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"].concat()),
        ("mp4 moov of size 0", [&b"\0\0\0\x10ftypmp42\0\0\0\0"[..], b"\0\0\0\0moov\0\0\0\x09trak\0"].concat()),
        ("mp4 nested garbage", [&b"\0\0\0\x10ftypmp42\0\0\0\0"[..], b"\0\0\0\x30moov\0\0\0\x28trak\0\0\0\x20tkhd\x01", &random(24)].concat()),
        ("heif meta garbage", [&b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"[..], b"\0\0\0\x40meta\0\0\0\0\0\0\0\x30iprp\0\0\0\x28ipma\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", &random(24)].concat()),
    ];
    for (i, (_, data)) in cases.iter().enumerate() {
        let p = tmp.path(&format!("case{i}"));
        std::fs::write(&p, data).unwrap();
    }
    for (i, (label, _)) in cases.drain(..).enumerate() {
        survive(&tmp.path(&format!("case{i}")), label);
    }
    // The 65535x65535 JPEG header must be refused before anything tries to allocate 12 GB.
    let p = tmp.path("bomb.jpg");
    std::fs::write(&p, b"\xFF\xD8\xFF\xC0\x00\x11\x08\xFF\xFF\xFF\xFF\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9").unwrap();
    assert_eq!(thumbnail(&p, 256).unwrap_err().code(), "media_too_large");
    // Empty file: not media, nothing to report.
    let p = tmp.path("empty");
    std::fs::write(&p, b"").unwrap();
    assert_eq!(sniff(b"").mime, "application/octet-stream");
    assert!(
        extract_metadata(&p, "image/jpeg").unwrap().is_empty(),
        "an empty 'JPEG' has no metadata"
    );
}

#[test]
fn truncated_copies_of_every_sample() {
    let tmp = TempDir::new("truncated");
    let root = common::samples();
    for path in common::files_under(&root) {
        let data = std::fs::read(&path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        // Cut points: inside the header, inside EXIF, inside the image data, one byte short.
        let cuts = [
            2,
            20,
            200,
            2_000,
            data.len() / 3,
            data.len() / 2,
            data.len().saturating_sub(1),
        ];
        for cut in cuts {
            if cut >= data.len() {
                continue;
            }
            let p = tmp.path("cut");
            std::fs::write(&p, &data[..cut]).unwrap();
            survive(&p, &format!("{name} cut at {cut}"));
        }
    }
}

#[test]
fn bit_flipped_jpegs() {
    // Random corruption anywhere in the file: headers, tables, EXIF, entropy-coded data.
    let tmp = TempDir::new("flips");
    let mut rng: u64 = 42;
    for name in [
        "jpg/gps/DSCN0010.jpg",
        "jpg/Canon_40D.jpg",
        "jpg/orientation/landscape_6.jpg",
    ] {
        let data = std::fs::read(sample(name)).unwrap();
        for round in 0..60 {
            let mut d = data.clone();
            for _ in 0..1 + round % 8 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                // Bias towards the first 2 KiB, where the headers are.
                let span = if rng.is_multiple_of(2) {
                    d.len().min(2048)
                } else {
                    d.len()
                };
                let i = (rng >> 8) as usize % span;
                d[i] ^= 1 << (rng % 8);
            }
            let p = tmp.path("flipped.jpg");
            std::fs::write(&p, &d).unwrap();
            survive(&p, &format!("{name} flipped round {round}"));
        }
    }
}
