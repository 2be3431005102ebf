//! Search: Cyrillic and diacritics, restricted identities, edits, syntax errors, the index
//! kept in step with every write and rebuildable.

use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use std::path::Path;

fn open(dir: &Path) -> Library {
    Library::open(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn ids(lib: &Library, q: &str) -> Vec<String> {
    lib.search(q, None, 50, 0).unwrap().hits.into_iter().map(|h| h.record_id).collect()
}

#[test]
fn cyrillic_and_diacritics_match_regardless_of_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib.create_case(NewCase { title: "C".into(), ..Default::default() }).unwrap().id;
    let uk = lib.create_incident(&c, IncidentInput { title: "Удар по Драмтеатру в Маріуполі".into(), description: "Бомба впала на театр, де ховалися люди.".into(), ..Default::default() }).unwrap();
    let ru = lib.create_incident(&c, IncidentInput { title: "Обстрел школы".into(), description: "Ещё один удар по Харькову".into(), ..Default::default() }).unwrap();
    let stress = lib.create_incident(&c, IncidentInput { title: "Наголос: Маріу\u{301}поль".into(), ..Default::default() }).unwrap();
    let fr = lib.create_incident(&c, IncidentInput { title: "Frappe sur l'hôpital".into(), description: "Témoins: Crème".into(), ..Default::default() }).unwrap();
    assert_eq!(ids(&lib, "маріуполі"), [uk.id.clone()], "lower case finds a capitalised Ukrainian word");
    assert_eq!(ids(&lib, "ТЕАТР"), [uk.id.clone()], "upper case finds lower case");
    assert_eq!(ids(&lib, "ещё"), [ru.id.clone()]);
    assert_eq!(ids(&lib, "наголос маріуполь"), [stress.id.clone()], "a stress mark does not hide a word");
    assert_eq!(ids(&lib, "еще"), [ru.id.clone()], "ё matches е");
    assert_eq!(ids(&lib, "hopital"), [fr.id.clone()], "diacritics are ignored");
    assert_eq!(ids(&lib, "HÔPITAL"), [fr.id.clone()]);
    assert_eq!(ids(&lib, "драм*"), [uk.id.clone()], "prefix search");
    assert_eq!(ids(&lib, "\"впала на театр\""), [uk.id.clone()], "phrase search");
    assert!(ids(&lib, "\"театр впала\"").is_empty(), "a phrase is in order");
    let both = ids(&lib, "удар");
    assert_eq!(both.len(), 2);
    assert_eq!(ids(&lib, "удар NOT школы"), [uk.id.clone()]);
    assert_eq!(ids(&lib, "школы OR hopital").len(), 2);
    let hit = &lib.search("театр", None, 5, 0).unwrap().hits[0];
    assert!(hit.snippet.contains('\u{E000}') && hit.snippet.contains('\u{E001}'), "the match is marked in the snippet: {:?}", hit.snippet);
}

#[test]
fn a_restricted_identity_never_appears_in_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib.create_case(NewCase { title: "C".into(), ..Default::default() }).unwrap().id;
    let p = lib.create_person(&c, PersonInput { roles: vec!["witness".into()], description: "Nurse".into(), ..Default::default() }).unwrap();
    lib.set_identity(&p.id, Identity { real_name: "Oksana Melnyk".into(), address: "Prospekt Myru 5".into(), contact: "oksana@example.org".into(), ..Default::default() }).unwrap();
    for q in ["Oksana", "Melnyk", "Myru", "oksana@example.org"] {
        let r = lib.search(q, None, 50, 0).unwrap();
        assert!(r.hits.is_empty(), "{q} must not be findable: {:?}", r.hits);
    }
    assert_eq!(ids(&lib, "nurse"), [p.id.clone()], "public fields are searchable");
    assert_eq!(ids(&lib, &p.pseudonym), [p.id.clone()], "and the pseudonym");
}

#[test]
fn an_edited_statement_is_found_by_its_new_text_not_its_old() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = lib.create_case(NewCase { title: "C".into(), ..Default::default() }).unwrap().id;
    let w = lib.create_person(&c, PersonInput { roles: vec!["witness".into()], ..Default::default() }).unwrap();
    let st = lib.create_statement(&c, StatementInput { witness_id: w.id.clone(), text: "I saw a tank near the bakery".into(), ..Default::default() }).unwrap();
    assert_eq!(ids(&lib, "bakery"), [st.id.clone()]);
    let mut input = st.to_input();
    input.text = "I saw an armoured vehicle near the pharmacy".into();
    input.translations = vec![casefile_core::statements::Translation { language: "uk".into(), text: "Я бачила бронемашину біля аптеки".into(), translator: String::new() }];
    lib.edit_statement(&st.id, input).unwrap();
    assert!(ids(&lib, "bakery").is_empty(), "the old text is no longer found");
    assert_eq!(ids(&lib, "pharmacy"), [st.id.clone()]);
    assert_eq!(ids(&lib, "аптеки"), [st.id.clone()], "translations are searched too");
    lib.delete("statement", &st.id, "duplicate").unwrap();
    assert!(ids(&lib, "pharmacy").is_empty(), "a deleted record leaves the results");
    lib.restore("statement", &st.id).unwrap();
    assert_eq!(ids(&lib, "pharmacy"), [st.id.clone()]);
    assert_eq!(lib.reindex().unwrap(), 2, "the statement and the person");
    assert_eq!(ids(&lib, "pharmacy"), [st.id.clone()], "the same after a rebuild");
}

#[test]
fn broken_query_syntax_gets_a_friendly_message() {
    let dir = tempfile::tempdir().unwrap();
    let lib = open(dir.path());
    for q in ["\"unclosed phrase", "AND theatre", "theatre OR", "(theatre", "theatre)", "", "   ", "NOT", "***"] {
        let e = lib.search(q, None, 10, 0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_input", Some("query")), "{q:?}");
        assert!(!e.to_string().to_lowercase().contains("sqlite") && !e.to_string().contains("fts5"), "no SQL error leaks: {e}");
    }
    // Punctuation inside words is searched literally, not as syntax.
    assert!(lib.search("Маріуполь-Донецьк", None, 10, 0).is_ok());
    assert!(lib.search("UA-MAR-001", None, 10, 0).is_ok());
    assert!(lib.search("col:umn", None, 10, 0).is_ok());
}
