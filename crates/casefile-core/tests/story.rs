//! A whole investigation through the core API: a case with incidents, people (with a restricted
//! identity), a unit, acts, statements with consent and versions, links, a soft delete and
//! restore; then the custody chain verifies and everything reads back after reopening. And the
//! two ways of tampering the audit must catch.

use casefile_core::acts::{ActInput, InvolvementInput};
use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::incidents::{Casualty, IncidentInput, LocationPrecision};
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::{
    ConsentInput, ConsentPurpose, ConsentState, StatementInput, Translation,
};
use casefile_core::units::UnitInput;
use casefile_core::Library;
use std::path::Path;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

#[test]
fn an_investigation_from_first_note_to_verified_custody() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    lib.set_profile("Olena Koval", "Field team 2").unwrap();
    let case = lib
        .create_case(NewCase {
            title: "Shelling of Saltivka".into(),
            reference: Some("UA-KH-014".into()),
            description: String::new(),
        })
        .unwrap();
    let cid = case.id.as_str();

    // "Some time in March 2022" and "9 March 2022, about 15:00 local time", both stored honestly.
    let vague = lib
        .create_incident(
            cid,
            IncidentInput {
                title: "Strike on apartment block 12".into(),
                date: DateInput {
                    precision: DatePrecision::Month,
                    from: Some("2022-03".into()),
                    ..Default::default()
                },
                place_name: "Saltivka".into(),
                oblast: "Kharkiv".into(),
                types: vec!["attack_residential".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(vague.date_lo.as_deref(), Some("2022-03-01T00:00:00"));
    assert_eq!(vague.date_hi.as_deref(), Some("2022-03-31T23:59:59"));
    let exact = lib
        .create_incident(
            cid,
            IncidentInput {
                title: "Shelling of school No. 134".into(),
                date: DateInput {
                    precision: DatePrecision::Exact,
                    from: Some("2022-03-09T15:00".into()),
                    to: None,
                    timezone: Some("Europe/Kyiv".into()),
                },
                place_name: "School No. 134".into(),
                country: "Ukraine".into(),
                oblast: "Kharkiv".into(),
                raion: "Kharkiv".into(),
                settlement: "Kharkiv".into(),
                latitude: Some(50.0333),
                longitude: Some(36.3550),
                location_precision: Some(LocationPrecision::Vicinity),
                types: vec!["attack_school".into(), "indiscriminate_attack".into()],
                protected_objects: vec!["school".into()],
                weapons: vec!["mlrs".into()],
                violation_status: Some("likely".into()),
                casualties: vec![Casualty {
                    kind: "injured".into(),
                    total: Some(2),
                    civilians: Some(2),
                    children: Some(1),
                    reported_by: "Regional administration".into(),
                }],
                tags: vec!["school".into(), "Kharkiv".into()],
                ..Default::default()
            },
        )
        .unwrap();

    // Invalid input is refused precisely and writes nothing.
    let bad = lib.create_incident(
        cid,
        IncidentInput {
            title: "x".into(),
            latitude: Some(91.0),
            longitude: Some(0.0),
            ..Default::default()
        },
    );
    assert_eq!(bad.unwrap_err().field(), Some("latitude"));
    let bad = lib.create_incident(
        cid,
        IncidentInput {
            title: "x".into(),
            types: vec!["made_up".into()],
            ..Default::default()
        },
    );
    assert_eq!(
        bad.unwrap_err().field(),
        Some("types"),
        "types come from the vocabulary"
    );
    assert_eq!(lib.list_incidents(cid).unwrap().len(), 2);

    let witness = lib
        .create_person(
            cid,
            PersonInput {
                roles: vec!["witness".into()],
                description: "Teacher at the school".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        witness.pseudonym, "W-001",
        "a pseudonym is generated from the role"
    );
    lib.set_identity(
        &witness.id,
        Identity {
            real_name: "Halyna Petrenko".into(),
            contact: "+380 00 000 0000".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let victim = lib
        .create_person(
            cid,
            PersonInput {
                roles: vec!["victim".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let unit = lib
        .create_unit(
            cid,
            UnitInput {
                name: "Unidentified MLRS battery".into(),
                kind: "military_unit".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let act = lib
        .create_act(
            cid,
            ActInput {
                incident_id: exact.id.clone(),
                victim_person_id: Some(victim.id.clone()),
                act_type: "injury".into(),
                consequences: "Shrapnel wounds".into(),
                ..Default::default()
            },
        )
        .unwrap();
    lib.create_involvement(
        cid,
        InvolvementInput {
            perpetrator_unit_id: Some(unit.id.clone()),
            act_id: Some(act.id.clone()),
            degree: "direct".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        lib.list_involvements(&exact.id).unwrap().len(),
        1,
        "an involvement in an act counts for its incident"
    );

    // The identity stays out of everything but the explicit reveal.
    let listed = serde_json::to_string(&lib.list_persons(cid).unwrap()).unwrap();
    assert!(
        !listed.contains("Petrenko"),
        "a real name must never appear in a person list"
    );
    let found =
        serde_json::to_string(&lib.find_records(cid, "Petrenko", &[], 20).unwrap()).unwrap();
    assert_eq!(found, "[]", "the link picker must not search identities");
    let revealed = lib.reveal_identity(&witness.id).unwrap().unwrap();
    assert_eq!(revealed.real_name, "Halyna Petrenko");

    let st = lib
        .create_statement(
            cid,
            StatementInput {
                witness_id: witness.id.clone(),
                interview_date: "2022-04-02".into(),
                interview_place: "Kharkiv".into(),
                interviewer: "O. Koval".into(),
                language: "uk".into(),
                connection: "eyewitness".into(),
                reliability: "medium".into(),
                text: "Близько третьої години дня почалися вибухи біля школи.".into(),
                translations: vec![Translation {
                    language: "en".into(),
                    text: "Around three in the afternoon explosions began near the school.".into(),
                    translator: "I. M.".into(),
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(st.title, "Statement of W-001, 2022-04-02");
    lib.set_consent(
        &st.id,
        ConsentInput {
            purpose: ConsentPurpose::Storage,
            granted: true,
            given_on: "2022-04-02".into(),
            method: "signed form".into(),
        },
    )
    .unwrap();
    lib.set_consent(
        &st.id,
        ConsentInput {
            purpose: ConsentPurpose::Prosecution,
            granted: true,
            given_on: "2022-04-02".into(),
            method: "signed form".into(),
        },
    )
    .unwrap();
    lib.set_consent(
        &st.id,
        ConsentInput {
            purpose: ConsentPurpose::Publication,
            granted: false,
            given_on: "2022-04-02".into(),
            method: "oral".into(),
        },
    )
    .unwrap();
    lib.withdraw_consent(
        &st.id,
        ConsentPurpose::Prosecution,
        "2022-06-01",
        "Fears for relatives",
    )
    .unwrap();
    let summary = lib.consent_summary(&st.id).unwrap();
    assert_eq!(
        (summary.storage, summary.prosecution, summary.publication),
        (
            ConsentState::Granted,
            ConsentState::Withdrawn,
            ConsentState::Refused
        )
    );

    // An edit makes a new version; the old text stays readable with who and when.
    let mut input = st.to_input();
    input.text.push_str(" Потім я побачила дим.");
    let st2 = lib.edit_statement(&st.id, input).unwrap();
    assert_eq!(st2.version, 2);
    let versions = lib.statement_versions(&st.id).unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0].snapshot.text,
        "Близько третьої години дня почалися вибухи біля школи."
    );
    assert_eq!(versions[1].changed, vec!["text".to_string()]);
    assert_eq!(versions[1].changed_by, "Olena Koval (Field team 2)");

    // Links, seen from both ends.
    let link = lib
        .link(
            "statement",
            &st.id,
            "describes",
            "incident",
            &exact.id,
            "Paragraphs 2-4",
        )
        .unwrap();
    lib.link("person", &victim.id, "victim_of", "incident", &exact.id, "")
        .unwrap();
    lib.link(
        "incident",
        &vague.id,
        "same_event_as",
        "incident",
        &exact.id,
        "Probably the same strike",
    )
    .unwrap();
    let from_incident = lib.links_of(&exact.id).unwrap();
    assert_eq!(from_incident.len(), 3);
    let d = from_incident
        .iter()
        .find(|l| l.link_type == "describes")
        .unwrap();
    assert_eq!(
        (d.direction.as_str(), d.other.label.as_str()),
        ("in", "Statement of W-001, 2022-04-02")
    );
    let from_statement = lib.links_of(&st.id).unwrap();
    assert_eq!(
        (
            from_statement[0].direction.as_str(),
            from_statement[0].other.label.as_str()
        ),
        ("out", "Shelling of school No. 134")
    );
    assert!(
        lib.link("statement", &st.id, "describes", "incident", &exact.id, "")
            .is_err(),
        "the same link twice is refused"
    );
    lib.unlink(&link.id, "linked to the wrong incident")
        .unwrap();
    assert_eq!(lib.links_of(&st.id).unwrap().len(), 0);
    lib.restore("link", &link.id).unwrap();
    assert_eq!(lib.links_of(&st.id).unwrap().len(), 1);

    // Soft delete and restore.
    lib.delete("incident", &vague.id, "duplicate of the school strike")
        .unwrap();
    assert_eq!(lib.list_incidents(cid).unwrap().len(), 1);
    assert!(
        lib.get_incident(&vague.id).unwrap().deleted_at.is_some(),
        "a deleted record is still there"
    );
    lib.restore("incident", &vague.id).unwrap();
    assert_eq!(lib.list_incidents(cid).unwrap().len(), 2);

    let counts = lib.case_counts(cid).unwrap();
    assert_eq!(
        (
            counts.incidents,
            counts.statements,
            counts.persons,
            counts.units
        ),
        (2, 1, 2, 1)
    );

    let report = lib.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    let history = lib.history("incident", &vague.id).unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "delete", "restore"]);
    assert!(
        lib.history("identity", &witness.id)
            .unwrap()
            .iter()
            .any(|e| e.action == "reveal"),
        "revealing an identity is logged"
    );
    let log_text = serde_json::to_string(&lib.history("identity", &witness.id).unwrap()).unwrap();
    assert!(
        !log_text.contains("Petrenko"),
        "the custody log holds digests, never identifying details"
    );

    // Everything reads back after reopening.
    drop(lib);
    let lib = open(dir.path());
    let again = lib.get_incident(&exact.id).unwrap();
    assert_eq!(again, exact, "an incident reads back exactly as created");
    assert_eq!(lib.get_statement(&st.id).unwrap().text, st2.text);
    assert_eq!(lib.statement_versions(&st.id).unwrap().len(), 2);
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn the_sample_case_loads_once_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = lib.load_sample().unwrap();
    assert!(
        case.title.starts_with("SAMPLE"),
        "the sample is clearly marked"
    );
    let again = lib.load_sample().unwrap();
    assert_eq!(
        case.id, again.id,
        "loading the sample twice does not duplicate it"
    );
    let incidents = lib.list_incidents(&case.id).unwrap();
    let titles: Vec<&str> = incidents.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Strike on Maternity Hospital No. 3, Mariupol",
            "Strike on the Drama Theatre, Mariupol",
            "Strike on Art School No. 12, Mariupol"
        ]
    );
    assert_eq!(incidents[0].date_from.as_deref(), Some("2022-03-09"));
    assert_eq!(incidents[1].date_from.as_deref(), Some("2022-03-16"));
    let statements = lib.list_statements(&case.id).unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(
        lib.links_of(&incidents[1].id).unwrap().len(),
        1,
        "the theatre is described by the Secretary's statement"
    );
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn a_custody_row_altered_with_the_triggers_dropped_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = lib.load_sample().unwrap();
    drop(lib);

    // Through SQL the log cannot be changed...
    let db = dir.path().join("casefile.db");
    let conn = casefile_core::db::open_raw_for_tests(&db, false).unwrap();
    let err = conn
        .execute(
            "UPDATE custody_log SET actor = 'someone else' WHERE seq = 5",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn
        .execute("DELETE FROM custody_log WHERE seq = 5", [])
        .is_err());

    // ...so a forger who holds the key (an insider: the database is encrypted, and `sqlite3`
    // without the key reads nothing) drops the triggers first.
    conn.execute_batch("DROP TRIGGER custody_log_no_update; UPDATE custody_log SET actor = 'someone else' WHERE seq = 5;").unwrap();
    drop(conn);
    let lib = open(dir.path());
    let report = lib.audit_verify().unwrap();
    let p = report
        .chain_problem
        .expect("an altered entry must break the chain");
    assert_eq!(p.seq, 5, "the first broken entry is named precisely");
    assert!(
        p.message.contains("entry 5") && p.message.contains("altered"),
        "{}",
        p.message
    );
    let _ = case;
}

#[test]
fn a_record_changed_behind_casefiles_back_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = lib.load_sample().unwrap();
    let theatre = lib.list_incidents(&case.id).unwrap().remove(1);
    drop(lib);
    let conn =
        casefile_core::db::open_raw_for_tests(dir.path().join("casefile.db"), false).unwrap();
    conn.execute(
        "UPDATE incidents SET title = 'Strike on a military base' WHERE id = ?1",
        [&theatre.id],
    )
    .unwrap();
    drop(conn);
    let lib = open(dir.path());
    let report = lib.audit_verify().unwrap();
    assert!(report.chain_problem.is_none(), "the chain itself is intact");
    assert_eq!(
        report.record_problems.len(),
        1,
        "{:?}",
        report.record_problems
    );
    let p = &report.record_problems[0];
    assert_eq!(
        (p.record_type.as_str(), p.record_id.as_str()),
        ("incident", theatre.id.as_str())
    );
    assert!(
        p.message.contains("Strike on a military base")
            && p.message.contains("changed outside Casefile"),
        "{}",
        p.message
    );
}
