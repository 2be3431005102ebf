//! Languages in the core (issue 12): vocabulary labels per language (and the migration that moved
//! them), errors a front end can word in its own language, the bundle's report in the
//! exporter's language, export file names that keep Cyrillic, and history entries that name what
//! an edit changed. Real SQLite files in temp dirs.

use casefile_core::bundle::{
    export_case, export_file_stem, export_file_stem_ascii, transliterate_uk, ExportOptions,
    ExportProfile, ReportLanguage,
};
use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::incidents::IncidentInput;
use casefile_core::{Error, ErrorDto, Library};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect()
}

fn sql(dir: &Path, batch: &str) {
    let conn = casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false).unwrap();
    conn.execute_batch(batch).unwrap();
}

fn dto(e: Error) -> Value {
    serde_json::to_value(ErrorDto::from(e)).unwrap()
}

#[test]
fn a_term_takes_labels_in_any_language_and_keeps_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let t = lib
        .add_term_labels(
            "weapon",
            "thermobaric",
            &labels(&[
                ("en", "Thermobaric weapon"),
                ("uk", "Термобарична зброя"),
                ("crh", "Termobarik silâ"),
            ]),
        )
        .unwrap();
    assert_eq!(t.label_en, "Thermobaric weapon");
    assert_eq!(t.label_uk, "Термобарична зброя");
    let listed = lib.terms(Some("weapon")).unwrap();
    let got = listed.iter().find(|x| x.code == "thermobaric").unwrap();
    assert_eq!(got, &t);
    assert_eq!(got.label("crh"), "Termobarik silâ");
    assert_eq!(
        got.label("de"),
        "Thermobaric weapon",
        "falls back to English"
    );
    // The CLI's --json contract: label_en and label_uk stay, labels is added.
    let v = serde_json::to_value(got).unwrap();
    assert_eq!(v["label_en"], "Thermobaric weapon");
    assert_eq!(v["label_uk"], "Термобарична зброя");
    assert_eq!(v["labels"]["crh"], "Termobarik silâ");
    assert_eq!(v["builtin"], false);
    // Built-in terms read in both languages, in the order Casefile ships them.
    let w: Vec<&str> = listed.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(&w[..2], ["air_bomb", "missile"]);
    assert_eq!(
        w.last(),
        Some(&"thermobaric"),
        "user terms after built-in ones"
    );
    let mil = lib.terms(Some("unit_kind")).unwrap();
    assert_eq!(mil[0].labels["uk"], "Військовий підрозділ");
    // The old two-label form still works, Ukrainian optional.
    let t2 = lib
        .add_term("weapon", "flamethrower", "Flamethrower", "")
        .unwrap();
    assert_eq!(t2.labels, labels(&[("en", "Flamethrower")]));
    assert!(lib.audit_verify().unwrap().ok(), "terms digest as logged");

    // Refusals carry a rule.
    let e = dto(lib
        .add_term_labels("weapon", "x", &labels(&[("EN!", "X")]))
        .unwrap_err());
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("language"), Some("bad_format"))
    );
    let e = dto(lib
        .add_term_labels("weapon", "y", &labels(&[("en", " ")]))
        .unwrap_err());
    assert_eq!(e["params"]["rule"], "required");
    let e = dto(lib
        .add_term_labels("weapon", "thermobaric", &labels(&[("en", "Again")]))
        .unwrap_err());
    assert_eq!(e["params"]["rule"], "already_exists");
    let e = dto(lib
        .add_term_labels("nope", "z", &labels(&[("en", "Z")]))
        .unwrap_err());
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("vocab"), Some("unknown_vocabulary"))
    );
}

#[test]
fn labels_of_a_library_from_before_the_move_are_all_kept_and_still_audit() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut lib = open(dir.path());
        lib.add_term("weapon", "planted_uk", "Planted", "Закладено")
            .unwrap();
        lib.add_term("weapon", "english_only", "English only", "")
            .unwrap();
    }
    // Back to the schema before migration 10: labels in two columns of vocab_terms, the
    // Ukrainian wording of the built-in terms as shipped before.
    let before = casefile_core::db::schema_version() - 1;
    sql(
        dir.path(),
        &format!(
            "ALTER TABLE vocab_terms ADD COLUMN label_en TEXT NOT NULL DEFAULT '';
             ALTER TABLE vocab_terms ADD COLUMN label_uk TEXT NOT NULL DEFAULT '';
             UPDATE vocab_terms SET
               label_en = coalesce((SELECT label FROM vocab_labels l WHERE l.vocab = vocab_terms.vocab AND l.code = vocab_terms.code AND language = 'en'), ''),
               label_uk = coalesce((SELECT label FROM vocab_labels l WHERE l.vocab = vocab_terms.vocab AND l.code = vocab_terms.code AND language = 'uk'), '');
             UPDATE vocab_terms SET label_uk = 'Військова частина' WHERE vocab = 'unit_kind' AND code = 'military_unit';
             UPDATE vocab_terms SET label_uk = 'пов''язано з' WHERE vocab = 'link_type' AND code = 'related';
             DROP TABLE vocab_labels;
             PRAGMA user_version = {before};"
        ),
    );
    let lib = open(dir.path());
    let terms = lib.terms(Some("weapon")).unwrap();
    let find = |c: &str| terms.iter().find(|t| t.code == c).unwrap().clone();
    assert_eq!(
        find("planted_uk").labels,
        labels(&[("en", "Planted"), ("uk", "Закладено")])
    );
    assert_eq!(
        find("english_only").labels,
        labels(&[("en", "English only")])
    );
    assert_eq!(find("english_only").label_uk, "");
    let units = lib.terms(Some("unit_kind")).unwrap();
    assert_eq!(
        units[0].labels["uk"], "Військовий підрозділ",
        "reworded by the migration"
    );
    let links = lib.terms(Some("link_type")).unwrap();
    let related = links.iter().find(|t| t.code == "related").unwrap();
    assert_eq!(related.label_uk, "пов’язано з");
    // Every built-in term has both labels; the audit finds the terms as logged and shipped.
    let all = lib.terms(None).unwrap();
    assert!(all
        .iter()
        .filter(|t| t.builtin)
        .all(|t| t.labels.len() == 2));
    let r = lib.audit_verify().unwrap();
    assert!(r.ok(), "{r:?}");
    // The digest of a user term is the one every earlier version logged.
    let t = find("planted_uk");
    let old = casefile_core::custody::state_digest(&json!({
        "vocab": t.vocab, "code": t.code, "label_en": t.label_en, "label_uk": t.label_uk, "builtin": false
    }));
    assert_eq!(t.state_digest(), old);
    let conn = casefile_core::db::open_raw_for_tests(dir.path().join("casefile.db"), true).unwrap();
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('vocab_terms')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(!cols.iter().any(|c| c.starts_with("label")), "{cols:?}");
}

#[test]
fn errors_carry_a_rule_and_the_values_to_word_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = lib
        .create_case(NewCase {
            title: "Case".into(),
            reference: Some("ХПГ-ХАР-2022-017".into()),
            description: String::new(),
        })
        .unwrap();
    let incident = |f: &dyn Fn(&mut IncidentInput)| {
        let mut i = IncidentInput {
            title: "Strike".into(),
            ..Default::default()
        };
        f(&mut i);
        i
    };
    // A huge paste: refused with the limit, at once.
    let started = std::time::Instant::now();
    let e = dto(lib
        .create_incident(
            &case.id,
            incident(&|i| i.description = "я".repeat(2_000_000)),
        )
        .unwrap_err());
    assert!(started.elapsed().as_secs() < 2);
    assert_eq!(e["code"], "invalid_input");
    assert_eq!(e["field"], "description");
    assert_eq!(e["params"]["rule"], "too_long");
    assert_eq!(e["params"]["field"], "description");
    assert_eq!(e["params"]["limit"], 100_000);
    assert_eq!(e["params"]["length"], 2_000_000);
    assert_eq!(e["message"], "description is longer than 100000 characters");

    let e = dto(lib
        .create_incident(&case.id, incident(&|i| i.title = "  ".into()))
        .unwrap_err());
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("title"), Some("required"))
    );

    let e = dto(lib
        .create_incident(&case.id, incident(&|i| i.types = vec!["no_such".into()]))
        .unwrap_err());
    assert_eq!(e["params"]["rule"], "unknown_term");
    assert_eq!(e["params"]["value"], "no_such");
    assert_eq!(e["params"]["vocab"], "incident_type");

    let e = dto(lib
        .create_incident(&case.id, incident(&|i| i.title = "a\u{7}b".into()))
        .unwrap_err());
    assert_eq!(e["params"]["rule"], "control_character");
    assert_eq!(e["params"]["value"], "U+0007");

    for (text, rule) in [
        ("north", "not_a_coordinate"),
        ("91", "out_of_range"),
        ("1.1234567890123456", "too_precise"),
    ] {
        let e = dto(casefile_core::validate::coordinate("latitude", text).unwrap_err());
        assert_eq!(e["params"]["rule"], rule, "{text}");
    }
    let e = dto(casefile_core::validate::coordinate("latitude", "91").unwrap_err());
    assert_eq!(
        (e["params"]["min"].as_f64(), e["params"]["max"].as_f64()),
        (Some(-90.0), Some(90.0))
    );

    // Other codes carry what their message states.
    let e = dto(lib.get_incident("missing").unwrap_err());
    assert_eq!(
        (e["code"].as_str(), e["params"]["kind"].as_str()),
        (Some("not_found"), Some("incident"))
    );
    let e = dto(Error::SchemaTooNew {
        found: 12,
        supported: 10,
    });
    assert_eq!(
        (
            e["params"]["found"].as_i64(),
            e["params"]["supported"].as_i64()
        ),
        (Some(12), Some(10))
    );
    // An error with nothing to say beyond its code has no params at all.
    let e = dto(Error::ProfileRequired);
    assert!(e.get("params").is_none(), "{e}");
    // What only the English text says travels as `detail`.
    let e = dto(Error::Corrupt("x".into()));
    assert_eq!(e["params"], json!({ "detail": "x" }));
    // A plain invalid() still works, with the rule `invalid`.
    let e = dto(Error::invalid("reason", "give a reason"));
    assert_eq!(e["params"], json!({ "rule": "invalid", "field": "reason" }));
}

/// What `xmllint --html` says about a report (empty when it parses cleanly).
fn xmllint(path: &Path) -> String {
    let out = Command::new("xmllint")
        .args(["--html", "--noout"])
        .arg(path)
        .output()
        .expect("xmllint is not installed: run scripts/install-deps.sh test");
    assert!(out.status.success(), "xmllint failed on {}", path.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_report_is_in_the_exporters_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    lib.set_profile("Олена Коваль", "ХПГ").unwrap();
    let case = lib.load_sample().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut report = |language: ReportLanguage, name: &str| {
        let path = out.path().join(name);
        let opts = ExportOptions {
            language,
            ..ExportOptions::new(ExportProfile::Full, false)
        };
        export_case(
            &mut lib,
            &case.id,
            &path,
            &opts,
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
        let html = path.join("data/report.html");
        assert_eq!(
            xmllint(&html),
            "",
            "report.html in {language:?} is not clean HTML"
        );
        std::fs::read_to_string(html).unwrap()
    };
    let uk = report(ReportLanguage::Uk, "uk");
    assert!(
        uk.starts_with("<!doctype html><html lang=\"uk\">"),
        "{}",
        &uk[..80]
    );
    for words in [
        "<h2>Інциденти</h2>",
        "<h2>Показання</h2>",
        "<h2>Перелік доказів</h2>",
        "Реєстраційний номер справи",
        "Пакет доказів Casefile",
        "профіль <b>повний</b>",
        "9 березня 2022 р. (день)",
        "Напад на медичний заклад",
        "Імовірно",
        "25 листопада 2026 р., 09:00 UTC",
    ] {
        assert!(uk.contains(words), "Ukrainian report lacks {words}");
    }
    for english in [
        "Incidents",
        "Statements",
        "Evidence index",
        "Reference:",
        ">likely<",
        "(day)",
    ] {
        assert!(!uk.contains(english), "Ukrainian report has {english}");
    }
    let en = report(ReportLanguage::En, "en");
    assert!(en.starts_with("<!doctype html><html lang=\"en\">"));
    for words in [
        "<h2>Incidents</h2>",
        "9 March 2022 (day)",
        "Attack on a medical facility",
        "Likely",
    ] {
        assert!(en.contains(words), "English report lacks {words}");
    }
    assert_eq!(
        ExportOptions::new(ExportProfile::Full, false).language,
        ReportLanguage::En
    );
    assert_eq!("uk".parse::<ReportLanguage>().unwrap(), ReportLanguage::Uk);
    let e = dto("de".parse::<ReportLanguage>().unwrap_err());
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("language"), Some("not_one_of"))
    );
}

#[test]
fn export_file_names_keep_cyrillic_or_transliterate_by_the_national_standard() {
    for (text, kept, ascii) in [
        ("ХПГ-ХАР-2022-017", "ХПГ-ХАР-2022-017", "KHPH-KHAR-2022-017"),
        (
            "Зґвалтування/Київ",
            "Зґвалтування_Київ",
            "Zgvaltuvannia_Kyiv",
        ),
        ("Щербаківка-Ї", "Щербаківка-Ї", "Shcherbakivka-Yi"),
    ] {
        assert_eq!(export_file_stem(text), kept);
        assert_eq!(export_file_stem_ascii(text), ascii);
    }
    assert_eq!(
        transliterate_uk("Згорани, Знам’янка"),
        "Zghorany, Znamianka"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let with_ref = lib
        .create_case(NewCase {
            title: "Харків".into(),
            reference: Some("ХПГ-ХАР-2022-017".into()),
            description: String::new(),
        })
        .unwrap();
    let without = lib
        .create_case(NewCase {
            title: "Зґвалтування/Київ".into(),
            reference: None,
            description: String::new(),
        })
        .unwrap();
    assert_eq!(
        lib.export_file_name(&with_ref.id).unwrap(),
        "ХПГ-ХАР-2022-017"
    );
    assert_eq!(
        lib.export_file_name(&without.id).unwrap(),
        "Зґвалтування_Київ"
    );
    assert_eq!(
        dto(lib.export_file_name("missing").unwrap_err())["code"],
        "not_found"
    );
    // A bundle by that name can be written and read back.
    lib.set_profile("Олена Коваль", "ХПГ").unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(format!(
        "{}.zip",
        lib.export_file_name(&with_ref.id).unwrap()
    ));
    export_case(
        &mut lib,
        &with_ref.id,
        &path,
        &ExportOptions::new(ExportProfile::Full, true),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(out.path().join("ХПГ-ХАР-2022-017.zip").is_file());
    assert!(casefile_core::bundle::verify_bundle(&path).unwrap().ok);
}

#[test]
fn history_entries_name_the_fields_an_edit_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let case = lib
        .create_case(NewCase {
            title: "Case".into(),
            reference: None,
            description: String::new(),
        })
        .unwrap();
    let i = lib
        .create_incident(
            &case.id,
            IncidentInput {
                title: "Strike".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let mut edit = i.to_input();
    edit.title = "Strike on the school".into();
    edit.settlement = "Харків".into();
    lib.edit_incident(&i.id, edit).unwrap();
    let h = lib.history_with_links("incident", &i.id).unwrap();
    assert_eq!(h.len(), 2);
    assert!(h[0].changed.is_empty());
    assert_eq!(h[1].entry.action, "edit");
    assert_eq!(h[1].changed, ["settlement", "title"]);
    let v = serde_json::to_value(&h[1]).unwrap();
    assert_eq!(v["changed"], json!(["settlement", "title"]));
    // The entry itself is as logged: its hash still verifies.
    assert!(lib.audit_verify().unwrap().ok());
}

/// Every field name the Rust code puts in an error (`Error::invalid*`, the validators, the
/// vocabulary check, `field: Some("…")`) found by reading the sources.
fn field_names_in_errors() -> std::collections::BTreeSet<String> {
    const CALLS: &[&str] = &[
        "invalid(",
        "invalid_rule(",
        "required_text(",
        "optional_text(",
        "long_text(",
        "coordinate(",
        "check(",
        "check_all(",
        "check_day(",
        "check_partial(",
        "check_year(",
        "day_bound(",
        "bad(",
        "field: Some(",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut names = std::collections::BTreeSet::new();
    for dir in [
        "crates/casefile-core/src",
        "crates/casefile-cli/src",
        "src-tauri/src",
    ] {
        for entry in walkdir::WalkDir::new(root.join(dir)) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for call in CALLS {
                for (at, _) in text.match_indices(call) {
                    // The first argument, or the second after a connection (`conn, "field"`).
                    let rest = text[at + call.len()..].trim_start();
                    let rest = match rest.find(',') {
                        Some(i) if rest[..i].contains("conn") => rest[i + 1..].trim_start(),
                        _ => rest,
                    };
                    let Some(lit) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let name: String = lit.chars().take_while(|c| *c != '"').collect();
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    {
                        names.insert(name);
                    }
                }
            }
        }
    }
    names
}

#[test]
fn the_ui_catalogues_name_every_field_and_rule_the_core_uses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/i18n");
    let names = field_names_in_errors();
    assert!(
        names.contains("description") && names.contains("interview_date"),
        "{names:?}"
    );
    let rules = [
        "already_exists",
        "bad_format",
        "control_character",
        "not_a_coordinate",
        "not_one_of",
        "out_of_range",
        "required",
        "too_long",
        "too_many",
        "too_precise",
        "unknown_term",
        "unknown_vocabulary",
    ];
    let codes = [
        "invalid_input",
        "duplicate_reference",
        "not_found",
        "library_locked",
        "data_dir_not_writable",
        "schema_too_new",
        "custody_broken",
        "database",
        "io",
        "corrupt",
        "library_unavailable",
        "bundle_refused",
        "bundle_invalid",
        "bundle_too_new",
        "profile_required",
        "disk_full",
        "wrong_passphrase",
        "passphrase_required",
        "keys_destroyed",
        "no_library",
    ];
    for lang in ["en", "uk"] {
        let text = std::fs::read_to_string(root.join(format!("{lang}.json"))).unwrap();
        let c: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        let has = |k: &str| c.contains_key(k) || c.contains_key(&format!("{k}_other"));
        let missing: Vec<String> = names
            .iter()
            .map(|n| format!("field.{n}"))
            .chain(rules.iter().map(|r| format!("error.invalid_input.{r}")))
            .chain(codes.iter().map(|r| format!("error.{r}")))
            .filter(|k| !has(k))
            .collect();
        assert!(missing.is_empty(), "ui/i18n/{lang}.json lacks {missing:?}");
    }
}

#[test]
fn a_term_with_a_third_language_travels_in_a_bundle() {
    let (a, b, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let mut sender = open(a.path());
    sender.set_profile("Олена Коваль", "ХПГ").unwrap();
    let case = sender
        .create_case(NewCase {
            title: "Case".into(),
            reference: None,
            description: String::new(),
        })
        .unwrap();
    sender
        .add_term_labels(
            "incident_type",
            "filtration",
            &labels(&[
                ("en", "Filtration"),
                ("uk", "Фільтрація"),
                ("crh", "Filtratsiya"),
            ]),
        )
        .unwrap();
    sender
        .create_incident(
            &case.id,
            IncidentInput {
                title: "Filtration camp".into(),
                types: vec!["filtration".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let path = out.path().join("bundle");
    let opts = ExportOptions {
        language: ReportLanguage::Uk,
        ..ExportOptions::new(ExportProfile::Full, false)
    };
    export_case(
        &mut sender,
        &case.id,
        &path,
        &opts,
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path.join("data/case.json")).unwrap())
            .unwrap();
    let term = &doc["terms"][0];
    assert_eq!(term["label_uk"], "Фільтрація");
    assert_eq!(term["labels"]["crh"], "Filtratsiya");
    let report = std::fs::read_to_string(path.join("data/report.html")).unwrap();
    assert!(
        report.contains("Фільтрація"),
        "a user term by its Ukrainian label"
    );

    let mut receiver = open(b.path());
    receiver.set_profile("Receiver", "HQ").unwrap();
    receiver
        .import_bundle(&path, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    let got = receiver.terms(Some("incident_type")).unwrap();
    let t = got.iter().find(|t| t.code == "filtration").unwrap();
    assert_eq!(
        t.labels,
        labels(&[
            ("en", "Filtration"),
            ("uk", "Фільтрація"),
            ("crh", "Filtratsiya")
        ])
    );
    assert!(!t.builtin);
    let r = receiver.audit_verify().unwrap();
    assert!(r.ok(), "{r:?}");
}
