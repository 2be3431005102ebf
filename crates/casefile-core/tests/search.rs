//! Search: Cyrillic and diacritics, restricted identities, edits, syntax errors, the index
//! kept in step with every write and rebuildable.

// `ids(..) == [x.id.clone()]` reads as the expected list; `slice::from_ref` would not.
#![allow(clippy::cloned_ref_to_slice_refs)]

use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use std::path::Path;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn ids(lib: &Library, q: &str) -> Vec<String> {
    lib.search(q, None, 50, 0)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.record_id)
        .collect()
}

#[test]
fn cyrillic_and_diacritics_match_regardless_of_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib
        .create_case(NewCase {
            title: "C".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let uk = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Удар по Драмтеатру в Маріуполі".into(),
                description: "Бомба впала на театр, де ховалися люди.".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let ru = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Обстрел школы".into(),
                description: "Ещё один удар по Харькову".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let stress = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Наголос: Маріу\u{301}поль".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let fr = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Frappe sur l'hôpital".into(),
                description: "Témoins: Crème".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        ids(&lib, "драмтеатру"),
        [uk.id.clone()],
        "lower case finds a capitalised Ukrainian word"
    );
    let mut found = ids(&lib, "маріуполі");
    found.sort();
    let mut want = vec![uk.id.clone(), stress.id.clone()];
    want.sort();
    assert_eq!(
        found, want,
        "a word form (Маріуполі) finds the word (Маріуполь)"
    );
    assert_eq!(
        ids(&lib, "ТЕАТР"),
        [uk.id.clone()],
        "upper case finds lower case"
    );
    assert_eq!(ids(&lib, "ещё"), [ru.id.clone()]);
    assert_eq!(
        ids(&lib, "наголос маріуполь"),
        [stress.id.clone()],
        "a stress mark does not hide a word"
    );
    assert_eq!(ids(&lib, "еще"), [ru.id.clone()], "ё matches е");
    assert_eq!(
        ids(&lib, "hopital"),
        [fr.id.clone()],
        "diacritics are ignored"
    );
    assert_eq!(ids(&lib, "HÔPITAL"), [fr.id.clone()]);
    assert_eq!(ids(&lib, "драм*"), [uk.id.clone()], "prefix search");
    assert_eq!(
        ids(&lib, "\"впала на театр\""),
        [uk.id.clone()],
        "phrase search"
    );
    assert!(
        ids(&lib, "\"театр впала\"").is_empty(),
        "a phrase is in order"
    );
    let both = ids(&lib, "удар");
    assert_eq!(both.len(), 2);
    assert_eq!(ids(&lib, "удар NOT школы"), [uk.id.clone()]);
    assert_eq!(ids(&lib, "школы OR hopital").len(), 2);
    let hit = &lib.search("театр", None, 5, 0).unwrap().hits[0];
    assert!(
        hit.snippet.contains('\u{E000}') && hit.snippet.contains('\u{E001}'),
        "the match is marked in the snippet: {:?}",
        hit.snippet
    );
}

#[test]
fn a_restricted_identity_never_appears_in_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib
        .create_case(NewCase {
            title: "C".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let p = lib
        .create_person(
            &c,
            PersonInput {
                roles: vec!["witness".into()],
                description: "Nurse".into(),
                ..Default::default()
            },
        )
        .unwrap();
    lib.set_identity(
        &p.id,
        Identity {
            real_name: "Oksana Melnyk".into(),
            address: "Prospekt Myru 5".into(),
            contact: "oksana@example.org".into(),
            ..Default::default()
        },
    )
    .unwrap();
    for q in ["Oksana", "Melnyk", "Myru", "oksana@example.org"] {
        let r = lib.search(q, None, 50, 0).unwrap();
        assert!(r.hits.is_empty(), "{q} must not be findable: {:?}", r.hits);
    }
    assert_eq!(
        ids(&lib, "nurse"),
        [p.id.clone()],
        "public fields are searchable"
    );
    assert_eq!(ids(&lib, &p.pseudonym), [p.id.clone()], "and the pseudonym");
}

#[test]
fn an_edited_statement_is_found_by_its_new_text_not_its_old() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib
        .create_case(NewCase {
            title: "C".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let w = lib
        .create_person(
            &c,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let st = lib
        .create_statement(
            &c,
            StatementInput {
                witness_id: w.id.clone(),
                text: "I saw a tank near the bakery".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&lib, "bakery"), [st.id.clone()]);
    let mut input = st.to_input();
    input.text = "I saw an armoured vehicle near the pharmacy".into();
    input.translations = vec![casefile_core::statements::Translation {
        language: "uk".into(),
        text: "Я бачила бронемашину біля аптеки".into(),
        translator: String::new(),
    }];
    lib.edit_statement(&st.id, input).unwrap();
    assert!(
        ids(&lib, "bakery").is_empty(),
        "the old text is no longer found"
    );
    assert_eq!(ids(&lib, "pharmacy"), [st.id.clone()]);
    assert_eq!(
        ids(&lib, "аптеки"),
        [st.id.clone()],
        "translations are searched too"
    );
    lib.delete("statement", &st.id, "duplicate").unwrap();
    assert!(
        ids(&lib, "pharmacy").is_empty(),
        "a deleted record leaves the results"
    );
    lib.restore("statement", &st.id).unwrap();
    assert_eq!(ids(&lib, "pharmacy"), [st.id.clone()]);
    assert_eq!(lib.reindex().unwrap(), 2, "the statement and the person");
    assert_eq!(
        ids(&lib, "pharmacy"),
        [st.id.clone()],
        "the same after a rebuild"
    );
}

#[test]
fn broken_query_syntax_gets_a_friendly_message() {
    let dir = tempfile::tempdir().unwrap();
    let lib = open(dir.path());
    for q in [
        "\"unclosed phrase",
        "AND theatre",
        "theatre OR",
        "(theatre",
        "theatre)",
        "",
        "   ",
        "NOT",
        "***",
    ] {
        let e = lib.search(q, None, 10, 0).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_input", Some("query")),
            "{q:?}"
        );
        assert!(
            !e.to_string().to_lowercase().contains("sqlite") && !e.to_string().contains("fts5"),
            "no SQL error leaks: {e}"
        );
    }
    // Punctuation inside words is searched literally, not as syntax.
    assert!(lib.search("Маріуполь-Донецьк", None, 10, 0).is_ok());
    assert!(lib.search("UA-MAR-001", None, 10, 0).is_ok());
    assert!(lib.search("col:umn", None, 10, 0).is_ok());
}

#[test]
fn filters_overlap_uncertain_dates_and_combine_with_search() {
    use casefile_core::dates::{DateInput, DatePrecision};
    use casefile_core::search::{EvidenceFilter, IncidentFilter};
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib
        .create_case(NewCase {
            title: "C".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let date = |p, f: &str| DateInput {
        precision: p,
        from: Some(f.into()),
        ..Default::default()
    };
    let march = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Some time in March".into(),
                date: date(DatePrecision::Month, "2022-03"),
                oblast: "Donetsk".into(),
                types: vec!["attack_medical".into()],
                violation_status: Some("likely".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let ninth = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "On the ninth".into(),
                date: date(DatePrecision::Exact, "2022-03-09T15:00"),
                oblast: "Donetsk".into(),
                types: vec!["attack_school".into()],
                tags: vec!["school".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let april = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "April in Kharkiv".into(),
                date: date(DatePrecision::Day, "2022-04-02"),
                oblast: "Kharkiv".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let undated = lib
        .create_incident(
            &c,
            IncidentInput {
                title: "Date unknown".into(),
                ..Default::default()
            },
        )
        .unwrap();
    fn ids_of(lib: &Library, c: &str, f: IncidentFilter) -> Vec<String> {
        lib.filter_incidents(c, &f)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
    macro_rules! ids {
        ($f:expr) => {
            ids_of(&lib, &c, $f)
        };
    }

    let f = |from: &str, to: &str| IncidentFilter {
        from: Some(from.into()),
        to: Some(to.into()),
        ..Default::default()
    };
    assert_eq!(
        ids!(f("2022-03-09", "2022-03-09")),
        [march.id.clone(), ninth.id.clone()],
        "a month overlaps any day in it"
    );
    assert_eq!(ids!(f("2022-03-10", "2022-03-31")), [march.id.clone()]);
    assert_eq!(
        ids!(f("2022-02-01", "2022-02-28")),
        Vec::<String>::new(),
        "and no day outside it"
    );
    assert_eq!(
        ids!(f("2022-03-31", "2022-04-30")),
        [march.id.clone(), april.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter::default()).len(),
        4,
        "no filter: everything, the undated too"
    );
    assert!(ids!(IncidentFilter::default()).contains(&undated.id));
    assert_eq!(
        ids!(IncidentFilter {
            place: Some("donetsk".into()),
            ..Default::default()
        }),
        [march.id.clone(), ninth.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter {
            types: vec!["attack_school".into()],
            ..Default::default()
        }),
        [ninth.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter {
            tags: vec!["school".into()],
            ..Default::default()
        }),
        [ninth.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter {
            violation_status: vec!["likely".into()],
            ..Default::default()
        }),
        [march.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter {
            query: Some("ninth OR april".into()),
            place: Some("Kharkiv".into()),
            ..Default::default()
        }),
        [april.id.clone()],
        "search and filters combine"
    );

    let w = lib
        .create_person(
            &c,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let st = lib
        .create_statement(
            &c,
            StatementInput {
                witness_id: w.id,
                text: "x".into(),
                ..Default::default()
            },
        )
        .unwrap();
    lib.link("statement", &st.id, "describes", "incident", &april.id, "")
        .unwrap();
    assert_eq!(
        ids!(IncidentFilter {
            has_statements: Some(true),
            ..Default::default()
        }),
        [april.id.clone()]
    );
    assert_eq!(
        ids!(IncidentFilter {
            has_statements: Some(false),
            ..Default::default()
        })
        .len(),
        3
    );
    assert_eq!(
        ids!(IncidentFilter {
            has_evidence: Some(true),
            ..Default::default()
        })
        .len(),
        0
    );
    let bad = lib
        .filter_incidents(
            &c,
            &IncidentFilter {
                from: Some("2022-02-30".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(bad.field(), Some("from"));

    // Evidence filters.
    let photos =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/exif-samples/jpg");
    lib.add_evidence(
        &c,
        &[
            photos.join("gps/DSCN0010.jpg"),
            photos.join("Canon_40D.jpg"),
        ],
        &Default::default(),
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    fn ev_of(lib: &Library, c: &str, f: EvidenceFilter) -> Vec<String> {
        lib.filter_evidence(c, &f)
            .unwrap()
            .into_iter()
            .map(|r| r.original_name)
            .collect()
    }
    macro_rules! ev {
        ($f:expr) => {
            ev_of(&lib, &c, $f)
        };
    }
    assert_eq!(
        ev!(EvidenceFilter {
            has_gps: Some(true),
            ..Default::default()
        }),
        ["DSCN0010.jpg"]
    );
    assert_eq!(
        ev!(EvidenceFilter {
            has_gps: Some(false),
            ..Default::default()
        }),
        ["Canon_40D.jpg"]
    );
    assert_eq!(
        ev!(EvidenceFilter {
            from: Some("2008-10-22".into()),
            to: Some("2008-10-22".into()),
            ..Default::default()
        }),
        ["DSCN0010.jpg"]
    );
    assert_eq!(
        ev!(EvidenceFilter {
            media_type: Some("image/".into()),
            ..Default::default()
        })
        .len(),
        2
    );
    assert_eq!(
        ev!(EvidenceFilter {
            media_type: Some("video/".into()),
            ..Default::default()
        })
        .len(),
        0
    );
    assert_eq!(
        ev!(EvidenceFilter {
            query: Some("canon".into()),
            ..Default::default()
        }),
        ["Canon_40D.jpg"]
    );
    assert_eq!(
        ev!(EvidenceFilter {
            graphic: Some(true),
            ..Default::default()
        })
        .len(),
        0
    );
}
