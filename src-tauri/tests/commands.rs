//! The shell's smoke test: the real command table and capability file, driven through Tauri's
//! mock runtime on a temp-dir library. Proves each command reaches the core and that errors
//! cross IPC as `{ code, message, field }`.

use casefile_app::{build_app, AppState};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn invoke(webview: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn commands_reach_the_core_and_errors_keep_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let app = build_app(mock_builder(), AppState::open(dir.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();

    let info = invoke(&w, "library_info", json!({})).unwrap();
    assert_eq!(info["data_dir"], dir.path().to_str().unwrap());

    let created = invoke(&w, "case_create", json!({ "input": { "title": "Art school", "reference": "UA-MAR-003" } })).unwrap();
    let id = created["id"].as_str().unwrap();
    let updated = invoke(&w, "case_update", json!({ "id": id, "edit": { "status": "closed" } })).unwrap();
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
    let _held = casefile_core::Library::open(dir.path(), std::sync::Arc::new(casefile_core::clock::SystemClock)).unwrap();
    let app = build_app(mock_builder(), AppState::open(dir.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let err = invoke(&w, "library_info", json!({})).unwrap_err();
    assert_eq!(err["code"], "library_locked");
    let err = invoke(&w, "case_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "library_locked");
}
