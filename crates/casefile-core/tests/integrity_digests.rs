//! Record digests that do not depend on how a decimal number is written: genuine evidence with GPS
//! positions, and incidents with coordinates of every length, survive export → verify → import →
//! export → verify; and a library written by Casefile 0.1 (whose digests were taken of numbers
//! read one unit in the last place off) is brought up to date with custody entries that say so,
//! without hiding a record that was really changed.

use casefile_core::bundle::{export_case, verify_bundle, ExportOptions, ExportProfile};
use casefile_core::clock::TestClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::evidence::Acquisition;
use casefile_core::incidents::{IncidentInput, LocationPrecision};
use casefile_core::Library;
mod common;
use common::legacy_library;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

use common::samples;

fn export(lib: &mut Library, case_id: &str, out: &Path) {
    export_case(
        lib,
        case_id,
        out,
        &ExportOptions::new(ExportProfile::Full, true),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
}

fn assert_verifies(path: &Path) {
    let r = verify_bundle(path).unwrap();
    assert!(
        r.ok,
        "a genuine bundle must verify; a false tamper claim is as bad as a missed forgery: {:#?}",
        r.problems
    );
}

/// Export, verify, import elsewhere, export again from there, verify, and import back.
fn round_trip(a: &mut Library, case_id: &str, work: &Path) {
    let first = work.join("first.zip");
    export(a, case_id, &first);
    assert_verifies(&first);
    let mut b = open(&work.join("b"));
    b.set_profile("HQ analyst", "HQ").unwrap();
    let r = b
        .import_bundle(&first, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert_eq!(
        r.counts.conflicts, 0,
        "a first import has nothing to conflict with"
    );
    assert!(
        b.audit_verify().unwrap().ok(),
        "the receiving library must audit clean: {:?}",
        b.audit_verify().unwrap()
    );
    let second = work.join("second.zip");
    export(&mut b, case_id, &second);
    assert_verifies(&second);
    let back = a
        .import_bundle(&second, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (back.counts.updated, back.counts.conflicts),
        (0, 0),
        "nothing changed on the way: {:?}",
        back.counts
    );
    assert!(a.audit_verify().unwrap().ok());
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_sample_photo_survives_a_round_trip_through_two_libraries() {
    let work = tempfile::tempdir().unwrap();
    let mut a = open(&work.path().join("a"));
    a.set_profile("Olena Koval", "Field team").unwrap();
    let case = a
        .create_case(casefile_core::cases::NewCase {
            title: "Every sample".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let mut files = Vec::new();
    all_files(&samples().join("jpg"), &mut files);
    all_files(&samples().join("heic"), &mut files);
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "own_capture".into(),
        ..Default::default()
    };
    let r = a
        .add_evidence(&case, &files, &acq, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert!(
        r.added.len() >= 25,
        "the shared samples hold dozens of photos: {}",
        r.added.len()
    );
    let with_gps = r
        .added
        .iter()
        .filter(|e| e.metadata.gps_latitude.is_some())
        .count();
    assert!(
        with_gps >= 3,
        "the samples include GPS-tagged photos (gps/DSCN0012.jpg among them): {with_gps}"
    );
    round_trip(&mut a, &case, work.path());
}

/// A small deterministic generator (xorshift), so a failure can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn thousands_of_random_coordinates_survive_a_round_trip() {
    let work = tempfile::tempdir().unwrap();
    let mut a = open(&work.path().join("a"));
    a.set_profile("Olena Koval", "Field team").unwrap();
    let case = a
        .create_case(casefile_core::cases::NewCase {
            title: "Coordinates".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut misread_before = 0;
    for i in 0..2000 {
        // Full precision, as a GPS export or a copied map link gives them, and every shorter length.
        let decimals = i % 16;
        let round = |v: f64| {
            if i % 4 == 0 {
                (v * 10f64.powi(decimals)).round() / 10f64.powi(decimals)
            } else {
                v
            }
        };
        let lat = round(44.0 + rng.unit() * 8.0);
        let lon = round(22.0 + rng.unit() * 18.0);
        if casefile_core::upgrade::legacy_float(lat) != lat
            || casefile_core::upgrade::legacy_float(lon) != lon
        {
            misread_before += 1;
        }
        a.create_incident(
            &case,
            IncidentInput {
                title: format!("Strike {i}"),
                date: DateInput {
                    precision: DatePrecision::Day,
                    from: Some("2022-03-16".into()),
                    ..Default::default()
                },
                latitude: Some(lat),
                longitude: Some(lon),
                location_precision: Some(LocationPrecision::Exact),
                ..Default::default()
            },
        )
        .unwrap();
    }
    assert!(
        misread_before > 100,
        "the test must include coordinates the old parser misread: {misread_before}"
    );
    round_trip(&mut a, &case, work.path());
}

fn actions(lib: &Library, rtype: &str, id: &str) -> Vec<String> {
    lib.history(rtype, id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[test]
fn a_library_from_casefile_0_1_is_redigested_with_entries_that_say_so() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("lib");
    legacy_library(&dir);
    let lib = open(&dir);
    let report = lib.audit_verify().unwrap();
    assert!(
        report.ok(),
        "an untouched library from 0.1 must audit clean after the upgrade: {report:?}"
    );
    let case = lib.list_cases().unwrap()[0].id.clone();
    let items = lib.evidence_rows(&case).unwrap();
    let gps = items
        .iter()
        .find(|e| e.original_name == "DSCN0012.jpg")
        .unwrap();
    let plain = items
        .iter()
        .find(|e| e.original_name == "Canon_40D.jpg")
        .unwrap();
    let history = lib.history("evidence", &gps.id).unwrap();
    let redigest = history
        .iter()
        .find(|e| e.action == "redigest")
        .expect("the GPS photo's digest was taken the old way: an entry must say it changed");
    let detail = redigest.detail.as_ref().unwrap();
    assert_eq!(
        detail["previous_digest"].as_str(),
        history[0].digest.as_deref(),
        "the entry names the digest it replaces, so the old log still reads"
    );
    assert!(
        redigest.actor.contains("upgrade"),
        "Casefile, not the investigator, made this entry: {}",
        redigest.actor
    );
    assert_eq!(
        actions(&lib, "evidence", &plain.id),
        ["intake"],
        "a record whose digest did not change gets no entry"
    );
    drop(lib);
    let lib = open(&dir);
    assert_eq!(
        actions(&lib, "evidence", &gps.id)
            .iter()
            .filter(|a| *a == "redigest")
            .count(),
        1,
        "the upgrade runs once"
    );
    drop(lib);
    let mut lib = open(&dir);
    round_trip(&mut lib, &case, work.path());
}

#[test]
fn the_upgrade_does_not_launder_a_record_changed_behind_casefiles_back() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("lib");
    legacy_library(&dir);
    {
        let conn = casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false).unwrap();
        let n = conn
            .execute(
                "UPDATE evidence SET description = 'planted' WHERE original_name = 'DSCN0012.jpg'",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let lib = open(&dir);
    let report = lib.audit_verify().unwrap();
    assert!(
        report
            .record_problems
            .iter()
            .any(|p| p.label == "DSCN0012.jpg"),
        "a record edited outside Casefile must still be reported after the upgrade: {report:?}"
    );
    let id = report
        .record_problems
        .iter()
        .find(|p| p.label == "DSCN0012.jpg")
        .unwrap()
        .record_id
        .clone();
    assert!(
        !actions(&lib, "evidence", &id).contains(&"redigest".to_string()),
        "no re-digest may cover a real change"
    );
}
