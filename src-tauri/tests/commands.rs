//! The shell's smoke test: the real command table and capability file, driven through Tauri's
//! mock runtime on a temp-dir library. Proves each command reaches the core and that errors
//! cross IPC as `{ code, message, field }`.

use serde_json::{json, Value};
mod common;
use common::{app, code, invoke, PASSPHRASE};

#[test]
fn commands_reach_the_core_and_errors_keep_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    // First start: nothing is there, nothing answers until the library is made.
    let status = invoke(&w, "library_state", json!({})).unwrap();
    assert_eq!(
        (&status["state"], &status["unlocked"]),
        (&json!("missing"), &json!(false))
    );
    assert_eq!(code(invoke(&w, "case_list", json!({}))), "no_library");
    let status = invoke(&w, "library_create", json!({ "passphrase": "first start" })).unwrap();
    assert_eq!(
        (&status["state"], &status["unlocked"]),
        (&json!("encrypted"), &json!(true))
    );
    assert_eq!(status["recovery_key"], false);

    let info = invoke(&w, "library_info", json!({})).unwrap();
    assert_eq!(info["data_dir"], dir.path().to_str().unwrap());

    let created = invoke(
        &w,
        "case_create",
        json!({ "input": { "title": "Art school", "reference": "UA-MAR-003" } }),
    )
    .unwrap();
    let id = created["id"].as_str().unwrap();
    let updated = invoke(
        &w,
        "case_update",
        json!({ "id": id, "edit": { "status": "closed" } }),
    )
    .unwrap();
    assert_eq!(updated["status"], "closed");
    let list = invoke(&w, "case_list", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    let err = invoke(&w, "case_create", json!({ "input": { "title": "" } })).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert_eq!(err["field"], "title");
    assert!(err["message"].as_str().unwrap().contains("title"));

    let err = invoke(&w, "case_get", json!({ "id": "nope" })).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn a_library_that_cannot_be_opened_is_reported_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let _held = casefile_core::Library::open_for_tests(
        dir.path(),
        std::sync::Arc::new(casefile_core::clock::SystemClock),
    )
    .unwrap();
    let (_app, w) = app(dir.path());
    // The right passphrase, but another process holds the library: that is what is said.
    let err = invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap_err();
    assert_eq!(err["code"], "library_locked");
    let err = invoke(&w, "library_info", json!({})).unwrap_err();
    assert_eq!(err["code"], "passphrase_required");
    let err = invoke(&w, "case_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "passphrase_required");

    // Commands that start a job, or read no library at all, refuse the same way at once.
    for (cmd, args) in [
        ("audit_run", json!({ "files": false })),
        ("bundle_import", json!({ "path": dir.path() })),
        ("bundle_verify", json!({ "path": dir.path() })),
        (
            "bundle_export",
            json!({ "caseId": "x", "out": dir.path(), "zip": false, "profile": "full" }),
        ),
    ] {
        assert_eq!(code(invoke(&w, cmd, args)), "passphrase_required", "{cmd}");
    }
}

/// Every command in commands.json is granted by the capability, registered in the handler, and
/// reachable from the main window: called with no arguments, each must fail on its arguments
/// (or succeed), never on permissions or as an unknown command.
#[test]
fn every_command_is_declared_granted_and_registered() {
    let commands: Vec<String> = serde_json::from_str(include_str!("../commands.json")).unwrap();
    let cap: Value = serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut expected: Vec<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // Beyond our own commands, exactly these: listening to our events, and the open/save dialogs.
    expected.extend(
        [
            "core:event:allow-listen",
            "core:event:allow-unlisten",
            "dialog:allow-open",
            "dialog:allow-save",
        ]
        .map(String::from),
    );
    assert_eq!(granted, expected, "capabilities/main.json must grant exactly the commands in commands.json (plus events and the open dialog)");
    let handler = include_str!("../src/lib.rs");
    for c in &commands {
        assert!(
            handler.contains(&format!("        {c},\n")),
            "{c} is not in generate_handler!"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    for c in &commands {
        if let Err(e) = invoke(&w, c, json!({})) {
            let text = e.to_string();
            assert!(
                !text.contains("not allowed") && !text.contains("not found"),
                "{c}: {text}"
            );
        }
    }
    let err = invoke(
        &w,
        "plugin:shell|open",
        json!({ "path": "https://example.org" }),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("not"),
        "no shell plugin is reachable: {err}"
    );
}
