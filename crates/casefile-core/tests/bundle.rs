//! Handover stories: a round trip into a fresh library, two field laptops merging at
//! headquarters (with a conflict), and what each export profile leaves out, field by field.

use casefile_core::bundle::{export_case, verify_bundle, ExportOptions, ExportProfile};
use casefile_core::clock::TestClock;
use casefile_core::evidence::{Acquisition, EvidenceEdit};
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::{ConsentInput, ConsentPurpose, StatementInput};
use casefile_core::Library;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/exif-samples/jpg")
        .join(name)
}

fn export(lib: &mut Library, case_id: &str, out: &Path, profile: ExportProfile, zip: bool) {
    export_case(
        lib,
        case_id,
        out,
        &ExportOptions::new(profile, zip),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
}

fn import(lib: &mut Library, path: &Path) -> casefile_core::bundle::ImportReport {
    if lib.profile().unwrap().is_none() {
        lib.set_profile("Receiving investigator", "HQ").unwrap();
    }
    lib.import_bundle(path, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap()
}

fn dump(dir: &Path, sql: &str) -> Vec<String> {
    let conn = casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

/// A case with every kind of record and two real photos.
fn build(lib: &mut Library) -> String {
    lib.set_profile("Olena Koval", "Field team 2").unwrap();
    let case = lib.load_sample().unwrap().id;
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "own_capture".into(),
        ..Default::default()
    };
    lib.add_evidence(
        &case,
        &[photo("gps/DSCN0010.jpg"), photo("Canon_40D.jpg")],
        &acq,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    let w = lib
        .create_person(
            &case,
            PersonInput {
                roles: vec!["witness".into()],
                description: "Nurse at the hospital".into(),
                ..Default::default()
            },
        )
        .unwrap();
    lib.set_identity(
        &w.id,
        Identity {
            real_name: "Iryna Hordiienko".into(),
            contact: "+380 00 111 2233".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let st = lib
        .create_statement(
            &case,
            StatementInput {
                witness_id: w.id.clone(),
                text: "Я бачила, як впала бомба.".into(),
                interviewer: "O. Koval".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let mut edit = st.to_input();
    edit.text.push_str(" Потім — пожежа.");
    lib.edit_statement(&st.id, edit).unwrap();
    lib.set_consent(
        &st.id,
        ConsentInput {
            purpose: ConsentPurpose::Storage,
            granted: true,
            given_on: "2022-04-01".into(),
            method: "signed".into(),
        },
    )
    .unwrap();
    let ev = lib.evidence_rows(&case).unwrap();
    let hospital = lib.list_incidents(&case).unwrap()[0].id.clone();
    lib.link("evidence", &ev[0].id, "depicts", "incident", &hospital, "")
        .unwrap();
    case
}

#[test]
fn a_round_trip_into_a_fresh_library_keeps_every_record_link_file_and_custody_entry() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut a = open(a_dir.path());
    let case = build(&mut a);
    let bag = out.path().join("case.zip");
    export(&mut a, &case, &bag, ExportProfile::Full, true);
    let v = verify_bundle(&bag).unwrap();
    assert!(v.ok, "{:?}", v.problems);
    assert_eq!(
        v.signed_by.as_deref(),
        Some(a.key_info().unwrap().fingerprint.as_str())
    );

    let mut b = open(b_dir.path());
    let r = import(&mut b, &bag);
    assert_eq!(r.counts.conflicts, 0);
    assert_eq!(r.originals_added, 2);
    drop(a);

    // Every record equal, column for column (the export entry aside, A's log is B's imported log).
    for table in [
        "cases",
        "incidents",
        "persons",
        "person_identities",
        "units",
        "acts",
        "involvements",
        "statements",
        "statement_versions",
        "consents",
        "links",
        "evidence",
    ] {
        let sql = format!("SELECT * FROM {table} ORDER BY rowid");
        assert_eq!(
            dump(a_dir.path(), &sql),
            dump(b_dir.path(), &sql),
            "{table} differs after the round trip"
        );
    }
    let a_log = dump(a_dir.path(), "SELECT hash FROM custody_log WHERE case_id IS NOT NULL AND action <> 'export' ORDER BY case_seq");
    let b_got = dump(
        b_dir.path(),
        "SELECT hash FROM imported_custody ORDER BY case_seq",
    );
    assert_eq!(
        a_log, b_got,
        "every custody entry of the case arrived, in order"
    );
    // The files are the same bytes.
    for e in b.evidence_rows(&case).unwrap() {
        assert!(b.vault().verify(&e.sha256).unwrap());
    }
    assert!(
        b.audit_verify().unwrap().ok(),
        "the receiving library's own log verifies"
    );
    let h = b.history("case", &case).unwrap();
    assert!(
        h.iter().any(|e| e.action == "import_bundle"),
        "the import is itself a custody entry"
    );

    // Importing the same bundle again changes nothing.
    let before = dump(b_dir.path(), "SELECT count(*) FROM custody_log");
    let again = import(&mut b, &bag);
    assert!(again.already_up_to_date);
    assert_eq!(
        before,
        dump(b_dir.path(), "SELECT count(*) FROM custody_log")
    );
}

#[test]
fn two_field_libraries_merge_at_headquarters_and_a_conflicting_edit_is_kept() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let out = tempfile::tempdir().unwrap();
    let bag = |n: &str| out.path().join(n);
    let mut origin = open(dirs[0].path());
    let case = build(&mut origin);
    export(&mut origin, &case, &bag("e0"), ExportProfile::Full, false);

    let mut field1 = open(dirs[1].path());
    let mut field2 = open(dirs[2].path());
    import(&mut field1, &bag("e0"));
    import(&mut field2, &bag("e0"));
    // Different parts of the case change in the field.
    let inc = field1.list_incidents(&case).unwrap()[1].clone();
    let mut i_in = inc.to_input();
    i_in.description
        .push_str(" Field 1: two more witnesses found.");
    field1.edit_incident(&inc.id, i_in).unwrap();
    let st = field2
        .list_statements(&case)
        .unwrap()
        .into_iter()
        .find(|s| s.text.starts_with("Я бачила"))
        .unwrap();
    let mut s_in = st.to_input();
    s_in.reliability = "high".into();
    field2.edit_statement(&st.id, s_in).unwrap();
    export(&mut field1, &case, &bag("e1"), ExportProfile::Full, true);
    export(&mut field2, &case, &bag("e2"), ExportProfile::Full, false);

    let mut hq = open(dirs[3].path());
    let r1 = import(&mut hq, &bag("e1"));
    assert_eq!(r1.counts.conflicts, 0);
    assert_eq!(
        r1.origin_key.as_deref(),
        Some(origin.key_info().unwrap().fingerprint.as_str()),
        "the case's origin is the laptop that created it"
    );
    // Field 2's key is not one HQ has trusted for this case: its changes are held, not applied.
    let held = import(&mut hq, &bag("e2"));
    assert!(
        !held.trusted && held.counts.updated == 0 && held.counts.conflicts >= 1,
        "{held:?}"
    );
    assert_ne!(
        hq.get_statement(&st.id).unwrap().reliability,
        "high",
        "an untrusted key changed nothing"
    );
    hq.trust_key(
        &case,
        &field2.key_info().unwrap().fingerprint,
        "field team 2; fingerprint read out by phone",
    )
    .unwrap();
    let r2 = import(&mut hq, &bag("e2"));
    assert_eq!(r2.counts.conflicts, 0, "{:?}", r2.counts);
    assert!(
        r2.counts.kept_local >= 1,
        "field 1's newer incident is kept, not reverted by field 2's older copy"
    );
    assert_eq!(r2.counts.updated, 1, "field 2's statement edit is applied");
    assert!(hq
        .get_incident(&inc.id)
        .unwrap()
        .description
        .ends_with("two more witnesses found."));
    assert_eq!(hq.get_statement(&st.id).unwrap().reliability, "high");
    assert_eq!(
        hq.statement_versions(&st.id).unwrap().len(),
        3,
        "the statement's versions came along"
    );

    // Now both edit the same incident: the second import keeps ours and records a conflict.
    let mut a = field1.get_incident(&inc.id).unwrap().to_input();
    a.title = "Strike on the Drama Theatre (field 1 wording)".into();
    field1.edit_incident(&inc.id, a).unwrap();
    field2
        .trust_key(
            &case,
            &field1.key_info().unwrap().fingerprint,
            "field team 1",
        )
        .unwrap();
    import(&mut field2, &bag("e1"));
    let mut b = field2.get_incident(&inc.id).unwrap().to_input();
    b.title = "Strike on the Drama Theatre (field 2 wording)".into();
    field2.edit_incident(&inc.id, b).unwrap();
    export(&mut field1, &case, &bag("e3"), ExportProfile::Full, false);
    export(&mut field2, &case, &bag("e4"), ExportProfile::Full, false);
    import(&mut hq, &bag("e3"));
    let r = import(&mut hq, &bag("e4"));
    assert_eq!(r.counts.conflicts, 1);
    assert_eq!(
        hq.get_incident(&inc.id).unwrap().title,
        "Strike on the Drama Theatre (field 1 wording)",
        "nothing is silently overwritten"
    );
    let conflicts: Vec<_> = hq
        .conflicts(&case)
        .unwrap()
        .into_iter()
        .filter(|c| c.resolved_at.is_none())
        .collect();
    assert_eq!(
        conflicts.len(),
        1,
        "the change held from field 2 before HQ trusted it was resolved by the trusted import"
    );
    assert_eq!(
        conflicts[0].incoming["title"],
        "Strike on the Drama Theatre (field 2 wording)"
    );
    assert_eq!(
        import(&mut hq, &bag("e4")).counts.conflicts,
        0,
        "the same conflict is not recorded twice"
    );

    hq.resolve_conflict(&conflicts[0].id, true).unwrap();
    assert_eq!(
        hq.get_incident(&inc.id).unwrap().title,
        "Strike on the Drama Theatre (field 2 wording)"
    );
    assert!(hq
        .conflicts(&case)
        .unwrap()
        .iter()
        .all(|c| c.resolved_at.is_some()));
    assert!(hq.audit_verify().unwrap().ok());
}

fn case_json(bag: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(bag.join("data/case.json")).unwrap()).unwrap()
}

#[test]
fn each_profile_leaves_out_what_it_must_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = build(&mut lib);
    // A second witness who consents to prosecution and publication.
    let w2 = lib
        .create_person(
            &case,
            PersonInput {
                roles: vec!["witness".into()],
                description: "Teacher".into(),
                gender: "f".into(),
                ..Default::default()
            },
        )
        .unwrap();
    lib.set_identity(
        &w2.id,
        Identity {
            real_name: "Consenting Witness".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let s2 = lib
        .create_statement(
            &case,
            StatementInput {
                witness_id: w2.id.clone(),
                text: "Public text".into(),
                interviewer: "O. Koval".into(),
                interview_place: "Kharkiv, flat 4".into(),
                ..Default::default()
            },
        )
        .unwrap();
    for p in [ConsentPurpose::Prosecution, ConsentPurpose::Publication] {
        lib.set_consent(
            &s2.id,
            ConsentInput {
                purpose: p,
                granted: true,
                given_on: "2022-04-02".into(),
                method: "signed".into(),
            },
        )
        .unwrap();
    }
    // One photo's location must not be published.
    let gps = lib
        .evidence_rows(&case)
        .unwrap()
        .into_iter()
        .find(|e| e.original_name == "DSCN0010.jpg")
        .unwrap();
    lib.edit_evidence(
        &gps.id,
        EvidenceEdit {
            location_sensitive: Some(true),
            ..Default::default()
        },
    )
    .unwrap();

    for p in [
        ExportProfile::Full,
        ExportProfile::Prosecutor,
        ExportProfile::Public,
    ] {
        export(&mut lib, &case, &out.path().join(p.as_str()), p, false);
        let v = verify_bundle(&out.path().join(p.as_str())).unwrap();
        assert!(v.ok, "{} bundle verifies: {:?}", p.as_str(), v.problems);
    }
    let full = case_json(&out.path().join("full"));
    let pros = case_json(&out.path().join("prosecutor"));
    let public = case_json(&out.path().join("public"));
    let names = |d: &serde_json::Value| -> Vec<String> {
        d["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["real_name"].as_str().unwrap().to_string())
            .collect()
    };

    // full: everything.
    assert!(names(&full).contains(&"Iryna Hordiienko".to_string()));
    assert!(names(&full).contains(&"Consenting Witness".to_string()));
    assert!(std::fs::read_to_string(out.path().join("full/data/custody.jsonl")).is_ok());

    // prosecutor: only the identities of witnesses who consented to sharing with prosecutors
    // (the sample's two public officials did; the nurse did not).
    assert_eq!(
        names(&pros),
        [
            "Antony J. Blinken",
            "Beth Van Schaack",
            "Consenting Witness"
        ]
    );
    assert_eq!(
        pros["statements"].as_array().unwrap().len(),
        full["statements"].as_array().unwrap().len(),
        "statements are kept"
    );
    let raw = std::fs::read_to_string(out.path().join("prosecutor/data/case.json")).unwrap();
    assert!(
        !raw.contains("Iryna Hordiienko") && !raw.contains("+380 00 111 2233"),
        "no trace of the non-consenting witness's identity"
    );

    // public: pseudonyms only, nothing restricted, only statements with publication consent,
    // no GPS (nor original) of the sensitive item, no custody log.
    assert!(public["identities"].as_array().unwrap().is_empty());
    let raw = std::fs::read_to_string(out.path().join("public/data/case.json")).unwrap();
    for secret in [
        "Iryna Hordiienko",
        "Consenting Witness",
        "Я бачила",
        "Nurse at the hospital",
        "Teacher",
        "Kharkiv, flat 4",
        "O. Koval\"",
    ] {
        assert!(
            !raw.contains(secret),
            "the public bundle must not contain {secret:?}"
        );
    }
    let sts = public["statements"].as_array().unwrap();
    assert_eq!(
        sts.len(),
        3,
        "the two sample statements (published) and the consenting witness's"
    );
    assert!(sts.iter().all(|s| s["interviewer"] == ""
        && s["interpreter"] == ""
        && s["others_present"] == ""
        && s["interview_place"] == ""));
    assert!(
        public["statement_versions"].as_array().unwrap().is_empty(),
        "earlier versions may hold what was redacted"
    );
    for p in public["persons"].as_array().unwrap() {
        assert_eq!(
            (
                p["description"].as_str(),
                p["gender"].as_str(),
                p["age_group"].as_str()
            ),
            (Some(""), Some(""), Some(""))
        );
        assert!(p["pseudonym"].as_str().is_some_and(|s| !s.is_empty()));
    }
    let ev = public["evidence"].as_array().unwrap();
    let sensitive = ev.iter().find(|e| e["id"] == gps.id.as_str()).unwrap();
    assert!(sensitive["latitude"].is_null() && sensitive["longitude"].is_null());
    assert!(
        sensitive["metadata"]["gps_latitude"].is_null()
            && sensitive["metadata"]["gps_time"].is_null()
    );
    assert_eq!(public["withheld_files"], serde_json::json!([gps.sha256]));
    assert!(
        !out.path()
            .join(format!("public/data/originals/{}.jpg", gps.sha256))
            .exists(),
        "its original (with GPS in its EXIF) is withheld"
    );
    let other = ev
        .iter()
        .find(|e| e["id"] != gps.id.as_str() && e["media_type"] == "image/jpeg")
        .unwrap();
    assert!(other["source_path"] == "", "local paths are left out");
    assert!(!out.path().join("public/data/custody.jsonl").exists());
    let links = public["links"].as_array().unwrap();
    let ids: Vec<&str> = sts.iter().map(|s| s["id"].as_str().unwrap()).collect();
    for l in links {
        for end in ["from_id", "to_id"] {
            let id = l[end].as_str().unwrap();
            assert!(
                ids.contains(&id)
                    || ["incidents", "persons", "units", "acts", "evidence"]
                        .iter()
                        .any(|k| public[k].as_array().unwrap().iter().any(|r| r["id"] == id)),
                "a link points at a record that was left out"
            );
        }
    }
}

#[test]
fn a_case_whose_reference_code_is_taken_here_is_refused_with_the_reason() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut a = open(a_dir.path());
    let case = a.load_sample().unwrap().id;
    let bag = out.path().join("sample");
    export(&mut a, &case, &bag, ExportProfile::Full, false);
    // The receiver has a case of its own under the same reference code.
    let mut b = open(b_dir.path());
    b.set_profile("HQ", "").unwrap();
    b.load_sample().unwrap();
    let before = dump(b_dir.path(), "SELECT count(*) FROM custody_log");
    let err = b
        .import_bundle(&bag, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("invalid_input", Some("reference")),
        "{err}"
    );
    assert!(
        err.to_string().contains("SAMPLE-UA-MAR-2022"),
        "the message names the reference: {err}"
    );
    assert_eq!(
        before,
        dump(b_dir.path(), "SELECT count(*) FROM custody_log"),
        "nothing was imported"
    );
}
