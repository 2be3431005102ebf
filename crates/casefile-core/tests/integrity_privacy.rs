//! What leaves the laptop: a public bundle publishes places to the settlement, photos without
//! their GPS, camera or owner, and no investigator's name; every bundle says what it carries and
//! withholds; and the custody log that travels with a prosecutor bundle cannot confirm a guessed
//! witness name.

use casefile_core::bundle::{
    export_case, verify_bundle, ExportOptions, ExportProfile, ExportReport,
};
use casefile_core::clock::TestClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::evidence::Acquisition;
use casefile_core::incidents::{IncidentInput, LocationPrecision};
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/exif-samples")
}

struct Case {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    lib: Library,
    id: String,
    witness: String,
}

const INVESTIGATOR: &str = "Olena Koval-Investigator";
const ORGANISATION: &str = "Truth Hounds Field Team";
const WITNESS: &str = "Iryna Hordiienko";

fn case() -> Case {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut lib = open(&tmp.path().join("lib"));
    lib.set_profile(INVESTIGATOR, ORGANISATION).unwrap();
    let id = lib
        .create_case(casefile_core::cases::NewCase {
            title: "Strike on a residential block".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    lib.create_incident(
        &id,
        IncidentInput {
            title: "Strike on 12 Prospekt Myru".into(),
            date: DateInput {
                precision: DatePrecision::Day,
                from: Some("2022-03-16".into()),
                ..Default::default()
            },
            place_name: "Flat 45, 12 Prospekt Myru".into(),
            settlement: "Mariupol".into(),
            latitude: Some(47.095713845239),
            longitude: Some(37.549218672110),
            location_precision: Some(LocationPrecision::Exact),
            ..Default::default()
        },
    )
    .unwrap();
    let acq = Acquisition {
        collected_by: INVESTIGATOR.into(),
        method: "own_capture".into(),
        ..Default::default()
    };
    let files = [
        samples().join("jpg/gps/DSCN0012.jpg"),
        samples().join("jpg/Canon_40D.jpg"),
        samples().join("heic/samplefilehub.heif"),
    ];
    let r = lib
        .add_evidence(&id, &files, &acq, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert_eq!(r.added.len(), 3, "{:?}", r.failed);
    let w = lib
        .create_person(
            &id,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    lib.set_identity(
        &w.id,
        Identity {
            real_name: WITNESS.into(),
            ..Default::default()
        },
    )
    .unwrap();
    lib.create_statement(
        &id,
        StatementInput {
            witness_id: w.id.clone(),
            text: "Я бачила удар.".into(),
            ..Default::default()
        },
    )
    .unwrap();
    Case {
        _tmp: tmp,
        out,
        lib,
        id,
        witness: w.id,
    }
}

fn export(c: &mut Case, profile: ExportProfile) -> (PathBuf, ExportReport) {
    let path = c.out.join(profile.as_str());
    let r = export_case(
        &mut c.lib,
        &c.id,
        &path,
        &ExportOptions::new(profile, false),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let v = verify_bundle(&path).unwrap();
    assert!(
        v.ok,
        "{} bundle must verify: {:#?}",
        profile.as_str(),
        v.problems
    );
    (path, r)
}

fn case_json(bag: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bag.join("data/case.json")).unwrap()).unwrap()
}

fn decimals(v: &Value) -> usize {
    v.to_string().split('.').nth(1).map(str::len).unwrap_or(0)
}

#[test]
fn a_public_bundle_publishes_places_to_the_settlement_and_photos_without_their_metadata() {
    let mut c = case();
    let (bag, report) = export(&mut c, ExportProfile::Public);
    let doc = case_json(&bag);

    let inc = &doc["incidents"][0];
    assert!(
        decimals(&inc["latitude"]) <= 2 && decimals(&inc["longitude"]) <= 2,
        "coarsened to about a kilometre: {inc}"
    );
    assert!((inc["latitude"].as_f64().unwrap() - 47.10).abs() < 1e-9);
    assert_eq!(
        inc["location_precision"], "locality",
        "the precision says what it now is"
    );
    assert_eq!(inc["place_name"], "", "a flat number is not published");
    assert_eq!(inc["settlement"], "Mariupol", "the settlement is");
    for e in doc["evidence"].as_array().unwrap() {
        let m = &e["metadata"];
        for k in [
            "gps_latitude",
            "gps_longitude",
            "gps_altitude",
            "gps_time",
            "make",
            "model",
        ] {
            assert!(
                m[k].is_null(),
                "{k} of {} is published: {m}",
                e["original_name"]
            );
        }
        if !e["latitude"].is_null() {
            assert!(decimals(&e["latitude"]) <= 2, "{e}");
        }
    }

    // No original: each photo as a copy without metadata, the HEIC (which cannot be cleaned)
    // withheld; every copy says which original it stands for.
    assert!(
        !bag.join("data/originals").exists(),
        "a public bundle carries no original with its metadata"
    );
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    for f in files {
        let original = f["derived_from"]
            .as_str()
            .expect("a copy names its original");
        assert!(doc["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["sha256"] == original));
        let copy = bag.join("data").join(f["path"].as_str().unwrap());
        assert!(f["path"].as_str().unwrap().starts_with("derived/"));
        let out = Command::new("exiftool")
            .args(["-j", "-G1", "-a"])
            .arg(&copy)
            .output()
            .expect("exiftool (libimage-exiftool-perl)");
        let tags = String::from_utf8_lossy(&out.stdout);
        for tag in [
            "GPSLatitude",
            "GPSLongitude",
            ":Make\"",
            ":Model\"",
            "SerialNumber",
            "Artist",
            "OwnerName",
        ] {
            assert!(
                !tags.contains(tag),
                "exiftool finds {tag} in the published copy: {tags}"
            );
        }
    }
    assert_eq!(
        doc["withheld_files"].as_array().unwrap().len(),
        1,
        "the HEIF cannot be cleaned, so it is withheld"
    );

    // No one is named.
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        !info.contains("Source-Organization") && !info.contains("Contact-Name"),
        "{info}"
    );
    for f in ["bag-info.txt", "data/case.json", "data/report.html"] {
        let text = std::fs::read_to_string(bag.join(f)).unwrap();
        for secret in [INVESTIGATOR, ORGANISATION, WITNESS, "Flat 45", "47.0957"] {
            assert!(!text.contains(secret), "{f} publishes {secret:?}");
        }
    }

    let s = &report.summary;
    assert_eq!(
        (
            s.originals_included,
            s.copies_without_metadata,
            s.originals_withheld
        ),
        (0, 2, 1),
        "{s:?}"
    );
    assert_eq!(s.locations, "coarsened");
    assert!(
        !s.investigator_named
            && !s.custody_log_included
            && s.identities_included == 0
            && s.identities_withheld == 1,
        "{s:?}"
    );
}

#[test]
fn every_bundle_says_what_it_carries_and_withholds() {
    let mut c = case();
    let (_, full) = export(&mut c, ExportProfile::Full);
    assert_eq!(
        (
            full.summary.identities_included,
            full.summary.identities_withheld
        ),
        (1, 0)
    );
    assert!(
        full.summary.investigator_named
            && full.summary.custody_log_included
            && full.summary.locations == "exact"
    );
    assert_eq!(full.summary.originals_included, full.originals);
    let (_, pros) = export(&mut c, ExportProfile::Prosecutor);
    assert_eq!(
        (
            pros.summary.identities_included,
            pros.summary.identities_withheld
        ),
        (0, 1),
        "no prosecution consent: the identity stays home"
    );
}

#[test]
fn the_custody_log_in_a_prosecutor_bundle_cannot_confirm_a_guessed_name() {
    let mut c = case();
    let (full, _) = export(&mut c, ExportProfile::Full);
    let (pros, _) = export(&mut c, ExportProfile::Prosecutor);
    let identity = case_json(&full)["identities"][0]
        .as_object()
        .unwrap()
        .clone();
    assert!(
        case_json(&pros)["identities"]
            .as_array()
            .unwrap()
            .is_empty(),
        "the identity is withheld"
    );
    let entries: Vec<Value> = std::fs::read_to_string(pros.join("data/custody.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let entry = entries
        .iter()
        .rev()
        .find(|e| e["record_type"] == "identity" && e["record_id"] == c.witness.as_str())
        .expect("the identity's entry travels");
    let logged = entry["digest"].as_str().unwrap();
    // Someone holding the prosecutor bundle guesses every field right, even the time it was
    // written: without the salt, which never leaves with the bundle, the digest does not match.
    let mut guess = identity.clone();
    assert!(
        guess
            .remove("salt")
            .is_some_and(|s| s.as_str().is_some_and(|s| s.len() == 32)),
        "identities are salted"
    );
    assert_ne!(
        casefile_core::store::digest_of_row(&guess),
        logged,
        "a guessed name can be tested against the digest"
    );
    assert_eq!(
        casefile_core::store::digest_of_row(&identity),
        logged,
        "with the row itself, the digest still verifies"
    );
}

#[test]
fn a_library_from_casefile_0_1_salts_its_identities_with_entries_that_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    std::fs::create_dir_all(&dir).unwrap();
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/library-0.1.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    std::io::copy(
        &mut archive.by_name("casefile.db").unwrap(),
        &mut std::fs::File::create(dir.join("casefile.db")).unwrap(),
    )
    .unwrap();
    let lib = open(&dir);
    let conn = casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false).unwrap();
    let (id, salt): (String, Option<String>) = conn
        .query_row("SELECT id, salt FROM person_identities", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(salt.is_some(), "the identity got a salt");
    let h = lib.history("identity", &id).unwrap();
    assert_eq!(h.last().unwrap().action, "salt", "an entry says so");
    let r = lib.audit_verify().unwrap();
    assert!(
        r.record_problems
            .iter()
            .all(|p| p.record_type != "identity"),
        "{r:#?}"
    );
}
