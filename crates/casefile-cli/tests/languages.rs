//! Languages through the built `casefile` binary: terms with labels per language (and the
//! `--json` contract), errors with their rule and params, the report in Ukrainian, and a bundle
//! named after its case with the Cyrillic kept.

mod common;
use common::{casefile, json, ok};
use serde_json::Value;
use std::path::Path;

fn fails_json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = casefile(dir, &a);
    assert_eq!(out.status.code(), Some(1), "casefile {a:?} must fail");
    serde_json::from_slice(&out.stdout).expect("the error is JSON on stdout")
}

#[test]
fn terms_take_labels_per_language_and_keep_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = json(
        d,
        &[
            "vocab",
            "add",
            "weapon",
            "thermobaric",
            "--en",
            "Thermobaric weapon",
            "--uk",
            "Термобарична зброя",
            "--label",
            "crh=Termobarik silâ",
        ],
    );
    assert_eq!(t["label_en"], "Thermobaric weapon");
    assert_eq!(t["label_uk"], "Термобарична зброя");
    assert_eq!(t["labels"]["crh"], "Termobarik silâ");
    // Ukrainian only is enough.
    let t = json(d, &["vocab", "add", "weapon", "shahed", "--uk", "Шахед"]);
    assert_eq!(
        (t["label_en"].as_str(), t["label_uk"].as_str()),
        (Some(""), Some("Шахед"))
    );

    let listed = json(d, &["vocab", "list", "weapon"]);
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "thermobaric")
        .unwrap();
    for k in ["vocab", "code", "label_en", "label_uk", "labels", "builtin"] {
        assert!(row.get(k).is_some(), "vocab list --json lacks {k}: {row}");
    }
    let built_in = &listed[0];
    assert_eq!(built_in["label_uk"], "Авіабомба");
    let table = ok(d, &["vocab", "list", "weapon"]);
    assert!(
        table.contains("OTHER") && table.contains("crh: Termobarik silâ"),
        "{table}"
    );

    let e = fails_json(d, &["vocab", "add", "weapon", "x", "--label", "nolabel"]);
    assert_eq!(
        (e["code"].as_str(), e["params"]["rule"].as_str()),
        (Some("invalid_input"), Some("bad_format"))
    );
    let e = fails_json(d, &["vocab", "add", "weapon", "x"]);
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("labels"), Some("required"))
    );
    let ok_audit = ok(d, &["audit", "verify"]);
    assert!(ok_audit.contains("OK"), "{ok_audit}");
}

#[test]
fn errors_in_json_carry_their_rule_and_params() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long = "я".repeat(301);
    let e = fails_json(d, &["case", "new", "--title", &long]);
    assert_eq!(e["code"], "invalid_input");
    assert_eq!(e["field"], "title");
    assert_eq!(e["params"]["rule"], "too_long");
    assert_eq!(e["params"]["limit"], 300);
    assert_eq!(e["params"]["length"], 301);
    assert_eq!(e["message"], "title is longer than 300 characters");
    let e = fails_json(d, &["case", "show", "no-such-id"]);
    assert_eq!(
        (e["code"].as_str(), e["params"]["kind"].as_str()),
        (Some("not_found"), Some("case"))
    );
}

#[test]
fn an_export_into_a_folder_is_named_after_the_case_and_reports_in_ukrainian() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &["profile", "set", "--name", "Олена", "--organisation", "ХПГ"],
    );
    let case = ok(
        d,
        &[
            "case",
            "new",
            "--title",
            "Харків",
            "--reference",
            "ХПГ-ХАР-2022-017",
        ],
    )
    .trim()
    .to_string();
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().to_str().unwrap();
    let r = json(
        d,
        &[
            "export",
            "--case",
            &case,
            "--out",
            folder,
            "--language",
            "uk",
        ],
    );
    let path = out.path().join("ХПГ-ХАР-2022-017");
    assert_eq!(r["path"], path.to_str().unwrap());
    let report = std::fs::read_to_string(path.join("data/report.html")).unwrap();
    assert!(report.contains("<html lang=\"uk\">") && report.contains("<h2>Інциденти</h2>"));
    // A ZIP into the same folder gets the extension; English stays the default.
    let r = json(d, &["export", "--case", &case, "--out", folder, "--zip"]);
    assert_eq!(
        r["path"],
        out.path().join("ХПГ-ХАР-2022-017.zip").to_str().unwrap()
    );
    let v = ok(
        d,
        &[
            "verify",
            out.path().join("ХПГ-ХАР-2022-017.zip").to_str().unwrap(),
        ],
    );
    assert!(v.contains("OK") || v.contains("ok"), "{v}");
    let e = fails_json(
        d,
        &[
            "export",
            "--case",
            &case,
            "--out",
            "/nonexistent/x",
            "--language",
            "de",
        ],
    );
    assert_eq!(
        (e["field"].as_str(), e["params"]["rule"].as_str()),
        (Some("language"), Some("not_one_of"))
    );
}
