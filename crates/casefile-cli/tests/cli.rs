//! The built `casefile` binary on temp data dirs, as a script would use it.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn casefile(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casefile"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("CASEFILE_DATA_DIR")
        .output()
        .expect("run casefile")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = casefile(dir, args);
    assert!(out.status.success(), "casefile {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    serde_json::from_str(&ok(dir, &a)).expect("valid JSON")
}

#[test]
fn create_list_show_and_edit_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let id = ok(dir.path(), &["case", "new", "--title", "Mariupol maternity hospital", "--reference", "UA-MAR-001", "--description", "9 March 2022"]);
    let id = id.trim();
    assert_eq!(id.len(), 36, "case new prints only the new id: {id:?}");
    assert_eq!(&id[14..15], "7", "ids are UUIDv7");

    let list = json(dir.path(), &["case", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["reference"], "UA-MAR-001");

    let human = ok(dir.path(), &["case", "list"]);
    assert!(human.contains("Mariupol maternity hospital") && human.contains("UA-MAR-001"));

    let shown = json(dir.path(), &["case", "show", id]);
    assert_eq!(shown["description"], "9 March 2022");
    assert_eq!(shown["status"], "open");

    let edited = json(dir.path(), &["case", "edit", id, "--status", "archived", "--title", "Maternity hospital No. 3"]);
    assert_eq!(edited["status"], "archived");
    assert_eq!(edited["title"], "Maternity hospital No. 3");
    assert_eq!(json(dir.path(), &["case", "show", id])["status"], "archived", "the edit was stored");

    let verify = ok(dir.path(), &["audit", "verify"]);
    assert!(verify.contains("OK"), "{verify}");
}

#[test]
fn mistakes_get_specific_errors_and_a_failing_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["case", "new", "--title", ""], "error[invalid_input]: title is required"),
        (&["case", "show", "no-such-id"], "error[not_found]: no case with id no-such-id"),
        (&["case", "edit", "no-such-id", "--title", "x"], "error[not_found]"),
    ];
    for (args, expected) in cases {
        let out = casefile(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: expected {expected:?} in {err:?}");
    }
    ok(dir.path(), &["case", "new", "--title", "A", "--reference", "R-1"]);
    let out = casefile(dir.path(), &["case", "new", "--title", "B", "--reference", "R-1", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["code"], "duplicate_reference", "with --json the error is {{code, message}}");

    let id = ok(dir.path(), &["case", "list", "--json"]);
    let id = serde_json::from_str::<Value>(&id).unwrap()[0]["id"].as_str().unwrap().to_string();
    let out = casefile(dir.path(), &["case", "edit", &id, "--status", "finished"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("status must be open, closed or archived"));
}

#[test]
fn the_data_dir_comes_from_the_environment_when_not_given() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_casefile"))
            .args(args)
            .env("CASEFILE_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    assert!(run(&["case", "new", "--title", "From env"]).status.success());
    assert!(dir.path().join("casefile.db").exists(), "CASEFILE_DATA_DIR chose the library");
    let out = run(&["case", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("From env"));
}

#[test]
fn a_library_open_elsewhere_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _held = casefile_core::Library::open(dir.path(), std::sync::Arc::new(casefile_core::clock::SystemClock)).unwrap();
    let out = casefile(dir.path(), &["case", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[library_locked]"));
}

#[test]
fn an_unusable_data_dir_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let out = casefile(&file, &["case", "list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[data_dir_not_writable]") && err.contains("plain-file"), "{err}");
}
