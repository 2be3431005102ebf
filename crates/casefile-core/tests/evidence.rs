//! Evidence intake on real files: the sample photos, duplicates, broken and odd files, and the
//! vault's promises (bit-for-bit originals, read-only, one copy per content).

use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::evidence::{plan_files, run_ingest, Acquisition, EvidenceEdit};
use casefile_core::Library;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/exif-samples")
}

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn case(lib: &mut Library, title: &str) -> String {
    lib.create_case(NewCase {
        title: title.into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn add(
    lib: &mut Library,
    case_id: &str,
    paths: &[PathBuf],
) -> casefile_core::evidence::IngestReport {
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "received".into(),
        source_description: "Telegram".into(),
        ..Default::default()
    };
    lib.add_evidence(case_id, paths, &acq, &AtomicBool::new(false), &mut |_| {})
        .unwrap()
}

fn sha256_of(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

#[test]
fn sample_photos_are_recorded_with_the_metadata_exiftool_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Samples");
    let report = add(&mut lib, &c, &[samples()]);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let reference: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(samples().join("../exif-samples.exiftool.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for r in &reference {
        let rel = format!(
            "exif-samples/{}",
            r["SourceFile"].as_str().unwrap().trim_start_matches("./")
        );
        let item = report
            .added
            .iter()
            .find(|e| e.relative_path == rel)
            .unwrap_or_else(|| panic!("{rel} was not taken in"));
        let m = &item.metadata;
        let ctx = |f: &str| format!("{rel}: {f}");
        if let Some(t) = r["DateTimeOriginal"].as_str() {
            let expected = t.replacen(':', "-", 2).replacen(' ', "T", 1);
            assert_eq!(
                item.capture_time.as_deref(),
                Some(expected.as_str()),
                "{}",
                ctx("capture time")
            );
        }
        for (key, got) in [
            ("GPSLatitude", item.latitude),
            ("GPSLongitude", item.longitude),
            ("GPSAltitude", m.gps_altitude),
        ] {
            if let Some(v) = r[key].as_f64() {
                assert!(
                    (got.unwrap_or(f64::NAN) - v).abs() < 1e-6,
                    "{}: {got:?} vs {v}",
                    ctx(key)
                );
            }
        }
        if let Some(v) = r["Make"].as_str() {
            assert_eq!(m.make.as_deref(), Some(v.trim()), "{}", ctx("make"));
        }
        if let Some(v) = r["Model"].as_str() {
            assert_eq!(m.model.as_deref(), Some(v.trim()), "{}", ctx("model"));
        }
        if let Some(v) = r["Orientation"].as_u64() {
            assert_eq!(m.orientation, Some(v as u16), "{}", ctx("orientation"));
        }
        if let (Some(w), Some(h)) = (r["ImageWidth"].as_u64(), r["ImageHeight"].as_u64()) {
            assert_eq!(
                (m.width, m.height),
                (Some(w as u32), Some(h as u32)),
                "{}",
                ctx("pixel size")
            );
        }
        assert_eq!(
            item.sha256,
            sha256_of(&samples().join(rel.trim_start_matches("exif-samples/"))),
            "{}",
            ctx("sha256")
        );
        checked += 1;
    }
    assert_eq!(checked, reference.len());

    // The GPS samples: camera clock and GPS disagree by about a day, and that is flagged.
    let gps: Vec<_> = report
        .added
        .iter()
        .filter(|e| e.relative_path.contains("/gps/") && e.media_type == "image/jpeg")
        .collect();
    assert_eq!(gps.len(), 4);
    assert!(
        gps.iter().all(|e| e.metadata.clock_gps_mismatch),
        "every gps sample is flagged"
    );

    // Acquisition is recorded with each item, and intake is in the custody log.
    let first = &report.added[0];
    assert_eq!(
        (first.collected_by.as_str(), first.method.as_str()),
        ("O. Koval", "received")
    );
    let h = lib.history("evidence", &first.id).unwrap();
    assert_eq!(h[0].action, "intake");
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn the_vault_keeps_one_read_only_bit_for_bit_copy_per_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let a = case(&mut lib, "A");
    let b = case(&mut lib, "B");
    let photo = samples().join("jpg/gps/DSCN0010.jpg");
    let r1 = add(&mut lib, &a, std::slice::from_ref(&photo));
    assert_eq!((r1.added.len(), r1.new_vault_files), (1, 1));
    let item = &r1.added[0];

    let stored = lib.vault().original_path_for_tests(&item.sha256);
    let mut kept = Vec::new();
    std::io::Read::read_to_end(
        &mut lib.vault().open_original(&item.sha256).unwrap(),
        &mut kept,
    )
    .unwrap();
    assert_eq!(
        kept,
        std::fs::read(&photo).unwrap(),
        "the original is kept bit for bit"
    );
    let on_disk = std::fs::read(&stored).unwrap();
    assert!(
        on_disk.starts_with(b"age-encryption.org/v1\n"),
        "sealed with age"
    );
    assert!(
        !on_disk.windows(64).any(|w| w == &kept[4096..4160]),
        "nothing of the photo is readable on disk"
    );
    assert!(
        !stored.to_string_lossy().contains(&item.sha256),
        "the file name does not give the hash away"
    );
    assert!(
        std::fs::metadata(&stored).unwrap().permissions().readonly(),
        "originals are read-only"
    );
    assert!(lib.vault().verify(&item.sha256).unwrap());

    // Again into the same case: reported, nothing linked twice.
    let r2 = add(&mut lib, &a, std::slice::from_ref(&photo));
    assert_eq!(r2.added.len(), 0);
    assert_eq!(r2.already_in_case.len(), 1);
    assert_eq!(r2.already_in_case[0].evidence_id, item.id);
    assert_eq!(lib.evidence_rows(&a).unwrap().len(), 1);

    // Into another case: a new item, the same vault file.
    let r3 = add(&mut lib, &b, &[photo]);
    assert_eq!(
        (r3.added.len(), r3.new_vault_files),
        (1, 0),
        "another case reuses the stored original"
    );
    let files: usize = walk_count(&dir.path().join("vault/sealed"));
    assert_eq!(files, 1, "one vault file for one content");
    assert!(
        std::fs::read_dir(dir.path().join("vault/tmp"))
            .unwrap()
            .next()
            .is_none(),
        "no temp files are left"
    );
}

fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk_count(&p)
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn broken_empty_and_odd_files_are_taken_in_and_marked_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Odd files");
    std::fs::copy(
        samples().join("jpg/corrupted.jpg"),
        src.path().join("corrupted.jpg"),
    )
    .unwrap();
    std::fs::write(src.path().join("empty.jpg"), b"").unwrap();
    // A JPEG named .png is sniffed by content.
    std::fs::copy(
        samples().join("jpg/Canon_40D.jpg"),
        src.path().join("really-a-jpeg.png"),
    )
    .unwrap();
    std::fs::write(src.path().join("notes.txt"), "Свідок бачив вибух.").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", src.path().join("link-to-elsewhere")).unwrap();

    let report = add(
        &mut lib,
        &c,
        &[src.path().to_path_buf(), PathBuf::from("/no/such/file.jpg")],
    );
    let names: Vec<&str> = report
        .added
        .iter()
        .map(|e| e.original_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "corrupted.jpg",
            "empty.jpg",
            "notes.txt",
            "really-a-jpeg.png"
        ]
    );
    let by = |n: &str| report.added.iter().find(|e| e.original_name == n).unwrap();
    assert_eq!(
        by("really-a-jpeg.png").media_type,
        "image/jpeg",
        "media type comes from content"
    );
    assert_eq!(by("empty.jpg").size, 0);
    assert_eq!(
        by("empty.jpg").sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(report.failed.len(), 2, "{:?}", report.failed);
    assert!(report
        .failed
        .iter()
        .any(|f| f.path.ends_with("link-to-elsewhere") && f.message.contains("not followed")));
    assert!(report
        .failed
        .iter()
        .any(|f| f.path == "/no/such/file.jpg" && f.code == "io"));

    lib.analyse_pending(&mut |_, _| {}).unwrap();
    let state = |n: &str| lib.analysis(&by(n).sha256).unwrap().unwrap();
    assert_eq!(state("corrupted.jpg").status, "undecodable");
    assert_eq!(state("corrupted.jpg").message, "could not be decoded");
    assert_eq!(
        state("empty.jpg").status,
        "unsupported",
        "an empty file is not an image at all"
    );
    assert_eq!(state("really-a-jpeg.png").status, "ok");
    assert!(lib
        .thumbnail(&by("really-a-jpeg.png").id)
        .unwrap()
        .is_some());
    assert!(
        lib.thumbnail(&by("corrupted.jpg").id).unwrap().is_none(),
        "no thumbnail: the UI shows a placeholder"
    );
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn a_file_that_vanishes_mid_batch_is_listed_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Vanishing");
    for i in 0..5 {
        std::fs::write(src.path().join(format!("f{i}.bin")), vec![i as u8; 10_000]).unwrap();
    }
    let (files, failed) = plan_files(&[src.path().to_path_buf()]);
    assert!(failed.is_empty());
    std::fs::remove_file(src.path().join("f2.bin")).unwrap();
    let vault = lib.vault().clone();
    let acq = Acquisition::default();
    let report = run_ingest(
        &vault,
        files,
        &AtomicBool::new(false),
        &mut |_| {},
        &mut |b| lib.record_batch(&c, &acq, b),
    )
    .unwrap();
    assert_eq!(report.added.len(), 4);
    assert_eq!(report.failed.len(), 1);
    assert!(report.failed[0].path.ends_with("f2.bin"));
}

#[test]
fn a_cancelled_batch_keeps_the_whole_files_and_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Cancel");
    for i in 0..6 {
        std::fs::write(src.path().join(format!("f{i}.bin")), vec![i as u8; 3 << 20]).unwrap();
    }
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let report = lib
        .add_evidence(
            &c,
            &[src.path().to_path_buf()],
            &Acquisition::default(),
            &cancel,
            &mut |p| {
                seen = p.files_done;
                if p.files_done == 3 {
                    cancel.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            },
        )
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.added.len(), 3, "the three whole files are kept");
    assert!(seen >= 3);
    assert!(
        std::fs::read_dir(dir.path().join("vault/tmp"))
            .unwrap()
            .next()
            .is_none(),
        "the interrupted copy is removed"
    );
    // Running the import again finishes the rest.
    let again = add(&mut lib, &c, &[src.path().to_path_buf()]);
    assert_eq!((again.added.len(), again.already_in_case.len()), (3, 3));
}

#[test]
fn acquisition_and_assessment_edits_are_checked_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Edits");
    let bad = Acquisition {
        method: "downloaded".into(),
        ..Default::default()
    };
    let err = lib
        .add_evidence(
            &c,
            &[samples().join("jpg/Canon_40D.jpg")],
            &bad,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("source_url"), "a download needs its URL");
    assert!(
        lib.evidence_rows(&c).unwrap().is_empty(),
        "a refused batch takes in nothing"
    );

    let r = add(&mut lib, &c, &[samples().join("jpg/Canon_40D.jpg")]);
    let id = &r.added[0].id;
    let e = lib
        .edit_evidence(
            id,
            EvidenceEdit {
                graphic: Some(true),
                verification_status: Some("verified".into()),
                acquisition: Some(Acquisition {
                    method: "downloaded".into(),
                    source_url: "https://t.me/s/example/123".into(),
                    collected_at: "2022-03-10".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(e.graphic);
    assert_eq!(e.source_url, "https://t.me/s/example/123");
    let h = lib.history("evidence", id).unwrap();
    assert_eq!(h.last().unwrap().action, "edit");
    let mut changed: Vec<String> =
        serde_json::from_value(h.last().unwrap().detail.as_ref().unwrap()["changed"].clone())
            .unwrap();
    changed.sort();
    // The acquisition record is replaced as a whole: the fields it no longer has changed too.
    assert_eq!(
        changed,
        [
            "collected_at",
            "collected_by",
            "graphic",
            "method",
            "source_description",
            "source_url",
            "verification_status"
        ]
    );
    let err = lib
        .edit_evidence(
            id,
            EvidenceEdit {
                verification_status: Some("probably".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("verification_status"));
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn a_resized_recompressed_copy_is_a_possible_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Dups");
    let original = samples().join("jpg/gps/DSCN0010.jpg");
    // Re-share it: decode, halve, recompress.
    let img = image_like_reshare(&original, &src.path().join("reshared.jpg"));
    assert!(img);
    let r = add(
        &mut lib,
        &c,
        &[
            original,
            src.path().join("reshared.jpg"),
            samples().join("jpg/Canon_40D.jpg"),
        ],
    );
    assert_eq!(r.added.len(), 3);
    lib.analyse_pending(&mut |_, _| {}).unwrap();
    let pairs = lib.possible_duplicates(None).unwrap();
    assert_eq!(
        pairs.len(),
        1,
        "only the re-shared copy pairs with its original: {pairs:?}"
    );
    let names = [
        pairs[0].a.original_name.as_str(),
        pairs[0].b.original_name.as_str(),
    ];
    assert!(names.contains(&"DSCN0010.jpg") && names.contains(&"reshared.jpg"));
    let of = lib.duplicates_of(&r.added[0].id).unwrap();
    assert_eq!(of.len(), 1);
}

/// Makes a smaller, recompressed copy with the `sips`-like path every messenger uses:
/// decode with the media crate's thumbnailer at half size.
fn image_like_reshare(src: &Path, dst: &Path) -> bool {
    let t = casefile_media::thumbnail(&mut std::fs::File::open(src).unwrap(), 320).unwrap();
    std::fs::write(dst, t.bytes).is_ok()
}
