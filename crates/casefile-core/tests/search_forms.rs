//! Finding things in Ukrainian and Russian (issue 12): word forms find each other through the
//! index, unrelated words do not; the Place filter, the link picker and name lists fold
//! Cyrillic case; a query that finds nothing suggests its prefix form; a library from before
//! migration 9 still finds its records, and word forms, after the upgrade.

// `ids(..) == [x.id.clone()]` reads as the expected list; `slice::from_ref` would not.
#![allow(clippy::cloned_ref_to_slice_refs)]

use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::PersonInput;
use casefile_core::search::IncidentFilter;
use casefile_core::units::UnitInput;
use casefile_core::Library;
use std::path::Path;

mod common;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn case(lib: &mut Library) -> String {
    lib.create_case(NewCase {
        title: "C".into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn incident(lib: &mut Library, c: &str, title: &str, description: &str) -> String {
    lib.create_incident(
        c,
        IncidentInput {
            title: title.into(),
            description: description.into(),
            ..Default::default()
        },
    )
    .unwrap()
    .id
}

fn count(lib: &Library, q: &str) -> usize {
    lib.search(q, None, 50, 0).unwrap().hits.len()
}

/// Pairs of forms of one word, Ukrainian then Russian: a text holding one is found by the other.
const SAME_WORD: &[(&str, &str)] = &[
    ("підвал", "підвалі"),
    ("підвалі", "підвалом"),
    ("підвал", "підвалах"),
    ("школа", "школи"),
    ("школа", "школу"),
    ("школа", "школі"),
    ("школою", "школа"),
    ("школами", "школах"),
    ("лікарня", "лікарні"),
    ("лікарнею", "лікарня"),
    ("вулиця", "вулиці"),
    ("вулицями", "вулиця"),
    ("станція", "станції"),
    ("Харківська", "харківської"),
    ("харківський", "Харківському"),
    ("мир", "миру"),
    ("батько", "батькові"),
    ("вікно", "вікна"),
    ("зв’язок", "зв'язок"),
    // Russian
    ("школа", "школе"),
    ("школы", "школой"),
    ("больница", "больнице"),
    ("больницы", "больницу"),
    ("станция", "станцией"),
    ("станции", "станциях"),
    ("харьковская", "Харьковской"),
    ("харьковский", "харьковского"),
    ("подвал", "подвале"),
    ("ночь", "ночи"),
    ("мир", "мира"),
    // English (Snowball)
    ("hospital", "hospitals"),
    ("shelling", "shelled"),
];

/// Words that share letters but not meaning: neither finds the other.
const DIFFERENT_WORDS: &[(&str, &str)] = &[
    ("мир", "мирний"),
    ("школа", "шкода"),
    ("підвал", "провал"),
    ("мати", "матеріал"),
    ("дим", "димар"),
    ("станція", "стан"),
];

#[test]
fn ukrainian_and_russian_word_forms_find_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    for (a, b) in SAME_WORD.iter().chain(DIFFERENT_WORDS) {
        for w in [a, b] {
            incident(&mut lib, &c, "Запис", &format!("Слово: {w}."));
        }
    }
    // Each text is its own record; a form finds every record holding a form of its word.
    let holds = |q: &str, word: &str| {
        let ids: Vec<String> = lib
            .search(q, None, 200, 0)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.snippet)
            .collect();
        ids.iter().any(|s| {
            s.replace(['\u{E000}', '\u{E001}'], "")
                .contains(&format!("Слово: {word}."))
        })
    };
    for (a, b) in SAME_WORD {
        assert!(holds(a, b), "{a} finds {b}");
        assert!(holds(b, a), "{b} finds {a}");
    }
    for (a, b) in DIFFERENT_WORDS {
        assert!(!holds(a, b), "{a} must not find {b}");
        assert!(!holds(b, a), "{b} must not find {a}");
    }
}

#[test]
fn a_word_form_is_highlighted_as_written_and_phrases_and_prefixes_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let id = incident(
        &mut lib,
        &c,
        "Обстріл школи",
        "Люди ховалися в підвалі школи на вулиці Миру.",
    );
    incident(&mut lib, &c, "Інше", "Підвал будинку та школа поруч.");
    let r = lib.search("підвал", None, 10, 0).unwrap();
    assert_eq!(r.hits.len(), 2);
    let hit = r.hits.iter().find(|h| h.record_id == id).unwrap();
    assert!(
        hit.snippet.contains("\u{E000}підвалі\u{E001}"),
        "the word as written is marked: {:?}",
        hit.snippet
    );
    let r = lib.search("школа", None, 10, 0).unwrap();
    let hit = r.hits.iter().find(|h| h.record_id == id).unwrap();
    assert_eq!(hit.title, "Обстріл \u{E000}школи\u{E001}");
    // A phrase: in order and next to each other, in any of their forms.
    assert_eq!(count(&lib, "\"в підвалі\""), 1);
    assert_eq!(count(&lib, "\"в підвал\""), 1);
    assert_eq!(count(&lib, "\"підвалі в\""), 0, "a phrase is in order");
    assert_eq!(count(&lib, "\"підвал школа\""), 1);
    assert_eq!(count(&lib, "\"школа підвал\""), 0);
    // A prefix matches the words as written, longer than any stem.
    assert_eq!(count(&lib, "підвалі*"), 1);
    assert_eq!(count(&lib, "підва*"), 2);
    assert_eq!(count(&lib, "ПІДВА*"), 2);
    // Apostrophes and capitals of a street name.
    assert_eq!(count(&lib, "миру"), 1);
    assert_eq!(count(&lib, "МИР"), 1);
}

#[test]
fn a_query_that_finds_nothing_suggests_its_prefix_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    incident(
        &mut lib,
        &c,
        "Госпіталізація",
        "Поранених госпіталізували до лікарні.",
    );
    let r = lib.search("госпіталіз", None, 10, 0).unwrap();
    assert!(r.hits.is_empty());
    assert_eq!(r.suggestion.as_deref(), Some("госпіталіз*"));
    let wide = lib
        .search(r.suggestion.as_deref().unwrap(), None, 10, 0)
        .unwrap();
    assert_eq!(wide.hits.len(), 1, "the suggestion finds what it promised");
    assert_eq!(wide.suggestion, None);
    // Operators and phrases are kept; only plain words widen.
    let r = lib
        .search("госпітал AND \"до лікарні\"", None, 10, 0)
        .unwrap();
    assert_eq!(
        r.suggestion.as_deref(),
        Some("госпітал* AND \"до лікарні\"")
    );
    // Nothing to suggest when the prefix form finds nothing either.
    assert_eq!(
        lib.search("бронетехніка", None, 10, 0).unwrap().suggestion,
        None
    );
    assert_eq!(
        lib.search("\"лікарні до\"", None, 10, 0)
            .unwrap()
            .suggestion,
        None
    );
    // The suggestion crosses to the front ends as JSON.
    let json = serde_json::to_value(lib.search("госпіталіз", None, 10, 0).unwrap()).unwrap();
    assert_eq!(json["suggestion"], "госпіталіз*");
}

#[test]
fn place_filter_link_picker_and_name_lists_fold_cyrillic_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let input = |title: &str, settlement: &str, oblast: &str| IncidentInput {
        title: title.into(),
        settlement: settlement.into(),
        oblast: oblast.into(),
        ..Default::default()
    };
    let v = lib
        .create_incident(&c, input("Авіаудар по школі", "Вільхівка", "Харківська"))
        .unwrap()
        .id;
    let k = lib
        .create_incident(&c, input("Обстріл ринку", "Харків", "Харківська"))
        .unwrap()
        .id;
    let m = lib
        .create_incident(&c, input("Strike", "Mariupol", "Донецька"))
        .unwrap()
        .id;
    let apos = lib
        .create_incident(&c, input("Удар", "В’язівок", "Дніпропетровська"))
        .unwrap()
        .id;
    let place = |p: &str| -> Vec<String> {
        let f = IncidentFilter {
            place: Some(p.into()),
            ..Default::default()
        };
        lib.filter_incidents(&c, &f)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(place("вільхівка"), [v.clone()]);
    assert_eq!(place("ВІЛЬХІВКА"), [v.clone()]);
    let mut kh = place("ХАРКІВ");
    kh.sort();
    let mut want = vec![v.clone(), k.clone()];
    want.sort();
    assert_eq!(kh, want, "Харків and Харківська oblast");
    assert_eq!(place("mariupol"), [m.clone()]);
    assert_eq!(place("MARIUPOL"), [m.clone()]);
    assert_eq!(place("донецька"), [m.clone()]);
    assert_eq!(place("в'язівок"), [apos.clone()], "any apostrophe");
    assert!(place("%").is_empty(), "no wildcards: % is only itself");
    assert!(place("_").is_empty());

    // The link picker.
    let picked = |q: &str| -> Vec<String> {
        lib.find_records(&c, q, &[], 20)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(picked("авіаудар"), [v.clone()]);
    assert_eq!(picked("АВІАУДАР"), [v.clone()]);
    assert_eq!(picked("обстріл"), [k.clone()]);
    assert_eq!(picked("STRIKE"), [m.clone()]);
    assert!(picked("%").is_empty());

    // Name lists sort in Ukrainian alphabetical order, whatever the case.
    for name in [
        "ґава", "Яр", "Гай", "єва", "Ева", "їжак", "Іра", "ива", "Bravo", "alpha",
    ] {
        lib.create_unit(
            &c,
            UnitInput {
                name: name.into(),
                ..Default::default()
            },
        )
        .unwrap();
        lib.create_person(
            &c,
            PersonInput {
                pseudonym: name.into(),
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    }
    let want = [
        "alpha", "Bravo", "Гай", "ґава", "Ева", "єва", "ива", "Іра", "їжак", "Яр",
    ];
    let units: Vec<String> = lib
        .list_units(&c)
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(units, want);
    let people: Vec<String> = lib
        .list_persons(&c)
        .unwrap()
        .into_iter()
        .map(|p| p.pseudonym)
        .collect();
    assert_eq!(people, want);
    let picked: Vec<String> = lib
        .find_records(&c, "а", &["unit".into()], 20)
        .unwrap()
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert_eq!(
        picked,
        ["Гай", "ґава", "Ева", "єва", "ива", "Іра", "їжак"],
        "Cyrillic а only, in order"
    );
}

#[test]
fn a_library_from_before_migration_9_finds_its_records_and_their_forms_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let (school, basement) = {
        let mut lib = open(dir.path());
        let c = case(&mut lib);
        (
            incident(&mut lib, &c, "Обстріл школи", "Вибух біля школи"),
            incident(&mut lib, &c, "Підвал", "Люди ховалися в підвалі"),
        )
    };
    // Put the index back as migration 5 made it (unicode61, no word forms) and the schema at
    // version 8: what a library of the previous release holds.
    {
        let conn =
            casefile_core::db::open_raw_for_tests(dir.path().join("casefile.db"), false).unwrap();
        conn.execute_batch(
            "DROP TABLE search_terms; DROP TABLE search_index;
             CREATE VIRTUAL TABLE search_index USING fts5 (title, body,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
             CREATE VIRTUAL TABLE search_terms USING fts5vocab (search_index, 'row');
             UPDATE incidents SET id = id;
             PRAGMA user_version = 8;",
        )
        .unwrap();
        // Migration 10 undone too: labels back in vocab_terms' two columns.
        common::undo_vocab_labels(&conn);
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM search_index WHERE search_index MATCH 'школи'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "the old index is filled");
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM search_index WHERE search_index MATCH 'школа'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "and knows no word forms");
    }
    let lib = open(dir.path());
    let ids = |q: &str| -> Vec<String> {
        lib.search(q, None, 10, 0)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.record_id)
            .collect()
    };
    assert_eq!(ids("школи"), [school.clone()]);
    assert_eq!(
        ids("школа"),
        [school.clone()],
        "word forms after the upgrade"
    );
    assert_eq!(ids("підвал"), [basement.clone()]);
    assert_eq!(ids("ПІДВАЛІ"), [basement.clone()]);
    let v: i64 = casefile_core::db::open_raw_for_tests(dir.path().join("casefile.db"), true)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, casefile_core::db::schema_version());
}

#[test]
fn the_sample_case_is_found_as_before_with_word_forms() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    lib.load_sample().unwrap();
    // What the E2E test of the search page expects (tests/e2e/test_find.py).
    let r = lib.search("театр OR theatre", None, 20, 0).unwrap();
    assert!(r.ranked);
    assert_eq!(r.hits[0].record_type, "incident");
    assert!(r.hits[0].title.contains("Theatre"), "{:?}", r.hits[0].title);
    assert!(lib.search("Blinken", None, 20, 0).unwrap().hits.is_empty());
}
