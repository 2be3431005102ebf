//! What intake relies on, on real files: sniffing by content, the clock/GPS warning, thumbnails
//! that stand upright, duplicate detection, and video metadata read without reading the video.

mod common;

use casefile_media::{
    analyse_image, extract_metadata, hamming, perceptual_hash, sniff, sniff_reader, strip_metadata,
    thumbnail, Kind, POSSIBLE_DUPLICATE_MAX_DISTANCE,
};
use common::{open, sample, TempDir};
use std::io::{self, Cursor, Read, Seek, SeekFrom};

fn decode_jpeg(bytes: &[u8]) -> image::DynamicImage {
    assert_eq!(sniff(bytes).mime, "image/jpeg", "thumbnails are JPEG");
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).expect("thumbnail decodes")
}

#[test]
fn gps_samples_are_flagged_for_clock_mismatch() {
    // The Nikon's clock was set about 22 hours behind the GPS time (see SOURCE.md).
    for name in [
        "DSCN0010.jpg",
        "DSCN0012.jpg",
        "DSCN0021.jpg",
        "DSCN0025.jpg",
    ] {
        let path = sample(&format!("jpg/gps/{name}"));
        let meta = extract_metadata(&mut open(&path), "image/jpeg").unwrap();
        assert!(
            meta.clock_gps_mismatch,
            "{name}: a day's disagreement must be flagged"
        );
        let d = meta.clock_gps_disagreement.expect("both clocks present");
        assert!(
            (-79_120..=-79_100).contains(&d),
            "{name}: camera clock minus GPS clock = {d} s"
        );
    }
    // A photo without GPS time has nothing to compare: no flag.
    let meta = extract_metadata(&mut open(&sample("jpg/Canon_40D.jpg")), "image/jpeg").unwrap();
    assert_eq!(
        (meta.clock_gps_disagreement, meta.clock_gps_mismatch),
        (None, false)
    );
}

#[test]
fn orientation_samples_make_upright_thumbnails() {
    // Every landscape_N shows the same landscape picture once orientation N is applied, and
    // every portrait_N the same portrait picture: same aspect, and (a strong check of the
    // rotation direction) the same perceptual hash.
    let reference_landscape =
        perceptual_hash(&mut open(&sample("jpg/orientation/landscape_1.jpg"))).unwrap();
    let reference_portrait =
        perceptual_hash(&mut open(&sample("jpg/orientation/portrait_1.jpg"))).unwrap();
    for name in [
        "landscape_1",
        "landscape_3",
        "landscape_6",
        "landscape_8",
        "portrait_1",
        "portrait_6",
    ] {
        let path = sample(&format!("jpg/orientation/{name}.jpg"));
        let t = thumbnail(&mut open(&path), 256).unwrap();
        let img = decode_jpeg(&t.bytes);
        assert_eq!(
            (img.width(), img.height()),
            (t.width, t.height),
            "{name}: reported size is the real size"
        );
        let landscape = name.starts_with("landscape");
        if landscape {
            assert_eq!(
                (t.width, t.height),
                (256, 192),
                "{name}: displayed landscape, 600x450 scaled"
            );
        } else {
            assert_eq!(
                (t.width, t.height),
                (192, 256),
                "{name}: displayed portrait, 450x600 scaled"
            );
        }
        let h = perceptual_hash(&mut open(&path)).unwrap();
        let reference = if landscape {
            reference_landscape
        } else {
            reference_portrait
        };
        assert!(
            hamming(h, reference) <= 2,
            "{name}: same picture as orientation 1 once rotated ({} bits)",
            hamming(h, reference)
        );
    }
}

#[test]
fn sniffing_reads_content_not_the_file_name() {
    let tmp = TempDir::new("sniff");
    // A JPEG named .png is a JPEG, and its thumbnail is made from what it really is.
    let jpeg_as_png = tmp.path("photo.png");
    std::fs::copy(sample("jpg/Canon_40D.jpg"), &jpeg_as_png).unwrap();
    let t = sniff_reader(&mut open(&jpeg_as_png)).unwrap();
    assert_eq!((t.mime, t.kind), ("image/jpeg", Kind::Image));
    assert!(thumbnail(&mut open(&jpeg_as_png), 64).is_ok());
    assert_eq!(
        extract_metadata(&mut open(&jpeg_as_png), t.mime)
            .unwrap()
            .model
            .as_deref(),
        Some("Canon EOS 40D")
    );

    // A PNG named .jpg is a PNG.
    let png_as_jpg = tmp.path("scan.jpg");
    image::RgbImage::from_pixel(40, 30, image::Rgb([10, 200, 30]))
        .save_with_format(&png_as_jpg, image::ImageFormat::Png)
        .unwrap();
    assert_eq!(
        sniff_reader(&mut open(&png_as_jpg)).unwrap().mime,
        "image/png"
    );
    assert_eq!(thumbnail(&mut open(&png_as_jpg), 256).unwrap().width, 40);

    // Text named .jpg is text, and has no thumbnail.
    let text_as_jpg = tmp.path("statement.jpg");
    std::fs::write(&text_as_jpg, "Свідок W-017: удар о 10:15, лікарня №3\n").unwrap();
    let t = sniff_reader(&mut open(&text_as_jpg)).unwrap();
    assert_eq!((t.mime, t.kind), ("text/plain", Kind::Document));
    assert_eq!(
        thumbnail(&mut open(&text_as_jpg), 256).unwrap_err().code(),
        "media_unsupported"
    );

    // Binary junk is octet-stream, never text.
    let junk = tmp.path("junk.txt");
    std::fs::write(&junk, [0u8, 159, 146, 150, 255, 0, 1, 2]).unwrap();
    assert_eq!(
        sniff_reader(&mut open(&junk)).unwrap().mime,
        "application/octet-stream"
    );
}

#[test]
fn heif_has_metadata_but_no_thumbnail() {
    let path = sample("heic/samplefilehub.heif");
    let t = sniff_reader(&mut open(&path)).unwrap();
    assert_eq!((t.mime, t.kind), ("image/heic", Kind::Image));
    let meta = extract_metadata(&mut open(&path), t.mime).unwrap();
    assert_eq!((meta.width, meta.height), (Some(640), Some(426)));
    // No pure-Rust HEVC decoder: a clear "unsupported", so the app shows a placeholder.
    assert_eq!(
        thumbnail(&mut open(&path), 256).unwrap_err().code(),
        "media_unsupported"
    );
    assert_eq!(
        perceptual_hash(&mut open(&path)).unwrap_err().code(),
        "media_unsupported"
    );
}

#[test]
fn resized_recompressed_copy_is_a_possible_duplicate() {
    let tmp = TempDir::new("phash");
    for name in [
        "jpg/gps/DSCN0010.jpg",
        "jpg/Canon_PowerShot_S40.jpg",
        "jpg/tests/35-empty.jpg",
    ] {
        let original = sample(name);
        // What a messaging app does: downscale and recompress hard.
        let img = image::open(&original).unwrap();
        let small = img.resize(
            img.width() * 6 / 10,
            img.height() * 6 / 10,
            image::imageops::FilterType::Triangle,
        );
        let copy = tmp.path("copy.jpg");
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 55)
            .encode_image(&small)
            .unwrap();
        std::fs::write(&copy, out).unwrap();
        // And a lossless PNG copy at a larger size.
        let big = img.resize(
            img.width() * 3 / 2,
            img.height() * 3 / 2,
            image::imageops::FilterType::CatmullRom,
        );
        let png = tmp.path("copy.png");
        big.save_with_format(&png, image::ImageFormat::Png).unwrap();

        let h0 = perceptual_hash(&mut open(&original)).unwrap();
        for copy in [&copy, &png] {
            let d = hamming(h0, perceptual_hash(&mut open(copy)).unwrap());
            assert!(
                d <= POSSIBLE_DUPLICATE_MAX_DISTANCE,
                "{name}: copy {} differs by {d} bits",
                copy.display()
            );
        }
    }
}

#[test]
fn different_sample_photos_are_not_duplicates() {
    let names = [
        "jpg/Canon_40D.jpg",
        "jpg/Canon_PowerShot_S40.jpg",
        "jpg/Fujifilm_FinePix_E500.jpg",
        "jpg/Nikon_D70.jpg",
        "jpg/Olympus_C8080WZ.jpg",
        "jpg/Pentax_K10D.jpg",
        "jpg/Sony_HDR-HC3.jpg",
        "jpg/long_description.jpg",
        "jpg/gps/DSCN0010.jpg",
        "jpg/gps/DSCN0012.jpg",
        "jpg/gps/DSCN0021.jpg",
        "jpg/gps/DSCN0025.jpg",
        "jpg/orientation/landscape_1.jpg",
        "jpg/orientation/portrait_1.jpg",
        "jpg/tests/35-empty.jpg",
        "jpg/invalid/image00971.jpg",
        "jpg/invalid/image01088.jpg",
        "jpg/invalid/image01137.jpg",
    ];
    let hashes: Vec<u64> = names
        .iter()
        .map(|n| perceptual_hash(&mut open(&sample(n))).unwrap())
        .collect();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let d = hamming(hashes[i], hashes[j]);
            assert!(
                d > POSSIBLE_DUPLICATE_MAX_DISTANCE,
                "{} and {} differ by only {d} bits",
                names[i],
                names[j]
            );
        }
    }
}

#[test]
fn analyse_image_equals_thumbnail_plus_hash() {
    for name in [
        "jpg/gps/DSCN0021.jpg",
        "jpg/orientation/landscape_6.jpg",
        "jpg/Fujifilm_FinePix_E500.jpg",
    ] {
        let p = sample(name);
        let (t, h) = analyse_image(&mut open(&p), 256).unwrap();
        assert_eq!(t, thumbnail(&mut open(&p), 256).unwrap(), "{name}");
        assert_eq!(
            h,
            perceptual_hash(&mut open(&p)).unwrap(),
            "{name}: at 256 px the hashes are identical"
        );
        // At another size the hash may move by a bit or two, no more.
        let (_, h2) = analyse_image(&mut open(&p), 1024).unwrap();
        assert!(
            hamming(h, h2) <= 2,
            "{name}: hash at 1024 px differs by {}",
            hamming(h, h2)
        );
    }
}

#[test]
fn thumbnails_of_other_formats() {
    let tmp = TempDir::new("formats");
    let (w, h) = (640u32, 320u32);
    let rgb = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut rgba = image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    // The left quarter is fully transparent: it must come out white, not black.
    for y in 0..h {
        for x in 0..w / 4 {
            rgba.put_pixel(x, y, image::Rgba([0, 0, 0, 0]));
        }
    }
    let cases: [(&str, image::ImageFormat, bool); 5] = [
        ("a.png", image::ImageFormat::Png, true),
        ("a.webp", image::ImageFormat::WebP, false),
        ("a.gif", image::ImageFormat::Gif, false),
        ("a.tiff", image::ImageFormat::Tiff, false),
        ("a.bmp", image::ImageFormat::Bmp, false),
    ];
    for (name, format, alpha) in cases {
        let path = tmp.path(name);
        if alpha {
            rgba.save_with_format(&path, format).unwrap();
        } else {
            rgb.save_with_format(&path, format).unwrap();
        }
        let media = sniff_reader(&mut open(&path)).unwrap();
        assert_eq!(media.kind, Kind::Image, "{name}");
        let meta = extract_metadata(&mut open(&path), media.mime).unwrap();
        assert_eq!(
            (meta.width, meta.height),
            (Some(w), Some(h)),
            "{name}: size from the header"
        );
        let t = thumbnail(&mut open(&path), 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((t.width, t.height), (256, 128), "{name}");
        let img = decode_jpeg(&t.bytes).to_rgb8();
        if alpha {
            let p = img.get_pixel(10, 64);
            assert!(
                p.0.iter().all(|&c| c > 240),
                "{name}: transparent area is white, got {p:?}"
            );
        }
    }
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

/// A PNG of `w`×`h` (left half red, right half blue) with an eXIf chunk saying `orientation`.
fn png_with_orientation(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let mut png = Vec::new();
    img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // Little-endian TIFF: IFD0 with one entry, Orientation (SHORT, 1 value).
    let mut tiff = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    let typed = [&b"eXIf"[..], &tiff].concat();
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let after_ihdr = 8 + 8 + 13 + 4;
    [&png[..after_ihdr], &chunk, &png[after_ihdr..]].concat()
}

#[test]
fn png_orientation_turns_the_thumbnail_as_the_metadata_says() {
    for (o, size, top_left_red) in [
        (1u16, (64, 32), true),
        (3, (64, 32), false),
        (6, (32, 64), true), // 90° clockwise: the left (red) half goes to the top
        (8, (32, 64), false), // 90° anticlockwise: the right (blue) half goes to the top
    ] {
        let png = png_with_orientation(64, 32, o);
        let m = extract_metadata(&mut Cursor::new(&png), "image/png").unwrap();
        assert_eq!(m.orientation, Some(o), "orientation {o} in the metadata");
        assert_eq!((m.width, m.height), (Some(64), Some(32)), "stored size");
        let t = thumbnail(&mut Cursor::new(&png), 256).unwrap();
        assert_eq!((t.width, t.height), size, "orientation {o}: displayed size");
        let img = decode_jpeg(&t.bytes).to_rgb8();
        let p = img.get_pixel(2, 2);
        assert_eq!(
            p[0] > p[2],
            top_left_red,
            "orientation {o}: top-left pixel {p:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// MP4 / MOV

fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((8 + body.len()) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(typ);
    v.extend_from_slice(body);
    v
}

fn full(version: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![version, 0, 0, 0];
    v.extend_from_slice(body);
    v
}

/// moov with mvhd, a rotated 1920x1080 video track, udta/©xyz and Apple mdta keys.
fn moov(created_1904: u32, iso_meta: bool) -> Vec<u8> {
    let mut mvhd = Vec::new();
    mvhd.extend_from_slice(&created_1904.to_be_bytes());
    mvhd.extend_from_slice(&created_1904.to_be_bytes());
    mvhd.extend_from_slice(&1000u32.to_be_bytes()); // timescale
    mvhd.extend_from_slice(&12_500u32.to_be_bytes()); // duration: 12.5 s
    mvhd.extend_from_slice(&[0; 80]);
    let mut tkhd = vec![0u8; 20]; // times, track id, reserved, duration
    tkhd.extend_from_slice(&[0; 16]); // reserved, layer, group, volume, reserved
    let one = 0x0001_0000i32;
    for m in [0, one, 0, -one, 0, 0, 0, 0, 0x4000_0000] {
        tkhd.extend_from_slice(&m.to_be_bytes()); // 90° clockwise matrix
    }
    tkhd.extend_from_slice(&(1920u32 << 16).to_be_bytes());
    tkhd.extend_from_slice(&(1080u32 << 16).to_be_bytes());
    let hdlr_vide = bx(
        b"hdlr",
        &full(
            0,
            &[
                0, 0, 0, 0, b'v', b'i', b'd', b'e', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
        ),
    );
    let trak = bx(
        b"trak",
        &[bx(b"tkhd", &full(0, &tkhd)), bx(b"mdia", &hdlr_vide)].concat(),
    );

    let xyz_text = b"+47.0951+037.5413/";
    let mut xyz = (xyz_text.len() as u16).to_be_bytes().to_vec();
    xyz.extend_from_slice(&[0x15, 0xC7]); // language
    xyz.extend_from_slice(xyz_text);
    let udta = bx(b"udta", &bx(b"\xA9xyz", &xyz));

    let keys_list: [&[u8]; 3] = [
        b"com.apple.quicktime.make",
        b"com.apple.quicktime.model",
        b"com.apple.quicktime.creationdate",
    ];
    let mut keys = full(0, &(keys_list.len() as u32).to_be_bytes());
    for k in keys_list {
        keys.extend_from_slice(&((8 + k.len()) as u32).to_be_bytes());
        keys.extend_from_slice(b"mdta");
        keys.extend_from_slice(k);
    }
    let values: [&[u8]; 3] = [b"Apple", b"iPhone 12", b"2022-03-09T10:15:03+0200"];
    let mut ilst = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let mut data = vec![0, 0, 0, 1, 0, 0, 0, 0]; // UTF-8, default locale
        data.extend_from_slice(v);
        ilst.extend(bx(&((i + 1) as u32).to_be_bytes(), &bx(b"data", &data)));
    }
    let hdlr_mdta = bx(
        b"hdlr",
        &full(
            0,
            &[
                0, 0, 0, 0, b'm', b'd', b't', b'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
        ),
    );
    let meta_children = [hdlr_mdta, bx(b"keys", &keys), bx(b"ilst", &ilst)].concat();
    let meta = if iso_meta {
        bx(b"meta", &full(0, &meta_children))
    } else {
        bx(b"meta", &meta_children)
    };

    bx(
        b"moov",
        &[bx(b"mvhd", &full(0, &mvhd)), trak, udta, meta].concat(),
    )
}

/// Seconds since 1904 for a UTC instant.
fn secs_1904(rfc3339: &str) -> u32 {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp();
    (t + 2_082_844_800) as u32
}

#[test]
fn mp4_metadata_is_read_by_seeking_past_a_5_gb_mdat() {
    let tmp = TempDir::new("mp4");
    let path = tmp.path("clip.mp4");
    let mdat_len: u64 = 5 << 30; // 5 GiB, sparse on disk: reading it would take minutes
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&bx(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41"))
            .unwrap();
        let mut mdat = 1u32.to_be_bytes().to_vec(); // size 1: 64-bit size follows
        mdat.extend_from_slice(b"mdat");
        mdat.extend_from_slice(&(mdat_len + 16).to_be_bytes());
        f.write_all(&mdat).unwrap();
        f.seek(SeekFrom::Current(mdat_len as i64)).unwrap();
        f.write_all(&moov(secs_1904("2022-03-09T08:15:05Z"), true))
            .unwrap();
    }
    let media = sniff_reader(&mut open(&path)).unwrap();
    assert_eq!((media.mime, media.kind), ("video/mp4", Kind::Video));
    let m = extract_metadata(&mut open(&path), media.mime).unwrap();
    assert_eq!(
        m.container_creation_time.as_deref(),
        Some("2022-03-09T08:15:05Z")
    );
    assert_eq!(m.duration_seconds, Some(12.5));
    assert_eq!(
        (m.width, m.height, m.orientation),
        (Some(1920), Some(1080), Some(6))
    );
    assert!((m.gps_latitude.unwrap() - 47.0951).abs() < 1e-9);
    assert!((m.gps_longitude.unwrap() - 37.5413).abs() < 1e-9);
    assert_eq!(m.gps_altitude, None);
    assert_eq!(
        (m.make.as_deref(), m.model.as_deref()),
        (Some("Apple"), Some("iPhone 12"))
    );
    assert_eq!(m.capture_time.as_deref(), Some("2022-03-09T10:15:03"));
    assert_eq!(m.capture_time_offset.as_deref(), Some("+02:00"));
    // A video has no GPS clock to compare with.
    assert!(!m.clock_gps_mismatch);
    // It is still a video, not an image we can thumbnail.
    assert_eq!(
        thumbnail(&mut open(&path), 256).unwrap_err().code(),
        "media_unsupported"
    );
}

/// JPEGs the DC-only fast path does not take (progressive, arithmetic-coded) go the general
/// way, and that way decodes them or refuses them with an error; those it does take (restart
/// markers, grayscale, 4:4:0) come out as the general way makes them.
#[test]
fn every_kind_of_jpeg_fixture_gets_a_thumbnail_or_a_clean_refusal() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["restart.jpg", "gray.jpg", "s440.jpg", "progressive.jpg"] {
        // 100x75 pictures: at 12 px, 1/8 scale is enough, so the fast path is tried.
        let (t, _) =
            analyse_image(&mut open(&dir.join(name)), 12).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((t.width, t.height), (12, 9), "{name}");
        // Against the same picture decoded in full by the image crate and handed in as PNG:
        // the same resize and encoding, only the JPEG decoding differs.
        let mut png = Vec::new();
        image::open(dir.join(name))
            .unwrap()
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let (full, _) = analyse_image(&mut Cursor::new(png), 12).unwrap();
        let (ours, full) = (
            decode_jpeg(&t.bytes).to_rgb8(),
            decode_jpeg(&full.bytes).to_rgb8(),
        );
        let mean = ours
            .as_raw()
            .iter()
            .zip(full.as_raw())
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / full.as_raw().len() as f64;
        // About 11 for all four, progressive (jpeg-decoder's scaled path) as much as the others:
        // 13x10 block means resized to 12x9 are sharper than 100x75 resized to 12x9. Garbage,
        // or colours mixed up, would be several times that.
        assert!(
            mean < 16.0,
            "{name}: mean difference from a full decode {mean:.2}"
        );
    }
    // jpeg-decoder does not do arithmetic coding: a clean refusal, and the metadata still reads.
    let arith = dir.join("arithmetic.jpg");
    let err = analyse_image(&mut open(&arith), 64).unwrap_err();
    assert_eq!(err.code(), "media_undecodable", "{err}");
    assert_eq!(
        extract_metadata(&mut open(&arith), "image/jpeg")
            .unwrap()
            .width,
        Some(100)
    );
}

#[test]
fn ffmpeg_made_mp4_and_mov_read_as_exiftool_reads_them() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // (file, mime, creation, lat, lon, alt, make, model, orientation) as exiftool -n reads them.
    let mp4 = extract_metadata(&mut open(&dir.join("tiny.mp4")), "video/mp4").unwrap();
    assert_eq!(
        sniff_reader(&mut open(&dir.join("tiny.mp4"))).unwrap().mime,
        "video/mp4"
    );
    assert_eq!(
        mp4.container_creation_time.as_deref(),
        Some("2022-03-09T08:15:05Z")
    );
    assert_eq!((mp4.width, mp4.height), (Some(64), Some(48)));
    assert_eq!(mp4.orientation, Some(6), "exiftool Rotation 90");
    assert_eq!(
        (mp4.make.as_deref(), mp4.model.as_deref()),
        (Some("Apple"), Some("iPhone 12"))
    );
    assert!((mp4.gps_latitude.unwrap() - 47.0951).abs() < 1e-9);
    assert!((mp4.gps_longitude.unwrap() - 37.5413).abs() < 1e-9);
    assert_eq!(mp4.duration_seconds, Some(1.0));

    let mov = extract_metadata(&mut open(&dir.join("tiny.mov")), "video/quicktime").unwrap();
    assert_eq!(
        sniff_reader(&mut open(&dir.join("tiny.mov"))).unwrap().mime,
        "video/quicktime"
    );
    assert_eq!(
        mov.container_creation_time.as_deref(),
        Some("2022-03-16T07:42:00Z")
    );
    assert_eq!((mov.width, mov.height), (Some(64), Some(48)));
    assert_eq!(mov.orientation, Some(8), "exiftool Rotation 270");
    assert_eq!(
        (mov.make.as_deref(), mov.model.as_deref()),
        (Some("Canon"), Some("EOS 40D"))
    );
    assert_eq!(mov.gps_altitude, Some(12.0));
    assert!((mov.gps_latitude.unwrap() - 47.0951).abs() < 1e-9);
}

#[test]
fn quicktime_meta_without_version_and_zero_creation_time() {
    let tmp = TempDir::new("mov");
    let path = tmp.path("clip.mov");
    let mut file = bx(b"ftyp", b"qt  \0\0\x02\0qt  ");
    file.extend(bx(b"wide", b""));
    file.extend(bx(b"mdat", &[0u8; 1000]));
    file.extend(moov(0, false));
    std::fs::write(&path, file).unwrap();
    let media = sniff_reader(&mut open(&path)).unwrap();
    assert_eq!(media.mime, "video/quicktime");
    let m = extract_metadata(&mut open(&path), media.mime).unwrap();
    assert_eq!(m.container_creation_time, None, "mvhd time 0 means absent");
    assert_eq!(
        m.model.as_deref(),
        Some("iPhone 12"),
        "QuickTime-style meta (no version/flags) is read"
    );
    assert!(m.gps_latitude.is_some());
}

/// A stream that fails after `ok` bytes, like a vault file whose disk goes away mid-read.
struct Failing {
    inner: Cursor<Vec<u8>>,
    ok: u64,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.inner.position() >= self.ok {
            return Err(io::Error::other("the disk went away"));
        }
        let room = (self.ok - self.inner.position()) as usize;
        let n = buf.len().min(room);
        self.inner.read(&mut buf[..n])
    }
}

impl Seek for Failing {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn a_failing_stream_is_unreadable_everywhere() {
    let data = std::fs::read(sample("jpg/gps/DSCN0010.jpg")).unwrap();
    let failing = |ok: u64| Failing {
        inner: Cursor::new(data.clone()),
        ok,
    };
    assert_eq!(
        sniff_reader(&mut failing(0)).unwrap_err().code(),
        "media_unreadable"
    );
    // The EXIF block is read, the failure comes later: still an error, not partial metadata.
    assert_eq!(
        extract_metadata(&mut failing(2), "image/jpeg")
            .unwrap_err()
            .code(),
        "media_unreadable"
    );
    for ok in [0, 5000] {
        assert_eq!(
            thumbnail(&mut failing(ok), 256).unwrap_err().code(),
            "media_unreadable"
        );
        assert_eq!(
            perceptual_hash(&mut failing(ok)).unwrap_err().code(),
            "media_unreadable"
        );
        assert_eq!(
            analyse_image(&mut failing(ok), 256).unwrap_err().code(),
            "media_unreadable"
        );
    }
    let mut out = Vec::new();
    assert_eq!(
        strip_metadata("image/jpeg", &mut failing(100), &mut out)
            .unwrap_err()
            .code(),
        "media_unreadable"
    );
}

#[test]
fn streams_are_read_from_their_start_whatever_their_position() {
    let data = std::fs::read(sample("jpg/Canon_40D.jpg")).unwrap();
    let mut c = Cursor::new(data);
    c.seek(SeekFrom::Start(1234)).unwrap();
    assert_eq!(sniff_reader(&mut c).unwrap().mime, "image/jpeg");
    c.seek(SeekFrom::End(0)).unwrap();
    let m = extract_metadata(&mut c, "image/jpeg").unwrap();
    assert_eq!(m.model.as_deref(), Some("Canon EOS 40D"));
    c.seek(SeekFrom::Start(77)).unwrap();
    let t = thumbnail(&mut c, 64).unwrap();
    // The same reader, used again: the same thumbnail.
    assert_eq!(t, thumbnail(&mut c, 64).unwrap());
}
