//! The app's log file: what the shell and the core log while an investigator works, read back
//! from `<library>/logs`. It must say what happened (ids, codes, timings) and never what the
//! case holds: no titles, names, statement text or file names of originals.

use casefile_app::{build_app, logging, AppState};
use serde_json::{json, Value};
use std::sync::mpsc;
use std::time::Duration;
mod common;
use common::invoke;
use tauri::test::mock_builder;
use tauri::Listener;

#[test]
fn the_log_file_says_what_happened_and_never_what_the_case_holds() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    // Debug level, so that even the most talkative events are checked.
    std::env::set_var("CASEFILE_LOG", "debug");
    let guard = logging::init(dir.path()).expect("the log folder is made");
    let secrets = [
        "Zarichna basement",
        "Oleksandra Zhuravska",
        "Ховалися у підвалі",
        "Sviatohirsk-evidence-7731",
        "ZRX-0042",
        "Kharkiv-rain-2024-passphrase",
    ];

    let state = AppState::new(dir.path().to_path_buf()).with_kdf(casefile_core::test_kdf());
    let mut app = build_app(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("build app");
    // One iteration (not a loop) runs the setup hook, which starts the preview worker.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let w = tauri::Manager::get_webview_window(&app, "main").expect("the main window");
    // First start: the library is made under a passphrase, which must never be logged.
    invoke(&w, "library_create", json!({ "passphrase": secrets[5] })).unwrap();
    invoke(
        &w,
        "profile_set",
        json!({ "name": "Field team", "organisation": "" }),
    )
    .unwrap();
    let case = invoke(
        &w,
        "case_create",
        json!({ "input": { "title": secrets[0], "reference": secrets[4] } }),
    )
    .unwrap();
    let case = case["id"].as_str().unwrap().to_string();
    let person = invoke(
        &w,
        "person_create",
        json!({ "caseId": case, "input": { "roles": ["witness"] } }),
    )
    .unwrap();
    let pid = person["id"].as_str().unwrap().to_string();
    invoke(
        &w,
        "identity_set",
        json!({ "personId": pid, "identity": { "real_name": secrets[1] } }),
    )
    .unwrap();
    invoke(&w, "statement_create", json!({ "caseId": case, "input": { "witness_id": pid, "language": "uk", "text": secrets[2] } })).unwrap();
    // A failed command: its code is logged, not the text that was refused.
    let err = invoke(
        &w,
        "case_create",
        json!({ "input": { "title": "", "reference": secrets[4] } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");

    // Evidence with a telling file name: one real photo and one that is not what it claims.
    let photo = src.path().join(format!("{}.jpg", secrets[3]));
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/testdata/exif-samples/jpg/Canon_40D.jpg"
        ),
        &photo,
    )
    .unwrap();
    std::fs::write(
        src.path().join(format!("{}-broken.jpg", secrets[3])),
        b"\xff\xd8\xff\xe0 broken",
    )
    .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let analysed = tx.clone();
    app.listen("evidence-done", move |e| {
        let _ = tx.send(e.payload().to_string());
    });
    app.listen("evidence-analysed", move |e| {
        let _ = analysed.send(e.payload().to_string());
    });
    let acquisition = json!({ "collected_by": "Field team", "collected_at": "2022-04-02", "method": "own_capture" });
    invoke(
        &w,
        "evidence_import",
        json!({ "caseId": case, "paths": [src.path()], "acquisition": acquisition }),
    )
    .unwrap();
    let mut done = false;
    let mut previews = 0;
    while !(done && previews == 2) {
        let event: Value = serde_json::from_str(
            &rx.recv_timeout(Duration::from_secs(60))
                .expect("intake and previews end"),
        )
        .unwrap();
        if event.get("report").is_some() || event.get("error").is_some() {
            assert!(event["error"].is_null(), "{event}");
            done = true;
        } else {
            previews += 1;
        }
    }
    invoke(&w, "search", json!({ "query": secrets[1] })).ok();
    // Locked, a wrong passphrase, then the right one: said, and no passphrase written.
    invoke(&w, "library_lock", json!({})).unwrap();
    let wrong = format!("{} wrong", secrets[5]);
    invoke(&w, "library_unlock", json!({ "passphrase": wrong })).unwrap_err();
    std::thread::sleep(casefile_app::unlock_delay(1));
    invoke(&w, "library_unlock", json!({ "passphrase": secrets[5] })).unwrap();
    drop(w);
    drop(app);
    drop(guard); // flushes the file

    let logs = logging::log_dir(dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777,
            0o700,
            "the log folder is private"
        );
    }
    let mut log = String::new();
    for f in std::fs::read_dir(&logs).unwrap() {
        let f = f.unwrap().path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is the owner's only", f.display());
        }
        log += &std::fs::read_to_string(f).unwrap();
    }
    for event in [
        "library opened",
        "intake: batch recorded",
        "preview made",
        "a command failed",
        "library locked",
        "unlock refused: wrong passphrase",
        "library unlocked",
    ] {
        assert!(log.contains(event), "the log says {event:?}:\n{log}");
    }
    assert!(
        log.contains("code=invalid_input") || log.contains("code=\"invalid_input\""),
        "{log}"
    );
    for secret in secrets {
        assert!(
            !log.contains(secret),
            "{secret:?} is case content and must not be in the log:\n{log}"
        );
    }
}
