//! Hostile and broken input, case by case: broken sample files and handmade traps (lying box
//! sizes, a decompression bomb), each with the outcome it must have. Evidence files arrive
//! damaged, truncated or mislabelled, and none of that may crash the application.
//!
//! Random damage in bulk (thousands of truncated, bit-flipped, byte-inserted and spliced
//! variants of every sample, fed to every parser under a watchdog) is `tests/mutation.rs`.

mod common;

use casefile_media::{
    analyse_image, extract_metadata, perceptual_hash, sniff, sniff_reader, thumbnail, MediaError,
};
use common::{open, sample};
use std::io::Cursor;

/// Runs every entry point on `data` and checks the outcome is Ok or one of the expected codes.
fn survive(data: &[u8], label: &str) {
    let c = || Cursor::new(data);
    let media = sniff_reader(&mut c()).unwrap_or_else(|e| panic!("{label}: sniff failed: {e}"));
    let meta = extract_metadata(&mut c(), media.mime);
    assert!(
        meta.is_ok(),
        "{label}: metadata extraction of damaged data is best effort, got {meta:?}"
    );
    for (what, result) in [
        (
            "thumbnail",
            thumbnail(&mut c(), 128).map(|t| (t.width, t.height)),
        ),
        (
            "analyse_image",
            analyse_image(&mut c(), 128).map(|(t, _)| (t.width, t.height)),
        ),
        ("perceptual_hash", perceptual_hash(&mut c()).map(|_| (1, 1))),
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
        thumbnail(&mut open(&corrupted), 256).unwrap_err().code(),
        "media_undecodable"
    );
    assert_eq!(
        perceptual_hash(&mut open(&corrupted)).unwrap_err().code(),
        "media_undecodable"
    );
    let meta = extract_metadata(&mut open(&corrupted), "image/jpeg").unwrap();
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
        let t = thumbnail(&mut open(&sample(name)), 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(t.width.max(t.height) <= 256, "{name}");
        survive(&std::fs::read(sample(name)).unwrap(), name);
    }
    survive(&std::fs::read(&corrupted).unwrap(), "corrupted.jpg");
}

#[test]
fn empty_and_garbage_files() {
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
    for (label, data) in cases.drain(..) {
        survive(&data, label);
    }
    // The 65535x65535 JPEG header must be refused before anything tries to allocate 12 GB.
    let bomb = b"\xFF\xD8\xFF\xC0\x00\x11\x08\xFF\xFF\xFF\xFF\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9";
    assert_eq!(
        thumbnail(&mut Cursor::new(bomb), 256).unwrap_err().code(),
        "media_too_large"
    );
    // Empty file: not media, nothing to report.
    assert_eq!(sniff(b"").mime, "application/octet-stream");
    assert!(
        extract_metadata(&mut Cursor::new(b""), "image/jpeg")
            .unwrap()
            .is_empty(),
        "an empty 'JPEG' has no metadata"
    );
}

/// Some decoders report damaged content as an I/O error: the TIFF decoder's "invalid code in
/// LZW stream" (found by the mutation test, where one bit flip turned Compression 1, none, into
/// 5, LZW). That is the content's fault, `media_undecodable`; `media_unreadable` is kept for the
/// stream failing.
#[test]
fn damaged_content_reported_as_an_io_error_is_undecodable() {
    let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 99]));
    let mut tiff = Vec::new();
    img.write_to(&mut Cursor::new(&mut tiff), image::ImageFormat::Tiff)
        .unwrap();
    assert!(thumbnail(&mut Cursor::new(&tiff), 32).is_ok());
    // Little-endian TIFF: the first IFD's entries, 12 bytes each; Compression is tag 259.
    let u16_at = |d: &[u8], i: usize| u16::from_le_bytes([d[i], d[i + 1]]);
    let ifd = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
    let entry = (0..usize::from(u16_at(&tiff, ifd)))
        .map(|k| ifd + 2 + 12 * k)
        .find(|&e| u16_at(&tiff, e) == 259)
        .expect("a Compression entry");
    assert_eq!(u16_at(&tiff, entry + 8), 1, "written uncompressed");
    tiff[entry + 8] = 5; // LZW, over data that is not
    for what in ["thumbnail", "perceptual_hash"] {
        let r = match what {
            "thumbnail" => thumbnail(&mut Cursor::new(&tiff), 32).map(|_| ()),
            _ => perceptual_hash(&mut Cursor::new(&tiff)).map(|_| ()),
        };
        assert_eq!(r.unwrap_err().code(), "media_undecodable", "{what}");
    }

    // The same decoder on a stream that fails after the sniffed head: unreadable.
    struct Failing(Cursor<Vec<u8>>);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.position() >= 5000 {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(5000 - self.0.position() as usize);
            self.0.read(&mut buf[..n])
        }
    }
    impl std::io::Seek for Failing {
        fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
            self.0.seek(pos)
        }
    }
    assert_eq!(
        thumbnail(&mut Failing(Cursor::new(tiff)), 32)
            .unwrap_err()
            .code(),
        "media_unreadable"
    );
}
