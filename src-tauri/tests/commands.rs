//! The shell's smoke test: the real command table and capability file, driven through Tauri's
//! mock runtime on a temp-dir library. Proves each command reaches the core and that errors
//! cross IPC as `{ code, message, field }`.

use casefile_app::{build_app, AppState};
use serde_json::{json, Value};
mod common;
use common::invoke;
use tauri::test::mock_builder;

#[test]
fn commands_reach_the_core_and_errors_keep_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let app = build_app(mock_builder(), AppState::open(dir.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

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
    let app = build_app(mock_builder(), AppState::open(dir.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let err = invoke(&w, "library_info", json!({})).unwrap_err();
    assert_eq!(err["code"], "library_locked");
    let err = invoke(&w, "case_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "library_locked");

    // A background job says the same, not a vaguer "library_unavailable".
    use tauri::Listener;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    app.listen("audit-done", move |e| {
        let _ = tx.send(e.payload().to_string());
    });
    let job = invoke(&w, "audit_run", json!({ "files": false })).unwrap();
    assert!(
        job.as_str().is_some_and(|j| !j.is_empty()),
        "the job started: {job}"
    );
    let done: Value = serde_json::from_str(
        &rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("the job ended"),
    )
    .unwrap();
    assert_eq!(done["error"]["code"], "library_locked", "{done}");
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
    let app = build_app(mock_builder(), AppState::open(dir.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
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
