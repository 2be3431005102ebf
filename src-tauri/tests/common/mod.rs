//! What the shell's tests share: an app on a temp-dir library, and calling a command as the
//! webview would.
#![allow(dead_code)] // each test file uses its own part of this

use casefile_app::{build_app, AppState};
use serde_json::{json, Value};
use std::path::Path;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub type Window = tauri::WebviewWindow<MockRuntime>;

/// The passphrase of libraries made by `Library::open_for_tests`.
pub const PASSPHRASE: &str = casefile_core::TEST_PASSPHRASE;

/// An app on the library folder `dir` (nothing opened yet; new passphrase slots are cheap to
/// make), and its main window.
pub fn app(dir: &Path) -> (tauri::App<MockRuntime>, Window) {
    let state = AppState::new(dir.to_path_buf()).with_kdf(casefile_core::test_kdf());
    let app = build_app(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("build app");
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, w)
}

/// An app on `dir` (made by `Library::open_for_tests`), unlocked through the command.
pub fn unlocked(dir: &Path) -> (tauri::App<MockRuntime>, Window) {
    let (app, w) = app(dir);
    let status = invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE }))
        .expect("the test passphrase unlocks");
    assert_eq!(status["unlocked"], true);
    (app, w)
}

/// Invokes `cmd` with `args` through the real IPC handler: `Ok(value)` or `Err({code, ...})`.
pub fn invoke(webview: &Window, cmd: &str, args: Value) -> Result<Value, Value> {
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

/// The code of a command's error (panics if it succeeded).
pub fn code(r: Result<Value, Value>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e["code"].as_str().unwrap_or_default().to_string(),
    }
}
